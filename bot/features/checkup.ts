// The check-up (issue 12): ten questions, buttons only, offered by the worker after linking and at 3,
// 9 and 15 months (core/checkup/scan.ts). Progress lives in PostgreSQL (core/checkup/store.ts), so a
// half-finished round is resumed or started over from the offer's button; the session only remembers
// that a question is waiting, so that text typed instead of a button gets the question again.
//
// Callback data (all under "chk:", at most ~25 bytes):
//   chk:s:<round>          start the household's round (from the offer)
//   chk:r:<id> / chk:n:<id> resume / start over a half-finished round
//   chk:a:<id>:<q>:<o>      answer option <o> of question <q>
//   chk:p:<id>              pause (answers so far are kept)
//   chk:go:<step>           a next step after the round: courses, budget, operator
import { Composer, InlineKeyboard } from "grammy";
import {
  type CheckupFeedback,
  checkupFeedback,
  NEXT_STEPS,
  type NextStep,
} from "../../core/checkup/compare.ts";
import {
  CHECKUP_QUESTION_COUNT,
  CHECKUP_QUESTIONS,
  type CheckupRoundName,
  isRound,
  nextQuestionIndex,
} from "../../core/checkup/questions.ts";
import {
  beginCheckup,
  type CheckupState,
  checkupById,
  checkupOfRound,
  latestCheckup,
  previousAnswers,
  type Refusal,
  recordAnswer,
  refusalFor,
} from "../../core/checkup/store.ts";
import { startCallback } from "../../core/checkup/texts.ts";
import { detectWorry } from "../../core/worry.ts";
import type { BotContext } from "../context.ts";
import { answering, endFlow, startFlow } from "../flows.ts";
import { showCourses } from "./courses.ts";
import { showOperator } from "./operator.ts";
import { showSummary } from "./summary.ts";

export const CHECKUP_FLOW = "checkup";

export const checkupFeature = new Composer<BotContext>();

const c = (ctx: BotContext, key: string, options?: Record<string, unknown>) =>
  ctx.t(`checkup:${key}`, options);

/** The linked member and household a button may act for; null (answered) when there is none. */
async function linked(ctx: BotContext): Promise<{ memberId: number; householdId: number } | null> {
  const member = ctx.member;
  if (!member?.consentAt || !member.household) {
    await ctx.answerCallbackQuery({ text: c(ctx, "errors.need_link") });
    return null;
  }
  return { memberId: member.id, householdId: member.household.id };
}

async function clearButtons(ctx: BotContext): Promise<void> {
  await ctx.editMessageReplyMarkup().catch(() => undefined);
}

async function refuse(ctx: BotContext, refusal: Refusal): Promise<void> {
  await ctx.answerCallbackQuery({ text: c(ctx, `errors.${refusal}`) });
  // Its buttons can do nothing any more; someone else's stay, they are not this person's to change.
  if (refusal !== "not_yours") await clearButtons(ctx);
}

async function askQuestion(ctx: BotContext, state: CheckupState): Promise<void> {
  const index = nextQuestionIndex(state.answers);
  const question = CHECKUP_QUESTIONS[index];
  if (!question) return finish(ctx, state);
  startFlow(ctx, CHECKUP_FLOW, "question", { id: state.id });
  const keyboard = new InlineKeyboard();
  question.options.forEach((option, o) => {
    keyboard
      .text(c(ctx, `questions.${question.key}.options.${option}`), `chk:a:${state.id}:${index}:${o}`)
      .row();
  });
  keyboard.text(c(ctx, "pause_button"), `chk:p:${state.id}`);
  const progress = c(ctx, "progress", { number: index + 1, total: CHECKUP_QUESTION_COUNT });
  await ctx.reply(`${progress}\n<b>${c(ctx, `questions.${question.key}.text`)}</b>`, {
    reply_markup: keyboard,
  });
}

function feedbackText(ctx: BotContext, feedback: CheckupFeedback): string {
  const lines = [c(ctx, "feedback.title"), "", ...feedback.sentences.map((key) => c(ctx, `feedback.${key}`))];
  if (feedback.steps.length > 0) lines.push("", c(ctx, "feedback.steps"));
  return lines.join("\n");
}

async function finish(ctx: BotContext, state: CheckupState): Promise<void> {
  endFlow(ctx);
  const previous = await previousAnswers(ctx.deps.db, state.householdId, state.round);
  const feedback = checkupFeedback(state.answers, previous);
  const keyboard = new InlineKeyboard();
  for (const step of feedback.steps) keyboard.text(c(ctx, `steps.${step}`), `chk:go:${step}`).row();
  ctx.logger.info({ checkupId: state.id, round: state.round }, "check-up completed");
  await ctx.reply(feedbackText(ctx, feedback), feedback.steps.length > 0 ? { reply_markup: keyboard } : {});
}

// ─── Starting, resuming, starting over ─────────────────────────────────────

async function start(ctx: BotContext, round: CheckupRoundName): Promise<void> {
  const who = await linked(ctx);
  if (!who) return;
  const state = await checkupOfRound(ctx.deps.db, who.householdId, round);
  if (!state) {
    // A round of another household (the member moved) or never offered: nothing to start here.
    const latest = await latestCheckup(ctx.deps.db, who.householdId);
    if (latest && refusalFor(latest, who) === null) {
      await ctx.answerCallbackQuery({ text: c(ctx, "errors.replaced") });
      return offerLatest(ctx, latest);
    }
    await ctx.answerCallbackQuery({ text: c(ctx, "errors.not_offered") });
    return clearButtons(ctx);
  }
  const refusal = refusalFor(state, who);
  if (refusal) return refuse(ctx, refusal);
  await ctx.answerCallbackQuery();
  if (Object.keys(state.answers).length > 0) {
    const keyboard = new InlineKeyboard()
      .text(c(ctx, "resume.resume_button"), `chk:r:${state.id}`)
      .row()
      .text(c(ctx, "resume.restart_button"), `chk:n:${state.id}`);
    await ctx.reply(
      c(ctx, "resume.ask", {
        answered: nextQuestionIndex(state.answers),
        total: CHECKUP_QUESTION_COUNT,
      }),
      { reply_markup: keyboard },
    );
    return;
  }
  const begun = await beginCheckup(ctx.deps.db, ctx.deps.clock, {
    id: state.id,
    memberId: who.memberId,
    restart: false,
  });
  if (!begun) return;
  await ctx.reply(c(ctx, "intro"));
  await askQuestion(ctx, begun);
}

/** A newer round is waiting: its start button, again. */
async function offerLatest(ctx: BotContext, latest: CheckupState): Promise<void> {
  await clearButtons(ctx);
  const keyboard = new InlineKeyboard().text(c(ctx, "offer.start"), startCallback(latest.round));
  await ctx.reply(c(ctx, "errors.replaced"), { reply_markup: keyboard });
}

async function resume(ctx: BotContext, id: number, restart: boolean): Promise<void> {
  const who = await linked(ctx);
  if (!who) return;
  const state = await checkupById(ctx.deps.db, id);
  const refusal = refusalFor(state, who);
  if (refusal || !state) return refuse(ctx, refusal ?? "not_yours");
  const begun = await beginCheckup(ctx.deps.db, ctx.deps.clock, { id, memberId: who.memberId, restart });
  if (!begun) return refuse(ctx, "done");
  await ctx.answerCallbackQuery();
  await clearButtons(ctx);
  await askQuestion(ctx, begun);
}

checkupFeature.callbackQuery(/^chk:s:([a-z0-9]+)$/, async (ctx) => {
  const round = ctx.match[1];
  if (!isRound(round)) return ctx.answerCallbackQuery({ text: c(ctx, "errors.old_button") });
  return start(ctx, round);
});
checkupFeature.callbackQuery(/^chk:r:(\d{1,10})$/, (ctx) => resume(ctx, Number(ctx.match[1]), false));
checkupFeature.callbackQuery(/^chk:n:(\d{1,10})$/, (ctx) => resume(ctx, Number(ctx.match[1]), true));

// ─── Answers ────────────────────────────────────────────────────────────────

checkupFeature.callbackQuery(/^chk:a:(\d{1,10}):(\d{1,2}):(\d{1,2})$/, async (ctx) => {
  const who = await linked(ctx);
  if (!who) return;
  const id = Number(ctx.match[1]);
  const questionIndex = Number(ctx.match[2]);
  const option = CHECKUP_QUESTIONS[questionIndex]?.options[Number(ctx.match[3])];
  const result = await recordAnswer(ctx.deps.db, ctx.deps.clock, {
    id,
    ...who,
    questionIndex,
    option: option ?? "",
  });
  switch (result.status) {
    case "refused":
      return refuse(ctx, result.refusal);
    case "already_answered":
      // Its buttons may already be gone (a double tap): leave the message as it is.
      return ctx.answerCallbackQuery({ text: c(ctx, "errors.already_answered") });
    case "not_current":
      await ctx.answerCallbackQuery({ text: c(ctx, "errors.old_button") });
      await clearButtons(ctx);
      return askQuestion(ctx, result.state);
    case "recorded": {
      await ctx.answerCallbackQuery();
      const question = CHECKUP_QUESTIONS[questionIndex];
      // The question stays readable with the answer chosen under it; its buttons go.
      if (question && option) {
        const progress = c(ctx, "progress", { number: questionIndex + 1, total: CHECKUP_QUESTION_COUNT });
        await ctx
          .editMessageText(
            `${progress}\n<b>${c(ctx, `questions.${question.key}.text`)}</b>\n${c(ctx, "chosen", {
              answer: c(ctx, `questions.${question.key}.options.${option}`),
            })}`,
          )
          .catch(() => undefined);
      }
      if (result.state.completedAt) return finish(ctx, result.state);
      return askQuestion(ctx, result.state);
    }
  }
});

checkupFeature.callbackQuery(/^chk:p:(\d{1,10})$/, async (ctx) => {
  const who = await linked(ctx);
  if (!who) return;
  const state = await checkupById(ctx.deps.db, Number(ctx.match[1]));
  const refusal = refusalFor(state, who);
  if (refusal) return refuse(ctx, refusal);
  endFlow(ctx);
  await ctx.answerCallbackQuery();
  await clearButtons(ctx);
  await ctx.reply(c(ctx, "paused"));
});

checkupFeature.callbackQuery(/^chk:go:([a-z]+)$/, async (ctx) => {
  const step = ctx.match[1] as NextStep;
  if (!(NEXT_STEPS as readonly string[]).includes(step)) {
    return ctx.answerCallbackQuery({ text: c(ctx, "errors.old_button") });
  }
  await ctx.answerCallbackQuery();
  if (step === "courses") return showCourses(ctx);
  if (step === "budget") return showSummary(ctx);
  return showOperator(ctx);
});

// Any other "chk:" button (damaged or from a version that no longer exists).
checkupFeature.callbackQuery(/^chk:/, (ctx) =>
  ctx.answerCallbackQuery({ text: c(ctx, "errors.old_button") }),
);

// Text typed while a question waits for a button: say so, and ask the same question again. Words of
// worry are never swallowed by the check-up: the round pauses (its answers kept) and the worry
// feature answers them as it would at any other moment.
checkupFeature.filter(answering(CHECKUP_FLOW), async (ctx, next) => {
  if (detectWorry(ctx.message.text) !== null) {
    endFlow(ctx);
    return next();
  }
  const id = ctx.session.flow?.data.id;
  const member = ctx.member;
  const state = typeof id === "number" ? await checkupById(ctx.deps.db, id) : null;
  if (
    !state ||
    !member?.household ||
    refusalFor(state, { memberId: member.id, householdId: member.household.id })
  ) {
    endFlow(ctx);
    return ctx.reply(c(ctx, "errors.old_button"));
  }
  await ctx.reply(c(ctx, "errors.use_buttons"));
  return askQuestion(ctx, state);
});

// /operator: a small FAQ first, then a person. Choosing a topic asks for a message, which opens a
// case; while the household has an open case, any free text no other feature took goes into it
// (this composer runs just before the fallback). Operators answer from the admin panel.
//
// Callback data (all "op:…", at most ~20 bytes): op:menu, op:faq:<key>, op:esc:<faq key>,
// op:topic:<topic>, op:close:<case id> (asks), op:closeok:<case id>, op:keep:<case id>.
import { Composer, InlineKeyboard } from "grammy";
import {
  type ActiveCase,
  CLOSE_CASE_PREFIX,
  closeCaseByHousehold,
  expectedAnswerBy,
  findActiveCase,
  postHouseholdMessage,
  romeParts,
} from "../../core/cases.ts";
import {
  recordSatisfactionAsked,
  satisfactionMarkup,
  satisfactionQuestion,
} from "../../core/checkup/satisfaction.ts";
import { postOpenedCase } from "../../core/escalation/operators-group.ts";
import { FAQ_KEYS, faqValues, isCaseTopic, isFaqKey, isPersonTopic, PERSON_TOPICS } from "../../core/faq.ts";
import { romeToday } from "../../core/time.ts";
import type { BotContext } from "../context.ts";
import { answering, endFlow, flowOf, startFlow, withCancel } from "../flows.ts";
import { mainMenu } from "../menu.ts";
import { offerNotice } from "./plan.ts";

const FLOW = "operator";
const STEP = "message";
const DAY_MS = 24 * 60 * 60 * 1000;

export const operatorFeature = new Composer<BotContext>();
const privateChats = operatorFeature.chatType("private");

// ─── Texts ──────────────────────────────────────────────────────────────────

function topicLabel(ctx: BotContext, topic: string): string {
  return ctx.t(`operator:topic.${isCaseTopic(topic) ? topic : "other"}`);
}

/** "today at 17:00", "tomorrow at 11:00" or "Monday 30/11/2026 at 11:00" (Europe/Rome). */
function whenText(ctx: BotContext, instant: Date): string {
  const { weekday, date, time } = romeParts(instant);
  const days = (romeToday(instant).getTime() - romeToday(ctx.deps.clock.now()).getTime()) / DAY_MS;
  if (days <= 0) return ctx.t("operator:when.today", { time });
  if (days === 1) return ctx.t("operator:when.tomorrow", { time });
  return ctx.t("operator:when.day", { weekday: ctx.t(`operator:weekday.${weekday}`), date, time });
}

/** When a person will have answered a message sent now, as the household reads it. */
export function expectedWhen(ctx: BotContext): string {
  return whenText(ctx, expectedAnswerBy(ctx.deps.clock.now()));
}

function closeKeyboard(ctx: BotContext, caseId: number): InlineKeyboard {
  return new InlineKeyboard().text(ctx.t("operator:case.close_button"), `${CLOSE_CASE_PREFIX}${caseId}`);
}

// ─── Screens ────────────────────────────────────────────────────────────────

async function showMenu(ctx: BotContext): Promise<void> {
  const keyboard = new InlineKeyboard();
  for (const key of FAQ_KEYS) keyboard.text(ctx.t(`operator:faq.${key}.button`), `op:faq:${key}`).row();
  PERSON_TOPICS.forEach((topic, i) => {
    keyboard.text(ctx.t("operator:topic.button", { topic: topicLabel(ctx, topic) }), `op:topic:${topic}`);
    if (i % 2 === 1) keyboard.row();
  });
  await ctx.reply(ctx.t("operator:menu.title"), { reply_markup: keyboard });
}

async function showCase(ctx: BotContext, active: ActiveCase): Promise<void> {
  const opened = romeParts(active.openedAt);
  const lines = [
    ctx.t("operator:case.summary", {
      topic: topicLabel(ctx, active.topic),
      date: opened.date,
      count: active.messageCount,
    }),
    "",
  ];
  if (active.status === "waiting_household" && active.lastOperatorMessageAt) {
    const answered = romeParts(active.lastOperatorMessageAt);
    lines.push(ctx.t("operator:case.waiting", { date: answered.date, time: answered.time }));
  } else {
    lines.push(ctx.t("operator:case.open", { when: expectedWhen(ctx) }));
  }
  await ctx.reply(lines.join("\n"), { reply_markup: closeKeyboard(ctx, active.id) });
}

async function askForMessage(ctx: BotContext, topic: string): Promise<void> {
  startFlow(ctx, FLOW, STEP, { topic });
  await ctx.reply(ctx.t("operator:ask.write", { topic: topicLabel(ctx, topic) }), {
    reply_markup: withCancel(ctx),
  });
}

// ─── /operator ──────────────────────────────────────────────────────────────

/** /operator: the open case, or the FAQ and the topics to write to a person about. */
export async function showOperator(ctx: BotContext): Promise<unknown> {
  const household = ctx.member?.household;
  if (!household) return ctx.reply(ctx.t("link.needed"));
  const active = await findActiveCase(ctx.deps.db, household.id);
  if (active) return showCase(ctx, active);
  return showMenu(ctx);
}

privateChats.command("operator", showOperator);

// ─── Buttons ────────────────────────────────────────────────────────────────

/** Removes the buttons of the message pressed (it may be gone or already bare: that is fine). */
const dropButtons = (ctx: BotContext) => ctx.editMessageReplyMarkup().catch(() => undefined);

operatorFeature.callbackQuery(/^op:/, async (ctx) => {
  const [, action = "", arg = ""] = ctx.callbackQuery.data.split(":");
  const member = ctx.member;
  const household = member?.household;
  if (!member || !household) return ctx.answerCallbackQuery({ text: ctx.t("operator:link_needed") });
  const { db, clock } = ctx.deps;
  const caseId = /^\d{1,9}$/.test(arg) ? Number(arg) : null;

  switch (action) {
    case "menu": {
      await ctx.answerCallbackQuery();
      const active = await findActiveCase(db, household.id);
      return active ? showCase(ctx, active) : showMenu(ctx);
    }
    case "faq": {
      if (!isFaqKey(arg)) break;
      await ctx.answerCallbackQuery();
      const keyboard = new InlineKeyboard()
        .text(ctx.t("operator:faq.escalate_button"), `op:esc:${arg}`)
        .row()
        .text(ctx.t("operator:faq.more_button"), "op:menu");
      await ctx.reply(ctx.t(`operator:faq.${arg}.answer`, faqValues(arg)), { reply_markup: keyboard });
      // "How do I pay? I lost the notice": the installment's own notice, when the authority gave one.
      if (arg === "payment") await offerNotice(ctx);
      return;
    }
    case "esc":
    case "topic": {
      if (action === "esc" ? !isFaqKey(arg) : !isPersonTopic(arg)) break;
      const active = await findActiveCase(db, household.id);
      if (active) {
        await ctx.answerCallbackQuery({ text: ctx.t("operator:case.already_open") });
        return showCase(ctx, active);
      }
      await ctx.answerCallbackQuery();
      return askForMessage(ctx, arg);
    }
    case "close": {
      if (caseId === null) break;
      const found = await db.case.findFirst({
        where: { id: caseId, householdId: household.id },
        select: { status: true },
      });
      if (!found) break;
      if (found.status === "closed") {
        await ctx.answerCallbackQuery({ text: ctx.t("operator:close.already") });
        return dropButtons(ctx);
      }
      await ctx.answerCallbackQuery();
      const keyboard = new InlineKeyboard()
        .text(ctx.t("operator:close.yes"), `op:closeok:${caseId}`)
        .row()
        .text(ctx.t("operator:close.no"), `op:keep:${caseId}`);
      return ctx.reply(ctx.t("operator:close.confirm", { menu: ctx.t("menu.operator") }), {
        reply_markup: keyboard,
      });
    }
    case "closeok": {
      if (caseId === null) break;
      const result = await closeCaseByHousehold(db, clock, {
        caseId,
        householdId: household.id,
        memberId: member.id,
      });
      if (result === "not_found") break;
      if (result === "already_closed") {
        await ctx.answerCallbackQuery({ text: ctx.t("operator:close.already") });
        return dropButtons(ctx);
      }
      ctx.logger.info({ caseId }, "case closed by household");
      await ctx.answerCallbackQuery();
      await dropButtons(ctx);
      await ctx.reply(ctx.t("operator:close.done", { menu: ctx.t("menu.operator") }), {
        reply_markup: mainMenu(ctx.t),
      });
      // How did it go (issue 12): asked once per case, here of the member who closed it.
      const ask = await recordSatisfactionAsked(db, clock, {
        caseId,
        householdId: household.id,
        memberId: member.id,
      });
      if (!ask) return;
      return ctx.reply(satisfactionQuestion(ctx.language), { reply_markup: satisfactionMarkup(caseId) });
    }
    case "keep": {
      if (caseId === null) break;
      await ctx.answerCallbackQuery({ text: ctx.t("operator:close.kept") });
      return dropButtons(ctx);
    }
  }
  return ctx.answerCallbackQuery({ text: ctx.t("operator:old_button") });
});

// ─── The message that opens a case ──────────────────────────────────────────

privateChats.on("message:text").filter(answering(FLOW, STEP), async (ctx) => {
  const member = ctx.member;
  const household = member?.household;
  if (!member || !household) {
    endFlow(ctx);
    return ctx.reply(ctx.t("link.needed"));
  }
  const text = ctx.message.text;
  if (text.trim() === "") return ctx.reply(ctx.t("operator:ask.empty"), { reply_markup: withCancel(ctx) });
  const topic = flowOf(ctx, FLOW)?.data.topic;
  const result = await postHouseholdMessage(ctx.deps.db, ctx.deps.clock, {
    householdId: household.id,
    memberId: member.id,
    text,
    sourceUpdateId: ctx.update.update_id,
    topic: typeof topic === "string" && isCaseTopic(topic) ? topic : "other",
  });
  endFlow(ctx);
  if (result.status === "opened") {
    ctx.logger.info({ caseId: result.caseId }, "case opened");
    const { db, deliveryQueue, operatorsChatId } = ctx.deps;
    await postOpenedCase({ db, deliveryQueue, operatorsChatId }, result.caseId);
    return ctx.reply(ctx.t("operator:opened", { when: expectedWhen(ctx) }), {
      reply_markup: closeKeyboard(ctx, result.caseId),
    });
  }
  // Another member of the household opened one meanwhile: the message went into it.
  if (result.status === "added") {
    return ctx.reply(ctx.t("operator:ack", { when: expectedWhen(ctx) }), {
      reply_markup: closeKeyboard(ctx, result.caseId),
    });
  }
  return undefined;
});

privateChats.on("message").filter(
  (ctx) => ctx.message.text === undefined && flowOf(ctx, FLOW, STEP) !== undefined,
  (ctx) => ctx.reply(ctx.t("operator:ask.words_only"), { reply_markup: withCancel(ctx) }),
);

// ─── While a case is open: the household's messages go into it ──────────────

privateChats.on("message:text", async (ctx, next) => {
  const member = ctx.member;
  const household = member?.household;
  const text = ctx.message.text;
  if (!member || !household || text.startsWith("/")) return next();
  const result = await postHouseholdMessage(ctx.deps.db, ctx.deps.clock, {
    householdId: household.id,
    memberId: member.id,
    text,
    sourceUpdateId: ctx.update.update_id,
  });
  if (result.status === "no_case") return next();
  if (result.status === "added" && result.acknowledge) {
    await ctx.reply(ctx.t("operator:ack", { when: expectedWhen(ctx) }), {
      reply_markup: closeKeyboard(ctx, result.caseId),
    });
  }
  return undefined;
});

privateChats.on("message", async (ctx, next) => {
  const household = ctx.member?.household;
  if (ctx.message.text !== undefined || !household) return next();
  if (!(await findActiveCase(ctx.deps.db, household.id))) return next();
  return ctx.reply(ctx.t("operator:media"));
});

// Worry comes first among the free-text handlers: any text a household writes (to a person, into a
// case, or to no one in particular) is read by core/worry.ts, and each level is answered as a good
// case worker would:
// - money trouble: a calm, practical answer (the plan, how it can be changed, the help there is)
//   and an ordinary case for the case worker — never the emergency numbers;
// - the home at risk: concrete steps and the programme's contacts, and an urgent case;
// - danger: 112 first, then the helpline that fits (Telefono Amico Italia for thoughts of self-harm,
//   1522 for violence), an urgent case, the operators' group and the coordinators alerted.
// The message itself is kept in the case as usual. Runs just before the /operator composer.
//
// Phrases cannot foresee every way of saying that one wants to die or is being hurt. A message with a
// safety marker (core/worry.ts safetyMarkers: pills, a knife, bruises, "goodbye forever"…) and no
// danger the phrases already answer also gets "are you safe right now?" with three buttons: in danger
// (the danger answer, both helplines, an urgent case), not OK and wanting a person (a case), safe (a
// kind word and 112). The message waits in the session for the answer, so the case shows what was
// written; it still goes into an open case at once, as any message would.
import { Composer, InlineKeyboard } from "grammy";
import { type HouseholdMessageResult, postHouseholdMessage } from "../../core/cases.ts";
import { postOpenedCase } from "../../core/escalation/operators-group.ts";
import { recordUrgentWorry } from "../../core/escalation/worry-case.ts";
import { isCaseTopic } from "../../core/faq.ts";
import { detectWorry, needsSafetyCheck, type UrgentSignal } from "../../core/worry.ts";
import type { BotContext } from "../context.ts";
import { endFlow, flowOf, startFlow } from "../flows.ts";
import { expectedWhen } from "./operator.ts";

/** The /operator flow's name: a message written there keeps the topic the member chose. */
const OPERATOR_FLOW = "operator";

export const worryFeature = new Composer<BotContext>();

/** The topic the member chose in /operator, if they were writing to a person anyway. */
function chosenTopic(ctx: BotContext): string | undefined {
  const flow = flowOf(ctx, OPERATOR_FLOW);
  const topic = flow?.data.topic;
  if (flow) endFlow(ctx);
  return typeof topic === "string" && isCaseTopic(topic) ? topic : undefined;
}

/**
 * The member's message into the household's case, as /operator would put it: an active case takes it;
 * otherwise, with a topic, a case is opened and posted to the operators' group.
 */
async function toCase(
  ctx: BotContext,
  who: { householdId: number; memberId: number },
  text: string,
  topic: string | undefined,
): Promise<HouseholdMessageResult> {
  const { db, clock, deliveryQueue, operatorsChatId } = ctx.deps;
  const result = await postHouseholdMessage(db, clock, {
    ...who,
    text,
    sourceUpdateId: ctx.update.update_id,
    ...(topic === undefined ? {} : { topic }),
  });
  if (result.status === "opened") await postOpenedCase({ db, deliveryQueue, operatorsChatId }, result.caseId);
  return result;
}

async function answerMoneyTrouble(ctx: BotContext, text: string): Promise<unknown> {
  const lines = [ctx.t("escalation:worry.money.intro"), ctx.t("escalation:worry.money.steps")];
  const member = ctx.member;
  const household = member?.household;
  if (!member || !household) return ctx.reply([...lines, ctx.t("link.needed")].join("\n\n"));
  const who = { householdId: household.id, memberId: member.id };
  const result = await toCase(ctx, who, text, chosenTopic(ctx) ?? "debt");
  if (result.status === "opened") {
    ctx.logger.info({ caseId: result.caseId }, "worry: money trouble, case opened");
    return ctx.reply([...lines, ctx.t("operator:opened", { when: expectedWhen(ctx) })].join("\n\n"));
  }
  // A person is already on the household's case: the message went into it, as any other would.
  if (result.status === "added" && result.acknowledge) {
    return ctx.reply(ctx.t("operator:ack", { when: expectedWhen(ctx) }));
  }
  return undefined;
}

type UrgentWorry = { level: "housing" | "danger"; signals: UrgentSignal[] };

async function answerUrgent(ctx: BotContext, text: string, worry: UrgentWorry): Promise<unknown> {
  // "In danger" answered to the safety question says neither which: both helplines.
  const either = worry.signals.includes("safety_answer");
  const lines =
    worry.level === "danger"
      ? [
          ctx.t("escalation:worry.danger.call"),
          ...(either || worry.signals.includes("self_harm")
            ? [ctx.t("escalation:worry.danger.self_harm")]
            : []),
          ...(either || worry.signals.includes("violence")
            ? [ctx.t("escalation:worry.danger.violence")]
            : []),
        ]
      : [
          ctx.t("escalation:worry.housing.intro"),
          ctx.t("escalation:worry.housing.steps"),
          ctx.t("escalation:worry.housing.contacts"),
        ];
  const member = ctx.member;
  const household = member?.household;
  if (!member || !household) {
    // No household to open a case for: the answer still, and how to reach the programme.
    return ctx.reply([...lines, ctx.t("link.needed")].join("\n\n"));
  }
  const topic = chosenTopic(ctx);
  const { db, clock, deliveryQueue, operatorsChatId } = ctx.deps;
  const result = await recordUrgentWorry(
    { db, clock, deliveryQueue, operatorsChatId },
    {
      householdId: household.id,
      memberId: member.id,
      text,
      level: worry.level,
      signals: worry.signals,
      sourceUpdateId: ctx.update.update_id,
      ...(topic === undefined ? {} : { topic }),
    },
  );
  ctx.logger.warn({ caseId: result.caseId, opened: result.opened, level: worry.level }, "worry: urgent case");
  lines.push(ctx.t(`escalation:worry.${worry.level}.case`));
  return ctx.reply(lines.join("\n\n"));
}

// ─── "Are you safe right now?" ──────────────────────────────────────────────

const SAFETY_FLOW = "safety";
const SAFETY_CALLBACK = /^safety:(danger|talk|ok)$/;

/** Asks the question; `recorded`: the message is already in a case (so the answer does not repeat it). */
async function askSafety(ctx: BotContext, text: string, recorded: boolean): Promise<unknown> {
  startFlow(ctx, SAFETY_FLOW, "asked", { text, recorded });
  const keyboard = new InlineKeyboard()
    .text(ctx.t("escalation:worry.check.danger_button"), "safety:danger")
    .row()
    .text(ctx.t("escalation:worry.check.talk_button"), "safety:talk")
    .row()
    .text(ctx.t("escalation:worry.check.ok_button"), "safety:ok");
  return ctx.reply(ctx.t("escalation:worry.check.question"), { reply_markup: keyboard });
}

/** A message with only a safety marker: into an open case as any message (or the /operator topic), then the question. */
async function safetyOnly(ctx: BotContext, text: string): Promise<unknown> {
  const member = ctx.member;
  const household = member?.household;
  if (!member || !household) return askSafety(ctx, text, false);
  const who = { householdId: household.id, memberId: member.id };
  const result = await toCase(ctx, who, text, chosenTopic(ctx));
  return askSafety(ctx, text, result.status !== "no_case");
}

/** The case's text for a pressed answer: the button's words, after the message when no case has it. */
function pressedText(ctx: BotContext, buttonKey: string): string {
  const flow = flowOf(ctx, SAFETY_FLOW);
  if (flow) endFlow(ctx);
  const label = ctx.t(buttonKey);
  const text = flow?.data.text;
  return typeof text === "string" && flow?.data.recorded !== true ? `${text}\n\n${label}` : label;
}

async function answerSafety(ctx: BotContext, answer: string): Promise<unknown> {
  await ctx.answerCallbackQuery();
  await ctx.editMessageReplyMarkup().catch(() => undefined);
  if (answer === "ok") {
    if (flowOf(ctx, SAFETY_FLOW)) endFlow(ctx);
    return ctx.reply(ctx.t("escalation:worry.check.ok"));
  }
  if (answer === "danger") {
    const text = pressedText(ctx, "escalation:worry.check.danger_button");
    return answerUrgent(ctx, text, { level: "danger", signals: ["safety_answer"] });
  }
  const text = pressedText(ctx, "escalation:worry.check.talk_button");
  const member = ctx.member;
  const household = member?.household;
  if (!member || !household) return ctx.reply(ctx.t("escalation:worry.check.talk_unlinked"));
  const result = await toCase(ctx, { householdId: household.id, memberId: member.id }, text, "other");
  if (result.status === "opened") return ctx.reply(ctx.t("operator:opened", { when: expectedWhen(ctx) }));
  return ctx.reply(ctx.t("operator:ack", { when: expectedWhen(ctx) }));
}

worryFeature.chatType("private").on("message:text", async (ctx, next) => {
  const text = ctx.message.text;
  if (text.startsWith("/")) return next();
  const worry = detectWorry(text);
  const check = needsSafetyCheck(text, worry);
  if (worry === null) return check ? safetyOnly(ctx, text) : next();
  if (worry.level === "money") await answerMoneyTrouble(ctx, text);
  else await answerUrgent(ctx, text, { level: worry.level, signals: worry.signals });
  if (check)
    await askSafety(ctx, text, ctx.member?.household !== undefined && ctx.member?.household !== null);
});

worryFeature
  .chatType("private")
  .callbackQuery(SAFETY_CALLBACK, (ctx) => answerSafety(ctx, ctx.match[1] ?? "ok"));

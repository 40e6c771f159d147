// Worry comes first among the free-text handlers: any text a household writes (to a person, into a
// case, or to no one in particular) is read by core/worry.ts, and each level is answered as a good
// case worker would:
// - money trouble: a calm, practical answer (the plan, how it can be changed, the help there is)
//   and an ordinary case for the case worker — never the emergency numbers;
// - the home at risk: concrete steps and the programme's contacts, and an urgent case;
// - danger: 112 first, then the helpline that fits (Telefono Amico Italia for thoughts of self-harm,
//   1522 for violence), an urgent case, the operators' group and the coordinators alerted.
// The message itself is kept in the case as usual. Runs just before the /operator composer.
import { Composer } from "grammy";
import { postHouseholdMessage } from "../../core/cases.ts";
import { postCaseToGroup } from "../../core/escalation/operators-group.ts";
import { recordUrgentWorry } from "../../core/escalation/worry-case.ts";
import { isCaseTopic } from "../../core/faq.ts";
import { detectWorry, type Worry } from "../../core/worry.ts";
import type { BotContext } from "../context.ts";
import { endFlow, flowOf } from "../flows.ts";
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

async function answerMoneyTrouble(ctx: BotContext, text: string): Promise<unknown> {
  const lines = [ctx.t("escalation:worry.money.intro"), ctx.t("escalation:worry.money.steps")];
  const member = ctx.member;
  const household = member?.household;
  if (!member || !household) return ctx.reply([...lines, ctx.t("link.needed")].join("\n\n"));
  const { db, clock, deliveryQueue, operatorsChatId } = ctx.deps;
  const result = await postHouseholdMessage(db, clock, {
    householdId: household.id,
    memberId: member.id,
    text,
    sourceUpdateId: ctx.update.update_id,
    topic: chosenTopic(ctx) ?? "debt",
  });
  if (result.status === "opened") {
    ctx.logger.info({ caseId: result.caseId }, "worry: money trouble, case opened");
    await postCaseToGroup(
      { db, deliveryQueue, operatorsChatId },
      { caseId: result.caseId, kind: "opened", purpose: `ops:case:${result.caseId}:opened` },
    );
    return ctx.reply([...lines, ctx.t("operator:opened", { when: expectedWhen(ctx) })].join("\n\n"));
  }
  // A person is already on the household's case: the message went into it, as any other would.
  if (result.status === "added" && result.acknowledge) {
    return ctx.reply(ctx.t("operator:ack", { when: expectedWhen(ctx) }));
  }
  return undefined;
}

async function answerUrgent(
  ctx: BotContext,
  text: string,
  worry: Worry & { level: "housing" | "danger" },
): Promise<unknown> {
  const lines =
    worry.level === "danger"
      ? [
          ctx.t("escalation:worry.danger.call"),
          ...(worry.signals.includes("self_harm") ? [ctx.t("escalation:worry.danger.self_harm")] : []),
          ...(worry.signals.includes("violence") ? [ctx.t("escalation:worry.danger.violence")] : []),
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

worryFeature.chatType("private").on("message:text", async (ctx, next) => {
  const text = ctx.message.text;
  if (text.startsWith("/")) return next();
  const worry = detectWorry(text);
  if (worry === null) return next();
  if (worry.level === "money") return answerMoneyTrouble(ctx, text);
  return answerUrgent(ctx, text, { ...worry, level: worry.level });
});

// Distress comes first: any free text a household writes (to a person, into a case, or to no one in
// particular) is checked for signs of an eviction, cut utilities, "I can't pay", despair or
// self-harm. A match answers at once with a supportive message and the emergency numbers, and opens
// an urgent case (or makes the active one urgent) posted to the operators' group. The message is
// kept in the case as usual. Runs just before the /operator composer.
import { Composer } from "grammy";
import { detectDistress } from "../../core/distress.ts";
import { recordDistress } from "../../core/escalation/distress-case.ts";
import { isCaseTopic } from "../../core/faq.ts";
import type { BotContext } from "../context.ts";
import { endFlow, flowOf } from "../flows.ts";

/** The /operator flow's name: a distress message written there still gets the chosen topic. */
const OPERATOR_FLOW = "operator";

export const distressFeature = new Composer<BotContext>();

distressFeature.chatType("private").on("message:text", async (ctx, next) => {
  const text = ctx.message.text;
  if (text.startsWith("/")) return next();
  const categories = detectDistress(text);
  if (categories.length === 0) return next();

  const lines = [ctx.t("escalation:distress.support")];
  if (categories.includes("self_harm")) lines.push(ctx.t("escalation:distress.self_harm"));
  lines.push(ctx.t("escalation:distress.numbers"));

  const member = ctx.member;
  const household = member?.household;
  if (!member || !household) {
    // No household to open a case for: the numbers still, and how to reach the programme.
    lines.push(ctx.t("link.needed"));
    return ctx.reply(lines.join("\n\n"));
  }
  const flow = flowOf(ctx, OPERATOR_FLOW);
  const topic = flow?.data.topic;
  if (flow) endFlow(ctx);
  const { db, clock, deliveryQueue, operatorsChatId } = ctx.deps;
  const result = await recordDistress(
    { db, clock, deliveryQueue, operatorsChatId },
    {
      householdId: household.id,
      memberId: member.id,
      text,
      categories,
      sourceUpdateId: ctx.update.update_id,
      ...(typeof topic === "string" && isCaseTopic(topic) ? { topic } : {}),
    },
  );
  ctx.logger.warn({ caseId: result.caseId, opened: result.opened }, "distress: urgent case");
  lines.push(ctx.t("escalation:distress.case"));
  return ctx.reply(lines.join("\n\n"));
});

// How a closed case went (issue 12): the 1–5 buttons come under the "case closed" message staff's
// closing sends (core/cases.ts); then an optional comment, typed or skipped. Once per case.
//   sat:<caseId>:<score>   the score
//   sat:skip:<caseId>      no comment
import { Composer, InlineKeyboard } from "grammy";
import {
  MAX_SATISFACTION_COMMENT,
  recordComment,
  recordScore,
  type SatisfactionRefusal,
} from "../../core/checkup/satisfaction.ts";
import type { BotContext } from "../context.ts";
import { answering, endFlow, flowOf, startFlow } from "../flows.ts";

export const SATISFACTION_FLOW = "satisfaction";

export const satisfactionFeature = new Composer<BotContext>();

const s = (ctx: BotContext, key: string, options?: Record<string, unknown>) =>
  ctx.t(`checkup:satisfaction.${key}`, options);

async function refuse(ctx: BotContext, refusal: SatisfactionRefusal): Promise<void> {
  await ctx.answerCallbackQuery({ text: s(ctx, refusal) });
  if (refusal === "already") await ctx.editMessageReplyMarkup().catch(() => undefined);
}

satisfactionFeature.callbackQuery(/^sat:(\d{1,10}):(\d)$/, async (ctx) => {
  const member = ctx.member;
  if (!member?.consentAt) return ctx.answerCallbackQuery({ text: s(ctx, "not_yours") });
  const caseId = Number(ctx.match[1]);
  const score = Number(ctx.match[2]);
  const result = await recordScore(ctx.deps.db, ctx.deps.clock, { caseId, memberId: member.id, score });
  if (result.status === "refused") return refuse(ctx, result.refusal);
  ctx.logger.info({ caseId }, "satisfaction recorded");
  await ctx.answerCallbackQuery({ text: s(ctx, "thanks_score") });
  await ctx.editMessageReplyMarkup().catch(() => undefined);
  startFlow(ctx, SATISFACTION_FLOW, "comment", { caseId });
  const keyboard = new InlineKeyboard().text(s(ctx, "skip_button"), `sat:skip:${caseId}`);
  await ctx.reply(s(ctx, "ask_comment", { score }), { reply_markup: keyboard });
});

satisfactionFeature.callbackQuery(/^sat:skip:(\d{1,10})$/, async (ctx) => {
  const caseId = Number(ctx.match[1]);
  const flow = flowOf(ctx, SATISFACTION_FLOW, "comment");
  await ctx.editMessageReplyMarkup().catch(() => undefined);
  if (!flow || flow.data.caseId !== caseId) return ctx.answerCallbackQuery({ text: s(ctx, "already") });
  endFlow(ctx);
  await ctx.answerCallbackQuery();
  await ctx.reply(s(ctx, "thanks"));
});

satisfactionFeature.callbackQuery(/^sat:/, (ctx) => ctx.answerCallbackQuery({ text: s(ctx, "already") }));

satisfactionFeature.filter(answering(SATISFACTION_FLOW, "comment"), async (ctx) => {
  const member = ctx.member;
  const caseId = ctx.session.flow?.data.caseId;
  if (!member || typeof caseId !== "number") {
    endFlow(ctx);
    return ctx.reply(s(ctx, "already"));
  }
  const comment = ctx.message.text.trim();
  if (comment.length > MAX_SATISFACTION_COMMENT) {
    const keyboard = new InlineKeyboard().text(s(ctx, "skip_button"), `sat:skip:${caseId}`);
    return ctx.reply(s(ctx, "comment_too_long", { max: MAX_SATISFACTION_COMMENT }), {
      reply_markup: keyboard,
    });
  }
  endFlow(ctx);
  const result = await recordComment(ctx.deps.db, { caseId, memberId: member.id, comment });
  if (result.status === "refused") return ctx.reply(s(ctx, result.refusal));
  return ctx.reply(s(ctx, "thanks"));
});

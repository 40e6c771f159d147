// The operators' Telegram group (OPERATORS_CHAT_ID). Our posts about cases land there (through the
// delivery queue); an operator who replies to a post answers that household — through delivery,
// signed with their first name — and `/claim` in reply to a post assigns the case to them. Other
// messages in the group, and everything in other groups, are left alone without a word.
import { Composer } from "grammy";
import { assignCase, MAX_REPLY_LENGTH, replyToCase, staffSignature } from "../../core/cases.ts";
import { GROUP_LANGUAGE } from "../../core/escalation/operators-group.ts";
import { translator } from "../../core/i18n.ts";
import { escapeHtml } from "../../core/telegram-html.ts";
import type { BotContext } from "../context.ts";

const CLAIM = /^\/claim(?:@\w+)?(?:\s|$)/i;

export const operatorsGroupFeature = new Composer<BotContext>();

const inOperatorsGroup = (ctx: BotContext): boolean =>
  ctx.deps.operatorsChatId !== undefined &&
  ctx.chat !== undefined &&
  ctx.chat.type !== "private" &&
  BigInt(ctx.chat.id) === ctx.deps.operatorsChatId;

operatorsGroupFeature.on("message").filter(inOperatorsGroup, async (ctx) => {
  const replyTo = ctx.message.reply_to_message;
  if (!replyTo || replyTo.from?.id !== ctx.me.id) return;
  const { db, clock, deliveryQueue } = ctx.deps;
  const post = await db.outboundMessage.findFirst({
    where: {
      chatId: BigInt(ctx.chat.id),
      telegramMessageId: BigInt(replyTo.message_id),
      caseId: { not: null },
    },
    select: { caseId: true },
  });
  const caseId = post?.caseId;
  if (caseId === undefined || caseId === null) return;

  const t = translator(GROUP_LANGUAGE, "staff");
  const answer = (text: string) =>
    ctx.reply(text, {
      reply_parameters: { message_id: ctx.message.message_id, allow_sending_without_reply: true },
    });
  const from = ctx.from;
  const staff = await db.staff.findFirst({
    where: { telegramUserId: BigInt(from.id), active: true },
    select: { id: true, email: true, firstName: true },
  });
  const text = ctx.message.text;

  if (text !== undefined && CLAIM.test(text)) {
    const found = await db.case.findUnique({ where: { id: caseId }, select: { status: true } });
    if (!found) return;
    if (found.status === "closed") return answer(t("claim.closed", { id: caseId }));
    if (!staff) return answer(t("claim.unknown", { userId: from.id }));
    await assignCase(db, { caseId, staffId: staff.id });
    ctx.logger.info({ caseId, staffId: staff.id }, "case claimed in the operators' group");
    return answer(
      t("claim.done", { id: caseId, name: escapeHtml(staffSignature(staff.email, staff.firstName)) }),
    );
  }
  if (text === undefined) return answer(t("reply.text_only"));
  if (text.startsWith("/")) return;

  // Signed as the household knows them: the staff record's first name, else Telegram's.
  const signature = staff?.firstName?.trim() || from.first_name;
  const result = await replyToCase(
    { db, clock, deliveryQueue },
    { caseId, staffId: staff?.id ?? null, text, signature, telegramUserId: from.id },
  );
  switch (result.status) {
    case "not_found":
      return;
    case "closed":
      return answer(t("reply.closed", { id: caseId }));
    case "invalid":
      return answer(
        result.problem === "empty" ? t("reply.empty") : t("reply.too_long", { max: MAX_REPLY_LENGTH }),
      );
    case "sent":
      ctx.logger.info({ caseId, recipients: result.recipients }, "case answered from the operators' group");
      return answer(
        result.recipients > 0
          ? t("reply.sent", { id: caseId, name: escapeHtml(signature) })
          : t("reply.no_recipients", { id: caseId }),
      );
  }
});

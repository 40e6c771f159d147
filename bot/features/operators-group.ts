// The operators' Telegram group (OPERATORS_CHAT_ID). Our posts about cases land there (through the
// delivery queue); an operator who replies to a post answers that household — through delivery,
// signed as their staff record says — and `/claim` in reply to a post assigns the case to them. Only
// active staff linked by Telegram user id (staff:add --telegram-user-id) speak for the programme:
// anyone else in the group (a stranger added by mistake, a deactivated colleague) is refused in the
// group, whatever their Telegram name, and nothing reaches the household. Other messages in the
// group, and everything in other groups, are left alone without a word.
import { Composer } from "grammy";
import { audit } from "../../core/audit.ts";
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
  // By Telegram user id, which the account's owner cannot change (names and usernames they can).
  const staff = await db.staff.findUnique({
    where: { telegramUserId: BigInt(from.id) },
    select: { id: true, email: true, firstName: true, active: true, role: true, officeId: true },
  });
  // The group sees every office's posts; acting on a case stays with its household's office (admins: all).
  const household = await db.case.findUnique({
    where: { id: caseId },
    select: { household: { select: { officeId: true } } },
  });
  const otherOffice =
    staff?.active === true &&
    staff.role !== "admin" &&
    (staff.officeId === null || staff.officeId !== household?.household.officeId);
  if (!staff?.active || otherOffice) {
    const reason = !staff ? "unknown" : !staff.active ? "inactive" : "other_office";
    ctx.logger.warn({ caseId, staffId: staff?.id, reason }, "operators' group: reply from non-staff refused");
    await audit(db, {
      actorType: staff ? "staff" : "system",
      actorId: staff ? staff.id : `telegram:${from.id}`,
      action: "case.group_reply_refused",
      entityType: "case",
      entityId: caseId,
      details: { reason },
    });
    return answer(t(`refused.${reason}`, { userId: from.id, id: caseId }));
  }
  // Signed as the household knows the programme's staff: the record's first name, else its e-mail
  // name (as in the admin panel). Never the Telegram account's name, which anyone can set.
  const signature = staffSignature(staff.email, staff.firstName);
  const text = ctx.message.text;

  if (text !== undefined && CLAIM.test(text)) {
    const found = await db.case.findUnique({ where: { id: caseId }, select: { status: true } });
    if (!found) return;
    if (found.status === "closed") return answer(t("claim.closed", { id: caseId }));
    await assignCase(db, { caseId, staffId: staff.id });
    ctx.logger.info({ caseId, staffId: staff.id }, "case claimed in the operators' group");
    return answer(t("claim.done", { id: caseId, name: escapeHtml(signature) }));
  }
  if (text === undefined) return answer(t("reply.text_only"));
  if (text.startsWith("/")) return;

  const result = await replyToCase(
    { db, clock, deliveryQueue },
    { caseId, staffId: staff.id, text, signature },
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
      ctx.logger.info(
        { caseId, staffId: staff.id, recipients: result.recipients },
        "case answered from the operators' group",
      );
      return answer(
        result.recipients > 0
          ? t("reply.sent", { id: caseId, name: escapeHtml(signature) })
          : t("reply.no_recipients", { id: caseId }),
      );
  }
});

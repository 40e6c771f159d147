// Linking a Telegram account to a household with a one-time code, typed or as /start CODE. A member
// already linked who sends another household's code is asked first (Move / Stay): nothing changes,
// and the code stays unused, until they press Move.
import { Composer, InlineKeyboard } from "grammy";
import { translator } from "../../core/i18n.ts";
import { confirmMove, redeemLinkCode } from "../../core/linking.ts";
import { requestDelivery } from "../../core/queues/delivery.ts";
import { escapeHtml } from "../../core/telegram-html.ts";
import { formatRomeDateTime } from "../../core/time.ts";
import type { BotContext } from "../context.ts";
import { FLOW_TIMEOUT_MS } from "../flows.ts";
import { mainMenu } from "../menu.ts";

/**
 * Something shaped like a code ("ABCD-2345", "abcd 2345"): worth an attempt, and counted if wrong.
 * Codes always hold a digit, so words such as "ciao ciao" are not taken for one.
 */
export const CODE_LIKE = /^(?=.*\d)\s*[A-Za-z0-9]{4}[-\s]?[A-Za-z0-9]{4}\s*$/;

export const MOVE_CALLBACK = /^link:move:(\d+)$/;
export const STAY_CALLBACK = /^link:stay:(\d+)$/;
/** A question about moving left unanswered this long is no longer taken as answered by its button. */
export const MOVE_QUESTION_MS = FLOW_TIMEOUT_MS;

export async function linkWithCode(ctx: BotContext, typed: string): Promise<void> {
  const from = ctx.from;
  const chat = ctx.chat;
  if (!from || !chat) return;
  const { db, clock, deliveryQueue } = ctx.deps;
  const result = await redeemLinkCode(
    db,
    { telegramUserId: from.id, chatId: chat.id, firstName: from.first_name, language: ctx.language },
    typed,
    clock,
  );
  switch (result.status) {
    case "linked": {
      ctx.logger.info({ memberId: result.memberId, householdId: result.householdId }, "member linked");
      // The confirmation is a message the system starts (it may also reach the household's other
      // devices later), so it goes through the delivery queue like every other.
      const t = translator(ctx.language);
      await requestDelivery(
        { db, deliveryQueue },
        {
          purpose: `linked:${result.linkCodeId}`,
          memberId: result.memberId,
          text: t("link.done", { household: escapeHtml(result.householdName) }),
          parseMode: "HTML",
          // The main menu arrives with the confirmation: from here on, buttons rather than typing.
          replyMarkup: JSON.parse(JSON.stringify(mainMenu(t))),
        },
      );
      return;
    }
    case "already_linked":
      await ctx.reply(ctx.t("link.already", { household: escapeHtml(result.householdName) }));
      return;
    case "confirm_move": {
      ctx.session.pendingMove = { linkCodeId: result.linkCodeId, at: clock.now().getTime() };
      const keyboard = new InlineKeyboard()
        .text(ctx.t("link.move_button"), `link:move:${result.linkCodeId}`)
        .row()
        .text(ctx.t("link.stay_button"), `link:stay:${result.linkCodeId}`);
      await ctx.reply(
        ctx.t("link.move_confirm", {
          from: escapeHtml(result.fromHouseholdName),
          to: escapeHtml(result.toHouseholdName),
        }),
        { reply_markup: keyboard },
      );
      return;
    }
    case "invalid":
      ctx.logger.info({ attemptsLeft: result.attemptsLeft }, "wrong link code");
      await ctx.reply(
        result.attemptsLeft > 0
          ? ctx.t("link.invalid", { attemptsLeft: result.attemptsLeft })
          : ctx.t("link.invalid_last"),
      );
      return;
    case "locked":
      await ctx.reply(ctx.t("link.locked", { time: formatRomeDateTime(result.retryAt) }));
      return;
  }
}

/** Whether the pressed button answers this chat's own open question about that code. */
function takePendingMove(ctx: BotContext, linkCodeId: number): boolean {
  const pending = ctx.session.pendingMove;
  if (!pending || pending.linkCodeId !== linkCodeId) return false;
  delete ctx.session.pendingMove;
  return ctx.deps.clock.now().getTime() - pending.at <= MOVE_QUESTION_MS;
}

async function answerMove(ctx: BotContext, linkCodeId: number): Promise<void> {
  await ctx.answerCallbackQuery();
  // The question stays readable; its buttons go, whatever the answer.
  await ctx.editMessageReplyMarkup().catch(() => undefined);
  const from = ctx.from;
  const chat = ctx.chat;
  if (!from || !chat) return;
  if (!takePendingMove(ctx, linkCodeId)) {
    await ctx.reply(ctx.t("link.move_stale"));
    return;
  }
  const { db, clock, deliveryQueue } = ctx.deps;
  const result = await confirmMove(
    db,
    { telegramUserId: from.id, chatId: chat.id, firstName: from.first_name, language: ctx.language },
    linkCodeId,
    clock,
  );
  switch (result.status) {
    case "moved": {
      ctx.logger.info(
        {
          memberId: result.memberId,
          householdId: result.householdId,
          fromHouseholdId: result.fromHouseholdId,
        },
        "member moved to another household",
      );
      // A step in progress (an expense half typed) belonged to the old household.
      delete ctx.session.flow;
      const t = translator(ctx.language);
      await requestDelivery(
        { db, deliveryQueue },
        {
          purpose: `linked:${result.linkCodeId}`,
          memberId: result.memberId,
          text: t("link.moved", {
            from: escapeHtml(result.fromHouseholdName),
            to: escapeHtml(result.householdName),
          }),
          parseMode: "HTML",
          replyMarkup: JSON.parse(JSON.stringify(mainMenu(t))),
        },
      );
      return;
    }
    case "already_linked":
      await ctx.reply(ctx.t("link.already", { household: escapeHtml(result.householdName) }));
      return;
    case "expired":
      await ctx.reply(
        result.householdName === null
          ? ctx.t("link.move_expired_unlinked")
          : ctx.t("link.move_expired", { household: escapeHtml(result.householdName) }),
      );
      return;
  }
}

async function answerStay(ctx: BotContext, linkCodeId: number): Promise<void> {
  await ctx.answerCallbackQuery();
  await ctx.editMessageReplyMarkup().catch(() => undefined);
  if (ctx.session.pendingMove?.linkCodeId === linkCodeId) delete ctx.session.pendingMove;
  const household = ctx.member?.household;
  await ctx.reply(
    household ? ctx.t("link.stayed", { household: escapeHtml(household.name) }) : ctx.t("link.move_stale"),
  );
}

export const linkFeature = new Composer<BotContext>();

const privateChats = linkFeature.chatType("private");

privateChats.on("message:text").filter(
  (ctx) => CODE_LIKE.test(ctx.message.text) && !ctx.message.text.trim().startsWith("/"),
  (ctx) => linkWithCode(ctx, ctx.message.text),
);

privateChats.callbackQuery(MOVE_CALLBACK, (ctx) => answerMove(ctx, Number(ctx.match[1])));
privateChats.callbackQuery(STAY_CALLBACK, (ctx) => answerStay(ctx, Number(ctx.match[1])));

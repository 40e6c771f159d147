// Linking a Telegram account to a household with a one-time code, typed or as /start CODE.
import { Composer } from "grammy";
import { translator } from "../../core/i18n.ts";
import { redeemLinkCode } from "../../core/linking.ts";
import { requestDelivery } from "../../core/queues/delivery.ts";
import { escapeHtml } from "../../core/telegram-html.ts";
import { formatRomeDateTime } from "../../core/time.ts";
import type { BotContext } from "../context.ts";
import { mainMenu } from "../menu.ts";

/**
 * Something shaped like a code ("ABCD-2345", "abcd 2345"): worth an attempt, and counted if wrong.
 * Codes always hold a digit, so words such as "ciao ciao" are not taken for one.
 */
export const CODE_LIKE = /^(?=.*\d)\s*[A-Za-z0-9]{4}[-\s]?[A-Za-z0-9]{4}\s*$/;

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

export const linkFeature = new Composer<BotContext>();

linkFeature
  .chatType("private")
  .on("message:text")
  .filter(
    (ctx) => CODE_LIKE.test(ctx.message.text) && !ctx.message.text.trim().startsWith("/"),
    (ctx) => linkWithCode(ctx, ctx.message.text),
  );

// First contact: a short privacy notice, accepted with a button, before anything personal is stored.
// Until then only the session (language, a code sent early) exists; the Member record is created on
// acceptance.
import { Composer, InlineKeyboard, type Middleware } from "grammy";
import { escapeHtml } from "../../core/telegram-html.ts";
import type { BotContext } from "../context.ts";
import { CODE_LIKE, linkWithCode } from "./link.ts";

export const ACCEPT_CALLBACK = "consent:accept";

/** What someone who has not accepted may still do: read, choose a language, ask for help. */
const OPEN_COMMANDS = /^\/(start|language|help|privacy|cancel)(@\w+)?(\s|$)/;
const OPEN_CALLBACKS = /^(consent:|lang:)/;

function noticeKeyboard(ctx: BotContext): InlineKeyboard {
  return new InlineKeyboard()
    .text(ctx.t("consent.accept"), ACCEPT_CALLBACK)
    .row()
    .text(ctx.t("consent.language_button"), "lang:menu");
}

export async function showNotice(ctx: BotContext): Promise<void> {
  await ctx.reply(ctx.t("consent.notice"), { reply_markup: noticeKeyboard(ctx) });
}

export function hasConsented(ctx: BotContext): boolean {
  return Boolean(ctx.member?.consentAt);
}

/** Private chats only: without consent, everything but the open commands gets the notice. */
export const consentGate: Middleware<BotContext> = async (ctx, next) => {
  if (ctx.chat?.type !== "private" || hasConsented(ctx) || ctx.myChatMember) return next();
  const text = ctx.message?.text;
  if (text !== undefined && OPEN_COMMANDS.test(text)) return next();
  if (ctx.callbackQuery?.data && OPEN_CALLBACKS.test(ctx.callbackQuery.data)) return next();
  if (text !== undefined && CODE_LIKE.test(text)) ctx.session.pendingCode = text.trim();
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t("consent.required") });
  else await showNotice(ctx);
};

export const consentFeature = new Composer<BotContext>();

consentFeature.callbackQuery(ACCEPT_CALLBACK, async (ctx) => {
  const from = ctx.from;
  const now = ctx.deps.clock.now();
  ctx.member = await ctx.deps.db.member.upsert({
    where: { telegramUserId: BigInt(from.id) },
    create: {
      telegramUserId: BigInt(from.id),
      chatId: BigInt(ctx.chat?.id ?? from.id),
      language: ctx.language,
      consentAt: now,
    },
    update: { consentAt: now, language: ctx.language },
    include: { household: true },
  });
  delete ctx.session.language;
  await ctx.answerCallbackQuery();
  // The notice stays readable; only its buttons go.
  await ctx.editMessageReplyMarkup().catch(() => undefined);
  const code = ctx.session.pendingCode;
  delete ctx.session.pendingCode;
  if (code) return linkWithCode(ctx, code);
  const name = from.first_name ? ` ${escapeHtml(from.first_name)}` : "";
  if (ctx.member.household)
    return ctx.reply(ctx.t("start.linked", { name, household: escapeHtml(ctx.member.household.name) }));
  return ctx.reply(ctx.t("consent.accepted"));
});

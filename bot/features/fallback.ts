// Whatever no feature handled: a short, helpful answer, never silence, and never a dead end: text
// nobody understood gets the main actions as buttons, a person among them (bot/features/intents.ts).
import { Composer } from "grammy";
import type { BotContext } from "../context.ts";
import { mainActionsKeyboard } from "./intents.ts";

/** Longer texts are not something the assistant can act on. */
export const MAX_TEXT_LENGTH = 1000;

export const fallbackFeature = new Composer<BotContext>();

const privateChats = fallbackFeature.chatType("private");

privateChats.on("message:text", (ctx) => {
  const text = ctx.message.text;
  if (text.startsWith("/")) return ctx.reply(ctx.t("fallback.unknown_command"));
  if (text.length > MAX_TEXT_LENGTH) return ctx.reply(ctx.t("fallback.too_long"));
  return ctx.reply(ctx.member?.household ? ctx.t("intents:fallback") : ctx.t("link.needed"), {
    reply_markup: mainActionsKeyboard(ctx),
  });
});

privateChats.on("edited_message", (ctx) => ctx.reply(ctx.t("fallback.edited")));

privateChats.on("message", (ctx) => ctx.reply(ctx.t("fallback.media")));

fallbackFeature.on("callback_query", (ctx) =>
  ctx.answerCallbackQuery({ text: ctx.t("fallback.old_button") }),
);

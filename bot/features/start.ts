import { Composer } from "grammy";
import { escapeHtml } from "../../core/telegram-html.ts";
import type { BotContext } from "../context.ts";
import { mainMenu } from "../menu.ts";
import { hasConsented, showNotice } from "./consent.ts";
import { linkWithCode } from "./link.ts";

export const startFeature = new Composer<BotContext>();

startFeature.chatType("private").command("start", async (ctx) => {
  // Deep link: t.me/<bot>?start=CODE arrives as "/start CODE".
  const code = ctx.match.trim();
  if (!hasConsented(ctx)) {
    if (code) ctx.session.pendingCode = code;
    return showNotice(ctx);
  }
  if (code) return linkWithCode(ctx, code);
  const name = ctx.from.first_name ? ` ${escapeHtml(ctx.from.first_name)}` : "";
  const household = ctx.member?.household;
  if (household) {
    return ctx.reply(ctx.t("start.linked", { name, household: escapeHtml(household.name) }), {
      reply_markup: mainMenu(ctx.t),
    });
  }
  return ctx.reply(ctx.t("start.unlinked", { name }));
});

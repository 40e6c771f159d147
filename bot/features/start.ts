import { Composer } from "grammy";
import { escapeHtml } from "../../core/telegram-html.ts";
import type { BotContext } from "../context.ts";
import { linkWithCode } from "./link.ts";

export const startFeature = new Composer<BotContext>();

startFeature.chatType("private").command("start", async (ctx) => {
  // Deep link: t.me/<bot>?start=CODE arrives as "/start CODE".
  if (ctx.match.trim()) return linkWithCode(ctx, ctx.match);
  const name = ctx.from.first_name ? ` ${escapeHtml(ctx.from.first_name)}` : "";
  const household = ctx.member?.household;
  if (household) {
    await ctx.reply(ctx.t("start.linked", { name, household: escapeHtml(household.name) }));
  } else {
    await ctx.reply(ctx.t("start.unlinked", { name }));
  }
});

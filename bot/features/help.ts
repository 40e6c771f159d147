import { Composer } from "grammy";
import type { BotContext } from "../context.ts";

export const helpFeature = new Composer<BotContext>();

helpFeature
  .chatType("private")
  .command("help", (ctx) => ctx.reply(ctx.member?.household ? ctx.t("help.text") : ctx.t("help.unlinked")));

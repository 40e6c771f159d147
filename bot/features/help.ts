import { Composer } from "grammy";
import type { BotContext } from "../context.ts";
import { mainMenu } from "../menu.ts";

export const helpFeature = new Composer<BotContext>();

export const showHelp = (ctx: BotContext) =>
  ctx.member?.household
    ? ctx.reply(ctx.t("help.text"), { reply_markup: mainMenu(ctx.t) })
    : ctx.reply(ctx.t("help.unlinked"));

helpFeature.chatType("private").command("help", showHelp);

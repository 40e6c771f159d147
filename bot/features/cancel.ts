import { Composer } from "grammy";
import type { BotContext } from "../context.ts";

export const cancelFeature = new Composer<BotContext>();

// No multi-step flow exists yet, so there is never anything to cancel; flows will hook in here.
cancelFeature.chatType("private").command("cancel", (ctx) => ctx.reply(ctx.t("cancel.nothing")));

import { Composer } from "grammy";
import type { BotContext } from "../context.ts";
import { CANCEL_CALLBACK, endFlow } from "../flows.ts";
import { mainMenu } from "../menu.ts";

export const cancelFeature = new Composer<BotContext>();

async function cancel(ctx: BotContext): Promise<void> {
  if (!ctx.session.flow) {
    await ctx.reply(ctx.t("cancel.nothing"));
    return;
  }
  endFlow(ctx);
  await ctx.reply(ctx.t("cancel.done"), ctx.member?.household ? { reply_markup: mainMenu(ctx.t) } : {});
}

cancelFeature.chatType("private").command("cancel", cancel);

cancelFeature.callbackQuery(CANCEL_CALLBACK, async (ctx) => {
  await ctx.answerCallbackQuery();
  // The question's buttons go, so it cannot be answered after being cancelled.
  await ctx.editMessageReplyMarkup().catch(() => undefined);
  await cancel(ctx);
});

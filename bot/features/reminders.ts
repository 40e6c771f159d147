// Muting and unmuting reminders. The mute button travels on every non-essential reminder and the
// unmute one on the confirmation and in /privacy; both set a state rather than flip it, so an old or
// double-pressed button does the same thing again.
import { Composer, InlineKeyboard } from "grammy";
import { setRemindersMuted } from "../../core/reminders/preferences.ts";
import { REMINDER_CALLBACKS } from "../../core/reminders/texts.ts";
import type { BotContext } from "../context.ts";

export const remindersFeature = new Composer<BotContext>();

async function setMuted(ctx: BotContext, muted: boolean): Promise<void> {
  const member = ctx.member;
  if (!member?.consentAt) {
    await ctx.answerCallbackQuery({ text: ctx.t("fallback.old_button") });
    return;
  }
  const withdrawn = await setRemindersMuted(ctx.deps.db, member.id, muted);
  member.remindersMuted = muted;
  ctx.logger.info({ memberId: member.id, muted, withdrawn }, "reminders preference set");
  await ctx.answerCallbackQuery({ text: ctx.t(muted ? "reminders:muted_toast" : "reminders:unmuted_toast") });
  if (muted) {
    const keyboard = new InlineKeyboard().text(ctx.t("reminders:buttons.unmute"), REMINDER_CALLBACKS.unmute);
    await ctx.reply(ctx.t("reminders:muted"), { reply_markup: keyboard });
  } else {
    await ctx.reply(ctx.t("reminders:unmuted"));
  }
}

remindersFeature.callbackQuery(REMINDER_CALLBACKS.mute, (ctx) => setMuted(ctx, true));
remindersFeature.callbackQuery(REMINDER_CALLBACKS.unmute, (ctx) => setMuted(ctx, false));

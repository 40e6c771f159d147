import { Composer, InlineKeyboard } from "grammy";
import { SUPPORTED_LANGUAGES, translator } from "../../core/i18n.ts";
import type { BotContext } from "../context.ts";

export const languageFeature = new Composer<BotContext>();

function languageKeyboard(): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  SUPPORTED_LANGUAGES.forEach((language, i) => {
    keyboard.text(translator(language)("language.name"), `lang:${language}`);
    if (i % 2 === 1) keyboard.row();
  });
  return keyboard;
}

languageFeature
  .chatType("private")
  .command("language", (ctx) => ctx.reply(ctx.t("language.choose"), { reply_markup: languageKeyboard() }));

languageFeature.callbackQuery(/^lang:([a-z]{2,3})$/, async (ctx) => {
  const language = ctx.match[1] ?? "";
  if (!SUPPORTED_LANGUAGES.includes(language)) {
    return ctx.answerCallbackQuery({ text: ctx.t("language.unknown") });
  }
  const from = ctx.from;
  const chatId = ctx.chat?.id ?? from.id;
  // Only the id and the choice are kept for someone not yet linked: nothing personal.
  await ctx.deps.db.member.upsert({
    where: { telegramUserId: BigInt(from.id) },
    create: { telegramUserId: BigInt(from.id), chatId: BigInt(chatId), language },
    update: { language },
  });
  const t = translator(language);
  await ctx.answerCallbackQuery();
  await ctx.editMessageText(t("language.changed")).catch(async () => {
    // The message may be too old to edit or already show this text: say it in a new one.
    await ctx.reply(t("language.changed"));
  });
});

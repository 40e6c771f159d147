import { Composer, InlineKeyboard } from "grammy";
import { SUPPORTED_LANGUAGES, translator } from "../../core/i18n.ts";
import type { BotContext } from "../context.ts";
import { mainMenu } from "../menu.ts";

export const languageFeature = new Composer<BotContext>();

function languageKeyboard(): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  SUPPORTED_LANGUAGES.forEach((language, i) => {
    keyboard.text(translator(language)("language.name"), `lang:${language}`);
    if (i % 2 === 1) keyboard.row();
  });
  return keyboard;
}

export const showChoice = (ctx: BotContext) =>
  ctx.reply(ctx.t("language.choose"), { reply_markup: languageKeyboard() });

languageFeature.chatType("private").command("language", showChoice);
languageFeature.callbackQuery("lang:menu", async (ctx) => {
  await ctx.answerCallbackQuery();
  await showChoice(ctx);
});

languageFeature.callbackQuery(/^lang:([a-z]{2,3})$/, async (ctx) => {
  const language = ctx.match[1] ?? "";
  if (!SUPPORTED_LANGUAGES.includes(language)) {
    return ctx.answerCallbackQuery({ text: ctx.t("language.unknown") });
  }
  // Before the privacy notice is accepted nothing is stored about the person but the session.
  if (ctx.member) {
    ctx.member = await ctx.deps.db.member.update({
      where: { id: ctx.member.id },
      data: { language },
      include: { household: true },
    });
  } else {
    ctx.session.language = language;
  }
  ctx.language = language;
  ctx.t = translator(language);
  await ctx.answerCallbackQuery();
  await ctx.editMessageText(ctx.t("language.changed")).catch(() => undefined);
  // The menu's labels are in the old language: send it again in the new one.
  if (ctx.member?.household) await ctx.reply(ctx.t("flows.menu_hint"), { reply_markup: mainMenu(ctx.t) });
});

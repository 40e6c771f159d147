import type { Api } from "grammy";
import type { LanguageCode } from "grammy/types";
import { DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES, translator } from "../core/i18n.ts";

/** Commands shown in Telegram's menu, in the order people need them. */
export const MENU_COMMANDS = [
  "balance",
  "plan",
  "expense",
  "income",
  "summary",
  "courses",
  "documents",
  "operator",
  "language",
  "privacy",
  "help",
  "cancel",
  "start",
] as const;

/** Registers the command menu with descriptions in every language we speak (Italian by default). */
export async function registerCommands(api: Api): Promise<void> {
  for (const language of SUPPORTED_LANGUAGES) {
    const t = translator(language);
    const commands = MENU_COMMANDS.map((command) => ({ command, description: t(`commands.${command}`) }));
    await api.setMyCommands(
      commands,
      language === DEFAULT_LANGUAGE ? {} : { language_code: language as LanguageCode },
    );
  }
}

// The main menu: a persistent reply keyboard of localized buttons, each standing for a command.
import { Keyboard, type Middleware } from "grammy";
import { SUPPORTED_LANGUAGES, type Translate, translator } from "../core/i18n.ts";
import type { BotContext } from "./context.ts";

export const MENU_LAYOUT = [
  ["balance", "plan"],
  ["expense", "income"],
  ["summary", "courses"],
  ["documents", "operator"],
  ["language", "help"],
] as const;

export function mainMenu(t: Translate): Keyboard {
  const keyboard = new Keyboard();
  for (const row of MENU_LAYOUT) {
    for (const command of row) keyboard.text(t(`menu.${command}`));
    keyboard.row();
  }
  return keyboard.resized().persistent();
}

/** Button label (in any language we speak, since people change language) → command. */
const LABELS = new Map<string, string>(
  SUPPORTED_LANGUAGES.flatMap((language) => {
    const t = translator(language);
    return MENU_LAYOUT.flat().map((command) => [t(`menu.${command}`), command] as const);
  }),
);

/** The command a menu button's label (as it arrives, as text) stands for; undefined for other text. */
export function menuCommand(text: string): string | undefined {
  return LABELS.get(text.trim());
}

/**
 * A menu button arrives as its label's text. Rewriting it into the command it stands for lets each
 * feature handle one thing (its command) instead of matching labels in every language itself.
 */
export const menuButtonsAsCommands: Middleware<BotContext> = (ctx, next) => {
  const message = ctx.message;
  const command = message?.text ? menuCommand(message.text) : undefined;
  if (message && command) {
    message.text = `/${command}`;
    message.entities = [{ type: "bot_command", offset: 0, length: command.length + 1 }];
  }
  return next();
};

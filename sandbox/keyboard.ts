// reply_markup checks: inline keyboards (callback_data 1-64 bytes, valid URLs) and reply keyboards.

import { badRequest, TEXT } from "./errors.ts";
import type { InlineKeyboardButton, InlineKeyboardMarkup, ReplyMarkup } from "./types.ts";

const MAX_BUTTONS = 100;
const MAX_CALLBACK_DATA_BYTES = 64;

const BUTTON_ACTIONS = [
  "callback_data",
  "url",
  "web_app",
  "login_url",
  "switch_inline_query",
  "switch_inline_query_current_chat",
  "switch_inline_query_chosen_chat",
  "copy_text",
  "callback_game",
  "pay",
];

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

function isValidButtonUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (
      ["http:", "https:", "tg:"].includes(parsed.protocol) &&
      (parsed.protocol === "tg:" || parsed.host !== "")
    );
  } catch {
    return false;
  }
}

function checkInlineButton(button: unknown): InlineKeyboardButton {
  if (!isObject(button))
    throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
  if (typeof button.text !== "string")
    throw badRequest(`can't parse inline keyboard button: Can't find field "text"`);
  if (!BUTTON_ACTIONS.some((action) => button[action] !== undefined)) {
    throw badRequest("text buttons are unallowed in the inline keyboard");
  }
  const data = button.callback_data;
  if (data !== undefined) {
    if (typeof data !== "string") throw badRequest(TEXT.buttonDataInvalid);
    const bytes = Buffer.byteLength(data, "utf8");
    if (bytes < 1 || bytes > MAX_CALLBACK_DATA_BYTES) throw badRequest(TEXT.buttonDataInvalid);
  }
  if (button.url !== undefined && (typeof button.url !== "string" || !isValidButtonUrl(button.url))) {
    throw badRequest(TEXT.buttonUrlInvalid);
  }
  return button as InlineKeyboardButton;
}

function checkRows(rows: unknown, field: string, owner: string): unknown[][] {
  if (!Array.isArray(rows) || !rows.every((row) => Array.isArray(row))) {
    throw badRequest(`field "${field}" of the ${owner} should be an Array of Arrays`);
  }
  const count = rows.reduce((sum: number, row: unknown[]) => sum + row.length, 0);
  if (count > MAX_BUTTONS) throw badRequest("reply markup is too long");
  return rows as unknown[][];
}

function checkInlineKeyboard(rows: unknown): InlineKeyboardMarkup {
  const checked = checkRows(rows, "inline_keyboard", "InlineKeyboardMarkup");
  return { inline_keyboard: checked.map((row) => row.map(checkInlineButton)) };
}

/** Checks a reply_markup; `inlineOnly` for edits, which accept only inline keyboards. Returns a copy. */
export function checkReplyMarkup(value: unknown, inlineOnly = false): ReplyMarkup {
  if (!isObject(value)) throw badRequest("can't parse reply keyboard markup JSON object");
  if (value.inline_keyboard !== undefined) {
    return structuredClone({ ...value, ...checkInlineKeyboard(value.inline_keyboard) });
  }
  if (inlineOnly) throw badRequest("inline keyboard expected");
  if (value.keyboard !== undefined) {
    const rows = checkRows(value.keyboard, "keyboard", "ReplyKeyboardMarkup");
    for (const button of rows.flat()) {
      const text = isObject(button) ? button.text : button;
      if (typeof text !== "string" || text === "")
        throw badRequest("can't parse keyboard button: text is empty");
    }
    return structuredClone(value);
  }
  if (value.remove_keyboard === true || value.force_reply === true) return structuredClone(value);
  throw badRequest("can't parse reply keyboard markup JSON object");
}

/** The inline keyboard of a markup, which is all a Message object carries. */
export function inlineKeyboardOf(markup: ReplyMarkup | undefined): InlineKeyboardMarkup | undefined {
  return markup?.inline_keyboard ? { inline_keyboard: markup.inline_keyboard } : undefined;
}

// Message text and captions: parse mode, explicit entities and Telegram's length limits.

import { parseHtml } from "../core/telegram-html-parse.ts";
import { badRequest, TEXT } from "./errors.ts";
import type { MessageEntity } from "./types.ts";

export const MAX_TEXT_LENGTH = 4096;
export const MAX_CAPTION_LENGTH = 1024;

export interface FormattedText {
  text: string;
  entities?: MessageEntity[];
}

function checkEntities(value: unknown): MessageEntity[] {
  const ok =
    Array.isArray(value) &&
    value.every(
      (entity) =>
        entity !== null &&
        typeof entity === "object" &&
        typeof entity.type === "string" &&
        Number.isInteger(entity.offset) &&
        Number.isInteger(entity.length),
    );
  if (!ok) throw badRequest("can't parse entities JSON object");
  return value as MessageEntity[];
}

/**
 * Applies the parse mode (only HTML is checked; MarkdownV2 and Markdown are accepted and stored as sent).
 * Lengths are counted in UTF-16 code units after parsing, as entity offsets are.
 */
function format(raw: string, parseMode: string | undefined, entities: unknown): FormattedText {
  const mode = parseMode?.toLowerCase() ?? "";
  if (mode === "html") {
    const parsed = parseHtml(raw);
    if (!parsed.ok) throw badRequest(`can't parse entities: ${parsed.reason}`);
    return parsed.entities.length > 0
      ? { text: parsed.text, entities: parsed.entities }
      : { text: parsed.text };
  }
  if (mode !== "" && mode !== "markdownv2" && mode !== "markdown") throw badRequest("unsupported parse_mode");
  if (mode === "" && entities !== undefined) {
    const explicit = checkEntities(entities);
    return explicit.length > 0 ? { text: raw, entities: explicit } : { text: raw };
  }
  return { text: raw };
}

/** The text of a message: 400 when empty (also after parsing) or over 4096 characters. */
export function formatMessageText(
  raw: string | undefined,
  parseMode?: string,
  entities?: unknown,
): FormattedText {
  if (raw === undefined || raw.trim() === "") throw badRequest(TEXT.textEmpty);
  const formatted = format(raw, parseMode, entities);
  if (formatted.text.trim() === "") throw badRequest(TEXT.textEmpty);
  if (formatted.text.length > MAX_TEXT_LENGTH) throw badRequest(TEXT.textTooLong);
  return formatted;
}

/** A caption, or null when there is none: 400 when over 1024 characters. */
export function formatCaption(
  raw: string | undefined,
  parseMode?: string,
  entities?: unknown,
): FormattedText | null {
  if (raw === undefined || raw === "") return null;
  const formatted = format(raw, parseMode, entities);
  if (formatted.text.trim() === "") return null;
  if (formatted.text.length > MAX_CAPTION_LENGTH) throw badRequest(TEXT.captionTooLong);
  return formatted;
}

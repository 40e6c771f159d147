// Entities Telegram detects by itself in what users write: bot commands (/start, /help@bussola_bot).

import type { MessageEntity } from "./types.ts";

const COMMAND = /(?<![\p{L}\p{N}_/])\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\p{L}\p{N}_/@])/gu;

/** bot_command entities of a text, offsets and lengths in UTF-16 code units. */
export function detectEntities(text: string): MessageEntity[] {
  return [...text.matchAll(COMMAND)].map((match) => ({
    type: "bot_command",
    offset: match.index,
    length: match[0].length,
  }));
}

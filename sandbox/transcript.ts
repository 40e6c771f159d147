// Chat transcripts for tests, and waiting (long polling) for the bot's messages in a chat.

import type { ChatRecord, SandboxState, StoredMessage } from "./state.ts";
import type { Document, MessageEntity, MessageKind, PhotoSize, ReplyMarkup } from "./types.ts";

export interface TranscriptEntry {
  message_id: number;
  from: "user" | "bot";
  /** The user who wrote it (user messages only; useful in groups). */
  user_id?: number;
  /** Plain text, after HTML parsing (what the user reads). */
  text?: string;
  entities?: MessageEntity[];
  caption?: string;
  kind: MessageKind;
  reply_markup?: ReplyMarkup;
  document?: Document;
  /** A photo's sizes, largest last (the bot's own photos: one, the image as sent). */
  photo?: PhotoSize[];
  reply_to_message_id?: number;
  date: number;
  edited: boolean;
  deleted: boolean;
}

export function toTranscriptEntry(stored: StoredMessage): TranscriptEntry {
  const { message } = stored;
  const entry: TranscriptEntry = {
    message_id: message.message_id,
    from: stored.sender,
    kind: stored.kind,
    date: message.date,
    edited: stored.edited,
    deleted: stored.deleted,
  };
  if (stored.sender === "user" && message.from) entry.user_id = message.from.id;
  if (message.text !== undefined) entry.text = message.text;
  if (message.entities) entry.entities = structuredClone(message.entities);
  if (message.caption !== undefined) entry.caption = message.caption;
  if (stored.markup) entry.reply_markup = structuredClone(stored.markup);
  if (message.document) entry.document = { ...message.document };
  if (message.photo) entry.photo = message.photo.map((size) => ({ ...size }));
  if (message.reply_to_message) entry.reply_to_message_id = message.reply_to_message.message_id;
  return entry;
}

export function transcript(record: ChatRecord): TranscriptEntry[] {
  return [...record.messages.values()].map(toTranscriptEntry);
}

/** The bot's messages in a chat after a message id, oldest first. */
export function botMessagesAfter(record: ChatRecord, after: number): TranscriptEntry[] {
  const result: TranscriptEntry[] = [];
  for (const stored of record.messages.values()) {
    if (stored.sender === "bot" && stored.message.message_id > after) result.push(toTranscriptEntry(stored));
  }
  return result;
}

export interface WaitRequest {
  after: number;
  count: number;
  timeoutMs: number;
}

export class BotMessageWaiters {
  readonly #state: SandboxState;
  readonly #pending = new Set<() => void>();

  constructor(state: SandboxState) {
    this.#state = state;
  }

  /** Resolves as soon as the bot has sent `count` messages after `after`, or at the time-out with what there is. */
  wait(record: ChatRecord, request: WaitRequest, signal: AbortSignal): Promise<TranscriptEntry[]> {
    const ready = botMessagesAfter(record, request.after);
    if (ready.length >= request.count || request.timeoutMs <= 0 || signal.aborted)
      return Promise.resolve(ready);
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        unsubscribe();
        signal.removeEventListener("abort", finish);
        this.#pending.delete(finish);
        resolve(botMessagesAfter(record, request.after));
      };
      const timer = setTimeout(finish, request.timeoutMs);
      const unsubscribe = this.#state.onBotMessage((chatId) => {
        if (chatId !== record.chat.id) return;
        let count = 0;
        for (const stored of record.messages.values()) {
          if (stored.sender === "bot" && stored.message.message_id > request.after) count += 1;
        }
        if (count >= request.count) finish();
      });
      signal.addEventListener("abort", finish, { once: true });
      this.#pending.add(finish);
    });
  }

  /** Answers every pending wait with what there is. */
  close(): void {
    for (const finish of [...this.#pending]) finish();
  }
}

// Users, chats and their messages. Each chat keeps only its last messages (memory stays bounded
// during long benchmarks); message ids keep increasing per chat.

import { randomBytes } from "node:crypto";
import { ControlError } from "./errors.ts";
import type { Chat, ChatType, Message, MessageContent, MessageKind, ReplyMarkup, User } from "./types.ts";

export interface UserRecord {
  user: User;
  /** The user's private chat with the bot (id = user id). */
  chat: ChatRecord;
  blocked: boolean;
  /** Has written to the bot in private: only then may the bot write to them. */
  started: boolean;
}

export interface StoredMessage {
  /** The message as it is now (edits applied); clone before handing it out. */
  message: Message;
  sender: "user" | "bot";
  kind: MessageKind;
  /** The reply_markup as sent (a Message only carries inline keyboards). */
  markup?: ReplyMarkup;
  edited: boolean;
  deleted: boolean;
}

export interface ChatRecord {
  chat: Chat;
  messages: Map<number, StoredMessage>;
  nextMessageId: number;
  /** CallbackQuery.chat_instance for this chat. */
  chatInstance: string;
}

export interface NewUser {
  id?: number;
  first_name?: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export interface NewGroup {
  id?: number;
  title: string;
  type?: "group" | "supergroup";
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

const FIRST_USER_ID = 7_000_000_001;
const FIRST_GROUP_ID = 4_000_000_001;
const FIRST_SUPERGROUP_ID = 1_001_000_000_001;

export class SandboxState {
  readonly bot: User;
  readonly #users = new Map<number, UserRecord>();
  readonly #chats = new Map<number, ChatRecord>();
  readonly #maxMessagesPerChat: number;
  readonly #botMessageListeners = new Set<(chatId: number) => void>();
  #nextUserId = FIRST_USER_ID;
  #nextGroupNumber = 0;

  constructor(bot: User, maxMessagesPerChat = 1000) {
    this.bot = bot;
    this.#maxMessagesPerChat = maxMessagesPerChat;
  }

  /** Creates a user, or updates the given fields of an existing one. */
  upsertUser(input: NewUser): User {
    if (
      input.id !== undefined &&
      (!Number.isSafeInteger(input.id) || input.id <= 0 || input.id === this.bot.id)
    ) {
      throw new ControlError(400, "id must be a positive integer other than the bot's");
    }
    const existing = input.id === undefined ? undefined : this.#users.get(input.id);
    if (existing) {
      const user = existing.user;
      if (input.first_name !== undefined) user.first_name = input.first_name;
      if (input.last_name !== undefined) user.last_name = input.last_name;
      if (input.username !== undefined) user.username = input.username;
      if (input.language_code !== undefined) user.language_code = input.language_code;
      existing.chat.chat = privateChatOf(user);
      return { ...user };
    }
    let id = input.id;
    if (id === undefined) {
      while (this.#chats.has(this.#nextUserId)) this.#nextUserId += 1;
      id = this.#nextUserId;
      this.#nextUserId += 1;
    }
    const user: User = { id, is_bot: false, first_name: input.first_name ?? `User ${id}` };
    if (input.last_name !== undefined) user.last_name = input.last_name;
    if (input.username !== undefined) user.username = input.username;
    if (input.language_code !== undefined) user.language_code = input.language_code;
    const chat = this.#addChat(privateChatOf(user));
    this.#users.set(id, { user, chat, blocked: false, started: false });
    return { ...user };
  }

  /** Creates a group (or renames an existing one). */
  upsertGroup(input: NewGroup): Chat {
    const type: ChatType = input.type ?? "group";
    if (input.id !== undefined && (!Number.isSafeInteger(input.id) || input.id >= 0)) {
      throw new ControlError(400, "a group id must be a negative integer");
    }
    const existing = input.id === undefined ? undefined : this.#chats.get(input.id);
    if (existing) {
      existing.chat.title = input.title;
      return { ...existing.chat };
    }
    let id = input.id;
    while (id === undefined || this.#chats.has(id)) {
      this.#nextGroupNumber += 1;
      id = -((type === "supergroup" ? FIRST_SUPERGROUP_ID : FIRST_GROUP_ID) + this.#nextGroupNumber - 1);
    }
    return { ...this.#addChat({ id, type, title: input.title }).chat };
  }

  #addChat(chat: Chat): ChatRecord {
    const record: ChatRecord = {
      chat,
      messages: new Map(),
      nextMessageId: 1,
      chatInstance: randomBytes(8).readBigInt64BE().toString(),
    };
    this.#chats.set(chat.id, record);
    return record;
  }

  user(id: number): UserRecord | undefined {
    return this.#users.get(id);
  }

  chat(id: number): ChatRecord | undefined {
    return this.#chats.get(id);
  }

  message(chatId: number, messageId: number): StoredMessage | undefined {
    return this.#chats.get(chatId)?.messages.get(messageId);
  }

  /** Adds a message to a chat with the next message id; the oldest messages beyond the bound are dropped. */
  addMessage(
    record: ChatRecord,
    sender: "user" | "bot",
    kind: MessageKind,
    content: MessageContent,
    markup?: ReplyMarkup,
  ): StoredMessage {
    const messageId = record.nextMessageId;
    record.nextMessageId += 1;
    const message: Message = {
      message_id: messageId,
      ...(content.from ? { from: content.from } : {}),
      chat: { ...record.chat },
      date: nowSeconds(),
      ...content,
    };
    const stored: StoredMessage = { message, sender, kind, edited: false, deleted: false };
    if (markup !== undefined) stored.markup = markup;
    record.messages.set(messageId, stored);
    while (record.messages.size > this.#maxMessagesPerChat) {
      const oldest = record.messages.keys().next();
      if (oldest.done) break;
      record.messages.delete(oldest.value);
    }
    if (sender === "bot") {
      for (const listener of this.#botMessageListeners) listener(record.chat.id);
    }
    return stored;
  }

  /** Called with the chat id each time the bot sends a message. */
  onBotMessage(listener: (chatId: number) => void): () => void {
    this.#botMessageListeners.add(listener);
    return () => this.#botMessageListeners.delete(listener);
  }
}

function privateChatOf(user: User): Chat {
  const chat: Chat = { id: user.id, type: "private", first_name: user.first_name };
  if (user.last_name !== undefined) chat.last_name = user.last_name;
  if (user.username !== undefined) chat.username = user.username;
  return chat;
}

/** A message as handed out (in results and updates): a deep copy, so later edits do not change it. */
export function snapshot(message: Message): Message {
  return structuredClone(message);
}

/** A message as a reply_to_message: a copy without its own reply_to_message, as Telegram does. */
export function asRepliedMessage(message: Message): Message {
  const copy = snapshot(message);
  delete copy.reply_to_message;
  return copy;
}

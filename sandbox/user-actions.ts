// What users do (through the control API): write, edit, press inline buttons, block the bot.
// Each action that makes an update returns its update_id.

import { randomBytes } from "node:crypto";
import type { SandboxContext } from "./context.ts";
import { ControlError } from "./errors.ts";
import { asRepliedMessage, type ChatRecord, nowSeconds, snapshot, type UserRecord } from "./state.ts";
import type { CallbackQuery, MessageContent, MessageKind } from "./types.ts";
import { type MediaOptions, mediaContent, textContent } from "./user-content.ts";

export interface SendInput extends MediaOptions {
  text?: string;
  kind?: MessageKind;
  chat_id?: number;
  reply_to_message_id?: number;
}

function userRecord(ctx: SandboxContext, userId: number): UserRecord {
  const record = ctx.state.user(userId);
  if (!record) throw new ControlError(404, `no user ${userId}`);
  return record;
}

/** The chat the user acts in: their private chat, or a group given by chat_id. */
function chatOf(ctx: SandboxContext, user: UserRecord, chatId: number | undefined): ChatRecord {
  if (chatId === undefined || chatId === user.user.id) return user.chat;
  const record = ctx.state.chat(chatId);
  if (!record) throw new ControlError(404, `no chat ${chatId}`);
  if (record.chat.type === "private")
    throw new ControlError(400, "chat_id must be a group or the user's own id");
  return record;
}

export function userSend(
  ctx: SandboxContext,
  userId: number,
  input: SendInput,
): { update_id: number; message_id: number } {
  const user = userRecord(ctx, userId);
  const record = chatOf(ctx, user, input.chat_id);
  const isPrivate = record === user.chat;
  if (isPrivate && user.blocked) throw new ControlError(409, "the user has blocked the bot: unblock first");

  const kind = input.kind ?? "text";
  const body =
    kind === "text" ? textContent(input.text ?? "") : mediaContent(kind, user.user, input, ctx.files);
  const content: MessageContent = { from: { ...user.user }, ...body };
  if (input.reply_to_message_id !== undefined) {
    const target = record.messages.get(input.reply_to_message_id);
    if (!target || target.deleted)
      throw new ControlError(400, `no message ${input.reply_to_message_id} in the chat`);
    content.reply_to_message = asRepliedMessage(target.message);
  }
  if (isPrivate) user.started = true;
  const stored = ctx.state.addMessage(record, "user", kind, content);
  const updateId = ctx.updates.push({ message: snapshot(stored.message) });
  return { update_id: updateId, message_id: stored.message.message_id };
}

export function userEdit(
  ctx: SandboxContext,
  userId: number,
  input: { message_id: number; text: string; chat_id?: number },
): { update_id: number } {
  const user = userRecord(ctx, userId);
  const record = chatOf(ctx, user, input.chat_id);
  const stored = record.messages.get(input.message_id);
  if (!stored || stored.deleted || stored.sender !== "user" || stored.message.from?.id !== userId) {
    throw new ControlError(404, `no message ${input.message_id} of this user in the chat`);
  }
  if (stored.kind !== "text") throw new ControlError(400, "only text messages can be edited here");
  const { text, entities } = textContent(input.text);
  const message = stored.message;
  message.text = text;
  if (entities) message.entities = entities;
  else delete message.entities;
  message.edit_date = nowSeconds();
  stored.edited = true;
  return { update_id: ctx.updates.push({ edited_message: snapshot(message) }) };
}

export function userPress(
  ctx: SandboxContext,
  userId: number,
  input: { message_id: number; data: string; chat_id?: number },
): { update_id: number; callback_query_id: string } {
  const user = userRecord(ctx, userId);
  const record = chatOf(ctx, user, input.chat_id);
  const stored = record.messages.get(input.message_id);
  if (!stored || stored.deleted || stored.sender !== "bot") {
    throw new ControlError(400, `no bot message ${input.message_id} in the chat`);
  }
  const buttons = stored.message.reply_markup?.inline_keyboard.flat() ?? [];
  if (!buttons.some((button) => button.callback_data === input.data)) {
    throw new ControlError(
      400,
      `message ${input.message_id} has no button with callback_data "${input.data}"`,
    );
  }
  const query: CallbackQuery = {
    id: randomBytes(8).readBigUInt64BE().toString(),
    from: { ...user.user },
    message: snapshot(stored.message),
    chat_instance: record.chatInstance,
    data: input.data,
  };
  ctx.callbacks.add(query);
  const updateId = ctx.updates.push({ callback_query: structuredClone(query) });
  return { update_id: updateId, callback_query_id: query.id };
}

/** Blocks or unblocks the bot; Telegram tells the bot with a my_chat_member update (null: nothing changed). */
export function userSetBlocked(
  ctx: SandboxContext,
  userId: number,
  blocked: boolean,
): { update_id: number | null } {
  const user = userRecord(ctx, userId);
  if (user.blocked === blocked) return { update_id: null };
  user.blocked = blocked;
  const bot = { ...ctx.state.bot };
  const member = { user: bot, status: "member" as const };
  const kicked = { user: bot, status: "kicked" as const, until_date: 0 };
  const updateId = ctx.updates.push({
    my_chat_member: {
      chat: { ...user.chat.chat },
      from: { ...user.user },
      date: nowSeconds(),
      old_chat_member: blocked ? member : kicked,
      new_chat_member: blocked ? kicked : member,
    },
  });
  return { update_id: updateId };
}

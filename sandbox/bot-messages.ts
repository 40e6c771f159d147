// The Bot API methods that send, edit and delete messages.

import { basename } from "node:path";
import type { SandboxContext } from "./context.ts";
import { badRequest, forbidden, TEXT, tooManyRequests } from "./errors.ts";
import { guessMimeType, type StoredFile } from "./files.ts";
import { type FormattedText, formatCaption, formatMessageText } from "./formatting.ts";
import { checkReplyMarkup, inlineKeyboardOf } from "./keyboard.ts";
import type { UploadedFile } from "./multipart.ts";
import type { Params } from "./params.ts";
import { checkPhoto, type PhotoImage, photoParam } from "./photos.ts";
import { asRepliedMessage, type ChatRecord, nowSeconds, type StoredMessage, snapshot } from "./state.ts";
import type { Message, MessageContent, MessageKind, ReplyMarkup } from "./types.ts";

const CHAT_ACTIONS = new Set([
  "typing",
  "upload_photo",
  "record_video",
  "upload_video",
  "record_voice",
  "upload_voice",
  "upload_document",
  "choose_sticker",
  "find_location",
  "record_video_note",
  "upload_video_note",
]);

const URL_FETCH_TIMEOUT_MS = 5000;

/** The chat named by a parameter: 400 when missing or unknown ("@username" chats do not exist here). */
export function resolveChat(ctx: SandboxContext, params: Params, name = "chat_id"): ChatRecord {
  const raw = params.string(name);
  if (raw === undefined || raw === "") throw badRequest(TEXT.chatIdEmpty);
  const id = /^\s*-?\d{1,16}\s*$/.test(raw) ? Number.parseInt(raw, 10) : Number.NaN;
  const record = Number.isSafeInteger(id) ? ctx.state.chat(id) : undefined;
  if (!record) throw badRequest(TEXT.chatNotFound);
  return record;
}

/** 403 when the bot may not write in the chat: the user blocked it, or never wrote to it. */
export function checkCanWrite(ctx: SandboxContext, record: ChatRecord): void {
  if (record.chat.type !== "private") return;
  const user = ctx.state.user(record.chat.id);
  if (user?.blocked) throw forbidden(TEXT.blocked);
  if (!user?.started) throw forbidden(TEXT.cantInitiate);
}

function checkRateLimit(ctx: SandboxContext, record: ChatRecord): void {
  const verdict = ctx.limiter.tryTake(record.chat.id, record.chat.type === "private");
  ctx.counters.sendingCall(Date.now(), verdict.allowed);
  if (!verdict.allowed) throw tooManyRequests(verdict.retryAfter);
}

function markupParam(params: Params, inlineOnly = false): ReplyMarkup | undefined {
  return params.has("reply_markup") ? checkReplyMarkup(params.json("reply_markup"), inlineOnly) : undefined;
}

function messageIdParam(params: Params): number {
  const id = params.integer("message_id");
  if (id === undefined) throw badRequest("message identifier is not specified");
  return id;
}

/** The message replied to (reply_parameters or the older reply_to_message_id), if any. */
function replyTarget(ctx: SandboxContext, record: ChatRecord, params: Params): Message | undefined {
  let messageId = params.integer("reply_to_message_id");
  let chatId = record.chat.id;
  let allowWithout = params.boolean("allow_sending_without_reply") ?? false;
  const parameters = params.json("reply_parameters");
  if (parameters !== undefined) {
    if (parameters === null || typeof parameters !== "object")
      throw badRequest("can't parse reply parameters");
    const { message_id, chat_id, allow_sending_without_reply } = parameters as Record<string, unknown>;
    if (typeof message_id !== "number") throw badRequest("can't parse reply parameters");
    messageId = message_id;
    if (typeof chat_id === "number") chatId = chat_id;
    if (allow_sending_without_reply === true) allowWithout = true;
  }
  if (messageId === undefined) return undefined;
  const target = ctx.state.message(chatId, messageId);
  if (target && !target.deleted) return asRepliedMessage(target.message);
  if (allowWithout) return undefined;
  throw badRequest(TEXT.replyNotFound);
}

/** Stores a bot message, counts it and returns it as the Bot API answers it. */
function deliver(
  ctx: SandboxContext,
  record: ChatRecord,
  kind: MessageKind,
  content: MessageContent,
  markup: ReplyMarkup | undefined,
): Message {
  const inline = inlineKeyboardOf(markup);
  const full: MessageContent = { from: { ...ctx.state.bot }, ...content };
  if (inline) full.reply_markup = inline;
  const stored = ctx.state.addMessage(record, "bot", kind, full, markup);
  ctx.counters.messageSent();
  return snapshot(stored.message);
}

function withText(content: MessageContent, formatted: FormattedText): MessageContent {
  content.text = formatted.text;
  if (formatted.entities) content.entities = formatted.entities;
  return content;
}

function withCaption(content: MessageContent, formatted: FormattedText | null): MessageContent {
  if (formatted) {
    content.caption = formatted.text;
    if (formatted.entities) content.caption_entities = formatted.entities;
  }
  return content;
}

export function sendMessage(ctx: SandboxContext, params: Params): Message {
  const record = resolveChat(ctx, params);
  const formatted = formatMessageText(
    params.string("text"),
    params.string("parse_mode"),
    params.json("entities"),
  );
  const markup = markupParam(params);
  const reply = replyTarget(ctx, record, params);
  checkCanWrite(ctx, record);
  checkRateLimit(ctx, record);
  const content = withText({}, formatted);
  if (reply) content.reply_to_message = reply;
  return deliver(ctx, record, "text", content, markup);
}

interface DocumentSource {
  data: Buffer;
  fileName?: string;
  mimeType: string;
}

async function fetchUrl(url: string): Promise<DocumentSource> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(URL_FETCH_TIMEOUT_MS) });
    if (!response.ok) throw new Error(String(response.status));
    const data = Buffer.from(await response.arrayBuffer());
    const fileName = basename(new URL(url).pathname) || "file";
    return {
      data,
      fileName,
      mimeType: guessMimeType(fileName, response.headers.get("content-type") ?? undefined),
    };
  } catch {
    throw badRequest("failed to get HTTP URL content");
  }
}

function fromUpload(upload: UploadedFile): DocumentSource {
  if (upload.data.length === 0) throw badRequest("file must be non-empty");
  const source: DocumentSource = {
    data: upload.data,
    mimeType: guessMimeType(upload.filename, upload.contentType),
  };
  if (upload.filename) source.fileName = upload.filename;
  return source;
}

export async function sendDocument(ctx: SandboxContext, params: Params): Promise<Message> {
  const record = resolveChat(ctx, params);
  const input = params.file("document");
  if (input === undefined) throw badRequest("there is no document in the request");
  let existing: StoredFile | undefined;
  let source: DocumentSource | undefined;
  if (typeof input !== "string") source = fromUpload(input);
  else if (/^https?:\/\//i.test(input)) source = await fetchUrl(input);
  else {
    existing = ctx.files.get(input);
    if (!existing) throw badRequest("wrong file identifier/HTTP URL specified");
  }
  const caption = formatCaption(
    params.string("caption"),
    params.string("parse_mode"),
    params.json("caption_entities"),
  );
  const markup = markupParam(params);
  const reply = replyTarget(ctx, record, params);
  checkCanWrite(ctx, record);
  checkRateLimit(ctx, record);

  const file =
    existing ?? (source && ctx.files.add("document", source.data, source.fileName, source.mimeType));
  if (!file) throw badRequest("there is no document in the request");
  const document: NonNullable<MessageContent["document"]> = {
    file_id: file.file_id,
    file_unique_id: file.file_unique_id,
    file_size: file.file_size,
  };
  if (file.file_name !== undefined) document.file_name = file.file_name;
  if (file.mime_type !== undefined) document.mime_type = file.mime_type;
  const content = withCaption({ document }, caption);
  if (reply) content.reply_to_message = reply;
  return deliver(ctx, record, "document", content, markup);
}

export async function sendPhoto(ctx: SandboxContext, params: Params): Promise<Message> {
  const record = resolveChat(ctx, params);
  const input = photoParam(params);
  let image: PhotoImage;
  let existing: StoredFile | undefined;
  if (typeof input !== "string") image = checkPhoto(input.data);
  else if (/^https?:\/\//i.test(input)) image = checkPhoto((await fetchUrl(input)).data);
  else {
    // A photo sent before, by its file_id: the same file again.
    existing = ctx.files.get(input);
    if (!existing) throw badRequest("wrong file identifier/HTTP URL specified");
    image = checkPhoto(existing.data);
  }
  const caption = formatCaption(
    params.string("caption"),
    params.string("parse_mode"),
    params.json("caption_entities"),
  );
  const markup = markupParam(params);
  const reply = replyTarget(ctx, record, params);
  checkCanWrite(ctx, record);
  checkRateLimit(ctx, record);

  const file = existing ?? ctx.files.add("photo", image.data, undefined, image.mimeType);
  const photo = [
    {
      file_id: file.file_id,
      file_unique_id: file.file_unique_id,
      width: image.width,
      height: image.height,
      file_size: file.file_size,
    },
  ];
  const content = withCaption({ photo }, caption);
  if (reply) content.reply_to_message = reply;
  return deliver(ctx, record, "photo", content, markup);
}

const MEDIA_FIELDS = ["document", "photo", "sticker", "voice", "location", "contact"] as const;

export function copyMessage(ctx: SandboxContext, params: Params): { message_id: number } {
  const record = resolveChat(ctx, params);
  const fromRecord = resolveChat(ctx, params, "from_chat_id");
  const source = fromRecord.messages.get(messageIdParam(params));
  if (!source || source.deleted) throw badRequest(TEXT.copyNotFound);
  const original = source.message;
  const content: MessageContent = {};
  if (original.text !== undefined) {
    content.text = original.text;
    if (original.entities) content.entities = structuredClone(original.entities);
  }
  for (const field of MEDIA_FIELDS) {
    if (original[field] !== undefined) Object.assign(content, { [field]: structuredClone(original[field]) });
  }
  if (original.text === undefined) {
    let caption: FormattedText | null = null;
    if (params.has("caption")) {
      caption = formatCaption(
        params.string("caption"),
        params.string("parse_mode"),
        params.json("caption_entities"),
      );
    } else if (original.caption !== undefined) {
      caption = { text: original.caption };
      if (original.caption_entities) caption.entities = original.caption_entities;
    }
    withCaption(content, caption && structuredClone(caption));
  }
  const markup = markupParam(params);
  const reply = replyTarget(ctx, record, params);
  checkCanWrite(ctx, record);
  checkRateLimit(ctx, record);
  if (reply) content.reply_to_message = reply;
  return { message_id: deliver(ctx, record, source.kind, content, markup).message_id };
}

/** The bot's own, not deleted message named by chat_id and message_id, for an edit. */
function editableMessage(ctx: SandboxContext, params: Params): StoredMessage {
  if (params.has("inline_message_id")) throw badRequest("MESSAGE_ID_INVALID");
  const record = resolveChat(ctx, params);
  const messageId = messageIdParam(params);
  if (record.chat.type === "private" && ctx.state.user(record.chat.id)?.blocked)
    throw forbidden(TEXT.blocked);
  const stored = record.messages.get(messageId);
  if (!stored || stored.deleted) throw badRequest(TEXT.editNotFound);
  if (stored.sender !== "bot") throw badRequest(TEXT.cantBeEdited);
  return stored;
}

/** Records an edit's markup for the transcript: a reply keyboard sent with the message stays unless replaced. */
function keepMarkup(stored: StoredMessage, markup: ReplyMarkup | undefined): void {
  if (markup) stored.markup = markup;
  else if (stored.markup?.inline_keyboard) delete stored.markup;
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Applies an edit, or 400 "message is not modified" when nothing changes. Without reply_markup the inline keyboard goes. */
function applyEdit(
  stored: StoredMessage,
  field: "text" | "caption",
  formatted: FormattedText | null,
  markup: ReplyMarkup | undefined,
): Message {
  const message = stored.message;
  const entitiesField = field === "text" ? "entities" : "caption_entities";
  const inline = inlineKeyboardOf(markup);
  const unchanged =
    (message[field] ?? null) === (formatted?.text ?? null) &&
    sameJson(message[entitiesField], formatted?.entities) &&
    sameJson(message.reply_markup, inline);
  if (unchanged) throw badRequest(TEXT.notModified);

  if (formatted) message[field] = formatted.text;
  else delete message[field];
  if (formatted?.entities) message[entitiesField] = formatted.entities;
  else delete message[entitiesField];
  if (inline) message.reply_markup = inline;
  else delete message.reply_markup;
  keepMarkup(stored, markup);
  message.edit_date = nowSeconds();
  stored.edited = true;
  return snapshot(message);
}

export function editMessageText(ctx: SandboxContext, params: Params): Message {
  const stored = editableMessage(ctx, params);
  if (stored.message.text === undefined) throw badRequest("there is no text in the message to edit");
  const formatted = formatMessageText(
    params.string("text"),
    params.string("parse_mode"),
    params.json("entities"),
  );
  return applyEdit(stored, "text", formatted, markupParam(params, true));
}

export function editMessageCaption(ctx: SandboxContext, params: Params): Message {
  const stored = editableMessage(ctx, params);
  if (stored.message.text !== undefined) throw badRequest("there is no caption in the message to edit");
  const caption = formatCaption(
    params.string("caption"),
    params.string("parse_mode"),
    params.json("caption_entities"),
  );
  return applyEdit(stored, "caption", caption, markupParam(params, true));
}

export function editMessageReplyMarkup(ctx: SandboxContext, params: Params): Message {
  const stored = editableMessage(ctx, params);
  const markup = markupParam(params, true);
  if (sameJson(stored.message.reply_markup, inlineKeyboardOf(markup))) throw badRequest(TEXT.notModified);
  const inline = inlineKeyboardOf(markup);
  if (inline) stored.message.reply_markup = inline;
  else delete stored.message.reply_markup;
  keepMarkup(stored, markup);
  stored.message.edit_date = nowSeconds();
  stored.edited = true;
  return snapshot(stored.message);
}

export function deleteMessage(ctx: SandboxContext, params: Params): true {
  const record = resolveChat(ctx, params);
  const stored = record.messages.get(messageIdParam(params));
  if (!stored || stored.deleted) throw badRequest(TEXT.deleteNotFound);
  stored.deleted = true;
  return true;
}

export function sendChatAction(ctx: SandboxContext, params: Params): true {
  const record = resolveChat(ctx, params);
  const action = params.string("action");
  if (action === undefined || !CHAT_ACTIONS.has(action)) {
    throw badRequest(action ? "wrong parameter action in request" : "action is empty");
  }
  checkCanWrite(ctx, record);
  return true;
}

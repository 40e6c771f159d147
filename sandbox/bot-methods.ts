// The Bot API method table, and the methods that do not send messages.

import {
  copyMessage,
  deleteMessage,
  editMessageCaption,
  editMessageReplyMarkup,
  editMessageText,
  resolveChat,
  sendChatAction,
  sendDocument,
  sendMessage,
  sendPhoto,
} from "./bot-messages.ts";
import type { SandboxContext } from "./context.ts";
import { badRequest, TEXT } from "./errors.ts";
import type { Params } from "./params.ts";
import { nowSeconds } from "./state.ts";
import type { BotCommand, Update } from "./types.ts";

/** A successful answer that also carries a `description` (as setWebhook's does). */
export class Described {
  readonly result: unknown;
  readonly description: string;

  constructor(result: unknown, description: string) {
    this.result = result;
    this.description = description;
  }
}

export interface BotMethod {
  name: string;
  /** Sending methods are the ones rate-limited and hit by burst_429. */
  sending: boolean;
  run(ctx: SandboxContext, params: Params, signal: AbortSignal): unknown;
}

function getMe(ctx: SandboxContext): Record<string, unknown> {
  return {
    ...ctx.state.bot,
    can_join_groups: true,
    can_read_all_group_messages: true,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
  };
}

function stringList(params: Params, name: string): string[] | undefined {
  const value = params.json(name);
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    throw badRequest(`can't parse ${name} JSON object`);
  }
  return value;
}

function getUpdates(ctx: SandboxContext, params: Params, signal: AbortSignal): Promise<Update[]> {
  const allowedUpdates = stringList(params, "allowed_updates");
  return ctx.poller.poll(
    {
      offset: params.integer("offset") ?? 0,
      limit: params.integer("limit") ?? 100,
      timeoutSeconds: params.integer("timeout") ?? 0,
      ...(allowedUpdates ? { allowedUpdates } : {}),
    },
    signal,
  );
}

function deleteWebhook(ctx: SandboxContext, params: Params): Described {
  if (params.boolean("drop_pending_updates")) ctx.updates.clear();
  if (!ctx.webhook.active) return new Described(true, "Webhook is already deleted");
  ctx.webhook.delete();
  return new Described(true, "Webhook was deleted");
}

function setWebhook(ctx: SandboxContext, params: Params): Described {
  const url = params.string("url") ?? "";
  if (url === "") return deleteWebhook(ctx, params);
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  // Telegram requires HTTPS on ports 80, 88, 443 or 8443; the sandbox accepts any http(s) URL.
  if (!parsed || (parsed.protocol !== "https:" && parsed.protocol !== "http:")) {
    throw badRequest("bad webhook: An HTTPS URL must be provided for webhook");
  }
  const secretToken = params.string("secret_token");
  if (secretToken !== undefined && secretToken !== "" && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) {
    throw badRequest("secret token contains unallowed characters");
  }
  const maxConnections = params.integer("max_connections") ?? 40;
  if (maxConnections < 1 || maxConnections > 100)
    throw badRequest("bad webhook: invalid max_connections specified");
  const allowedUpdates = stringList(params, "allowed_updates");
  if (allowedUpdates) ctx.updates.setAllowed(allowedUpdates);
  if (params.boolean("drop_pending_updates")) ctx.updates.clear();
  const unchanged = ctx.webhook.info().url === url;
  ctx.webhook.set({
    url,
    maxConnections,
    ...(secretToken ? { secretToken } : {}),
    ...(ctx.updates.allowed ? { allowedUpdates: ctx.updates.allowed } : {}),
  });
  ctx.poller.webhookSet();
  return new Described(true, unchanged ? "Webhook is already set" : "Webhook was set");
}

function answerCallbackQuery(ctx: SandboxContext, params: Params): true {
  const id = params.string("callback_query_id");
  if (!id) throw badRequest(TEXT.queryTooOld);
  const text = params.string("text");
  if (text !== undefined && text.length > 200) throw badRequest("MESSAGE_TOO_LONG");
  const url = params.string("url");
  const cacheTime = params.integer("cache_time");
  const answered = ctx.callbacks.answer({
    callback_query_id: id,
    show_alert: params.boolean("show_alert") ?? false,
    date: nowSeconds(),
    ...(text !== undefined && text !== "" ? { text } : {}),
    ...(url ? { url } : {}),
    ...(cacheTime !== undefined ? { cache_time: cacheTime } : {}),
  });
  if (!answered) throw badRequest(TEXT.queryTooOld);
  return true;
}

const SCOPE_TYPES = new Set([
  "default",
  "all_private_chats",
  "all_group_chats",
  "all_chat_administrators",
  "chat",
  "chat_administrators",
  "chat_member",
]);

/** The key of a command list: its scope and language. */
function commandsKey(params: Params): string {
  const scope = params.json("scope") ?? { type: "default" };
  if (
    scope === null ||
    typeof scope !== "object" ||
    !SCOPE_TYPES.has(String((scope as { type?: unknown }).type))
  ) {
    throw badRequest("can't parse BotCommandScope JSON object");
  }
  const { type, chat_id, user_id } = scope as Record<string, unknown>;
  const language = params.string("language_code") ?? "";
  if (language !== "" && !/^[a-z]{2}$/.test(language)) throw badRequest("invalid language_code specified");
  return JSON.stringify([type, chat_id ?? null, user_id ?? null, language]);
}

function setMyCommands(ctx: SandboxContext, params: Params): true {
  const commands = params.json("commands");
  if (!Array.isArray(commands)) throw badRequest("can't parse commands JSON object");
  if (commands.length > 100) throw badRequest("too many commands specified");
  const checked: BotCommand[] = commands.map((item: unknown) => {
    const { command, description } = (item ?? {}) as Record<string, unknown>;
    if (typeof command !== "string" || !/^[a-z0-9_]{1,32}$/.test(command))
      throw badRequest("BOT_COMMAND_INVALID");
    if (typeof description !== "string" || description.length < 1 || description.length > 256) {
      throw badRequest("command description must be non-empty");
    }
    return { command, description };
  });
  ctx.commands.set(commandsKey(params), checked);
  return true;
}

function getMyCommands(ctx: SandboxContext, params: Params): BotCommand[] {
  return structuredClone(ctx.commands.get(commandsKey(params)) ?? []);
}

function deleteMyCommands(ctx: SandboxContext, params: Params): true {
  ctx.commands.delete(commandsKey(params));
  return true;
}

function menuButtonKey(ctx: SandboxContext, params: Params): string {
  return params.has("chat_id") ? String(resolveChat(ctx, params).chat.id) : "default";
}

function setChatMenuButton(ctx: SandboxContext, params: Params): true {
  const key = menuButtonKey(ctx, params);
  const button = params.json("menu_button") ?? { type: "default" };
  const type = (button as { type?: unknown } | null)?.type;
  if (
    button === null ||
    typeof button !== "object" ||
    !["commands", "web_app", "default"].includes(String(type))
  ) {
    throw badRequest("can't parse menu button JSON object");
  }
  ctx.menuButtons.set(key, structuredClone(button as Record<string, unknown>));
  return true;
}

function getChatMenuButton(ctx: SandboxContext, params: Params): Record<string, unknown> {
  const key = menuButtonKey(ctx, params);
  return structuredClone(ctx.menuButtons.get(key) ?? ctx.menuButtons.get("default") ?? { type: "commands" });
}

function getFile(ctx: SandboxContext, params: Params): Record<string, unknown> {
  const id = params.string("file_id");
  const file = id ? ctx.files.get(id) : undefined;
  if (!file) throw badRequest("invalid file_id");
  return {
    file_id: file.file_id,
    file_unique_id: file.file_unique_id,
    file_size: file.file_size,
    file_path: file.file_path,
  };
}

const METHODS: BotMethod[] = [
  { name: "getMe", sending: false, run: getMe },
  { name: "getUpdates", sending: false, run: getUpdates },
  { name: "setWebhook", sending: false, run: setWebhook },
  { name: "deleteWebhook", sending: false, run: deleteWebhook },
  { name: "getWebhookInfo", sending: false, run: (ctx) => ctx.webhook.info() },
  { name: "sendMessage", sending: true, run: sendMessage },
  { name: "sendDocument", sending: true, run: sendDocument },
  { name: "sendPhoto", sending: true, run: sendPhoto },
  { name: "copyMessage", sending: true, run: copyMessage },
  { name: "editMessageText", sending: false, run: editMessageText },
  { name: "editMessageCaption", sending: false, run: editMessageCaption },
  { name: "editMessageReplyMarkup", sending: false, run: editMessageReplyMarkup },
  { name: "deleteMessage", sending: false, run: deleteMessage },
  { name: "answerCallbackQuery", sending: false, run: answerCallbackQuery },
  { name: "sendChatAction", sending: false, run: sendChatAction },
  { name: "setMyCommands", sending: false, run: setMyCommands },
  { name: "getMyCommands", sending: false, run: getMyCommands },
  { name: "deleteMyCommands", sending: false, run: deleteMyCommands },
  { name: "setChatMenuButton", sending: false, run: setChatMenuButton },
  { name: "getChatMenuButton", sending: false, run: getChatMenuButton },
  { name: "getFile", sending: false, run: getFile },
];

const BY_NAME = new Map(METHODS.map((method) => [method.name.toLowerCase(), method]));

/** Looks a method up; like Telegram, method names are case-insensitive. */
export function findMethod(name: string): BotMethod | undefined {
  return BY_NAME.get(name.toLowerCase());
}

// The control API (/control/...): JSON in and out, for tests, the demo chat page and the benchmarks.
// Failures answer `{ error }` with a 4xx status. No CORS: browsers must not call it from other origins
// (see host-check.ts).

import type { IncomingMessage, ServerResponse } from "node:http";
import type { SandboxContext } from "./context.ts";
import { ControlError } from "./errors.ts";
import { parseFaults } from "./faults.ts";
import { BodyTooLargeError, clientGone, readBody, sendBytes, sendJson } from "./http.ts";
import { parseLimits } from "./limits.ts";
import type { ChatRecord, NewGroup, NewUser } from "./state.ts";
import { transcript } from "./transcript.ts";
import type { MessageKind } from "./types.ts";
import { type SendInput, userEdit, userPress, userSend, userSetBlocked } from "./user-actions.ts";
import { USER_KINDS } from "./user-content.ts";

const MAX_BODY_BYTES = 20 * 1024 * 1024;
const MAX_WAIT_MS = 120_000;

type Body = Record<string, unknown>;

interface RouteCall {
  ctx: SandboxContext;
  /** The path's captured parts. */
  path: string[];
  body: Body;
  query: URLSearchParams;
  signal: AbortSignal;
}

/** Raw bytes to answer instead of JSON. */
class FileAnswer {
  readonly data: Buffer;
  readonly contentType: string;
  readonly fileName: string | undefined;

  constructor(data: Buffer, contentType: string, fileName: string | undefined) {
    this.data = data;
    this.contentType = contentType;
    this.fileName = fileName;
  }
}

interface Route {
  method: "GET" | "POST";
  pattern: RegExp;
  run(call: RouteCall): unknown;
}

// --- input checks

const bad = (message: string): ControlError => new ControlError(400, message);

function optionalString(body: Body, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw bad(`${key} must be a string`);
  return value;
}

function requiredString(body: Body, key: string): string {
  const value = optionalString(body, key);
  if (value === undefined) throw bad(`${key} is required`);
  return value;
}

function optionalInteger(body: Body, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value)) throw bad(`${key} must be an integer`);
  return value;
}

function requiredInteger(body: Body, key: string): number {
  const value = optionalInteger(body, key);
  if (value === undefined) throw bad(`${key} is required`);
  return value;
}

function optionalNumber(body: Body, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw bad(`${key} must be a number`);
  return value;
}

function pathInteger(value: string | undefined, what: string): number {
  if (value === undefined || !/^-?\d{1,16}$/.test(value)) throw bad(`${what} must be an integer`);
  return Number.parseInt(value, 10);
}

function queryInteger(query: URLSearchParams, key: string, fallback: number): number {
  const value = query.get(key);
  if (value === null || value === "") return fallback;
  if (!/^\d{1,16}$/.test(value)) throw bad(`${key} must be a non-negative integer`);
  return Number.parseInt(value, 10);
}

function chatRecord(ctx: SandboxContext, value: string | undefined): ChatRecord {
  const id = pathInteger(value, "chat_id");
  const record = ctx.state.chat(id);
  if (!record) throw new ControlError(404, `no chat ${id}`);
  return record;
}

function sendInput(body: Body): SendInput {
  const kind = optionalString(body, "kind") ?? "text";
  if (!(USER_KINDS as readonly string[]).includes(kind))
    throw bad(`kind must be one of ${USER_KINDS.join(", ")}`);
  const input: SendInput = { kind: kind as MessageKind };
  const text = optionalString(body, "text");
  if (kind === "text" && text === undefined) throw bad("text is required");
  const strings = [
    "text",
    "caption",
    "emoji",
    "file_name",
    "mime_type",
    "content_base64",
    "phone_number",
  ] as const;
  for (const key of strings) {
    const value = optionalString(body, key);
    if (value !== undefined) input[key] = value;
  }
  const integers = ["chat_id", "reply_to_message_id"] as const;
  for (const key of integers) {
    const value = optionalInteger(body, key);
    if (value !== undefined) input[key] = value;
  }
  const numbers = ["duration", "latitude", "longitude"] as const;
  for (const key of numbers) {
    const value = optionalNumber(body, key);
    if (value !== undefined) input[key] = value;
  }
  return input;
}

function groupInput(body: Body): NewGroup {
  const title = requiredString(body, "title");
  const id = optionalInteger(body, "id");
  const type = optionalString(body, "type");
  if (type !== undefined && type !== "group" && type !== "supergroup") {
    throw bad("type must be group or supergroup");
  }
  return { title, ...(id !== undefined ? { id } : {}), ...(type !== undefined ? { type } : {}) };
}

function userInput(body: Body): NewUser {
  const input: NewUser = {};
  const id = optionalInteger(body, "id");
  if (id !== undefined) input.id = id;
  for (const key of ["first_name", "last_name", "username", "language_code"] as const) {
    const value = optionalString(body, key);
    if (value !== undefined) input[key] = value;
  }
  return input;
}

function configure<T>(parse: (input: unknown) => T, body: Body): T {
  try {
    return parse(body);
  } catch (error) {
    throw bad((error as Error).message);
  }
}

// --- routes

const ROUTES: Route[] = [
  { method: "GET", pattern: /^\/control\/health$/, run: () => ({ ok: true }) },
  {
    method: "POST",
    pattern: /^\/control\/users$/,
    run: ({ ctx, body }) => ctx.state.upsertUser(userInput(body)),
  },
  {
    method: "POST",
    pattern: /^\/control\/groups$/,
    run: ({ ctx, body }) => ctx.state.upsertGroup(groupInput(body)),
  },
  {
    method: "POST",
    pattern: /^\/control\/users\/(-?\d+)\/send$/,
    run: ({ ctx, path, body }) => userSend(ctx, pathInteger(path[0], "user id"), sendInput(body)),
  },
  {
    method: "POST",
    pattern: /^\/control\/users\/(-?\d+)\/edit$/,
    run: ({ ctx, path, body }) => {
      const chatId = optionalInteger(body, "chat_id");
      return userEdit(ctx, pathInteger(path[0], "user id"), {
        message_id: requiredInteger(body, "message_id"),
        text: requiredString(body, "text"),
        ...(chatId !== undefined ? { chat_id: chatId } : {}),
      });
    },
  },
  {
    method: "POST",
    pattern: /^\/control\/users\/(-?\d+)\/press$/,
    run: ({ ctx, path, body }) => {
      const chatId = optionalInteger(body, "chat_id");
      return userPress(ctx, pathInteger(path[0], "user id"), {
        message_id: requiredInteger(body, "message_id"),
        data: requiredString(body, "data"),
        ...(chatId !== undefined ? { chat_id: chatId } : {}),
      });
    },
  },
  {
    method: "POST",
    pattern: /^\/control\/users\/(-?\d+)\/(block|unblock)$/,
    run: ({ ctx, path }) => userSetBlocked(ctx, pathInteger(path[0], "user id"), path[1] === "block"),
  },
  {
    method: "POST",
    pattern: /^\/control\/updates\/(\d+)\/redeliver$/,
    run: ({ ctx, path }) => {
      const updateId = pathInteger(path[0], "update_id");
      if (!ctx.updates.redeliver(updateId))
        throw new ControlError(404, `update ${updateId} is unknown or too old`);
      return { update_id: updateId };
    },
  },
  {
    method: "GET",
    pattern: /^\/control\/chats\/(-?\d+)\/transcript$/,
    run: ({ ctx, path }) => transcript(chatRecord(ctx, path[0])),
  },
  {
    method: "GET",
    pattern: /^\/control\/chats\/(-?\d+)\/wait$/,
    run: ({ ctx, path, query, signal }) =>
      ctx.waiters.wait(
        chatRecord(ctx, path[0]),
        {
          after: queryInteger(query, "after", 0),
          count: queryInteger(query, "count", 1),
          timeoutMs: Math.min(MAX_WAIT_MS, queryInteger(query, "timeout", 5000)),
        },
        signal,
      ),
  },
  {
    method: "GET",
    pattern: /^\/control\/callback-answers\/([^/]+)$/,
    run: ({ ctx, path }) => {
      const id = decodeURIComponent(path[0] ?? "");
      const answer = ctx.callbacks.answerOf(id);
      if (!answer) throw new ControlError(404, `callback query ${id} has no answer`);
      return answer;
    },
  },
  {
    method: "GET",
    pattern: /^\/control\/files\/([^/]+)$/,
    run: ({ ctx, path }) => {
      const id = decodeURIComponent(path[0] ?? "");
      const file = ctx.files.get(id);
      if (!file) throw new ControlError(404, `no file ${id}`);
      return new FileAnswer(file.data, file.mime_type ?? "application/octet-stream", file.file_name);
    },
  },
  { method: "GET", pattern: /^\/control\/counters$/, run: ({ ctx }) => ctx.counters.snapshot() },
  { method: "GET", pattern: /^\/control\/send-times$/, run: ({ ctx }) => ctx.counters.sendTimes() },
  {
    method: "POST",
    pattern: /^\/control\/reset-counters$/,
    run: ({ ctx }) => {
      ctx.counters.reset();
      return { ok: true };
    },
  },
  { method: "GET", pattern: /^\/control\/limits$/, run: ({ ctx }) => ctx.limiter.limits },
  {
    method: "POST",
    pattern: /^\/control\/limits$/,
    run: ({ ctx, body }) => ctx.limiter.set(configure(parseLimits, body)),
  },
  { method: "GET", pattern: /^\/control\/faults$/, run: ({ ctx }) => ctx.faults.config },
  {
    method: "POST",
    pattern: /^\/control\/faults$/,
    run: ({ ctx, body }) => ctx.faults.set(configure(parseFaults, body)),
  },
];

async function readJsonBody(request: IncomingMessage): Promise<Body> {
  const raw = await readBody(request, MAX_BODY_BYTES);
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString("utf8"));
  } catch {
    throw bad("the body must be JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw bad("the body must be a JSON object");
  return parsed as Body;
}

export async function handleControl(
  ctx: SandboxContext,
  request: IncomingMessage,
  response: ServerResponse,
  pathname: string,
  query: URLSearchParams,
): Promise<void> {
  const signal = clientGone(response);
  try {
    const body = await readJsonBody(request);
    const candidates = ROUTES.filter((route) => route.pattern.test(pathname));
    const route = candidates.find((candidate) => candidate.method === request.method);
    if (!route) {
      if (candidates.length > 0)
        throw new ControlError(405, `use ${candidates.map((c) => c.method).join(" or ")}`);
      throw new ControlError(404, `no control route ${pathname}`);
    }
    const path = (route.pattern.exec(pathname) ?? []).slice(1);
    const result = await route.run({ ctx, path, body, query, signal });
    if (result instanceof FileAnswer) {
      const headers: Record<string, string> = {};
      if (result.fileName)
        headers["content-disposition"] =
          `attachment; filename*=UTF-8''${encodeURIComponent(result.fileName)}`;
      sendBytes(response, result.data, result.contentType, headers);
    } else {
      sendJson(response, 200, result);
    }
  } catch (error) {
    if (error instanceof ControlError) sendJson(response, error.status, { error: error.message });
    else if (error instanceof BodyTooLargeError) sendJson(response, 413, { error: "body too large" });
    else throw error;
  }
}

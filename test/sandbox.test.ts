// The Telegram sandbox, over real HTTP: Bot API semantics, Telegram's limits and error texts, and the
// control API that tests, the demo chat page and the benchmarks drive it with.

import { spawn } from "node:child_process";
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { run } from "@grammyjs/runner";
import { Bot, InputFile, webhookCallback } from "grammy";
import QRCode from "qrcode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, type SandboxOptions, startSandbox } from "../sandbox/server.ts";
import type { CallbackQuery, ChatMemberUpdated, Message, User } from "../sandbox/types.ts";

// --- helpers

interface Answer<T> {
  status: number;
  ok: boolean;
  result: T;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
  headers: Headers;
}

/** Every field optional, so tests can read whichever kind of update they expect. */
interface AnyUpdate {
  update_id: number;
  message?: Message;
  edited_message?: Message;
  callback_query?: CallbackQuery;
  my_chat_member?: ChatMemberUpdated;
}

interface TranscriptEntry {
  message_id: number;
  from: "user" | "bot";
  user_id?: number;
  text?: string;
  caption?: string;
  kind: string;
  reply_markup?: Record<string, unknown>;
  document?: { file_id: string; file_name?: string; mime_type?: string; file_size?: number };
  reply_to_message_id?: number;
  date: number;
  edited: boolean;
  deleted: boolean;
}

interface Counters {
  requests: Record<string, number>;
  responses: Record<string, number>;
  errors: { method: string; error_code: number; description: string }[];
  messages_sent: number;
}

const sandboxes: Sandbox[] = [];

async function fresh(options: SandboxOptions = {}): Promise<Sandbox> {
  const sandbox = await startSandbox({ port: 0, ...options });
  sandboxes.push(sandbox);
  return sandbox;
}

afterAll(async () => {
  await Promise.all(sandboxes.map((sandbox) => sandbox.close()));
});

async function answerOf<T>(response: Response): Promise<Answer<T>> {
  const body = (await response.json()) as Omit<Answer<T>, "status" | "headers">;
  return { ...body, status: response.status, headers: response.headers };
}

/** A Bot API call with a JSON body. */
async function call<T = unknown>(
  sb: Sandbox,
  method: string,
  params: Record<string, unknown> = {},
): Promise<Answer<T>> {
  const response = await fetch(`${sb.url}/bot${sb.token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(params),
  });
  return answerOf<T>(response);
}

async function control<T = unknown>(
  sb: Sandbox,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${sb.url}/control${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function createUser(sb: Sandbox, fields: Record<string, unknown> = {}): Promise<User> {
  const { status, body } = await control<User>(sb, "POST", "/users", fields);
  expect(status).toBe(200);
  return body;
}

async function userSends(
  sb: Sandbox,
  userId: number,
  body: Record<string, unknown>,
): Promise<{ update_id: number; message_id: number }> {
  const answer = await control<{ update_id: number; message_id: number }>(
    sb,
    "POST",
    `/users/${userId}/send`,
    body,
  );
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
}

/** A user who has written /start, so the bot may write to them. */
async function startedUser(sb: Sandbox, fields: Record<string, unknown> = {}): Promise<User> {
  const user = await createUser(sb, fields);
  await userSends(sb, user.id, { text: "/start" });
  return user;
}

async function getUpdates(sb: Sandbox, params: Record<string, unknown> = {}): Promise<AnyUpdate[]> {
  const answer = await call<AnyUpdate[]>(sb, "getUpdates", params);
  expect(answer.ok, answer.description).toBe(true);
  return answer.result;
}

/** Confirms every pending update, so the next getUpdates starts clean. */
async function drain(sb: Sandbox): Promise<void> {
  await getUpdates(sb, { offset: -1 });
  const last = await getUpdates(sb);
  const lastId = last.at(-1)?.update_id;
  if (lastId !== undefined) await getUpdates(sb, { offset: lastId + 1 });
}

async function transcript(sb: Sandbox, chatId: number): Promise<TranscriptEntry[]> {
  const { status, body } = await control<TranscriptEntry[]>(sb, "GET", `/chats/${chatId}/transcript`);
  expect(status).toBe(200);
  return body;
}

async function counters(sb: Sandbox): Promise<Counters> {
  return (await control<Counters>(sb, "GET", "/counters")).body;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(10);
  }
}

const keyboard = (...data: string[]) => ({
  inline_keyboard: [data.map((value) => ({ text: value || "empty", callback_data: value }))],
});

// --- tests

describe("Bot API basics", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await fresh();
  });

  it("answers getMe with the bot user", async () => {
    const answer = await call<Record<string, unknown>>(sb, "getMe");
    expect(answer.status).toBe(200);
    expect(answer.ok).toBe(true);
    expect(answer.result).toMatchObject({ id: 1000001, is_bot: true, username: "bussola_sandbox_bot" });
    expect(sb.token).toBe("1000001:SANDBOX-bussola-demo-token");
    expect(sb.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("accepts GET with a query string and method names in any case", async () => {
    const response = await fetch(`${sb.url}/bot${sb.token}/GETME`);
    expect((await answerOf(response)).ok).toBe(true);
  });

  it("answers 401 Unauthorized to an unknown token", async () => {
    const response = await fetch(`${sb.url}/bot123:wrong/getMe`);
    const answer = await answerOf(response);
    expect(answer.status).toBe(401);
    expect(answer).toMatchObject({ ok: false, error_code: 401, description: "Unauthorized" });
  });

  it("answers 404 Not Found to an unknown method", async () => {
    const answer = await call(sb, "sendCarrierPigeon");
    expect(answer.status).toBe(404);
    expect(answer).toMatchObject({ ok: false, error_code: 404, description: "Not Found" });
  });

  it("reads urlencoded bodies, with reply_markup as a JSON string", async () => {
    const user = await startedUser(sb);
    const response = await fetch(`${sb.url}/bot${sb.token}/sendMessage`, {
      method: "POST",
      body: new URLSearchParams({
        chat_id: String(user.id),
        text: "Hello",
        reply_markup: JSON.stringify(keyboard("a")),
      }),
    });
    const answer = await answerOf<Message>(response);
    expect(answer.ok).toBe(true);
    expect(answer.result.reply_markup).toEqual(keyboard("a"));
  });

  it("creates users with large Telegram-like ids and groups with negative ids", async () => {
    const user = await createUser(sb, { first_name: "Maria", last_name: "Rossi", language_code: "it" });
    expect(user.id).toBeGreaterThan(2 ** 31);
    expect(user).toMatchObject({
      is_bot: false,
      first_name: "Maria",
      last_name: "Rossi",
      language_code: "it",
    });
    const chosen = await createUser(sb, { id: 42, first_name: "Quarantadue" });
    expect(chosen.id).toBe(42);
    const group = await control<{ id: number; type: string; title: string }>(sb, "POST", "/groups", {
      title: "Operatori",
    });
    expect(group.status).toBe(200);
    expect(group.body.id).toBeLessThan(0);
    expect(group.body).toMatchObject({ type: "group", title: "Operatori" });
    expect((await control(sb, "POST", "/groups", { id: 5, title: "x" })).status).toBe(400);
    expect((await control(sb, "GET", "/health")).body).toEqual({ ok: true });
  });
});

describe("getUpdates", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await fresh();
  });

  it("delivers user messages as Telegram-shaped updates, with bot_command entities", async () => {
    await drain(sb);
    const user = await createUser(sb, { first_name: "Anna", username: "anna_b" });
    const first = await userSends(sb, user.id, { text: "/start@bussola_sandbox_bot" });
    const second = await userSends(sb, user.id, { text: "ciao, ho bisogno di /help" });
    expect(second.message_id).toBe(first.message_id + 1);
    expect(second.update_id).toBe(first.update_id + 1);

    const updates = await getUpdates(sb);
    expect(updates.map((u) => u.update_id)).toEqual([first.update_id, second.update_id]);
    const message = updates[0]?.message;
    expect(message).toMatchObject({
      message_id: first.message_id,
      from: { id: user.id, is_bot: false, first_name: "Anna", username: "anna_b" },
      chat: { id: user.id, type: "private", first_name: "Anna", username: "anna_b" },
      text: "/start@bussola_sandbox_bot",
      entities: [{ type: "bot_command", offset: 0, length: 26 }],
    });
    expect(Math.abs((message?.date ?? 0) - Date.now() / 1000)).toBeLessThan(5);
    expect(updates[1]?.message?.entities).toEqual([{ type: "bot_command", offset: 20, length: 5 }]);
  });

  it("keeps updates until an offset confirms them", async () => {
    await drain(sb);
    const user = await createUser(sb);
    const a = await userSends(sb, user.id, { text: "one" });
    const b = await userSends(sb, user.id, { text: "two" });
    const c = await userSends(sb, user.id, { text: "three" });

    expect((await getUpdates(sb)).map((u) => u.update_id)).toEqual([a.update_id, b.update_id, c.update_id]);
    // Not confirmed yet: handed out again.
    expect((await getUpdates(sb, { limit: 1 })).map((u) => u.update_id)).toEqual([a.update_id]);
    expect((await getUpdates(sb, { offset: b.update_id })).map((u) => u.update_id)).toEqual([
      b.update_id,
      c.update_id,
    ]);
    // Negative offset: only the last ones stay.
    expect((await getUpdates(sb, { offset: -1 })).map((u) => u.update_id)).toEqual([c.update_id]);
    expect(await getUpdates(sb, { offset: c.update_id + 1 })).toEqual([]);
  });

  it("honours the timeout when nothing comes", async () => {
    await drain(sb);
    const started = Date.now();
    expect(await getUpdates(sb, { timeout: 1 })).toEqual([]);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(2500);
  });

  it("answers a long poll as soon as an update arrives", async () => {
    await drain(sb);
    const user = await createUser(sb);
    const started = Date.now();
    const poll = getUpdates(sb, { timeout: 20 });
    await sleep(100);
    const sent = await userSends(sb, user.id, { text: "eccomi" });
    const updates = await poll;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(updates.map((u) => u.update_id)).toEqual([sent.update_id]);
  });

  it("answers 409 to the older of two concurrent polls", async () => {
    await drain(sb);
    const first = call(sb, "getUpdates", { timeout: 20 });
    await sleep(100);
    const second = call<AnyUpdate[]>(sb, "getUpdates", { timeout: 1 });
    const older = await first;
    expect(older.status).toBe(409);
    expect(older).toMatchObject({
      ok: false,
      error_code: 409,
      description:
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    });
    expect((await second).ok).toBe(true);
  });

  it("filters by allowed_updates from the call on", async () => {
    await drain(sb);
    const user = await startedUser(sb);
    const sent = await call<Message>(sb, "sendMessage", {
      chat_id: user.id,
      text: "Scegli",
      reply_markup: keyboard("x"),
    });
    await drain(sb);
    await getUpdates(sb, { allowed_updates: ["message"] });
    await control(sb, "POST", `/users/${user.id}/press`, { message_id: sent.result.message_id, data: "x" });
    const text = await userSends(sb, user.id, { text: "ok" });
    expect((await getUpdates(sb)).map((u) => u.update_id)).toEqual([text.update_id]);
    // An empty list restores Telegram's default (everything but chat_member and reactions).
    await getUpdates(sb, { offset: text.update_id + 1, allowed_updates: [] });
    const press = await control<{ update_id: number }>(sb, "POST", `/users/${user.id}/press`, {
      message_id: sent.result.message_id,
      data: "x",
    });
    expect((await getUpdates(sb)).map((u) => u.update_id)).toEqual([press.body.update_id]);
  });

  it("gives realistic shapes to stickers, photos, voice notes, documents, locations and contacts", async () => {
    await drain(sb);
    const user = await createUser(sb, { first_name: "Oksana", last_name: "K" });
    for (const kind of ["sticker", "photo", "voice", "document", "location", "contact"]) {
      await userSends(sb, user.id, { kind });
    }
    const [sticker, photo, voice, document, location, contact] = (await getUpdates(sb)).map((u) => u.message);
    expect(sticker?.sticker).toMatchObject({
      type: "regular",
      width: 512,
      height: 512,
      is_animated: false,
      is_video: false,
      emoji: expect.any(String),
      file_id: expect.any(String),
      file_unique_id: expect.any(String),
    });
    expect(photo?.photo).toHaveLength(3);
    expect(photo?.photo?.[2]).toMatchObject({ width: 800, height: 600, file_id: expect.any(String) });
    expect(voice?.voice).toMatchObject({ duration: 3, mime_type: "audio/ogg", file_id: expect.any(String) });
    expect(document?.document).toMatchObject({ file_name: "documento.pdf", mime_type: "application/pdf" });
    expect(location?.location).toEqual({ latitude: expect.any(Number), longitude: expect.any(Number) });
    expect(contact?.contact).toMatchObject({ first_name: "Oksana", last_name: "K", user_id: user.id });
    expect(sticker?.text).toBeUndefined();

    // The bot can download what users sent.
    const file = await call<{ file_path: string; file_size: number }>(sb, "getFile", {
      file_id: document?.document?.file_id,
    });
    expect(file.ok).toBe(true);
    const bytes = await fetch(`${sb.url}/file/bot${sb.token}/${file.result.file_path}`);
    expect(bytes.status).toBe(200);
    expect((await bytes.text()).startsWith("%PDF")).toBe(true);
  });

  it("delivers user edits as edited_message", async () => {
    await drain(sb);
    const user = await createUser(sb);
    const sent = await userSends(sb, user.id, { text: "/balanc" });
    const edit = await control<{ update_id: number }>(sb, "POST", `/users/${user.id}/edit`, {
      message_id: sent.message_id,
      text: "/balance",
    });
    expect(edit.status).toBe(200);
    const updates = await getUpdates(sb);
    const edited = updates.find((u) => u.update_id === edit.body.update_id)?.edited_message;
    expect(edited).toMatchObject({
      message_id: sent.message_id,
      text: "/balance",
      edit_date: expect.any(Number),
    });
    expect(edited?.entities).toEqual([{ type: "bot_command", offset: 0, length: 8 }]);
    // The earlier update still shows the message as it was.
    expect(updates.find((u) => u.update_id === sent.update_id)?.message?.text).toBe("/balanc");
  });

  it("redelivers an update already confirmed, with the same update_id", async () => {
    await drain(sb);
    const user = await createUser(sb);
    const sent = await userSends(sb, user.id, { text: "/help" });
    expect((await getUpdates(sb)).map((u) => u.update_id)).toEqual([sent.update_id]);
    expect(await getUpdates(sb, { offset: sent.update_id + 1 })).toEqual([]);

    const redelivered = await control(sb, "POST", `/updates/${sent.update_id}/redeliver`);
    expect(redelivered.status).toBe(200);
    const again = await getUpdates(sb, { offset: sent.update_id + 1 });
    expect(again.map((u) => u.update_id)).toEqual([sent.update_id]);
    expect(again[0]?.message?.text).toBe("/help");
    expect(await getUpdates(sb, { offset: sent.update_id + 1 })).toEqual([]);
    expect((await control(sb, "POST", "/updates/1/redeliver")).status).toBe(404);
  });
});

describe("webhook", () => {
  let receiver: Server;
  let receiverUrl: string;
  const received: { headers: IncomingHttpHeaders; update: AnyUpdate }[] = [];
  /** Status codes to answer next, in order (200 once they run out). */
  const plannedStatuses: number[] = [];

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        received.push({
          headers: request.headers,
          update: JSON.parse(Buffer.concat(chunks).toString()) as AnyUpdate,
        });
        response.writeHead(plannedStatuses.shift() ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/telegram`;
  });

  afterAll(async () => {
    await new Promise((resolve) => receiver.close(resolve));
  });

  it("posts updates with the secret header, retries failures and keeps the order", async () => {
    const sb = await fresh({ webhookRetryMs: 50 });
    const user = await createUser(sb);
    received.length = 0;
    plannedStatuses.push(500, 502);

    const set = await call(sb, "setWebhook", { url: receiverUrl, secret_token: "s3cret_token-1" });
    expect(set).toMatchObject({ ok: true, result: true, description: "Webhook was set" });
    const a = await userSends(sb, user.id, { text: "uno" });
    const b = await userSends(sb, user.id, { text: "due" });
    await eventually(() => received.length >= 4);

    expect(received.map((r) => r.update.update_id)).toEqual([
      a.update_id,
      a.update_id,
      a.update_id,
      b.update_id,
    ]);
    expect(received.every((r) => r.headers["x-telegram-bot-api-secret-token"] === "s3cret_token-1")).toBe(
      true,
    );
    expect(received[0]?.headers["content-type"]).toBe("application/json");
    expect(received[3]?.update.message?.text).toBe("due");

    const info = await call<Record<string, unknown>>(sb, "getWebhookInfo");
    expect(info.result).toMatchObject({
      url: receiverUrl,
      pending_update_count: 0,
      has_custom_certificate: false,
    });
    // Like Telegram, the last error stays on show after later successes.
    expect(info.result.last_error_message).toBe("Wrong response from the webhook: 502 Bad Gateway");
  });

  it("with webhookParallel, delivers different chats' updates at once and one chat's in order", async () => {
    // A receiver that takes 150 ms per update and answers the first delivery of "uno" with 500.
    const log: { updateId: number; text: string | undefined; start: number; end: number }[] = [];
    let failed = false;
    const slow = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const update = JSON.parse(Buffer.concat(chunks).toString()) as AnyUpdate;
        const entry = { updateId: update.update_id, text: update.message?.text, start: Date.now(), end: 0 };
        log.push(entry);
        setTimeout(() => {
          entry.end = Date.now();
          const fail = entry.text === "uno" && !failed;
          failed ||= fail;
          response.writeHead(fail ? 500 : 200).end();
        }, 150);
      });
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    try {
      const sb = await fresh({ webhookRetryMs: 20, webhookParallel: true });
      const anna = await createUser(sb);
      const ben = await createUser(sb);
      const uno = await userSends(sb, anna.id, { text: "uno" });
      const due = await userSends(sb, anna.id, { text: "due" });
      const tre = await userSends(sb, ben.id, { text: "tre" });
      const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/telegram`;
      await call(sb, "setWebhook", { url });
      await eventually(() => log.filter((l) => l.end > 0).length >= 4);

      // Anna's updates one at a time and in order, "uno" twice (its first answer was a 500).
      const annas = log.filter((l) => l.text !== "tre");
      expect(annas.map((l) => l.updateId)).toEqual([uno.update_id, uno.update_id, due.update_id]);
      for (let n = 1; n < annas.length; n++) {
        expect(annas[n]?.start).toBeGreaterThanOrEqual(annas[n - 1]?.end ?? Infinity);
      }
      // Ben's did not wait for Anna's: it started while her first was on its way.
      const bens = log.find((l) => l.updateId === tre.update_id);
      expect(bens?.start).toBeLessThan(annas[0]?.end ?? 0);
      expect((await call<Record<string, unknown>>(sb, "getWebhookInfo")).result).toMatchObject({
        pending_update_count: 0,
      });
    } finally {
      await new Promise((resolve) => slow.close(resolve));
    }
  });

  it("answers 409 to getUpdates while a webhook is set, also to a pending poll", async () => {
    const sb = await fresh();
    const pending = call(sb, "getUpdates", { timeout: 20 });
    await sleep(100);
    await call(sb, "setWebhook", { url: receiverUrl });
    const description =
      "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
    expect(await pending).toMatchObject({ status: 409, ok: false, error_code: 409, description });
    expect(await call(sb, "getUpdates")).toMatchObject({ status: 409, description });

    expect(await call(sb, "deleteWebhook")).toMatchObject({ ok: true, description: "Webhook was deleted" });
    expect((await call(sb, "getUpdates")).ok).toBe(true);
    expect((await call<Record<string, unknown>>(sb, "getWebhookInfo")).result.url).toBe("");
  });

  it("reports a failing webhook in getWebhookInfo and keeps the update for getUpdates", async () => {
    const sb = await fresh({ webhookRetryMs: 20 });
    const user = await createUser(sb);
    received.length = 0;
    plannedStatuses.push(500, 500, 500, 500, 500, 500, 500, 500, 500, 500);
    await call(sb, "setWebhook", { url: receiverUrl });
    const sent = await userSends(sb, user.id, { text: "insisto" });
    await eventually(() => received.length >= 2);
    const info = await call<Record<string, unknown>>(sb, "getWebhookInfo");
    expect(info.result).toMatchObject({
      pending_update_count: 1,
      last_error_message: "Wrong response from the webhook: 500 Internal Server Error",
      last_error_date: expect.any(Number),
    });
    await call(sb, "deleteWebhook");
    plannedStatuses.length = 0;
    expect((await getUpdates(sb)).map((u) => u.update_id)).toEqual([sent.update_id]);
  });

  it("drops pending updates on request", async () => {
    const sb = await fresh();
    const user = await createUser(sb);
    await userSends(sb, user.id, { text: "vecchio" });
    await call(sb, "setWebhook", { url: "http://127.0.0.1:9/unreachable", drop_pending_updates: true });
    await call(sb, "deleteWebhook", { drop_pending_updates: true });
    expect(await getUpdates(sb)).toEqual([]);
  });

  it("stops delivering on close", async () => {
    const sb = await fresh({ webhookRetryMs: 20 });
    const user = await createUser(sb);
    received.length = 0;
    plannedStatuses.push(...Array.from({ length: 1000 }, () => 500));
    await call(sb, "setWebhook", { url: receiverUrl });
    await userSends(sb, user.id, { text: "x" });
    await eventually(() => received.length >= 2);
    await sb.close();
    const count = received.length;
    await sleep(150);
    expect(received.length).toBe(count);
    plannedStatuses.length = 0;
  });
});

describe("who the bot may write to", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await fresh();
  });

  it("answers 400 chat not found for an unknown chat", async () => {
    const answer = await call(sb, "sendMessage", { chat_id: 123456789, text: "hi" });
    expect(answer).toMatchObject({
      status: 400,
      error_code: 400,
      description: "Bad Request: chat not found",
    });
    expect(await call(sb, "sendMessage", { chat_id: "@nobody", text: "hi" })).toMatchObject({
      description: "Bad Request: chat not found",
    });
    expect(await call(sb, "sendMessage", { text: "hi" })).toMatchObject({
      description: "Bad Request: chat_id is empty",
    });
  });

  it("answers 403 to a user who never wrote to the bot", async () => {
    const user = await createUser(sb);
    const answer = await call(sb, "sendMessage", { chat_id: user.id, text: "hi" });
    expect(answer).toMatchObject({
      status: 403,
      error_code: 403,
      description: "Forbidden: bot can't initiate conversation with a user",
    });
  });

  it("answers 403 to a user who blocked the bot, and tells the bot with my_chat_member", async () => {
    const user = await startedUser(sb);
    await drain(sb);
    const blocked = await control<{ update_id: number }>(sb, "POST", `/users/${user.id}/block`);
    expect(blocked.status).toBe(200);
    const answer = await call(sb, "sendMessage", { chat_id: user.id, text: "hi" });
    expect(answer).toMatchObject({ status: 403, description: "Forbidden: bot was blocked by the user" });
    expect((await call(sb, "sendChatAction", { chat_id: user.id, action: "typing" })).status).toBe(403);
    expect((await control(sb, "POST", `/users/${user.id}/send`, { text: "hi" })).status).toBe(409);

    const update = (await getUpdates(sb)).find((u) => u.update_id === blocked.body.update_id);
    expect(update?.my_chat_member).toMatchObject({
      chat: { id: user.id, type: "private" },
      from: { id: user.id },
      old_chat_member: { status: "member", user: { id: sb.botId } },
      new_chat_member: { status: "kicked", user: { id: sb.botId } },
    });

    expect((await control(sb, "POST", `/users/${user.id}/unblock`)).status).toBe(200);
    expect((await call(sb, "sendMessage", { chat_id: user.id, text: "bentornato" })).ok).toBe(true);
  });

  it("writes to groups without anyone starting it", async () => {
    const group = await control<{ id: number }>(sb, "POST", "/groups", { title: "Operatori" });
    const answer = await call<Message>(sb, "sendMessage", { chat_id: group.body.id, text: "Nuovo caso" });
    expect(answer.ok).toBe(true);
    expect(answer.result.chat).toMatchObject({ id: group.body.id, type: "group", title: "Operatori" });
  });
});

describe("message checks", () => {
  let sb: Sandbox;
  let chatId: number;
  beforeAll(async () => {
    sb = await fresh({ limits: { chat_per_second: 0, global_per_second: 0 } });
    chatId = (await startedUser(sb)).id;
  });

  const send = (params: Record<string, unknown>) =>
    call<Message>(sb, "sendMessage", { chat_id: chatId, ...params });

  it("rejects empty text", async () => {
    for (const text of [undefined, "", "   ", "<b></b>"]) {
      const answer = await send({ text, parse_mode: "HTML" });
      expect(answer).toMatchObject({ status: 400, description: "Bad Request: message text is empty" });
    }
  });

  it("rejects text over 4096 characters, counted after HTML parsing", async () => {
    expect((await send({ text: "a".repeat(4096) })).ok).toBe(true);
    expect(await send({ text: "a".repeat(4097) })).toMatchObject({
      status: 400,
      description: "Bad Request: message is too long",
    });
    expect((await send({ text: `<b>${"&amp;".repeat(4096)}</b>`, parse_mode: "HTML" })).ok).toBe(true);
    expect(await send({ text: `<b>${"&amp;".repeat(4097)}</b>`, parse_mode: "HTML" })).toMatchObject({
      description: "Bad Request: message is too long",
    });
  });

  it("checks callback_data: 1 to 64 bytes", async () => {
    expect((await send({ text: "ok", reply_markup: keyboard("x".repeat(64)) })).ok).toBe(true);
    expect((await send({ text: "ok", reply_markup: keyboard("è".repeat(32)) })).ok).toBe(true);
    for (const data of ["", "x".repeat(65), "è".repeat(33)]) {
      expect(await send({ text: "ok", reply_markup: keyboard(data) })).toMatchObject({
        status: 400,
        description: "Bad Request: BUTTON_DATA_INVALID",
      });
    }
    expect(
      await send({ text: "ok", reply_markup: { inline_keyboard: [[{ text: "x", url: "not a url" }]] } }),
    ).toMatchObject({ description: "Bad Request: BUTTON_URL_INVALID" });
    expect(await send({ text: "ok", reply_markup: { inline_keyboard: [[{ text: "x" }]] } })).toMatchObject({
      status: 400,
    });
  });

  it("accepts reply keyboards and keeps them in the transcript, not in the Message", async () => {
    const markup = { keyboard: [[{ text: "Sì" }, "No"]], resize_keyboard: true, one_time_keyboard: true };
    const answer = await send({ text: "Confermi?", reply_markup: markup });
    expect(answer.ok).toBe(true);
    expect(answer.result.reply_markup).toBeUndefined();
    const entry = (await transcript(sb, chatId)).find((m) => m.message_id === answer.result.message_id);
    expect(entry?.reply_markup).toEqual(markup);
  });

  it("replies to a message, or 400 when it does not exist", async () => {
    const user = await userSends(sb, chatId, { text: "domanda" });
    const answer = await send({ text: "risposta", reply_parameters: { message_id: user.message_id } });
    expect(answer.result.reply_to_message).toMatchObject({ message_id: user.message_id, text: "domanda" });
    expect(await send({ text: "x", reply_to_message_id: 999_999 })).toMatchObject({
      description: "Bad Request: message to be replied not found",
    });
    const lenient = await send({
      text: "x",
      reply_parameters: { message_id: 999_999, allow_sending_without_reply: true },
    });
    expect(lenient.ok).toBe(true);
  });

  it("rejects an unknown parse_mode", async () => {
    expect(await send({ text: "x", parse_mode: "BBCode" })).toMatchObject({
      description: "Bad Request: unsupported parse_mode",
    });
  });
});

describe("HTML parse mode", () => {
  let sb: Sandbox;
  let chatId: number;
  beforeAll(async () => {
    sb = await fresh({ limits: { chat_per_second: 0, global_per_second: 0 } });
    chatId = (await startedUser(sb)).id;
  });

  const html = (text: string) =>
    call<Message>(sb, "sendMessage", { chat_id: chatId, text, parse_mode: "HTML" });

  it("turns every supported tag into entities", async () => {
    const answer = await html(
      [
        "<b>b</b><strong>s</strong> <i>i</i><em>e</em> <u>u</u><ins>n</ins> <s>s</s><strike>k</strike><del>d</del>",
        '<tg-spoiler>x</tg-spoiler><span class="tg-spoiler">y</span>',
        '<a href="https://example.org/?a=1&amp;b=2">link</a> <code>c</code>',
        '<pre>p</pre><pre><code class="language-ts">let a;</code></pre>',
        '<blockquote>q</blockquote><blockquote expandable>r</blockquote><tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
        "&lt;&gt;&amp;&quot;&#39;&#x1F600;",
      ].join("\n"),
    );
    expect(answer.ok, answer.description).toBe(true);
    const { text, entities = [] } = answer.result;
    expect(text?.split("\n").at(-1)).toBe(`<>&"'😀`);
    expect(text).not.toContain("<b>");
    const types = entities.map((entity) => entity.type);
    for (const type of [
      "bold",
      "italic",
      "underline",
      "strikethrough",
      "spoiler",
      "text_link",
      "code",
      "pre",
      "blockquote",
      "expandable_blockquote",
      "custom_emoji",
    ]) {
      expect(types).toContain(type);
    }
    expect(entities.find((entity) => entity.type === "text_link")?.url).toBe("https://example.org/?a=1&b=2");
    expect(entities.find((entity) => entity.language)).toMatchObject({
      type: "pre",
      language: "ts",
      length: 6,
    });
    expect(entities[0]).toEqual({ type: "bold", offset: 0, length: 1 });
  });

  it("counts entity offsets in UTF-16 code units", async () => {
    const answer = await html("😀 <b>è</b>");
    expect(answer.result.entities).toEqual([{ type: "bold", offset: 3, length: 1 }]);
  });

  it.each([
    ["<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'],
    ["è <br/>", 'Unsupported start tag "br/" at byte offset 3'],
    ["1 < 2", 'Unsupported start tag "" at byte offset 2'],
    ["ciao <b>mondo", 'Can\'t find end tag corresponding to start tag "b"'],
    ["mondo</b>", "Unexpected end tag at byte offset 5"],
    ["<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'],
    ["à & b", "Character entity expected at byte offset 3"],
    ["&nbsp;", "Character entity expected at byte offset 0"],
    ["<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'],
    ["x <b", "Unclosed start tag at byte offset 2"],
    ['<a href="x>y</a>', "Unclosed end of attribute value at byte offset 9"],
    ["<b>x</b", "Unclosed end tag at byte offset 4"],
  ])("rejects %j", async (text, reason) => {
    const answer = await html(text);
    expect(answer).toMatchObject({
      status: 400,
      ok: false,
      error_code: 400,
      description: `Bad Request: can't parse entities: ${reason}`,
    });
  });

  it("leaves text alone without parse_mode", async () => {
    const answer = await call<Message>(sb, "sendMessage", { chat_id: chatId, text: "1 < 2 & <foo>" });
    expect(answer.result.text).toBe("1 < 2 & <foo>");
    expect(answer.result.entities).toBeUndefined();
  });
});

describe("flood limits", () => {
  it("answers 429 past the per-chat burst, and lets the bot send again after retry_after", async () => {
    const sb = await fresh();
    const user = await startedUser(sb);
    for (let i = 0; i < 5; i += 1) {
      expect((await call(sb, "sendMessage", { chat_id: user.id, text: `m${i}` })).ok).toBe(true);
    }
    const limited = await call(sb, "sendMessage", { chat_id: user.id, text: "m5" });
    expect(limited).toMatchObject({
      status: 429,
      ok: false,
      error_code: 429,
      description: "Too Many Requests: retry after 1",
      parameters: { retry_after: 1 },
    });
    expect(limited.headers.get("retry-after")).toBe("1");
    // Another chat is not affected; edits do not count.
    const other = await startedUser(sb);
    expect((await call(sb, "sendMessage", { chat_id: other.id, text: "ok" })).ok).toBe(true);
    await sleep(1000);
    expect((await call(sb, "sendMessage", { chat_id: user.id, text: "again" })).ok).toBe(true);
  });

  it("answers 429 past the global limit of 30 messages per second", async () => {
    const sb = await fresh({ limits: { chat_per_second: 0 } });
    const users = await Promise.all(Array.from({ length: 80 }, () => startedUser(sb)));
    const answers = await Promise.all(
      users.map((user) => call(sb, "sendMessage", { chat_id: user.id, text: "avviso" })),
    );
    const sent = answers.filter((answer) => answer.ok).length;
    const limited = answers.filter((answer) => answer.status === 429);
    expect(sent).toBeGreaterThanOrEqual(30);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(limited[0]?.parameters?.retry_after).toBe(1);
    expect((await counters(sb)).messages_sent).toBe(sent);
  });

  it("answers 429 past 20 messages per minute in a group, with a longer retry_after", async () => {
    const sb = await fresh();
    const group = (await control<{ id: number }>(sb, "POST", "/groups", { title: "Condominio" })).body;
    for (let i = 0; i < 20; i += 1) {
      expect((await call(sb, "sendMessage", { chat_id: group.id, text: `g${i}` })).ok).toBe(true);
    }
    const limited = await call(sb, "sendMessage", { chat_id: group.id, text: "troppo" });
    expect(limited.status).toBe(429);
    expect(limited.parameters?.retry_after).toBeGreaterThanOrEqual(2);
    expect(limited.parameters?.retry_after).toBeLessThanOrEqual(3);
    expect(limited.description).toBe(`Too Many Requests: retry after ${limited.parameters?.retry_after}`);
  });

  it("changes the limits through the control API and counts only sending methods", async () => {
    const sb = await fresh();
    expect((await control(sb, "GET", "/limits")).body).toEqual({
      global_per_second: 30,
      global_window: "bucket",
      chat_per_second: 1,
      chat_burst: 5,
      group_per_minute: 20,
    });
    const changed = await control(sb, "POST", "/limits", { chat_burst: 2 });
    expect(changed.body).toMatchObject({ chat_burst: 2, chat_per_second: 1 });
    expect((await control(sb, "POST", "/limits", { chat_burst: -1 })).status).toBe(400);

    const user = await startedUser(sb);
    const first = await call<Message>(sb, "sendMessage", {
      chat_id: user.id,
      text: "1",
      reply_markup: keyboard("a"),
    });
    expect((await call(sb, "sendMessage", { chat_id: user.id, text: "2" })).ok).toBe(true);
    expect((await call(sb, "sendMessage", { chat_id: user.id, text: "3" })).status).toBe(429);
    // Not sending methods: never limited.
    for (let i = 0; i < 5; i += 1) {
      expect((await call(sb, "sendChatAction", { chat_id: user.id, action: "typing" })).ok).toBe(true);
      expect((await call(sb, "getMe")).ok).toBe(true);
    }
    const edit = await call(sb, "editMessageText", {
      chat_id: user.id,
      message_id: first.result.message_id,
      text: "uno",
    });
    expect(edit.ok).toBe(true);

    await control(sb, "POST", "/limits", { global_per_second: 0, chat_per_second: 0 });
    for (let i = 0; i < 10; i += 1) {
      expect((await call(sb, "sendMessage", { chat_id: user.id, text: `free ${i}` })).ok).toBe(true);
    }
  });
});

describe("fault injection", () => {
  it("fails every call but getUpdates at error_rate 1, with 500 or 502", async () => {
    const sb = await fresh();
    const user = await startedUser(sb);
    const set = await control(sb, "POST", "/faults", { error_rate: 1 });
    expect(set.body).toMatchObject({ error_rate: 1, status: 500 });
    expect(await call(sb, "sendMessage", { chat_id: user.id, text: "x" })).toMatchObject({
      status: 500,
      ok: false,
      error_code: 500,
      description: "Internal Server Error",
    });
    expect((await call(sb, "getMe")).status).toBe(500);
    expect((await call(sb, "getUpdates")).ok).toBe(true);

    await control(sb, "POST", "/faults", { status: 502 });
    expect(await call(sb, "getMe")).toMatchObject({
      status: 502,
      error_code: 502,
      description: "Bad Gateway",
    });

    await control(sb, "POST", "/faults", { error_rate: 0 });
    expect((await call(sb, "getMe")).ok).toBe(true);
    const snapshot = await counters(sb);
    expect(snapshot.responses["5xx"]).toBe(3);
    expect(snapshot.messages_sent).toBe(0);
    expect((await transcript(sb, user.id)).filter((m) => m.from === "bot")).toEqual([]);
    expect((await control(sb, "POST", "/faults", { error_rate: 2 })).status).toBe(400);
  });

  it("fails a share of calls at a fractional error_rate", async () => {
    const sb = await fresh({ faults: { error_rate: 0.5 } });
    const answers = await Promise.all(Array.from({ length: 200 }, () => call(sb, "getMe")));
    const failed = answers.filter((answer) => answer.status === 500).length;
    expect(failed).toBeGreaterThan(50);
    expect(failed).toBeLessThan(150);
  });

  it("answers 429 to the next n sending calls with burst_429", async () => {
    const sb = await fresh();
    const user = await startedUser(sb);
    await control(sb, "POST", "/faults", { burst_429: 2 });
    expect((await call(sb, "getMe")).ok).toBe(true);
    for (let i = 0; i < 2; i += 1) {
      expect(await call(sb, "sendMessage", { chat_id: user.id, text: "x" })).toMatchObject({
        status: 429,
        description: "Too Many Requests: retry after 1",
        parameters: { retry_after: 1 },
      });
    }
    expect((await call(sb, "sendMessage", { chat_id: user.id, text: "x" })).ok).toBe(true);
    expect((await control<{ burst_429: number }>(sb, "GET", "/faults")).body.burst_429).toBe(0);
  });

  it("fails the next n sending calls to one chat with chat_failure, other chats untouched", async () => {
    const sb = await fresh();
    const user = await startedUser(sb);
    const other = await startedUser(sb);
    await control(sb, "POST", "/faults", { chat_failure: { chat_id: user.id, status: 403, count: 1 } });
    expect((await call(sb, "sendMessage", { chat_id: other.id, text: "x" })).ok).toBe(true);
    expect(await call(sb, "sendMessage", { chat_id: String(user.id), text: "x" })).toMatchObject({
      status: 403,
      description: "Forbidden: bot was blocked by the user",
    });
    expect((await call(sb, "sendMessage", { chat_id: user.id, text: "x" })).ok).toBe(true);
    await control(sb, "POST", "/faults", { chat_failure: { chat_id: user.id, status: 400 } });
    expect(await call(sb, "sendMessage", { chat_id: user.id, text: "x" })).toMatchObject({
      status: 400,
      description: "Bad Request: chat not found",
    });
    expect((await control<{ chat_failure: unknown }>(sb, "GET", "/faults")).body.chat_failure).toEqual({
      chat_id: user.id,
      status: 400,
      count: 0,
    });
    const bad = await control<{ error: string }>(sb, "POST", "/faults", {
      chat_failure: { chat_id: 1, status: 500 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain("chat_failure.status");
    // Texts a user never saw are not in the transcript.
    expect((await transcript(sb, user.id)).filter((m) => m.from === "bot")).toHaveLength(1);
  });

  it("answers late with latency_ms, the message appearing only once the call is handled", async () => {
    const sb = await fresh();
    const user = await startedUser(sb);
    const set = await control(sb, "POST", "/faults", { latency_ms: 1500 });
    expect(set.body).toMatchObject({ latency_ms: 1500, error_rate: 0 });
    const started = Date.now();
    let settled = false;
    const sending = call(sb, "sendMessage", { chat_id: user.id, text: "slow" }).finally(() => {
      settled = true;
    });
    // In flight: not in the chat yet; polling is not slowed down.
    await getUpdates(sb, { timeout: 0 });
    expect(settled).toBe(false);
    expect((await transcript(sb, user.id)).filter((m) => m.from === "bot")).toEqual([]);
    expect((await sending).ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect((await transcript(sb, user.id)).filter((m) => m.from === "bot").map((m) => m.text)).toEqual([
      "slow",
    ]);

    await control(sb, "POST", "/faults", { latency_ms: 0 });
    expect((await call(sb, "getMe")).ok).toBe(true);
    for (const bad of [-1, 1.5, 60_001, "100"]) {
      const answer = await control(sb, "POST", "/faults", { latency_ms: bad });
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.body)).toContain("latency_ms must be an integer from 0 to 60000");
    }
    expect((await control<{ latency_ms: number }>(sb, "GET", "/faults")).body.latency_ms).toBe(0);
  });
});

describe("documents", () => {
  let sb: Sandbox;
  let chatId: number;
  beforeAll(async () => {
    sb = await fresh({ limits: { chat_per_second: 0 } });
    chatId = (await startedUser(sb)).id;
  });

  it("uploads a document with multipart/form-data and serves its bytes", async () => {
    const content = "contract_code;amount\nA-1;12,50\n";
    const form = new FormData();
    form.set("chat_id", String(chatId));
    form.set("caption", "<b>Il tuo</b> estratto");
    form.set("parse_mode", "HTML");
    form.set("reply_markup", JSON.stringify(keyboard("ok")));
    form.set("document", new Blob([content], { type: "application/octet-stream" }), "estratto.csv");
    const response = await fetch(`${sb.url}/bot${sb.token}/sendDocument`, { method: "POST", body: form });
    const answer = await answerOf<Message>(response);
    expect(answer.ok, answer.description).toBe(true);
    expect(answer.result.document).toMatchObject({
      file_name: "estratto.csv",
      mime_type: "text/csv",
      file_size: Buffer.byteLength(content),
      file_id: expect.any(String),
      file_unique_id: expect.any(String),
    });
    expect(answer.result.caption).toBe("Il tuo estratto");
    expect(answer.result.caption_entities).toEqual([{ type: "bold", offset: 0, length: 6 }]);
    expect(answer.result.reply_markup).toEqual(keyboard("ok"));

    const fileId = answer.result.document?.file_id ?? "";
    const file = await fetch(`${sb.url}/control/files/${encodeURIComponent(fileId)}`);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("text/csv");
    expect(await file.text()).toBe(content);

    const entry = (await transcript(sb, chatId)).find((m) => m.message_id === answer.result.message_id);
    expect(entry).toMatchObject({
      kind: "document",
      caption: "Il tuo estratto",
      document: { file_id: fileId },
    });

    // Sent again by file_id: the same file.
    const again = await call<Message>(sb, "sendDocument", { chat_id: chatId, document: fileId });
    expect(again.result.document?.file_id).toBe(fileId);
    expect((await control(sb, "GET", "/files/unknown")).status).toBe(404);
  });

  it("reads grammY's multipart: attach:// and an unquoted file name with spaces", async () => {
    const boundary = "----------sandboxtest";
    const body = [
      `--${boundary}\r\ncontent-disposition:form-data;name="chat_id"\r\n\r\n${chatId}`,
      `--${boundary}\r\ncontent-disposition:form-data;name="document"\r\n\r\nattach://f1`,
      `--${boundary}\r\ncontent-disposition:form-data;name="f1";filename=piano di rientro.pdf\r\ncontent-type:application/octet-stream\r\n\r\n%PDF-1.4 piano`,
      `--${boundary}--\r\n`,
    ].join("\r\n");
    const response = await fetch(`${sb.url}/bot${sb.token}/sendDocument`, {
      method: "POST",
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
      body,
    });
    const answer = await answerOf<Message>(response);
    expect(answer.ok, answer.description).toBe(true);
    expect(answer.result.document).toMatchObject({
      file_name: "piano di rientro.pdf",
      mime_type: "application/pdf",
    });
  });

  it("rejects a missing document, an empty file and an unknown file_id", async () => {
    expect(await call(sb, "sendDocument", { chat_id: chatId })).toMatchObject({
      status: 400,
      description: "Bad Request: there is no document in the request",
    });
    expect(await call(sb, "sendDocument", { chat_id: chatId, document: "nonsense" })).toMatchObject({
      description: "Bad Request: wrong file identifier/HTTP URL specified",
    });
    const form = new FormData();
    form.set("chat_id", String(chatId));
    form.set("document", new Blob([]), "empty.txt");
    const answer = await answerOf(
      await fetch(`${sb.url}/bot${sb.token}/sendDocument`, { method: "POST", body: form }),
    );
    expect(answer).toMatchObject({ status: 400, description: "Bad Request: file must be non-empty" });
  });

  it("takes a photo as grammY uploads it, keeps it as sent, and refuses what is not an image", async () => {
    const png = await QRCode.toBuffer("PAGOPA|002|302000000000123401|12345678903|20000", { type: "png" });
    const bot = new Bot(sb.token, { client: { apiRoot: sb.url } });
    const sent = await bot.api.sendPhoto(chatId, new InputFile(png, "qr.png"), { caption: "QR" });
    const size = sent.photo.at(-1);
    expect(size).toMatchObject({ file_size: png.length, file_id: expect.any(String) });
    expect(size?.width).toBe(size?.height);
    const file = await fetch(`${sb.url}/control/files/${encodeURIComponent(size?.file_id ?? "")}`);
    expect(file.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await file.arrayBuffer()).equals(png)).toBe(true);
    const entry = (await transcript(sb, chatId)).find((m) => m.message_id === sent.message_id);
    expect(entry).toMatchObject({ kind: "photo", caption: "QR", photo: [{ file_id: size?.file_id }] });
    // Sent again by file_id.
    expect((await bot.api.sendPhoto(chatId, size?.file_id ?? "")).photo[0]?.file_id).toBe(size?.file_id);

    expect(await call(sb, "sendPhoto", { chat_id: chatId })).toMatchObject({
      status: 400,
      description: "Bad Request: there is no photo in the request",
    });
    const form = new FormData();
    form.set("chat_id", String(chatId));
    form.set("photo", new Blob(["not an image"]), "qr.png");
    const answer = await answerOf(
      await fetch(`${sb.url}/bot${sb.token}/sendPhoto`, { method: "POST", body: form }),
    );
    expect(answer).toMatchObject({ status: 400, description: "Bad Request: IMAGE_PROCESS_FAILED" });
  });

  it("copies a user's document to a group", async () => {
    const group = (await control<{ id: number }>(sb, "POST", "/groups", { title: "Operatori" })).body;
    const sent = await userSends(sb, chatId, {
      kind: "document",
      file_name: "isee.pdf",
      caption: "ISEE 2025",
    });
    const copy = await call<{ message_id: number }>(sb, "copyMessage", {
      chat_id: group.id,
      from_chat_id: chatId,
      message_id: sent.message_id,
    });
    expect(copy.ok).toBe(true);
    const [entry] = await transcript(sb, group.id);
    expect(entry).toMatchObject({
      message_id: copy.result.message_id,
      from: "bot",
      kind: "document",
      caption: "ISEE 2025",
      document: { file_name: "isee.pdf" },
    });
    expect(
      await call(sb, "copyMessage", { chat_id: group.id, from_chat_id: chatId, message_id: 999_999 }),
    ).toMatchObject({ description: "Bad Request: message to copy not found" });
  });
});

describe("buttons, edits and deletes", () => {
  let sb: Sandbox;
  let chatId: number;
  beforeAll(async () => {
    sb = await fresh({ limits: { chat_per_second: 0 } });
    chatId = (await startedUser(sb, { first_name: "Luca" })).id;
  });

  it("delivers a button press as callback_query and records answerCallbackQuery", async () => {
    await drain(sb);
    const sent = await call<Message>(sb, "sendMessage", {
      chat_id: chatId,
      text: "Lingua?",
      reply_markup: keyboard("it", "en"),
    });
    const press = await control<{ update_id: number; callback_query_id: string }>(
      sb,
      "POST",
      `/users/${chatId}/press`,
      {
        message_id: sent.result.message_id,
        data: "en",
      },
    );
    expect(press.status).toBe(200);
    const [update] = await getUpdates(sb);
    expect(update?.update_id).toBe(press.body.update_id);
    expect(update?.callback_query).toMatchObject({
      id: press.body.callback_query_id,
      from: { id: chatId, first_name: "Luca" },
      data: "en",
      chat_instance: expect.any(String),
      message: { message_id: sent.result.message_id, text: "Lingua?", reply_markup: keyboard("it", "en") },
    });

    expect((await control(sb, "GET", `/callback-answers/${press.body.callback_query_id}`)).status).toBe(404);
    const answered = await call(sb, "answerCallbackQuery", {
      callback_query_id: press.body.callback_query_id,
      text: "Fatto",
    });
    expect(answered).toMatchObject({ ok: true, result: true });
    const recorded = await control(sb, "GET", `/callback-answers/${press.body.callback_query_id}`);
    expect(recorded.body).toMatchObject({
      callback_query_id: press.body.callback_query_id,
      text: "Fatto",
      show_alert: false,
    });

    const description = "Bad Request: query is too old and response timeout expired or query ID is invalid";
    expect(
      await call(sb, "answerCallbackQuery", { callback_query_id: press.body.callback_query_id }),
    ).toMatchObject({
      status: 400,
      description,
    });
    expect(await call(sb, "answerCallbackQuery", { callback_query_id: "123" })).toMatchObject({
      description,
    });
  });

  it("refuses a press on a button the message does not have", async () => {
    const sent = await call<Message>(sb, "sendMessage", {
      chat_id: chatId,
      text: "Sì?",
      reply_markup: keyboard("yes"),
    });
    expect(
      (
        await control(sb, "POST", `/users/${chatId}/press`, {
          message_id: sent.result.message_id,
          data: "no",
        })
      ).status,
    ).toBe(400);
    const plain = await call<Message>(sb, "sendMessage", { chat_id: chatId, text: "niente bottoni" });
    expect(
      (
        await control(sb, "POST", `/users/${chatId}/press`, {
          message_id: plain.result.message_id,
          data: "yes",
        })
      ).status,
    ).toBe(400);
  });

  it("edits text and keyboard, and refuses an edit that changes nothing", async () => {
    const sent = await call<Message>(sb, "sendMessage", {
      chat_id: chatId,
      text: "Saldo: 10 €",
      reply_markup: keyboard("r"),
    });
    const id = sent.result.message_id;
    const notModified =
      "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";
    expect(
      await call(sb, "editMessageText", {
        chat_id: chatId,
        message_id: id,
        text: "Saldo: 10 €",
        reply_markup: keyboard("r"),
      }),
    ).toMatchObject({ status: 400, description: notModified });

    const edited = await call<Message>(sb, "editMessageText", {
      chat_id: chatId,
      message_id: id,
      text: "<b>Saldo</b>: 12 €",
      parse_mode: "HTML",
      reply_markup: keyboard("r"),
    });
    expect(edited.ok, edited.description).toBe(true);
    expect(edited.result).toMatchObject({ text: "Saldo: 12 €", edit_date: expect.any(Number) });

    // Without reply_markup the keyboard goes, as with Telegram.
    const noKeyboard = await call<Message>(sb, "editMessageText", {
      chat_id: chatId,
      message_id: id,
      text: "<b>Saldo</b>: 12 €",
      parse_mode: "HTML",
    });
    expect(noKeyboard.ok).toBe(true);
    expect(noKeyboard.result.reply_markup).toBeUndefined();

    const withKeyboard = await call<Message>(sb, "editMessageReplyMarkup", {
      chat_id: chatId,
      message_id: id,
      reply_markup: keyboard("again"),
    });
    expect(withKeyboard.result.reply_markup).toEqual(keyboard("again"));
    expect(
      await call(sb, "editMessageReplyMarkup", {
        chat_id: chatId,
        message_id: id,
        reply_markup: keyboard("again"),
      }),
    ).toMatchObject({ description: notModified });

    const entry = (await transcript(sb, chatId)).find((m) => m.message_id === id);
    expect(entry).toMatchObject({
      text: "Saldo: 12 €",
      edited: true,
      deleted: false,
      reply_markup: keyboard("again"),
    });

    expect(
      await call(sb, "editMessageText", { chat_id: chatId, message_id: 999_999, text: "x" }),
    ).toMatchObject({
      description: "Bad Request: message to edit not found",
    });
    const userMessage = await userSends(sb, chatId, { text: "mio" });
    expect(
      await call(sb, "editMessageText", { chat_id: chatId, message_id: userMessage.message_id, text: "x" }),
    ).toMatchObject({ description: "Bad Request: message can't be edited" });
    expect(await call(sb, "editMessageText", { chat_id: chatId, message_id: id, text: "" })).toMatchObject({
      description: "Bad Request: message text is empty",
    });
  });

  it("deletes a message once", async () => {
    const sent = await call<Message>(sb, "sendMessage", { chat_id: chatId, text: "effimero" });
    const id = sent.result.message_id;
    expect(await call(sb, "deleteMessage", { chat_id: chatId, message_id: id })).toMatchObject({
      ok: true,
      result: true,
    });
    expect(await call(sb, "deleteMessage", { chat_id: chatId, message_id: id })).toMatchObject({
      status: 400,
      description: "Bad Request: message to delete not found",
    });
    expect(await call(sb, "editMessageText", { chat_id: chatId, message_id: id, text: "x" })).toMatchObject({
      description: "Bad Request: message to edit not found",
    });
    const entry = (await transcript(sb, chatId)).find((m) => m.message_id === id);
    expect(entry).toMatchObject({ text: "effimero", deleted: true });
    expect((await control(sb, "POST", `/users/${chatId}/press`, { message_id: id, data: "x" })).status).toBe(
      400,
    );
  });

  it("keeps commands, menu button and chat actions", async () => {
    const commands = [
      { command: "balance", description: "Il tuo saldo" },
      { command: "help", description: "Aiuto" },
    ];
    expect((await call(sb, "setMyCommands", { commands, language_code: "it" })).ok).toBe(true);
    expect((await call(sb, "getMyCommands", { language_code: "it" })).result).toEqual(commands);
    expect((await call(sb, "getMyCommands")).result).toEqual([]);
    expect(
      await call(sb, "setMyCommands", { commands: [{ command: "Bad-Command", description: "x" }] }),
    ).toMatchObject({ status: 400, description: "Bad Request: BOT_COMMAND_INVALID" });
    expect((await call(sb, "setChatMenuButton", { menu_button: { type: "commands" } })).ok).toBe(true);
    expect((await call(sb, "sendChatAction", { chat_id: chatId, action: "typing" })).ok).toBe(true);
    expect(await call(sb, "sendChatAction", { chat_id: chatId, action: "dancing" })).toMatchObject({
      description: "Bad Request: wrong parameter action in request",
    });
  });
});

describe("transcripts and waiting", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await fresh({ limits: { chat_per_second: 0 } });
  });

  it("lists every message of a chat in order", async () => {
    const user = await createUser(sb);
    await userSends(sb, user.id, { text: "/start" });
    await call(sb, "sendMessage", { chat_id: user.id, text: "<i>Benvenuto</i>", parse_mode: "HTML" });
    await userSends(sb, user.id, { kind: "sticker" });
    const entries = await transcript(sb, user.id);
    expect(entries).toEqual([
      expect.objectContaining({
        message_id: 1,
        from: "user",
        user_id: user.id,
        text: "/start",
        kind: "text",
      }),
      expect.objectContaining({ message_id: 2, from: "bot", text: "Benvenuto", kind: "text", edited: false }),
      expect.objectContaining({ message_id: 3, from: "user", kind: "sticker", deleted: false }),
    ]);
    expect(entries[1]?.date).toEqual(expect.any(Number));
    expect((await control(sb, "GET", "/chats/999/transcript")).status).toBe(404);
  });

  it("waits until the bot has written, and answers as soon as it has", async () => {
    const user = await startedUser(sb);
    const started = Date.now();
    const waiting = control<TranscriptEntry[]>(
      sb,
      "GET",
      `/chats/${user.id}/wait?after=1&count=2&timeout=10000`,
    );
    await sleep(100);
    await call(sb, "sendMessage", { chat_id: user.id, text: "uno" });
    await sleep(50);
    await call(sb, "sendMessage", { chat_id: user.id, text: "due" });
    const { status, body } = await waiting;
    expect(status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(body.map((m) => m.text)).toEqual(["uno", "due"]);
    expect(body.every((m) => m.from === "bot")).toBe(true);
  });

  it("returns what there is when the wait times out", async () => {
    const user = await startedUser(sb);
    await call(sb, "sendMessage", { chat_id: user.id, text: "solo" });
    const started = Date.now();
    const { body } = await control<TranscriptEntry[]>(
      sb,
      "GET",
      `/chats/${user.id}/wait?count=3&timeout=300`,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(body.map((m) => m.text)).toEqual(["solo"]);
    const after = await control<TranscriptEntry[]>(sb, "GET", `/chats/${user.id}/wait?after=2&timeout=100`);
    expect(after.body).toEqual([]);
  });
});

describe("counters", () => {
  it("counts calls per method, answers per status, errors and messages sent; and resets", async () => {
    const sb = await fresh();
    const user = await startedUser(sb);
    await call(sb, "getMe");
    await call(sb, "sendMessage", { chat_id: user.id, text: "ok" });
    await call(sb, "sendMessage", { chat_id: user.id, text: "" });
    await call(sb, "sendMessage", { chat_id: 1, text: "x" });
    const stranger = await createUser(sb);
    await call(sb, "sendMessage", { chat_id: stranger.id, text: "x" });
    await fetch(`${sb.url}/bot1:bad/getMe`);

    const snapshot = await counters(sb);
    expect(snapshot.requests).toEqual({ getMe: 2, sendMessage: 4 });
    expect(snapshot.responses).toMatchObject({ "200": 2, "400": 2, "401": 1, "403": 1, "429": 0, "5xx": 0 });
    expect(snapshot.messages_sent).toBe(1);
    expect(snapshot.errors).toEqual([
      { method: "sendMessage", error_code: 400, description: "Bad Request: message text is empty" },
      { method: "sendMessage", error_code: 400, description: "Bad Request: chat not found" },
      {
        method: "sendMessage",
        error_code: 403,
        description: "Forbidden: bot can't initiate conversation with a user",
      },
      { method: "getMe", error_code: 401, description: "Unauthorized" },
    ]);

    expect((await control(sb, "POST", "/reset-counters")).status).toBe(200);
    expect(await counters(sb)).toEqual({
      requests: {},
      responses: { "200": 0, "400": 0, "403": 0, "429": 0, "5xx": 0 },
      errors: [],
      messages_sent: 0,
    });
  });

  it("keeps only the last 100 errors", async () => {
    const sb = await fresh();
    await Promise.all(Array.from({ length: 120 }, () => call(sb, "sendMessage", { chat_id: 1, text: "x" })));
    const snapshot = await counters(sb);
    expect(snapshot.errors).toHaveLength(100);
    expect(snapshot.responses["400"]).toBe(120);
  });
});

describe("memory bounds", () => {
  it("keeps only the last messages of a chat", async () => {
    const sb = await fresh({ maxMessagesPerChat: 10, limits: { chat_per_second: 0, global_per_second: 0 } });
    const user = await startedUser(sb);
    for (let i = 0; i < 25; i += 1) await call(sb, "sendMessage", { chat_id: user.id, text: `n${i}` });
    const entries = await transcript(sb, user.id);
    expect(entries).toHaveLength(10);
    expect(entries.at(-1)).toMatchObject({ message_id: 26, text: "n24" });
  });
});

describe("with grammY, as the bot uses it", () => {
  function makeBot(sb: Sandbox): Bot {
    const bot = new Bot(sb.token, { client: { apiRoot: sb.url } });
    bot.command("start", (ctx) =>
      ctx.reply(`<b>Ciao</b> ${ctx.from?.first_name ?? ""} &amp; benvenuto`, {
        parse_mode: "HTML",
        reply_markup: { inline_keyboard: [[{ text: "Saldo", callback_data: "balance" }]] },
      }),
    );
    bot.callbackQuery("balance", async (ctx) => {
      await ctx.answerCallbackQuery({ text: "Ecco" });
      await ctx.editMessageText("Saldo: 1.234,56 €");
    });
    bot.command("doc", (ctx) =>
      ctx.replyWithDocument(new InputFile(Buffer.from("%PDF-1.4 piano"), "piano di rientro.pdf"), {
        caption: "Il tuo piano",
      }),
    );
    return bot;
  }

  async function converse(sb: Sandbox): Promise<void> {
    const user = await createUser(sb, { first_name: "Maria" });
    await userSends(sb, user.id, { text: "/start" });
    const welcome = (
      await control<TranscriptEntry[]>(sb, "GET", `/chats/${user.id}/wait?after=1&timeout=5000`)
    ).body;
    expect(welcome[0]).toMatchObject({ text: "Ciao Maria & benvenuto", kind: "text" });
    const messageId = welcome[0]?.message_id ?? 0;

    const press = await control<{ callback_query_id: string }>(sb, "POST", `/users/${user.id}/press`, {
      message_id: messageId,
      data: "balance",
    });
    expect(press.status).toBe(200);
    let entries: TranscriptEntry[] = [];
    for (let i = 0; i < 100 && !entries.find((m) => m.message_id === messageId)?.edited; i += 1) {
      await sleep(20);
      entries = await transcript(sb, user.id);
    }
    expect(entries.find((m) => m.message_id === messageId)).toMatchObject({
      text: "Saldo: 1.234,56 €",
      edited: true,
    });
    expect(
      (await control(sb, "GET", `/callback-answers/${press.body.callback_query_id}`)).body,
    ).toMatchObject({
      text: "Ecco",
    });

    const sent = await userSends(sb, user.id, { text: "/doc" });
    const [document] = (
      await control<TranscriptEntry[]>(
        sb,
        "GET",
        `/chats/${user.id}/wait?after=${sent.message_id}&timeout=5000`,
      )
    ).body;
    expect(document).toMatchObject({
      kind: "document",
      caption: "Il tuo piano",
      document: { file_name: "piano di rientro.pdf", mime_type: "application/pdf" },
    });
    const snapshot = await counters(sb);
    expect(snapshot.errors).toEqual([]);
  }

  it("serves a long-polling bot run with @grammyjs/runner", async () => {
    const sb = await fresh();
    const runner = run(makeBot(sb));
    try {
      await converse(sb);
    } finally {
      await runner.stop();
    }
  });

  it("serves a webhook bot, with the secret token", async () => {
    const sb = await fresh();
    const bot = makeBot(sb);
    await bot.init();
    const handle = webhookCallback(bot, "http", { secretToken: "webhook-secret" });
    const server = createServer((request, response) => {
      void handle(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
      await bot.api.setWebhook(url, { secret_token: "webhook-secret" });
      await converse(sb);
      expect((await bot.api.getWebhookInfo()).pending_update_count).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("close", () => {
  it("ends a pending long poll and a pending wait promptly", async () => {
    const sb = await fresh();
    const user = await createUser(sb);
    const poll = call<AnyUpdate[]>(sb, "getUpdates", { timeout: 30 });
    const waiting = control<TranscriptEntry[]>(sb, "GET", `/chats/${user.id}/wait?timeout=30000`);
    await sleep(100);
    const started = Date.now();
    await sb.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await poll).toMatchObject({ ok: true, result: [] });
    expect((await waiting).body).toEqual([]);
    await expect(fetch(`${sb.url}/control/health`)).rejects.toThrow();
  });

  it("leaves nothing running: a process that used it exits by itself", async () => {
    const serverPath = fileURLToPath(new URL("../sandbox/server.ts", import.meta.url));
    const script = `
      import { startSandbox } from ${JSON.stringify(serverPath)};
      const sb = await startSandbox({ port: 0, webhookRetryMs: 50 });
      const api = (m, p = {}) => fetch(sb.url + "/bot" + sb.token + "/" + m, {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(p) });
      const user = await (await fetch(sb.url + "/control/users", { method: "POST", body: "{}" })).json();
      const poll = api("getUpdates", { timeout: 30 });
      await fetch(sb.url + "/control/users/" + user.id + "/send", { method: "POST", body: '{"text":"/start"}' });
      await poll;
      await api("sendMessage", { chat_id: user.id, text: "ciao" });
      const pending = api("getUpdates", { offset: -1, timeout: 30 }).catch(() => {});
      await new Promise((r) => setTimeout(r, 50));
      await api("setWebhook", { url: "http://127.0.0.1:9/nowhere" });
      await pending;
      await new Promise((r) => setTimeout(r, 120));
      await sb.close();
      console.log("closed");
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill();
        resolve(null);
      }, 10_000);
      child.on("exit", (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    expect(code, output).toBe(0);
    expect(output).toContain("closed");
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe("DNS rebinding: only requests addressed to the sandbox itself", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await fresh();
  });

  /** A raw request with the Host header of our choosing (fetch would set its own). */
  function raw(
    method: string,
    path: string,
    host: string | undefined,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        { host: "127.0.0.1", port: sb.port, method, path, setHost: false, headers },
        (response) => {
          let body = "";
          response.on("data", (chunk: Buffer) => {
            body += chunk.toString();
          });
          response.on("end", () =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
          );
        },
      );
      if (host !== undefined) request.setHeader("host", host);
      request.on("error", reject);
      request.end();
    });
  }

  it("refuses a control or Bot API call whose Host is another name", async () => {
    for (const host of ["evil.example", `evil.example:${sb.port}`, `127.0.0.1.evil.example:${sb.port}`]) {
      const answer = await raw("GET", "/control/health", host);
      expect(answer.status, host).toBe(421);
      expect(JSON.parse(answer.body).error).toContain(`127.0.0.1:${sb.port}`);
      expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
      const bot = await raw("GET", `/bot${sb.token}/getMe`, host);
      expect(bot.status, host).toBe(421);
    }
    const made = await raw("POST", "/control/users", `evil.example:${sb.port}`, {
      "content-type": "application/json",
    });
    expect(made.status).toBe(421);
    // No Host at all is refused too (by Node's HTTP server already); the wrong port as well.
    expect((await raw("GET", "/control/health", undefined)).status).toBe(400);
    expect((await raw("GET", "/control/health", `127.0.0.1:${sb.port + 1}`)).status).toBe(421);
  });

  it("answers loopback names with its port, and sends no CORS headers", async () => {
    for (const host of [
      `127.0.0.1:${sb.port}`,
      `localhost:${sb.port}`,
      `LOCALHOST:${sb.port}`,
      `[::1]:${sb.port}`,
    ]) {
      const answer = await raw("GET", "/control/health", host, { origin: "http://evil.example" });
      expect(answer.status, host).toBe(200);
      expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
    }
    const direct = await fetch(`${sb.url}/control/health`, { headers: { origin: "http://evil.example" } });
    expect(direct.status).toBe(200);
    expect(direct.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("does not answer a CORS preflight", async () => {
    const preflight = await raw("OPTIONS", "/control/users", `127.0.0.1:${sb.port}`, {
      origin: "http://evil.example",
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type",
    });
    expect(preflight.status).toBe(405);
    expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();
    expect(preflight.headers["access-control-allow-methods"]).toBeUndefined();
    expect(preflight.headers["access-control-allow-headers"]).toBeUndefined();
  });
});

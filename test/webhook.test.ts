// The bot in webhook mode: Telegram (the sandbox) POSTs updates with the secret-token header.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../sandbox/server.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";
import { freePort, type RunningProcess, startProcess } from "./support/processes.ts";
import { SandboxUser, sandboxCounters } from "./support/sandbox-user.ts";

const SECRET = "webhook-secret-for-tests_0123456789";
let sandbox: Sandbox;
let t: TestDatabase;
let bot: RunningProcess;
let webhookUrl: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  t = await createTestDatabase();
  const port = await freePort();
  webhookUrl = `http://127.0.0.1:${port}/telegram/webhook`;
  bot = await startProcess(["main.ts", "--role", "bot"], {
    DATABASE_URL: t.url,
    QUEUE_PREFIX: testQueuePrefix(),
    TELEGRAM_BOT_TOKEN: sandbox.token,
    TELEGRAM_API_ROOT: sandbox.url,
    SESSION_SECRET: "webhook-session-secret-webhook-session",
    BOT_MODE: "webhook",
    WEBHOOK_URL: webhookUrl,
    WEBHOOK_SECRET: SECRET,
    ADMIN_PORT: String(port),
  });
}, 60_000);

afterAll(async () => {
  await bot?.stop();
  await sandbox?.close();
  await t?.drop();
});

describe("webhook mode", () => {
  it("registers the webhook with its secret and answers updates Telegram posts", async () => {
    const info = (await (await fetch(`${sandbox.url}/bot${sandbox.token}/getWebhookInfo`)).json()) as {
      result: { url: string };
    };
    expect(info.result.url).toBe(webhookUrl);
    const user = await SandboxUser.create(sandbox.url, { first_name: "Web", language_code: "en" });
    expect((await user.ask("/start")).text).toContain("Before we start");
    expect((await user.acceptPrivacy()).text).toContain("link code");
    expect((await user.ask("/balance")).text).toContain("link code");
  });

  it("refuses posts without the right secret header, changing nothing", async () => {
    const update = {
      update_id: 999_999_001,
      message: { message_id: 1, date: 0, chat: { id: 5, type: "private" }, text: "/start" },
    };
    const missing = await fetch(webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(update),
    });
    expect(missing.status).toBe(401);
    const wrong = await fetch(webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": "nope" },
      body: JSON.stringify(update),
    });
    expect(wrong.status).toBe(401);
    expect(await t.db.processedUpdate.count({ where: { updateId: 999_999_001n } })).toBe(0);
  });

  it("drops a body that is not an update with 200 (it could never be handled), logging none of it", async () => {
    for (const body of [
      "{not json CLMMRA75C12B157K",
      JSON.stringify({ message: { text: "CLMMRA75C12B157K" } }),
    ]) {
      const response = await fetch(webhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
        body,
      });
      expect(response.status).toBe(200);
    }
    const huge = await fetch(webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
      body: JSON.stringify({ update_id: 1, message: { text: "x".repeat(2 * 1024 * 1024) } }),
    });
    expect(huge.status).toBe(413);
    expect(bot.output()).not.toContain("CLMMRA75C12B157K");
  });

  it("sent no request Telegram rejects", async () => {
    const counters = await sandboxCounters(sandbox.url);
    expect(counters.responses["400"] ?? 0).toBe(0);
  });
});

// The delivery worker against real Redis, PostgreSQL and the sandbox over HTTP.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import { createLogger } from "../core/logger.ts";
import { createDeliveryQueue, type DeliveryQueue, requestDelivery } from "../core/queues/delivery.ts";
import { createHousekeepingQueue, HOUSEKEEPING_SCHEDULER } from "../core/queues/housekeeping.ts";
import { type Sandbox, startSandbox } from "../sandbox/server.ts";
import { type RunningWorker, startWorker } from "../worker/worker.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";
import { SandboxUser, sandboxCounters } from "./support/sandbox-user.ts";

let sandbox: Sandbox;
let t: TestDatabase;
let redis: Redis;
let queue: DeliveryQueue;
let worker: RunningWorker;
let prefix: string;
const clock = fixedClock(new Date("2026-11-27T10:00:00Z"));

async function control(path: string, body: unknown) {
  const response = await fetch(`${sandbox.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.ok).toBe(true);
}

/** A sandbox user who has written to the bot, and their member record. */
async function member(name: string) {
  const user = await SandboxUser.create(sandbox.url, { first_name: name });
  await user.send({ text: "hello" }); // Telegram refuses to start a conversation otherwise
  const record = await t.db.member.create({
    data: { telegramUserId: BigInt(user.id), chatId: BigInt(user.id), language: "it" },
  });
  return { user, record };
}

async function statusOf(outboundMessageId: number, expected: string) {
  await expect
    .poll(
      async () => (await t.db.outboundMessage.findUniqueOrThrow({ where: { id: outboundMessageId } })).status,
      {
        timeout: 15_000,
      },
    )
    .toBe(expected);
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  t = await createTestDatabase();
  prefix = testQueuePrefix();
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  queue = createDeliveryQueue(redis, prefix);
  worker = await startWorker({
    db: t.db,
    logger: createLogger({ level: "silent" }),
    clock,
    connection: redis,
    queuePrefix: prefix,
    telegram: { token: sandbox.token, apiRoot: sandbox.url },
  });
});

afterAll(async () => {
  await worker?.close();
  await queue?.obliterate({ force: true });
  await queue?.close();
  await redis?.quit();
  await sandbox?.close();
  await t?.drop();
});

describe("delivery", () => {
  it("sends a message once, however often it is requested", async () => {
    const { user, record } = await member("Uno");
    const request = {
      purpose: `test:once:${record.id}`,
      memberId: record.id,
      text: "Ciao <b>tu</b>",
      parseMode: "HTML" as const,
    };
    const first = await requestDelivery({ db: t.db, deliveryQueue: queue }, request);
    const second = await requestDelivery({ db: t.db, deliveryQueue: queue }, { ...request, text: "changed" });
    expect(second).toEqual({ outboundMessageId: first.outboundMessageId, created: false });
    await statusOf(first.outboundMessageId, "sent");
    // Asked again after it was sent: still nothing new.
    await requestDelivery({ db: t.db, deliveryQueue: queue }, request);
    const received = (await user.transcript()).filter((m) => m.from === "bot");
    expect(received.map((m) => m.text)).toEqual(["Ciao tu"]);
    const stored = await t.db.outboundMessage.findUniqueOrThrow({ where: { id: first.outboundMessageId } });
    expect(stored.telegramMessageId).not.toBeNull();
    expect(stored.sentAt).toEqual(clock.now());
  });

  it("marks a member who blocked the bot unreachable, without retrying", async () => {
    const { user, record } = await member("Due");
    await control(`/control/users/${user.id}/block`, {});
    const before = (await sandboxCounters(sandbox.url)).responses["403"] ?? 0;
    const { outboundMessageId } = await requestDelivery(
      { db: t.db, deliveryQueue: queue },
      { purpose: `test:blocked:${record.id}`, memberId: record.id, text: "Ciao" },
    );
    await statusOf(outboundMessageId, "unreachable");
    expect((await t.db.member.findUniqueOrThrow({ where: { id: record.id } })).unreachableAt).toEqual(
      clock.now(),
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect((await sandboxCounters(sandbox.url)).responses["403"] ?? 0).toBe(before + 1);
    // Later messages to them are not even attempted.
    const next = await requestDelivery(
      { db: t.db, deliveryQueue: queue },
      { purpose: `test:blocked2:${record.id}`, memberId: record.id, text: "Ciao" },
    );
    await statusOf(next.outboundMessageId, "unreachable");
    expect((await sandboxCounters(sandbox.url)).responses["403"] ?? 0).toBe(before + 1);
  });

  it("retries Telegram's 5xx answers and 429 bursts, and delivers each message exactly once", async () => {
    const members = await Promise.all(["Tre", "Quattro", "Cinque", "Sei"].map(member));
    await control("/control/faults", { error_rate: 0.3, burst_429: 2 });
    try {
      const ids = [];
      for (const { record } of members) {
        for (let i = 0; i < 3; i++) {
          const r = await requestDelivery(
            { db: t.db, deliveryQueue: queue },
            { purpose: `test:faults:${record.id}:${i}`, memberId: record.id, text: `Messaggio ${i}` },
          );
          ids.push(r.outboundMessageId);
        }
      }
      for (const id of ids) await statusOf(id, "sent");
    } finally {
      await control("/control/faults", { error_rate: 0, burst_429: 0 });
    }
    for (const { user } of members) {
      const texts = (await user.transcript()).filter((m) => m.from === "bot").map((m) => m.text);
      expect(texts.sort()).toEqual(["Messaggio 0", "Messaggio 1", "Messaggio 2"]);
    }
  }, 60_000);

  it("schedules the daily housekeeping once, in Europe/Rome, however many workers start", async () => {
    const queue = createHousekeepingQueue(redis, prefix);
    const again = await startWorker({
      db: t.db,
      logger: createLogger({ level: "silent" }),
      clock,
      connection: redis,
      queuePrefix: prefix,
      telegram: { token: sandbox.token, apiRoot: sandbox.url },
    });
    await again.close();
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => [s.key, s.pattern, s.tz])).toEqual([
      [HOUSEKEEPING_SCHEDULER, "30 3 * * *", "Europe/Rome"],
    ]);
    await queue.close();
  });

  it("gives up on a message Telegram rejects as malformed", async () => {
    const { record } = await member("Sette");
    const { outboundMessageId } = await requestDelivery(
      { db: t.db, deliveryQueue: queue },
      { purpose: `test:bad-html:${record.id}`, memberId: record.id, text: "<b>unclosed", parseMode: "HTML" },
    );
    await statusOf(outboundMessageId, "failed");
    const stored = await t.db.outboundMessage.findUniqueOrThrow({ where: { id: outboundMessageId } });
    expect(stored.attempts).toBe(1);
    expect(stored.lastError).toMatch(/^400 /);
  });
});

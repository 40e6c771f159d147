// The delivery worker against real Redis, PostgreSQL and the sandbox over HTTP.
import { Api } from "grammy";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import { createLogger } from "../core/logger.ts";
import { createDeliveryQueue, type DeliveryQueue, requestDelivery } from "../core/queues/delivery.ts";
import { createHousekeepingQueue, HOUSEKEEPING_SCHEDULER } from "../core/queues/housekeeping.ts";
import { type Sandbox, startSandbox } from "../sandbox/server.ts";
import { ChatBusy, processDelivery } from "../worker/delivery/processor.ts";
import { splitMessage } from "../worker/delivery/split.ts";
import { chatSlots } from "../worker/delivery/worker.ts";
import { type RunningWorker, startWorker } from "../worker/worker.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";
import {
  SandboxUser,
  sandboxControl,
  sandboxCounters,
  type TranscriptEntry,
} from "./support/sandbox-user.ts";

let sandbox: Sandbox;
let t: TestDatabase;
let redis: Redis;
let queue: DeliveryQueue;
let worker: RunningWorker;
let prefix: string;
const clock = fixedClock(new Date("2026-11-27T10:00:00Z"));

const control = (path: string, body: unknown) => sandboxControl(sandbox.url, path, body);

/** A sandbox user who has written to the bot, and their member record. */
async function member(name: string) {
  const user = await SandboxUser.create(sandbox.url, { first_name: name });
  await user.send({ text: "hello" }); // Telegram refuses to start a conversation otherwise
  const record = await t.db.member.create({
    data: { telegramUserId: BigInt(user.id), chatId: BigInt(user.id), language: "it" },
  });
  return { user, record };
}

async function statusOf(outboundMessageId: number, expected: string, timeout = 15_000) {
  await expect
    .poll(
      async () => (await t.db.outboundMessage.findUniqueOrThrow({ where: { id: outboundMessageId } })).status,
      { timeout },
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
      // A message failing four times in a row (30 % each) waits 1 + 2 + 4 + 8 s of backoff, and the
      // chat's later messages wait for it: allow for that.
      for (const id of ids) await statusOf(id, "sent", 60_000);
    } finally {
      await control("/control/faults", { error_rate: 0, burst_429: 0 });
    }
    for (const { user } of members) {
      const texts = (await user.transcript()).filter((m) => m.from === "bot").map((m) => m.text);
      expect(texts.sort()).toEqual(["Messaggio 0", "Messaggio 1", "Messaggio 2"]);
    }
  }, 180_000);

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

  it("sends about one message a second to a chat, in order, without holding up other chats", async () => {
    const { user, record } = await member("Otto");
    const others = await Promise.all(["Nove", "Dieci", "Undici"].map(member));
    // A burst of at most two messages per chat in the sandbox: sending the five at once would be
    // answered 429.
    await control("/control/limits", { chat_burst: 2 });
    try {
      const before = (await sandboxCounters(sandbox.url)).responses["429"] ?? 0;
      // Watches a chat from before the requests, noting when each bot message arrives.
      const arrivals = async (chatId: number, count: number, ready: () => void) => {
        const seen: { entry: TranscriptEntry; at: number }[] = [];
        let after = (await userMessages(chatId)).at(-1)?.message_id ?? 0;
        ready();
        while (seen.length < count) {
          const response = await fetch(
            `${sandbox.url}/control/chats/${chatId}/wait?after=${after}&count=1&timeout=15000`,
          );
          const entries = ((await response.json()) as TranscriptEntry[]).filter((m) => m.from === "bot");
          if (entries.length === 0) throw new Error(`no message in chat ${chatId}`);
          const at = Date.now();
          for (const entry of entries) seen.push({ entry, at });
          after = entries.at(-1)?.message_id ?? after;
        }
        return seen;
      };
      const watching: Promise<void>[] = [];
      const watch = (chatId: number, count: number) => {
        const { promise, resolve } = Promise.withResolvers<void>();
        watching.push(promise);
        return arrivals(chatId, count, resolve);
      };
      const watchers = Promise.all([watch(user.id, 5), ...others.map((o) => watch(o.user.id, 1))]);
      await Promise.all(watching);
      const ids: number[] = [];
      for (let i = 1; i <= 5; i++) {
        const r = await requestDelivery(
          { db: t.db, deliveryQueue: queue },
          { purpose: `test:pace:${record.id}:${i}`, memberId: record.id, text: `Messaggio ${i}` },
        );
        ids.push(r.outboundMessageId);
      }
      for (const other of others) {
        await requestDelivery(
          { db: t.db, deliveryQueue: queue },
          { purpose: `test:pace-other:${other.record.id}`, memberId: other.record.id, text: "Subito" },
        );
      }
      const [paced, ...rest] = await watchers;
      expect(paced?.map((m) => m.entry.text)).toEqual([1, 2, 3, 4, 5].map((i) => `Messaggio ${i}`));
      const times = (paced ?? []).map((m) => m.at);
      for (let i = 1; i < times.length; i++) {
        expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(900);
      }
      // The other chats got theirs before this chat's second message.
      for (const other of rest) expect(other[0]?.at).toBeLessThan(times[1] as number);
      expect((await sandboxCounters(sandbox.url)).responses["429"] ?? 0).toBe(before);
      for (const id of ids) {
        // Telegram's answer comes before the record says so: wait for it.
        await statusOf(id, "sent");
        const stored = await t.db.outboundMessage.findUniqueOrThrow({ where: { id } });
        expect(stored.attempts).toBe(1);
      }
    } finally {
      await control("/control/limits", { chat_burst: 5 });
    }
  }, 30_000);

  it("sends a 9,000-character HTML message in clean parts, in order, as one delivery", async () => {
    const { user, record } = await member("Dodici");
    const text = longHtml();
    const { outboundMessageId } = await requestDelivery(
      { db: t.db, deliveryQueue: queue },
      { purpose: `test:long:${record.id}`, memberId: record.id, text, parseMode: "HTML" },
    );
    await statusOf(outboundMessageId, "sent");
    const received = (await user.transcript()).filter((m) => m.from === "bot");
    expect(received).toHaveLength(3);
    for (const m of received) expect((m.text ?? "").length).toBeLessThanOrEqual(4096);
    const squash = (s: string) => s.replace(/\s+/g, "");
    const decoded = text
      .replace(/<[^>]*>/g, "")
      .replaceAll("&lt;", "<")
      .replaceAll("&gt;", ">")
      .replaceAll("&amp;", "&");
    expect(squash(received.map((m) => m.text).join(""))).toBe(squash(decoded));
    // Bold survives the cut: each part starts with a bold heading.
    for (const m of received as (TranscriptEntry & { entities?: { type: string; offset: number }[] })[]) {
      expect(m.entities?.[0]).toMatchObject({ type: "bold", offset: 0 });
    }
    const stored = await t.db.outboundMessage.findUniqueOrThrow({ where: { id: outboundMessageId } });
    expect(stored.attempts).toBe(1);
    expect(stored.telegramMessageId).toBe(BigInt(received.at(-1)?.message_id ?? 0));
  }, 30_000);

  it("resumes a long message after a failed part without sending the earlier parts again", async () => {
    const { user, record } = await member("Tredici");
    const text = longHtml();
    // Recorded directly (no queue job), so only this test's calls send it.
    const message = await t.db.outboundMessage.create({
      data: {
        purpose: `test:resume:${record.id}`,
        memberId: record.id,
        chatId: record.chatId,
        text,
        parseMode: "HTML",
      },
    });
    const api = new Api(sandbox.token, { apiRoot: sandbox.url });
    let sends = 0;
    api.config.use((prev, method, payload, signal) => {
      if (method === "sendMessage" && ++sends === 2) {
        return Promise.resolve({ ok: false as const, error_code: 502, description: "Bad Gateway" });
      }
      return prev(method, payload, signal);
    });
    const data: { outboundMessageId: number; nextPart?: number } = { outboundMessageId: message.id };
    const deps = {
      db: t.db,
      api,
      clock,
      logger: createLogger({ level: "silent" }),
      rateLimit: async () => {},
      takeChatSlot: chatSlots(redis, `${prefix}-resume`, 1000),
      chatIntervalMs: 1000,
    };
    const job = {
      saveNextPart: async (nextPart: number) => {
        data.nextPart = nextPart;
      },
      finalAttempt: false,
    };
    await expect(processDelivery({ ...data }, deps, job)).rejects.toThrow(/502/);
    expect(data.nextPart).toBe(1);
    expect((await t.db.outboundMessage.findUniqueOrThrow({ where: { id: message.id } })).status).toBe(
      "queued",
    );
    // The retry: the chat's slot may still be taken, which only puts the job back for a moment.
    let outcome: string | undefined;
    for (let tries = 0; tries < 5 && outcome === undefined; tries++) {
      try {
        outcome = await processDelivery({ ...data }, deps, job);
      } catch (error) {
        if (!(error instanceof ChatBusy)) throw error;
        await new Promise((r) => setTimeout(r, error.delayMs));
      }
    }
    expect(outcome).toBe("sent");
    const parts = splitMessage(text, "HTML");
    const received = (await user.transcript()).filter((m) => m.from === "bot");
    expect(received).toHaveLength(parts.length);
    expect(new Set(received.map((m) => m.text)).size).toBe(parts.length);
    const stored = await t.db.outboundMessage.findUniqueOrThrow({ where: { id: message.id } });
    expect([stored.status, stored.attempts]).toEqual(["sent", 2]);
  }, 30_000);
});

/** About 9,000 characters once parsed: paragraphs with bold headings, italics and entities. */
function longHtml(): string {
  const paragraph = (i: number) =>
    `<b>Rata ${i}</b> &amp; spese: <i>${"importo &lt;dovuto&gt; ".repeat(20)}</i>\n${"testo ".repeat(30)}`;
  return Array.from({ length: 17 }, (_, i) => paragraph(i)).join("\n\n");
}

async function userMessages(chatId: number): Promise<TranscriptEntry[]> {
  const response = await fetch(`${sandbox.url}/control/chats/${chatId}/transcript`);
  return (await response.json()) as TranscriptEntry[];
}

// The overall pace of deliveries, kept by several worker instances together: against a sandbox that
// counts Telegram's limit as a sliding one-second window, no second holds more than the limit, sends
// come evenly spaced rather than in bursts, and every message arrives once. Checked on the times the
// sandbox recorded. A loaded machine mostly slows sends; it can also bunch them (one delayed, the next
// on time), which is what the margin between the pace and the limit is for.
import { Api } from "grammy";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CrowdMember, receivedPerChat, seedCrowd } from "../bench/broadcast-crowd.ts";
import { systemClock } from "../core/clock.ts";
import { createLogger } from "../core/logger.ts";
import { createDeliveryQueue, type DeliveryQueue, requestDelivery } from "../core/queues/delivery.ts";
import { busiestWindow } from "../sandbox/limits.ts";
import { type Sandbox, startSandbox } from "../sandbox/server.ts";
import { createPacer } from "../worker/delivery/pacer.ts";
import { createDeliveryWorker } from "../worker/delivery/worker.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";
import { sandboxCounters } from "./support/sandbox-user.ts";

const LIMIT = 20; // the sandbox's sliding window, messages within any 1000 ms
// The workers' pace, under the limit as DELIVERY_RATE_PER_SECOND is under Telegram's: a busy machine
// delays some sends and lets the next ones through on time, so arrivals bunch a little (18 a second
// once arrived as 21 in a second at the sandbox, with the tests of 111 other files running).
const RATE = 16;
const RECIPIENTS = 120;

let sandbox: Sandbox;
let t: TestDatabase;
const connections: Redis[] = [];
const redis = () => {
  const connection = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  connections.push(connection);
  return connection;
};

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, limits: { global_per_second: LIMIT, global_window: "sliding" } });
  t = await createTestDatabase();
});

afterAll(async () => {
  await Promise.all(connections.map((c) => c.quit()));
  await sandbox?.close();
  await t?.drop();
});

const paceKeys = (prefix: string) =>
  ["", ":log", ":hold"].map((suffix) => `${prefix}:delivery:pace${suffix}`);

describe("the pacer", () => {
  it("spaces the moments it hands out by 1/rate, across two instances", async () => {
    const prefix = testQueuePrefix();
    const pacers = [
      createPacer(redis(), prefix, { ratePerSecond: 20 }),
      createPacer(redis(), prefix, { ratePerSecond: 20 }),
    ];
    const start = Date.now();
    const done = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        expect(await pacers[i % 2]?.take()).toBe(0);
        return Date.now();
      }),
    );
    done.sort((a, b) => a - b);
    // The k-th send cannot come before k intervals of 50 ms (2 ms for the clocks' rounding).
    done.forEach((at, k) => {
      expect(at - start).toBeGreaterThanOrEqual(k * 50 - 2);
    });
    expect(busiestWindow(done, 250)).toBeLessThanOrEqual(6);
    await connections[0]?.del(...paceKeys(prefix));
  });

  it("lets senders that woke late catch up, never over the rate in a second nor in a burst", async () => {
    const prefix = testQueuePrefix();
    const pacers = [0, 1, 2].map(() => createPacer(redis(), prefix, { ratePerSecond: 20 }));
    const done: number[] = [];
    const sends = Array.from({ length: 36 }, async (_, i) => {
      expect(await pacers[i % 3]?.take()).toBe(0);
      done.push(Date.now());
    });
    // A stalled process: for 400 ms no timer fires, and eight moments go by unused.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stalled = Date.now();
    while (Date.now() - stalled < 400) {
      // busy: the event loop is blocked
    }
    await Promise.all(sends);
    done.sort((a, b) => a - b);
    // The log in Redis holds at most 20 a second on Redis's clock; seen here, each send a few ms
    // later than its moment, one more may fall within a second (as for Telegram, whose limit the
    // rate stays one under).
    expect(busiestWindow(done, 1000)).toBeLessThanOrEqual(21);
    // Caught up (sends closer than the 50 ms interval after the stall), but not all at once: at most
    // one every 25 ms, so a quarter second holds at most 11 (and one more, seen from here).
    expect(busiestWindow(done, 250)).toBeLessThanOrEqual(12);
    const gaps = done.slice(1).map((at, k) => at - (done[k] as number));
    // Eight moments to make up for, 25 ms at a time: about 16 sends closer than 35 ms (a pacer that
    // never catches up keeps them 3/4 of an interval apart at the least).
    expect(gaps.filter((gap) => gap < 35).length).toBeGreaterThanOrEqual(8);
    await connections[0]?.del(...paceKeys(prefix));
  });

  it("reserves nothing past its longest wait, and holds every instance after a 429", async () => {
    const prefix = testQueuePrefix();
    const pacer = createPacer(redis(), prefix, { ratePerSecond: 20, maxWaitMs: 200 });
    const other = createPacer(redis(), prefix, { ratePerSecond: 20, maxWaitMs: 200 });
    const answers = await Promise.all(Array.from({ length: 10 }, () => pacer.take()));
    // Moments 0, 50 … 200 ms away are taken; the rest are told to come back later.
    expect(answers.filter((ms) => ms === 0).length).toBeGreaterThanOrEqual(5);
    expect(answers.filter((ms) => ms > 0).length).toBeGreaterThanOrEqual(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await pacer.hold(3000);
    const later = await other.take();
    expect(later).toBeGreaterThan(2000);
    expect(later).toBeLessThanOrEqual(3000 + 50); // retry_after and one interval
    await connections[0]?.del(...paceKeys(prefix));
  });
});

describe("two delivery workers against a sliding one-second window", () => {
  let crowd: CrowdMember[];
  let queue: DeliveryQueue;
  let prefix: string;

  beforeAll(async () => {
    crowd = await seedCrowd(t.db, sandbox.url, RECIPIENTS);
    prefix = testQueuePrefix();
    queue = createDeliveryQueue(redis(), prefix);
  });

  afterAll(async () => {
    await queue?.obliterate({ force: true });
    await queue?.close();
  });

  it("never exceeds the limit in any second, sends evenly, and delivers each message once", async () => {
    const marker = "[pace]";
    for (const { memberId } of crowd) {
      await requestDelivery(
        { db: t.db, deliveryQueue: queue },
        { purpose: `test:pace:${memberId}`, memberId, text: `Avviso ${marker}` },
      );
    }
    await fetch(`${sandbox.url}/control/reset-counters`, { method: "POST" });
    const api = new Api(sandbox.token, { apiRoot: sandbox.url, timeoutSeconds: 30 });
    const logger = createLogger({ level: "silent" });
    const workers = [0, 1].map(() =>
      createDeliveryWorker(
        { db: t.db, api, clock: systemClock, logger },
        { connection: redis(), prefix, ratePerSecond: RATE },
      ),
    );
    try {
      await expect
        .poll(() => t.db.outboundMessage.count({ where: { status: "sent" } }), {
          timeout: (RECIPIENTS / RATE) * 1000 * 4 + 20_000,
          interval: 500,
        })
        .toBe(RECIPIENTS);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }

    const times = (await (await fetch(`${sandbox.url}/control/send-times`)).json()) as {
      accepted: number[];
      refused: number[];
    };
    const calls = [...times.accepted, ...times.refused];
    // Every call that reached Telegram, let through or not: never more than the limit in a second.
    expect(busiestWindow(calls, 1000)).toBeLessThanOrEqual(LIMIT);
    // Evenly, not in bursts: a fixed-window limiter sends a second's worth at once; paced, a
    // quarter second holds about a quarter of the rate.
    expect(busiestWindow(calls, 250)).toBeLessThanOrEqual(RATE / 2);
    expect((await sandboxCounters(sandbox.url)).responses["429"] ?? 0).toBeLessThanOrEqual(2);
    // Nothing lost, nothing twice.
    const received = await receivedPerChat(
      sandbox.url,
      crowd.map((c) => c.chatId),
      marker,
    );
    expect([...received.values()].filter((n) => n !== 1)).toEqual([]);
    expect(times.accepted.length).toBe(RECIPIENTS);
  });
});

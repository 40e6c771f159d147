// Real worker processes (node main.ts --role worker): SIGTERM with deliveries in flight, two workers
// side by side on one queue prefix, and /health when Redis goes away.
import { type ChildProcess, spawn } from "node:child_process";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDeliveryQueue, type DeliveryQueue, requestDelivery } from "../core/queues/delivery.ts";
import { createHousekeepingQueue } from "../core/queues/housekeeping.ts";
import { type Sandbox, startSandbox } from "../sandbox/server.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";
import { freePort, type RunningProcess, startProcess } from "./support/processes.ts";
import { SandboxUser, sandboxControl } from "./support/sandbox-user.ts";

let sandbox: Sandbox;
let t: TestDatabase;
let redis: Redis;
const running: RunningProcess[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  t = await createTestDatabase();
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
});

afterAll(async () => {
  for (const process of running) await process.stop("SIGKILL");
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await redis?.quit();
  await sandbox?.close();
  await t?.drop();
});

function workerEnv(prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: t.url,
    QUEUE_PREFIX: prefix,
    TELEGRAM_BOT_TOKEN: sandbox.token,
    TELEGRAM_API_ROOT: sandbox.url,
    SESSION_SECRET: "operations-session-secret-operations",
    ...extra,
  };
}

async function startWorkerProcess(env: Record<string, string>): Promise<RunningProcess> {
  const worker = await startProcess(["main.ts", "--role", "worker"], env);
  running.push(worker);
  return worker;
}

const setFaults = (body: Record<string, unknown>) => sandboxControl(sandbox.url, "/control/faults", body);

/** Sandbox users who have written to the bot (Telegram refuses to start a conversation otherwise). */
async function members(count: number, tag: string) {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const user = await SandboxUser.create(sandbox.url, { first_name: `${tag}${i}` });
      await user.send({ text: "hello" });
      const record = await t.db.member.create({
        data: { telegramUserId: BigInt(user.id), chatId: BigInt(user.id), language: "it" },
      });
      return { user, record };
    }),
  );
}

/** Queues `perMember` messages to each member; returns the text each member must receive. */
async function queueMessages(
  queue: DeliveryQueue,
  people: Awaited<ReturnType<typeof members>>,
  perMember: number,
  tag: string,
): Promise<Map<number, string[]>> {
  const expected = new Map<number, string[]>();
  for (const { user, record } of people) {
    const texts: string[] = [];
    for (let n = 0; n < perMember; n++) {
      const text = `${tag} ${record.id} #${n}`;
      await requestDelivery(
        { db: t.db, deliveryQueue: queue },
        { purpose: `${tag}:${record.id}:${n}`, memberId: record.id, text },
      );
      texts.push(text);
    }
    expected.set(user.id, texts);
  }
  return expected;
}

async function allSent(tag: string, total: number, timeout = 60_000) {
  await expect
    .poll(
      () => t.db.outboundMessage.count({ where: { purpose: { startsWith: `${tag}:` }, status: "sent" } }),
      {
        timeout,
        interval: 250,
      },
    )
    .toBe(total);
}

/** Every member got each of their messages exactly once. */
async function deliveredExactlyOnce(
  people: Awaited<ReturnType<typeof members>>,
  expected: Map<number, string[]>,
) {
  for (const { user } of people) {
    const texts = (await user.transcript()).filter((m) => m.from === "bot").map((m) => m.text);
    expect(texts.sort()).toEqual([...(expected.get(user.id) ?? [])].sort());
  }
}

async function health(port: number) {
  const response = await fetch(`http://127.0.0.1:${port}/health`);
  return { status: response.status, body: (await response.json()) as { checks: Record<string, string> } };
}

describe("SIGTERM", () => {
  it("lets deliveries in flight finish, exits 0, and a restarted worker delivers the rest exactly once", async () => {
    const prefix = testQueuePrefix();
    const queue = createDeliveryQueue(redis, prefix);
    cleanups.push(async () => {
      await queue.obliterate({ force: true });
      await queue.close();
    });
    const people = await members(12, "Term");
    // A slow Bot API: every send takes 1.5 s, so several are in flight at any moment.
    await setFaults({ latency_ms: 1500 });
    cleanups.push(() => setFaults({ latency_ms: 0 }));
    const expected = await queueMessages(queue, people, 2, "term");

    const first = await startWorkerProcess(workerEnv(prefix));
    // Wait until calls to Telegram are in flight (each takes 1.5 s), then stop the worker.
    await expect
      .poll(() => t.db.outboundMessage.count({ where: { status: "sending" } }), {
        timeout: 30_000,
        interval: 50,
      })
      .toBeGreaterThan(0);
    expect(await first.stop("SIGTERM")).toBe(0);
    expect(first.output()).not.toMatch(/error/i);
    // Nothing was left half-sent: what was in flight finished, the rest waits in the queue.
    expect(await t.db.outboundMessage.count({ where: { status: "sending" } })).toBe(0);
    const sentBefore = await t.db.outboundMessage.count({
      where: { purpose: { startsWith: "term:" }, status: "sent" },
    });
    expect(sentBefore).toBeGreaterThan(0);
    expect(sentBefore).toBeLessThan(24);

    await setFaults({ latency_ms: 0 });
    const second = await startWorkerProcess(workerEnv(prefix));
    await allSent("term", 24);
    await deliveredExactlyOnce(people, expected);
    expect(await second.stop("SIGTERM")).toBe(0);
  }, 120_000);
});

describe("two workers side by side", () => {
  it("share one queue prefix: each message once, one housekeeping schedule, each healthy on its own port", async () => {
    const prefix = testQueuePrefix();
    const queue = createDeliveryQueue(redis, prefix);
    const housekeeping = createHousekeepingQueue(redis, prefix);
    cleanups.push(async () => {
      await queue.obliterate({ force: true });
      await housekeeping.obliterate({ force: true });
      await Promise.all([queue.close(), housekeeping.close()]);
    });
    const ports = [await freePort(), await freePort()];
    const workers = await Promise.all(
      ports.map((port) => startWorkerProcess(workerEnv(prefix, { METRICS_PORT: String(port) }))),
    );
    for (const port of ports) {
      expect(await health(port)).toEqual({
        status: 200,
        body: { status: "ok", checks: { database: "ok", redis: "ok", worker: "ok" } },
      });
    }
    const people = await members(15, "Pair");
    const expected = await queueMessages(queue, people, 2, "pair");
    await allSent("pair", 30);
    await deliveredExactlyOnce(people, expected);

    expect(await housekeeping.getJobSchedulers()).toHaveLength(1);
    expect(await housekeeping.getJobCounts("delayed", "waiting")).toEqual({ delayed: 1, waiting: 0 });
    // Both report the shared figures from PostgreSQL.
    for (const port of ports) {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(text).toMatch(/^bussola_outbound_messages\{status="sent"\} [1-9]\d*$/m);
      expect(text).toContain('bussola_queue_jobs{queue="housekeeping",state="delayed"} 1');
    }
    for (const worker of workers) expect(await worker.stop("SIGTERM")).toBe(0);
  }, 120_000);
});

describe("/health of a worker process", () => {
  it("answers 503 naming Redis when its Redis goes away", async () => {
    const redisPort = await freePort();
    const server: ChildProcess = spawn(
      "redis-server",
      ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    );
    cleanups.push(async () => {
      if (server.exitCode === null) server.kill("SIGKILL");
    });
    const probe = new Redis(`redis://127.0.0.1:${redisPort}`, { maxRetriesPerRequest: null });
    probe.on("error", () => undefined); // refused until the server listens
    await expect.poll(() => probe.ping().catch(() => "no"), { timeout: 10_000 }).toBe("PONG");
    probe.disconnect();

    const metricsPort = await freePort();
    const worker = await startWorkerProcess(
      workerEnv(testQueuePrefix(), {
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        METRICS_PORT: String(metricsPort),
      }),
    );
    expect((await health(metricsPort)).status).toBe(200);

    const stopped = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    await stopped;
    await expect.poll(async () => (await health(metricsPort)).status, { timeout: 10_000 }).toBe(503);
    expect((await health(metricsPort)).body.checks).toEqual({
      database: "ok",
      redis: "failed",
      worker: "ok",
    });
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toContain('bussola_metrics_source_up{source="redis"} 0');
    expect(metrics).toContain('bussola_metrics_source_up{source="database"} 1');
    // SIGTERM still ends it though nothing can be handed back to Redis: at the shutdown deadline,
    // with exit code 1 and a line saying so.
    expect(await worker.stop("SIGTERM")).toBe(1);
    expect(worker.output()).toContain("shutdown did not finish in time");
  }, 90_000);
});

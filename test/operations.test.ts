// The worker's /health and /metrics (in-process, real PostgreSQL and Redis): the figures, fixed label
// sets with nothing personal, and 503 naming the check that failed.
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../core/clock.ts";
import { createDb } from "../core/db/client.ts";
import { createLogger } from "../core/logger.ts";
import { createMetrics, type Metrics } from "../core/metrics.ts";
import { createDeliveryQueue, requestDelivery } from "../core/queues/delivery.ts";
import { startSandbox } from "../sandbox/server.ts";
import { startWorkerHttp, type WorkerHttp } from "../worker/http.ts";
import { startWorker } from "../worker/worker.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";
import { SandboxUser } from "./support/sandbox-user.ts";

let t: TestDatabase;
let redis: Redis;
let prefix: string;
let metrics: Metrics;
let http: WorkerHttp;
let running = true;
const SECRET_NAME = "Famiglia Segreta";
const SECRET_TEXT = "Rata di 321,00 € per Mario";

beforeAll(async () => {
  t = await createTestDatabase();
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  prefix = testQueuePrefix();
  metrics = createMetrics({
    db: t.db,
    connection: redis,
    queuePrefix: prefix,
    queueNames: ["delivery", "reminders"],
  });
  http = await startWorkerHttp(
    { db: t.db, connection: redis, metrics, isRunning: () => running },
    { host: "127.0.0.1", port: 0 },
  );
});

afterAll(async () => {
  await http?.close();
  await metrics?.close();
  for (const name of ["delivery", "reminders"]) {
    const queue = new Queue(name, { connection: redis, prefix });
    await queue.obliterate({ force: true });
    await queue.close();
  }
  await redis?.quit();
  await t?.drop();
});

/** Prometheus text → "name{labels}" → value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

async function scrape(url = http.url) {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain");
  const text = await response.text();
  return { text, values: samples(text) };
}

async function health(url = http.url) {
  const response = await fetch(`${url}/health`);
  return {
    status: response.status,
    body: (await response.json()) as { status: string; checks: Record<string, string> },
  };
}

describe("/metrics", () => {
  it("reports queue depth, outbound messages, reminders, cases, broadcasts and unreachable members", async () => {
    const { db } = t;
    const household = await db.household.create({
      data: {
        contractCode: "OP-1",
        name: SECRET_NAME,
        fiscalCode: "X",
        municipality: "Mantova",
        address: "Via 1",
      },
    });
    const member = await db.member.create({
      data: {
        telegramUserId: 77n,
        chatId: 77n,
        householdId: household.id,
        firstName: "Mario",
        unreachableAt: new Date(),
      },
    });
    const out = (purpose: string, status: "sent" | "queued" | "failed" | "uncertain") =>
      db.outboundMessage.create({
        data: { purpose, memberId: member.id, chatId: 77n, text: SECRET_TEXT, status },
      });
    await out("reminder:inst-due:1:1", "sent");
    await out("reminder:inst-due:2:1", "sent");
    await out("reminder:course-2h:5:1", "sent");
    await out("reminder:doc-7:3:1", "queued");
    await out("reminder:something-new:1:1", "sent");
    await out("linked:1", "sent");
    await out("broadcast:1:1", "failed");
    await out("op-reply:1", "uncertain");
    await db.case.createMany({
      data: [
        { householdId: household.id, topic: "debt", source: "household" },
        { householdId: household.id, topic: "debt", source: "distress", urgent: true },
        { householdId: household.id, topic: "debt", source: "overdue", dedupeKey: "overdue:1" },
        { householdId: household.id, topic: "debt", source: "overdue", dedupeKey: "overdue:2" },
      ],
    });
    await db.broadcast.create({ data: { audience: "all", texts: { it: SECRET_TEXT }, sendAt: new Date() } });
    const delivery = new Queue("delivery", { connection: redis, prefix });
    await delivery.add("deliver", { outboundMessageId: 1 });
    await delivery.add("deliver", { outboundMessageId: 2 }, { delay: 60_000 });
    await delivery.close();

    metrics.countDeliverySend("sent");
    metrics.countDeliverySend("sent");
    metrics.countDeliverySend("rate_limited");

    const { text, values } = await scrape();
    expect(values.get('bussola_queue_jobs{queue="delivery",state="waiting"}')).toBe(1);
    expect(values.get('bussola_queue_jobs{queue="delivery",state="delayed"}')).toBe(1);
    expect(values.get('bussola_queue_jobs{queue="delivery",state="active"}')).toBe(0);
    expect(values.get('bussola_queue_jobs{queue="reminders",state="waiting"}')).toBe(0);
    expect(values.get('bussola_delivery_sends_total{outcome="sent"}')).toBe(2);
    expect(values.get('bussola_delivery_sends_total{outcome="rate_limited"}')).toBe(1);
    expect(values.get('bussola_delivery_sends_total{outcome="uncertain"}')).toBe(0);
    expect(values.get('bussola_outbound_messages{status="sent"}')).toBe(5);
    expect(values.get('bussola_outbound_messages{status="queued"}')).toBe(1);
    expect(values.get('bussola_outbound_messages{status="failed"}')).toBe(1);
    expect(values.get('bussola_outbound_messages{status="uncertain"}')).toBe(1);
    expect(values.get('bussola_outbound_messages{status="cancelled"}')).toBe(0);
    expect(values.get('bussola_reminders_sent{kind="inst-due"}')).toBe(2);
    expect(values.get('bussola_reminders_sent{kind="course-2h"}')).toBe(1);
    expect(values.get('bussola_reminders_sent{kind="doc-7"}')).toBe(0); // queued, not sent
    expect(values.get('bussola_reminders_sent{kind="other"}')).toBe(1);
    expect(values.get('bussola_cases_opened{source="overdue",urgent="false"}')).toBe(2);
    expect(values.get('bussola_cases_opened{source="distress",urgent="true"}')).toBe(1);
    expect(values.get('bussola_cases_opened{source="household",urgent="false"}')).toBe(1);
    expect(values.get('bussola_cases_opened{source="plan_broken",urgent="false"}')).toBe(0);
    expect(values.get('bussola_broadcasts{status="scheduled"}')).toBe(1);
    expect(values.get("bussola_unreachable_members")).toBe(1);
    expect(values.get('bussola_metrics_source_up{source="database"}')).toBe(1);
    expect(values.get('bussola_metrics_source_up{source="redis"}')).toBe(1);
    // Node's process metrics, from this registry.
    expect(values.get("process_cpu_user_seconds_total")).toBeGreaterThan(0);

    // Labels only from fixed sets: no names, texts, ids or unknown kinds.
    expect(text).not.toContain("Segreta");
    expect(text).not.toContain("Mario");
    expect(text).not.toContain("something-new");
    const labelValues = new Set(
      [...text.matchAll(/^bussola_[a-z_]+\{([^}]*)\}/gm)].flatMap((m) =>
        [...(m[1] ?? "").matchAll(/="([^"]*)"/g)].map((l) => l[1]),
      ),
    );
    for (const value of labelValues) expect(value).toMatch(/^[a-z0-9_-]+$/);
    expect([...labelValues].some((value) => /^\d+$/.test(value ?? ""))).toBe(false);
  });

  it("keeps its own registry, not prom-client's global one", async () => {
    const { register } = await import("prom-client");
    expect(await register.getSingleMetric("bussola_queue_jobs")).toBeUndefined();
    expect(metrics.registry.getSingleMetric("bussola_queue_jobs")).toBeDefined();
  });
});

describe("/health", () => {
  it("answers 200 when PostgreSQL, Redis and the worker are fine", async () => {
    expect(await health()).toEqual({
      status: 200,
      body: { status: "ok", checks: { database: "ok", redis: "ok", worker: "ok" } },
    });
  });

  it("answers 503 naming the worker when it is stopping", async () => {
    running = false;
    try {
      expect(await health()).toEqual({
        status: 503,
        body: { status: "unavailable", checks: { database: "ok", redis: "ok", worker: "failed" } },
      });
    } finally {
      running = true;
    }
  });

  it("answers 503 naming PostgreSQL or Redis when they do not answer, and /metrics says which source is down", async () => {
    // Nothing listens on port 1: both connections are refused.
    const deadDb = createDb("postgresql://postgres@127.0.0.1:1/bussola", { poolSize: 1 });
    const deadRedis = new Redis("redis://127.0.0.1:1", {
      maxRetriesPerRequest: null,
      retryStrategy: () => 1000,
      lazyConnect: true,
    });
    deadRedis.on("error", () => undefined);
    const deadMetrics = createMetrics({
      db: deadDb,
      connection: deadRedis,
      queuePrefix: prefix,
      queueNames: ["delivery"],
    });
    const broken = await startWorkerHttp(
      { db: deadDb, connection: deadRedis, metrics: deadMetrics, isRunning: () => true },
      { host: "127.0.0.1", port: 0 },
    );
    try {
      expect(await health(broken.url)).toEqual({
        status: 503,
        body: { status: "unavailable", checks: { database: "failed", redis: "failed", worker: "ok" } },
      });
      const { values } = await scrape(broken.url);
      expect(values.get('bussola_metrics_source_up{source="database"}')).toBe(0);
      expect(values.get('bussola_metrics_source_up{source="redis"}')).toBe(0);
      expect(values.has('bussola_outbound_messages{status="sent"}')).toBe(false);
      expect(values.has('bussola_queue_jobs{queue="delivery",state="waiting"}')).toBe(false);
      // This process's own counters and process metrics are still served.
      expect(values.get('bussola_delivery_sends_total{outcome="sent"}')).toBe(0);
    } finally {
      await broken.close();
      deadRedis.disconnect();
      await deadMetrics.close().catch(() => undefined);
      await deadDb.$disconnect().catch(() => undefined);
    }
  });
});

describe("closing the worker", () => {
  it("waits for active jobs only as long as the grace period, leaving a late job in Redis", async () => {
    // A Bot API that takes 20 s per call, and a grace period of 300 ms.
    const sandbox = await startSandbox({ port: 0, faults: { latency_ms: 20_000 } });
    const queuePrefix = testQueuePrefix();
    const queue = createDeliveryQueue(redis, queuePrefix);
    const worker = await startWorker({
      db: t.db,
      logger: createLogger({ level: "silent" }),
      clock: systemClock,
      connection: redis,
      queuePrefix,
      telegram: { token: sandbox.token, apiRoot: sandbox.url },
      shutdownGraceMs: 300,
    });
    try {
      const user = await SandboxUser.create(sandbox.url, { first_name: "Lenta" });
      await user.send({ text: "hello" });
      const record = await t.db.member.create({
        data: { telegramUserId: BigInt(user.id), chatId: BigInt(user.id) },
      });
      const { outboundMessageId } = await requestDelivery(
        { db: t.db, deliveryQueue: queue },
        { purpose: `slow:${record.id}`, memberId: record.id, text: "lento" },
      );
      // In flight: the worker has started the call to Telegram.
      await expect
        .poll(
          async () =>
            (await t.db.outboundMessage.findUniqueOrThrow({ where: { id: outboundMessageId } })).status,
          {
            timeout: 10_000,
          },
        )
        .toBe("sending");
      await worker.close();
      // Closed while the call was still in flight: the job is neither completed nor lost; BullMQ's
      // stalled-job check gives it to a worker again once its lock runs out.
      expect(await queue.getJobState(`message-${outboundMessageId}`)).toBe("active");
      expect(
        (await t.db.outboundMessage.findUniqueOrThrow({ where: { id: outboundMessageId } })).status,
      ).toBe("sending");
    } finally {
      await worker.close().catch(() => undefined);
      await queue.obliterate({ force: true });
      await queue.close();
      await sandbox.close();
    }
  }, 60_000);
});

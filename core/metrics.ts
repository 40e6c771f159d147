// Prometheus metrics of a worker process: a registry of our own (never prom-client's global one),
// Node's process metrics, the queues' depth from Redis and the programme's figures from PostgreSQL,
// both read at scrape time so every worker reports the same shared truth. Labels come only from the
// fixed small sets below: never ids, names or texts.
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { Db } from "./db/client.ts";
import { sqlOf } from "./db/sql.ts";
import { DELIVERY_STATUSES } from "./queues/delivery.ts";
import { REMINDER_KINDS } from "./reminders/rules.ts";

export const QUEUE_STATES = ["waiting", "active", "delayed", "failed", "prioritized"] as const;

/** What became of one attempt to deliver an outbound message. */
export const DELIVERY_OUTCOMES = [
  "sent",
  "rate_limited",
  "retried",
  "failed",
  "unreachable",
  "uncertain",
  "skipped",
] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

export const CASE_SOURCES = ["household", "overdue", "plan_broken", "distress"] as const;
export const BROADCAST_STATUSES = ["scheduled", "sending", "done", "cancelled"] as const;

/** A scrape waits this long for Redis or PostgreSQL, then reports the source as down. */
const SOURCE_TIMEOUT_MS = 2000;

export type Metrics = {
  registry: Registry;
  /** Counts one delivery attempt's outcome (called by the delivery worker). */
  countDeliverySend(outcome: DeliveryOutcome): void;
  /** Reads queues and database, then renders every metric in Prometheus' text format. */
  render(): Promise<{ contentType: string; text: string }>;
  close(): Promise<void>;
};

export type MetricsDeps = {
  db: Db;
  connection: Redis;
  queuePrefix: string;
  /** The queues to report, e.g. delivery, housekeeping, reminders, broadcasts, escalation. */
  queueNames: readonly string[];
};

type FigureRow = { metric: string; a: string | null; b: string | null; n: number };

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer in time`)), SOURCE_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createMetrics(deps: MetricsDeps): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const sql = sqlOf(deps.db);
  const queues = deps.queueNames.map((name) => {
    const queue = new Queue(name, { connection: deps.connection, prefix: deps.queuePrefix });
    // Redis being away shows as bussola_metrics_source_up{source="redis"} 0 and in /health.
    queue.on("error", () => undefined);
    return queue;
  });

  const sourceUp = new Gauge({
    name: "bussola_metrics_source_up",
    help: "1 when the last scrape could read the source (redis, database), else 0",
    labelNames: ["source"],
    registers: [registry],
  });
  const queueJobs = new Gauge({
    name: "bussola_queue_jobs",
    help: "Jobs in each queue by state",
    labelNames: ["queue", "state"],
    registers: [registry],
  });
  const sends = new Counter({
    name: "bussola_delivery_sends_total",
    help: "Delivery attempts by this process, by outcome",
    labelNames: ["outcome"],
    registers: [registry],
  });
  for (const outcome of DELIVERY_OUTCOMES) sends.inc({ outcome }, 0);
  const outbound = new Gauge({
    name: "bussola_outbound_messages",
    help: "Outbound messages recorded, by delivery status (all workers)",
    labelNames: ["status"],
    registers: [registry],
  });
  const reminders = new Gauge({
    name: "bussola_reminders_sent",
    help: "Reminders delivered, by kind (records within the retention period)",
    labelNames: ["kind"],
    registers: [registry],
  });
  const cases = new Gauge({
    name: "bussola_cases_opened",
    help: "Cases opened, by source and urgency",
    labelNames: ["source", "urgent"],
    registers: [registry],
  });
  const broadcasts = new Gauge({
    name: "bussola_broadcasts",
    help: "Broadcasts by status",
    labelNames: ["status"],
    registers: [registry],
  });
  const unreachable = new Gauge({
    name: "bussola_unreachable_members",
    help: "Members Telegram reported unreachable (blocked the bot or deleted their account)",
    registers: [registry],
  });

  async function readQueues(): Promise<void> {
    const counts = await withTimeout(
      Promise.all(queues.map((queue) => queue.getJobCounts(...QUEUE_STATES))),
      "redis",
    );
    queues.forEach((queue, i) => {
      for (const state of QUEUE_STATES) queueJobs.set({ queue: queue.name, state }, counts[i]?.[state] ?? 0);
    });
  }

  // One statement, all on indexes or small tables: outbound by status (status index), reminders sent
  // by kind, cases, broadcasts, unreachable members.
  async function readFigures(): Promise<void> {
    const rows = await withTimeout(
      sql.query<FigureRow>`
        SELECT 'outbound' AS metric, status::text AS a, NULL AS b, count(*)::int AS n
          FROM "OutboundMessage" GROUP BY status
        UNION ALL
        SELECT 'reminder', split_part(purpose, ':', 2), NULL, count(*)::int
          FROM "OutboundMessage" WHERE status = 'sent' AND purpose LIKE 'reminder:%' GROUP BY 2
        UNION ALL
        SELECT 'case', source::text, urgent::text, count(*)::int FROM "Case" GROUP BY source, urgent
        UNION ALL
        SELECT 'broadcast', status::text, NULL, count(*)::int FROM "Broadcast" GROUP BY status
        UNION ALL
        SELECT 'unreachable', NULL, NULL, count(*)::int FROM "Member" WHERE "unreachableAt" IS NOT NULL`,
      "database",
    );
    // Every label of the fixed sets is reported, zero included, so a series never vanishes.
    const zero = <T extends string>(values: readonly T[]) =>
      new Map<string, number>(values.map((v) => [v, 0]));
    const byStatus = zero(DELIVERY_STATUSES);
    const byKind = zero([...REMINDER_KINDS, "other"]);
    const byCase = zero(CASE_SOURCES.flatMap((s) => [`${s}|true`, `${s}|false`]));
    const byBroadcast = zero(BROADCAST_STATUSES);
    let unreachableMembers = 0;
    const add = (map: Map<string, number>, key: string, n: number, fallback?: string) => {
      const target = map.has(key) ? key : fallback;
      if (target !== undefined) map.set(target, (map.get(target) ?? 0) + n);
    };
    for (const row of rows) {
      if (row.metric === "outbound") add(byStatus, row.a ?? "", row.n);
      else if (row.metric === "reminder") add(byKind, row.a ?? "", row.n, "other");
      else if (row.metric === "case") add(byCase, `${row.a}|${row.b}`, row.n);
      else if (row.metric === "broadcast") add(byBroadcast, row.a ?? "", row.n);
      else if (row.metric === "unreachable") unreachableMembers = row.n;
    }
    for (const [status, n] of byStatus) outbound.set({ status }, n);
    for (const [kind, n] of byKind) reminders.set({ kind }, n);
    for (const [key, n] of byCase) {
      const [source = "", urgent = ""] = key.split("|");
      cases.set({ source, urgent }, n);
    }
    for (const [status, n] of byBroadcast) broadcasts.set({ status }, n);
    unreachable.set(unreachableMembers);
  }

  /** A source that does not answer is reported down and its figures left out, not served stale. */
  async function refresh(source: "redis" | "database", read: () => Promise<void>, gauges: Gauge[]) {
    try {
      await read();
      sourceUp.set({ source }, 1);
    } catch {
      for (const gauge of gauges) gauge.reset();
      sourceUp.set({ source }, 0);
    }
  }

  return {
    registry,
    countDeliverySend(outcome) {
      sends.inc({ outcome });
    },
    async render() {
      await Promise.all([
        refresh("redis", readQueues, [queueJobs]),
        refresh("database", readFigures, [outbound, reminders, cases, broadcasts, unreachable]),
      ]);
      return { contentType: registry.contentType, text: await registry.metrics() };
    },
    async close() {
      await Promise.all(queues.map((queue) => queue.close()));
    },
  };
}

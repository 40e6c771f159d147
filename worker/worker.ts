import type { Worker } from "bullmq";
import { Api } from "grammy";
import type { Redis } from "ioredis";
import type { Clock } from "../core/clock.ts";
import { expireOffers } from "../core/courses/waiting.ts";
import type { Db } from "../core/db/client.ts";
import type { Logger } from "../core/logger.ts";
import { createMetrics, type Metrics } from "../core/metrics.ts";
import { drawPhoto } from "../core/payment-notices.ts";
import { BROADCAST_QUEUE, createBroadcastQueue } from "../core/queues/broadcasts.ts";
import { CHECKUPS_QUEUE, createCheckupsQueue, scheduleCheckups } from "../core/queues/checkups.ts";
import { createDeliveryQueue, DELIVERY_QUEUE } from "../core/queues/delivery.ts";
import { createEscalationQueue, ESCALATION_QUEUE, scheduleEscalation } from "../core/queues/escalation.ts";
import {
  createHousekeepingQueue,
  HOUSEKEEPING_QUEUE,
  scheduleHousekeeping,
} from "../core/queues/housekeeping.ts";
import { createRemindersQueue, REMINDERS_QUEUE, scheduleReminders } from "../core/queues/reminders.ts";
import type { QuietHours } from "../core/quiet-hours.ts";
import { sweepBroadcasts } from "./broadcasts/processor.ts";
import { createBroadcastWorker } from "./broadcasts/worker.ts";
import { createCheckupsWorker } from "./checkups/worker.ts";
import type { DeliveryAttemptOutcome } from "./delivery/processor.ts";
import { recoverDeliveries } from "./delivery/recovery.ts";
import { createDeliveryWorker } from "./delivery/worker.ts";
import { createEscalationWorker } from "./escalation/worker.ts";
import { createHousekeepingWorker } from "./housekeeping/worker.ts";
import { startWorkerHttp, type WorkerHttp } from "./http.ts";
import { startMaintenance } from "./maintenance.ts";
import { createRemindersWorker } from "./reminders/worker.ts";

/** The queues /metrics reports (add each new queue here). */
const METRIC_QUEUES = [
  DELIVERY_QUEUE,
  HOUSEKEEPING_QUEUE,
  REMINDERS_QUEUE,
  ESCALATION_QUEUE,
  BROADCAST_QUEUE,
  CHECKUPS_QUEUE,
];

/**
 * On shutdown, active jobs get this long to finish. Past it the worker stops anyway; their jobs
 * stay in Redis and BullMQ's stalled-job check hands them to a worker again.
 */
const SHUTDOWN_GRACE_MS = 25_000;

export type WorkerDeps = {
  db: Db;
  logger: Logger;
  clock: Clock;
  connection: Redis;
  queuePrefix: string;
  telegram: { token: string; apiRoot: string };
  deliveryRatePerSecond?: number;
  /** How often queues are checked against PostgreSQL (default a minute; tests use less). */
  maintenanceIntervalMs?: number;
  /** Told how each delivery attempt ended (metrics). */
  onDeliveryOutcome?: (outcome: DeliveryAttemptOutcome) => void;
  /** RETENTION_MONTHS (default 24): how long case messages and sent-message records are kept. */
  retentionMonths?: number;
  /** The /health and /metrics server (METRICS_HOST, METRICS_PORT); absent or port 0: none. */
  metrics?: { host: string; port: number };
  /** How long active jobs may take to finish on close (default 25 s). */
  shutdownGraceMs?: number;
  /** config.quietHours: reminders, broadcasts and nudges wait for the morning. Omitted: none. */
  quietHours?: QuietHours;
  /** OPERATORS_CHAT_ID: new and escalated cases are posted there. */
  operatorsChatId?: string;
  /** CASE_SLA_HOURS (default 8): office hours a case may wait for an operator's answer. */
  caseSlaHours?: number;
  /** PAGOPA_CREDITOR_FISCAL_CODE: installment reminders then carry their pagoPA notice and its QR code. */
  pagopaCreditorFiscalCode?: string | undefined;
  /**
   * false: this process runs no scheduled reminder scans or escalation rounds (tests whose chats
   * and cases must stay predictable; their jobs can still be queued by hand).
   */
  scheduledScans?: boolean;
};

export type RunningWorker = {
  metrics: Metrics;
  /** The /health and /metrics server's address, when there is one. */
  httpUrl: string | undefined;
  close(): Promise<void>;
};

/** Stops taking jobs and waits for active ones, at most `graceMs`; then closes without waiting. */
async function closeWithin(workers: Worker[], graceMs: number, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  // Pausing stops fetching and resolves when active jobs are done. (Not close(): a second close
  // returns the first one's promise, so a close that waits could not be cut short.)
  const finished = Promise.all(workers.map((worker) => worker.pause())).then(() => true);
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), graceMs);
  });
  const inTime = await Promise.race([finished, late]);
  clearTimeout(timer);
  if (!inTime) logger.warn({ graceMs }, "active jobs did not finish in time; they go back to the queue");
  // Forced: whatever is still active keeps its job in Redis, and without its lock renewed BullMQ's
  // stalled-job check hands it to a worker again.
  await Promise.all(workers.map((worker) => worker.close(true)));
}

export async function startWorker(deps: WorkerDeps): Promise<RunningWorker> {
  // A bounded wait: a message stays `sending` only while its request can still be answered.
  const api = new Api(deps.telegram.token, { apiRoot: deps.telegram.apiRoot, timeoutSeconds: 30 });
  const logger = deps.logger.child({ role: "worker" });
  // Created first so processors can count into it (the delivery worker: metrics.countDeliverySend).
  const metrics = createMetrics({
    db: deps.db,
    connection: deps.connection,
    queuePrefix: deps.queuePrefix,
    queueNames: METRIC_QUEUES,
  });
  // The queues this process produces into (fan-outs, scans and rules queue deliveries; schedules).
  const deliveryQueue = createDeliveryQueue(deps.connection, deps.queuePrefix);
  const housekeepingQueue = createHousekeepingQueue(deps.connection, deps.queuePrefix);
  const remindersQueue = createRemindersQueue(deps.connection, deps.queuePrefix);
  const escalationQueue = createEscalationQueue(deps.connection, deps.queuePrefix);
  const broadcastQueue = createBroadcastQueue(deps.connection, deps.queuePrefix);
  const checkupsQueue = createCheckupsQueue(deps.connection, deps.queuePrefix);
  const queues = [
    deliveryQueue,
    housekeepingQueue,
    remindersQueue,
    escalationQueue,
    broadcastQueue,
    checkupsQueue,
  ];
  // Redis away (a restart): the connection retries on its own; say so, quietly.
  for (const queue of queues) {
    queue.on("error", (error) => logger.warn({ err: { message: error.message } }, "queue connection error"));
  }

  const quietHours = deps.quietHours ?? null;
  const connection = { connection: deps.connection, prefix: deps.queuePrefix };
  const delivery = createDeliveryWorker(
    {
      db: deps.db,
      api,
      clock: deps.clock,
      logger,
      quietHours,
      drawPhoto: (ref) => drawPhoto(deps.db, ref, deps.pagopaCreditorFiscalCode),
      onOutcome: (outcome) => {
        metrics.countDeliverySend(outcome);
        deps.onDeliveryOutcome?.(outcome);
      },
    },
    { ...connection, ratePerSecond: deps.deliveryRatePerSecond ?? 25 },
  );
  delivery.on("failed", (job, error) => {
    logger.warn(
      { jobId: job?.id, attempts: job?.attemptsMade, err: { name: error.name } },
      "delivery attempt failed",
    );
  });
  const housekeeping = createHousekeepingWorker(
    { db: deps.db, clock: deps.clock, logger, retentionMonths: deps.retentionMonths ?? 24 },
    connection,
  );
  const reminders = createRemindersWorker(
    {
      db: deps.db,
      clock: deps.clock,
      logger,
      deliveryQueue,
      quietHours,
      pagopaCreditorFiscalCode: deps.pagopaCreditorFiscalCode,
    },
    connection,
  );
  const escalation = createEscalationWorker(
    {
      db: deps.db,
      clock: deps.clock,
      logger,
      deliveryQueue,
      operatorsChatId: deps.operatorsChatId === undefined ? undefined : BigInt(deps.operatorsChatId),
      caseSlaHours: deps.caseSlaHours ?? 8,
      quietHours,
    },
    connection,
  );
  const broadcastDeps = { db: deps.db, clock: deps.clock, logger, deliveryQueue, quietHours };
  const broadcasts = createBroadcastWorker(broadcastDeps, connection);
  // Check-up rounds (issue 12): offered by a scan of their own, through delivery like reminders.
  const checkups = createCheckupsWorker(
    { db: deps.db, clock: deps.clock, logger, deliveryQueue, quietHours },
    connection,
  );
  const workers: Worker[] = [delivery, housekeeping, reminders, escalation, broadcasts, checkups];
  for (const worker of workers) {
    worker.on("error", (error) =>
      logger.error({ queue: worker.name, err: { name: error.name, message: error.message } }, "worker error"),
    );
  }
  await delivery.waitUntilReady();

  // Schedulers are upserted at start and again every minute: Redis may restart and forget them.
  const ensureSchedulers = async () => {
    await scheduleHousekeeping(housekeepingQueue);
    if (deps.scheduledScans !== false) {
      await scheduleReminders(remindersQueue);
      await scheduleEscalation(escalationQueue);
      await scheduleCheckups(checkupsQueue);
    }
  };
  const maintenance = startMaintenance({
    logger,
    intervalMs: deps.maintenanceIntervalMs ?? 60_000,
    tasks: [
      { name: "schedulers", run: ensureSchedulers },
      // Broadcasts first: a fan-out it queues again records messages the delivery sweep then sees.
      { name: "broadcasts", run: () => sweepBroadcasts({ ...broadcastDeps, broadcastQueue }) },
      { name: "deliveries", run: () => recoverDeliveries({ db: deps.db, deliveryQueue }) },
      // Course places offered from a waiting list: lapsed after 24 h, then offered to the next one.
      { name: "course-offers", run: () => expireOffers({ db: deps.db, clock: deps.clock, deliveryQueue }) },
    ],
  });
  await maintenance.runNow();
  // A Redis that comes back after a restart holds nothing (no persistence): put it back in step at
  // once rather than at the next round. The first "ready" is the initial connection.
  let connected = deps.connection.status === "ready";
  const onReady = () => {
    if (connected) void maintenance.runNow();
    connected = true;
  };
  deps.connection.on("ready", onReady);

  let stopping = false;
  let http: WorkerHttp | undefined;
  if (deps.metrics && deps.metrics.port !== 0) {
    http = await startWorkerHttp(
      {
        db: deps.db,
        connection: deps.connection,
        metrics,
        isRunning: () => !stopping && workers.every((worker) => worker.isRunning()),
      },
      deps.metrics,
    );
  }
  logger.info("worker ready");
  return {
    metrics,
    httpUrl: http?.url,
    // Active jobs finish (bounded); waiting ones stay in Redis for the next worker. /health answers
    // 503 meanwhile, so nothing new is routed here.
    close: async () => {
      stopping = true;
      deps.connection.off("ready", onReady);
      await maintenance.stop();
      await closeWithin(workers, deps.shutdownGraceMs ?? SHUTDOWN_GRACE_MS, logger);
      await http?.close();
      await Promise.all([metrics.close(), ...queues.map((queue) => queue.close())]);
    },
  };
}

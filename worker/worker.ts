import { Api } from "grammy";
import type { Redis } from "ioredis";
import type { QuietHours } from "../core/broadcasts/quiet-hours.ts";
import type { Clock } from "../core/clock.ts";
import type { Db } from "../core/db/client.ts";
import type { Logger } from "../core/logger.ts";
import { createBroadcastQueue } from "../core/queues/broadcasts.ts";
import { createDeliveryQueue } from "../core/queues/delivery.ts";
import { createHousekeepingQueue, scheduleHousekeeping } from "../core/queues/housekeeping.ts";
import { sweepBroadcasts } from "./broadcasts/processor.ts";
import { createBroadcastWorker } from "./broadcasts/worker.ts";
import type { DeliveryAttemptOutcome } from "./delivery/processor.ts";
import { recoverDeliveries } from "./delivery/recovery.ts";
import { createDeliveryWorker } from "./delivery/worker.ts";
import { createHousekeepingWorker } from "./housekeeping/worker.ts";
import { startMaintenance } from "./maintenance.ts";

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
  /** No broadcast goes out in these hours (config.quietHours); none when left out. */
  quietHours?: QuietHours;
};

export type RunningWorker = { close(): Promise<void> };

export async function startWorker(deps: WorkerDeps): Promise<RunningWorker> {
  // A bounded wait: a message stays `sending` only while its request can still be answered.
  const api = new Api(deps.telegram.token, { apiRoot: deps.telegram.apiRoot, timeoutSeconds: 30 });
  const logger = deps.logger.child({ role: "worker" });
  const delivery = createDeliveryWorker(
    {
      db: deps.db,
      api,
      clock: deps.clock,
      logger,
      ...(deps.onDeliveryOutcome ? { onOutcome: deps.onDeliveryOutcome } : {}),
    },
    {
      connection: deps.connection,
      prefix: deps.queuePrefix,
      ratePerSecond: deps.deliveryRatePerSecond ?? 25,
    },
  );
  delivery.on("failed", (job, error) => {
    logger.warn(
      { jobId: job?.id, attempts: job?.attemptsMade, err: { name: error.name } },
      "delivery attempt failed",
    );
  });
  delivery.on("error", (error) =>
    logger.error({ err: { name: error.name, message: error.message } }, "delivery worker error"),
  );
  await delivery.waitUntilReady();

  const housekeepingQueue = createHousekeepingQueue(deps.connection, deps.queuePrefix);
  await scheduleHousekeeping(housekeepingQueue);
  const housekeeping = createHousekeepingWorker(
    { db: deps.db, clock: deps.clock, logger },
    { connection: deps.connection, prefix: deps.queuePrefix },
  );
  housekeeping.on("error", (error) =>
    logger.error({ err: { name: error.name, message: error.message } }, "housekeeping worker error"),
  );
  const deliveryQueue = createDeliveryQueue(deps.connection, deps.queuePrefix);
  const broadcastQueue = createBroadcastQueue(deps.connection, deps.queuePrefix);
  const broadcastDeps = {
    db: deps.db,
    clock: deps.clock,
    logger,
    deliveryQueue,
    quietHours: deps.quietHours ?? null,
  };
  const broadcasts = createBroadcastWorker(broadcastDeps, {
    connection: deps.connection,
    prefix: deps.queuePrefix,
  });
  broadcasts.on("error", (error) =>
    logger.error({ err: { name: error.name, message: error.message } }, "broadcast worker error"),
  );
  // Redis away (a restart): the connection retries on its own; say so once per error, quietly.
  for (const queue of [deliveryQueue, housekeepingQueue, broadcastQueue]) {
    queue.on("error", (error) => logger.warn({ err: { message: error.message } }, "queue connection error"));
  }
  const maintenance = startMaintenance({
    logger,
    intervalMs: deps.maintenanceIntervalMs ?? 60_000,
    tasks: [
      { name: "schedulers", run: () => scheduleHousekeeping(housekeepingQueue) },
      // Broadcasts first: a fan-out it queues again records messages the delivery sweep then sees.
      { name: "broadcasts", run: () => sweepBroadcasts({ ...broadcastDeps, broadcastQueue }) },
      { name: "deliveries", run: () => recoverDeliveries({ db: deps.db, deliveryQueue }) },
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
  logger.info("worker ready");
  return {
    // Active jobs finish; waiting ones stay in Redis for the next worker.
    close: async () => {
      deps.connection.off("ready", onReady);
      await maintenance.stop();
      await Promise.all([delivery.close(), housekeeping.close(), broadcasts.close()]);
      await Promise.all([housekeepingQueue.close(), deliveryQueue.close(), broadcastQueue.close()]);
    },
  };
}

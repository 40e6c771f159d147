import { Api } from "grammy";
import type { Redis } from "ioredis";
import type { QuietHours } from "../core/broadcasts/quiet-hours.ts";
import type { Clock } from "../core/clock.ts";
import type { Db } from "../core/db/client.ts";
import type { Logger } from "../core/logger.ts";
import { createBroadcastQueue } from "../core/queues/broadcasts.ts";
import { createDeliveryQueue } from "../core/queues/delivery.ts";
import { createHousekeepingQueue, scheduleHousekeeping } from "../core/queues/housekeeping.ts";
import { createBroadcastWorker, startBroadcastSweep } from "./broadcasts/worker.ts";
import { createDeliveryWorker } from "./delivery/worker.ts";
import { createHousekeepingWorker } from "./housekeeping/worker.ts";

export type WorkerDeps = {
  db: Db;
  logger: Logger;
  clock: Clock;
  connection: Redis;
  queuePrefix: string;
  telegram: { token: string; apiRoot: string };
  deliveryRatePerSecond?: number;
  /** No broadcast goes out in these hours (config.quietHours); none when left out. */
  quietHours?: QuietHours;
  /** How often the broadcast sweep runs (default every minute). */
  broadcastSweepMs?: number;
};

export type RunningWorker = { close(): Promise<void> };

export async function startWorker(deps: WorkerDeps): Promise<RunningWorker> {
  const api = new Api(deps.telegram.token, { apiRoot: deps.telegram.apiRoot });
  const logger = deps.logger.child({ role: "worker" });
  const delivery = createDeliveryWorker(
    { db: deps.db, api, clock: deps.clock, logger },
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
  const sweep = startBroadcastSweep(
    { ...broadcastDeps, broadcastQueue },
    deps.connection,
    deps.broadcastSweepMs,
  );
  logger.info("worker ready");
  return {
    // Active jobs finish; waiting ones stay in Redis for the next worker.
    close: async () => {
      sweep.stop();
      await Promise.all([delivery.close(), housekeeping.close(), broadcasts.close()]);
      await Promise.all([housekeepingQueue.close(), deliveryQueue.close(), broadcastQueue.close()]);
    },
  };
}

import { Api } from "grammy";
import type { Redis } from "ioredis";
import type { Clock } from "../core/clock.ts";
import type { Db } from "../core/db/client.ts";
import type { Logger } from "../core/logger.ts";
import { createHousekeepingQueue, scheduleHousekeeping } from "../core/queues/housekeeping.ts";
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
  /** RETENTION_MONTHS (default 24): how long case messages and sent-message records are kept. */
  retentionMonths?: number;
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
    { db: deps.db, clock: deps.clock, logger, retentionMonths: deps.retentionMonths ?? 24 },
    { connection: deps.connection, prefix: deps.queuePrefix },
  );
  housekeeping.on("error", (error) =>
    logger.error({ err: { name: error.name, message: error.message } }, "housekeeping worker error"),
  );
  logger.info("worker ready");
  return {
    // Active jobs finish; waiting ones stay in Redis for the next worker.
    close: async () => {
      await Promise.all([delivery.close(), housekeeping.close()]);
      await housekeepingQueue.close();
    },
  };
}

import { Api } from "grammy";
import type { Redis } from "ioredis";
import type { Clock } from "../core/clock.ts";
import type { Db } from "../core/db/client.ts";
import type { Logger } from "../core/logger.ts";
import { createDeliveryQueue } from "../core/queues/delivery.ts";
import { createEscalationQueue, scheduleEscalation } from "../core/queues/escalation.ts";
import { createHousekeepingQueue, scheduleHousekeeping } from "../core/queues/housekeeping.ts";
import { createDeliveryWorker } from "./delivery/worker.ts";
import { createEscalationWorker } from "./escalation/worker.ts";
import { createHousekeepingWorker } from "./housekeeping/worker.ts";

export type WorkerDeps = {
  db: Db;
  logger: Logger;
  clock: Clock;
  connection: Redis;
  queuePrefix: string;
  telegram: { token: string; apiRoot: string };
  deliveryRatePerSecond?: number;
  /** The escalation rules' settings (config): the operators' group, the answer time, quiet hours. */
  escalation?: {
    operatorsChatId?: string;
    caseSlaHours?: number;
    quietHours?: { startMinute: number; endMinute: number } | null;
  };
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

  // Nudges and group posts are deliveries like any other.
  const deliveryQueue = createDeliveryQueue(deps.connection, deps.queuePrefix);
  const escalationQueue = createEscalationQueue(deps.connection, deps.queuePrefix);
  await scheduleEscalation(escalationQueue);
  const settings = deps.escalation ?? {};
  const escalation = createEscalationWorker(
    {
      db: deps.db,
      clock: deps.clock,
      logger,
      deliveryQueue,
      operatorsChatId: settings.operatorsChatId === undefined ? undefined : BigInt(settings.operatorsChatId),
      caseSlaHours: settings.caseSlaHours ?? 8,
      quietHours: settings.quietHours ?? null,
    },
    { connection: deps.connection, prefix: deps.queuePrefix },
  );
  escalation.on("error", (error) =>
    logger.error({ err: { name: error.name, message: error.message } }, "escalation worker error"),
  );
  logger.info("worker ready");
  return {
    // Active jobs finish; waiting ones stay in Redis for the next worker.
    close: async () => {
      await Promise.all([delivery.close(), housekeeping.close(), escalation.close()]);
      await Promise.all([housekeepingQueue.close(), escalationQueue.close(), deliveryQueue.close()]);
    },
  };
}

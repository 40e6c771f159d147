import { Api } from "grammy";
import type { Redis } from "ioredis";
import type { Clock } from "../core/clock.ts";
import type { Db } from "../core/db/client.ts";
import type { Logger } from "../core/logger.ts";
import { createDeliveryQueue } from "../core/queues/delivery.ts";
import { createHousekeepingQueue, scheduleHousekeeping } from "../core/queues/housekeeping.ts";
import { createRemindersQueue, scheduleReminders } from "../core/queues/reminders.ts";
import type { QuietHours } from "../core/reminders/rules.ts";
import { createDeliveryWorker } from "./delivery/worker.ts";
import { createHousekeepingWorker } from "./housekeeping/worker.ts";
import { createRemindersWorker } from "./reminders/worker.ts";

export type WorkerDeps = {
  db: Db;
  logger: Logger;
  clock: Clock;
  connection: Redis;
  queuePrefix: string;
  telegram: { token: string; apiRoot: string };
  deliveryRatePerSecond?: number;
  /** config.quietHours: reminders wait for the morning. Omitted: no quiet hours. */
  quietHours?: QuietHours;
  /** false: no 5-minute reminder scans from this process (tests whose chats must stay predictable). */
  reminderScans?: boolean;
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
  const remindersQueue = createRemindersQueue(deps.connection, deps.queuePrefix);
  if (deps.reminderScans !== false) await scheduleReminders(remindersQueue);
  const reminders = createRemindersWorker(
    { db: deps.db, clock: deps.clock, logger, deliveryQueue, quietHours: deps.quietHours ?? null },
    { connection: deps.connection, prefix: deps.queuePrefix },
  );
  reminders.on("error", (error) =>
    logger.error({ err: { name: error.name, message: error.message } }, "reminders worker error"),
  );
  logger.info("worker ready");
  return {
    // Active jobs finish; waiting ones stay in Redis for the next worker.
    close: async () => {
      await Promise.all([delivery.close(), housekeeping.close(), reminders.close()]);
      await Promise.all([housekeepingQueue.close(), remindersQueue.close(), deliveryQueue.close()]);
    },
  };
}

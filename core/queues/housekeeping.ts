// Housekeeping: a daily job (Europe/Rome) that forgets what is only needed for a short while.
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { TIME_ZONE } from "../time.ts";

export const HOUSEKEEPING_QUEUE = "housekeeping";
export const HOUSEKEEPING_SCHEDULER = "daily-housekeeping";

export type HousekeepingJob = Record<string, never>;

export function createHousekeepingQueue(connection: Redis, prefix: string): Queue<HousekeepingJob> {
  return new Queue<HousekeepingJob>(HOUSEKEEPING_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: { removeOnComplete: { count: 30 }, removeOnFail: { count: 100 } },
  });
}

/** One scheduler for all worker processes: upserting it again (every start) changes nothing. */
export async function scheduleHousekeeping(queue: Queue<HousekeepingJob>): Promise<void> {
  await queue.upsertJobScheduler(
    HOUSEKEEPING_SCHEDULER,
    { pattern: "30 3 * * *", tz: TIME_ZONE },
    { name: "housekeeping", data: {} },
  );
}

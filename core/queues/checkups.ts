// Check-up rounds: one scan every 5 minutes (Europe/Rome), shared by every worker process. A queue of
// its own, apart from reminders, so each can be run (and tested) without the other. The job carries
// nothing: the scan works out from the clock and the database which rounds are due.
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import { TIME_ZONE } from "../time.ts";

export const CHECKUPS_QUEUE = "checkups";
export const CHECKUPS_SCHEDULER = "checkup-scan";
export const CHECKUPS_PATTERN = "*/5 * * * *";

export const checkupJobSchema = z.object({}).strict();
export type CheckupJob = z.infer<typeof checkupJobSchema>;

export function createCheckupsQueue(connection: Redis, prefix: string): Queue<CheckupJob> {
  return new Queue<CheckupJob>(CHECKUPS_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: { removeOnComplete: { count: 50 }, removeOnFail: { count: 100 } },
  });
}

/** Upserting it again (every start of every worker) changes nothing. */
export async function scheduleCheckups(queue: Queue<CheckupJob>): Promise<void> {
  await queue.upsertJobScheduler(
    CHECKUPS_SCHEDULER,
    { pattern: CHECKUPS_PATTERN, tz: TIME_ZONE },
    { name: "scan", data: {} },
  );
}

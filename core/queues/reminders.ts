// Reminders: one scan every 5 minutes (Europe/Rome), shared by every worker process. The job carries
// nothing: the scan works out from the clock and the database what is due.
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import { TIME_ZONE } from "../time.ts";

export const REMINDERS_QUEUE = "reminders";
export const REMINDERS_SCHEDULER = "reminder-scan";
/** Every 5 minutes: a reminder goes out at most 5 minutes after its moment. */
export const REMINDERS_PATTERN = "*/5 * * * *";

export const reminderJobSchema = z.object({}).strict();
export type ReminderJob = z.infer<typeof reminderJobSchema>;

export function createRemindersQueue(connection: Redis, prefix: string): Queue<ReminderJob> {
  return new Queue<ReminderJob>(REMINDERS_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: { removeOnComplete: { count: 50 }, removeOnFail: { count: 100 } },
  });
}

/** Upserting it again (every start of every worker) changes nothing. */
export async function scheduleReminders(queue: Queue<ReminderJob>): Promise<void> {
  await queue.upsertJobScheduler(
    REMINDERS_SCHEDULER,
    { pattern: REMINDERS_PATTERN, tz: TIME_ZONE },
    { name: "scan", data: {} },
  );
}

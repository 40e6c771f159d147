import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { freshContent } from "../../core/content/sync.ts";
import { REMINDERS_QUEUE, type ReminderJob } from "../../core/queues/reminders.ts";
import { processReminderJob, type ReminderProcessorDeps } from "./processor.ts";

export function createRemindersWorker(
  deps: ReminderProcessorDeps,
  options: { connection: Redis; prefix: string },
): Worker<ReminderJob> {
  return new Worker<ReminderJob>(
    REMINDERS_QUEUE,
    async (job) => {
      // Reminder texts staff changed in the panel (core/content/sync.ts).
      await freshContent(deps.db);
      const result = await processReminderJob(deps, job.data);
      return { quiet: result.quiet, recorded: result.recorded };
    },
    { connection: options.connection, prefix: options.prefix, concurrency: 1 },
  );
}

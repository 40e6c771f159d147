// Escalation: every 15 minutes (Europe/Rome) the worker runs the escalation rules (overdue
// installments, broken plans, unanswered cases, silent households). The job carries nothing: the
// rules read the database, and each acts once whatever the number of runs or workers.
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import { TIME_ZONE } from "../time.ts";

export const ESCALATION_QUEUE = "escalation";
export const ESCALATION_SCHEDULER = "escalation-rules";

export const escalationJobSchema = z.object({}).strict();
export type EscalationJob = z.infer<typeof escalationJobSchema>;

export function createEscalationQueue(connection: Redis, prefix: string): Queue<EscalationJob> {
  return new Queue<EscalationJob>(ESCALATION_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
  });
}

/** One scheduler for all worker processes: upserting it again (every start) changes nothing. */
export async function scheduleEscalation(queue: Queue<EscalationJob>): Promise<void> {
  await queue.upsertJobScheduler(
    ESCALATION_SCHEDULER,
    { pattern: "*/15 * * * *", tz: TIME_ZONE },
    { name: "escalation", data: {} },
  );
}

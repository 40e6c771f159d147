// The broadcast queue: one fan-out job per broadcast, delayed until it is due. The job carries the
// broadcast id only; PostgreSQL is the record (a job lost with Redis is queued again by the sweep).
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";

export const BROADCAST_QUEUE = "broadcasts";

export const fanOutJobSchema = z.object({ broadcastId: z.number().int().positive() });
export type FanOutJob = z.infer<typeof fanOutJobSchema>;
export type BroadcastQueue = Queue<FanOutJob>;

export function createBroadcastQueue(connection: Redis, prefix: string): BroadcastQueue {
  return new Queue<FanOutJob>(BROADCAST_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: 5,
      backoff: { type: "exponential", delay: 2000 },
      // Removed when finished, so the sweep can queue the same job id again if the broadcast still
      // needs it (a completed job kept under that id would make the new one a no-op).
      removeOnComplete: true,
      removeOnFail: true,
    },
  });
}

/** Queues the fan-out for `sendAt`. One job id per broadcast: asking again while it waits is a no-op. */
export async function queueFanOut(
  queue: BroadcastQueue,
  broadcastId: number,
  sendAt: Date,
  now: Date,
): Promise<void> {
  await queue.add(
    "fan-out",
    { broadcastId },
    { jobId: `broadcast-${broadcastId}`, delay: Math.max(0, sendAt.getTime() - now.getTime()) },
  );
}

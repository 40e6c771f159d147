import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { BROADCAST_QUEUE, type FanOutJob } from "../../core/queues/broadcasts.ts";
import { type BroadcastDeps, processFanOut } from "./processor.ts";

export function createBroadcastWorker(
  deps: BroadcastDeps,
  options: { connection: Redis; prefix: string },
): Worker<FanOutJob> {
  return new Worker<FanOutJob>(
    BROADCAST_QUEUE,
    async (job) => processFanOut(job.data, deps),
    // Fan-outs are a few statements each; two at once is plenty.
    { connection: options.connection, prefix: options.prefix, concurrency: 2 },
  );
}

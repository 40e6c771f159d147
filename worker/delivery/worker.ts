import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { DELIVERY_QUEUE, type DeliveryJob } from "../../core/queues/delivery.ts";
import { type DeliveryDeps, processDelivery, TelegramRateLimited } from "./processor.ts";

export type DeliveryWorkerOptions = {
  connection: Redis;
  prefix: string;
  /** Messages per second across every worker process (BullMQ's limiter is global per queue). */
  ratePerSecond: number;
  concurrency?: number;
};

export function createDeliveryWorker(
  deps: Omit<DeliveryDeps, "rateLimit">,
  options: DeliveryWorkerOptions,
): Worker<DeliveryJob> {
  const worker: Worker<DeliveryJob> = new Worker<DeliveryJob>(
    DELIVERY_QUEUE,
    async (job) => {
      try {
        return await processDelivery(job.data, { ...deps, rateLimit: (ms) => worker.rateLimit(ms) });
      } catch (error) {
        if (error instanceof TelegramRateLimited) throw Worker.RateLimitError();
        throw error;
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency ?? 10,
      limiter: { max: options.ratePerSecond, duration: 1000 },
    },
  );
  return worker;
}

import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { BROADCAST_QUEUE, type BroadcastQueue, type FanOutJob } from "../../core/queues/broadcasts.ts";
import { type BroadcastDeps, processFanOut, sweepBroadcasts } from "./processor.ts";

export const SWEEP_INTERVAL_MS = 60_000;

export function createBroadcastWorker(
  deps: BroadcastDeps,
  options: { connection: Redis; prefix: string },
): Worker<FanOutJob> {
  return new Worker<FanOutJob>(
    BROADCAST_QUEUE,
    async (job) => {
      const result = await processFanOut(job.data, deps);
      return result;
    },
    // Fan-outs are a few statements each; two at once is plenty.
    { connection: options.connection, prefix: options.prefix, concurrency: 2 },
  );
}

/**
 * The sweep runs in every worker process on a plain timer, not a Redis scheduler: a Redis restart
 * loses schedulers too, and the sweep is what recovers from that. It also runs at start and whenever
 * the Redis connection comes back. Running it in several processes at once is harmless.
 */
export function startBroadcastSweep(
  deps: BroadcastDeps & { broadcastQueue: BroadcastQueue },
  connection: Redis,
  intervalMs = SWEEP_INTERVAL_MS,
): { stop(): void } {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      const result = await sweepBroadcasts(deps);
      if (result.finished || result.fanOutsQueued || result.messagesRequeued)
        deps.logger.info(result, "broadcast sweep");
    } catch (error) {
      deps.logger.warn({ err: { name: (error as Error).name } }, "broadcast sweep failed; next one retries");
    } finally {
      running = false;
    }
  };
  // A "ready" after the first connection is a reconnection (Redis restarted, maybe empty).
  let first = connection.status !== "ready";
  const onReady = () => {
    if (first) first = false;
    else void run();
  };
  connection.on("ready", onReady);
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  void run();
  return {
    stop: () => {
      clearInterval(timer);
      connection.off("ready", onReady);
    },
  };
}

import { DelayedError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { DELIVERY_QUEUE, type DeliveryJob } from "../../core/queues/delivery.ts";
import { createPacer } from "./pacer.ts";
import { ChatBusy, type DeliveryDeps, processDelivery, TelegramRateLimited } from "./processor.ts";

export type DeliveryWorkerOptions = {
  connection: Redis;
  prefix: string;
  /** Messages per second across every worker process, evenly spaced (see pacer.ts). */
  ratePerSecond: number;
  /** The pause between two messages to one private chat, across every worker process (default 1000 ms). */
  chatIntervalMs?: number;
  /** The pause between two messages to one group (Telegram allows 20 a minute; default 3000 ms). */
  groupIntervalMs?: number;
  /** Jobs in flight per process; by default enough to keep up with the rate limit. */
  concurrency?: number;
};

/**
 * One slot per chat in Redis, shared by every worker process: `SET … PX interval NX` succeeds for
 * one sender at a time; the others learn how long until it frees. Groups (negative ids) get a
 * longer interval than private chats.
 */
export function chatSlots(
  connection: Redis,
  prefix: string,
  intervalMs: number,
  groupIntervalMs = intervalMs,
) {
  return async (chatId: bigint): Promise<number> => {
    const key = `${prefix}:chat-slot:${chatId}`;
    const interval = chatId < 0n ? groupIntervalMs : intervalMs;
    const taken = await connection.set(key, "1", "PX", interval, "NX");
    if (taken === "OK") return 0;
    const left = await connection.pttl(key);
    // Expired between the two calls (or no expiry, which we never set): try again shortly.
    return left > 0 ? left : 10;
  };
}

export function createDeliveryWorker(
  deps: Omit<DeliveryDeps, "rateLimit" | "takeChatSlot" | "chatIntervalMs" | "pace">,
  options: DeliveryWorkerOptions,
): Worker<DeliveryJob> {
  const chatIntervalMs = options.chatIntervalMs ?? 1000;
  const takeChatSlot = chatSlots(
    options.connection,
    options.prefix,
    chatIntervalMs,
    options.groupIntervalMs ?? 3000,
  );
  const pacer = createPacer(options.connection, options.prefix, { ratePerSecond: options.ratePerSecond });
  // After Telegram's 429: no process sends before retry_after (the pacer), and the queue stops
  // handing out jobs meanwhile (BullMQ's rate limit).
  const rateLimit = async (ms: number) => {
    await Promise.all([pacer.hold(ms), worker.rateLimit(ms)]);
  };
  const concurrency =
    options.concurrency ?? Math.min(100, Math.max(10, Math.ceil(options.ratePerSecond / 20)));
  const worker: Worker<DeliveryJob> = new Worker<DeliveryJob>(
    DELIVERY_QUEUE,
    async (job, token) => {
      try {
        return await processDelivery(
          job.data,
          { ...deps, rateLimit, takeChatSlot, chatIntervalMs, pace: pacer },
          {
            saveNextPart: (nextPart) => job.updateData({ ...job.data, nextPart }),
            finalAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
          },
        );
      } catch (error) {
        if (error instanceof TelegramRateLimited) throw Worker.RateLimitError();
        if (error instanceof ChatBusy) {
          // Back to the queue for later, without counting an attempt.
          await job.moveToDelayed(Date.now() + error.delayMs, token);
          throw new DelayedError();
        }
        throw error;
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      // A Bot API call takes a few milliseconds: about one job in flight per 20 messages a second
      // (jobs wait for their moment in the pacer, a few intervals ahead at most).
      concurrency,
      // The pacer keeps the pace; BullMQ's limiter (a fixed window) stays, loose, because its
      // rate limit is what `worker.rateLimit` sets after a 429 and it only works with one set.
      limiter: { max: options.ratePerSecond * 2 + concurrency, duration: 1000 },
    },
  );
  return worker;
}

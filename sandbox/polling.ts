// getUpdates long polling: one poll at a time (a newer poll ends the older one with 409), answered as
// soon as an update is queued or when its timeout passes.

import { type ApiError, conflict, TEXT } from "./errors.ts";
import type { Update } from "./types.ts";
import type { UpdateQueue } from "./updates.ts";

export interface PollRequest {
  offset: number;
  limit: number;
  timeoutSeconds: number;
  allowedUpdates?: string[];
}

interface Waiter {
  finish(outcome: Update[] | ApiError): void;
}

const MAX_TIMEOUT_SECONDS = 3600;

export class Poller {
  readonly #queue: UpdateQueue;
  readonly #webhookActive: () => boolean;
  #current: Waiter | null = null;
  #closed = false;

  constructor(queue: UpdateQueue, webhookActive: () => boolean) {
    this.#queue = queue;
    this.#webhookActive = webhookActive;
  }

  /** Resolves with the updates (possibly none); rejects with an ApiError 409 on a conflict. */
  poll(request: PollRequest, signal: AbortSignal): Promise<Update[]> {
    if (this.#webhookActive()) return Promise.reject(conflict(TEXT.webhookActive));
    this.#current?.finish(conflict(TEXT.pollTerminated));

    if (request.allowedUpdates) this.#queue.setAllowed(request.allowedUpdates);
    if (request.offset !== 0) this.#queue.confirm(request.offset);
    const limit = request.limit >= 1 && request.limit <= 100 ? request.limit : 100;
    const ready = this.#queue.take(limit);
    const timeoutMs = Math.min(MAX_TIMEOUT_SECONDS, Math.max(0, request.timeoutSeconds)) * 1000;
    if (ready.length > 0 || timeoutMs === 0 || this.#closed || signal.aborted) return Promise.resolve(ready);

    return new Promise((resolve, reject) => {
      let done = false;
      const waiter: Waiter = {
        finish: (outcome) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          unsubscribe();
          signal.removeEventListener("abort", onAbort);
          if (this.#current === waiter) this.#current = null;
          if (Array.isArray(outcome)) resolve(outcome);
          else reject(outcome);
        },
      };
      const onAbort = (): void => waiter.finish([]);
      const timer = setTimeout(() => waiter.finish([]), timeoutMs);
      const unsubscribe = this.#queue.onPush(() => {
        const updates = this.#queue.take(limit);
        if (updates.length > 0) waiter.finish(updates);
      });
      signal.addEventListener("abort", onAbort, { once: true });
      this.#current = waiter;
    });
  }

  /** A webhook was set: a pending poll ends with 409. */
  webhookSet(): void {
    this.#current?.finish(conflict(TEXT.webhookActive));
  }

  /** Ends a pending poll with no updates; later polls answer at once. */
  close(): void {
    this.#closed = true;
    this.#current?.finish([]);
  }
}

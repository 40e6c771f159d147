// The bot's update queue, with Telegram's semantics: updates stay until confirmed (getUpdates with a
// higher offset, or a 2xx answer from the webhook); allowed_updates filters updates as they are made.
// Bounded: at most `maxPending` unconfirmed updates, and the last `maxHistory` for redelivery.

import type { Update, UpdateBody } from "./types.ts";

/** What Telegram sends when allowed_updates is empty or was never given. */
const DEFAULT_EXCLUDED = new Set(["chat_member", "message_reaction", "message_reaction_count"]);

export interface QueueEntry {
  update: Update;
  /** Put back by the control API: confirmed by an offset only once it has been handed out again. */
  redelivered: boolean;
  delivered: boolean;
}

export interface UpdateQueueOptions {
  firstUpdateId: number;
  maxPending?: number;
  maxHistory?: number;
}

/** Like Telegram's, update ids do not start at 1: derived from the clock, they grow across restarts. */
export function defaultFirstUpdateId(now = Date.now()): number {
  const tenthsOfSecondsSince2024 = Math.floor((now - Date.UTC(2024, 0, 1)) / 100);
  return (Math.max(0, tenthsOfSecondsSince2024) % 2_000_000_000) + 1;
}

export function updateType(update: UpdateBody): string {
  return Object.keys(update).find((key) => key !== "update_id") ?? "unknown";
}

export class UpdateQueue {
  #pending: QueueEntry[] = [];
  readonly #history = new Map<number, Update>();
  readonly #listeners = new Set<() => void>();
  readonly #maxPending: number;
  readonly #maxHistory: number;
  #nextId: number;
  #allowed: Set<string> | null = null;

  constructor(options: UpdateQueueOptions) {
    this.#nextId = options.firstUpdateId;
    this.#maxPending = options.maxPending ?? 10_000;
    this.#maxHistory = options.maxHistory ?? 1000;
  }

  get size(): number {
    return this.#pending.length;
  }

  /** The allowed update types (null: Telegram's default, everything but chat_member and reactions). */
  get allowed(): string[] | null {
    return this.#allowed ? [...this.#allowed] : null;
  }

  setAllowed(types: string[]): void {
    this.#allowed = types.length > 0 ? new Set(types) : null;
  }

  #isAllowed(type: string): boolean {
    return this.#allowed ? this.#allowed.has(type) : !DEFAULT_EXCLUDED.has(type);
  }

  /** Makes an update; returns its id. An update of a type the bot did not ask for is dropped (id used). */
  push(body: UpdateBody): number {
    const update = { update_id: this.#nextId, ...body } as Update;
    this.#nextId += 1;
    this.#history.set(update.update_id, update);
    if (this.#history.size > this.#maxHistory) {
      const oldest = this.#history.keys().next();
      if (!oldest.done) this.#history.delete(oldest.value);
    }
    if (this.#isAllowed(updateType(body))) this.#enqueue({ update, redelivered: false, delivered: false });
    return update.update_id;
  }

  /** Queues an already made update again, same id (a duplicate delivery). False if it is unknown. */
  redeliver(updateId: number): boolean {
    const update = this.#history.get(updateId);
    if (!update) return false;
    this.#enqueue({ update, redelivered: true, delivered: false });
    return true;
  }

  #enqueue(entry: QueueEntry): void {
    this.#pending.push(entry);
    if (this.#pending.length > this.#maxPending)
      this.#pending.splice(0, this.#pending.length - this.#maxPending);
    for (const listener of [...this.#listeners]) listener();
  }

  /**
   * getUpdates' offset: a positive offset forgets updates with a smaller id; a negative one keeps only
   * the last -offset updates.
   */
  confirm(offset: number): void {
    if (offset > 0) {
      this.#pending = this.#pending.filter(
        (entry) => entry.update.update_id >= offset || (entry.redelivered && !entry.delivered),
      );
    } else if (offset < 0) {
      this.#pending = this.#pending.slice(offset);
    }
  }

  /** The first `limit` updates, marked as handed out (they stay until confirmed). */
  take(limit: number): Update[] {
    const entries = this.#pending.slice(0, limit);
    for (const entry of entries) entry.delivered = true;
    return entries.map((entry) => entry.update);
  }

  /** The unconfirmed updates, oldest first (a copy: delivery may remove some meanwhile). */
  entries(): QueueEntry[] {
    return [...this.#pending];
  }

  head(): QueueEntry | undefined {
    return this.#pending[0];
  }

  remove(entry: QueueEntry): void {
    const index = this.#pending.indexOf(entry);
    if (index >= 0) this.#pending.splice(index, 1);
  }

  clear(): void {
    this.#pending = [];
  }

  /** Called after each update queued. */
  onPush(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

// Telegram's flood limits: one global gate, one per chat. Per chat (and by default overall) they
// are token buckets, which refill continuously and are computed lazily, so no timer ever runs.
// Overall, `global_window: "sliding"` counts instead the messages of the last 1000 ms: stricter than
// a full bucket, which lets a whole second's worth through at once and refills meanwhile (up to
// twice the limit within one second), and closer to how Telegram is seen to behave.

/** How the overall limit is counted: a token bucket (forgiving) or a sliding one-second window. */
export type GlobalWindow = "bucket" | "sliding";

export const GLOBAL_WINDOWS: readonly GlobalWindow[] = ["bucket", "sliding"];

export interface Limits {
  /** Messages per second over all chats (0: no limit). */
  global_per_second: number;
  /** "bucket" (default): a full bucket of `global_per_second` refilling continuously; "sliding": at
   * most `global_per_second` messages within any 1000 ms. */
  global_window: GlobalWindow;
  /** Messages per second in one private chat (0: no limit). */
  chat_per_second: number;
  /** How many messages a private chat may receive at once before `chat_per_second` applies. */
  chat_burst: number;
  /** Messages per minute in one group (0: no limit). */
  group_per_minute: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = {
  global_per_second: 30,
  global_window: "bucket",
  chat_per_second: 1,
  chat_burst: 5,
  group_per_minute: 20,
};

const LIMIT_KEYS = ["global_per_second", "chat_per_second", "chat_burst", "group_per_minute"] as const;

/** Checks a `POST /control/limits` body (or the `limits` option); throws an Error naming the bad field. */
export function parseLimits(input: unknown): Partial<Limits> {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new Error("limits must be an object");
  }
  const source = input as Record<string, unknown>;
  const result: Partial<Limits> = {};
  for (const key of Object.keys(source)) {
    if (!(LIMIT_KEYS as readonly string[]).includes(key) && key !== "global_window")
      throw new Error(`unknown limit "${key}"`);
  }
  const window = source.global_window;
  if (window !== undefined) {
    if (!(GLOBAL_WINDOWS as readonly unknown[]).includes(window)) {
      throw new Error(`global_window must be one of ${GLOBAL_WINDOWS.join(", ")}`);
    }
    result.global_window = window as GlobalWindow;
  }
  for (const key of LIMIT_KEYS) {
    const value = source[key];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new Error(`${key} must be a number >= 0`);
    }
    result[key] = value;
  }
  return result;
}

/** What the limiter asks of a bucket or a window. */
interface Gate {
  /** Milliseconds until one more message may pass (0: now). */
  waitMs(now: number): number;
  take(now: number): void;
}

export class TokenBucket implements Gate {
  readonly capacity: number;
  readonly #perMs: number;
  #tokens: number;
  #last: number;

  constructor(capacity: number, perSecond: number, now: number) {
    this.capacity = capacity;
    this.#perMs = perSecond / 1000;
    this.#tokens = capacity;
    this.#last = now;
  }

  #refill(now: number): void {
    if (now > this.#last) {
      this.#tokens = Math.min(this.capacity, this.#tokens + (now - this.#last) * this.#perMs);
    }
    this.#last = Math.max(this.#last, now);
  }

  /** Milliseconds until a token is available (0: one is available now). */
  waitMs(now: number): number {
    this.#refill(now);
    return this.#tokens >= 1 ? 0 : (1 - this.#tokens) / this.#perMs;
  }

  take(now: number): void {
    this.#refill(now);
    this.#tokens -= 1;
  }

  isFull(now: number): boolean {
    this.#refill(now);
    return this.#tokens >= this.capacity;
  }
}

/** At most `limit` messages within any `windowMs`: the times of the last ones, oldest first. */
export class SlidingWindow implements Gate {
  readonly limit: number;
  readonly windowMs: number;
  #times: number[] = [];
  #head = 0;

  constructor(limit: number, windowMs = 1000) {
    this.limit = Math.max(1, Math.floor(limit));
    this.windowMs = windowMs;
  }

  #forget(now: number): void {
    while (this.#head < this.#times.length && (this.#times[this.#head] as number) <= now - this.windowMs) {
      this.#head += 1;
    }
    // Compact now and then, so the array stays about `limit` long.
    if (this.#head > 1024) {
      this.#times = this.#times.slice(this.#head);
      this.#head = 0;
    }
  }

  waitMs(now: number): number {
    this.#forget(now);
    const inWindow = this.#times.length - this.#head;
    if (inWindow < this.limit) return 0;
    // The oldest message that must leave the window before one more fits.
    const oldest = this.#times[this.#times.length - this.limit] as number;
    return oldest + this.windowMs - now;
  }

  take(now: number): void {
    this.#forget(now);
    this.#times.push(now);
  }
}

export type Verdict = { allowed: true } | { allowed: false; retryAfter: number };

const MAX_IDLE_BUCKETS = 10_000;

export class RateLimiter {
  #limits: Limits;
  readonly #clock: () => number;
  #global: Gate | null = null;
  #chats = new Map<number, TokenBucket>();

  constructor(limits: Partial<Limits> = {}, clock: () => number = Date.now) {
    this.#clock = clock;
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
    this.#rebuild();
  }

  get limits(): Limits {
    return { ...this.#limits };
  }

  set(limits: Partial<Limits>): Limits {
    this.#limits = { ...this.#limits, ...limits };
    this.#rebuild();
    return this.limits;
  }

  #rebuild(): void {
    const { global_per_second, global_window } = this.#limits;
    if (global_per_second <= 0) this.#global = null;
    else if (global_window === "sliding") this.#global = new SlidingWindow(global_per_second);
    else this.#global = new TokenBucket(global_per_second, global_per_second, this.#clock());
    this.#chats.clear();
  }

  #chatBucket(chatId: number, isPrivate: boolean, now: number): TokenBucket | null {
    const { chat_per_second, chat_burst, group_per_minute } = this.#limits;
    if (isPrivate ? chat_per_second <= 0 : group_per_minute <= 0) return null;
    let bucket = this.#chats.get(chatId);
    if (!bucket) {
      if (this.#chats.size >= MAX_IDLE_BUCKETS) this.#forgetFullBuckets(now);
      bucket = isPrivate
        ? new TokenBucket(Math.max(1, chat_burst), chat_per_second, now)
        : new TokenBucket(Math.max(1, group_per_minute), group_per_minute / 60, now);
      this.#chats.set(chatId, bucket);
    }
    return bucket;
  }

  #forgetFullBuckets(now: number): void {
    for (const [id, bucket] of this.#chats) {
      if (bucket.isFull(now)) this.#chats.delete(id);
    }
  }

  /** Takes one message from the global and the chat's bucket, or says how long to wait (whole seconds). */
  tryTake(chatId: number, isPrivate: boolean): Verdict {
    const now = this.#clock();
    const buckets = [this.#global, this.#chatBucket(chatId, isPrivate, now)].filter(
      (bucket): bucket is Gate => bucket !== null,
    );
    const waitMs = Math.max(0, ...buckets.map((bucket) => bucket.waitMs(now)));
    if (waitMs > 0) return { allowed: false, retryAfter: Math.max(1, Math.ceil(waitMs / 1000)) };
    for (const bucket of buckets) bucket.take(now);
    return { allowed: true };
  }
}

/** The most times within any window of `windowMs` (half-open: a time exactly `windowMs` later is out). */
export function busiestWindow(times: readonly number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start += 1;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

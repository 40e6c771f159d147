// Telegram's flood limits as token buckets: one global bucket, one per chat.
// Buckets refill continuously and are computed lazily, so no timer ever runs.

export interface Limits {
  /** Messages per second over all chats (0: no limit). */
  global_per_second: number;
  /** Messages per second in one private chat (0: no limit). */
  chat_per_second: number;
  /** How many messages a private chat may receive at once before `chat_per_second` applies. */
  chat_burst: number;
  /** Messages per minute in one group (0: no limit). */
  group_per_minute: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = {
  global_per_second: 30,
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
    if (!(LIMIT_KEYS as readonly string[]).includes(key)) throw new Error(`unknown limit "${key}"`);
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

export class TokenBucket {
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

export type Verdict = { allowed: true } | { allowed: false; retryAfter: number };

const MAX_IDLE_BUCKETS = 10_000;

export class RateLimiter {
  #limits: Limits;
  readonly #clock: () => number;
  #global: TokenBucket | null = null;
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
    const { global_per_second } = this.#limits;
    this.#global =
      global_per_second > 0 ? new TokenBucket(global_per_second, global_per_second, this.#clock()) : null;
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
      (bucket): bucket is TokenBucket => bucket !== null,
    );
    const waitMs = Math.max(0, ...buckets.map((bucket) => bucket.waitMs(now)));
    if (waitMs > 0) return { allowed: false, retryAfter: Math.max(1, Math.ceil(waitMs / 1000)) };
    for (const bucket of buckets) bucket.take(now);
    return { allowed: true };
  }
}

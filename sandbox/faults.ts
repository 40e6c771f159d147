// Injected faults: a share of Bot API calls fail with 5xx, the next n sending calls answer 429, the
// next n sending calls to one chat answer 400 or 403, or every call answers late (a slow Bot API, so
// tests can have requests in flight).

export interface FaultConfig {
  /** Share (0..1) of Bot API calls, except getUpdates, answered with `status`. */
  error_rate: number;
  status: 500 | 502;
  /** How many of the next sending calls answer 429 with retry_after 1. */
  burst_429: number;
  /** Every Bot API call, except getUpdates, answers this many milliseconds late. */
  latency_ms: number;
  /**
   * The next `count` sending calls to `chat_id` answer `status`: 400 `chat not found` or 403 `bot was
   * blocked by the user` (a reply that fails, without the user blocking the bot). Null: none.
   */
  chat_failure: ChatFailure | null;
}

export interface ChatFailure {
  chat_id: number;
  status: 400 | 403;
  count: number;
}

export const NO_FAULTS: Readonly<FaultConfig> = {
  error_rate: 0,
  status: 500,
  burst_429: 0,
  latency_ms: 0,
  chat_failure: null,
};

function parseChatFailure(input: unknown): ChatFailure | null {
  if (input === null) return null;
  if (typeof input !== "object" || Array.isArray(input))
    throw new Error("chat_failure must be an object or null");
  const { chat_id, status, count = 1 } = input as Record<string, unknown>;
  if (typeof chat_id !== "number" || !Number.isSafeInteger(chat_id))
    throw new Error("chat_failure.chat_id must be an integer");
  if (status !== 400 && status !== 403) throw new Error("chat_failure.status must be 400 or 403");
  if (typeof count !== "number" || !Number.isInteger(count) || count < 0) {
    throw new Error("chat_failure.count must be an integer >= 0");
  }
  return { chat_id, status, count };
}

/** A minute: longer would outlast any client's time-out. */
const MAX_LATENCY_MS = 60_000;

/** Checks a `POST /control/faults` body (or the `faults` option); throws an Error naming the bad field. */
export function parseFaults(input: unknown): Partial<FaultConfig> {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new Error("faults must be an object");
  }
  const source = input as Record<string, unknown>;
  const result: Partial<FaultConfig> = {};
  for (const key of Object.keys(source)) {
    if (!(key in NO_FAULTS)) throw new Error(`unknown fault "${key}"`);
  }
  const { error_rate, status, burst_429, latency_ms } = source;
  if (source.chat_failure !== undefined) result.chat_failure = parseChatFailure(source.chat_failure);
  if (error_rate !== undefined) {
    if (typeof error_rate !== "number" || !(error_rate >= 0 && error_rate <= 1)) {
      throw new Error("error_rate must be a number from 0 to 1");
    }
    result.error_rate = error_rate;
  }
  if (status !== undefined) {
    if (status !== 500 && status !== 502) throw new Error("status must be 500 or 502");
    result.status = status;
  }
  if (burst_429 !== undefined) {
    if (typeof burst_429 !== "number" || !Number.isInteger(burst_429) || burst_429 < 0) {
      throw new Error("burst_429 must be an integer >= 0");
    }
    result.burst_429 = burst_429;
  }
  if (latency_ms !== undefined) {
    if (
      typeof latency_ms !== "number" ||
      !Number.isInteger(latency_ms) ||
      latency_ms < 0 ||
      latency_ms > MAX_LATENCY_MS
    ) {
      throw new Error(`latency_ms must be an integer from 0 to ${MAX_LATENCY_MS}`);
    }
    result.latency_ms = latency_ms;
  }
  return result;
}

export class Faults {
  #config: FaultConfig;
  readonly #random: () => number;

  constructor(initial: Partial<FaultConfig> = {}, random: () => number = Math.random) {
    this.#config = { ...NO_FAULTS, ...initial };
    this.#random = random;
  }

  get config(): FaultConfig {
    const { chat_failure } = this.#config;
    return { ...this.#config, chat_failure: chat_failure ? { ...chat_failure } : null };
  }

  set(partial: Partial<FaultConfig>): FaultConfig {
    this.#config = { ...this.#config, ...partial };
    return this.config;
  }

  /** The 5xx status this call must answer with, or null. */
  serverError(): 500 | 502 | null {
    const { error_rate, status } = this.#config;
    return error_rate > 0 && this.#random() < error_rate ? status : null;
  }

  /** How long this call waits before it is handled (0: no wait). */
  latency(): number {
    return this.#config.latency_ms;
  }

  /** The status (400 or 403) this sending call to `chatId` must answer with, or null. */
  takeChatFailure(chatId: unknown): 400 | 403 | null {
    const failure = this.#config.chat_failure;
    if (!failure || failure.count <= 0 || String(chatId) !== String(failure.chat_id)) return null;
    this.#config.chat_failure = { ...failure, count: failure.count - 1 };
    return failure.status;
  }

  /** True when this sending call is one of the injected 429s. */
  takeBurst(): boolean {
    if (this.#config.burst_429 <= 0) return false;
    this.#config.burst_429 -= 1;
    return true;
  }
}

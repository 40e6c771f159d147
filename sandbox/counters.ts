// What the Bot API answered: calls per method, answers per status, the last errors, messages sent.

export interface ErrorRecord {
  method: string;
  error_code: number;
  description: string;
}

export interface CountersSnapshot {
  requests: Record<string, number>;
  responses: Record<string, number>;
  errors: ErrorRecord[];
  messages_sent: number;
}

const KEPT_ERRORS = 100;
/** Times kept of sending calls, for tests and benchmarks that check the pace (about a minute at 1000/s). */
const KEPT_SEND_TIMES = 100_000;

/** When sending calls reached the flood limits (ms since the epoch): let through, or answered 429. */
export interface SendTimes {
  accepted: number[];
  refused: number[];
}

const emptyResponses = (): Record<string, number> => ({ "200": 0, "400": 0, "403": 0, "429": 0, "5xx": 0 });

export class Counters {
  #requests: Record<string, number> = {};
  #responses = emptyResponses();
  #errors: ErrorRecord[] = [];
  #messagesSent = 0;
  #accepted: number[] = [];
  #refused: number[] = [];

  /** Counts one Bot API call and its answer; `description` is given for failures. */
  record(method: string, status: number, description?: string): void {
    this.#requests[method] = (this.#requests[method] ?? 0) + 1;
    const key = status >= 500 ? "5xx" : String(status);
    this.#responses[key] = (this.#responses[key] ?? 0) + 1;
    if (description !== undefined) {
      this.#errors.push({ method, error_code: status, description });
      if (this.#errors.length > KEPT_ERRORS) this.#errors.splice(0, this.#errors.length - KEPT_ERRORS);
    }
  }

  messageSent(): void {
    this.#messagesSent += 1;
  }

  /** A sending call that passed every other check met the flood limits at `at`. */
  sendingCall(at: number, allowed: boolean): void {
    const times = allowed ? this.#accepted : this.#refused;
    times.push(at);
    if (times.length > KEPT_SEND_TIMES) times.splice(0, times.length - KEPT_SEND_TIMES);
  }

  sendTimes(): SendTimes {
    return { accepted: [...this.#accepted], refused: [...this.#refused] };
  }

  snapshot(): CountersSnapshot {
    return {
      requests: { ...this.#requests },
      responses: { ...this.#responses },
      errors: this.#errors.map((error) => ({ ...error })),
      messages_sent: this.#messagesSent,
    };
  }

  reset(): void {
    this.#requests = {};
    this.#responses = emptyResponses();
    this.#errors = [];
    this.#messagesSent = 0;
    this.#accepted = [];
    this.#refused = [];
  }
}

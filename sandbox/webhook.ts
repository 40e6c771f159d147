// Webhook delivery: POSTs queued updates to the bot's URL one at a time, in order; an update leaves
// the queue on a 2xx answer, otherwise it is retried after a short pause. With `parallel`, as many at
// once as setWebhook's max_connections allows, as Telegram does — but one chat's updates still one
// at a time and in order (a chat's next update waits until the one before it has left the queue), so
// several bot processes behind a load balancer really do work on different chats at the same time.

import { nowSeconds } from "./state.ts";
import type { Update } from "./types.ts";
import type { QueueEntry, UpdateQueue } from "./updates.ts";

export interface WebhookConfig {
  url: string;
  secretToken?: string;
  maxConnections: number;
  allowedUpdates?: string[];
}

export interface WebhookTiming {
  /** Pause before retrying a failed delivery. */
  retryMs: number;
  /** How long to wait for the bot's answer. */
  timeoutMs: number;
  /** Deliver up to max_connections updates at once, one chat's one at a time (default: one in all). */
  parallel?: boolean;
}

export interface WebhookInfo {
  url: string;
  has_custom_certificate: boolean;
  pending_update_count: number;
  max_connections?: number;
  ip_address?: string;
  last_error_date?: number;
  last_error_message?: string;
  allowed_updates?: string[];
}

export class WebhookDelivery {
  readonly #queue: UpdateQueue;
  readonly #timing: WebhookTiming;
  readonly #unsubscribe: () => void;
  #config: WebhookConfig | null = null;
  #running = false;
  #closed = false;
  readonly #inFlight = new Set<AbortController>();
  /** Parallel delivery: the chats (or lone updates) with an update on its way. */
  readonly #busy = new Set<string>();
  #wakePause: (() => void) | null = null;
  #lastError: { date: number; message: string } | null = null;

  constructor(queue: UpdateQueue, timing: WebhookTiming) {
    this.#queue = queue;
    this.#timing = timing;
    this.#unsubscribe = queue.onPush(() => this.#kick());
  }

  get active(): boolean {
    return this.#config !== null;
  }

  set(config: WebhookConfig): void {
    const changed = this.#config?.url !== config.url;
    this.#config = config;
    if (changed) {
      this.#lastError = null;
      this.#abortAll();
      this.#wake();
    }
    this.#kick();
  }

  delete(): void {
    this.#config = null;
    this.#lastError = null;
    this.#abortAll();
    this.#wake();
  }

  info(): WebhookInfo {
    const info: WebhookInfo = {
      url: this.#config?.url ?? "",
      has_custom_certificate: false,
      pending_update_count: this.#queue.size,
    };
    if (this.#config) {
      info.max_connections = this.#config.maxConnections;
      info.ip_address = "127.0.0.1";
      if (this.#config.allowedUpdates) info.allowed_updates = [...this.#config.allowedUpdates];
    }
    if (this.#lastError) {
      info.last_error_date = this.#lastError.date;
      info.last_error_message = this.#lastError.message;
    }
    return info;
  }

  /** Stops delivering: aborts a request in flight and cancels a pending retry. */
  close(): void {
    this.#closed = true;
    this.#config = null;
    this.#unsubscribe();
    this.#abortAll();
    this.#wake();
  }

  #abortAll(): void {
    for (const controller of this.#inFlight) controller.abort();
  }

  #kick(): void {
    if (this.#timing.parallel) this.#fill();
    else if (!this.#running && !this.#closed && this.#config && this.#queue.size > 0) void this.#run();
  }

  /** Parallel delivery: starts the oldest update of each idle chat, up to max_connections in flight. */
  #fill(): void {
    const config = this.#config;
    if (this.#closed || !config) return;
    for (const entry of this.#queue.entries()) {
      if (this.#busy.size >= config.maxConnections) break;
      const key = chatKey(entry.update);
      if (this.#busy.has(key)) continue;
      this.#busy.add(key);
      void this.#deliver(entry, key);
    }
  }

  /** Parallel delivery of one update, retried until a 2xx answer, the webhook's removal or close. */
  async #deliver(entry: QueueEntry, key: string): Promise<void> {
    try {
      for (;;) {
        const config = this.#config;
        if (this.#closed || !config) return;
        entry.delivered = true;
        if (await this.#post(config, JSON.stringify(entry.update))) {
          this.#queue.remove(entry);
          return;
        }
        if (this.#closed || !this.#config) return;
        await new Promise((resolve) => setTimeout(resolve, this.#timing.retryMs));
      }
    } finally {
      this.#busy.delete(key);
      this.#fill();
    }
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      for (;;) {
        const config = this.#config;
        const entry = this.#queue.head();
        if (this.#closed || !config || !entry) break;
        entry.delivered = true;
        const delivered = await this.#post(config, JSON.stringify(entry.update));
        if (this.#closed || !this.#config) break;
        if (delivered) this.#queue.remove(entry);
        else if (this.#config === config) await this.#sleep(this.#timing.retryMs);
      }
    } finally {
      this.#running = false;
    }
  }

  async #post(config: WebhookConfig, body: string): Promise<boolean> {
    const controller = new AbortController();
    this.#inFlight.add(controller);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#timing.timeoutMs);
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (config.secretToken) headers["x-telegram-bot-api-secret-token"] = config.secretToken;
    try {
      const response = await fetch(config.url, { method: "POST", headers, body, signal: controller.signal });
      await response.arrayBuffer();
      if (response.ok) return true;
      this.#fail(`Wrong response from the webhook: ${response.status} ${response.statusText}`.trim());
      return false;
    } catch (error) {
      if (timedOut) this.#fail("Read timeout expired");
      else if (!controller.signal.aborted) this.#fail(connectionError(error));
      return false;
    } finally {
      clearTimeout(timer);
      this.#inFlight.delete(controller);
    }
  }

  #fail(message: string): void {
    this.#lastError = { date: nowSeconds(), message };
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#wakePause = null;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#wakePause = wake;
    });
  }

  #wake(): void {
    this.#wakePause?.();
  }
}

/** Telegram's wording for a webhook it could not reach. */
function connectionError(error: unknown): string {
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code === "ECONNREFUSED") return "Connection refused";
  if (cause?.code === "ENOTFOUND") return "Failed to resolve host: Name or service not known";
  return `Connection failed: ${cause?.message ?? (error instanceof Error ? error.message : String(error))}`;
}

/** What orders an update: its chat, or the update alone when it has none. */
function chatKey(update: Update): string {
  const fields = Object.values(update) as { chat?: { id?: number }; message?: { chat?: { id?: number } } }[];
  for (const field of fields) {
    const chatId = field?.chat?.id ?? field?.message?.chat?.id;
    if (typeof chatId === "number") return `chat:${chatId}`;
  }
  return `update:${update.update_id}`;
}

// Everything one running sandbox holds, shared by the Bot API and the control API.

import type { CallbackStore } from "./callbacks.ts";
import type { Counters } from "./counters.ts";
import type { Faults } from "./faults.ts";
import type { FileStore } from "./files.ts";
import type { RateLimiter } from "./limits.ts";
import type { Poller } from "./polling.ts";
import type { SandboxState } from "./state.ts";
import type { BotMessageWaiters } from "./transcript.ts";
import type { BotCommand } from "./types.ts";
import type { UpdateQueue } from "./updates.ts";
import type { WebhookDelivery } from "./webhook.ts";

export interface SandboxContext {
  token: string;
  state: SandboxState;
  updates: UpdateQueue;
  poller: Poller;
  webhook: WebhookDelivery;
  limiter: RateLimiter;
  faults: Faults;
  counters: Counters;
  files: FileStore;
  waiters: BotMessageWaiters;
  callbacks: CallbackStore;
  /** setMyCommands lists by scope and language. */
  commands: Map<string, BotCommand[]>;
  /** setChatMenuButton by chat id ("default" for the bot's default). */
  menuButtons: Map<string, Record<string, unknown>>;
}

import type { Context, SessionFlavor } from "grammy";
import type { Clock } from "../core/clock.ts";
import type { Db, Household, Member } from "../core/db/client.ts";
import type { Translate } from "../core/i18n.ts";
import type { Logger } from "../core/logger.ts";
import type { DeliveryQueue } from "../core/queues/delivery.ts";
import type { EarlyRead } from "./early-read.ts";
import type { SessionData } from "./session.ts";

/** What every feature may use; passed into createBot and attached to each context. */
export type BotDeps = {
  db: Db;
  logger: Logger;
  clock: Clock;
  deliveryQueue: DeliveryQueue;
  /** The operators' Telegram group (OPERATORS_CHAT_ID): case posts go there, replies come from there. */
  operatorsChatId?: bigint;
  /** PAGOPA_CREDITOR_FISCAL_CODE: installments' pagoPA notices are shown, with their QR code. */
  pagopaCreditorFiscalCode?: string | undefined;
};

export type BussolaFlavor = {
  deps: BotDeps;
  /** i18next fixed to this person's language. */
  t: Translate;
  language: string;
  /** The Telegram user's record, if they have one (linked or having chosen a language). */
  member: (Member & { household: Household | null }) | null;
  logger: Logger;
  /** Set once this process claimed the update: from then on a failure is answered and recorded as failed. */
  updateRecorded?: boolean;
  /** The rows of the reads sent with the update's claim (bot/early-read.ts), when some were. */
  earlyRows?: ReadonlyMap<EarlyRead, unknown[]>;
};

export type BotContext = Context & SessionFlavor<SessionData> & BussolaFlavor;

// What the escalation rules need: the database, the one clock, the delivery queue (nudges and the
// operators' group posts go through it) and the settings they read.
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import type { DeliveryQueue } from "../queues/delivery.ts";

export type EscalationDeps = {
  db: Db;
  clock: Clock;
  deliveryQueue: DeliveryQueue;
  /** The operators' Telegram group (OPERATORS_CHAT_ID); without it nothing is posted. */
  operatorsChatId: bigint | undefined;
  /** Office hours a household's message may wait for an operator's answer (CASE_SLA_HOURS). */
  caseSlaHours: number;
  /** QUIET_HOURS: no nudges to households in this window (minutes after midnight, Europe/Rome). */
  quietHours: { startMinute: number; endMinute: number } | null;
};

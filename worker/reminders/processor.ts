// One reminder scan. A plain function so tests run it with a fixed clock; safe to run twice or in two
// workers at once (the scan records each reminder once, see core/reminders/scan.ts).
import type { Clock } from "../../core/clock.ts";
import type { Db } from "../../core/db/client.ts";
import type { Logger } from "../../core/logger.ts";
import type { DeliveryQueue } from "../../core/queues/delivery.ts";
import { reminderJobSchema } from "../../core/queues/reminders.ts";
import type { QuietHours } from "../../core/quiet-hours.ts";
import { type ReminderScanResult, runReminderScan } from "../../core/reminders/scan.ts";

export type ReminderProcessorDeps = {
  db: Db;
  clock: Clock;
  logger: Logger;
  deliveryQueue: DeliveryQueue;
  quietHours: QuietHours;
  pagopaCreditorFiscalCode?: string | undefined;
};

export async function processReminderJob(
  deps: ReminderProcessorDeps,
  data: unknown,
): Promise<ReminderScanResult> {
  reminderJobSchema.parse(data ?? {});
  return runReminderScan(deps);
}

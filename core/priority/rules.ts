// Who needs help first: the one place that says why a household is on top of a caseload, and by how
// much. The ranked caseload (core/priority/caseload.ts) computes these reasons in SQL for every
// household a staff member sees and orders by the sum of their points (then by household id); the
// page shows each reason beside the household, with its points, so the order can always be explained.
//
// | reason            | counts when (at the clock's now; "today" is the calendar day in Rome)        | points                    |
// | ----------------- | ---------------------------------------------------------------------------- | ------------------------- |
// | urgent_case       | an active case (open, or waiting for the household) is marked urgent        | 50                        |
// | message_waiting   | an open case has household messages with no operator answer after them for  | 20 + 2 per office hour,   |
// |                   | ≥ 2 office hours (Mon–Fri 9–17 Europe/Rome, Italian holidays excluded; from  | hours counted up to 40    |
// |                   | the first unanswered message, as the escalation's answer time counts)       | (at most 100)             |
// | broken_plan       | a repayment plan is broken (two installments missed) and no plan is active   | 40                        |
// | late_installments | installments of an active or broken plan not fully paid, due before today   | 10 each, up to 5 (50)     |
// |                   | (as /plan shows them to the household: paid ones never count)                |                           |
// | unreachable       | the household has linked members and Telegram delivers to none of them      | 25                        |
// |                   | (each answered 403: blocked the bot or deleted the account)                  |                           |
// | arrears_up        | the authority's latest figures (rent + charges) are ≥ 10% above its first   | 20                        |
// |                   | figures for the household ("since entry"); needs two dates, first above 0    |                           |
// | no_contact        | no contact for ≥ 30 days. Contact = a message of the household or an         | 10                        |
// |                   | operator's reply, in any of its cases (open or closed); a household with     |                           |
// |                   | neither counts from when it entered (its record's creation)                  |                           |
//
// Ties (same points) go by household id, oldest first, so the order is stable from page to page.

export const REASONS = [
  "urgent_case",
  "message_waiting",
  "broken_plan",
  "late_installments",
  "unreachable",
  "arrears_up",
  "no_contact",
] as const;

export type Reason = (typeof REASONS)[number];

export function isReason(value: unknown): value is Reason {
  return typeof value === "string" && (REASONS as readonly string[]).includes(value);
}

/** Points: `base`, plus `perUnit` for each unit (installment, office hour) up to `maxUnits`. */
export type Weight = { base: number; perUnit: number; maxUnits: number };

export const WEIGHTS: Readonly<Record<Reason, Weight>> = {
  urgent_case: { base: 50, perUnit: 0, maxUnits: 0 },
  message_waiting: { base: 20, perUnit: 2, maxUnits: 40 },
  broken_plan: { base: 40, perUnit: 0, maxUnits: 0 },
  late_installments: { base: 0, perUnit: 10, maxUnits: 5 },
  unreachable: { base: 25, perUnit: 0, maxUnits: 0 },
  arrears_up: { base: 20, perUnit: 0, maxUnits: 0 },
  no_contact: { base: 10, perUnit: 0, maxUnits: 0 },
};

/** Thresholds of the table above. */
export const THRESHOLDS = {
  /** Office hours a household message waits unanswered before it is a reason. */
  waitingOfficeHours: 2,
  /** How much the latest figures must exceed the first, in percent. */
  arrearsUpPercent: 10,
  /** Days without contact. */
  noContactDays: 30,
} as const;

/** Office hours counted for the page's text ("waiting more than 200 office hours" beyond). */
export const MAX_WAITING_HOURS_SHOWN = 200;

export function pointsOf(reason: Reason, units = 0): number {
  const w = WEIGHTS[reason];
  return w.base + w.perUnit * Math.min(Math.max(units, 0), w.maxUnits);
}

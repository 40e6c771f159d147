// A test's figures per variant, in SQL: reminders sent, and of the reminded installments whose 3 days
// after the due date are over (Rome calendar: dueDate and paymentDate are dates), those paid in full by
// then. "Paid by then" follows core/payments.ts's allocation: the household's payments dated after its
// plan baseline and up to due date + 3 cover every installment up to this one (oldest first, plans not
// cancelled). An installment counts once, however many reminders or members it had; one whose
// household's members were reminded with two wordings (members are assigned one by one) is left out
// of the outcome, since its payment cannot be put down to either, and the page says how many.
import type { Db } from "../db/client.ts";
import { sqlOf } from "../db/sql.ts";
import { romeToday } from "../time.ts";
import {
  type Comparison,
  compareProportions,
  type Interval,
  MIN_PER_VARIANT,
  wilsonInterval,
} from "./stats.ts";

/** Days after the due date within which paying counts as "on time". */
export const ON_TIME_DAYS = 3;

export type VariantResult = {
  label: string;
  /** Reminder messages delivered. */
  sent: number;
  /** Reminded installments whose on-time window is over. */
  decided: number;
  paidOnTime: number;
  rate: number | null;
  interval: Interval | null;
  /** Against the control "A" (null for A itself, or with nothing to compare). */
  comparison: Comparison | null;
  /** Fewer than MIN_PER_VARIANT decided installments here or in A: no verdict yet. */
  enoughData: boolean;
};

export type ExperimentResults = {
  variants: VariantResult[];
  /** Installments reminded with two or more wordings, left out of every variant's outcome. */
  mixed: number;
};

export async function experimentResults(
  db: Db,
  experimentId: number,
  labels: readonly string[],
  now: Date,
): Promise<ExperimentResults> {
  const sql = sqlOf(db);
  const today = romeToday(now).toISOString().slice(0, 10);
  const sentRows = await sql.query<{ variant: string; sent: number }>`
    SELECT s.variant, count(*)::int AS sent
    FROM "ReminderSend" s JOIN "OutboundMessage" o ON o.id = s."messageId" AND o.status = 'sent'
    WHERE s."experimentId" = ${experimentId}::int
    GROUP BY s.variant`;
  const outcomeRows = await sql.query<{ variant: string; decided: number; paid: number }>`
    WITH reminded AS (
      SELECT min(s.variant) AS variant, s."installmentId"
      FROM "ReminderSend" s JOIN "OutboundMessage" o ON o.id = s."messageId" AND o.status = 'sent'
      WHERE s."experimentId" = ${experimentId}::int
      GROUP BY s."installmentId" HAVING count(DISTINCT s.variant) = 1
    ), households AS (
      SELECT DISTINCT p."householdId"
      FROM reminded r JOIN "Installment" i ON i.id = r."installmentId" JOIN "RepaymentPlan" p ON p.id = i."planId"
    ), ordered AS (
      SELECT i.id, i."dueDate", p."householdId",
             sum(i."amountCents") OVER (PARTITION BY p."householdId"
                                        ORDER BY i."dueDate", p.id, i.number ROWS UNBOUNDED PRECEDING) AS upto,
             min(i."dueDate") OVER (PARTITION BY p."householdId") AS "firstDue"
      FROM "Installment" i JOIN "RepaymentPlan" p ON p.id = i."planId" AND p.status <> 'cancelled'
      WHERE p."householdId" IN (SELECT "householdId" FROM households)
    ), judged AS (
      SELECT r.variant,
             (SELECT coalesce(sum(pay."amountCents"), 0) FROM "Payment" pay
              WHERE pay."householdId" = o."householdId"
                AND pay."paymentDate" <= o."dueDate" + ${ON_TIME_DAYS}::int
                AND pay."paymentDate" > coalesce(
                  (SELECT max(b."balanceDate") FROM "ArrearsBalance" b
                   WHERE b."householdId" = o."householdId" AND b."balanceDate" < o."firstDue"),
                  '-infinity'::date)) >= o.upto AS paid
      FROM reminded r JOIN ordered o ON o.id = r."installmentId"
      WHERE o."dueDate" + ${ON_TIME_DAYS}::int < ${today}::date
    )
    SELECT variant, count(*)::int AS decided, count(*) FILTER (WHERE paid)::int AS paid
    FROM judged GROUP BY variant`;
  const [mixed] = await sql.query<{ count: number }>`
    SELECT count(*)::int AS count FROM (
      SELECT s."installmentId"
      FROM "ReminderSend" s JOIN "OutboundMessage" o ON o.id = s."messageId" AND o.status = 'sent'
      WHERE s."experimentId" = ${experimentId}::int
      GROUP BY s."installmentId" HAVING count(DISTINCT s.variant) > 1) m`;
  const base = labels.map((label) => {
    const sent = sentRows.find((r) => r.variant === label)?.sent ?? 0;
    const outcome = outcomeRows.find((r) => r.variant === label);
    const decided = outcome?.decided ?? 0;
    const paidOnTime = outcome?.paid ?? 0;
    return { label, sent, decided, paidOnTime };
  });
  const control = base[0];
  const variants = base.map((row, index) => {
    const comparison =
      index === 0 || !control
        ? null
        : compareProportions(control.paidOnTime, control.decided, row.paidOnTime, row.decided);
    return {
      ...row,
      rate: row.decided > 0 ? row.paidOnTime / row.decided : null,
      interval: wilsonInterval(row.paidOnTime, row.decided),
      comparison,
      enoughData: row.decided >= MIN_PER_VARIANT && (control?.decided ?? 0) >= MIN_PER_VARIANT,
    };
  });
  return { variants, mixed: mixed?.count ?? 0 };
}

// The results dashboard's figures for one filter: awareness (invited → linked → active) and arrears
// (at entry vs now, recovered, settled, plans, installments paid on time, month by month). Every
// figure is a count or integer cents; the page adds the one-line definitions (locales/*/resultsAdmin.json).
// Definitions reuse the bot's: "owed now" is /balance's figure (core/debt.ts arrearsNowOf), a plan's
// standing is /plan's (installmentState), and "paid on time" replays core/payments.ts's allocation by
// date. Computed in PostgreSQL, a few set-based statements that each start from the shared selection
// (selection.ts): loading every household into JavaScript took 7.5 s at 100,000 households.
//
// Still too slow at 100,000 households with 24 months of history (bench/results.ts: p50 7 s): the
// month-by-month statement sorts every selected household's figures and payments. What the 500 ms aim
// needs, not built yet: the time-independent parts kept precomputed per group of households the
// filter can select — (office, municipality, entry cohort) — as day-by-day changes (owed, paid,
// installments due and paid on time by due date, plan standing by first unpaid due date), refreshed
// for the touched groups by the imports' flush and by triggers (as HouseholdFacts, migration
// 20261207182000), so a page sums a few thousand rows; "active" stays a query of the last 30 days.
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import type { StaffScope } from "../offices/scope.ts";
import { romeToday, TIME_ZONE } from "../time.ts";
import { debtViewFigures } from "./debt-views.ts";
import { type Month, monthsBetween, type ResultsFilter } from "./filter.ts";
import { resultsQuery, SELECTED, selectedParams } from "./selection.ts";

/** "Active": a member did something the programme records within this many days. */
export const ACTIVE_DAYS = 30;

export type Awareness = {
  invited: number;
  linked: number;
  active: number;
  /** Households that opened /balance, and /plan, in the period's months (core/results/debt-views.ts). */
  balanceViewed: number;
  planViewed: number;
};

export type PlanStanding = { onTrack: number; late: number; broken: number };

export type MonthFigures = {
  month: Month;
  /** What the households owed at the month's last day (or today, for the current month). */
  owedCents: number;
  /** Payments dated in the month. */
  paidCents: number;
  /** Installments that fell due in the month (before today). */
  installmentsDue: number;
  installmentsOnTime: number;
};

export type ArrearsFigures = {
  /** Households with at least one arrears figure. */
  withFigures: number;
  entryCents: number;
  nowCents: number;
  recoveredCents: number;
  settled: number;
  plans: PlanStanding;
  installmentsDue: number;
  installmentsOnTime: number;
  months: MonthFigures[];
};

export type ResultsFigures = { households: number; awareness: Awareness; arrears: ArrearsFigures };

const romeMonth = new Intl.DateTimeFormat("en-CA", {
  timeZone: TIME_ZONE,
  year: "numeric",
  month: "2-digit",
});

/** The Rome month of an instant: "2026-03". */
export function monthOfInstant(instant: Date): Month {
  return romeMonth.format(instant).slice(0, 7);
}

/** A calendar date as the statements take it: "2026-12-15". */
function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Counts and sums come back as int8 (BigInt) or numeric (text): all are whole numbers of cents or households. */
type Whole = bigint | number | string | null;
const whole = (value: Whole): number => (value === null ? 0 : Number(value));

/**
 * One row for the selection: awareness, and each household's arrears (first figures, what /balance
 * shows now) and plan standing, summed. $5 is the start of the activity window, $6 today (Rome).
 * - "Owed now" is arrearsNowOf's: the latest figures less the payments dated after them, at least 0.
 * - The plan /plan shows: not cancelled, with installments; active, then broken, then completed; the
 *   newest (core/debt.ts). An active one is late when an installment is overdue (installmentState).
 */
const HOUSEHOLDS_SQL = `${SELECTED},
recent AS (
  SELECT k."householdId" AS hid FROM "CaseMessage" m JOIN "Case" k ON k."id" = m."caseId"
   WHERE m."author" = 'household' AND m."createdAt" >= $5::timestamptz
  UNION SELECT b."householdId" FROM "BudgetEntry" b WHERE b."createdAt" >= $5::timestamptz
  UNION SELECT u."householdId" FROM "Checkup" u
   WHERE u."startedAt" >= $5::timestamptz OR u."completedAt" >= $5::timestamptz
  UNION SELECT s."householdId" FROM "CaseSatisfaction" s WHERE s."answeredAt" >= $5::timestamptz
), owed AS MATERIALIZED (
  -- Two index look-ups a household (the first and the latest figures), not every figure it has.
  SELECT f."entry", GREATEST(0, l."total" - COALESCE(p."paid", 0)) AS "now"
  FROM sel
  JOIN LATERAL (
    SELECT b."rentCents"::bigint + b."chargesCents" AS "entry" FROM "ArrearsBalance" b
     WHERE b."householdId" = sel."id" ORDER BY b."balanceDate" ASC LIMIT 1) f ON true
  JOIN LATERAL (
    SELECT b."rentCents"::bigint + b."chargesCents" AS "total", b."balanceDate" FROM "ArrearsBalance" b
     WHERE b."householdId" = sel."id" ORDER BY b."balanceDate" DESC LIMIT 1) l ON true
  LEFT JOIN LATERAL (
    SELECT sum(p."amountCents") AS "paid" FROM "Payment" p
     WHERE p."householdId" = sel."id" AND p."paymentDate" > l."balanceDate") p ON true
), shown AS (
  SELECT DISTINCT ON (r."householdId") r."id", r."status"
  FROM sel JOIN "RepaymentPlan" r ON r."householdId" = sel."id"
  WHERE r."status" <> 'cancelled' AND EXISTS (SELECT 1 FROM "Installment" i WHERE i."planId" = r."id")
  ORDER BY r."householdId", CASE r."status" WHEN 'active' THEN 0 WHEN 'broken' THEN 1 ELSE 2 END, r."id" DESC
), standing AS MATERIALIZED (
  SELECT CASE
    WHEN s."status" = 'broken' THEN 'broken'
    WHEN s."status" <> 'active' THEN NULL
    WHEN EXISTS (SELECT 1 FROM "Installment" i WHERE i."planId" = s."id"
                  AND i."paidCents" < i."amountCents" AND i."dueDate" < $6::date) THEN 'late'
    ELSE 'onTrack' END AS "standing"
  FROM shown s
)
SELECT
  (SELECT count(*) FROM sel) AS "households",
  (SELECT count(*) FROM sel WHERE sel."entry" IS NOT NULL
      OR EXISTS (SELECT 1 FROM "LinkCode" c WHERE c."householdId" = sel."id")) AS "invited",
  (SELECT count(*) FROM sel WHERE sel."entry" IS NOT NULL) AS "linked",
  (SELECT count(*) FROM sel WHERE sel."entry" IS NOT NULL AND sel."id" IN (SELECT hid FROM recent)) AS "active",
  o.*, s.*
FROM (SELECT count(*) AS "withFigures", sum("entry") AS "entryCents", sum("now") AS "nowCents",
        sum(GREATEST(0, "entry" - "now")) AS "recoveredCents",
        count(*) FILTER (WHERE "entry" > 0 AND "now" = 0) AS "settled"
      FROM owed) o,
     (SELECT count(*) FILTER (WHERE "standing" = 'onTrack') AS "onTrack",
        count(*) FILTER (WHERE "standing" = 'late') AS "late",
        count(*) FILTER (WHERE "standing" = 'broken') AS "broken"
      FROM standing) s`;

type HouseholdsRow = Record<
  | "households"
  | "invited"
  | "linked"
  | "active"
  | "withFigures"
  | "entryCents"
  | "nowCents"
  | "recoveredCents"
  | "settled"
  | "onTrack"
  | "late"
  | "broken",
  Whole
>;

/**
 * What the selection owed at the end of each month of the period (today for this one) and paid in it.
 * $5 the first day of the period's first month, $6 of its last, $7 today.
 *
 * A household owes, at the end of a day, its latest figures by then less the payments dated after
 * them up to that day, at least 0: a figure that changes only on the days it has figures or payments.
 * Its figures and payments go through one sort (household, day, payments before figures: a payment
 * on a figure's own day is already inside it) and three window passes in that order:
 * `paidBy` adds up the household's payments to the end of each day; `latest` carries the latest
 * figures with what had been paid by their day (an array, so `max` picks the latest day's); so the
 * amount owed at each row is (figures + paid by their day) − paid by this day. Each row then keeps
 * how much that changed since the row before; a month's figure is the sum of all the changes up to
 * its last day (the last row of a day has the end-of-day amount, and the changes add up to it).
 * A household's history starts at the figures in force when the period starts (`starts`): the
 * changes then add up from there, and half the rows of a 12-month period out of 24 are never sorted.
 */
const MONTHS_SQL = `${SELECTED},
months AS (
  SELECT m::date AS "start", LEAST((m + interval '1 month' - interval '1 day')::date, $7::date) AS "day"
  FROM generate_series($5::date, $6::date, interval '1 month') m
), starts AS MATERIALIZED (
  -- The figures in force when the period starts: what came before them changes no month of it.
  SELECT sel."id" AS hid, COALESCE((
    SELECT max(b."balanceDate") FROM "ArrearsBalance" b
     WHERE b."householdId" = sel."id" AND b."balanceDate" < $5::date), '-infinity'::date) AS "since"
  FROM sel
), events AS (
  SELECT b."householdId" AS hid, b."balanceDate" AS d, 1 AS "kind",
    b."rentCents"::bigint + b."chargesCents" AS "total", 0 AS "amount"
  FROM starts s JOIN "ArrearsBalance" b ON b."householdId" = s.hid
  WHERE b."balanceDate" >= s."since" AND b."balanceDate" <= (SELECT max("day") FROM months)
  UNION ALL
  SELECT p."householdId", p."paymentDate", 0, NULL, p."amountCents"
  FROM starts s JOIN "Payment" p ON p."householdId" = s.hid
  WHERE p."paymentDate" >= s."since" AND p."paymentDate" <= (SELECT max("day") FROM months)
), running AS (
  SELECT hid, d, "kind", "total", sum("amount") OVER (PARTITION BY hid ORDER BY d, "kind") AS "paidBy"
  FROM events
), valued AS (
  SELECT hid, d, "kind", "paidBy",
    max(CASE WHEN "total" IS NOT NULL THEN ARRAY[d - DATE '2000-01-01', "total" + "paidBy"] END)
      OVER (PARTITION BY hid ORDER BY d, "kind") AS "latest"
  FROM running
), owing AS (
  SELECT hid, d, "kind", CASE WHEN "latest" IS NULL THEN 0 ELSE GREATEST(0, "latest"[2] - "paidBy") END AS "owed"
  FROM valued
), changes AS MATERIALIZED (
  SELECT d, sum("change") AS "change" FROM (
    SELECT d, "owed" - lag("owed", 1, 0::bigint) OVER (PARTITION BY hid ORDER BY d, "kind") AS "change"
    FROM owing
  ) c GROUP BY d
), paid AS (
  SELECT date_trunc('month', p."paymentDate")::date AS "start", sum(p."amountCents") AS "paid"
  FROM sel JOIN "Payment" p ON p."householdId" = sel."id"
  WHERE p."paymentDate" >= $5::date AND p."paymentDate" < $6::date + interval '1 month'
  GROUP BY 1
)
SELECT to_char(m."start", 'YYYY-MM') AS "month",
  CASE WHEN m."start" > $7::date THEN 0 ELSE COALESCE(o."owed", 0) END AS "owedCents",
  COALESCE(paid."paid", 0) AS "paidCents"
FROM months m LEFT JOIN paid ON paid."start" = m."start"
LEFT JOIN LATERAL (SELECT sum(c."change") AS "owed" FROM changes c WHERE c.d <= m."day") o ON true
ORDER BY m."start"`;

type MonthRow = { month: Month; owedCents: Whole; paidCents: Whole };

/**
 * The installments of the selection's plans (not cancelled) that fell due before today ($5), by month
 * of their due date, and how many of them were paid on time, as core/payments.ts allocates: a
 * household's installments in due date, plan and number order; the payments that count are dated
 * after its allocation baseline (the latest figures dated before its first installment falls due;
 * every payment without one); an installment is paid on time when the counting payments dated on or
 * before its due date cover it and every installment before it. Payments and installments go through
 * one running sum per household, a payment before an installment of the same day.
 */
const INSTALLMENTS_SQL = `${SELECTED},
ordered AS (
  SELECT r."householdId" AS hid, i."dueDate",
    sum(i."amountCents"::bigint) OVER (PARTITION BY r."householdId"
      ORDER BY i."dueDate", r."id", i."number" ROWS UNBOUNDED PRECEDING) AS "cumulative",
    min(i."dueDate") OVER (PARTITION BY r."householdId") AS "firstDue"
  FROM sel JOIN "RepaymentPlan" r ON r."householdId" = sel."id" AND r."status" <> 'cancelled'
  JOIN "Installment" i ON i."planId" = r."id"
), due AS (
  SELECT * FROM ordered WHERE "dueDate" < $5::date
), baselines AS MATERIALIZED (
  SELECT h.hid, (SELECT max(b."balanceDate") FROM "ArrearsBalance" b
                  WHERE b."householdId" = h.hid AND b."balanceDate" < h."firstDue") AS "baseline"
  FROM (SELECT DISTINCT hid, "firstDue" FROM due) h
), events AS (
  SELECT hid, "dueDate" AS d, 1 AS "kind", 0::bigint AS "amount", "cumulative" FROM due
  UNION ALL
  SELECT p."householdId", p."paymentDate", 0, p."amountCents", NULL
  FROM baselines s JOIN "Payment" p ON p."householdId" = s.hid
  WHERE p."paymentDate" < $5::date AND (s."baseline" IS NULL OR p."paymentDate" > s."baseline")
), running AS (
  SELECT "kind", d, "cumulative",
    sum("amount") OVER (PARTITION BY hid ORDER BY d, "kind" ROWS UNBOUNDED PRECEDING) AS "paidBy"
  FROM events
)
SELECT to_char(d, 'YYYY-MM') AS "month", count(*) AS "due",
  count(*) FILTER (WHERE "paidBy" >= "cumulative") AS "onTime"
FROM running WHERE "kind" = 1
GROUP BY 1`;

type InstallmentRow = { month: Month; due: Whole; onTime: Whole };

export async function resultsFigures(
  db: Db,
  clock: Clock,
  scope: StaffScope,
  filter: ResultsFilter,
): Promise<ResultsFigures> {
  const now = clock.now();
  const today = isoDay(romeToday(now));
  const since = new Date(now.getTime() - ACTIVE_DAYS * 86_400_000);
  const selected = selectedParams(scope, filter);
  const [[h], monthRows, installmentRows, views] = await Promise.all([
    resultsQuery<HouseholdsRow>(db, HOUSEHOLDS_SQL, [...selected, since, today]),
    resultsQuery<MonthRow>(db, MONTHS_SQL, [...selected, `${filter.from}-01`, `${filter.to}-01`, today]),
    resultsQuery<InstallmentRow>(db, INSTALLMENTS_SQL, [...selected, today]),
    debtViewFigures(db, scope, filter),
  ]);
  if (!h) throw new Error("the results statement returned no row");
  const byMonth = new Map(monthRows.map((m) => [m.month, m]));
  const dueByMonth = new Map(installmentRows.map((i) => [i.month, i]));
  const months = monthsBetween(filter.from, filter.to).map(
    (month): MonthFigures => ({
      month,
      owedCents: whole(byMonth.get(month)?.owedCents ?? 0),
      paidCents: whole(byMonth.get(month)?.paidCents ?? 0),
      installmentsDue: whole(dueByMonth.get(month)?.due ?? 0),
      installmentsOnTime: whole(dueByMonth.get(month)?.onTime ?? 0),
    }),
  );
  return {
    households: whole(h.households),
    awareness: { invited: whole(h.invited), linked: whole(h.linked), active: whole(h.active), ...views },
    arrears: {
      withFigures: whole(h.withFigures),
      entryCents: whole(h.entryCents),
      nowCents: whole(h.nowCents),
      recoveredCents: whole(h.recoveredCents),
      settled: whole(h.settled),
      plans: { onTrack: whole(h.onTrack), late: whole(h.late), broken: whole(h.broken) },
      installmentsDue: installmentRows.reduce((s, i) => s + whole(i.due), 0),
      installmentsOnTime: installmentRows.reduce((s, i) => s + whole(i.onTime), 0),
      months,
    },
  };
}

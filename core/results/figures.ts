// The results dashboard's figures for one filter: awareness (invited → linked → active) and arrears
// (at entry vs now, recovered, settled, plans, installments paid on time, month by month). Every
// figure is a count or integer cents; the page adds the one-line definitions (locales/*/resultsAdmin.json).
// Definitions reuse the bot's: "owed now" is /balance's figure (core/debt.ts arrearsNowOf), a plan's
// standing is /plan's (installmentState), and "paid on time" replays core/payments.ts's allocation by
// date. What does not depend on the day is kept precomputed (precompute.ts): per household, and per
// group of households the filter can select and per day; a page sums those rows and applies today's
// date. Computing it from every household's history on each page took 10 s at 100,000 households.
// "Active" stays a query of the last 30 days.
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import type { StaffScope } from "../offices/scope.ts";
import { romeToday, TIME_ZONE } from "../time.ts";
import { debtViewFigures } from "./debt-views.ts";
import { type Month, monthsBetween, type ResultsFilter } from "./filter.ts";
import { inFilter, resultsQuery, SELECTED, selectedParams } from "./selection.ts";

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
 * One row for the selection, from the precomputed households (precompute.ts): awareness, and their
 * arrears and plan standing summed. $5 is the start of the activity window, $6 today (Rome).
 * - Active: linked, with a household's message, a budget entry, a check-up started or completed, or a
 *   satisfaction answer since $5 (the latest of them is kept precomputed).
 * - "Owed now" is arrearsNowOf's: the latest figures less the payments dated after them, at least 0.
 * - The plan /plan shows (core/debt.ts); an active one is late when an installment not fully paid fell
 *   due before today (installmentState).
 */
const HOUSEHOLDS_SQL = `${SELECTED}
SELECT count(*) AS "households",
  count(*) FILTER (WHERE sel."invited") AS "invited",
  count(*) FILTER (WHERE sel."linked") AS "linked",
  count(*) FILTER (WHERE sel."linked" AND sel."lastActiveAt" >= $5::timestamptz) AS "active",
  count(sel."entryCents") AS "withFigures",
  sum(sel."entryCents") AS "entryCents",
  sum(sel."nowCents") AS "nowCents",
  sum(GREATEST(0, sel."entryCents" - sel."nowCents")) AS "recoveredCents",
  count(*) FILTER (WHERE sel."entryCents" > 0 AND sel."nowCents" = 0) AS "settled",
  count(*) FILTER (WHERE sel."plan" = 'active'
    AND (sel."firstUnpaidDue" IS NULL OR sel."firstUnpaidDue" >= $6::date)) AS "onTrack",
  count(*) FILTER (WHERE sel."plan" = 'active' AND sel."firstUnpaidDue" < $6::date) AS "late",
  count(*) FILTER (WHERE sel."plan" = 'broken') AS "broken"
FROM sel`;

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
 * The selection's groups' day-by-day rows (precompute.ts), added up month by month. $5 the first day
 * of the period's first month, $6 of its last, $7 today.
 * - Owed at the end of a month (today for this one): every change up to that day.
 * - Paid: payments dated in the month.
 * - Installments: those that fell due in the month before today, and of them those paid on time; the
 *   row with a null month carries the totals over every month before today.
 */
const MONTHS_SQL = `WITH days AS MATERIALIZED (
  SELECT d."day", sum(d."owedChange") AS "owed", sum(d."paidCents") AS "paid",
    sum(d."installmentsDue") AS "due", sum(d."installmentsOnTime") AS "onTime"
  FROM "ResultsDay" d WHERE ${inFilter("d")}
  GROUP BY d."day"
), months AS (
  SELECT m::date AS "start", (m + interval '1 month' - interval '1 day')::date AS "end"
  FROM generate_series($5::date, $6::date, interval '1 month') m
)
SELECT to_char(m."start", 'YYYY-MM') AS "month",
  CASE WHEN m."start" > $7::date THEN 0 ELSE (
    SELECT COALESCE(sum(x."owed"), 0) FROM days x WHERE x."day" <= LEAST(m."end", $7::date)) END AS "owedCents",
  (SELECT COALESCE(sum(x."paid"), 0) FROM days x WHERE x."day" BETWEEN m."start" AND m."end") AS "paidCents",
  (SELECT COALESCE(sum(x."due"), 0) FROM days x
    WHERE x."day" BETWEEN m."start" AND m."end" AND x."day" < $7::date) AS "due",
  (SELECT COALESCE(sum(x."onTime"), 0) FROM days x
    WHERE x."day" BETWEEN m."start" AND m."end" AND x."day" < $7::date) AS "onTime"
FROM months m
UNION ALL
SELECT NULL, 0, 0, COALESCE(sum(x."due"), 0), COALESCE(sum(x."onTime"), 0) FROM days x WHERE x."day" < $7::date`;

type MonthRow = { month: Month | null; owedCents: Whole; paidCents: Whole; due: Whole; onTime: Whole };

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
  const [[h], monthRows, views] = await Promise.all([
    resultsQuery<HouseholdsRow>(db, HOUSEHOLDS_SQL, [...selected, since, today]),
    resultsQuery<MonthRow>(db, MONTHS_SQL, [...selected, `${filter.from}-01`, `${filter.to}-01`, today]),
    debtViewFigures(db, scope, filter),
  ]);
  if (!h) throw new Error("the results statement returned no row");
  const byMonth = new Map(monthRows.map((m) => [m.month, m]));
  const totals = byMonth.get(null);
  const months = monthsBetween(filter.from, filter.to).map(
    (month): MonthFigures => ({
      month,
      owedCents: whole(byMonth.get(month)?.owedCents ?? 0),
      paidCents: whole(byMonth.get(month)?.paidCents ?? 0),
      installmentsDue: whole(byMonth.get(month)?.due ?? 0),
      installmentsOnTime: whole(byMonth.get(month)?.onTime ?? 0),
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
      installmentsDue: whole(totals?.due ?? 0),
      installmentsOnTime: whole(totals?.onTime ?? 0),
      months,
    },
  };
}

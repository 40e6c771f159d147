// The results dashboard's "spending" section: the family budget month by month over the filter's
// period: households keeping it (at least one entry dated in the month) and the share of flexible
// spending (flexible expenses / all expenses, money in integer cents). "Flexible" is /summary's own
// split (core/budget.ts): every expense outside FIXED_EXPENSES (core/budget/categories.ts).
// Months are the calendar months of the entry's date (occurredOn, the day the member gave).
//
// The budget is the family's: the case worker sees its summary only if a member chose to show it
// (/privacy). A filter narrow enough (one municipality, one entry month) could single a family out, so
// amounts and shares are withheld for any month (or the period) in which fewer than
// MIN_HOUSEHOLDS_FOR_AMOUNTS households logged expenses; how many households keep a budget is shown
// always (the "active" figure already counts it).
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import type { StaffScope } from "../offices/scope.ts";
import { type CsvRow, type CsvUnit, percentText } from "./csv.ts";
import { addMonths, type Month, monthsBetween, type ResultsFilter } from "./filter.ts";
import type { ResultsSection } from "./section.ts";
import { resultsQuery, SELECTED, selectedParams } from "./selection.ts";

/** Below this many households with expenses, a month's amounts and share are not shown. */
export const MIN_HOUSEHOLDS_FOR_AMOUNTS = 5;

export type SpendingFigures = {
  /** Households with at least one entry (expense or income) dated in the month (or the period). */
  keeping: number;
  /** Households with at least one expense dated then. */
  spending: number;
  /** All expenses; null when withheld (fewer than MIN_HOUSEHOLDS_FOR_AMOUNTS households spending). */
  expenseCents: number | null;
  /** Expenses outside the fixed categories; null when withheld. */
  flexibleCents: number | null;
};

export type SpendingMonth = SpendingFigures & { month: Month };

export type Spending = {
  /** Selected households with a member who ever linked: the ones that can keep a budget. */
  linked: number;
  period: SpendingFigures;
  months: SpendingMonth[];
};

type Row = {
  /** The month's index in the period (0 = filter.from); null on the period's row. */
  m: number | null;
  linked: number;
  keeping: number;
  spending: number;
  expenseCents: bigint;
  flexibleCents: bigint;
};

/**
 * $5 the period's first day, $6 the day after it, $7 its first month as year × 12 + month, $8 the
 * number of months. Reads "ResultsBudget", one row per household and month with entries, kept by
 * triggers on BudgetEntry (migration 20261208001000_results_budget), not the entries themselves: a
 * household keeping its budget logs a dozen a month. "Households keeping a budget in the month" counts
 * its rows; in the period, its households.
 */
const SPENDING_SQL = `${SELECTED},
agg AS (
  SELECT GROUPING(r."householdId", r."month") AS "set", r."householdId", r."month",
    count(*) AS "keeping", count(*) FILTER (WHERE r."expenses" > 0) AS "spending",
    bool_or(r."expenses" > 0) AS "spent",
    sum(r."expenseCents") AS "expenseCents", sum(r."flexibleCents") AS "flexibleCents"
  FROM sel JOIN "ResultsBudget" r
    ON r."householdId" = sel."id" AND r."month" >= $5::date AND r."month" < $6::date
  GROUP BY GROUPING SETS ((r."householdId"), (r."month")))
-- GROUPING(…) = 1: a household's rows; 2: a month's rows (one per household that logged in it).
SELECT extract(year FROM a."month")::int * 12 + extract(month FROM a."month")::int - $7::int AS "m",
  0 AS "linked", a."keeping"::int AS "keeping", a."spending"::int AS "spending",
  a."expenseCents"::bigint AS "expenseCents", a."flexibleCents"::bigint AS "flexibleCents"
FROM agg a WHERE a."set" = 2
UNION ALL
SELECT NULL, (SELECT count(*) FROM sel WHERE sel."linked")::int,
  count(*) FILTER (WHERE "set" = 1)::int, count(*) FILTER (WHERE "set" = 1 AND "spent")::int,
  COALESCE(sum("expenseCents") FILTER (WHERE "set" = 2), 0)::bigint,
  COALESCE(sum("flexibleCents") FILTER (WHERE "set" = 2), 0)::bigint
FROM agg`;

function figuresOf(row: Row | undefined): SpendingFigures {
  const spending = row?.spending ?? 0;
  const shown = spending >= MIN_HOUSEHOLDS_FOR_AMOUNTS;
  return {
    keeping: row?.keeping ?? 0,
    spending,
    expenseCents: shown ? Number(row?.expenseCents ?? 0n) : null,
    flexibleCents: shown ? Number(row?.flexibleCents ?? 0n) : null,
  };
}

/** A month as year × 12 + month, the index the query counts months from. */
function monthIndex(month: Month): number {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return y * 12 + m;
}

async function compute(db: Db, _clock: Clock, scope: StaffScope, filter: ResultsFilter): Promise<Spending> {
  const months = monthsBetween(filter.from, filter.to);
  const rows = await resultsQuery<Row>(db, SPENDING_SQL, [
    ...selectedParams(scope, filter),
    `${filter.from}-01`,
    `${addMonths(filter.to, 1)}-01`,
    monthIndex(filter.from),
  ]);
  const byIndex = new Map(rows.filter((r) => r.m !== null).map((r) => [r.m, r]));
  const total = rows.find((r) => r.m === null);
  return {
    linked: total?.linked ?? 0,
    period: figuresOf(total),
    months: months.map((month, i) => ({ month, ...figuresOf(byIndex.get(i)) })),
  };
}

/** Flexible expenses as a share of all expenses: "" when withheld or nothing was spent. */
export function flexibleShareText(f: SpendingFigures): string {
  return f.expenseCents === null || f.flexibleCents === null
    ? ""
    : percentText(f.flexibleCents, f.expenseCents);
}

function rows(s: Spending, label: (key: string) => string): CsvRow[] {
  const section = label("spending.title");
  const row = (key: string, value: number | string | null, unit: CsvUnit, month = ""): CsvRow => ({
    section,
    figure: label(`spending.${key}`),
    month,
    value: value === null ? "" : String(value),
    unit,
  });
  /** The period's figures are named "…Period" (their definitions differ), the months' plainly. */
  const figures = (f: SpendingFigures, month: string, suffix: string) => [
    row(`keeping${suffix}`, f.keeping, "households", month),
    row(`expenses${suffix}`, f.expenseCents, "cents", month),
    row(`flexible${suffix}`, f.flexibleCents, "cents", month),
    row(`flexibleShare${suffix}`, flexibleShareText(f), "percent", month),
  ];
  return [
    row("linked", s.linked, "households"),
    ...figures(s.period, "", "Period"),
    ...s.months.flatMap((m) => figures(m, m.month, "")),
  ];
}

export const spendingSection: ResultsSection<Spending> = { key: "spending", compute, rows };

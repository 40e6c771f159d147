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
import { inFilter, resultsQuery, SELECTED, selectedParams } from "./selection.ts";

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
 * $5 the period's first day, $6 the day after it, $7 its first month as year × 12 + month, $8 its
 * months so (an array). The months' figures add up the selection's groups' rows of
 * "ResultsBudgetMonth"; the period's households are those with one of its months among their
 * "budgetMonths" (or "spentMonths"), kept precomputed (precompute.ts) from "ResultsBudget", which the
 * triggers on BudgetEntry keep (migration 20261208001000_results_budget).
 */
const SPENDING_SQL = `${SELECTED},
months AS MATERIALIZED (
  SELECT b."month", sum(b."keeping") AS "keeping", sum(b."spending") AS "spending",
    sum(b."expenseCents") AS "expenseCents", sum(b."flexibleCents") AS "flexibleCents"
  FROM "ResultsBudgetMonth" b
  WHERE ${inFilter("b")} AND b."month" >= $5::date AND b."month" < $6::date
  GROUP BY b."month")
SELECT extract(year FROM m."month")::int * 12 + extract(month FROM m."month")::int - $7::int AS "m",
  0 AS "linked", m."keeping"::int AS "keeping", m."spending"::int AS "spending",
  m."expenseCents"::bigint AS "expenseCents", m."flexibleCents"::bigint AS "flexibleCents"
FROM months m
UNION ALL
SELECT NULL, count(*) FILTER (WHERE sel."linked")::int,
  count(*) FILTER (WHERE sel."budgetMonths" && $8::int[])::int,
  count(*) FILTER (WHERE sel."spentMonths" && $8::int[])::int,
  (SELECT COALESCE(sum("expenseCents"), 0) FROM months)::bigint,
  (SELECT COALESCE(sum("flexibleCents"), 0) FROM months)::bigint
FROM sel`;

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
    months.map(monthIndex),
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

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
import { FIXED_EXPENSES } from "../budget/categories.ts";
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
 * fixed categories, $9 the number of months. One pass over the period's entries, grouped two ways at
 * once: by month (the sums) and by household (a bit per month with an entry, and one per month with
 * an expense), so "households keeping a budget in the month" is a count of set bits, with no
 * count(DISTINCT …) sorting millions of rows. A month's index is at most MAX_MONTHS − 1 (35): it fits
 * a bigint's bits. Households without entries join as one empty row each, for the linked count.
 */
const SPENDING_SQL = `${SELECTED},
entry AS (
  SELECT sel."linked", b."householdId",
    extract(year FROM b."occurredOn")::int * 12 + extract(month FROM b."occurredOn")::int - $7::int AS "m",
    b."kind" = 'expense' AS "expense",
    b."kind" = 'expense' AND NOT (b."category" = ANY($8::text[])) AS "flexible",
    b."amountCents"
  FROM sel LEFT JOIN "BudgetEntry" b
    ON b."householdId" = sel."id" AND b."occurredOn" >= $5::date AND b."occurredOn" < $6::date),
agg AS (
  SELECT GROUPING("householdId") = 0 AS "byHousehold", "householdId", "m",
    count(*) FILTER (WHERE "linked") AS "linkedRows",
    bool_or("linked") AS "linked",
    COALESCE(bit_or(1::bigint << "m"), 0) AS "kept",
    COALESCE(bit_or(CASE WHEN "expense" THEN 1::bigint << "m" ELSE 0 END), 0) AS "spent",
    COALESCE(sum("amountCents") FILTER (WHERE "expense"), 0) AS "expenseCents",
    COALESCE(sum("amountCents") FILTER (WHERE "flexible"), 0) AS "flexibleCents"
  FROM entry GROUP BY GROUPING SETS (("householdId"), ("m"))),
household AS (SELECT "kept", "spent" FROM agg WHERE "byHousehold" AND "householdId" IS NOT NULL),
counted AS (
  SELECT i AS "m",
    count(*) FILTER (WHERE h."kept" & (1::bigint << i) <> 0) AS "keeping",
    count(*) FILTER (WHERE h."spent" & (1::bigint << i) <> 0) AS "spending"
  FROM generate_series(0, $9::int - 1) i CROSS JOIN household h GROUP BY i)
SELECT c."m", 0 AS "linked", c."keeping"::int AS "keeping", c."spending"::int AS "spending",
  COALESCE(a."expenseCents", 0)::bigint AS "expenseCents", COALESCE(a."flexibleCents", 0)::bigint AS "flexibleCents"
FROM counted c LEFT JOIN agg a ON NOT a."byHousehold" AND a."m" = c."m"
UNION ALL
SELECT NULL,
  (COALESCE(sum("linkedRows") FILTER (WHERE "byHousehold" AND "householdId" IS NULL), 0)
    + count(*) FILTER (WHERE "byHousehold" AND "householdId" IS NOT NULL AND "linked"))::int,
  count(*) FILTER (WHERE "byHousehold" AND "householdId" IS NOT NULL)::int,
  count(*) FILTER (WHERE "byHousehold" AND "householdId" IS NOT NULL AND "spent" <> 0)::int,
  COALESCE(sum("expenseCents") FILTER (WHERE NOT "byHousehold"), 0)::bigint,
  COALESCE(sum("flexibleCents") FILTER (WHERE NOT "byHousehold"), 0)::bigint
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
  // One bit per month in a bigint (see SPENDING_SQL); readFilter keeps periods to MAX_MONTHS (36).
  if (months.length > 63) throw new Error("the spending figures cover at most 63 months");
  const rows = await resultsQuery<Row>(db, SPENDING_SQL, [
    ...selectedParams(scope, filter),
    `${filter.from}-01`,
    `${addMonths(filter.to, 1)}-01`,
    monthIndex(filter.from),
    [...FIXED_EXPENSES],
    months.length,
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

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
import { sqlOf } from "../db/sql.ts";
import type { StaffScope } from "../offices/scope.ts";
import { type CsvRow, type CsvUnit, percentText } from "./csv.ts";
import { addMonths, type Month, monthsBetween, type ResultsFilter } from "./filter.ts";
import type { ResultsSection } from "./section.ts";
import { SELECTED, selectedParams } from "./selection.ts";

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
  month: Month | null;
  linked: number;
  keeping: number;
  spending: number;
  expenseCents: bigint;
  flexibleCents: bigint;
};

/** $5 the months, $6 the period's first day, $7 the day after it, $8 the fixed categories. */
const SPENDING_SQL = `${SELECTED},
entry AS (
  SELECT b."householdId", to_char(b."occurredOn", 'YYYY-MM') AS "month", b."kind", b."category", b."amountCents"
  FROM sel JOIN "BudgetEntry" b ON b."householdId" = sel."id"
  WHERE b."occurredOn" >= $6::date AND b."occurredOn" < $7::date)
SELECT m."month",
  (SELECT count(*) FROM sel WHERE sel."entry" IS NOT NULL)::int AS "linked",
  count(DISTINCT e."householdId")::int AS "keeping",
  count(DISTINCT e."householdId") FILTER (WHERE e."kind" = 'expense')::int AS "spending",
  COALESCE(sum(e."amountCents") FILTER (WHERE e."kind" = 'expense'), 0)::bigint AS "expenseCents",
  COALESCE(sum(e."amountCents") FILTER (
    WHERE e."kind" = 'expense' AND NOT (e."category" = ANY($8::text[]))), 0)::bigint AS "flexibleCents"
FROM unnest($5::text[]) AS m("month") LEFT JOIN entry e ON e."month" = m."month"
GROUP BY GROUPING SETS ((m."month"), ())`;

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

async function compute(db: Db, _clock: Clock, scope: StaffScope, filter: ResultsFilter): Promise<Spending> {
  const months = monthsBetween(filter.from, filter.to);
  const rows = await sqlOf(db).text<Row>(SPENDING_SQL, [
    ...selectedParams(scope, filter),
    months,
    `${filter.from}-01`,
    `${addMonths(filter.to, 1)}-01`,
    [...FIXED_EXPENSES],
  ]);
  const byMonth = new Map(rows.filter((r) => r.month !== null).map((r) => [r.month, r]));
  const total = rows.find((r) => r.month === null);
  return {
    linked: total?.linked ?? 0,
    period: figuresOf(total),
    months: months.map((month) => ({ month, ...figuresOf(byMonth.get(month)) })),
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

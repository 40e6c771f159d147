// The results dashboard's filter: office, municipality, entry cohort (month of entry) and period,
// read from a plain GET form. Who may see what is not decided here: `resultsWhere` adds the one rule
// of core/offices/scope.ts, so an operator's or coordinator's office filter can only narrow, never widen.
import type { Prisma } from "../db/client.ts";
import { type StaffScope, visibleHouseholds } from "../offices/scope.ts";

/** A month as "2026-03". */
export type Month = string;

export type ResultsFilter = {
  officeId: number | null;
  municipality: string | null;
  /** Households whose first member linked in this month (Europe/Rome). */
  cohort: Month | null;
  /** The months of the month-by-month figures, inclusive. */
  from: Month;
  to: Month;
};

export type FilterProblem = "office" | "cohort" | "period" | "periodTooLong";

/** The longest period the month-by-month figures cover. */
export const MAX_MONTHS = 36;
/** The period when none is given: the last 12 months, this one included. */
const DEFAULT_MONTHS = 12;

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonth(value: unknown): value is Month {
  return typeof value === "string" && MONTH.test(value) && value >= "2000-01" && value <= "2099-12";
}

/** "2026-03" + n months (n may be negative). */
export function addMonths(month: Month, n: number): Month {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const index = y * 12 + (m - 1) + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}

export function monthsBetween(from: Month, to: Month): Month[] {
  const months: Month[] = [];
  for (let m = from; m <= to; m = addMonths(m, 1)) months.push(m);
  return months;
}

/**
 * The filter from the query string. Bad values are reported and left out (the page shows the
 * figures without them and says why); an office other than one's own is refused the same way for
 * staff who see only their office.
 */
export function readFilter(
  raw: Record<string, unknown>,
  scope: StaffScope,
  currentMonth: Month,
): { filter: ResultsFilter; problems: FilterProblem[] } {
  const problems: FilterProblem[] = [];
  const text = (name: string) => {
    const v = raw[name];
    return typeof v === "string" && v.trim() !== "" ? v.trim() : null;
  };
  let officeId: number | null = null;
  const office = text("office");
  if (office !== null) {
    const id = /^[1-9]\d{0,8}$/.test(office) ? Number(office) : null;
    if (id === null || (scope.role !== "admin" && id !== scope.officeId)) problems.push("office");
    else officeId = id;
  }
  const municipality = text("municipality")?.slice(0, 200) ?? null;
  let cohort = text("cohort");
  if (cohort !== null && !isMonth(cohort)) {
    problems.push("cohort");
    cohort = null;
  }
  let to = text("to") ?? currentMonth;
  // Months still to come have no figures: the period stops at this month.
  if (isMonth(to) && to > currentMonth) to = currentMonth;
  let from = text("from") ?? addMonths(to, -(DEFAULT_MONTHS - 1));
  if (!isMonth(from) || !isMonth(to) || from > to) {
    problems.push("period");
    to = currentMonth;
    from = addMonths(to, -(DEFAULT_MONTHS - 1));
  } else if (monthsBetween(from, to).length > MAX_MONTHS) {
    problems.push("periodTooLong");
    from = addMonths(to, -(MAX_MONTHS - 1));
  }
  return { filter: { officeId, municipality, cohort, from, to }, problems };
}

/** The households the filter selects among those this person may see (cohort aside: see figures.ts). */
export function resultsWhere(scope: StaffScope, filter: ResultsFilter): Prisma.HouseholdWhereInput {
  return {
    AND: [
      visibleHouseholds(scope),
      filter.officeId === null ? {} : { officeId: filter.officeId },
      filter.municipality === null ? {} : { municipality: filter.municipality },
    ],
  };
}

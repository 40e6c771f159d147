// The households the results dashboard's filter selects, as SQL every section's query starts with:
// `${SELECTED} SELECT … FROM sel …` run through `resultsQuery(db, text, [...selectedParams(...), …])`.
// One definition, so every section counts the same households: those this person may see
// (core/offices/scope.ts), of the filter's office and municipality, and of the entry cohort.
// The entry is the first member link date (as core/checkup/scan.ts); its month is taken in Rome.
import type { Db } from "../db/client.ts";
import { readOnlyQuery } from "../db/sql.ts";
import { officeParam, type StaffScope } from "../offices/scope.ts";
import type { ResultsFilter } from "./filter.ts";

/**
 * Entries come from one pass over the linked members, grouped (a lookup per household cost up to
 * a second at 100,000 households and pushed PostgreSQL into compiling the query).
 *
 * `WITH sel AS (…)`: one row per selected household, `sel.id` and `sel.entry` (the first link
 * instant, null when no member ever linked). Takes $1–$4; a section's own parameters start at $5.
 * Append further CTEs with ", name AS (…)".
 */
export const SELECTED = `WITH sel AS (
  SELECT h."id", e."entry" FROM "Household" h
  LEFT JOIN (
    SELECT m."householdId", min(m."linkedAt") AS "entry" FROM "Member" m
     WHERE m."linkedAt" IS NOT NULL GROUP BY m."householdId") e ON e."householdId" = h."id"
  WHERE ($1::int IS NULL OR h."officeId" = $1)
    AND ($2::int IS NULL OR h."officeId" = $2)
    AND ($3::text IS NULL OR h."municipality" = $3)
    AND ($4::text IS NULL OR to_char(e."entry" AT TIME ZONE 'Europe/Rome', 'YYYY-MM') = $4))`;

/** The first parameters of every section's query: $1 scope's office, $2 office, $3 municipality, $4 cohort. */
export function selectedParams(
  scope: StaffScope,
  filter: ResultsFilter,
): [number | null, number | null, string | null, string | null] {
  return [officeParam(scope), filter.officeId, filter.municipality, filter.cohort];
}

/** The dashboard's statements: room to sort in memory. */
const RESULTS_SETTINGS = { work_mem: "64MB" } as const;

/**
 * A dashboard statement: unnamed, in a read-only transaction with room to sort in memory
 * (readOnlyQuery, core/db/sql.ts, says why unnamed). One name for every section, so the settings are
 * set in one place.
 */
export function resultsQuery<T>(db: Db, text: string, values: readonly unknown[]): Promise<T[]> {
  return readOnlyQuery<T>(db, text, values, RESULTS_SETTINGS);
}

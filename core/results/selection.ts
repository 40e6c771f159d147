// The households the results dashboard's filter selects, as SQL every section's query starts with:
// `${SELECTED} SELECT … FROM sel …` run through `resultsQuery(db, text, [...selectedParams(...), …])`.
// One definition, so every section counts the same households: those this person may see
// (core/offices/scope.ts), of the filter's office and municipality, and of the entry cohort.
// They are read from "ResultsHousehold" (precompute.ts), which holds each household's filter key
// (the entry cohort is the Rome month of the first member link, as core/checkup/scan.ts);
// `resultsQuery` refreshes it first, so no statement reads a stale key.
import type { Db } from "../db/client.ts";
import { readOnlyQuery } from "../db/sql.ts";
import { officeParam, type StaffScope } from "../offices/scope.ts";
import type { ResultsFilter } from "./filter.ts";
import { refreshResults } from "./precompute.ts";

/**
 * The filter ($1–$4, as `selectedParams`) on a precomputed table aliased `alias` that has the group's
 * columns (office, municipality, cohort): "ResultsHousehold", and the per-group rows.
 */
export function inFilter(alias: string): string {
  return `($1::int IS NULL OR ${alias}."officeId" = $1)
    AND ($2::int IS NULL OR ${alias}."officeId" = $2)
    AND ($3::text IS NULL OR ${alias}."municipality" = $3)
    AND ($4::text IS NULL OR ${alias}."cohort" = $4)`;
}

/**
 * `WITH sel AS (…)`: one row per selected household: `sel.id`, `sel.cohort` ("2026-03", null when no
 * member ever linked), `sel.linked`, and the rest of its "ResultsHousehold" row. Takes $1–$4; a
 * section's own parameters start at $5. Append further CTEs with ", name AS (…)".
 */
export const SELECTED = `WITH sel AS (
  SELECT r."householdId" AS "id", r.* FROM "ResultsHousehold" r WHERE ${inFilter("r")})`;

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
 * (readOnlyQuery, core/db/sql.ts, says why unnamed), after the precomputed figures are brought up to
 * date (precompute.ts). One name for every section, so the settings are set in one place.
 */
export async function resultsQuery<T>(db: Db, text: string, values: readonly unknown[]): Promise<T[]> {
  await refreshResults(db);
  return readOnlyQuery<T>(db, text, values, RESULTS_SETTINGS);
}

/**
 * The municipalities of the households this person may see, for the filter's list. From the
 * precomputed rows' index: Prisma's `distinct` reads every household (100,000 rows) and dedupes them
 * in JavaScript.
 */
export async function resultsMunicipalities(db: Db, scope: StaffScope): Promise<string[]> {
  const rows = await resultsQuery<{ municipality: string }>(
    db,
    `SELECT DISTINCT r."municipality" FROM "ResultsHousehold" r
      WHERE ($1::int IS NULL OR r."officeId" = $1) ORDER BY 1`,
    [officeParam(scope)],
  );
  return rows.map((r) => r.municipality);
}

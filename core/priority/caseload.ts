// The ranked caseload: every household a staff member sees, with the reasons of core/priority/rules.ts
// and their points, highest first, a page at a time. One set-based query over "HouseholdFacts" (each
// household's installments, plans, balances, cases and members, summed up as they change: see
// core/priority/facts.ts): scored, ordered and cut to the page in PostgreSQL; only the page's rows
// come back.

import { officeHourMarks } from "../cases.ts";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import { readOnlyQuery, sqlOf } from "../db/sql.ts";
import type { StaffScope } from "../offices/scope.ts";
import { romeToday } from "../time.ts";
import { MAX_WAITING_HOURS_SHOWN, pointsOf, REASONS, type Reason, THRESHOLDS, WEIGHTS } from "./rules.ts";

export const CASELOAD_PAGE_SIZE = 50;
const DAY_MS = 24 * 60 * 60 * 1000;

export type CaseloadFilters = {
  /** Admins only: an office's households, or "none" for those no office covers yet. */
  office: number | "none" | null;
  /** The case worker following the family, or "unassigned". */
  worker: number | "unassigned" | null;
  reason: Reason | null;
};

export const NO_FILTERS: CaseloadFilters = { office: null, worker: null, reason: null };

export type ReasonShown = {
  reason: Reason;
  points: number;
  /** What the text says: installments late, office hours waiting, percent up, days without contact. */
  value?: number;
  /** The value is at the largest counted ("more than"). */
  atLeast?: boolean;
};

export type CaseloadRow = {
  rank: number;
  householdId: number;
  contractCode: string;
  name: string;
  caseWorker: { id: number; label: string } | null;
  score: number;
  reasons: ReasonShown[];
};

export type Caseload = { rows: CaseloadRow[]; total: number; page: number; pageCount: number };

type Row = {
  id: number;
  contractCode: string;
  name: string;
  caseWorkerId: number | null;
  caseWorkerLabel: string | null;
  score: number;
  urgent: boolean;
  waitingHours: number | null;
  broken: boolean;
  late: number;
  unreachable: boolean;
  first: string | null;
  latest: string | null;
  lastContact: Date;
  total: string;
} & Record<`r_${Reason}`, boolean>;

/** What each reason counts, over `flagged` g (for the points per unit). */
const UNITS: Partial<Record<Reason, string>> = {
  message_waiting: `g."waitingHours"`,
  late_installments: `g."late"`,
};

/** When each reason holds, over `base` or `facts` f ($3 = the no-contact cutoff). */
const HOLDS: Record<Reason, string> = {
  urgent_case: `f."urgent"`,
  message_waiting: `COALESCE(f."waitingHours" >= ${int(THRESHOLDS.waitingOfficeHours)}, false)`,
  broken_plan: `f."broken"`,
  late_installments: `f."late" > 0`,
  unreachable: `f."unreachable"`,
  arrears_up: `COALESCE(f."first" > 0 AND f."latest" * 100 >= f."first" * ${int(100 + THRESHOLDS.arrearsUpPercent)}, false)`,
  no_contact: `f."lastContact" <= $3`,
};

function int(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new Error("weights and thresholds are whole numbers, not negative");
  return n;
}

/** The score, from WEIGHTS: base + perUnit × min(units, maxUnits) for each reason that holds. */
const SCORE = REASONS.map((reason) => {
  const w = WEIGHTS[reason];
  const units = UNITS[reason];
  const perUnit =
    units && w.perUnit > 0 ? ` + ${int(w.perUnit)} * LEAST(COALESCE(${units}, 0), ${int(w.maxUnits)})` : "";
  return `CASE WHEN g."r_${reason}" THEN ${int(w.base)}${perUnit} ELSE 0 END`;
}).join("\n      + ");

/**
 * Bounds of the score from the stored facts alone, whatever the day: the reasons that do not change
 * with the calendar count for certain (the floor); those that do (late installments, a message
 * waiting, no contact) count at most their largest points when they can hold at all (the ceiling),
 * over `facts` f as "base" has it. No household whose ceiling is below the k-th highest floor can
 * be among the first k (k households score at least that floor), so only the others are scored.
 */
const CALENDAR: Partial<Record<Reason, { possible: string; units?: string }>> = {
  message_waiting: { possible: `f."waitingSince" IS NOT NULL` },
  late_installments: { possible: `cardinality(f."unpaidDue") > 0`, units: `cardinality(f."unpaidDue")` },
  no_contact: { possible: "true" },
};
const FLOOR = REASONS.filter((r) => !CALENDAR[r])
  .map((r) => `CASE WHEN ${HOLDS[r]} THEN ${int(pointsOf(r))} ELSE 0 END`)
  .join(" + ");
const CEILING = `${FLOOR} + ${REASONS.flatMap((r) => {
  const calendar = CALENDAR[r];
  if (!calendar) return [];
  const w = WEIGHTS[r];
  const most = calendar.units
    ? `${int(w.base)} + ${int(w.perUnit)} * LEAST(${calendar.units}, ${int(w.maxUnits)})`
    : `${int(pointsOf(r, w.maxUnits))}`;
  return [`CASE WHEN ${calendar.possible} THEN ${most} ELSE 0 END`];
}).join(" + ")}`;

/**
 * The floor and the ceiling as the migration indexes them (columns unqualified): with these indexes
 * the k-th floor is read from an index and the households that can reach the page are found by one.
 * A change of weights needs a migration that rebuilds them (test/household-facts.test.ts compares);
 * until then the page is as right, only slower.
 */
const indexed = (sql: string) =>
  sql
    .replaceAll(`f."first"`, `"firstArrears"`)
    .replaceAll(`f."latest"`, `"latestArrears"`)
    .replaceAll(`f."`, `"`);
export const BOUND_INDEXES = { floor: indexed(FLOOR), ceiling: indexed(CEILING) };

/**
 * The query. $1 today (Rome), $2 the office-hour marks (negated epoch seconds, ascending), $3 the
 * no-contact cutoff, then the households' filter's values, then limit and offset. The facts come
 * from "HouseholdFacts" (one row per household, kept exact by triggers: core/priority/facts.ts); what
 * changes with the calendar is counted here, from the dates the facts keep: installments due before
 * today (a binary search in the sorted due dates), office hours since the first unanswered message,
 * days since the last contact. Only the households that can reach the page (see FLOOR and CEILING)
 * are scored; with a reason filter, among those it lists, and they are counted on their own.
 */
export function caseloadSql(
  householdWhere: string,
  reason: Reason | null,
  limit: string,
  offset: string,
): string {
  // The filters read the facts' copies of the household's office and case worker (alias x).
  const from = `"HouseholdFacts" x WHERE ${householdWhere}`;
  // With a reason filter: the households it lists, the k-th floor among them, and how many they are.
  const listed = reason === null ? "true" : HOLDS[reason];
  return `
    WITH base AS NOT MATERIALIZED (
      SELECT x."householdId" AS "id", x."urgent", x."waitingSince", x."broken", x."unpaidDue",
        x."unreachable", x."firstArrears" AS "first", x."latestArrears" AS "latest", x."lastContact",
        width_bucket(-extract(epoch FROM x."waitingSince")::float8, $2::float8[]) AS "waitingHours",
        COALESCE(width_bucket($1::date - 1, x."unpaidDue"), 0) AS "late"
      FROM ${from}
    ), facts AS (
      SELECT f."id", f."urgent", f."waitingHours", f."broken", f."late", f."unreachable", f."first",
        f."latest", f."lastContact"
      FROM base f
      WHERE ${listed} AND ${CEILING} >= COALESCE((
        SELECT ${FLOOR} FROM base f WHERE ${listed}
        ORDER BY 1 DESC LIMIT 1 OFFSET ${offset}::int + ${limit}::int - 1), 0)
    ), flagged AS (
      SELECT f.*, ${REASONS.map((r) => `${HOLDS[r]} AS "r_${r}"`).join(", ")} FROM facts f
    ), scored AS (
      SELECT g.*, (${SCORE}) AS "score" FROM flagged g
    ), page AS (
      SELECT s.*, ${reason === null ? "NULL::bigint" : `(SELECT count(*) FROM base f WHERE ${listed})`} AS "total"
      FROM scored s
      ORDER BY s."score" DESC, s."id" ASC LIMIT ${limit} OFFSET ${offset}
    )
    SELECT p.*, h."contractCode", h."name", h."caseWorkerId",
      COALESCE(st."firstName", st."email") AS "caseWorkerLabel"
    FROM page p JOIN "Household" h ON h."id" = p."id"
    LEFT JOIN "Staff" st ON st."id" = h."caseWorkerId"
    ORDER BY p."score" DESC, p."id" ASC`;
}

/**
 * The query's transaction (readOnlyQuery, core/db/sql.ts): room to sort, and no parallel workers. JIT
 * compilation is off for every connection (core/db/client.ts): here it would cost more (about 150 ms at
 * 100,000 households) than the query saves by it, every time, for a plan that changes with the clock's
 * parameters.
 */
const CASELOAD_SETTINGS = { work_mem: "32MB", max_parallel_workers_per_gather: 0 } as const;

/**
 * The households' condition for this person and filters, with its values from `$first` on, over
 * `alias` (a "Household" or a "HouseholdFacts": both have "officeId" and "caseWorkerId").
 */
function householdWhere(
  scope: StaffScope,
  filters: CaseloadFilters,
  first: number,
  alias: "h" | "x",
): { sql: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${first + values.length - 1}`;
  };
  if (scope.role !== "admin") {
    parts.push(scope.officeId === null ? "false" : `${alias}."officeId" = ${param(scope.officeId)}`);
  }
  if (filters.office === "none") parts.push(`${alias}."officeId" IS NULL`);
  else if (filters.office !== null) parts.push(`${alias}."officeId" = ${param(filters.office)}`);
  if (filters.worker === "unassigned") parts.push(`${alias}."caseWorkerId" IS NULL`);
  else if (filters.worker !== null) parts.push(`${alias}."caseWorkerId" = ${param(filters.worker)}`);
  return { sql: parts.length > 0 ? parts.join(" AND ") : "true", values };
}

/** The marks as the query compares them: negated epoch seconds, ascending. */
function marksParameter(now: Date): number[] {
  return officeHourMarks(now, MAX_WAITING_HOURS_SHOWN).map((mark) => -mark.getTime() / 1000);
}

/**
 * A page (from 1) of the households `scope` sees, by priority; a page past the last gives the last.
 * Nothing is written.
 */
export async function rankedCaseload(
  db: Db,
  clock: Clock,
  scope: StaffScope,
  filters: CaseloadFilters,
  page: number,
): Promise<Caseload> {
  const now = clock.now();
  const where = householdWhere(scope, filters, 4, "x");
  const n = 4 + where.values.length;
  const text = caseloadSql(where.sql, filters.reason, `$${n}`, `$${n + 1}`);
  const base = [
    romeToday(now),
    marksParameter(now),
    new Date(now.getTime() - THRESHOLDS.noContactDays * DAY_MS),
  ];
  const run = (p: number) =>
    readOnlyQuery<Row>(
      db,
      text,
      [...base, ...where.values, CASELOAD_PAGE_SIZE, (p - 1) * CASELOAD_PAGE_SIZE],
      CASELOAD_SETTINGS,
    );
  let current = Math.max(1, Math.floor(page));
  let rows: Row[];
  let total: number;
  if (filters.reason === null) {
    // Every visible household is listed: counted on their own (an index scan), the page is then
    // sorted without carrying a count through every row.
    const alone = householdWhere(scope, filters, 1, "h");
    const counted = await sqlOf(db).text<{ n: number }>(
      `SELECT count(*)::int AS "n" FROM "Household" h WHERE ${alone.sql}`,
      alone.values,
    );
    total = counted[0]?.n ?? 0;
    current = Math.min(current, Math.max(1, Math.ceil(total / CASELOAD_PAGE_SIZE)));
    rows = await run(current);
  } else {
    rows = await run(current);
    if (rows.length === 0 && current > 1) {
      // Past the end (the list shrank, or a typed page number): the last page.
      const first = await run(1);
      current = Math.max(1, Math.ceil(Number(first[0]?.total ?? 0) / CASELOAD_PAGE_SIZE));
      rows = current === 1 ? first : await run(current);
    }
    total = Number(rows[0]?.total ?? 0);
  }
  const offset = (current - 1) * CASELOAD_PAGE_SIZE;
  return {
    rows: rows.map((row, i) => ({
      rank: offset + i + 1,
      householdId: row.id,
      contractCode: row.contractCode,
      name: row.name,
      caseWorker:
        row.caseWorkerId === null ? null : { id: row.caseWorkerId, label: row.caseWorkerLabel ?? "" },
      score: row.score,
      reasons: reasonsOf(row, now),
    })),
    total,
    page: current,
    pageCount: Math.max(1, Math.ceil(total / CASELOAD_PAGE_SIZE)),
  };
}

/** The reasons of one row, most points first (the table's order on a tie). */
function reasonsOf(row: Row, now: Date): ReasonShown[] {
  const shown: ReasonShown[] = [];
  for (const reason of REASONS) {
    if (!row[`r_${reason}`]) continue;
    switch (reason) {
      case "message_waiting": {
        const hours = row.waitingHours ?? 0;
        shown.push({
          reason,
          points: pointsOf(reason, hours),
          value: hours,
          atLeast: hours >= MAX_WAITING_HOURS_SHOWN,
        });
        break;
      }
      case "late_installments":
        shown.push({ reason, points: pointsOf(reason, row.late), value: row.late });
        break;
      case "arrears_up": {
        const first = Number(row.first);
        const latest = Number(row.latest);
        shown.push({ reason, points: pointsOf(reason), value: Math.floor(((latest - first) * 100) / first) });
        break;
      }
      case "no_contact":
        shown.push({
          reason,
          points: pointsOf(reason),
          value: Math.floor((now.getTime() - row.lastContact.getTime()) / DAY_MS),
        });
        break;
      default:
        shown.push({ reason, points: pointsOf(reason) });
    }
  }
  return shown.sort((a, b) => b.points - a.points);
}

// The ranked caseload: every household a staff member sees, with the reasons of core/priority/rules.ts
// and their points, highest first, a page at a time. One set-based query: each reason is an aggregate
// over its table (installments, plans, balances, cases, members), joined to the visible households,
// scored, ordered and cut to the page in PostgreSQL; only the page's rows come back.

import { officeHourMarks } from "../cases.ts";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import { sqlOf } from "../db/sql.ts";
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

/** When each reason holds, over `facts` f ($3 = the no-contact cutoff). */
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
  if (!Number.isSafeInteger(n)) throw new Error("weights and thresholds are whole numbers");
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
 * The query. $1 today (Rome), $2 the office-hour marks (negated epoch seconds, ascending), $3 the
 * no-contact cutoff, then the households' filter's values, then limit and offset.
 */
function caseloadSql(householdWhere: string, reasonWhere: string, limit: string, offset: string): string {
  return `
    WITH vis AS (
      SELECT h."id", h."createdAt" FROM "Household" h WHERE ${householdWhere}
    ), late AS (
      SELECT p."householdId" AS hid, count(*)::int AS n
      FROM "RepaymentPlan" p JOIN "Installment" i ON i."planId" = p."id"
      WHERE p."status" IN ('active', 'broken') AND i."paidCents" < i."amountCents" AND i."dueDate" < $1::date
      GROUP BY 1
    ), broken AS (
      SELECT "householdId" AS hid FROM "RepaymentPlan" WHERE "status" IN ('active', 'broken')
      GROUP BY 1 HAVING bool_and("status" = 'broken')
    ), bal AS (
      SELECT "householdId" AS hid,
        (array_agg("rentCents"::bigint + "chargesCents" ORDER BY "balanceDate" ASC))[1] AS "first",
        (array_agg("rentCents"::bigint + "chargesCents" ORDER BY "balanceDate" DESC))[1] AS "latest"
      FROM "ArrearsBalance" GROUP BY 1 HAVING count(*) >= 2
    ), cs AS (
      SELECT "householdId" AS hid,
        bool_or("urgent" AND "status" IN ('open', 'waiting_household')) AS "urgent",
        max(GREATEST("lastHouseholdMessageAt", "lastOperatorMessageAt")) AS "lastMessage"
      FROM "Case" GROUP BY 1
    ), waiting AS (
      SELECT c."householdId" AS hid, min((
        SELECT min(m."createdAt") FROM "CaseMessage" m
        WHERE m."caseId" = c."id" AND m."author" = 'household'
          AND (c."lastOperatorMessageAt" IS NULL OR m."createdAt" > c."lastOperatorMessageAt")
      )) AS "since"
      FROM "Case" c
      WHERE c."status" = 'open' AND c."lastHouseholdMessageAt" IS NOT NULL
        AND (c."lastOperatorMessageAt" IS NULL OR c."lastOperatorMessageAt" < c."lastHouseholdMessageAt")
      GROUP BY 1
    ), mem AS (
      SELECT "householdId" AS hid, max("linkedAt") AS "lastLinked",
        bool_and("unreachableAt" IS NOT NULL) AS "unreachable"
      FROM "Member" WHERE "householdId" IS NOT NULL AND "linkedAt" IS NOT NULL GROUP BY 1
    ), facts AS (
      SELECT v."id",
        COALESCE(cs."urgent", false) AS "urgent",
        width_bucket(-extract(epoch FROM w."since")::float8, $2::float8[]) AS "waitingHours",
        broken.hid IS NOT NULL AS "broken",
        COALESCE(late.n, 0) AS "late",
        COALESCE(mem."unreachable", false) AS "unreachable",
        bal."first", bal."latest",
        GREATEST(v."createdAt", cs."lastMessage", mem."lastLinked") AS "lastContact"
      FROM vis v
      LEFT JOIN late ON late.hid = v."id"
      LEFT JOIN broken ON broken.hid = v."id"
      LEFT JOIN bal ON bal.hid = v."id"
      LEFT JOIN cs ON cs.hid = v."id"
      LEFT JOIN waiting w ON w.hid = v."id"
      LEFT JOIN mem ON mem.hid = v."id"
    ), flagged AS (
      SELECT f.*, ${REASONS.map((r) => `${HOLDS[r]} AS "r_${r}"`).join(", ")} FROM facts f
    ), scored AS (
      SELECT g.*, (${SCORE}) AS "score" FROM flagged g
    ), page AS (
      SELECT s.*, count(*) OVER () AS "total" FROM scored s WHERE ${reasonWhere}
      ORDER BY s."score" DESC, s."id" ASC LIMIT ${limit} OFFSET ${offset}
    )
    SELECT p.*, h."contractCode", h."name", h."caseWorkerId",
      COALESCE(st."firstName", st."email") AS "caseWorkerLabel"
    FROM page p JOIN "Household" h ON h."id" = p."id"
    LEFT JOIN "Staff" st ON st."id" = h."caseWorkerId"
    ORDER BY p."score" DESC, p."id" ASC`;
}

/** The households' condition for this person and filters, with its values from `$first` on. */
function householdWhere(
  scope: StaffScope,
  filters: CaseloadFilters,
  first: number,
): { sql: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${first + values.length - 1}`;
  };
  if (scope.role !== "admin") {
    parts.push(scope.officeId === null ? "false" : `h."officeId" = ${param(scope.officeId)}`);
  }
  if (filters.office === "none") parts.push(`h."officeId" IS NULL`);
  else if (filters.office !== null) parts.push(`h."officeId" = ${param(filters.office)}`);
  if (filters.worker === "unassigned") parts.push(`h."caseWorkerId" IS NULL`);
  else if (filters.worker !== null) parts.push(`h."caseWorkerId" = ${param(filters.worker)}`);
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
  const where = householdWhere(scope, filters, 4);
  const reasonWhere = filters.reason === null ? "true" : `s."r_${filters.reason}"`;
  const n = 4 + where.values.length;
  const text = caseloadSql(where.sql, reasonWhere, `$${n}`, `$${n + 1}`);
  const base = [
    romeToday(now),
    marksParameter(now),
    new Date(now.getTime() - THRESHOLDS.noContactDays * DAY_MS),
  ];
  const run = (p: number) =>
    sqlOf(db).text<Row>(text, [...base, ...where.values, CASELOAD_PAGE_SIZE, (p - 1) * CASELOAD_PAGE_SIZE]);
  let current = Math.max(1, Math.floor(page));
  let rows = await run(current);
  if (rows.length === 0 && current > 1) {
    // Past the end (the list shrank, or a typed page number): the last page.
    const first = await run(1);
    const last = Math.max(1, Math.ceil(Number(first[0]?.total ?? 0) / CASELOAD_PAGE_SIZE));
    current = last;
    rows = last === 1 ? first : await run(last);
  }
  const total = Number(rows[0]?.total ?? 0);
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

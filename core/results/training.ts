// The results dashboard's "work and training" section: what the members of the selected households
// did in the courses, placements, orientation meetings and workshops of the period, overall and by
// course kind. One statement, set-based, starting from core/results/selection.ts.
//
// Definitions (the page says each in one line, locales/<lang>/resultsAdmin.json "training"):
// - sessions of the period: not cancelled, starting within the period's months (Rome calendar);
// - enrolled: a member holding a place (enrolment "enrolled") in such a session, or in its register;
// - attendance rate: core/courses/attendance.ts's, present ÷ (present + absent) over the register of
//   those sessions (an excused absence does not count against the person);
// - completed: the course's sessions (not cancelled) are all over by now, its last one starts in the
//   period, and the member was present at ≥ 75% of them;
// - placement hours: the minutes the register records for paid-placement sessions of the period.
import type { Clock } from "../clock.ts";
import { rateOf } from "../courses/attendance.ts";
import type { CourseKind, Db } from "../db/client.ts";
import type { StaffScope } from "../offices/scope.ts";
import { type CsvRow, type CsvUnit, percentText } from "./csv.ts";
import type { ResultsFilter } from "./filter.ts";
import type { ResultsSection } from "./section.ts";
import { resultsQuery, SELECTED, selectedParams } from "./selection.ts";

/** The course kinds, in the page's order (the schema's enum CourseKind). */
export const COURSE_KINDS = [
  "course",
  "paid_placement",
  "orientation",
  "workshop",
] as const satisfies readonly CourseKind[];

/** A course counts as completed by a member present at this share of its sessions, or more. */
export const COMPLETION_SHARE = { present: 3, of: 4 } as const;

export type TrainingCounts = {
  /** People (members) enrolled in a session of the period. */
  enrolled: number;
  /** Households with someone enrolled. */
  households: number;
  /** Register marks in the period's sessions. */
  present: number;
  absent: number;
  /** present ÷ (present + absent), null with nothing marked. */
  rate: number | null;
  /** People who completed a course. */
  completed: number;
  /** Minutes attended (the register's hours). */
  minutes: number;
};

export type TrainingFigures = {
  /** Every kind together; its minutes are the paid placements' only. */
  total: TrainingCounts;
  byKind: ({ kind: CourseKind } & TrainingCounts)[];
};

type Row = {
  kind: CourseKind | null;
  enrolled: number;
  households: number;
  present: number;
  absent: number;
  completed: number;
  minutes: number;
};

// $5, $6: the period's first and last month ("2026-03"); $7: now. The period's bounds are instants
// (Rome midnight of the first day, and of the day after the last month) so the index on startsAt serves.
const QUERY = `${SELECTED},
bounds AS (
  SELECT (($5::text || '-01')::timestamp AT TIME ZONE 'Europe/Rome') AS lo,
         ((($6::text || '-01')::date + interval '1 month')::timestamp AT TIME ZONE 'Europe/Rome') AS hi),
mem AS (SELECT m."id", m."householdId" FROM "Member" m JOIN sel ON sel."id" = m."householdId"),
ses AS (
  SELECT s."id", c."kind"::text AS kind FROM "CourseSession" s
    JOIN "Course" c ON c."id" = s."courseId" CROSS JOIN bounds b
   WHERE s."cancelledAt" IS NULL AND s."startsAt" >= b.lo AND s."startsAt" < b.hi),
mark AS (
  SELECT ses.kind, a."memberId", mem."householdId", a."status"::text AS status, a."minutes"
    FROM "Attendance" a JOIN ses ON ses."id" = a."sessionId" JOIN mem ON mem."id" = a."memberId"),
people AS (
  SELECT ses.kind, e."memberId", mem."householdId" FROM "Enrolment" e
    JOIN ses ON ses."id" = e."sessionId" JOIN mem ON mem."id" = e."memberId"
   WHERE e."status" = 'enrolled'
  UNION
  SELECT kind, "memberId", "householdId" FROM mark),
finished AS (
  SELECT c."id", c."kind"::text AS kind, count(*) AS sessions FROM "Course" c
    JOIN "CourseSession" s ON s."courseId" = c."id" AND s."cancelledAt" IS NULL CROSS JOIN bounds b
   GROUP BY c."id", b.lo, b.hi
  HAVING max(s."endsAt") <= $7::timestamptz AND max(s."startsAt") >= b.lo AND max(s."startsAt") < b.hi),
done AS (
  SELECT f.kind, a."memberId" FROM finished f
    JOIN "CourseSession" s ON s."courseId" = f."id" AND s."cancelledAt" IS NULL
    JOIN "Attendance" a ON a."sessionId" = s."id" AND a."status" = 'present'
    JOIN mem ON mem."id" = a."memberId"
   GROUP BY f."id", f.kind, f.sessions, a."memberId"
  HAVING $9::int * count(*) >= $8::int * f.sessions),
kinds AS (SELECT unnest(enum_range(NULL::"CourseKind"))::text AS kind UNION ALL SELECT NULL)
SELECT k.kind,
  (SELECT count(DISTINCT p."memberId") FROM people p WHERE p.kind = k.kind OR k.kind IS NULL)::int AS enrolled,
  (SELECT count(DISTINCT p."householdId") FROM people p WHERE p.kind = k.kind OR k.kind IS NULL)::int AS households,
  (SELECT count(*) FROM mark m WHERE (m.kind = k.kind OR k.kind IS NULL) AND m.status = 'present')::int AS present,
  (SELECT count(*) FROM mark m WHERE (m.kind = k.kind OR k.kind IS NULL) AND m.status = 'absent')::int AS absent,
  (SELECT count(DISTINCT d."memberId") FROM done d WHERE d.kind = k.kind OR k.kind IS NULL)::int AS completed,
  (SELECT coalesce(sum(m."minutes"), 0) FROM mark m
    WHERE (m.kind = k.kind OR (k.kind IS NULL AND m.kind = 'paid_placement')) AND m.status = 'present')::int AS minutes
FROM kinds k`;

function counts(row: Row | undefined): TrainingCounts {
  const present = row?.present ?? 0;
  const absent = row?.absent ?? 0;
  return {
    enrolled: row?.enrolled ?? 0,
    households: row?.households ?? 0,
    present,
    absent,
    rate: rateOf(present, absent),
    completed: row?.completed ?? 0,
    minutes: row?.minutes ?? 0,
  };
}

export async function trainingFigures(
  db: Db,
  clock: Clock,
  scope: StaffScope,
  filter: ResultsFilter,
): Promise<TrainingFigures> {
  const rows = await resultsQuery<Row>(db, QUERY, [
    ...selectedParams(scope, filter),
    filter.from,
    filter.to,
    clock.now(),
    COMPLETION_SHARE.present,
    COMPLETION_SHARE.of,
  ]);
  return {
    total: counts(rows.find((r) => r.kind === null)),
    byKind: COURSE_KINDS.map((kind) => ({ kind, ...counts(rows.find((r) => r.kind === kind)) })),
  };
}

/** Minutes as hours with two decimals and a dot ("12.50"), as the export writes them. */
export function hoursText(minutes: number): string {
  return (minutes / 60).toFixed(2);
}

/** The figures of one line (every kind, or one), as export rows. */
function countRows(c: TrainingCounts, label: (key: string) => string, kind: CourseKind | null): CsvRow[] {
  const suffix = kind === null ? "" : ` · ${label(`training.kind.${kind}`)}`;
  const row = (key: string, value: string, unit: CsvUnit): CsvRow => ({
    section: label("training.title"),
    figure: `${label(`training.${key}`)}${suffix}`,
    month: "",
    value,
    unit,
  });
  const rows = [
    row("enrolled", String(c.enrolled), "people"),
    row("households", String(c.households), "households"),
    row("rate", percentText(c.present, c.present + c.absent), "percent"),
    row("completed", String(c.completed), "people"),
  ];
  // Hours are reported for paid placements only (the allowance is paid on them).
  if (kind === null || kind === "paid_placement")
    rows.push(row("placementHours", hoursText(c.minutes), "hours"));
  return rows;
}

export const trainingSection: ResultsSection<TrainingFigures> = {
  key: "training",
  compute: trainingFigures,
  rows: (figures, label) => [
    ...countRows(figures.total, label, null),
    ...figures.byKind.flatMap((k) => countRows(k, label, k.kind)),
  ],
};

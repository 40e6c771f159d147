// The results dashboard's "paperwork" section: the papers the programme asks of households
// (core/documents.ts), by document type and in total: asked, complete, complete on time, overdue;
// and households whose every paper is complete. One statement, from the filter's selection.
// "Complete" is the checklist's own (isHandedIn: received or verified) and "overdue" is /documents'
// (still to bring, due date before today in Rome). "On time" can only use what a paper's row keeps:
// its last change (updatedAt), so a paper received in time but verified after its due date counts
// as late; the page's definition says so.
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import type { StaffScope } from "../offices/scope.ts";
import { romeToday } from "../time.ts";
import type { CsvRow, CsvUnit } from "./csv.ts";
import type { ResultsFilter } from "./filter.ts";
import type { ResultsSection } from "./section.ts";
import { resultsQuery, SELECTED, selectedParams } from "./selection.ts";

export type PaperCounts = {
  /** Papers on the households' checklists (a row for the paper, whatever its status). */
  asked: number;
  /** Received or verified. */
  complete: number;
  /** Complete, and last changed on or before its due date in Rome (or without a due date). */
  onTime: number;
  /** Missing or requested, due date before today. */
  overdue: number;
};

export type PaperType = PaperCounts & { key: string };

export type PaperworkFigures = {
  /** Every requirement the panel defines, in the checklist's order; per type, a paper is a household. */
  types: PaperType[];
  /** The types summed: papers, not households. */
  total: PaperCounts;
  /** Households with at least one paper on their checklist. */
  withPapers: number;
  /** Of those, households whose every paper is complete. */
  allComplete: number;
  /** Households with at least one overdue paper. */
  anyOverdue: number;
};

type Row = {
  key: string;
  asked: number;
  complete: number;
  onTime: number;
  overdue: number;
  withPapers: number;
  allComplete: number;
  anyOverdue: number;
};

const PAPERWORK_SQL = `${SELECTED},
paper AS (
  SELECT d."householdId", d."requirementId",
    d."status" IN ('received', 'verified') AS "complete",
    d."status" IN ('received', 'verified')
      AND (d."dueDate" IS NULL OR (d."updatedAt" AT TIME ZONE 'Europe/Rome')::date <= d."dueDate") AS "onTime",
    d."status" IN ('missing', 'requested') AND COALESCE(d."dueDate" < $5::date, false) AS "overdue"
  FROM sel JOIN "HouseholdDocument" d ON d."householdId" = sel."id"),
per AS (
  SELECT bool_and("complete") AS "allComplete", bool_or("overdue") AS "anyOverdue"
  FROM paper GROUP BY "householdId")
SELECT q."key",
  count(p."householdId")::int AS "asked",
  count(*) FILTER (WHERE p."complete")::int AS "complete",
  count(*) FILTER (WHERE p."onTime")::int AS "onTime",
  count(*) FILTER (WHERE p."overdue")::int AS "overdue",
  (SELECT count(*) FROM per)::int AS "withPapers",
  (SELECT count(*) FILTER (WHERE "allComplete") FROM per)::int AS "allComplete",
  (SELECT count(*) FILTER (WHERE "anyOverdue") FROM per)::int AS "anyOverdue"
FROM "DocumentRequirement" q LEFT JOIN paper p ON p."requirementId" = q."id"
GROUP BY q."id", q."key", q."sortOrder"
ORDER BY q."sortOrder", q."id"`;

const COUNTS = ["asked", "complete", "onTime", "overdue"] as const;

async function compute(
  db: Db,
  clock: Clock,
  scope: StaffScope,
  filter: ResultsFilter,
): Promise<PaperworkFigures> {
  const today = romeToday(clock.now()).toISOString().slice(0, 10);
  const rows = await resultsQuery<Row>(db, PAPERWORK_SQL, [...selectedParams(scope, filter), today]);
  const total: PaperCounts = { asked: 0, complete: 0, onTime: 0, overdue: 0 };
  for (const row of rows) for (const k of COUNTS) total[k] += row[k];
  const first = rows[0];
  return {
    types: rows.map((r) => ({
      key: r.key,
      asked: r.asked,
      complete: r.complete,
      onTime: r.onTime,
      overdue: r.overdue,
    })),
    total,
    // Without requirements there are no papers either: every household figure is then 0.
    withPapers: first?.withPapers ?? 0,
    allComplete: first?.allComplete ?? 0,
    anyOverdue: first?.anyOverdue ?? 0,
  };
}

/**
 * A document's name as the panel shows it (locales/<lang>/documents.json), through the resultsAdmin
 * translator's "documents:" namespace; a requirement the panel added without a name shows its key.
 */
export function documentName(key: string, label: (key: string) => string): string {
  const path = `items.${key}.name`;
  const text = label(`documents:${path}`);
  return text === path || text === `documents:${path}` || text === "" ? key : text;
}

function rows(f: PaperworkFigures, label: (key: string) => string): CsvRow[] {
  const section = label("paperwork.title");
  const row = (figure: string, value: number, unit: CsvUnit): CsvRow => ({
    section,
    figure,
    month: "",
    value: String(value),
    unit,
  });
  const counts = (name: string, c: PaperCounts, unit: CsvUnit) =>
    COUNTS.map((k) => row(`${name} · ${label(`paperwork.${k}`)}`, c[k], unit));
  return [
    ...f.types.flatMap((t) => counts(documentName(t.key, label), t, "households")),
    ...counts(label("paperwork.allTypes"), f.total, "documents"),
    row(label("paperwork.withPapers"), f.withPapers, "households"),
    row(label("paperwork.allComplete"), f.allComplete, "households"),
    row(label("paperwork.anyOverdue"), f.anyOverdue, "households"),
  ];
}

export const paperworkSection: ResultsSection<PaperworkFigures> = { key: "paperwork", compute, rows };

// The results dashboard's "relationship with the offices": the cases of the selected households
// opened and closed in the period (by topic and by outcome), how long a first answer and a resolution
// took in office hours (core/cases.ts's calendar: Monday to Friday 9–17 in Rome, Italian holidays
// skipped), how many first answers came within the escalation deadline (core/escalation/sla.ts), and
// the satisfaction question asked when staff close a case (core/checkup/satisfaction.ts).
// Counts are SQL; the office-hours figures need the calendar, which is JavaScript, so one query
// fetches the few timestamps of the period's cases and the medians are taken here.
import { TZDate } from "@date-fns/tz";
import { officeTimeline } from "../cases.ts";
import type { CaseOutcome } from "../db/client.ts";
import { slaDeadline } from "../escalation/sla.ts";
import { CASE_TOPICS, type CaseTopic, isCaseTopic } from "../faq.ts";
import { TIME_ZONE } from "../time.ts";
import { type CsvRow, type CsvUnit, percentText } from "./csv.ts";
import { addMonths, type Month, type ResultsFilter } from "./filter.ts";
import type { ResultsSection } from "./section.ts";
import { resultsQuery, SELECTED, selectedParams } from "./selection.ts";

export const CASE_OUTCOMES = [
  "resolved",
  "aler_office",
  "building_administrator",
  "social_services",
  "no_answer",
] as const satisfies readonly CaseOutcome[];

/** A closed case's outcome column: one of staff's outcomes, or "none" (the household closed it). */
export type OutcomeColumn = (typeof CASE_OUTCOMES)[number] | "none";
export const OUTCOME_COLUMNS: readonly OutcomeColumn[] = [...CASE_OUTCOMES, "none"];

export type TopicCounts = { opened: number; closed: number; outcomes: Record<OutcomeColumn, number> };

export type OfficesFigures = {
  /** The escalation deadline the share is measured against, in office hours. */
  slaHours: number;
  /** Every topic of CASE_TOPICS in its order (topics not in it count as "other"), then the totals. */
  topics: { topic: CaseTopic; counts: TopicCounts }[];
  total: TopicCounts;
  /** Median office hours to the first answer, over the period's opened cases that got one; null if none. */
  firstResponseHours: number | null;
  answered: number;
  /** Median office hours from opening to closing, over the cases closed in the period; null if none. */
  resolutionHours: number | null;
  /** Cases opened in the period that were answered, or whose deadline passed while they were open. */
  deadlineDue: number;
  /** Of those, the ones whose first answer came by the deadline. */
  withinDeadline: number;
  satisfaction: {
    /** Cases closed in the period whose household was asked (answers erased on request left out). */
    asked: number;
    answers: number;
    /** Sum of the scores, so the average is exact (sum / answers). */
    scoreSum: number;
    /** How many answered 1, 2, 3, 4, 5. */
    distribution: [number, number, number, number, number];
  };
};

/** The instant a month starts in Rome. */
function monthStart(month: Month): Date {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return new Date(new TZDate(y, m - 1, 1, 0, 0, TIME_ZONE).getTime());
}

/** The middle value (the mean of the two middle ones for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The average score as "4.33" (two decimals); empty when nobody answered. */
export function averageText(sum: number, count: number): string {
  return count === 0 ? "" : (sum / count).toFixed(2);
}

function emptyCounts(): TopicCounts {
  return {
    opened: 0,
    closed: 0,
    outcomes: {
      resolved: 0,
      aler_office: 0,
      building_administrator: 0,
      social_services: 0,
      no_answer: 0,
      none: 0,
    },
  };
}

// $5, $6: the period's first instant and the instant after it (Rome months).
const IN_PERIOD = (column: string) =>
  `(c."${column}" >= $5::timestamptz AND c."${column}" < $6::timestamptz)`;

const COUNTS = `${SELECTED}
SELECT c."topic", c."outcome"::text AS "outcome",
       count(*) FILTER (WHERE ${IN_PERIOD("openedAt")})::int AS "opened",
       count(*) FILTER (WHERE ${IN_PERIOD("closedAt")})::int AS "closed"
  FROM sel JOIN "Case" c ON c."householdId" = sel."id"
 WHERE ${IN_PERIOD("openedAt")} OR ${IN_PERIOD("closedAt")}
 GROUP BY 1, 2`;

// The clock starts at the household's first message (a case a rule opened may have none: then at its
// opening) and stops at the first operator message from then on, as the escalation rule counts.
// Two index look-ups per case opened in the period: set-based CTEs joined to each other let a row
// misestimate choose nested loops over them, 3 to 6 s for one office at 100,000 households.
const TIMES = `${SELECTED},
cs AS (
  SELECT c."id", c."openedAt", c."closedAt", ${IN_PERIOD("openedAt")} AS "openedIn", ${IN_PERIOD("closedAt")} AS "closedIn"
    FROM sel JOIN "Case" c ON c."householdId" = sel."id"
   WHERE ${IN_PERIOD("openedAt")} OR ${IN_PERIOD("closedAt")})
SELECT cs."openedAt", cs."closedAt", cs."openedIn", cs."closedIn", w."since", a."answeredAt"
  FROM cs
  LEFT JOIN LATERAL (
    SELECT coalesce(min(m."createdAt"), cs."openedAt") AS "since" FROM "CaseMessage" m
     WHERE m."caseId" = cs."id" AND m."author" = 'household') w ON cs."openedIn"
  LEFT JOIN LATERAL (
    SELECT min(m."createdAt") AS "answeredAt" FROM "CaseMessage" m
     WHERE m."caseId" = cs."id" AND m."author" = 'operator' AND m."createdAt" >= w."since") a ON cs."openedIn"`;

const SATISFACTION = `${SELECTED}
SELECT count(*)::int AS "asked", count(s."score")::int AS "answers", coalesce(sum(s."score"), 0)::int AS "scoreSum",
       count(*) FILTER (WHERE s."score" = 1)::int AS "s1", count(*) FILTER (WHERE s."score" = 2)::int AS "s2",
       count(*) FILTER (WHERE s."score" = 3)::int AS "s3", count(*) FILTER (WHERE s."score" = 4)::int AS "s4",
       count(*) FILTER (WHERE s."score" = 5)::int AS "s5"
  FROM sel JOIN "Case" c ON c."householdId" = sel."id"
  JOIN "CaseSatisfaction" s ON s."caseId" = c."id"
 WHERE ${IN_PERIOD("closedAt")} AND s."erasedAt" IS NULL`;

type CountRow = { topic: string; outcome: CaseOutcome | null; opened: number; closed: number };
type TimeRow = {
  openedAt: Date;
  closedAt: Date | null;
  openedIn: boolean;
  closedIn: boolean;
  /** Null for a case only closed in the period. */
  since: Date | null;
  answeredAt: Date | null;
};
type SatisfactionRow = {
  asked: number;
  answers: number;
  scoreSum: number;
  s1: number;
  s2: number;
  s3: number;
  s4: number;
  s5: number;
};

const HOUR_MS = 3_600_000;

/** The section, measuring first answers against a deadline of `slaHours` office hours (CASE_SLA_HOURS). */
export function officesSection(slaHours: number): ResultsSection<OfficesFigures> {
  return {
    key: "offices",
    async compute(db, clock, scope, filter: ResultsFilter) {
      const now = clock.now();
      const periodStart = monthStart(filter.from);
      const periodEnd = monthStart(addMonths(filter.to, 1));
      const params = [...selectedParams(scope, filter), periodStart, periodEnd];
      const [counts, times, [sat]] = await Promise.all([
        resultsQuery<CountRow>(db, COUNTS, params),
        resultsQuery<TimeRow>(db, TIMES, params),
        resultsQuery<SatisfactionRow>(db, SATISFACTION, params),
      ]);

      const byTopic = new Map<CaseTopic, TopicCounts>(CASE_TOPICS.map((t) => [t, emptyCounts()]));
      const total = emptyCounts();
      for (const row of counts) {
        const topic: CaseTopic = isCaseTopic(row.topic) ? row.topic : "other";
        const column: OutcomeColumn = row.outcome ?? "none";
        for (const c of [byTopic.get(topic) as TopicCounts, total]) {
          c.opened += row.opened;
          c.closed += row.closed;
          c.outcomes[column] += row.closed;
        }
      }

      // One layout of office windows from the earliest instant to the latest.
      let first = now.getTime();
      let last = now.getTime();
      for (const t of times) {
        first = Math.min(first, t.openedAt.getTime(), t.since?.getTime() ?? first);
        last = Math.max(last, t.closedAt?.getTime() ?? 0, t.answeredAt?.getTime() ?? 0);
      }
      // Deadlines of cases opened lately fall after `last`: 80 office hours (CASE_SLA_HOURS's most)
      // are within four weeks even over Christmas; beyond the span, the slower walk answers.
      const timeline = officeTimeline(new Date(first), new Date(last + 28 * 86_400_000));
      const firstResponses: number[] = [];
      const resolutions: number[] = [];
      let deadlineDue = 0;
      let withinDeadline = 0;
      for (const t of times) {
        if (t.closedIn && t.closedAt) resolutions.push(timeline.between(t.openedAt, t.closedAt) / HOUR_MS);
        if (!t.openedIn || t.since === null) continue;
        const since = t.since;
        if (t.answeredAt) firstResponses.push(timeline.between(since, t.answeredAt) / HOUR_MS);
        const deadline = timeline.later(since, slaHours) ?? slaDeadline(since, slaHours);
        if (t.answeredAt) {
          deadlineDue += 1;
          if (t.answeredAt <= deadline) withinDeadline += 1;
        } else if (deadline <= now && (t.closedAt === null || deadline <= t.closedAt)) {
          // Unanswered and still open when the deadline came: missed. Closed before it (the
          // household closed it, or staff without writing): nothing was due.
          deadlineDue += 1;
        }
      }

      return {
        slaHours,
        topics: CASE_TOPICS.map((topic) => ({ topic, counts: byTopic.get(topic) as TopicCounts })),
        total,
        firstResponseHours: median(firstResponses),
        answered: firstResponses.length,
        resolutionHours: median(resolutions),
        deadlineDue,
        withinDeadline,
        satisfaction: {
          asked: sat?.asked ?? 0,
          answers: sat?.answers ?? 0,
          scoreSum: sat?.scoreSum ?? 0,
          distribution: [sat?.s1 ?? 0, sat?.s2 ?? 0, sat?.s3 ?? 0, sat?.s4 ?? 0, sat?.s5 ?? 0],
        },
      };
    },

    rows(f, label) {
      const row = (figure: string, value: number | string, unit: CsvUnit): CsvRow => ({
        section: label("offices.title"),
        figure,
        month: "",
        value: String(value),
        unit,
      });
      const hours = (h: number | null) => (h === null ? "" : h.toFixed(2));
      const s = f.satisfaction;
      const topicLabel = (topic: CaseTopic) => label(`admin:cases.topic.${topic}`);
      const outcomeLabel = (o: OutcomeColumn) =>
        o === "none" ? label("offices.outcomeNone") : label(`admin:cases.outcome.${o}`);
      const countRows = (c: TopicCounts, suffix: string) => [
        row(`${label("offices.opened")}${suffix}`, c.opened, "cases"),
        row(`${label("offices.closed")}${suffix}`, c.closed, "cases"),
        ...OUTCOME_COLUMNS.map((o) =>
          row(`${label("offices.closed")} · ${outcomeLabel(o)}${suffix}`, c.outcomes[o], "cases"),
        ),
      ];
      return [
        ...countRows(f.total, ""),
        ...f.topics.flatMap((t) => countRows(t.counts, ` · ${topicLabel(t.topic)}`)),
        row(label("offices.answered"), f.answered, "cases"),
        row(label("offices.firstResponse"), hours(f.firstResponseHours), "workingHours"),
        row(label("offices.resolution"), hours(f.resolutionHours), "workingHours"),
        row(label("offices.deadlineDue"), f.deadlineDue, "cases"),
        row(label("offices.withinDeadline"), f.withinDeadline, "cases"),
        row(label("offices.withinDeadlineShare"), percentText(f.withinDeadline, f.deadlineDue), "percent"),
        row(label("offices.asked"), s.asked, "cases"),
        row(label("offices.answers"), s.answers, "answers"),
        row(label("offices.answeredShare"), percentText(s.answers, s.asked), "percent"),
        row(label("offices.average"), averageText(s.scoreSum, s.answers), "score"),
        ...s.distribution.map((n, i) => row(`${label("offices.score")} ${i + 1}`, n, "answers")),
      ];
    },
  };
}

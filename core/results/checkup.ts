// The results dashboard's "self-assessment" section: the check-up answers (core/checkup/) of the
// selected households at entry and after 3, 9 and 15 months, by entry cohort; and, for the questions
// with an ordered scale, how each household's latest answer compares with its answer at entry.
// One statement, set-based, starting from core/results/selection.ts.
//
// Definitions (said on the page, locales/<lang>/resultsAdmin.json "checkup"):
// - a round counts in the period when it was started (its first answer) within the period's months;
//   every answer given counts, whether or not the round was finished; erased rounds do not;
// - answered: households with an answer to the question in that round (one round per household);
// - comparison: households with an answer at entry (whenever given) and in a later round started in
//   the period; the latest such round is compared with entry, on the questions' own ordered scale
//   (core/checkup/questions.ts, `ordered`: options from the best situation to the hardest — the one
//   place that says which questions can be compared).

import {
  CHECKUP_QUESTIONS,
  CHECKUP_ROUNDS,
  type CheckupQuestionKey,
  type CheckupRoundName,
  rank,
} from "../checkup/questions.ts";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import type { StaffScope } from "../offices/scope.ts";
import { type CsvRow, type CsvUnit, percentText } from "./csv.ts";
import type { Month, ResultsFilter } from "./filter.ts";
import type { ResultsSection } from "./section.ts";
import { resultsQuery, SELECTED, selectedParams } from "./selection.ts";

export type RoundFigures = {
  round: CheckupRoundName;
  /** Households that answered the question in this round. */
  answered: number;
  /** Households per option, in the question's option order. */
  options: { option: string; count: number }[];
};

export type Comparison = { compared: number; better: number; same: number; worse: number };

export type QuestionFigures = {
  key: CheckupQuestionKey;
  ordered: boolean;
  rounds: RoundFigures[];
  /** Entry vs latest round; null for questions without an ordered scale. */
  comparison: Comparison | null;
};

export type CohortFigures = {
  /** The entry month; null: every cohort together; "none": households without an entry date. */
  cohort: Month | "none" | null;
  questions: QuestionFigures[];
};

export type CheckupFigures = {
  /** Every selected cohort together (the chosen cohort, when the filter has one). */
  all: CohortFigures;
  /** Cohort by cohort, oldest first; empty when the filter chooses a cohort. */
  cohorts: CohortFigures[];
};

// $5, $6: the period's first and last month (the bounds are instants: Rome midnight); $7: the keys of
// the ordered questions. One scan of the selected households' check-ups (`chk`) serves both parts:
// the answers of the rounds started in the period, and per household its entry answers beside its
// later rounds of the period, newest first (at most three: m15, m9, m3), so the latest answer to a
// question is the first of them that has one.
const QUERY = `${SELECTED},
bounds AS (
  SELECT (($5::text || '-01')::timestamp AT TIME ZONE 'Europe/Rome') AS lo,
         ((($6::text || '-01')::date + interval '1 month')::timestamp AT TIME ZONE 'Europe/Rome') AS hi),
chk AS MATERIALIZED (
  SELECT coalesce(sel."cohort", 'none') AS cohort,
         c."householdId", c."round", c."answers",
         (c."startedAt" >= b.lo AND c."startedAt" < b.hi) AS "inPeriod"
    FROM "Checkup" c JOIN sel ON sel."id" = c."householdId" CROSS JOIN bounds b
   WHERE c."erasedAt" IS NULL AND c."startedAt" IS NOT NULL),
hh AS (
  SELECT cohort, (array_agg("answers") FILTER (WHERE "round" = 'entry'))[1] AS entry,
         array_agg("answers" ORDER BY "round" DESC) FILTER (WHERE "round" > 'entry' AND "inPeriod") AS later
    FROM chk GROUP BY "householdId", cohort),
pairs AS (
  SELECT hh.cohort, k.key AS question, hh.entry ->> k.key AS before,
         coalesce(hh.later[1] ->> k.key, hh.later[2] ->> k.key, hh.later[3] ->> k.key) AS after
    FROM hh CROSS JOIN unnest($7::text[]) k(key)
   WHERE hh.entry ? k.key AND hh.later IS NOT NULL)
SELECT 'answer' AS part, cohort, "round"::text AS round, q.key AS question, NULL::text AS before,
       q.value AS answer, count(*)::int AS n
  FROM chk CROSS JOIN LATERAL jsonb_each_text(
         CASE WHEN jsonb_typeof(chk."answers") = 'object' THEN chk."answers" ELSE '{}'::jsonb END) q
 WHERE "inPeriod"
 GROUP BY cohort, "round", q.key, q.value
UNION ALL
SELECT 'comparison', cohort, NULL, question, before, after, count(*)::int
  FROM pairs WHERE after IS NOT NULL
 GROUP BY cohort, question, before, after`;

/** The questions whose answers can be compared between rounds (core/checkup/questions.ts, `ordered`). */
const ORDERED_KEYS: string[] = CHECKUP_QUESTIONS.filter((q) => q.ordered).map((q) => q.key);

type Row = {
  part: "answer" | "comparison";
  cohort: string;
  round: string | null;
  question: string;
  before: string | null;
  answer: string;
  n: number;
};

function emptyCohort(cohort: CohortFigures["cohort"]): CohortFigures {
  return {
    cohort,
    questions: CHECKUP_QUESTIONS.map((q) => ({
      key: q.key,
      ordered: q.ordered,
      rounds: CHECKUP_ROUNDS.map((round) => ({
        round,
        answered: 0,
        options: q.options.map((option) => ({ option, count: 0 })),
      })),
      comparison: q.ordered ? { compared: 0, better: 0, same: 0, worse: 0 } : null,
    })),
  };
}

function addAnswer(c: CohortFigures, row: Row): void {
  const question = c.questions.find((q) => q.key === row.question);
  const round = question?.rounds.find((r) => r.round === row.round);
  const option = round?.options.find((o) => o.option === row.answer);
  // Answers of unknown questions or options (core/checkup/questions.ts's cleanAnswers) are left out.
  if (!round || !option) return;
  option.count += row.n;
  round.answered += row.n;
}

function addComparison(c: CohortFigures, row: Row): void {
  const question = c.questions.find((q) => q.key === row.question);
  const key = row.question as CheckupQuestionKey;
  const before = rank(key, row.before ?? undefined);
  const after = rank(key, row.answer);
  if (!question?.comparison || before === null || after === null) return;
  question.comparison.compared += row.n;
  // Rank 0 is the best situation: a smaller rank is a better answer.
  if (after < before) question.comparison.better += row.n;
  else if (after > before) question.comparison.worse += row.n;
  else question.comparison.same += row.n;
}

export async function checkupFigures(
  db: Db,
  _clock: Clock,
  scope: StaffScope,
  filter: ResultsFilter,
): Promise<CheckupFigures> {
  const rows = await resultsQuery<Row>(db, QUERY, [
    ...selectedParams(scope, filter),
    filter.from,
    filter.to,
    ORDERED_KEYS,
  ]);
  const all = emptyCohort(filter.cohort);
  const byCohort = new Map<string, CohortFigures>();
  const cohortOf = (key: string) => {
    let c = byCohort.get(key);
    if (!c) {
      c = emptyCohort(key);
      byCohort.set(key, c);
    }
    return c;
  };
  for (const row of rows) {
    const add = row.part === "answer" ? addAnswer : addComparison;
    add(all, row);
    if (filter.cohort === null) add(cohortOf(row.cohort), row);
  }
  // Oldest cohort first; households without an entry date last.
  const cohorts = [...byCohort.values()].sort((a, b) =>
    a.cohort === "none" ? 1 : b.cohort === "none" ? -1 : String(a.cohort).localeCompare(String(b.cohort)),
  );
  return { all, cohorts };
}

/** The label of a cohort in the export and on the page. */
export function cohortLabel(cohort: CohortFigures["cohort"], label: (key: string) => string): string {
  if (cohort === null) return label("checkup.allCohorts");
  if (cohort === "none") return label("checkup.noEntry");
  return `${label("checkup.cohort")} ${cohort}`;
}

function cohortRows(c: CohortFigures, label: (key: string) => string): CsvRow[] {
  const rows: CsvRow[] = [];
  const who = cohortLabel(c.cohort, label);
  const row = (parts: string[], value: string, unit: CsvUnit) =>
    rows.push({
      section: label("checkup.title"),
      figure: [...parts, who].join(" · "),
      month: "",
      value,
      unit,
    });
  for (const q of c.questions) {
    const question = label(`checkup.question.${q.key}`);
    for (const r of q.rounds) {
      const round = label(`checkup:export.rounds.${r.round}`);
      row([question, round, label("checkup.answered")], String(r.answered), "households");
      for (const o of r.options) {
        row(
          [question, round, label(`checkup:questions.${q.key}.options.${o.option}`)],
          percentText(o.count, r.answered),
          "percent",
        );
      }
    }
    if (q.comparison) {
      const k = q.comparison;
      row([question, label("checkup.compared")], String(k.compared), "households");
      row([question, label("checkup.better")], String(k.better), "households");
      row([question, label("checkup.same")], String(k.same), "households");
      row([question, label("checkup.worse")], String(k.worse), "households");
    }
  }
  return rows;
}

export const checkupSection: ResultsSection<CheckupFigures> = {
  key: "checkup",
  compute: checkupFigures,
  rows: (figures, label) => [figures.all, ...figures.cohorts].flatMap((c) => cohortRows(c, label)),
};

// A household's check-ups in PostgreSQL: starting (or starting over) a round, recording one answer at a
// time, and reading the last completed round to compare with. An answer is recorded by one
// conditional UPDATE that also checks it answers the question now asked, so a duplicated or stale
// button, or two presses at once, record nothing twice.
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import { sqlOf } from "../db/sql.ts";
import {
  CHECKUP_QUESTION_COUNT,
  CHECKUP_QUESTIONS,
  type CheckupAnswers,
  type CheckupRoundName,
  cleanAnswers,
  nextQuestionIndex,
} from "./questions.ts";

export type CheckupState = {
  id: number;
  householdId: number;
  round: CheckupRoundName;
  memberId: number | null;
  answers: CheckupAnswers;
  startedAt: Date | null;
  completedAt: Date | null;
  erasedAt: Date | null;
  /** A later round was offered to the household: this one can no longer be answered. */
  replaced: boolean;
};

type Row = Omit<CheckupState, "answers"> & { answers: unknown };

const toState = (row: Row): CheckupState => ({ ...row, answers: cleanAnswers(row.answers) });

/** Why a check-up cannot be answered by this member now; null when it can. */
export type Refusal = "not_yours" | "replaced" | "done";

export function refusalFor(
  state: CheckupState | null,
  who: { memberId: number; householdId: number },
): Refusal | null {
  if (!state || state.memberId !== who.memberId || state.householdId !== who.householdId) return "not_yours";
  if (state.completedAt || state.erasedAt) return "done";
  if (state.replaced) return "replaced";
  return null;
}

const SELECT_STATE = `
  SELECT c.id, c."householdId", c.round::text AS round, c."memberId", c.answers, c."startedAt",
         c."completedAt", c."erasedAt",
         EXISTS (SELECT 1 FROM "Checkup" n WHERE n."householdId" = c."householdId" AND n.round > c.round) AS replaced
    FROM "Checkup" c`;

export async function checkupById(db: Db, id: number): Promise<CheckupState | null> {
  const [row] = await sqlOf(db).text<Row>(`${SELECT_STATE} WHERE c.id = $1`, [id]);
  return row ? toState(row) : null;
}

export async function checkupOfRound(
  db: Db,
  householdId: number,
  round: CheckupRoundName,
): Promise<CheckupState | null> {
  const [row] = await sqlOf(db).text<Row>(
    `${SELECT_STATE} WHERE c."householdId" = $1 AND c.round = $2::"CheckupRound"`,
    [householdId, round],
  );
  return row ? toState(row) : null;
}

/** The household's latest offered round. */
export async function latestCheckup(db: Db, householdId: number): Promise<CheckupState | null> {
  const [row] = await sqlOf(db).text<Row>(
    `${SELECT_STATE} WHERE c."householdId" = $1 ORDER BY c.round DESC LIMIT 1`,
    [householdId],
  );
  return row ? toState(row) : null;
}

/** Marks the round started; `restart` also forgets the answers given so far (the person chose to). */
export async function beginCheckup(
  db: Db,
  clock: Clock,
  input: { id: number; memberId: number; restart: boolean },
): Promise<CheckupState | null> {
  const sql = sqlOf(db);
  const now = clock.now();
  const updated = await sql.execute`
    UPDATE "Checkup"
       SET "startedAt" = CASE WHEN ${input.restart}::boolean OR "startedAt" IS NULL THEN ${now}::timestamptz ELSE "startedAt" END,
           answers = CASE WHEN ${input.restart}::boolean THEN '{}'::jsonb ELSE answers END
     WHERE id = ${input.id} AND "memberId" = ${input.memberId} AND "completedAt" IS NULL AND "erasedAt" IS NULL`;
  return updated === 0 ? null : checkupById(db, input.id);
}

export type AnswerResult =
  | { status: "recorded"; state: CheckupState }
  | { status: "refused"; refusal: Refusal }
  /** The button is of a question already answered (pressed twice, or an old message). */
  | { status: "already_answered"; state: CheckupState }
  /** The button is of a question not asked yet (an old message of a restarted round). */
  | { status: "not_current"; state: CheckupState };

export async function recordAnswer(
  db: Db,
  clock: Clock,
  input: { id: number; memberId: number; householdId: number; questionIndex: number; option: string },
): Promise<AnswerResult> {
  const question = CHECKUP_QUESTIONS[input.questionIndex];
  const earlier = CHECKUP_QUESTIONS.slice(0, input.questionIndex).map((q) => q.key);
  if (question && (question.options as readonly string[]).includes(input.option)) {
    const now = clock.now();
    const [row] = await sqlOf(db).query<{ id: number }>`
      UPDATE "Checkup" c
         SET answers = c.answers || jsonb_build_object(${question.key}::text, ${input.option}::text),
             "startedAt" = COALESCE(c."startedAt", ${now}::timestamptz),
             "completedAt" = CASE WHEN ${input.questionIndex + 1 === CHECKUP_QUESTION_COUNT}::boolean
                                  THEN ${now}::timestamptz END
       WHERE c.id = ${input.id} AND c."memberId" = ${input.memberId} AND c."householdId" = ${input.householdId}
         AND c."completedAt" IS NULL AND c."erasedAt" IS NULL
         AND NOT (c.answers ? ${question.key}::text) AND c.answers ?& ${earlier}::text[]
         AND NOT EXISTS (SELECT 1 FROM "Checkup" n WHERE n."householdId" = c."householdId" AND n.round > c.round)
      RETURNING c.id`;
    if (row) {
      const state = await checkupById(db, input.id);
      if (state) return { status: "recorded", state };
    }
  }
  // Not recorded: say why, from the row as it is now.
  const state = await checkupById(db, input.id);
  const refusal = refusalFor(state, input);
  if (refusal || !state) return { status: "refused", refusal: refusal ?? "not_yours" };
  return input.questionIndex < nextQuestionIndex(state.answers)
    ? { status: "already_answered", state }
    : { status: "not_current", state };
}

/** The answers of the household's last completed round before this one (null: none to compare). */
export async function previousAnswers(
  db: Db,
  householdId: number,
  round: CheckupRoundName,
): Promise<CheckupAnswers | null> {
  const [row] = await sqlOf(db).query<{ answers: unknown }>`
    SELECT answers FROM "Checkup"
     WHERE "householdId" = ${householdId} AND round < ${round}::"CheckupRound"
       AND "completedAt" IS NOT NULL AND "erasedAt" IS NULL
     ORDER BY round DESC LIMIT 1`;
  return row ? cleanAnswers(row.answers) : null;
}

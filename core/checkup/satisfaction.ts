// Satisfaction with a closed case: one question (1–5, then an optional comment), asked once per case
// when staff close it, to one member (who opened the case, else the household's first reachable
// member). The row is unique per case; score and comment are each set once by a conditional UPDATE,
// so a duplicated or old button records nothing twice.
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import { sqlOf } from "../db/sql.ts";
import { checkupT } from "./texts.ts";

export const SATISFACTION_SCORES = [1, 2, 3, 4, 5] as const;
export const MAX_SATISFACTION_COMMENT = 1000;

/** Records that the question is asked; false when it was already asked for this case. */
export async function recordSatisfactionAsked(
  db: Db,
  clock: Clock,
  input: { caseId: number; householdId: number; memberId: number },
): Promise<boolean> {
  const inserted = await sqlOf(db).execute`
    INSERT INTO "CaseSatisfaction" ("caseId", "householdId", "memberId", "askedAt")
    VALUES (${input.caseId}, ${input.householdId}, ${input.memberId}, ${clock.now()}::timestamptz)
    ON CONFLICT ("caseId") DO NOTHING`;
  return inserted > 0;
}

/** The question, put under the "case closed" message, and its five buttons. */
export function satisfactionQuestion(language: string): string {
  return checkupT(language)("satisfaction.question");
}

export function satisfactionMarkup(caseId: number) {
  return {
    inline_keyboard: [
      SATISFACTION_SCORES.map((score) => ({ text: String(score), callback_data: `sat:${caseId}:${score}` })),
    ],
  };
}

export type SatisfactionRefusal = "not_yours" | "already";

type Row = { memberId: number | null; score: number | null; comment: string | null; erasedAt: Date | null };

async function refusalOf(db: Db, caseId: number, memberId: number): Promise<SatisfactionRefusal> {
  const [row] = await sqlOf(db).query<Row>`
    SELECT "memberId", score, comment, "erasedAt" FROM "CaseSatisfaction" WHERE "caseId" = ${caseId}`;
  return !row || row.memberId !== memberId ? "not_yours" : "already";
}

export async function recordScore(
  db: Db,
  clock: Clock,
  input: { caseId: number; memberId: number; score: number },
): Promise<{ status: "recorded" } | { status: "refused"; refusal: SatisfactionRefusal }> {
  if (!(SATISFACTION_SCORES as readonly number[]).includes(input.score)) {
    return { status: "refused", refusal: "not_yours" };
  }
  const updated = await sqlOf(db).execute`
    UPDATE "CaseSatisfaction" SET score = ${input.score}, "answeredAt" = ${clock.now()}::timestamptz
     WHERE "caseId" = ${input.caseId} AND "memberId" = ${input.memberId} AND score IS NULL AND "erasedAt" IS NULL`;
  if (updated > 0) return { status: "recorded" };
  return { status: "refused", refusal: await refusalOf(db, input.caseId, input.memberId) };
}

export async function recordComment(
  db: Db,
  input: { caseId: number; memberId: number; comment: string },
): Promise<{ status: "recorded" } | { status: "refused"; refusal: SatisfactionRefusal }> {
  const updated = await sqlOf(db).execute`
    UPDATE "CaseSatisfaction" SET comment = ${input.comment}
     WHERE "caseId" = ${input.caseId} AND "memberId" = ${input.memberId}
       AND score IS NOT NULL AND comment IS NULL AND "erasedAt" IS NULL`;
  if (updated > 0) return { status: "recorded" };
  return { status: "refused", refusal: await refusalOf(db, input.caseId, input.memberId) };
}

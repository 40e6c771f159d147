// The household's check-up answers and satisfaction scores, for its case worker's page (issue 12).
// Only the household page reads this, after its access rules (core/offices/scope.ts) let the
// member of staff in.
import { type CheckupAnswers, type CheckupRoundName, cleanAnswers, isRound } from "../checkup/questions.ts";
import type { Db } from "../db/client.ts";

export type CheckupRoundView = {
  round: CheckupRoundName;
  offeredAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  erasedAt: Date | null;
  answers: CheckupAnswers;
};

export type SatisfactionView = {
  caseId: number;
  askedAt: Date;
  score: number | null;
  comment: string | null;
  erased: boolean;
};

export type HouseholdCheckups = { rounds: CheckupRoundView[]; satisfaction: SatisfactionView[] };

export async function householdCheckups(db: Db, householdId: number): Promise<HouseholdCheckups> {
  const [rounds, satisfaction] = await Promise.all([
    db.checkup.findMany({ where: { householdId }, orderBy: { round: "asc" } }),
    db.caseSatisfaction.findMany({ where: { householdId }, orderBy: { askedAt: "desc" } }),
  ]);
  return {
    rounds: rounds.flatMap((r) =>
      isRound(r.round)
        ? [
            {
              round: r.round,
              offeredAt: r.offeredAt,
              startedAt: r.startedAt,
              completedAt: r.completedAt,
              erasedAt: r.erasedAt,
              answers: cleanAnswers(r.answers),
            },
          ]
        : [],
    ),
    satisfaction: satisfaction.map((s) => ({
      caseId: s.caseId,
      askedAt: s.askedAt,
      score: s.score,
      comment: s.comment,
      erased: s.erasedAt !== null,
    })),
  };
}

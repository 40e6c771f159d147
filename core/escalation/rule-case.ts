// A case a rule opens (an overdue installment, a broken plan). A household has at most one active
// case: when it already has one, the rule's note goes into it instead, so the operator who follows
// the household sees it where they already work.
import { ACTIVE_CASE_STATUSES, lockHousehold } from "../cases.ts";
import type { CaseSource, Prisma } from "../db/client.ts";

type Tx = Prisma.TransactionClient;

export type RuleCaseResult = { caseId: number; opened: boolean };

/** Inside the caller's transaction; takes the household's case lock (again, harmlessly, if held). */
export async function openRuleCase(
  tx: Tx,
  input: {
    householdId: number;
    source: CaseSource;
    dedupeKey: string;
    topic: string;
    note: string;
    now: Date;
  },
): Promise<RuleCaseResult> {
  await lockHousehold(tx, input.householdId);
  const active = await tx.case.findFirst({
    where: { householdId: input.householdId, status: { in: [...ACTIVE_CASE_STATUSES] } },
    orderBy: { openedAt: "desc" },
    select: { id: true },
  });
  if (active) {
    await tx.caseMessage.create({
      data: { caseId: active.id, author: "system", text: input.note, createdAt: input.now },
    });
    return { caseId: active.id, opened: false };
  }
  const created = await tx.case.create({
    data: {
      householdId: input.householdId,
      topic: input.topic,
      status: "open",
      source: input.source,
      dedupeKey: input.dedupeKey,
      openedAt: input.now,
      messages: { create: { author: "system", text: input.note, createdAt: input.now } },
    },
    select: { id: true },
  });
  return { caseId: created.id, opened: true };
}

/** Whether a rule already acted on this key: a case opened with it, or an alert recorded with it. */
export async function alreadyDone(tx: Tx, dedupeKey: string): Promise<boolean> {
  const [byCase, byAlert] = await Promise.all([
    tx.case.findUnique({ where: { dedupeKey }, select: { id: true } }),
    tx.alert.findUnique({ where: { dedupeKey }, select: { id: true } }),
  ]);
  return byCase !== null || byAlert !== null;
}

// A household waiting too long: an open case whose household messages since the last operator
// answer have had no answer for CASE_SLA_HOURS office hours (default 8: one working day, Monday to
// Friday 9–17 Europe/Rome, Italian public holidays excluded) is escalated to the coordinators.
// The clock starts at the first unanswered message — later messages of the household do not push
// the deadline back. Once per unanswered message: the alert's key carries its time.
import { audit } from "../audit.ts";
import { officeHoursLater } from "../cases.ts";
import { sqlOf } from "../db/sql.ts";
import type { EscalationDeps } from "./deps.ts";
import { postCaseToGroup } from "./operators-group.ts";

type LateRow = { id: number; householdId: number; waitingSince: Date };

export function slaDeadline(waitingSince: Date, slaHours: number): Date {
  return officeHoursLater(waitingSince, slaHours);
}

export async function escalateLateCases(deps: EscalationDeps): Promise<{ escalated: number }> {
  const { db, clock, caseSlaHours } = deps;
  const now = clock.now();
  // A deadline is never less than `caseSlaHours` real hours away, so newer messages need no look.
  const rows = await sqlOf(db).query<LateRow>`
    SELECT c."id", c."householdId", (
      SELECT min(m."createdAt") FROM "CaseMessage" m
      WHERE m."caseId" = c."id" AND m."author" = 'household'
        AND (c."lastOperatorMessageAt" IS NULL OR m."createdAt" > c."lastOperatorMessageAt")
    ) AS "waitingSince"
    FROM "Case" c
    WHERE c."status" = 'open' AND c."lastHouseholdMessageAt" IS NOT NULL
      AND (c."lastOperatorMessageAt" IS NULL OR c."lastOperatorMessageAt" < c."lastHouseholdMessageAt")
    ORDER BY c."id"`;
  let escalated = 0;
  for (const row of rows) {
    if (!row.waitingSince || slaDeadline(row.waitingSince, caseSlaHours) > now) continue;
    const dedupeKey = `case-sla:${row.id}:${row.waitingSince.getTime()}`;
    const won = await db.$transaction(async (tx) => {
      const inserted = await tx.alert.createMany({
        data: [{ kind: "case-sla", dedupeKey, householdId: row.householdId, caseId: row.id, createdAt: now }],
        skipDuplicates: true,
      });
      if (inserted.count === 0) return false;
      await tx.case.update({ where: { id: row.id }, data: { escalatedAt: now } });
      return true;
    });
    if (!won) continue;
    escalated++;
    await audit(db, {
      actorType: "system",
      action: "case.escalated",
      entityType: "case",
      entityId: row.id,
      details: { slaHours: caseSlaHours },
    });
    await postCaseToGroup(deps, {
      caseId: row.id,
      kind: "escalated",
      purpose: `ops:case:${row.id}:escalated:${row.waitingSince.getTime()}`,
      since: row.waitingSince,
      slaHours: caseSlaHours,
    });
  }
  return { escalated };
}

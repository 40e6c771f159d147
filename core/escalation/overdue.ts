// Missed installments. One unpaid 7 days after its due date (Rome calendar), with no payment by the
// household since that date, opens a case for an operator; two or more such installments of the same
// plan mark the plan broken and alert the coordinators. Each happens once: the case's or the alert's
// unique dedupe key, checked again under the household's lock, and conditional updates make a second
// or concurrent run change nothing.
import { audit } from "../audit.ts";
import { lockHousehold } from "../cases.ts";
import { sqlOf } from "../db/sql.ts";
import { translator } from "../i18n.ts";
import { formatMoney } from "../money.ts";
import { formatCalendarDate, romeToday } from "../time.ts";
import type { EscalationDeps } from "./deps.ts";
import { postBudget, postCaseToGroup, postSummaryToGroup } from "./operators-group.ts";
import { alreadyDone, openRuleCase } from "./rule-case.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
/** An installment counts as missed this many days after its due date. */
export const OVERDUE_AFTER_DAYS = 7;
/** This many missed installments break a plan. */
export const BROKEN_AFTER_MISSED = 2;

/** The latest due date that is missed today: today (Rome) minus 7 days. */
function missedCutoff(now: Date): Date {
  return new Date(romeToday(now).getTime() - OVERDUE_AFTER_DAYS * DAY_MS);
}

const staffText = () => translator("it", "staff");

type OverdueRow = {
  id: number;
  number: number;
  dueDate: Date;
  amountCents: number;
  paidCents: number;
  planCode: string;
  householdId: number;
};

/** Opens a case (or notes it in the household's active case) for each installment newly overdue. */
export async function openOverdueCases(deps: EscalationDeps): Promise<{ opened: number; noted: number }> {
  const { db, clock } = deps;
  const now = clock.now();
  const rows = await sqlOf(db).query<OverdueRow>`
    SELECT i."id", i."number", i."dueDate", i."amountCents", i."paidCents", p."planCode", p."householdId"
    FROM "Installment" i JOIN "RepaymentPlan" p ON p."id" = i."planId"
    WHERE p."status" = 'active' AND i."paidCents" < i."amountCents" AND i."dueDate" <= ${missedCutoff(now)}
      AND NOT EXISTS (
        SELECT 1 FROM "Payment" pay WHERE pay."householdId" = p."householdId" AND pay."paymentDate" >= i."dueDate")
      AND NOT EXISTS (SELECT 1 FROM "Case" c WHERE c."dedupeKey" = 'overdue:' || i."id")
      AND NOT EXISTS (SELECT 1 FROM "Alert" a WHERE a."dedupeKey" = 'overdue:' || i."id")
    ORDER BY p."householdId", i."dueDate", i."id"`;
  let opened = 0;
  let noted = 0;
  const budget = postBudget();
  for (const row of rows) {
    const dedupeKey = `overdue:${row.id}`;
    const note = staffText()("note.overdue", {
      number: row.number,
      plan: row.planCode,
      due: formatCalendarDate(row.dueDate),
      amount: formatMoney(row.amountCents - row.paidCents),
      days: OVERDUE_AFTER_DAYS,
    });
    const result = await db.$transaction(async (tx) => {
      // The lock before the check: a concurrent run that got there first has committed by then.
      await lockHousehold(tx, row.householdId);
      if (await alreadyDone(tx, dedupeKey)) return null;
      const done = await openRuleCase(tx, {
        householdId: row.householdId,
        source: "overdue",
        dedupeKey,
        topic: "debt",
        note,
        now,
      });
      if (!done.opened) {
        // The household already has a case: the note went there. The rule still remembers it acted,
        // with an alert born acknowledged (coordinators only see unacknowledged ones).
        await tx.alert.create({
          data: {
            kind: "overdue-noted",
            dedupeKey,
            householdId: row.householdId,
            caseId: done.caseId,
            createdAt: now,
            acknowledgedAt: now,
          },
        });
      }
      return done;
    });
    if (!result) continue;
    if (result.opened) {
      opened++;
      await audit(db, {
        actorType: "system",
        action: "case.opened",
        entityType: "case",
        entityId: result.caseId,
        details: { source: "overdue", installmentId: row.id },
      });
      if (budget.take()) {
        await postCaseToGroup(deps, {
          caseId: result.caseId,
          kind: "opened",
          purpose: `ops:case:${result.caseId}:opened`,
        });
      }
    } else noted++;
  }
  await postSummaryToGroup(deps, {
    purpose: `ops:summary:overdue:${now.getTime()}`,
    source: "overdue",
    count: budget.skipped(),
  });
  return { opened, noted };
}

type BrokenRow = { id: number; planCode: string; householdId: number; missed: number };

/** Marks broken every active plan with two or more missed installments; alerts once per plan. */
export async function markBrokenPlans(deps: EscalationDeps): Promise<{ broken: number }> {
  const { db, clock } = deps;
  const now = clock.now();
  const rows = await sqlOf(db).query<BrokenRow>`
    SELECT p."id", p."planCode", p."householdId", count(*)::int AS "missed"
    FROM "RepaymentPlan" p JOIN "Installment" i ON i."planId" = p."id"
    WHERE p."status" = 'active' AND i."paidCents" < i."amountCents" AND i."dueDate" <= ${missedCutoff(now)}
    GROUP BY p."id"
    HAVING count(*) >= ${BROKEN_AFTER_MISSED}
    ORDER BY p."id"`;
  let broken = 0;
  const budget = postBudget();
  for (const row of rows) {
    const dedupeKey = `plan-broken:${row.id}`;
    const note = staffText()("note.plan_broken", { plan: row.planCode, missed: row.missed });
    const result = await db.$transaction(async (tx) => {
      // Only the run that moves the plan from active to broken goes on.
      const marked = await tx.repaymentPlan.updateMany({
        where: { id: row.id, status: "active" },
        data: { status: "broken", brokenAt: now },
      });
      if (marked.count === 0) return null;
      const done = await openRuleCase(tx, {
        householdId: row.householdId,
        source: "plan_broken",
        dedupeKey,
        topic: "debt",
        note,
        now,
      });
      await tx.alert.createMany({
        data: [
          {
            kind: "plan-broken",
            dedupeKey,
            householdId: row.householdId,
            planId: row.id,
            caseId: done.caseId,
            createdAt: now,
          },
        ],
        skipDuplicates: true,
      });
      return done;
    });
    if (!result) continue;
    broken++;
    await audit(db, {
      actorType: "system",
      action: "plan.broken",
      entityType: "plan",
      entityId: row.id,
      details: { missed: row.missed, caseId: result.caseId },
    });
    if (budget.take()) {
      await postCaseToGroup(deps, {
        caseId: result.caseId,
        kind: "plan_broken",
        purpose: result.opened
          ? `ops:case:${result.caseId}:opened`
          : `ops:case:${result.caseId}:plan-broken:${row.id}`,
      });
    }
  }
  await postSummaryToGroup(deps, {
    purpose: `ops:summary:plan-broken:${now.getTime()}`,
    source: "plan_broken",
    count: budget.skipped(),
  });
  return { broken };
}

// "HouseholdFacts": what the ranked caseload (caseload.ts) reads of each household, one row per
// household. PostgreSQL keeps it: triggers on Household, ArrearsBalance, RepaymentPlan, Installment,
// Case, CaseMessage and Member (migration 20261207161000_household_facts) recompute, after every
// statement, the rows of the households it touched, in the same transaction: the imports, the
// escalation that breaks plans, payment allocation, messages, members' reachability, and any code
// written later, all keep it exact without calling anything. Imports are the one exception to "after
// every statement": inside their transaction (core/imports/transaction.ts) the triggers only note the
// households touched, and the import refreshes them all at its end, set-based, before it commits
// (migration 20261207182000_deferred_facts_import_checks). Nothing stored depends on the calendar
// (the caseload counts late installments, waiting hours and days without contact at read time), so no
// job has to run at midnight.
//
// Never silently wrong: `householdFactsDrift` recomputes every household's facts from scratch with
// an independent query (the set-based one the caseload used before the table existed) and lists the
// households whose row differs; the daily housekeeping repairs and reports them
// (`checkHouseholdFacts`), and the tests compare after mixes of operations.
import type { Db } from "../db/client.ts";
import { sqlOf } from "../db/sql.ts";

/** Every household's facts, from their tables, and the households whose stored row differs. */
const DRIFT_SQL = `
  WITH late AS (
    SELECT p."householdId" AS hid, array_agg(i."dueDate" ORDER BY i."dueDate") AS due
    FROM "RepaymentPlan" p JOIN "Installment" i ON i."planId" = p."id"
    WHERE p."status" IN ('active', 'broken') AND i."paidCents" < i."amountCents"
    GROUP BY 1
  ), broken AS (
    SELECT DISTINCT b."householdId" AS hid FROM "RepaymentPlan" b
    WHERE b."status" = 'broken' AND NOT EXISTS (
      SELECT 1 FROM "RepaymentPlan" a WHERE a."householdId" = b."householdId" AND a."status" = 'active')
  ), bal AS (
    SELECT "householdId" AS hid,
      (array_agg("rentCents"::bigint + "chargesCents" ORDER BY "balanceDate" ASC))[1] AS "first",
      (array_agg("rentCents"::bigint + "chargesCents" ORDER BY "balanceDate" DESC))[1] AS "latest"
    FROM "ArrearsBalance" GROUP BY 1 HAVING count(*) >= 2
  ), cs AS (
    SELECT "householdId" AS hid,
      bool_or("urgent" AND "status" IN ('open', 'waiting_household')) AS "urgent",
      max(GREATEST("lastHouseholdMessageAt", "lastOperatorMessageAt")) AS "lastMessage"
    FROM "Case" GROUP BY 1
  ), waiting AS (
    SELECT c."householdId" AS hid, min((
      SELECT min(m."createdAt") FROM "CaseMessage" m
      WHERE m."caseId" = c."id" AND m."author" = 'household'
        AND (c."lastOperatorMessageAt" IS NULL OR m."createdAt" > c."lastOperatorMessageAt")
    )) AS "since"
    FROM "Case" c
    WHERE c."status" = 'open' AND c."lastHouseholdMessageAt" IS NOT NULL
      AND (c."lastOperatorMessageAt" IS NULL OR c."lastOperatorMessageAt" < c."lastHouseholdMessageAt")
    GROUP BY 1
  ), unreachable AS (
    SELECT DISTINCT m."householdId" AS hid FROM "Member" m
    WHERE m."householdId" IS NOT NULL AND m."linkedAt" IS NOT NULL AND m."unreachableAt" IS NOT NULL
      AND NOT EXISTS (
        SELECT 1 FROM "Member" o
        WHERE o."householdId" = m."householdId" AND o."linkedAt" IS NOT NULL AND o."unreachableAt" IS NULL)
  ), expected AS (
    SELECT h."id",
      COALESCE(late.due, '{}') AS "unpaidDue",
      broken.hid IS NOT NULL AS "broken",
      bal."first", bal."latest",
      COALESCE(cs."urgent", false) AS "urgent",
      w."since",
      unreachable.hid IS NOT NULL AS "unreachable",
      GREATEST(h."createdAt", cs."lastMessage") AS "lastContact",
      h."officeId", h."caseWorkerId"
    FROM "Household" h
    LEFT JOIN late ON late.hid = h."id"
    LEFT JOIN broken ON broken.hid = h."id"
    LEFT JOIN bal ON bal.hid = h."id"
    LEFT JOIN cs ON cs.hid = h."id"
    LEFT JOIN waiting w ON w.hid = h."id"
    LEFT JOIN unreachable ON unreachable.hid = h."id"
  )
  SELECT COALESCE(e."id", f."householdId") AS "id"
  FROM expected e FULL JOIN "HouseholdFacts" f ON f."householdId" = e."id"
  WHERE e."id" IS NULL OR f."householdId" IS NULL
    OR (COALESCE(f."unpaidDue", '{}'), f."broken", f."firstArrears", f."latestArrears", f."urgent",
        f."waitingSince", f."unreachable", f."lastContact", f."officeId", f."caseWorkerId")
      IS DISTINCT FROM (e."unpaidDue", e."broken", e."first", e."latest", e."urgent", e."since",
        e."unreachable", e."lastContact", e."officeId", e."caseWorkerId")
  ORDER BY 1`;

/** The households whose stored facts differ from their tables (missing or extra rows included). */
export async function householdFactsDrift(db: Db): Promise<number[]> {
  const rows = await sqlOf(db).text<{ id: number }>(DRIFT_SQL, []);
  return rows.map((r) => r.id);
}

/** Recomputes these households' facts from their tables (what the triggers do after each write). */
export async function refreshHouseholdFacts(db: Db, householdIds: number[]): Promise<void> {
  if (householdIds.length === 0) return;
  await sqlOf(db).text(`SELECT "household_facts_refresh"($1::int[])`, [householdIds]);
}

/**
 * The daily check (worker housekeeping): drifted households are recomputed; how many (a count, no
 * ids in logs) is returned for the caller to report. Zero unless something wrote around the
 * triggers (a restore with triggers disabled, session_replication_role = replica).
 */
export async function checkHouseholdFacts(db: Db): Promise<{ drifted: number }> {
  const drifted = await householdFactsDrift(db);
  await refreshHouseholdFacts(db, drifted);
  // Facts rows of households that no longer exist cannot stay (the foreign key cascades), so a
  // refresh covers every difference the check can find.
  return { drifted: drifted.length };
}

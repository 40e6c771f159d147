// Caseloads: which operator follows which family (coordinators assign and reassign within their
// office), and an operator covering a colleague's family for a while, with the reason recorded.
import { audit } from "../audit.ts";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import {
  COVER_HOURS,
  MAX_COVER_REASON,
  MIN_COVER_REASON,
  type StaffScope,
  visibleHouseholds,
} from "./scope.ts";

export type CaseWorker = { id: number; email: string; firstName: string | null };

/** The active operators of an office: who a family there can be assigned to. */
export async function officeOperators(db: Db, officeId: number): Promise<CaseWorker[]> {
  return db.staff.findMany({
    where: { officeId, role: "operator", active: true },
    orderBy: [{ firstName: "asc" }, { email: "asc" }],
    select: { id: true, email: true, firstName: true },
  });
}

export type AssignResult = "assigned" | "unchanged" | "not_found" | "not_an_operator_of_the_office";

/**
 * Makes `caseWorkerId` (or nobody, with null) the family's case worker. Only coordinators and
 * admins; the household must be visible to them, and the case worker an active operator of the
 * household's own office.
 */
export async function assignCaseWorker(
  db: Db,
  scope: StaffScope,
  input: { householdId: number; caseWorkerId: number | null },
): Promise<AssignResult> {
  if (scope.role === "operator") return "not_found";
  const household = await db.household.findFirst({
    where: { AND: [{ id: input.householdId }, visibleHouseholds(scope)] },
    select: { id: true, officeId: true, caseWorkerId: true },
  });
  if (!household) return "not_found";
  if (input.caseWorkerId !== null) {
    const worker = await db.staff.findFirst({
      where: { id: input.caseWorkerId, role: "operator", active: true, officeId: household.officeId ?? -1 },
      select: { id: true },
    });
    if (!worker) return "not_an_operator_of_the_office";
  }
  if (household.caseWorkerId === input.caseWorkerId) return "unchanged";
  await db.$transaction(async (tx) => {
    await tx.household.update({ where: { id: household.id }, data: { caseWorkerId: input.caseWorkerId } });
    await audit(tx, {
      actorType: "staff",
      actorId: scope.staffId,
      action: "household.caseWorkerAssigned",
      entityType: "household",
      entityId: household.id,
      details: { from: household.caseWorkerId, to: input.caseWorkerId },
    });
  });
  return "assigned";
}

export type CoverResult =
  | { kind: "granted"; expiresAt: Date }
  | { kind: "reason_too_short" }
  | { kind: "not_found" };

/**
 * An operator states why they open a colleague's family (e.g. covering an absence): the page opens
 * for COVER_HOURS. The reason stays in CoverAccess (staff text, not for logs); the audit names the grant.
 */
export async function grantCover(
  db: Db,
  clock: Clock,
  scope: StaffScope,
  input: { householdId: number; reason: string },
): Promise<CoverResult> {
  const reason = input.reason.trim().replace(/\s+/g, " ");
  const household = await db.household.findFirst({
    where: { AND: [{ id: input.householdId }, visibleHouseholds(scope)] },
    select: { id: true, caseWorkerId: true },
  });
  if (!household || scope.role !== "operator") return { kind: "not_found" };
  if (reason.length < MIN_COVER_REASON) return { kind: "reason_too_short" };
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + COVER_HOURS * 3_600_000);
  await db.$transaction(async (tx) => {
    const cover = await tx.coverAccess.create({
      data: {
        staffId: scope.staffId,
        householdId: household.id,
        reason: reason.slice(0, MAX_COVER_REASON),
        grantedAt: now,
        expiresAt,
      },
      select: { id: true },
    });
    await audit(tx, {
      actorType: "staff",
      actorId: scope.staffId,
      action: "household.coverOpened",
      entityType: "household",
      entityId: household.id,
      details: { coverId: cover.id, caseWorkerId: household.caseWorkerId },
    });
  });
  return { kind: "granted", expiresAt };
}

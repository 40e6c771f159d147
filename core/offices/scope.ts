// Which households a staff member may see and act on. One place decides it, for every page and
// every record of the panel: operators and coordinators work within their office (the
// municipalities it covers); admins see everything; staff with no office see no household.
// Operators open their own caseload and their office's unassigned families directly; a family a
// colleague follows opens only with a stated reason (covering an absence), recorded in CoverAccess
// and the audit log. The office's inbox of cases is shared: any operator of the office answers.
import type { Clock } from "../clock.ts";
import type { Db, Prisma, StaffRole } from "../db/client.ts";

export type StaffScope = { staffId: number; role: StaffRole; officeId: number | null };

/** How long a stated reason opens a colleague's household: one working day. */
export const COVER_HOURS = 12;
export const MIN_COVER_REASON = 10;
export const MAX_COVER_REASON = 500;

/** Matches no household: staff with no office (a new account, or one moved out of its office). */
const NOTHING: Prisma.HouseholdWhereInput = { id: -1 };

/** The households this person may see at all, as a filter to combine with any query. */
export function visibleHouseholds(scope: StaffScope): Prisma.HouseholdWhereInput {
  if (scope.role === "admin") return {};
  if (scope.officeId === null) return NOTHING;
  return { officeId: scope.officeId };
}

/** The same, for records that belong to a household (cases, alerts, deliveries, members…). */
export function ofVisibleHousehold(scope: StaffScope): { household?: Prisma.HouseholdWhereInput } {
  return scope.role === "admin" ? {} : { household: visibleHouseholds(scope) };
}

export type HouseholdOpening =
  /** Not there, or of another office: the panel answers 404, as for an id that does not exist. */
  | { kind: "hidden" }
  /** A colleague's family: the operator states why before the page opens. */
  | { kind: "needsCover"; caseWorkerId: number }
  | { kind: "open"; covering: boolean };

/** Whether this person may open this household's page now. */
export async function householdOpening(
  db: Db,
  clock: Clock,
  scope: StaffScope,
  householdId: number,
): Promise<HouseholdOpening> {
  const household = await db.household.findFirst({
    where: { AND: [{ id: householdId }, visibleHouseholds(scope)] },
    select: { caseWorkerId: true },
  });
  if (!household) return { kind: "hidden" };
  if (scope.role !== "operator") return { kind: "open", covering: false };
  const worker = household.caseWorkerId;
  if (worker === null || worker === scope.staffId) return { kind: "open", covering: false };
  const cover = await db.coverAccess.findFirst({
    where: { staffId: scope.staffId, householdId, expiresAt: { gt: clock.now() } },
    select: { id: true },
  });
  return cover ? { kind: "open", covering: true } : { kind: "needsCover", caseWorkerId: worker };
}

/** Whether the household exists and this person may see it (any role), for routes by id. */
export async function canSeeHousehold(db: Db, scope: StaffScope, householdId: number): Promise<boolean> {
  const found = await db.household.findFirst({
    where: { AND: [{ id: householdId }, visibleHouseholds(scope)] },
    select: { id: true },
  });
  return found !== null;
}

/**
 * The same rule for hand-written SQL, as one parameter used twice:
 * `(${p}::int IS NULL OR h."officeId" = ${p})`. Null lets an admin see everything; a staff member
 * with no office gets an id no office has.
 */
export function officeParam(scope: StaffScope): number | null {
  if (scope.role === "admin") return null;
  return scope.officeId ?? -1;
}

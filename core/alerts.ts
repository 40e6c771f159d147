// Alerts: what coordinators must see — a repayment plan broken, a case past its answer time. The
// escalation rules create them (once, by dedupe key); a coordinator or admin acknowledges them.
import { audit } from "./audit.ts";
import type { Clock } from "./clock.ts";
import type { Db, Prisma } from "./db/client.ts";
import { type StaffScope, visibleHouseholds } from "./offices/scope.ts";

export const ALERT_LIST_LIMIT = 500;

export type AlertRow = {
  id: number;
  kind: string;
  createdAt: Date;
  caseId: number | null;
  planCode: string | null;
  contractCode: string | null;
};

/** Unacknowledged alerts, oldest first. Ids and codes only. */
/** Alerts about a household (directly or through its case) this person may see; the rest for admins. */
function visibleAlerts(scope: StaffScope): Prisma.AlertWhereInput {
  if (scope.role === "admin") return {};
  const households = visibleHouseholds(scope);
  return { OR: [{ household: households }, { case: { household: households } }] };
}

export async function listOpenAlerts(db: Db, scope: StaffScope): Promise<AlertRow[]> {
  const alerts = await db.alert.findMany({
    where: { acknowledgedAt: null, ...visibleAlerts(scope) },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: ALERT_LIST_LIMIT,
    select: { id: true, kind: true, createdAt: true, caseId: true, householdId: true, planId: true },
  });
  const planIds = [...new Set(alerts.flatMap((a) => (a.planId === null ? [] : [a.planId])))];
  const householdIds = [...new Set(alerts.flatMap((a) => (a.householdId === null ? [] : [a.householdId])))];
  const [plans, households] = await Promise.all([
    db.repaymentPlan.findMany({ where: { id: { in: planIds } }, select: { id: true, planCode: true } }),
    db.household.findMany({ where: { id: { in: householdIds } }, select: { id: true, contractCode: true } }),
  ]);
  const planCodes = new Map(plans.map((p) => [p.id, p.planCode]));
  const contractCodes = new Map(households.map((h) => [h.id, h.contractCode]));
  return alerts.map((a) => ({
    id: a.id,
    kind: a.kind,
    createdAt: a.createdAt,
    caseId: a.caseId,
    planCode: a.planId === null ? null : (planCodes.get(a.planId) ?? null),
    contractCode: a.householdId === null ? null : (contractCodes.get(a.householdId) ?? null),
  }));
}

/** Marks the alert seen; acknowledging it again (a double click) changes nothing. */
export async function acknowledgeAlert(
  db: Db,
  clock: Clock,
  input: { alertId: number; scope: StaffScope },
): Promise<"acknowledged" | "already" | "not_found"> {
  const visible = visibleAlerts(input.scope);
  const updated = await db.alert.updateMany({
    where: { id: input.alertId, acknowledgedAt: null, ...visible },
    data: { acknowledgedAt: clock.now(), acknowledgedByStaffId: input.scope.staffId },
  });
  if (updated.count === 0) {
    const exists = await db.alert.findFirst({
      where: { id: input.alertId, ...visible },
      select: { id: true },
    });
    return exists ? "already" : "not_found";
  }
  await audit(db, {
    actorType: "staff",
    actorId: input.scope.staffId,
    action: "alert.acknowledged",
    entityType: "alert",
    entityId: input.alertId,
  });
  return "acknowledged";
}

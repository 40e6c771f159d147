// Payments and how they pay a household's repayment-plan installments.
//
// Allocation rule (DESIGN.md: "payments dated after the balance date reduce the arrears shown and are
// allocated to installments oldest first"):
//   1. The household's installments are those of its plans that are not cancelled, taken oldest first
//      (due date, then plan id, then installment number).
//   2. The payments that pay them are those dated after the plan's starting figures: the latest
//      arrears balance dated before the earliest installment's due date (the figures the plan was
//      agreed on). Earlier payments are already inside those figures. With no such balance, every
//      payment of the household counts.
//   3. That money fills the installments in order: each is paid in full before the next gets
//      anything; what is left after the last installment stays unallocated.
//
// Why it is idempotent: an installment's paidCents is never added to. `reallocate` recomputes it from
// scratch, from the payments, plans and balances as they are now, and writes only what differs. Since
// money fills installments in a fixed order, the result depends only on the total of the counting
// payments, not on the order payments were recorded or imported in. Importing the same payments or
// plans file twice therefore changes nothing the second time, and importing files in any order ends
// in the same state. Both importers call `reallocate` inside their transaction, for every household
// in the file; anything else that changes payments, plans or balances must call it too.
//
// A plan that is "active" becomes "completed" when every installment is paid, and back to "active" if
// that stops being true (a plan re-imported with more installments). "broken" and "cancelled" are
// staff decisions and are left alone.
import type { Db, PlanStatus } from "./db/client.ts";

type Writer = Pick<Db, "arrearsBalance" | "payment" | "repaymentPlan" | "installment">;

/** Postgres caps the parameters of one statement; households go in slices of this size. */
const BATCH = 1000;

/**
 * Fills installments (oldest first) with `availableCents`: each one is paid in full before the next
 * gets anything. Returns the paid amount of each, in the same order.
 */
export function fillInstallments(amounts: readonly number[], availableCents: number): number[] {
  let left = Math.max(0, availableCents);
  return amounts.map((amount) => {
    const paid = Math.min(amount, left);
    left -= paid;
    return paid;
  });
}

/**
 * The date after which payments count towards the plans: the latest balance dated before the first
 * installment falls due, or null (every payment counts).
 */
export function allocationBaseline(balanceDates: readonly Date[], firstDue: Date): Date | null {
  let baseline: Date | null = null;
  for (const date of balanceDates) {
    if (date.getTime() < firstDue.getTime() && (!baseline || date.getTime() > baseline.getTime())) {
      baseline = date;
    }
  }
  return baseline;
}

export type AllocationChanges = {
  /** Installments whose paid amount changed. */
  installments: number;
  /** Plans whose status changed (active ⇄ completed). */
  plans: number;
};

type PlanWithInstallments = {
  id: number;
  householdId: number;
  status: PlanStatus;
  installments: { id: number; number: number; dueDate: Date; amountCents: number; paidCents: number }[];
};

/**
 * Recomputes the paid amount of every installment of these households from their payments (see the
 * rule at the top of this file) and writes what differs. Run it inside the transaction that changed
 * payments, plans or balances.
 */
export async function reallocate(db: Writer, householdIds: Iterable<number>): Promise<AllocationChanges> {
  const changes: AllocationChanges = { installments: 0, plans: 0 };
  const ids = [...new Set(householdIds)].sort((a, b) => a - b);
  for (let i = 0; i < ids.length; i += BATCH) {
    const slice = ids.slice(i, i + BATCH);
    const plans: PlanWithInstallments[] = await db.repaymentPlan.findMany({
      where: { householdId: { in: slice }, status: { not: "cancelled" } },
      select: {
        id: true,
        householdId: true,
        status: true,
        installments: {
          select: { id: true, number: true, dueDate: true, amountCents: true, paidCents: true },
        },
      },
      orderBy: { id: "asc" },
    });
    const withPlans = [...new Set(plans.map((p) => p.householdId))];
    if (withPlans.length === 0) continue;
    const [balances, payments] = await Promise.all([
      db.arrearsBalance.findMany({
        where: { householdId: { in: withPlans } },
        select: { householdId: true, balanceDate: true },
      }),
      db.payment.findMany({
        where: { householdId: { in: withPlans } },
        select: { householdId: true, paymentDate: true, amountCents: true },
      }),
    ]);
    for (const householdId of withPlans) {
      const own = plans.filter((p) => p.householdId === householdId);
      const changed = await reallocateHousehold(
        db,
        own,
        balances.filter((b) => b.householdId === householdId).map((b) => b.balanceDate),
        payments.filter((p) => p.householdId === householdId),
      );
      changes.installments += changed.installments;
      changes.plans += changed.plans;
    }
  }
  return changes;
}

async function reallocateHousehold(
  db: Writer,
  plans: PlanWithInstallments[],
  balanceDates: Date[],
  payments: { paymentDate: Date; amountCents: number }[],
): Promise<AllocationChanges> {
  const changes: AllocationChanges = { installments: 0, plans: 0 };
  const installments = plans
    .flatMap((plan) => plan.installments.map((installment) => ({ ...installment, planId: plan.id })))
    .sort((a, b) => a.dueDate.getTime() - b.dueDate.getTime() || a.planId - b.planId || a.number - b.number);
  const first = installments[0];
  const baseline = first ? allocationBaseline(balanceDates, first.dueDate) : null;
  const available = payments
    .filter((p) => !baseline || p.paymentDate.getTime() > baseline.getTime())
    .reduce((sum, p) => sum + p.amountCents, 0);
  const paid = fillInstallments(
    installments.map((i) => i.amountCents),
    available,
  );
  const paidById = new Map<number, number>();
  for (const [index, installment] of installments.entries()) {
    const paidCents = paid[index] ?? 0;
    paidById.set(installment.id, paidCents);
    if (paidCents !== installment.paidCents) {
      await db.installment.update({ where: { id: installment.id }, data: { paidCents } });
      changes.installments++;
    }
  }
  for (const plan of plans) {
    if (plan.status !== "active" && plan.status !== "completed") continue;
    const done =
      plan.installments.length > 0 &&
      plan.installments.every((i) => (paidById.get(i.id) ?? 0) >= i.amountCents);
    const status: PlanStatus = done ? "completed" : "active";
    if (status !== plan.status) {
      await db.repaymentPlan.update({ where: { id: plan.id }, data: { status } });
      changes.plans++;
    }
  }
  return changes;
}

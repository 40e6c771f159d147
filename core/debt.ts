// What a household owes now, and where it stands with its repayment plan. Read-only: payments are
// allocated to installments by core/payments.ts when payments or plans are imported.
import type { Db, PlanStatus } from "./db/client.ts";

type Reader = Pick<Db, "arrearsBalance" | "payment" | "repaymentPlan">;

export type PaymentSummary = { paymentDate: Date; amountCents: number };

export type ArrearsSummary = {
  /** The authority's figures on `balanceDate`. */
  rentCents: number;
  chargesCents: number;
  totalCents: number;
  /** The date of the authority's figures. */
  balanceDate: Date;
  /** Payments dated after `balanceDate` (not yet in the figures), oldest first. */
  paymentsSince: PaymentSummary[];
  paidSinceCents: number;
  /** What is left now: the figures less the payments since, never below 0. */
  nowCents: number;
  /** What the payments since went beyond the figures (0 when they did not). */
  overpaidCents: number;
};

/**
 * The latest arrears the authority's accounting stated for the household, less the payments recorded
 * after that date; null if there are no figures yet.
 */
export async function currentArrears(db: Reader, householdId: number): Promise<ArrearsSummary | null> {
  const balance = await db.arrearsBalance.findFirst({
    where: { householdId },
    orderBy: { balanceDate: "desc" },
  });
  if (!balance) return null;
  const paymentsSince = await db.payment.findMany({
    where: { householdId, paymentDate: { gt: balance.balanceDate } },
    select: { paymentDate: true, amountCents: true },
    orderBy: [{ paymentDate: "asc" }, { id: "asc" }],
  });
  const totalCents = balance.rentCents + balance.chargesCents;
  const paidSinceCents = paymentsSince.reduce((sum, p) => sum + p.amountCents, 0);
  return {
    rentCents: balance.rentCents,
    chargesCents: balance.chargesCents,
    totalCents,
    balanceDate: balance.balanceDate,
    paymentsSince,
    paidSinceCents,
    nowCents: Math.max(0, totalCents - paidSinceCents),
    overpaidCents: Math.max(0, paidSinceCents - totalCents),
  };
}

export type InstallmentState = "paid" | "overdue" | "upcoming";

export type InstallmentView = {
  number: number;
  dueDate: Date;
  amountCents: number;
  paidCents: number;
  /** What is still to pay on it. */
  remainingCents: number;
  state: InstallmentState;
};

export type PlanOverview = {
  planCode: string;
  status: PlanStatus;
  installments: InstallmentView[];
  total: number;
  paidCount: number;
  overdue: InstallmentView[];
  overdueCents: number;
  /** Not paid and not yet due. */
  upcoming: InstallmentView[];
  /** The first installment not yet due and not fully paid, if any. */
  next: InstallmentView | null;
  /** Everything still to pay on the plan. */
  remainingCents: number;
};

/** Which plan /plan shows: an active one first, then a broken one, then a completed one; the newest. */
const STATUS_ORDER: Record<PlanStatus, number> = { active: 0, broken: 1, completed: 2, cancelled: 3 };

/** An installment is overdue from the day after its due date (`today` is a calendar date in Rome). */
export function installmentState(
  installment: { dueDate: Date; amountCents: number; paidCents: number },
  today: Date,
): InstallmentState {
  if (installment.paidCents >= installment.amountCents) return "paid";
  return installment.dueDate.getTime() < today.getTime() ? "overdue" : "upcoming";
}

/** The household's current repayment plan as of `today` (a calendar date), or null if it has none. */
export async function planOverview(
  db: Reader,
  householdId: number,
  today: Date,
): Promise<PlanOverview | null> {
  const plans = await db.repaymentPlan.findMany({
    where: { householdId, status: { not: "cancelled" } },
    include: { installments: { orderBy: { number: "asc" } } },
    orderBy: { id: "desc" },
  });
  const plan = plans
    .filter((p) => p.installments.length > 0)
    .sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || b.id - a.id)[0];
  if (!plan) return null;
  const installments: InstallmentView[] = plan.installments.map((i) => ({
    number: i.number,
    dueDate: i.dueDate,
    amountCents: i.amountCents,
    paidCents: Math.min(i.paidCents, i.amountCents),
    remainingCents: Math.max(0, i.amountCents - i.paidCents),
    state: installmentState(i, today),
  }));
  const overdue = installments.filter((i) => i.state === "overdue");
  const upcoming = installments.filter((i) => i.state === "upcoming");
  return {
    planCode: plan.planCode,
    status: plan.status,
    installments,
    total: installments.length,
    paidCount: installments.filter((i) => i.state === "paid").length,
    overdue,
    overdueCents: overdue.reduce((sum, i) => sum + i.remainingCents, 0),
    upcoming,
    next: upcoming[0] ?? null,
    remainingCents: installments.reduce((sum, i) => sum + i.remainingCents, 0),
  };
}

/** Whether the household has a plan /plan would show (for offering the button). */
export async function hasPlan(db: Pick<Db, "repaymentPlan">, householdId: number): Promise<boolean> {
  const count = await db.repaymentPlan.count({
    where: { householdId, status: { not: "cancelled" }, installments: { some: {} } },
  });
  return count > 0;
}

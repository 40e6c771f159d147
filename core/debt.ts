// What a household owes now, and where it stands with its repayment plan. Read-only: payments are
// allocated to installments by core/payments.ts when payments or plans are imported.
import type { Db, PlanStatus } from "./db/client.ts";
import { sqlOf } from "./db/sql.ts";

type PlanRow = {
  id: number;
  planCode: string;
  status: PlanStatus;
  installmentId: number;
  number: number;
  dueDate: Date;
  amountCents: number;
  paidCents: number;
  pagopaNotice: string | null;
};

type PlanWithInstallments = {
  id: number;
  planCode: string;
  status: PlanStatus;
  installments: {
    id: number;
    number: number;
    dueDate: Date;
    amountCents: number;
    paidCents: number;
    pagopaNotice: string | null;
  }[];
};

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

type ArrearsRow = {
  rentCents: number | null;
  chargesCents: number | null;
  balanceDate: Date | null;
  paymentDate: Date | null;
  paymentCents: number | null;
  hasPlan: boolean;
};

/**
 * What /balance shows, in one query: the household's current arrears (as `currentArrears`) and
 * whether it has a plan /plan would show (as `hasPlan`).
 */
export async function balanceOverview(
  db: Db,
  householdId: number,
): Promise<{ arrears: ArrearsSummary | null; hasPlan: boolean }> {
  // The latest figures, the payments dated after them (oldest first), and whether a plan with
  // installments that is not cancelled exists.
  const rows = await sqlOf(db).query<ArrearsRow>`
    SELECT b."rentCents", b."chargesCents", b."balanceDate",
      p."paymentDate", p."amountCents" AS "paymentCents",
      EXISTS (
        SELECT 1 FROM "RepaymentPlan" r
        WHERE r."householdId" = ${householdId} AND r."status" <> 'cancelled'
          AND EXISTS (SELECT 1 FROM "Installment" i WHERE i."planId" = r."id")
      ) AS "hasPlan"
    FROM (SELECT 1) AS "one"
    LEFT JOIN LATERAL (
      SELECT "rentCents", "chargesCents", "balanceDate" FROM "ArrearsBalance"
      WHERE "householdId" = ${householdId} ORDER BY "balanceDate" DESC LIMIT 1
    ) b ON true
    LEFT JOIN "Payment" p ON p."householdId" = ${householdId} AND p."paymentDate" > b."balanceDate"
    ORDER BY p."paymentDate" ASC, p."id" ASC`;
  const first = rows[0];
  const hasPlan = first?.hasPlan ?? false;
  if (!first || first.balanceDate === null || first.rentCents === null || first.chargesCents === null) {
    return { arrears: null, hasPlan };
  }
  const paymentsSince: PaymentSummary[] = [];
  for (const row of rows) {
    if (row.paymentDate !== null && row.paymentCents !== null) {
      paymentsSince.push({ paymentDate: row.paymentDate, amountCents: row.paymentCents });
    }
  }
  const totalCents = first.rentCents + first.chargesCents;
  const paidSinceCents = paymentsSince.reduce((sum, p) => sum + p.amountCents, 0);
  return {
    arrears: {
      rentCents: first.rentCents,
      chargesCents: first.chargesCents,
      totalCents,
      balanceDate: first.balanceDate,
      paymentsSince,
      paidSinceCents,
      ...leftNow(totalCents, paidSinceCents),
    },
    hasPlan,
  };
}

/** What is left of the authority's figures after the payments since (never below 0), and any excess. */
function leftNow(totalCents: number, paidSinceCents: number): { nowCents: number; overpaidCents: number } {
  return {
    nowCents: Math.max(0, totalCents - paidSinceCents),
    overpaidCents: Math.max(0, paidSinceCents - totalCents),
  };
}

/** The figure of `/balance` for a list of households: what is owed now, and the date it starts from. */
export type ArrearsNow = {
  balanceDate: Date;
  totalCents: number;
  paidSinceCents: number;
  nowCents: number;
  overpaidCents: number;
};

/**
 * What each household owes now, as `/balance` tells it (the authority's latest figures less the
 * payments dated after them), for a page of households in one query. Households without figures are
 * left out.
 */
export async function arrearsNowOf(db: Db, householdIds: number[]): Promise<Map<number, ArrearsNow>> {
  if (householdIds.length === 0) return new Map();
  const rows = await sqlOf(db).query<{
    householdId: number;
    totalCents: number;
    balanceDate: Date;
    paidSinceCents: number;
  }>`
    SELECT h.id AS "householdId", b."rentCents" + b."chargesCents" AS "totalCents", b."balanceDate",
      COALESCE((SELECT SUM(p."amountCents") FROM "Payment" p
                 WHERE p."householdId" = h.id AND p."paymentDate" > b."balanceDate"), 0)::int AS "paidSinceCents"
    FROM unnest(${householdIds}::int[]) AS h(id)
    JOIN LATERAL (
      SELECT "rentCents", "chargesCents", "balanceDate" FROM "ArrearsBalance"
      WHERE "householdId" = h.id ORDER BY "balanceDate" DESC LIMIT 1
    ) b ON true`;
  return new Map(
    rows.map((r) => [
      r.householdId,
      {
        balanceDate: r.balanceDate,
        totalCents: r.totalCents,
        paidSinceCents: r.paidSinceCents,
        ...leftNow(r.totalCents, r.paidSinceCents),
      },
    ]),
  );
}

/**
 * The latest arrears the authority's accounting stated for the household, less the payments recorded
 * after that date; null if there are no figures yet.
 */
export async function currentArrears(db: Db, householdId: number): Promise<ArrearsSummary | null> {
  return (await balanceOverview(db, householdId)).arrears;
}

export type InstallmentState = "paid" | "overdue" | "upcoming";

export type InstallmentView = {
  id: number;
  number: number;
  dueDate: Date;
  amountCents: number;
  paidCents: number;
  /** What is still to pay on it. */
  remainingCents: number;
  state: InstallmentState;
  /** The pagoPA notice the authority issued for it (18 digits), if any. */
  pagopaNotice: string | null;
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
export async function planOverview(db: Db, householdId: number, today: Date): Promise<PlanOverview | null> {
  // The household's plans that are not cancelled, with their installments (a plan without any is
  // left out by the join), in one query.
  const rows = await sqlOf(db).query<PlanRow>`
    SELECT r."id", r."planCode", r."status"::text AS "status",
      i."id" AS "installmentId", i."number", i."dueDate", i."amountCents", i."paidCents", i."pagopaNotice"
    FROM "RepaymentPlan" r JOIN "Installment" i ON i."planId" = r."id"
    WHERE r."householdId" = ${householdId} AND r."status" <> 'cancelled'
    ORDER BY r."id" DESC, i."number" ASC`;
  const plans = new Map<number, PlanWithInstallments>();
  for (const row of rows) {
    let found = plans.get(row.id);
    if (!found) {
      found = { id: row.id, planCode: row.planCode, status: row.status, installments: [] };
      plans.set(row.id, found);
    }
    found.installments.push({
      id: row.installmentId,
      number: row.number,
      dueDate: row.dueDate,
      amountCents: row.amountCents,
      paidCents: row.paidCents,
      pagopaNotice: row.pagopaNotice,
    });
  }
  const plan = [...plans.values()].sort(
    (a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || b.id - a.id,
  )[0];
  if (!plan) return null;
  const installments: InstallmentView[] = plan.installments.map((i) => ({
    id: i.id,
    number: i.number,
    dueDate: i.dueDate,
    amountCents: i.amountCents,
    paidCents: Math.min(i.paidCents, i.amountCents),
    remainingCents: Math.max(0, i.amountCents - i.paidCents),
    state: installmentState(i, today),
    pagopaNotice: i.pagopaNotice,
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

// The results dashboard's figures for one filter: awareness (invited → linked → active) and arrears
// (at entry vs now, recovered, settled, plans, installments paid on time, month by month). Every
// figure is a count or integer cents; the page adds the one-line definitions (locales/*/resultsAdmin.json).
// Definitions reuse the bot's: "owed now" is /balance's figure (core/debt.ts), a plan's standing is
// /plan's (installmentState), and "paid on time" replays core/payments.ts's allocation by date.
import type { Clock } from "../clock.ts";
import type { Db, PlanStatus } from "../db/client.ts";
import { sqlOf } from "../db/sql.ts";
import { arrearsNowOf, installmentState } from "../debt.ts";
import type { StaffScope } from "../offices/scope.ts";
import { allocationBaseline } from "../payments.ts";
import { romeToday, TIME_ZONE } from "../time.ts";
import { debtViewFigures } from "./debt-views.ts";
import { type Month, monthsBetween, type ResultsFilter, resultsWhere } from "./filter.ts";

/** "Active": a member did something the programme records within this many days. */
export const ACTIVE_DAYS = 30;

export type Awareness = {
  invited: number;
  linked: number;
  active: number;
  /** Households that opened /balance, and /plan, in the period's months (core/results/debt-views.ts). */
  balanceViewed: number;
  planViewed: number;
};

export type PlanStanding = { onTrack: number; late: number; broken: number };

export type MonthFigures = {
  month: Month;
  /** What the households owed at the month's last day (or today, for the current month). */
  owedCents: number;
  /** Payments dated in the month. */
  paidCents: number;
  /** Installments that fell due in the month (before today). */
  installmentsDue: number;
  installmentsOnTime: number;
};

export type ArrearsFigures = {
  /** Households with at least one arrears figure. */
  withFigures: number;
  entryCents: number;
  nowCents: number;
  recoveredCents: number;
  settled: number;
  plans: PlanStanding;
  installmentsDue: number;
  installmentsOnTime: number;
  months: MonthFigures[];
};

export type ResultsFigures = { households: number; awareness: Awareness; arrears: ArrearsFigures };

const romeMonth = new Intl.DateTimeFormat("en-CA", {
  timeZone: TIME_ZONE,
  year: "numeric",
  month: "2-digit",
});

/** The Rome month of an instant: "2026-03". */
export function monthOfInstant(instant: Date): Month {
  return romeMonth.format(instant).slice(0, 7);
}

/** The month of a calendar date (stored as UTC midnight). */
function monthOfDate(date: Date): Month {
  return date.toISOString().slice(0, 7);
}

/** The last calendar day of a month, as a UTC-midnight date. */
function lastDayOf(month: Month): Date {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0));
}

/** Which plan /plan shows: active, then broken, then completed; the newest (core/debt.ts). */
const STATUS_ORDER: Record<PlanStatus, number> = { active: 0, broken: 1, completed: 2, cancelled: 3 };

type Loaded = Awaited<ReturnType<typeof loadHouseholds>>[number];

const PAGE = 10_000;

function loadPage(db: Db, scope: StaffScope, filter: ResultsFilter, after: number) {
  return db.household.findMany({
    where: { AND: [resultsWhere(scope, filter), { id: { gt: after } }] },
    take: PAGE,
    select: {
      id: true,
      members: { where: { linkedAt: { not: null } }, select: { linkedAt: true } },
      _count: { select: { linkCodes: true } },
      balances: {
        select: { balanceDate: true, rentCents: true, chargesCents: true },
        orderBy: { balanceDate: "asc" },
      },
      payments: { select: { paymentDate: true, amountCents: true } },
      plans: {
        where: { status: { not: "cancelled" } },
        select: {
          id: true,
          status: true,
          installments: { select: { number: true, dueDate: true, amountCents: true, paidCents: true } },
        },
      },
    },
    orderBy: { id: "asc" },
  });
}

/**
 * Every household the filter selects, a page at a time: Prisma loads each page's relations with one
 * bind parameter per household, and PostgreSQL takes at most 65,535 of them in a statement.
 */
async function loadHouseholds(db: Db, scope: StaffScope, filter: ResultsFilter) {
  const all: Awaited<ReturnType<typeof loadPage>> = [];
  for (let after = 0; ; ) {
    const page = await loadPage(db, scope, filter, after);
    all.push(...page);
    const last = page.at(-1);
    if (!last || page.length < PAGE) return all;
    after = last.id;
  }
}

/** The household's entry: its first member's link date (as core/checkup/scan.ts), or null. */
function entryOf(h: Loaded): Date | null {
  let first: Date | null = null;
  for (const m of h.members) if (m.linkedAt && (!first || m.linkedAt < first)) first = m.linkedAt;
  return first;
}

/**
 * Households among these with something a member did in the last ACTIVE_DAYS days. One statement with
 * the ids as one array parameter: a list of bind parameters stops at PostgreSQL's 32,767 (about as
 * many linked households as a large authority has).
 */
async function activeHouseholds(db: Db, ids: number[], since: Date): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await sqlOf(db).query<{ householdId: number }>`
    WITH chosen AS (SELECT unnest(${ids}::int[]) AS id)
    SELECT c.id AS "householdId" FROM chosen c
     WHERE EXISTS (SELECT 1 FROM "CaseMessage" m JOIN "Case" k ON k.id = m."caseId"
                    WHERE k."householdId" = c.id AND m.author = 'household' AND m."createdAt" >= ${since}::timestamptz)
        OR EXISTS (SELECT 1 FROM "BudgetEntry" b WHERE b."householdId" = c.id AND b."createdAt" >= ${since}::timestamptz)
        OR EXISTS (SELECT 1 FROM "Checkup" u WHERE u."householdId" = c.id
                      AND (u."startedAt" >= ${since}::timestamptz OR u."completedAt" >= ${since}::timestamptz))
        OR EXISTS (SELECT 1 FROM "CaseSatisfaction" s WHERE s."householdId" = c.id AND s."answeredAt" >= ${since}::timestamptz)`;
  return new Set(rows.map((r) => r.householdId));
}

/** What the household owed at the end of `day`: the latest figures by then less the payments since. */
function owedAt(h: Loaded, day: Date): number {
  let latest: Loaded["balances"][number] | null = null;
  for (const b of h.balances) if (b.balanceDate <= day) latest = b;
  if (!latest) return 0;
  const from = latest.balanceDate;
  const paid = h.payments
    .filter((p) => p.paymentDate > from && p.paymentDate <= day)
    .reduce((sum, p) => sum + p.amountCents, 0);
  return Math.max(0, latest.rentCents + latest.chargesCents - paid);
}

type DueInstallment = { dueDate: Date; onTime: boolean };

/**
 * The household's installments that fell due before today, each with whether it was paid on time:
 * the payments counting towards the plans (core/payments.ts: dated after the plan's starting figures)
 * dated on or before its due date cover it and every installment before it, in allocation order.
 */
function dueInstallments(h: Loaded, today: Date): DueInstallment[] {
  const all = h.plans
    .flatMap((p) => p.installments.map((i) => ({ ...i, planId: p.id })))
    .sort((a, b) => a.dueDate.getTime() - b.dueDate.getTime() || a.planId - b.planId || a.number - b.number);
  const first = all[0];
  if (!first) return [];
  const baseline = allocationBaseline(
    h.balances.map((b) => b.balanceDate),
    first.dueDate,
  );
  const counting = h.payments.filter((p) => baseline === null || p.paymentDate > baseline);
  const result: DueInstallment[] = [];
  let cumulative = 0;
  for (const i of all) {
    cumulative += i.amountCents;
    if (i.dueDate >= today) continue;
    const paidBy = counting.filter((p) => p.paymentDate <= i.dueDate).reduce((s, p) => s + p.amountCents, 0);
    result.push({ dueDate: i.dueDate, onTime: paidBy >= cumulative });
  }
  return result;
}

function standingOf(h: Loaded, today: Date): keyof PlanStanding | null {
  const plan = h.plans
    .filter((p) => p.installments.length > 0)
    .sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || b.id - a.id)[0];
  if (!plan) return null;
  if (plan.status === "broken") return "broken";
  if (plan.status !== "active") return null;
  return plan.installments.some((i) => installmentState(i, today) === "overdue") ? "late" : "onTrack";
}

export async function resultsFigures(
  db: Db,
  clock: Clock,
  scope: StaffScope,
  filter: ResultsFilter,
): Promise<ResultsFigures> {
  const now = clock.now();
  const today = romeToday(now);
  const households = (await loadHouseholds(db, scope, filter)).filter((h) => {
    if (filter.cohort === null) return true;
    const entry = entryOf(h);
    return entry !== null && monthOfInstant(entry) === filter.cohort;
  });
  const ids = households.map((h) => h.id);
  const linked = households.filter((h) => h.members.length > 0);
  const active = await activeHouseholds(
    db,
    linked.map((h) => h.id),
    new Date(now.getTime() - ACTIVE_DAYS * 86_400_000),
  );
  const awareness: Awareness = {
    invited: households.filter((h) => h._count.linkCodes > 0 || h.members.length > 0).length,
    linked: linked.length,
    active: active.size,
    ...(await debtViewFigures(db, scope, filter)),
  };

  const owedNow = await arrearsNowOf(db, ids);
  let entryCents = 0;
  let nowCents = 0;
  let recoveredCents = 0;
  let settled = 0;
  const plans: PlanStanding = { onTrack: 0, late: 0, broken: 0 };
  const due: DueInstallment[] = [];
  for (const h of households) {
    const first = h.balances[0];
    const current = owedNow.get(h.id);
    if (first && current) {
      const entry = first.rentCents + first.chargesCents;
      entryCents += entry;
      nowCents += current.nowCents;
      recoveredCents += Math.max(0, entry - current.nowCents);
      if (entry > 0 && current.nowCents === 0) settled += 1;
    }
    const standing = standingOf(h, today);
    if (standing) plans[standing] += 1;
    due.push(...dueInstallments(h, today));
  }

  const months = monthsBetween(filter.from, filter.to).map((month): MonthFigures => {
    const end = lastDayOf(month);
    const day = new Date(Math.min(end.getTime(), today.getTime()));
    const inMonth = due.filter((d) => monthOfDate(d.dueDate) === month);
    return {
      month,
      owedCents: month > monthOfDate(today) ? 0 : households.reduce((s, h) => s + owedAt(h, day), 0),
      paidCents: households.reduce(
        (s, h) =>
          s +
          h.payments
            .filter((p) => monthOfDate(p.paymentDate) === month)
            .reduce((t, p) => t + p.amountCents, 0),
        0,
      ),
      installmentsDue: inMonth.length,
      installmentsOnTime: inMonth.filter((d) => d.onTime).length,
    };
  });

  return {
    households: households.length,
    awareness,
    arrears: {
      withFigures: households.filter((h) => owedNow.has(h.id)).length,
      entryCents,
      nowCents,
      recoveredCents,
      settled,
      plans,
      installmentsDue: due.length,
      installmentsOnTime: due.filter((d) => d.onTime).length,
      months,
    },
  };
}

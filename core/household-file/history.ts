// A family's history for its page in the panel: every balance the authority sent (for the chart),
// payments, and one timeline, newest first, of what happened — balances, payments, installments
// falling due, cases, messages the system sent (kind and fate, never the text), papers, courses.
import type { Db } from "../db/client.ts";

export type BalancePoint = { date: Date; totalCents: number };
export type PaymentPoint = { date: Date; amountCents: number };

export type TimelineEvent =
  | { kind: "balance"; at: Date; totalCents: number }
  | { kind: "payment"; at: Date; amountCents: number }
  | { kind: "installmentDue"; at: Date; number: number; amountCents: number; paid: boolean }
  | { kind: "caseOpened"; at: Date; caseId: number; urgent: boolean }
  | { kind: "caseClosed"; at: Date; caseId: number; outcome: string | null }
  | { kind: "message"; at: Date; purpose: string; status: string }
  | { kind: "document"; at: Date; key: string; status: string }
  | { kind: "enrolment"; at: Date; course: string; status: string }
  | { kind: "memberLinked"; at: Date; firstName: string | null };

export type HouseholdHistory = {
  balances: BalancePoint[];
  payments: PaymentPoint[];
  timeline: TimelineEvent[];
  /** More happened than the timeline shows. */
  truncated: boolean;
};

/** Events of each kind read at most; the timeline shows the newest TIMELINE_LENGTH of them all. */
const PER_KIND = 200;
export const TIMELINE_LENGTH = 100;

/** What the system started, by the purpose's first segment ("reminder", "broadcast", "case-reply"…). */
export function messageKind(purpose: string): string {
  return purpose.split(":")[0] ?? purpose;
}

export async function householdHistory(db: Db, householdId: number, now: Date): Promise<HouseholdHistory> {
  const [balances, payments, installments, cases, messages, documents, enrolments, members] =
    await Promise.all([
      db.arrearsBalance.findMany({
        where: { householdId },
        orderBy: { balanceDate: "desc" },
        take: PER_KIND,
        select: { balanceDate: true, rentCents: true, chargesCents: true },
      }),
      db.payment.findMany({
        where: { householdId },
        orderBy: { paymentDate: "desc" },
        take: PER_KIND,
        select: { paymentDate: true, amountCents: true },
      }),
      db.installment.findMany({
        where: { plan: { householdId, status: { not: "cancelled" } }, dueDate: { lte: now } },
        orderBy: { dueDate: "desc" },
        take: PER_KIND,
        select: { number: true, dueDate: true, amountCents: true, paidCents: true },
      }),
      db.case.findMany({
        where: { householdId },
        orderBy: { openedAt: "desc" },
        take: PER_KIND,
        select: { id: true, openedAt: true, closedAt: true, urgent: true, outcome: true },
      }),
      db.outboundMessage.findMany({
        where: { member: { householdId } },
        orderBy: { createdAt: "desc" },
        take: PER_KIND,
        select: { createdAt: true, purpose: true, status: true },
      }),
      db.householdDocument.findMany({
        where: { householdId },
        orderBy: { updatedAt: "desc" },
        select: { updatedAt: true, status: true, requirement: { select: { key: true } } },
      }),
      db.enrolment.findMany({
        where: { member: { householdId } },
        orderBy: { createdAt: "desc" },
        take: PER_KIND,
        select: {
          createdAt: true,
          status: true,
          session: { select: { course: { select: { title: true } } } },
        },
      }),
      db.member.findMany({
        where: { householdId, linkedAt: { not: null } },
        select: { linkedAt: true, firstName: true },
      }),
    ]);
  const events: TimelineEvent[] = [
    ...balances.map((b) => ({
      kind: "balance" as const,
      at: b.balanceDate,
      totalCents: b.rentCents + b.chargesCents,
    })),
    ...payments.map((p) => ({ kind: "payment" as const, at: p.paymentDate, amountCents: p.amountCents })),
    ...installments.map((i) => ({
      kind: "installmentDue" as const,
      at: i.dueDate,
      number: i.number,
      amountCents: i.amountCents,
      paid: i.paidCents >= i.amountCents,
    })),
    ...cases.map((c) => ({ kind: "caseOpened" as const, at: c.openedAt, caseId: c.id, urgent: c.urgent })),
    ...cases.flatMap((c) =>
      c.closedAt ? [{ kind: "caseClosed" as const, at: c.closedAt, caseId: c.id, outcome: c.outcome }] : [],
    ),
    ...messages.map((m) => ({
      kind: "message" as const,
      at: m.createdAt,
      purpose: messageKind(m.purpose),
      status: m.status,
    })),
    ...documents.map((d) => ({
      kind: "document" as const,
      at: d.updatedAt,
      key: d.requirement.key,
      status: d.status,
    })),
    ...enrolments.map((e) => ({
      kind: "enrolment" as const,
      at: e.createdAt,
      course: e.session.course.title,
      status: e.status,
    })),
    ...members.flatMap((m) =>
      m.linkedAt ? [{ kind: "memberLinked" as const, at: m.linkedAt, firstName: m.firstName }] : [],
    ),
  ];
  events.sort((a, b) => b.at.getTime() - a.at.getTime());
  return {
    balances: balances
      .map((b) => ({ date: b.balanceDate, totalCents: b.rentCents + b.chargesCents }))
      .reverse(),
    payments: payments.map((p) => ({ date: p.paymentDate, amountCents: p.amountCents })).reverse(),
    timeline: events.slice(0, TIMELINE_LENGTH),
    truncated: events.length > TIMELINE_LENGTH,
  };
}

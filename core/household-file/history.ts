// A family's history for its page in the panel: every balance the authority sent (for the chart),
// payments, and one timeline, newest first, of what happened — balances, payments, installments
// falling due, cases, messages the system sent (kind and fate, never the text), papers, courses.
import type { Db } from "../db/client.ts";
import { sqlOf } from "../db/sql.ts";

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
  | { kind: "attendance"; at: Date; course: string; status: string; minutes: number }
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

type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] };
type HistoryRow = {
  balances: Json<{ balanceDate: Date; rentCents: number; chargesCents: number }>[];
  payments: Json<{ paymentDate: Date; amountCents: number }>[];
  installments: Json<{ number: number; dueDate: Date; amountCents: number; paidCents: number }>[];
  cases: Json<{
    id: number;
    openedAt: Date;
    closedAt: Date | null;
    urgent: boolean;
    outcome: string | null;
  }>[];
  messages: Json<{ createdAt: Date; purpose: string; status: string }>[];
  documents: Json<{ updatedAt: Date; status: string; key: string }>[];
  enrolments: Json<{ createdAt: Date; status: string; title: string }>[];
  attendance: Json<{ startsAt: Date; status: string; minutes: number; title: string }>[];
  members: Json<{ linkedAt: Date; firstName: string | null }>[];
};

/** Every kind at once, each newest first and at most PER_KIND of it, in one round trip. */
const HISTORY_SQL = `
  SELECT
    (SELECT COALESCE(json_agg(b ORDER BY b."balanceDate" DESC), '[]') FROM (
      SELECT "balanceDate", "rentCents", "chargesCents" FROM "ArrearsBalance"
      WHERE "householdId" = $1 ORDER BY "balanceDate" DESC LIMIT ${PER_KIND}) b) AS "balances",
    (SELECT COALESCE(json_agg(p ORDER BY p."paymentDate" DESC, p."id" DESC), '[]') FROM (
      SELECT "id", "paymentDate", "amountCents" FROM "Payment"
      WHERE "householdId" = $1 ORDER BY "paymentDate" DESC, "id" DESC LIMIT ${PER_KIND}) p) AS "payments",
    (SELECT COALESCE(json_agg(i ORDER BY i."dueDate" DESC, i."id" DESC), '[]') FROM (
      SELECT i."id", i."number", i."dueDate", i."amountCents", i."paidCents"
      FROM "Installment" i JOIN "RepaymentPlan" r ON r."id" = i."planId"
      WHERE r."householdId" = $1 AND r."status" <> 'cancelled'
        AND i."dueDate" <= ($2::timestamptz AT TIME ZONE 'UTC')::date
      ORDER BY i."dueDate" DESC, i."id" DESC LIMIT ${PER_KIND}) i) AS "installments",
    (SELECT COALESCE(json_agg(c ORDER BY c."openedAt" DESC, c."id" DESC), '[]') FROM (
      SELECT "id", "openedAt", "closedAt", "urgent", "outcome" FROM "Case"
      WHERE "householdId" = $1 ORDER BY "openedAt" DESC, "id" DESC LIMIT ${PER_KIND}) c) AS "cases",
    (SELECT COALESCE(json_agg(o ORDER BY o."createdAt" DESC, o."id" DESC), '[]') FROM (
      SELECT o."id", o."createdAt", o."purpose", o."status" FROM "OutboundMessage" o
      JOIN "Member" m ON m."id" = o."memberId" WHERE m."householdId" = $1
      ORDER BY o."createdAt" DESC, o."id" DESC LIMIT ${PER_KIND}) o) AS "messages",
    (SELECT COALESCE(json_agg(d ORDER BY d."updatedAt" DESC, d."id" DESC), '[]') FROM (
      SELECT d."id", d."updatedAt", d."status", q."key" FROM "HouseholdDocument" d
      JOIN "DocumentRequirement" q ON q."id" = d."requirementId" WHERE d."householdId" = $1) d) AS "documents",
    (SELECT COALESCE(json_agg(e ORDER BY e."createdAt" DESC, e."id" DESC), '[]') FROM (
      SELECT e."id", e."createdAt", e."status", c."title" FROM "Enrolment" e
      JOIN "Member" m ON m."id" = e."memberId"
      JOIN "CourseSession" s ON s."id" = e."sessionId" JOIN "Course" c ON c."id" = s."courseId"
      WHERE m."householdId" = $1 ORDER BY e."createdAt" DESC, e."id" DESC LIMIT ${PER_KIND}) e) AS "enrolments",
    (SELECT COALESCE(json_agg(a ORDER BY a."startsAt" DESC, a."id" DESC), '[]') FROM (
      SELECT a."id", s."startsAt", a."status", a."minutes", c."title" FROM "Attendance" a
      JOIN "Member" m ON m."id" = a."memberId"
      JOIN "CourseSession" s ON s."id" = a."sessionId" JOIN "Course" c ON c."id" = s."courseId"
      WHERE m."householdId" = $1 ORDER BY s."startsAt" DESC, a."id" DESC LIMIT ${PER_KIND}) a) AS "attendance",
    (SELECT COALESCE(json_agg(m ORDER BY m."id"), '[]') FROM (
      SELECT "id", "linkedAt", "firstName" FROM "Member"
      WHERE "householdId" = $1 AND "linkedAt" IS NOT NULL) m) AS "members"`;

const day = (iso: string) => new Date(`${iso.slice(0, 10)}T00:00:00Z`);

export async function householdHistory(db: Db, householdId: number, now: Date): Promise<HouseholdHistory> {
  const [row] = await sqlOf(db).text<HistoryRow>(HISTORY_SQL, [householdId, now]);
  if (!row) throw new Error("the history query returns one row");
  const balances = row.balances.map((b) => ({ ...b, balanceDate: day(b.balanceDate) }));
  const payments = row.payments.map((p) => ({ ...p, paymentDate: day(p.paymentDate) }));
  const installments = row.installments.map((i) => ({ ...i, dueDate: day(i.dueDate) }));
  const cases = row.cases.map((c) => ({
    ...c,
    openedAt: new Date(c.openedAt),
    closedAt: c.closedAt === null ? null : new Date(c.closedAt),
  }));
  const messages = row.messages.map((m) => ({ ...m, createdAt: new Date(m.createdAt) }));
  const documents = row.documents.map((d) => ({
    updatedAt: new Date(d.updatedAt),
    status: d.status,
    requirement: { key: d.key },
  }));
  const enrolments = row.enrolments.map((e) => ({
    createdAt: new Date(e.createdAt),
    status: e.status,
    session: { course: { title: e.title } },
  }));
  const members = row.members.map((m) => ({ linkedAt: new Date(m.linkedAt), firstName: m.firstName }));
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
    ...row.attendance.map((a) => ({
      kind: "attendance" as const,
      at: new Date(a.startsAt),
      course: a.title,
      status: a.status,
      minutes: a.minutes,
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

// A member's own data: what is stored about them, an export of it, erasure of what they wrote
// themselves, and unlinking their Telegram from the household. Figures from the authority's
// accounting (contract, arrears, payments, plans) are the authority's records and are never erased here.
import { audit } from "./audit.ts";
import { cleanAnswers } from "./checkup/questions.ts";
import type { Clock } from "./clock.ts";
import type { Db } from "./db/client.ts";
import { formatMoney } from "./money.ts";

export type StoredCounts = {
  /** Budget entries this member entered (in any household). */
  budgetEntries: number;
  /** Messages this member wrote in conversations with operators. */
  caseMessages: number;
  /** Course enrolments, cancelled ones included. */
  enrolments: number;
  /** Check-up rounds with answers of theirs, and closed conversations they scored (issue 12). */
  checkupAnswers: number;
};

/** Only what the member wrote: operators' and system messages in the same case are not theirs. */
const ownMessages = (memberId: number) => ({ memberId, author: "household" as const });

export async function storedCounts(db: Db, memberId: number): Promise<StoredCounts> {
  const [budgetEntries, caseMessages, enrolments, checkups, scores] = await Promise.all([
    db.budgetEntry.count({ where: { memberId } }),
    db.caseMessage.count({ where: ownMessages(memberId) }),
    db.enrolment.count({ where: { memberId } }),
    db.checkup.count({ where: { memberId, erasedAt: null, startedAt: { not: null } } }),
    db.caseSatisfaction.count({ where: { memberId, erasedAt: null, score: { not: null } } }),
  ]);
  return { budgetEntries, caseMessages, enrolments, checkupAnswers: checkups + scores };
}

export type ErasureResult = {
  budgetEntries: number;
  caseMessages: number;
  /** Check-up rounds and satisfaction answers of theirs now erased. */
  checkupAnswers: number;
  at: Date;
};

/**
 * Deletes what the member entered themselves (budget entries, their messages to operators) and
 * records when. Running it again deletes only what was written since: nothing, after a double press.
 */
export async function eraseOwnContent(db: Db, memberId: number, clock: Clock): Promise<ErasureResult> {
  const at = clock.now();
  return db.$transaction(async (tx) => {
    const entries = await tx.budgetEntry.deleteMany({ where: { memberId } });
    const messages = await tx.caseMessage.deleteMany({ where: ownMessages(memberId) });
    // Their check-up answers and satisfaction scores go too; the rows stay, marked, so a round or a
    // closed case is not asked about again.
    const checkups = await tx.checkup.updateMany({
      where: { memberId, erasedAt: null },
      data: { answers: {}, erasedAt: at },
    });
    const satisfaction = await tx.caseSatisfaction.updateMany({
      where: { memberId, erasedAt: null },
      data: { score: null, comment: null, erasedAt: at },
    });
    // The Telegram first name (kept so staff can tell a household's members apart) goes too.
    await tx.member.update({ where: { id: memberId }, data: { erasureRequestedAt: at, firstName: null } });
    await audit(tx, {
      actorType: "member",
      actorId: memberId,
      action: "member.erasure",
      entityType: "member",
      entityId: memberId,
      details: {
        budgetEntries: entries.count,
        caseMessages: messages.count,
        // Named only when there were some, as most members never answered a check-up.
        ...(checkups.count > 0 ? { checkups: checkups.count } : {}),
        ...(satisfaction.count > 0 ? { satisfaction: satisfaction.count } : {}),
      },
    });
    return {
      budgetEntries: entries.count,
      caseMessages: messages.count,
      checkupAnswers: checkups.count + satisfaction.count,
      at,
    };
  });
}

/**
 * Detaches the member from their household: they no longer see its figures nor receive its
 * reminders; linking again needs a new code. Returns the household it was linked to, or null if
 * it was not linked (nothing changed).
 */
export async function unlinkMember(db: Db, memberId: number): Promise<number | null> {
  return db.$transaction(async (tx) => {
    const member = await tx.member.findUnique({ where: { id: memberId }, select: { householdId: true } });
    const householdId = member?.householdId ?? null;
    if (householdId === null) return null;
    const updated = await tx.member.updateMany({
      where: { id: memberId, householdId },
      data: { householdId: null, linkedAt: null, firstName: null },
    });
    if (updated.count === 0) return null;
    // The household's messages still waiting for them (a reminder, a reply) are no longer theirs.
    await tx.outboundMessage.updateMany({
      where: { memberId, status: "queued" },
      data: { status: "cancelled" },
    });
    await audit(tx, {
      actorType: "member",
      actorId: memberId,
      action: "member.unlinked",
      entityType: "household",
      entityId: householdId,
    });
    return householdId;
  });
}

// ─── Export ─────────────────────────────────────────────────────────────────

export type MemberExport = Awaited<ReturnType<typeof exportMemberData>>;

/** The export's sections, in the order its header explains them. */
export const EXPORT_README_KEYS = [
  "about",
  "member",
  "household",
  "balances",
  "payments",
  "plans",
  "documents",
  "budgetEntries",
  "enrolments",
  "caseMessages",
  "staffNotes",
  "staffViews",
  "checkups",
  "satisfaction",
  "debtViews",
] as const satisfies readonly (keyof ExportReadme)[];

/** The header of the export: one plain sentence per section, in the member's language. */
export type ExportReadme = {
  about: string;
  member: string;
  household: string;
  balances: string;
  payments: string;
  plans: string;
  documents: string;
  budgetEntries: string;
  enrolments: string;
  caseMessages: string;
  staffNotes: string;
  staffViews: string;
  checkups: string;
  satisfaction: string;
  debtViews: string;
};

const isoDate = (date: Date): string => date.toISOString().slice(0, 10);
const isoInstant = (date: Date | null): string | null => (date ? date.toISOString() : null);
const money = (cents: number) => ({ cents, text: formatMoney(cents) });

/**
 * Everything stored about the member, as plain JSON (BigInts as strings, calendar dates as
 * YYYY-MM-DD, instants as ISO UTC). Household data is limited to the household's basics and the
 * authority's figures: nothing about its other members.
 */
export async function exportMemberData(
  db: Db,
  memberId: number,
  options: { clock: Clock; readme: ExportReadme },
) {
  const member = await db.member.findUniqueOrThrow({ where: { id: memberId } });
  const householdId = member.householdId;
  const household =
    householdId === null
      ? null
      : await db.household.findUnique({
          where: { id: householdId },
          select: {
            contractCode: true,
            name: true,
            municipality: true,
            balances: { orderBy: { balanceDate: "asc" } },
            payments: { orderBy: { paymentDate: "asc" } },
            plans: {
              orderBy: { createdAt: "asc" },
              include: { installments: { orderBy: { number: "asc" } } },
            },
            documents: { include: { requirement: true }, orderBy: { requirement: { sortOrder: "asc" } } },
          },
        });
  const [
    budgetEntries,
    enrolments,
    caseMessages,
    staffViews,
    caseNotes,
    householdNotes,
    attendance,
    checkups,
    satisfaction,
    debtViews,
  ] = await Promise.all([
    db.budgetEntry.findMany({ where: { memberId }, orderBy: [{ occurredOn: "asc" }, { id: "asc" }] }),
    db.enrolment.findMany({
      where: { memberId },
      orderBy: { id: "asc" },
      include: { session: { include: { course: true } } },
    }),
    db.caseMessage.findMany({
      where: ownMessages(memberId),
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      include: { case: { select: { topic: true } } },
    }),
    householdId === null ? Promise.resolve([]) : staffViewsOf(db, householdId),
    // Staff's private notes on the household's conversations: never sent to it, but its data (art. 15).
    householdId === null
      ? Promise.resolve([])
      : db.caseNote.findMany({
          where: { case: { householdId } },
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
          select: {
            caseId: true,
            text: true,
            createdAt: true,
            case: { select: { topic: true } },
            staff: { select: { role: true } },
          },
        }),
    // And on the household itself (its page in the panel).
    householdId === null
      ? Promise.resolve([])
      : db.householdNote.findMany({
          where: { householdId },
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
          select: { text: true, createdAt: true, staff: { select: { role: true } } },
        }),
    // The courses' register: whether they came, and for how long (paid placements pay by the hour).
    db.attendance.findMany({
      where: { memberId },
      select: { sessionId: true, status: true, minutes: true },
    }),
    // The check-ups they answered (offered to them), and how their closed conversations went.
    db.checkup.findMany({ where: { memberId }, orderBy: [{ offeredAt: "asc" }, { id: "asc" }] }),
    db.caseSatisfaction.findMany({ where: { memberId }, orderBy: [{ askedAt: "asc" }, { id: "asc" }] }),
    // The months someone of the household opened /balance or /plan (the programme's figures).
    householdId === null
      ? Promise.resolve([])
      : db.debtView.findMany({
          where: { householdId },
          orderBy: [{ month: "asc" }, { kind: "asc" }],
          select: { month: true, kind: true },
        }),
  ]);
  const attendanceBySession = new Map(attendance.map((a) => [a.sessionId, a]));
  const staffNotes = [
    ...caseNotes.map((n) => ({
      caseId: n.caseId as number | null,
      topic: n.case.topic as string | null,
      text: n.text,
      createdAt: n.createdAt,
      staff: n.staff,
    })),
    ...householdNotes.map((n) => ({
      caseId: null,
      topic: null,
      text: n.text,
      createdAt: n.createdAt,
      staff: n.staff,
    })),
  ].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  await audit(db, {
    actorType: "member",
    actorId: memberId,
    action: "member.export",
    entityType: "member",
    entityId: memberId,
    details: {
      budgetEntries: budgetEntries.length,
      caseMessages: caseMessages.length,
      enrolments: enrolments.length,
      staffNotes: staffNotes.length,
    },
  });

  return {
    readme: options.readme,
    exportedAt: options.clock.now().toISOString(),
    member: {
      id: member.id,
      telegramUserId: member.telegramUserId.toString(),
      chatId: member.chatId.toString(),
      firstName: member.firstName,
      language: member.language,
      consentAt: isoInstant(member.consentAt),
      linkedAt: isoInstant(member.linkedAt),
      remindersMuted: member.remindersMuted,
      unreachableAt: isoInstant(member.unreachableAt),
      erasureRequestedAt: isoInstant(member.erasureRequestedAt),
      createdAt: isoInstant(member.createdAt),
      updatedAt: isoInstant(member.updatedAt),
    },
    household: household && {
      contractCode: household.contractCode,
      name: household.name,
      municipality: household.municipality,
    },
    balances: (household?.balances ?? []).map((b) => ({
      balanceDate: isoDate(b.balanceDate),
      rent: money(b.rentCents),
      charges: money(b.chargesCents),
      total: money(b.rentCents + b.chargesCents),
      source: b.source,
      recordedAt: isoInstant(b.recordedAt),
    })),
    payments: (household?.payments ?? []).map((p) => ({
      paymentDate: isoDate(p.paymentDate),
      amount: money(p.amountCents),
      reference: p.reference,
    })),
    plans: (household?.plans ?? []).map((plan) => ({
      planCode: plan.planCode,
      status: plan.status,
      createdAt: isoInstant(plan.createdAt),
      installments: plan.installments.map((i) => ({
        number: i.number,
        dueDate: isoDate(i.dueDate),
        amount: money(i.amountCents),
        paid: money(i.paidCents),
      })),
    })),
    documents: (household?.documents ?? []).map((d) => ({
      document: d.requirement.key,
      status: d.status,
      dueDate: d.dueDate ? isoDate(d.dueDate) : null,
      updatedAt: isoInstant(d.updatedAt),
    })),
    budgetEntries: budgetEntries.map((e) => ({
      id: e.id,
      kind: e.kind,
      category: e.category,
      amount: money(e.amountCents),
      note: e.note,
      occurredOn: isoDate(e.occurredOn),
      createdAt: isoInstant(e.createdAt),
      sourceUpdateId: e.sourceUpdateId === null ? null : e.sourceUpdateId.toString(),
    })),
    enrolments: enrolments.map((e) => ({
      course: e.session.course.code,
      title: e.session.course.title,
      startsAt: isoInstant(e.session.startsAt),
      endsAt: isoInstant(e.session.endsAt),
      location: e.session.location,
      status: e.status,
      createdAt: isoInstant(e.createdAt),
      /** From the session's register, once staff filled it in. */
      attendance: (() => {
        const a = attendanceBySession.get(e.sessionId);
        return a ? { status: a.status, minutes: a.minutes } : null;
      })(),
    })),
    caseMessages: caseMessages.map((m) => ({
      caseId: m.caseId,
      topic: m.case.topic,
      text: m.text,
      createdAt: isoInstant(m.createdAt),
    })),
    staffNotes: staffNotes.map((n) => ({
      /** Null for a note on the household rather than on one of its conversations. */
      caseId: n.caseId,
      topic: n.topic,
      text: n.text,
      createdAt: isoInstant(n.createdAt),
      /** The role of who wrote it, never who. */
      role: n.staff?.role ?? null,
    })),
    staffViews: staffViews.map((v) => ({ at: isoInstant(v.at), role: v.role, what: v.what })),
    checkups: checkups.map((c) => ({
      round: c.round,
      offeredAt: isoInstant(c.offeredAt),
      startedAt: isoInstant(c.startedAt),
      completedAt: isoInstant(c.completedAt),
      erasedAt: isoInstant(c.erasedAt),
      /** Question → answer, as the keys of core/checkup/questions.ts. */
      answers: cleanAnswers(c.answers),
    })),
    satisfaction: satisfaction.map((s) => ({
      caseId: s.caseId,
      askedAt: isoInstant(s.askedAt),
      score: s.score,
      comment: s.comment,
      answeredAt: isoInstant(s.answeredAt),
      erasedAt: isoInstant(s.erasedAt),
    })),
    debtViews,
  };
}

/** Audit actions that record a member of staff opening a household's record (admin/routes/). */
export const STAFF_VIEW_ACTIONS = ["case.viewed", "household.viewed"] as const;

/**
 * Which staff roles opened the household's record, and when (GDPR art. 15: who the data was
 * disclosed to): the views the panel audits of its cases and of its access page. Roles, not names.
 */
async function staffViewsOf(
  db: Db,
  householdId: number,
): Promise<{ at: Date; role: string; what: "case" | "household" }[]> {
  return db.$queryRaw<{ at: Date; role: string; what: "case" | "household" }[]>`
    SELECT a."at", s.role::text AS role, a."entityType" AS what
    FROM "AuditLog" a
    JOIN "Staff" s ON a."actorId" = s.id::text
    WHERE a."actorType" = 'staff'
      AND a.action IN (${STAFF_VIEW_ACTIONS[0]}, ${STAFF_VIEW_ACTIONS[1]})
      AND ((a."entityType" = 'household' AND a."entityId" = ${String(householdId)})
        OR (a."entityType" = 'case' AND a."entityId" IN (
              SELECT id::text FROM "Case" WHERE "householdId" = ${householdId})))
    ORDER BY a."at", a.id`;
}

// The operators' inbox: the office's cases, by status, urgency and time left before the office-hours
// answer deadline (core/escalation/sla.ts), and what staff do on a case besides replying and closing:
// assign, private notes, snooze, transfer to another office. Every read and write here is scoped to
// the households the staff member may see (core/offices/scope.ts): a case of another office is
// "not_found", exactly like a missing one, and nothing changes.
import { audit } from "./audit.ts";
import { ACTIVE_CASE_STATUSES, type CaseListRow, lockHousehold, MAX_REPLY_LENGTH } from "./cases.ts";
import type { CaseStatus, Db, Prisma } from "./db/client.ts";
import { sqlOf } from "./db/sql.ts";
import { slaDeadline } from "./escalation/sla.ts";
import { ofVisibleHousehold, type StaffScope } from "./offices/scope.ts";

export type VisibleCase = { id: number; householdId: number; officeId: number | null; status: CaseStatus };

/** The case, if it exists and this person may see its household; null otherwise (a 404). */
export async function findVisibleCase(
  db: Db,
  scope: StaffScope,
  caseId: number,
): Promise<VisibleCase | null> {
  const found = await db.case.findFirst({
    where: { id: caseId, ...ofVisibleHousehold(scope) },
    select: { id: true, householdId: true, status: true, household: { select: { officeId: true } } },
  });
  return found
    ? {
        id: found.id,
        householdId: found.householdId,
        officeId: found.household.officeId,
        status: found.status,
      }
    : null;
}

// ─── The list ───────────────────────────────────────────────────────────────

export const INBOX_STATUSES = ["", "us", "family", "snoozed"] as const;
export type InboxStatus = (typeof INBOX_STATUSES)[number];
export type InboxFilter = { status: InboxStatus; mine: boolean; unassigned: boolean; urgent: boolean };
export const DEFAULT_FILTER: InboxFilter = { status: "", mine: false, unassigned: false, urgent: false };

export type InboxRow = CaseListRow & {
  assignedStaffId: number | null;
  snoozedUntil: Date | null;
  /** The first household message still unanswered (open cases only). */
  waitingSince: Date | null;
  /** When an answer is due: `waitingSince` plus the office hours of CASE_SLA_HOURS. */
  deadline: Date | null;
};

/** Not put aside, or put aside until a time already past. */
const awake = (now: Date): Prisma.CaseWhereInput => ({
  OR: [{ snoozedUntil: null }, { snoozedUntil: { lte: now } }],
});

function inboxWhere(scope: StaffScope, filter: InboxFilter, now: Date): Prisma.CaseWhereInput {
  const and: Prisma.CaseWhereInput[] = [ofVisibleHousehold(scope)];
  if (filter.status === "us") and.push({ status: "open" }, awake(now));
  else if (filter.status === "family") and.push({ status: "waiting_household" }, awake(now));
  else if (filter.status === "snoozed")
    and.push({ status: { in: [...ACTIVE_CASE_STATUSES] } }, { snoozedUntil: { gt: now } });
  else and.push({ status: { in: [...ACTIVE_CASE_STATUSES] } }, awake(now));
  if (filter.mine) and.push({ assignedStaffId: scope.staffId });
  if (filter.unassigned) and.push({ assignedStaffId: null });
  if (filter.urgent) and.push({ urgent: true });
  return { AND: and };
}

export const INBOX_LIMIT = 500;

/**
 * The inbox as this person sees it: cases waiting for an answer first, then those waiting for the
 * family; within each, urgent first, then the nearest deadline (overdue ones first), then the oldest.
 */
export async function listInbox(
  db: Db,
  scope: StaffScope,
  input: { now: Date; slaHours: number; filter: InboxFilter },
): Promise<InboxRow[]> {
  const rows = await db.case.findMany({
    where: inboxWhere(scope, input.filter, input.now),
    orderBy: [{ urgent: "desc" }, { openedAt: "asc" }, { id: "asc" }],
    take: INBOX_LIMIT,
    select: {
      id: true,
      topic: true,
      status: true,
      urgent: true,
      escalatedAt: true,
      openedAt: true,
      lastHouseholdMessageAt: true,
      lastOperatorMessageAt: true,
      snoozedUntil: true,
      assignedStaffId: true,
      household: { select: { contractCode: true } },
      assignedStaff: { select: { email: true } },
    },
  });
  const open = rows.filter((r) => r.status === "open").map((r) => r.id);
  const waiting = new Map<number, Date>();
  if (open.length > 0) {
    const found = await sqlOf(db).query<{ caseId: number; waitingSince: Date }>`
      SELECT m."caseId", min(m."createdAt") AS "waitingSince"
      FROM "CaseMessage" m JOIN "Case" c ON c."id" = m."caseId"
      WHERE m."caseId" = ANY(${open}::int[]) AND m."author" = 'household'
        AND (c."lastOperatorMessageAt" IS NULL OR m."createdAt" > c."lastOperatorMessageAt")
      GROUP BY m."caseId"`;
    for (const row of found) waiting.set(row.caseId, row.waitingSince);
  }
  const list: InboxRow[] = rows.map(({ household, assignedStaff, ...row }) => {
    const waitingSince = waiting.get(row.id) ?? null;
    return {
      ...row,
      contractCode: household.contractCode,
      assignedTo: assignedStaff?.email ?? null,
      waitingSince,
      deadline: waitingSince ? slaDeadline(waitingSince, input.slaHours) : null,
    };
  });
  const rank = (r: InboxRow) => (r.status === "open" ? 0 : 1);
  const due = (r: InboxRow) => r.deadline?.getTime() ?? Number.POSITIVE_INFINITY;
  return list.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      Number(b.urgent) - Number(a.urgent) ||
      due(a) - due(b) ||
      a.openedAt.getTime() - b.openedAt.getTime() ||
      a.id - b.id,
  );
}

/** How many visible cases wait for an answer now (snoozed ones excepted): the counter of every page. */
export async function waitingCount(db: Db, scope: StaffScope, now: Date): Promise<number> {
  return db.case.count({ where: inboxWhere(scope, { ...DEFAULT_FILTER, status: "us" }, now) });
}

/** The time left before a deadline, or how late it is, in whole minutes (rounded towards the deadline). */
export function timeLeft(deadline: Date, now: Date): { overdue: boolean; hours: number; minutes: number } {
  const ms = deadline.getTime() - now.getTime();
  const total = ms >= 0 ? Math.floor(ms / 60_000) : Math.ceil(-ms / 60_000);
  return { overdue: ms < 0, hours: Math.floor(total / 60), minutes: total % 60 };
}

// ─── Assigning ──────────────────────────────────────────────────────────────

/** Who this case may be assigned to: active staff of the household's office. */
export async function assignableStaff(
  db: Db,
  officeId: number | null,
): Promise<{ id: number; email: string; firstName: string | null }[]> {
  if (officeId === null) return [];
  return db.staff.findMany({
    where: { officeId, active: true },
    orderBy: { email: "asc" },
    select: { id: true, email: true, firstName: true },
  });
}

export type AssignResult = "assigned" | "not_found" | "not_assignable";

/**
 * Assigns a visible case to `assigneeId`: active staff of the household's office, or the person
 * acting when they are an admin taking it themselves.
 */
export async function assignVisibleCase(
  db: Db,
  scope: StaffScope,
  input: { caseId: number; assigneeId: number },
): Promise<AssignResult> {
  const found = await findVisibleCase(db, scope, input.caseId);
  if (!found) return "not_found";
  const assignee = await db.staff.findUnique({
    where: { id: input.assigneeId },
    select: { active: true, officeId: true },
  });
  const selfAdmin = scope.role === "admin" && input.assigneeId === scope.staffId;
  if (
    !assignee?.active ||
    (!selfAdmin && (found.officeId === null || assignee.officeId !== found.officeId))
  ) {
    return "not_assignable";
  }
  await db.case.update({ where: { id: found.id }, data: { assignedStaffId: input.assigneeId } });
  await audit(db, {
    actorType: "staff",
    actorId: scope.staffId,
    action: "case.assigned",
    entityType: "case",
    entityId: found.id,
    details: { staffId: input.assigneeId },
  });
  return "assigned";
}

// ─── Private notes ──────────────────────────────────────────────────────────

export const MAX_NOTE_LENGTH = MAX_REPLY_LENGTH;

export type CaseNoteView = { id: number; text: string; createdAt: Date; staffEmail: string | null };

export async function caseNotes(db: Db, caseId: number): Promise<CaseNoteView[]> {
  const notes = await db.caseNote.findMany({
    where: { caseId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, text: true, createdAt: true, staff: { select: { email: true } } },
  });
  return notes.map((n) => ({
    id: n.id,
    text: n.text,
    createdAt: n.createdAt,
    staffEmail: n.staff?.email ?? null,
  }));
}

export type NoteResult =
  | { status: "added"; noteId: number }
  | { status: "invalid"; problem: "empty" | "too_long" }
  | { status: "not_found" };

/** A private note in the case's thread: staff only, never sent to the household. */
export async function addCaseNote(
  db: Db,
  scope: StaffScope,
  input: { caseId: number; text: string; now: Date },
): Promise<NoteResult> {
  const text = input.text.replace(/\r\n?/g, "\n").trim();
  const found = await findVisibleCase(db, scope, input.caseId);
  if (!found) return { status: "not_found" };
  if (text === "") return { status: "invalid", problem: "empty" };
  if (text.length > MAX_NOTE_LENGTH) return { status: "invalid", problem: "too_long" };
  const note = await db.caseNote.create({
    data: { caseId: found.id, staffId: scope.staffId, text, createdAt: input.now },
    select: { id: true },
  });
  await audit(db, {
    actorType: "staff",
    actorId: scope.staffId,
    action: "case.noted",
    entityType: "case",
    entityId: found.id,
    details: { caseNoteId: note.id },
  });
  return { status: "added", noteId: note.id };
}

// ─── Snooze ─────────────────────────────────────────────────────────────────

/** A case is put aside for at most this long. */
export const MAX_SNOOZE_DAYS = 90;

export type SnoozeResult = "snoozed" | "woken" | "not_found" | "closed" | "invalid";

/**
 * Puts an active case aside until `until` (null: back in the inbox now). The household's next
 * message brings it back earlier (core/cases.ts postHouseholdMessage).
 */
export async function snoozeCase(
  db: Db,
  scope: StaffScope,
  input: { caseId: number; until: Date | null; now: Date },
): Promise<SnoozeResult> {
  const found = await findVisibleCase(db, scope, input.caseId);
  if (!found) return "not_found";
  if (found.status === "closed") return "closed";
  const { until, now } = input;
  if (until !== null && (until <= now || until.getTime() - now.getTime() > MAX_SNOOZE_DAYS * 86_400_000)) {
    return "invalid";
  }
  const updated = await db.case.updateMany({
    where: { id: found.id, status: { in: [...ACTIVE_CASE_STATUSES] } },
    data: { snoozedUntil: until },
  });
  if (updated.count === 0) return "closed";
  await audit(db, {
    actorType: "staff",
    actorId: scope.staffId,
    action: until ? "case.snoozed" : "case.unsnoozed",
    entityType: "case",
    entityId: found.id,
  });
  return until ? "snoozed" : "woken";
}

// ─── Transfer ───────────────────────────────────────────────────────────────

export type TransferResult = "transferred" | "not_found" | "forbidden" | "invalid";

/**
 * Coordinators and admins hand the household (and so the case) to another office: the household's
 * office changes, its case worker and the case's assignee are cleared (they belong to the old office).
 */
export async function transferCase(
  db: Db,
  scope: StaffScope,
  input: { caseId: number; officeId: number },
): Promise<TransferResult> {
  const found = await findVisibleCase(db, scope, input.caseId);
  if (!found) return "not_found";
  if (scope.role === "operator") return "forbidden";
  if (input.officeId === found.officeId) return "invalid";
  const office = await db.office.findUnique({ where: { id: input.officeId }, select: { id: true } });
  if (!office) return "invalid";
  await db.$transaction(async (tx) => {
    await lockHousehold(tx, found.householdId);
    await tx.household.update({
      where: { id: found.householdId },
      data: { officeId: office.id, caseWorkerId: null },
    });
    await tx.case.updateMany({
      where: { householdId: found.householdId, status: { in: [...ACTIVE_CASE_STATUSES] } },
      data: { assignedStaffId: null },
    });
    await audit(tx, {
      actorType: "staff",
      actorId: scope.staffId,
      action: "case.transferred",
      entityType: "case",
      entityId: found.id,
      details: { householdId: found.householdId, fromOfficeId: found.officeId, toOfficeId: office.id },
    });
  });
  return "transferred";
}

// ─── Live feed ──────────────────────────────────────────────────────────────

export type HouseholdMessageEvent = {
  messageId: number;
  caseId: number;
  officeId: number | null;
  memberId: number | null;
  firstName: string | null;
  text: string;
  createdAt: Date;
};

/** The newest household message's id: a live feed starts after it. */
export async function lastHouseholdMessageId(db: Db): Promise<number> {
  const rows = await sqlOf(db).query<{ id: number | null }>`
    SELECT max("id") AS "id" FROM "CaseMessage" WHERE "author" = 'household'`;
  return rows[0]?.id ?? 0;
}

/** Household messages stored after `afterId`, oldest first, with their household's office (now). */
export async function householdMessagesAfter(
  db: Db,
  afterId: number,
  limit = 200,
): Promise<HouseholdMessageEvent[]> {
  return sqlOf(db).query<HouseholdMessageEvent>`
    SELECT m."id" AS "messageId", m."caseId", h."officeId", m."memberId", mb."firstName", m."text", m."createdAt"
    FROM "CaseMessage" m
    JOIN "Case" c ON c."id" = m."caseId"
    JOIN "Household" h ON h."id" = c."householdId"
    LEFT JOIN "Member" mb ON mb."id" = m."memberId"
    WHERE m."id" > ${afterId} AND m."author" = 'household'
    ORDER BY m."id"
    LIMIT ${limit}`;
}

// Cases: conversations a household escalates to a person. A household has at most one active case
// (open, or waiting for the household after an operator's reply); its members' messages go into it,
// operators answer from the admin panel and their replies reach the household through the delivery
// queue. Either side can close it.
import { TZDate } from "@date-fns/tz";
import { audit } from "./audit.ts";
import { recordSatisfactionAsked, satisfactionMarkup, satisfactionQuestion } from "./checkup/satisfaction.ts";
import type { Clock } from "./clock.ts";
import type { CaseAuthor, CaseOutcome, CaseStatus, Db, Prisma } from "./db/client.ts";
import { sqlOf } from "./db/sql.ts";
import { isItalianHoliday } from "./holidays.ts";
import { translator } from "./i18n.ts";
import { type DeliveryQueue, requestDelivery } from "./queues/delivery.ts";
import { escapeHtml } from "./telegram-html.ts";
import { TIME_ZONE } from "./time.ts";

export const ACTIVE_CASE_STATUSES = ["open", "waiting_household"] as const satisfies readonly CaseStatus[];

/** Operator replies longer than this are refused (Telegram's limit is 4096 with our prefix). */
export const MAX_REPLY_LENGTH = 3500;
/** A member who keeps writing is acknowledged again only after this long without writing. */
export const ACK_QUIET_MS = 5 * 60 * 1000;
/** The same text from the same operator within this long is a double submit, not a new reply. */
const DOUBLE_SUBMIT_MS = 60 * 1000;

/** Inline button on case messages: asks the household whether to close case <id>. */
export const CLOSE_CASE_PREFIX = "op:close:";

type Tx = Prisma.TransactionClient;
type DeliveryDeps = { db: Db; deliveryQueue: DeliveryQueue; clock: Clock };

// ─── Working hours: when a person is expected to answer ─────────────────────

export const OFFICE_HOURS = { start: 9, end: 17 } as const;
/** "Within one working day": this many office hours. */
const ANSWER_WITHIN_HOURS = 8;

function isWorkingDay(day: TZDate): boolean {
  const weekday = day.getDay();
  return (
    weekday !== 0 && weekday !== 6 && !isItalianHoliday(day.getFullYear(), day.getMonth() + 1, day.getDate())
  );
}

/**
 * When a person should have answered a message sent at `now`: one working day of office hours
 * (Monday to Friday 9–17 Europe/Rome, public holidays skipped) later, rounded up to the hour.
 * Monday 10:20 → Tuesday 11:00; Friday 18:00 → Monday 17:00.
 */
export function expectedAnswerBy(now: Date): Date {
  return officeHoursLater(now, ANSWER_WITHIN_HOURS);
}

/**
 * `hours` office hours (Monday to Friday 9–17 Europe/Rome, public holidays skipped) after `from`,
 * rounded up to the hour: the answer time households are promised, and the escalation deadline.
 */
export function officeHoursLater(from: Date, hours: number): Date {
  let remaining = hours * 3_600_000;
  let cursor = from.getTime();
  for (let i = 0; i < 60; i++) {
    const day = new TZDate(cursor, TIME_ZONE);
    const [y, m, d] = [day.getFullYear(), day.getMonth(), day.getDate()];
    const start = new TZDate(y, m, d, OFFICE_HOURS.start, 0, TIME_ZONE).getTime();
    const end = new TZDate(y, m, d, OFFICE_HOURS.end, 0, TIME_ZONE).getTime();
    if (isWorkingDay(day) && cursor < end) {
      const from = Math.max(cursor, start);
      if (from + remaining <= end) return new Date(Math.ceil((from + remaining) / 3_600_000) * 3_600_000);
      remaining -= end - from;
    }
    cursor = new TZDate(y, m, d + 1, 0, 0, TIME_ZONE).getTime();
  }
  throw new Error("no working day within 60 days");
}

const HOUR_MS = 3_600_000;

/**
 * The instants exactly 1, 2, … `count` office hours (the same calendar as `officeHoursLater`) before
 * `to`, newest first: something that started at or before mark k has waited at least k office hours
 * at `to`. One walk back through the days, so a page can ask for many at once.
 */
export function officeHourMarks(to: Date, count: number): Date[] {
  const marks: Date[] = [];
  let cursor = to.getTime();
  // Office time between `to` and the top of the day being looked at.
  let counted = 0;
  for (let i = 0; i < 400 && marks.length < count; i++) {
    const day = new TZDate(cursor - 1, TIME_ZONE);
    const [y, m, d] = [day.getFullYear(), day.getMonth(), day.getDate()];
    const start = new TZDate(y, m, d, OFFICE_HOURS.start, 0, TIME_ZONE).getTime();
    const end = new TZDate(y, m, d, OFFICE_HOURS.end, 0, TIME_ZONE).getTime();
    if (isWorkingDay(day) && cursor > start) {
      const top = Math.min(cursor, end);
      while (marks.length < count && (marks.length + 1) * HOUR_MS - counted <= top - start) {
        marks.push(new Date(top - ((marks.length + 1) * HOUR_MS - counted)));
      }
      counted += top - start;
    }
    cursor = new TZDate(y, m, d, 0, 0, TIME_ZONE).getTime();
  }
  return marks;
}

/**
 * The office time (the same calendar as `officeHoursLater`) between any two instants within
 * [`from`, `to`], in milliseconds, and `officeHoursLater` itself within the span: the office windows
 * of those days are laid out once, with the office time before each, so the results page measures
 * tens of thousands of cases without walking their days again and again (officeHoursLater takes
 * about 0.15 ms a call). Instants outside the span count as its nearest end.
 */
export function officeTimeline(
  from: Date,
  to: Date,
): {
  between(a: Date, b: Date): number;
  /** `officeHoursLater(a, hours)`, or null when that falls beyond the span. */
  later(a: Date, hours: number): Date | null;
} {
  const starts: number[] = [];
  const ends: number[] = [];
  /** Office time before window i. */
  const before: number[] = [];
  let total = 0;
  for (let cursor = from.getTime(); cursor < to.getTime(); ) {
    const day = new TZDate(cursor, TIME_ZONE);
    const [y, m, d] = [day.getFullYear(), day.getMonth(), day.getDate()];
    if (isWorkingDay(day)) {
      const start = new TZDate(y, m, d, OFFICE_HOURS.start, 0, TIME_ZONE).getTime();
      const end = new TZDate(y, m, d, OFFICE_HOURS.end, 0, TIME_ZONE).getTime();
      starts.push(start);
      ends.push(end);
      before.push(total);
      total += end - start;
    }
    cursor = new TZDate(y, m, d + 1, 0, 0, TIME_ZONE).getTime();
  }
  /** Office time from the first window up to `t`. */
  const upTo = (t: number): number => {
    // The last window starting at or before t (binary search), or none.
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((starts[mid] as number) <= t) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return 0;
    const start = starts[found] as number;
    return (before[found] as number) + Math.min(t, ends[found] as number) - start;
  };
  const later = (a: Date, hours: number): Date | null => {
    const target = upTo(a.getTime()) + hours * HOUR_MS;
    // The first window by whose end that much office time has passed; at its very end, that end (as
    // officeHoursLater does), then rounded up to the hour.
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((before[mid] as number) + (ends[mid] as number) - (starts[mid] as number) >= target) {
        found = mid;
        hi = mid - 1;
      } else lo = mid + 1;
    }
    if (found < 0) return null;
    const instant = (starts[found] as number) + target - (before[found] as number);
    return new Date(Math.ceil(instant / HOUR_MS) * HOUR_MS);
  };
  return { between: (a, b) => Math.max(0, upTo(b.getTime()) - upTo(a.getTime())), later };
}

/** The office time between two instants, in milliseconds (0 when `to` is not after `from`). */
export function officeMillisBetween(from: Date, to: Date): number {
  return officeTimeline(from, to).between(from, to);
}

/** An instant as people read it in Rome: weekday (0 = Sunday), "30/11/2026", "11:00". */
export function romeParts(instant: Date): { weekday: number; date: string; time: string } {
  const z = new TZDate(instant.getTime(), TIME_ZONE);
  const pad = (n: number) => String(n).padStart(2, "0");
  return {
    weekday: z.getDay(),
    date: `${pad(z.getDate())}/${pad(z.getMonth() + 1)}/${z.getFullYear()}`,
    time: `${pad(z.getHours())}:${pad(z.getMinutes())}`,
  };
}

// ─── The household's side ───────────────────────────────────────────────────

export type ActiveCase = {
  id: number;
  topic: string;
  status: CaseStatus;
  openedAt: Date;
  lastOperatorMessageAt: Date | null;
  messageCount: number;
};

/** The household's open or waiting case, if any. */
export async function findActiveCase(db: Db, householdId: number): Promise<ActiveCase | null> {
  const found = await db.case.findFirst({
    where: { householdId, status: { in: [...ACTIVE_CASE_STATUSES] } },
    orderBy: { openedAt: "desc" },
    select: {
      id: true,
      topic: true,
      status: true,
      openedAt: true,
      lastOperatorMessageAt: true,
      _count: { select: { messages: true } },
    },
  });
  if (!found) return null;
  const { _count, ...rest } = found;
  return { ...rest, messageCount: _count.messages };
}

/** One household's case changes one at a time, whichever bot process or admin handles them. */
export async function lockHousehold(tx: Tx, householdId: number): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`case:household:${householdId}`}))`;
}

export type HouseholdMessage = {
  householdId: number;
  memberId: number;
  text: string;
  /** The Telegram update it came from: the same update is never stored twice. */
  sourceUpdateId?: number | bigint;
  /** Given when the member asked for a person: opens a case if the household has none. */
  topic?: string;
};

export type HouseholdMessageResult =
  /** No active case and no topic: the message is not for a person. */
  | { status: "no_case" }
  | { status: "opened"; caseId: number }
  | {
      status: "added";
      caseId: number;
      /** False when this update's message was already stored. */
      stored: boolean;
      /** Whether to tell the member it was passed on (not after every message of a burst). */
      acknowledge: boolean;
    };

/**
 * A member writes to a person: the message goes into the household's active case, or opens one
 * when a topic is given. Serialised per household, so two members cannot open two cases at once.
 */
export async function postHouseholdMessage(
  db: Db,
  clock: Clock,
  message: HouseholdMessage,
): Promise<HouseholdMessageResult> {
  // Without a topic nothing is opened: with no active case there is nothing to serialise, so the
  // common case (a household without a conversation) costs one read instead of a locked transaction.
  if (message.topic === undefined) {
    const active = await sqlOf(db).query<{ id: number }>`
      SELECT "id" FROM "Case"
      WHERE "householdId" = ${message.householdId} AND "status" = ANY(${[...ACTIVE_CASE_STATUSES]}::"CaseStatus"[])
      LIMIT 1`;
    if (active.length === 0) return { status: "no_case" };
  }
  const now = clock.now();
  const sourceUpdateId = message.sourceUpdateId === undefined ? null : BigInt(message.sourceUpdateId);
  return db.$transaction(async (tx) => {
    await lockHousehold(tx, message.householdId);
    const active = await tx.case.findFirst({
      where: { householdId: message.householdId, status: { in: [...ACTIVE_CASE_STATUSES] } },
      orderBy: { openedAt: "desc" },
      select: { id: true, lastOperatorMessageAt: true },
    });

    if (!active) {
      if (message.topic === undefined) return { status: "no_case" };
      const created = await tx.case.create({
        data: {
          householdId: message.householdId,
          memberId: message.memberId,
          topic: message.topic,
          status: "open",
          openedAt: now,
          lastHouseholdMessageAt: now,
          messages: {
            create: {
              author: "household",
              memberId: message.memberId,
              text: message.text,
              sourceUpdateId,
              createdAt: now,
            },
          },
        },
        select: { id: true },
      });
      await audit(tx, {
        actorType: "member",
        actorId: message.memberId,
        action: "case.opened",
        entityType: "case",
        entityId: created.id,
        details: { householdId: message.householdId },
      });
      return { status: "opened", caseId: created.id };
    }

    const previous = await tx.caseMessage.findFirst({
      where: {
        caseId: active.id,
        author: "household",
        memberId: message.memberId,
        ...(sourceUpdateId === null ? {} : { NOT: { sourceUpdateId } }),
      },
      orderBy: { createdAt: "desc" },
      select: { createdAt: true },
    });
    const inserted = await tx.caseMessage.createMany({
      data: [
        {
          caseId: active.id,
          author: "household",
          memberId: message.memberId,
          text: message.text,
          sourceUpdateId,
          createdAt: now,
        },
      ],
      skipDuplicates: true,
    });
    const stored = inserted.count > 0;
    if (stored) {
      await tx.case.update({
        where: { id: active.id },
        // A new message of the household brings a snoozed case back into the inbox.
        data: { lastHouseholdMessageAt: now, status: "open", snoozedUntil: null },
      });
    }
    const acknowledge =
      !previous ||
      now.getTime() - previous.createdAt.getTime() >= ACK_QUIET_MS ||
      (active.lastOperatorMessageAt !== null && active.lastOperatorMessageAt >= previous.createdAt);
    return { status: "added", caseId: active.id, stored, acknowledge };
  });
}

export type CloseResult = "closed" | "already_closed" | "not_found";

/** The household closes its own case (a button): a case of another household is "not_found". */
export async function closeCaseByHousehold(
  db: Db,
  clock: Clock,
  input: { caseId: number; householdId: number; memberId: number },
): Promise<CloseResult> {
  return db.$transaction(async (tx) => {
    await lockHousehold(tx, input.householdId);
    const closed = await tx.case.updateMany({
      where: {
        id: input.caseId,
        householdId: input.householdId,
        status: { in: [...ACTIVE_CASE_STATUSES] },
      },
      data: { status: "closed", closedAt: clock.now() },
    });
    if (closed.count === 0) {
      const existing = await tx.case.findFirst({
        where: { id: input.caseId, householdId: input.householdId },
        select: { id: true },
      });
      return existing ? "already_closed" : "not_found";
    }
    await audit(tx, {
      actorType: "member",
      actorId: input.memberId,
      action: "case.closed",
      entityType: "case",
      entityId: input.caseId,
      details: { by: "household" },
    });
    return "closed";
  });
}

// ─── The operators' side ────────────────────────────────────────────────────

/** The household's members a message can reach: linked and not known to have blocked the bot. */
async function reachableMembers(db: Db, householdId: number) {
  return db.member.findMany({
    where: { householdId, linkedAt: { not: null }, unreachableAt: null },
    orderBy: { id: "asc" },
    select: { id: true, language: true },
  });
}

/** How staff sign: their first name when set, else the local part of their e-mail ("mario.rossi"). */
export function staffSignature(email: string, firstName?: string | null): string {
  const name = firstName?.trim();
  return name ? name : (email.split("@")[0] ?? "");
}

export type ReplyProblem = "empty" | "too_long";

/** The text as it will be stored (line endings from browser forms normalised), or its problem. */
export function checkReplyText(
  text: string,
): { ok: true; text: string } | { ok: false; problem: ReplyProblem } {
  const normalized = text.replace(/\r\n?/g, "\n").trim();
  if (normalized === "") return { ok: false, problem: "empty" };
  if (normalized.length > MAX_REPLY_LENGTH) return { ok: false, problem: "too_long" };
  return { ok: true, text: normalized };
}

export type ReplyResult =
  | { status: "sent"; caseMessageId: number; recipients: number; duplicate: boolean }
  | { status: "invalid"; problem: ReplyProblem }
  | { status: "not_found" }
  | { status: "closed" };

function closeButton(language: string, caseId: number): Prisma.InputJsonValue {
  const t = translator(language, "operator");
  return {
    inline_keyboard: [[{ text: t("case.close_button"), callback_data: `${CLOSE_CASE_PREFIX}${caseId}` }]],
  };
}

async function deliverReply(
  deps: DeliveryDeps,
  reply: { caseId: number; caseMessageId: number; householdId: number; text: string; signature: string },
): Promise<number> {
  const members = await reachableMembers(deps.db, reply.householdId);
  for (const member of members) {
    const t = translator(member.language, "operator");
    const parts = [t("reply.prefix"), escapeHtml(reply.text)];
    if (reply.signature) parts.push(t("reply.signature", { name: escapeHtml(reply.signature) }));
    parts.push(t("reply.footer"));
    await requestDelivery(deps, {
      purpose: `case-reply:${reply.caseMessageId}:${member.id}`,
      memberId: member.id,
      text: parts.join("\n\n"),
      parseMode: "HTML",
      replyMarkup: closeButton(member.language, reply.caseId),
    });
  }
  return members.length;
}

/**
 * An operator answers: the message is stored, the case waits for the household, and every linked,
 * reachable member gets the text in their language through the delivery queue. The same text sent
 * twice within a minute (a double click) is one reply.
 */
export async function replyToCase(
  deps: DeliveryDeps,
  input: {
    caseId: number;
    /** Only staff answer households (in the operators' group: active staff linked by Telegram id). */
    staffId: number;
    text: string;
    /** How the reply is signed; by default the staff member's first name or e-mail name. */
    signature?: string;
  },
): Promise<ReplyResult> {
  const checked = checkReplyText(input.text);
  if (!checked.ok) return { status: "invalid", problem: checked.problem };
  const { db, clock } = deps;
  const now = clock.now();
  const found = await db.case.findUnique({
    where: { id: input.caseId },
    select: { householdId: true },
  });
  if (!found) return { status: "not_found" };
  const staff = await db.staff.findUniqueOrThrow({
    where: { id: input.staffId },
    select: { email: true, firstName: true },
  });
  const signature = input.signature ?? staffSignature(staff.email, staff.firstName);

  const outcome = await db.$transaction(async (tx) => {
    await lockHousehold(tx, found.householdId);
    const current = await tx.case.findUniqueOrThrow({
      where: { id: input.caseId },
      select: { status: true, assignedStaffId: true },
    });
    if (current.status === "closed") return { kind: "closed" as const };
    const recent = await tx.caseMessage.findFirst({
      where: {
        caseId: input.caseId,
        author: "operator",
        staffId: input.staffId,
        text: checked.text,
        createdAt: { gte: new Date(now.getTime() - DOUBLE_SUBMIT_MS) },
      },
      select: { id: true },
    });
    if (recent) return { kind: "sent" as const, caseMessageId: recent.id, duplicate: true };
    const message = await tx.caseMessage.create({
      data: {
        caseId: input.caseId,
        author: "operator",
        staffId: input.staffId,
        text: checked.text,
        createdAt: now,
      },
      select: { id: true },
    });
    await tx.case.update({
      where: { id: input.caseId },
      data: {
        status: "waiting_household",
        lastOperatorMessageAt: now,
        // Whoever answers an unassigned case takes it.
        ...(current.assignedStaffId === null ? { assignedStaffId: input.staffId } : {}),
      },
    });
    return { kind: "sent" as const, caseMessageId: message.id, duplicate: false };
  });
  if (outcome.kind === "closed") return { status: "closed" };

  // After the commit: a delivery is only requested for a stored reply (and again, harmlessly, for a
  // double submit, whose purposes are the same).
  const recipients = await deliverReply(deps, {
    caseId: input.caseId,
    caseMessageId: outcome.caseMessageId,
    householdId: found.householdId,
    text: checked.text,
    signature,
  });
  if (!outcome.duplicate) {
    await audit(db, {
      actorType: "staff",
      actorId: input.staffId,
      action: "case.replied",
      entityType: "case",
      entityId: input.caseId,
      details: { caseMessageId: outcome.caseMessageId, recipients },
    });
  }
  return { status: "sent", caseMessageId: outcome.caseMessageId, recipients, duplicate: outcome.duplicate };
}

export type StaffCloseResult = { status: "closed"; notified: number } | "already_closed" | "not_found";

/**
 * An operator closes the case; the household's reachable members are told through the delivery
 * queue (`notified`: how many; 0 means the household must be told another way).
 */
export const CASE_OUTCOMES = [
  "resolved",
  "aler_office",
  "building_administrator",
  "social_services",
  "no_answer",
] as const satisfies readonly CaseOutcome[];

export function isCaseOutcome(value: unknown): value is CaseOutcome {
  return typeof value === "string" && (CASE_OUTCOMES as readonly string[]).includes(value);
}

export async function closeCaseByStaff(
  deps: DeliveryDeps,
  input: { caseId: number; staffId: number; outcome: CaseOutcome },
): Promise<StaffCloseResult> {
  const { db, clock } = deps;
  const found = await db.case.findUnique({
    where: { id: input.caseId },
    select: { householdId: true, memberId: true },
  });
  if (!found) return "not_found";
  const closed = await db.$transaction(async (tx) => {
    await lockHousehold(tx, found.householdId);
    const updated = await tx.case.updateMany({
      where: { id: input.caseId, status: { in: [...ACTIVE_CASE_STATUSES] } },
      data: { status: "closed", closedAt: clock.now(), outcome: input.outcome },
    });
    return updated.count > 0;
  });
  if (!closed) return "already_closed";
  const members = await reachableMembers(db, found.householdId);
  // One member is asked how it went (issue 12): who opened the case if still reachable, else the first.
  const asked = members.find((m) => m.id === found.memberId) ?? members[0];
  const askSatisfaction =
    asked !== undefined &&
    (await recordSatisfactionAsked(db, clock, {
      caseId: input.caseId,
      householdId: found.householdId,
      memberId: asked.id,
    }));
  for (const member of members) {
    const t = translator(member.language, "operator");
    const closedText = t("closed.by_operator", { menu: translator(member.language)("menu.operator") });
    const withQuestion = askSatisfaction && member.id === asked?.id;
    await requestDelivery(deps, {
      purpose: `case-closed:${input.caseId}:${member.id}`,
      memberId: member.id,
      text: withQuestion ? `${closedText}\n\n${satisfactionQuestion(member.language)}` : closedText,
      parseMode: "HTML",
      ...(withQuestion ? { replyMarkup: satisfactionMarkup(input.caseId) } : {}),
    });
  }
  await audit(db, {
    actorType: "staff",
    actorId: input.staffId,
    action: "case.closed",
    entityType: "case",
    entityId: input.caseId,
    details: { by: "staff", outcome: input.outcome, notified: members.length },
  });
  return { status: "closed", notified: members.length };
}

/** The operator takes the case. */
export async function assignCase(
  db: Db,
  input: { caseId: number; staffId: number },
): Promise<"assigned" | "not_found"> {
  const updated = await db.case.updateMany({
    where: { id: input.caseId },
    data: { assignedStaffId: input.staffId },
  });
  if (updated.count === 0) return "not_found";
  await audit(db, {
    actorType: "staff",
    actorId: input.staffId,
    action: "case.assigned",
    entityType: "case",
    entityId: input.caseId,
    details: { staffId: input.staffId },
  });
  return "assigned";
}

export type CaseListRow = {
  id: number;
  contractCode: string;
  topic: string;
  status: CaseStatus;
  urgent: boolean;
  /** Set when the household waited past the answer time and the coordinators were alerted. */
  escalatedAt: Date | null;
  openedAt: Date;
  lastHouseholdMessageAt: Date | null;
  lastOperatorMessageAt: Date | null;
  assignedTo: string | null;
};

export type CaseDetail = {
  id: number;
  topic: string;
  status: CaseStatus;
  urgent: boolean;
  openedAt: Date;
  closedAt: Date | null;
  outcome: CaseOutcome | null;
  /** Put aside by staff until then (the inbox hides it meanwhile). */
  snoozedUntil: Date | null;
  household: {
    id: number;
    /** The office that follows the household (null: only admins see it). */
    officeId: number | null;
    contractCode: string;
    name: string;
    /** The language the authority's file gives for the household (replies are written in it). */
    language: string;
    /** For "contact the household another way" when nobody can be reached on Telegram. */
    phone: string | null;
    address: string;
    municipality: string;
    /** Linked members, with the language the bot speaks to each and whether Telegram delivers. */
    members: { id: number; firstName: string | null; language: string; reachable: boolean }[];
  };
  assignedTo: { id: number; email: string } | null;
  messages: {
    id: number;
    author: CaseAuthor;
    text: string;
    createdAt: Date;
    /** Who wrote a household message (their Telegram first name, when known). */
    memberId: number | null;
    /** The member's Telegram first name, or the staff member's signature. */
    who: string | null;
  }[];
};

export async function getCaseDetail(db: Db, caseId: number): Promise<CaseDetail | null> {
  const found = await db.case.findUnique({
    where: { id: caseId },
    select: {
      id: true,
      topic: true,
      status: true,
      urgent: true,
      openedAt: true,
      closedAt: true,
      outcome: true,
      snoozedUntil: true,
      household: {
        select: {
          id: true,
          officeId: true,
          contractCode: true,
          name: true,
          language: true,
          phone: true,
          address: true,
          municipality: true,
          members: {
            where: { linkedAt: { not: null } },
            orderBy: { id: "asc" },
            select: { id: true, firstName: true, language: true, unreachableAt: true },
          },
        },
      },
      assignedStaff: { select: { id: true, email: true } },
      messages: {
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        select: {
          id: true,
          author: true,
          text: true,
          createdAt: true,
          memberId: true,
          staff: { select: { email: true, firstName: true } },
        },
      },
    },
  });
  if (!found) return null;
  const memberIds = [...new Set(found.messages.flatMap((m) => (m.memberId === null ? [] : [m.memberId])))];
  const members = await db.member.findMany({
    where: { id: { in: memberIds } },
    select: { id: true, firstName: true },
  });
  const names = new Map(members.map((m) => [m.id, m.firstName]));
  return {
    id: found.id,
    topic: found.topic,
    status: found.status,
    urgent: found.urgent,
    openedAt: found.openedAt,
    closedAt: found.closedAt,
    outcome: found.outcome,
    snoozedUntil: found.snoozedUntil,
    household: {
      ...found.household,
      members: found.household.members.map((m) => ({
        id: m.id,
        firstName: m.firstName,
        language: m.language,
        reachable: m.unreachableAt === null,
      })),
    },
    assignedTo: found.assignedStaff,
    messages: found.messages.map((m) => ({
      id: m.id,
      author: m.author,
      text: m.text,
      createdAt: m.createdAt,
      memberId: m.memberId,
      who:
        m.author === "operator"
          ? m.staff
            ? staffSignature(m.staff.email, m.staff.firstName)
            : null
          : m.memberId === null
            ? null
            : (names.get(m.memberId) ?? null),
    })),
  };
}

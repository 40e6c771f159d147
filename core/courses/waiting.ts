// The waiting list of a full session. A member joins it from the bot; when a place frees (someone
// cancels, staff raise the capacity), the first one waiting is offered it in the bot with a button and
// has 24 hours to take it; after that the offer lapses and the next one waiting is offered the place.
// Every change happens under the session's row lock (as enrolling takes it), so a place is offered to
// one person at a time, and each offer is told once (its delivery purpose names the offer).
import { audit } from "../audit.ts";
import type { Clock } from "../clock.ts";
import type { Db, Prisma } from "../db/client.ts";
import { translator } from "../i18n.ts";
import { type DeliveryQueue, requestDelivery } from "../queues/delivery.ts";
import { escapeHtml } from "../telegram-html.ts";
import { formatRomeDateTime } from "../time.ts";
import { translated } from "./translations.ts";

export const OFFER_HOURS = 24;
/** Statuses that hold one of the session's places. */
export const HOLDS_PLACE = ["enrolled", "offered"] as const;

type Tx = Prisma.TransactionClient;
const TRANSACTION_OPTIONS = { maxWait: 15_000, timeout: 15_000 };

export type Offer = { enrolmentId: number; sessionId: number; memberId: number; expiresAt: Date };

/**
 * Offers the session's free places to the first ones waiting. The caller holds the session's row
 * lock (SELECT … FOR UPDATE) in this transaction. Returns the offers made, to be told after commit.
 */
export async function offerFreePlaces(tx: Tx, sessionId: number, now: Date): Promise<Offer[]> {
  const [session] = await tx.$queryRaw<{ capacity: number; startsAt: Date; cancelledAt: Date | null }[]>`
    SELECT "capacity", "startsAt", "cancelledAt" FROM "CourseSession" WHERE "id" = ${sessionId}`;
  if (!session || session.cancelledAt || session.startsAt.getTime() <= now.getTime()) return [];
  const taken = await tx.enrolment.count({ where: { sessionId, status: { in: [...HOLDS_PLACE] } } });
  const free = session.capacity - taken;
  if (free <= 0) return [];
  const next = await tx.enrolment.findMany({
    where: { sessionId, status: "waiting" },
    orderBy: [{ queuedAt: "asc" }, { id: "asc" }],
    take: free,
    select: { id: true, memberId: true },
  });
  // The offer never outlasts the session's start.
  const expiresAt = new Date(Math.min(now.getTime() + OFFER_HOURS * 3_600_000, session.startsAt.getTime()));
  const offers: Offer[] = [];
  for (const e of next) {
    await tx.enrolment.update({
      where: { id: e.id },
      data: { status: "offered", offerExpiresAt: expiresAt },
    });
    await audit(tx, {
      actorType: "system",
      action: "course.place.offered",
      entityType: "CourseSession",
      entityId: sessionId,
      details: { memberId: e.memberId },
    });
    offers.push({ enrolmentId: e.id, sessionId, memberId: e.memberId, expiresAt });
  }
  return offers;
}

export type JoinResult =
  | { status: "waiting"; position: number }
  | { status: "already_waiting"; position: number }
  | { status: "enrolled" | "offered" | "has_places" | "started" | "not_found" };

/** Puts the member on a full session's waiting list (at its end). */
export async function joinWaitingList(
  db: Db,
  input: { sessionId: number; memberId: number; now: Date },
): Promise<JoinResult> {
  return db.$transaction(async (tx) => {
    const [session] = await tx.$queryRaw<{ capacity: number; startsAt: Date; cancelledAt: Date | null }[]>`
      SELECT "capacity", "startsAt", "cancelledAt" FROM "CourseSession" WHERE "id" = ${input.sessionId} FOR UPDATE`;
    if (!session || session.cancelledAt) return { status: "not_found" as const };
    if (session.startsAt.getTime() <= input.now.getTime()) return { status: "started" as const };
    const key = { sessionId: input.sessionId, memberId: input.memberId };
    const existing = await tx.enrolment.findUnique({ where: { sessionId_memberId: key } });
    if (existing?.status === "enrolled") return { status: "enrolled" as const };
    if (existing?.status === "offered") return { status: "offered" as const };
    if (existing?.status === "waiting") {
      return { status: "already_waiting" as const, position: await positionOf(tx, existing.id) };
    }
    const taken = await tx.enrolment.count({
      where: { sessionId: input.sessionId, status: { in: [...HOLDS_PLACE] } },
    });
    const waiting = await tx.enrolment.count({ where: { sessionId: input.sessionId, status: "waiting" } });
    // A free place nobody waits for: enrolling is the way (the button says so).
    if (taken < session.capacity && waiting === 0) return { status: "has_places" as const };
    const data = { status: "waiting" as const, queuedAt: input.now, offerExpiresAt: null };
    const row = existing
      ? await tx.enrolment.update({ where: { id: existing.id }, data })
      : await tx.enrolment.create({ data: { ...key, ...data } });
    await audit(tx, {
      actorType: "member",
      actorId: input.memberId,
      action: "course.waiting.joined",
      entityType: "CourseSession",
      entityId: input.sessionId,
    });
    return { status: "waiting" as const, position: await positionOf(tx, row.id) };
  }, TRANSACTION_OPTIONS);
}

async function positionOf(tx: Tx, enrolmentId: number): Promise<number> {
  const [row] = await tx.$queryRaw<{ position: number }[]>`
    SELECT COUNT(*)::int AS "position" FROM "Enrolment" e, "Enrolment" me
    WHERE me."id" = ${enrolmentId} AND e."sessionId" = me."sessionId" AND e."status" = 'waiting'
      AND (e."queuedAt", e."id") <= (me."queuedAt", me."id")`;
  return row?.position ?? 1;
}

export type WaitingState =
  | { status: "waiting"; position: number }
  | { status: "offered"; expiresAt: Date }
  | null;

/** Whether the member waits for this session (and where in the line), or has a place offered. */
export async function waitingState(
  db: Db,
  sessionId: number,
  memberId: number,
  now: Date,
): Promise<WaitingState> {
  const row = await db.enrolment.findUnique({ where: { sessionId_memberId: { sessionId, memberId } } });
  if (row?.status === "waiting")
    return { status: "waiting", position: await positionOf(db as unknown as Tx, row.id) };
  if (row?.status === "offered" && row.offerExpiresAt && row.offerExpiresAt.getTime() > now.getTime()) {
    return { status: "offered", expiresAt: row.offerExpiresAt };
  }
  return null;
}

export type AcceptResult = { status: "enrolled" | "already" | "expired" | "not_offered" | "not_found" };

/** Takes the place offered, while the offer holds. */
export async function acceptOffer(
  db: Db,
  input: { sessionId: number; memberId: number; now: Date },
): Promise<AcceptResult> {
  return db.$transaction(async (tx) => {
    const [session] = await tx.$queryRaw<{ cancelledAt: Date | null }[]>`
      SELECT "cancelledAt" FROM "CourseSession" WHERE "id" = ${input.sessionId} FOR UPDATE`;
    if (!session || session.cancelledAt) return { status: "not_found" as const };
    const row = await tx.enrolment.findUnique({
      where: { sessionId_memberId: { sessionId: input.sessionId, memberId: input.memberId } },
    });
    if (row?.status === "enrolled") return { status: "already" as const };
    if (row?.status !== "offered") return { status: "not_offered" as const };
    if (!row.offerExpiresAt || row.offerExpiresAt.getTime() <= input.now.getTime()) {
      return { status: "expired" as const };
    }
    await tx.enrolment.update({ where: { id: row.id }, data: { status: "enrolled", offerExpiresAt: null } });
    await audit(tx, {
      actorType: "member",
      actorId: input.memberId,
      action: "course.place.accepted",
      entityType: "CourseSession",
      entityId: input.sessionId,
    });
    return { status: "enrolled" as const };
  }, TRANSACTION_OPTIONS);
}

export type OfferDeps = { db: Db; clock: Clock; deliveryQueue: DeliveryQueue };

/**
 * Lapses the offers whose 24 hours are over (the member leaves the list) and offers those places to
 * the next ones waiting; run every minute by each worker (idempotent: each offer is lapsed under its
 * session's lock, once). Also tells offers made but not yet told (a process stopped in between).
 */
export async function expireOffers(deps: OfferDeps): Promise<{ lapsed: number; offered: number }> {
  const now = deps.clock.now();
  const due = await deps.db.enrolment.findMany({
    where: { status: "offered", offerExpiresAt: { lte: now } },
    select: { id: true, sessionId: true },
    take: 500,
  });
  let lapsed = 0;
  const offers: Offer[] = [];
  for (const offer of due) {
    const made = await deps.db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT "id" FROM "CourseSession" WHERE "id" = ${offer.sessionId} FOR UPDATE`;
      const changed = await tx.enrolment.updateMany({
        where: { id: offer.id, status: "offered", offerExpiresAt: { lte: now } },
        data: { status: "cancelled", offerExpiresAt: null },
      });
      if (changed.count === 0) return [];
      lapsed++;
      await audit(tx, {
        actorType: "system",
        action: "course.place.offer_lapsed",
        entityType: "CourseSession",
        entityId: offer.sessionId,
      });
      return offerFreePlaces(tx, offer.sessionId, now);
    }, TRANSACTION_OPTIONS);
    offers.push(...made);
  }
  // Offers still open: asking again records nothing new for those already told.
  const open = await deps.db.enrolment.findMany({
    where: { status: "offered", offerExpiresAt: { gt: now } },
    select: { id: true, sessionId: true, memberId: true, offerExpiresAt: true },
    take: 1000,
  });
  for (const o of open) {
    if (!offers.some((x) => x.enrolmentId === o.id)) {
      offers.push({
        enrolmentId: o.id,
        sessionId: o.sessionId,
        memberId: o.memberId,
        expiresAt: o.offerExpiresAt as Date,
      });
    }
  }
  const told = await tellOffers(deps, offers);
  return { lapsed, offered: told };
}

/** Tells each offer once, in the member's language, with the button that takes the place. */
export async function tellOffers(
  deps: { db: Db; deliveryQueue: DeliveryQueue },
  offers: readonly Offer[],
): Promise<number> {
  let told = 0;
  for (const offer of offers) {
    const row = await deps.db.enrolment.findUnique({
      where: { id: offer.enrolmentId },
      select: {
        member: { select: { language: true, unreachableAt: true } },
        session: {
          select: {
            startsAt: true,
            endsAt: true,
            location: true,
            translations: true,
            course: { select: { title: true, municipality: true, translations: true } },
          },
        },
      },
    });
    if (!row || row.member.unreachableAt) continue;
    const language = row.member.language;
    const t = translator(language, "courses");
    const s = row.session;
    const [startDate, startTime] = formatRomeDateTime(s.startsAt).split(" ");
    const [endDate, endTime] = formatRomeDateTime(s.endsAt).split(" ");
    const when =
      startDate === endDate
        ? t("when_day", { date: startDate, start: startTime, end: endTime })
        : t("when_span", { start: formatRomeDateTime(s.startsAt), end: formatRomeDateTime(s.endsAt) });
    const text = t("notice_offer", {
      title: escapeHtml(translated(s.course.title, s.course.translations, language, "title")),
      when,
      place: `${escapeHtml(translated(s.location, s.translations, language, "location"))} (${escapeHtml(s.course.municipality)})`,
      deadline: formatRomeDateTime(offer.expiresAt),
    });
    const { created } = await requestDelivery(deps, {
      memberId: offer.memberId,
      purpose: `course-offer:${offer.enrolmentId}:${offer.expiresAt.getTime()}`,
      text,
      parseMode: "HTML",
      replyMarkup: {
        inline_keyboard: [
          [{ text: t("button_accept"), callback_data: `courses:accept:${offer.sessionId}:0` }],
        ],
      },
    });
    if (created) told++;
  }
  return told;
}

// Courses and their sessions: what is coming up, who has a place, and enrolling and cancelling with
// the capacity respected even when several people press "Enrol" at the same moment.
import { audit } from "./audit.ts";
import { translated } from "./courses/translations.ts";
import { HOLDS_PLACE, type Offer, offerFreePlaces } from "./courses/waiting.ts";
import type { Db, EnrolmentStatus } from "./db/client.ts";
import { sqlOf } from "./db/sql.ts";

export type SessionView = {
  id: number;
  courseId: number;
  title: string;
  description: string;
  municipality: string;
  location: string;
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  /** Places taken (enrolments with status enrolled). */
  taken: number;
  placesLeft: number;
  /** Whether the member asking holds a place. */
  mine: boolean;
};

export type ScheduleItem = SessionView & { enrolmentId: number };

/** At most this many upcoming sessions are listed; far more than a programme ever plans. */
const LIST_LIMIT = 500;
// Enrolling waits for the session's row lock; under a rush that may take a moment.
const TRANSACTION_OPTIONS = { maxWait: 15_000, timeout: 15_000 };

const PLACE_HOLDING: EnrolmentStatus[] = [...HOLDS_PLACE];

const sessionInclude = (memberId: number | null) =>
  ({
    course: true,
    _count: { select: { enrolments: { where: { status: { in: PLACE_HOLDING } } } } },
    enrolments: { where: { memberId: memberId ?? -1, status: "enrolled" as const }, select: { id: true } },
  }) as const;

type SessionRow = {
  id: number;
  courseId: number;
  startsAt: Date;
  endsAt: Date;
  location: string;
  capacity: number;
  translations: unknown;
  course: { title: string; description: string; municipality: string; translations: unknown };
  _count: { enrolments: number };
  enrolments: { id: number }[];
};

type UpcomingRow = {
  id: number;
  courseId: number;
  startsAt: Date;
  endsAt: Date;
  location: string;
  capacity: number;
  title: string;
  description: string;
  municipality: string;
  taken: number;
  mine: boolean;
};

/** A session as the member sees it, in their language where a translation exists. */
function view(row: SessionRow, language: string | null): SessionView {
  const taken = row._count.enrolments;
  return {
    id: row.id,
    courseId: row.courseId,
    title: translated(row.course.title, row.course.translations, language, "title"),
    description: translated(row.course.description, row.course.translations, language, "description"),
    municipality: row.course.municipality,
    location: translated(row.location, row.translations, language, "location"),
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    capacity: row.capacity,
    taken,
    placesLeft: Math.max(0, row.capacity - taken),
    mine: row.enrolments.length > 0,
  };
}

/** "Brescia", " brescia " and "BRESCIA" are the same town. */
export function sameMunicipality(a: string, b: string | null | undefined): boolean {
  if (!b) return false;
  const norm = (s: string) => s.trim().toLocaleLowerCase("it-IT");
  return norm(a) === norm(b);
}

/**
 * Sessions that have not started yet, the household's municipality first, each group by start time.
 * `memberId` marks the sessions where that member holds a place.
 */
export async function upcomingSessions(
  db: Db,
  options: {
    now: Date;
    municipality?: string | null;
    memberId?: number | null;
    /** The member's language: texts translated into it where staff gave a translation. */
    language?: string | null;
  },
): Promise<SessionView[]> {
  const lang = options.language ?? "it";
  // One query: each session with its course, the places taken and whether the member holds one.
  // A translation that is missing or blank falls back to the Italian text.
  const rows = await sqlOf(db).query<UpcomingRow>`
    SELECT s."id", s."courseId", s."startsAt", s."endsAt",
      COALESCE(NULLIF(btrim(s."translations" -> ${lang}::text ->> 'location'), ''), s."location") AS "location",
      s."capacity",
      COALESCE(NULLIF(btrim(c."translations" -> ${lang}::text ->> 'title'), ''), c."title") AS "title",
      COALESCE(NULLIF(btrim(c."translations" -> ${lang}::text ->> 'description'), ''), c."description") AS "description",
      c."municipality",
      (SELECT COUNT(*) FROM "Enrolment" e WHERE e."sessionId" = s."id" AND e."status" IN ('enrolled', 'offered'))::int AS "taken",
      EXISTS (
        SELECT 1 FROM "Enrolment" e
        WHERE e."sessionId" = s."id" AND e."memberId" = ${options.memberId ?? -1} AND e."status" = 'enrolled'
      ) AS "mine"
    FROM "CourseSession" s JOIN "Course" c ON c."id" = s."courseId"
    WHERE s."startsAt" > ${options.now.toISOString()}::timestamptz AND s."cancelledAt" IS NULL
    ORDER BY s."startsAt" ASC, s."id" ASC
    LIMIT ${LIST_LIMIT}`;
  const sessions = rows.map(
    (row): SessionView => ({
      id: row.id,
      courseId: row.courseId,
      title: row.title,
      description: row.description,
      municipality: row.municipality,
      location: row.location,
      startsAt: row.startsAt,
      endsAt: row.endsAt,
      capacity: row.capacity,
      taken: row.taken,
      placesLeft: Math.max(0, row.capacity - row.taken),
      mine: row.mine,
    }),
  );
  const home = (s: SessionView) => (sameMunicipality(s.municipality, options.municipality) ? 0 : 1);
  // Array.prototype.sort is stable: within each group the time order stays.
  return sessions.sort((a, b) => home(a) - home(b));
}

/** One session, whether past or not, or null when it no longer exists or was cancelled. */
export async function findSession(
  db: Db,
  sessionId: number,
  memberId: number,
  language: string | null = null,
): Promise<SessionView | null> {
  const row = await db.courseSession.findUnique({
    where: { id: sessionId, cancelledAt: null },
    include: sessionInclude(memberId),
  });
  return row ? view(row, language) : null;
}

/** The member's sessions that have not ended yet, in time order. */
export async function memberSchedule(
  db: Db,
  memberId: number,
  now: Date,
  language: string | null = null,
): Promise<ScheduleItem[]> {
  const enrolments = await db.enrolment.findMany({
    where: { memberId, status: "enrolled", session: { endsAt: { gt: now }, cancelledAt: null } },
    include: { session: { include: sessionInclude(memberId) } },
    orderBy: [{ session: { startsAt: "asc" } }, { id: "asc" }],
  });
  return enrolments.map((e) => ({ ...view(e.session, language), enrolmentId: e.id }));
}

export type EnrolResult =
  | { status: "enrolled"; enrolmentId: number }
  | { status: "already" | "full" | "started" | "not_found" };

/**
 * Gives the member a place if the session has not started and has one left. The session's row is
 * locked for the whole check-and-insert, so two people pressing at once cannot both take the last
 * place. A member who cancelled and comes back gets their old enrolment row back.
 */
export async function enrol(
  db: Db,
  input: { sessionId: number; memberId: number; now: Date },
): Promise<EnrolResult> {
  return db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ capacity: number; startsAt: Date; cancelledAt: Date | null }[]>`
      SELECT "capacity", "startsAt", "cancelledAt" FROM "CourseSession" WHERE "id" = ${input.sessionId} FOR UPDATE`;
    const session = locked[0];
    if (!session || session.cancelledAt) return { status: "not_found" };
    if (session.startsAt.getTime() <= input.now.getTime()) return { status: "started" };
    const key = { sessionId: input.sessionId, memberId: input.memberId };
    const existing = await tx.enrolment.findUnique({ where: { sessionId_memberId: key } });
    if (existing?.status === "enrolled") return { status: "already" };
    // A place offered from the waiting list is already counted: taking it needs no free place.
    const offered =
      existing?.status === "offered" &&
      existing.offerExpiresAt !== null &&
      existing.offerExpiresAt.getTime() > input.now.getTime();
    const taken = await tx.enrolment.count({
      where: { sessionId: input.sessionId, status: { in: [...HOLDS_PLACE] } },
    });
    if (!offered && taken >= session.capacity) return { status: "full" };
    const enrolment = existing
      ? await tx.enrolment.update({
          where: { id: existing.id },
          data: { status: "enrolled", offerExpiresAt: null },
        })
      : await tx.enrolment.create({ data: { ...key, status: "enrolled" } });
    await audit(tx, {
      actorType: "member",
      actorId: input.memberId,
      action: "course.enrol",
      entityType: "CourseSession",
      entityId: input.sessionId,
    });
    return { status: "enrolled", enrolmentId: enrolment.id };
  }, TRANSACTION_OPTIONS);
}

export type CancelResult = {
  status: "cancelled" | "not_enrolled" | "started" | "not_found";
  /** Places offered to the next ones waiting (see core/courses/waiting.ts tellOffers). */
  offers?: Offer[];
};

/**
 * Gives the place back (or leaves the waiting list, or turns down a place offered), while the session
 * has not started. A place given back is offered at once to the first one waiting.
 */
export async function cancelEnrolment(
  db: Db,
  input: { sessionId: number; memberId: number; now: Date },
): Promise<CancelResult> {
  return db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ startsAt: Date }[]>`
      SELECT "startsAt" FROM "CourseSession" WHERE "id" = ${input.sessionId} FOR UPDATE`;
    const session = locked[0];
    if (!session) return { status: "not_found" };
    if (session.startsAt.getTime() <= input.now.getTime()) return { status: "started" };
    const row = await tx.enrolment.findUnique({
      where: { sessionId_memberId: { sessionId: input.sessionId, memberId: input.memberId } },
    });
    if (!row || row.status === "cancelled") return { status: "not_enrolled" };
    await tx.enrolment.update({ where: { id: row.id }, data: { status: "cancelled", offerExpiresAt: null } });
    await audit(tx, {
      actorType: "member",
      actorId: input.memberId,
      action: row.status === "waiting" ? "course.waiting.left" : "course.cancel",
      entityType: "CourseSession",
      entityId: input.sessionId,
    });
    const offers = row.status === "waiting" ? [] : await offerFreePlaces(tx, input.sessionId, input.now);
    return { status: "cancelled", offers };
  }, TRANSACTION_OPTIONS);
}

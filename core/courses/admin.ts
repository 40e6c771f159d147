// Courses as staff keep them: creating and editing courses and their sessions (the place also in
// other languages), cancelling or moving a session (every enrolled member is told once, in their
// language, through the delivery queue; of a cancellation the waiting list too), and who is enrolled. Visibility: a course belongs to the office that covers its municipality
// (OfficeMunicipality, matched as core/offices/offices.ts municipalityKey folds names); coordinators
// see their office's courses, admins every course, including those of a municipality no office covers.
import { createHash, randomBytes } from "node:crypto";
import { audit } from "../audit.ts";
import type { Clock } from "../clock.ts";
import type { CourseKind, Db } from "../db/client.ts";
import { DEFAULT_LANGUAGE, translator } from "../i18n.ts";
import { municipalityKey } from "../offices/offices.ts";
import type { StaffScope } from "../offices/scope.ts";
import { type DeliveryQueue, requestDelivery } from "../queues/delivery.ts";
import { escapeHtml } from "../telegram-html.ts";
import { formatRomeDateTime, readRomeDateTime } from "../time.ts";
import { TRANSLATION_LANGUAGES, type Translations, translated } from "./translations.ts";
import { type Offer, offerFreePlaces, tellOffers } from "./waiting.ts";

export const COURSE_KINDS = [
  "course",
  "paid_placement",
  "orientation",
  "workshop",
] as const satisfies readonly CourseKind[];
export const COURSE_LANGUAGES: readonly string[] = [DEFAULT_LANGUAGE, ...TRANSLATION_LANGUAGES];
export const MAX_TITLE = 200;
export const MAX_DESCRIPTION = 2000;
export const MAX_LOCATION = 200;
export const MAX_CAPACITY = 1000;
const CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;

// ─── Visibility ──────────────────────────────────────────────────────────────

/** The municipality keys this person's courses may be in; null: every course (admins). */
async function officeKeys(db: Db, scope: StaffScope): Promise<Set<string> | null> {
  if (scope.role === "admin") return null;
  if (scope.officeId === null) return new Set();
  const rows = await db.officeMunicipality.findMany({
    where: { officeId: scope.officeId },
    select: { key: true },
  });
  return new Set(rows.map((r) => r.key));
}

function visible(keys: Set<string> | null, municipality: string): boolean {
  return keys === null || keys.has(municipalityKey(municipality));
}

/** The municipalities a course may be placed in by this person (their office's; every office's for admins). */
export async function courseMunicipalities(db: Db, scope: StaffScope): Promise<string[]> {
  const rows = await db.officeMunicipality.findMany({
    where: scope.role === "admin" ? {} : { officeId: scope.officeId ?? -1 },
    select: { name: true },
    orderBy: { key: "asc" },
  });
  return rows.map((r) => r.name);
}

// ─── Reading ─────────────────────────────────────────────────────────────────

export type CourseListItem = {
  id: number;
  code: string;
  kind: CourseKind;
  title: string;
  municipality: string;
  sessions: number;
  nextSession: Date | null;
};

/** The courses this person sees, the ones with a coming session first (soonest first), then by title. */
export async function listCourses(db: Db, scope: StaffScope, now: Date): Promise<CourseListItem[]> {
  const keys = await officeKeys(db, scope);
  const courses = await db.course.findMany({
    select: {
      id: true,
      code: true,
      kind: true,
      title: true,
      municipality: true,
      _count: { select: { sessions: true } },
      sessions: {
        where: { startsAt: { gt: now }, cancelledAt: null },
        orderBy: { startsAt: "asc" },
        take: 1,
        select: { startsAt: true },
      },
    },
    orderBy: { title: "asc" },
  });
  const items = courses
    .filter((c) => visible(keys, c.municipality))
    .map((c) => ({
      id: c.id,
      code: c.code,
      kind: c.kind,
      title: c.title,
      municipality: c.municipality,
      sessions: c._count.sessions,
      nextSession: c.sessions[0]?.startsAt ?? null,
    }));
  const at = (i: CourseListItem) => i.nextSession?.getTime() ?? Number.POSITIVE_INFINITY;
  return items.sort((a, b) => at(a) - at(b));
}

export type SessionRow = {
  id: number;
  startsAt: Date;
  endsAt: Date;
  location: string;
  /** The place in other languages, where given (language → text). */
  places: Record<string, string>;
  capacity: number;
  minutes: number | null;
  cancelledAt: Date | null;
  enrolled: number;
};

export type CourseDetail = {
  id: number;
  code: string;
  kind: CourseKind;
  municipality: string;
  /** Italian title and description, and the other languages' where given. */
  texts: Record<string, { title: string; description: string }>;
  sessions: SessionRow[];
};

/** A course with its sessions, or null when it is not there or of another office. */
export async function getCourse(db: Db, scope: StaffScope, courseId: number): Promise<CourseDetail | null> {
  const course = await db.course.findUnique({
    where: { id: courseId },
    include: {
      sessions: {
        orderBy: [{ startsAt: "asc" }, { id: "asc" }],
        include: {
          _count: { select: { enrolments: { where: { status: { in: ["enrolled", "offered"] } } } } },
        },
      },
    },
  });
  if (!course || !visible(await officeKeys(db, scope), course.municipality)) return null;
  const texts: CourseDetail["texts"] = {};
  for (const lang of COURSE_LANGUAGES) {
    const entry = lang === DEFAULT_LANGUAGE ? undefined : (course.translations as Translations)?.[lang];
    texts[lang] =
      lang === DEFAULT_LANGUAGE
        ? { title: course.title, description: course.description }
        : { title: entry?.title ?? "", description: entry?.description ?? "" };
  }
  return {
    id: course.id,
    code: course.code,
    kind: course.kind,
    municipality: course.municipality,
    texts,
    sessions: course.sessions.map((s) => ({
      id: s.id,
      startsAt: s.startsAt,
      endsAt: s.endsAt,
      location: s.location,
      places: placesOf(s.translations),
      capacity: s.capacity,
      minutes: s.minutes,
      cancelledAt: s.cancelledAt,
      enrolled: s._count.enrolments,
    })),
  };
}

/** The place's translations as stored: { "en": { "location": … } } → { en: … }. */
function placesOf(translations: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const lang of TRANSLATION_LANGUAGES) {
    const text = (translations as Translations | null)?.[lang]?.location;
    if (typeof text === "string" && text.trim() !== "") out[lang] = text;
  }
  return out;
}

/** A session of a course this person sees, or null. */
export async function getSession(
  db: Db,
  scope: StaffScope,
  courseId: number,
  sessionId: number,
): Promise<{ course: CourseDetail; session: SessionRow } | null> {
  const course = await getCourse(db, scope, courseId);
  const session = course?.sessions.find((s) => s.id === sessionId);
  return course && session ? { course, session } : null;
}

export type EnrolledPerson = {
  memberId: number;
  /** The household, when this person's office sees it; null for another office's family. */
  household: { id: number; name: string; contractCode: string } | null;
  language: string;
  enrolledAt: Date;
  /** enrolled, offered (a freed place held for 24 h) or waiting (in list order). */
  status: "enrolled" | "offered" | "waiting";
};

/** Who holds a place in the session, in order of enrolment; households of other offices only by member number. */
export async function sessionEnrolments(
  db: Db,
  scope: StaffScope,
  sessionId: number,
): Promise<EnrolledPerson[]> {
  const rows = await db.enrolment.findMany({
    where: { sessionId, status: { in: ["enrolled", "offered", "waiting"] } },
    orderBy: [{ queuedAt: { sort: "asc", nulls: "first" } }, { createdAt: "asc" }, { id: "asc" }],
    select: {
      createdAt: true,
      status: true,
      member: {
        select: {
          id: true,
          language: true,
          household: { select: { id: true, name: true, contractCode: true, officeId: true } },
        },
      },
    },
  });
  return rows.map((r) => {
    const h = r.member.household;
    const seen = h && (scope.role === "admin" || (scope.officeId !== null && h.officeId === scope.officeId));
    return {
      memberId: r.member.id,
      household: seen ? { id: h.id, name: h.name, contractCode: h.contractCode } : null,
      language: r.member.language,
      enrolledAt: r.createdAt,
      status: r.status as EnrolledPerson["status"],
    };
  });
}

// ─── Checking what was typed ───────────────────────────────────────────────────

export type CourseInput = {
  code: string;
  kind: CourseKind;
  municipality: string;
  texts: Record<string, { title: string; description: string }>;
};

export type CourseProblem =
  | "kind"
  | "municipality"
  | "titleMissing"
  | "titleTooLong"
  | "descriptionTooLong"
  | "code"
  | "codeTaken";

const text = (v: unknown) => (typeof v === "string" ? v.trim() : "");

/** The course form's fields as typed (for showing the form again). */
export function courseFormValue(body: Record<string, unknown>): CourseInput {
  const texts: CourseInput["texts"] = {};
  for (const lang of COURSE_LANGUAGES) {
    texts[lang] = { title: text(body[`title_${lang}`]), description: text(body[`description_${lang}`]) };
  }
  return {
    code: text(body.code),
    kind: text(body.kind) as CourseKind,
    municipality: text(body.municipality),
    texts,
  };
}

export function checkCourse(
  value: CourseInput,
  municipalities: readonly string[],
  options: { currentMunicipality?: string; creating: boolean },
): CourseProblem[] {
  const problems: CourseProblem[] = [];
  if (!(COURSE_KINDS as readonly string[]).includes(value.kind)) problems.push("kind");
  const allowed =
    municipalities.some((m) => municipalityKey(m) === municipalityKey(value.municipality)) ||
    (options.currentMunicipality !== undefined &&
      municipalityKey(options.currentMunicipality) === municipalityKey(value.municipality));
  if (!value.municipality || !allowed) problems.push("municipality");
  if (!value.texts[DEFAULT_LANGUAGE]?.title) problems.push("titleMissing");
  if (Object.values(value.texts).some((t) => [...t.title].length > MAX_TITLE)) problems.push("titleTooLong");
  if (Object.values(value.texts).some((t) => [...t.description].length > MAX_DESCRIPTION))
    problems.push("descriptionTooLong");
  if (options.creating && value.code !== "" && !CODE.test(value.code)) problems.push("code");
  return problems;
}

function translationsOf(value: CourseInput): Translations {
  const out: Translations = {};
  for (const lang of TRANSLATION_LANGUAGES) {
    const entry = value.texts[lang];
    const fields: Record<string, string> = {};
    if (entry?.title) fields.title = entry.title;
    if (entry?.description) fields.description = entry.description;
    if (Object.keys(fields).length > 0) out[lang] = fields;
  }
  return out;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "P2002";
}

/** Creates a course (a code is made up when none is typed); "codeTaken" when the code is in use. */
export async function createCourse(
  db: Db,
  staffId: number,
  value: CourseInput,
): Promise<{ ok: true; id: number } | { ok: false; problem: "codeTaken" }> {
  const code = value.code || `C-${randomBytes(4).toString("hex").toUpperCase()}`;
  try {
    const id = await db.$transaction(async (tx) => {
      const course = await tx.course.create({
        data: {
          code,
          kind: value.kind,
          municipality: value.municipality,
          title: value.texts[DEFAULT_LANGUAGE]?.title ?? "",
          description: value.texts[DEFAULT_LANGUAGE]?.description ?? "",
          translations: translationsOf(value),
        },
      });
      await audit(tx, {
        actorType: "staff",
        actorId: staffId,
        action: "course.created",
        entityType: "Course",
        entityId: course.id,
      });
      return course.id;
    });
    return { ok: true, id };
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, problem: "codeTaken" };
    throw error;
  }
}

export async function updateCourse(
  db: Db,
  staffId: number,
  courseId: number,
  value: CourseInput,
): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.course.update({
      where: { id: courseId },
      data: {
        kind: value.kind,
        municipality: value.municipality,
        title: value.texts[DEFAULT_LANGUAGE]?.title ?? "",
        description: value.texts[DEFAULT_LANGUAGE]?.description ?? "",
        translations: translationsOf(value),
      },
    });
    await audit(tx, {
      actorType: "staff",
      actorId: staffId,
      action: "course.updated",
      entityType: "Course",
      entityId: courseId,
    });
  });
}

export type SessionInput = {
  date: string;
  start: string;
  end: string;
  location: string;
  /** The place in other languages as typed (language → text, empty when not given). */
  places: Record<string, string>;
  capacity: string;
  hours: string;
};

export type SessionProblem =
  | "date"
  | "start"
  | "end"
  | "skipped"
  | "past"
  | "endBeforeStart"
  | "location"
  | "locationTooLong"
  | "capacity"
  | "capacityBelowEnrolled"
  | "hours"
  | "sameStart"
  | "started"
  | "cancelled";

export type CheckedSession = {
  startsAt: Date;
  endsAt: Date;
  location: string;
  /** { "en": { "location": … } }: only the languages given; Italian is the fallback. */
  translations: Translations;
  capacity: number;
  minutes: number | null;
};

export function sessionFormValue(body: Record<string, unknown>): SessionInput {
  const places: Record<string, string> = {};
  for (const lang of TRANSLATION_LANGUAGES) places[lang] = text(body[`location_${lang}`]);
  return {
    date: text(body.date),
    start: text(body.start),
    end: text(body.end),
    location: text(body.location),
    places,
    capacity: text(body.capacity),
    hours: text(body.hours),
  };
}

function placeTranslations(places: Record<string, string>): Translations {
  const out: Translations = {};
  for (const lang of TRANSLATION_LANGUAGES) {
    const place = places[lang];
    if (place) out[lang] = { location: place };
  }
  return out;
}

/** "2,5", "2.5", "2:30" → minutes (quarter hours at most precise), or null when not a number of hours. */
export function parseHours(input: string): number | null {
  const s = input.trim();
  const clock = /^(\d{1,2}):([0-5]\d)$/.exec(s);
  if (clock) return Number(clock[1]) * 60 + Number(clock[2]);
  if (!/^\d{1,2}([.,]\d{1,2})?$/.test(s)) return null;
  return Math.round(Number(s.replace(",", ".")) * 60);
}

/** Minutes → "2,5" (Italian decimal comma), as the forms show hours. */
export function formatHours(minutes: number): string {
  const hours = Math.round((minutes / 60) * 100) / 100;
  return String(hours).replace(".", ",");
}

/** Checks a session's form; `current` is the session being changed (its start may stay in the past). */
export function checkSession(
  value: SessionInput,
  options: { now: Date; enrolled: number; current?: { startsAt: Date } },
): { ok: true; value: CheckedSession } | { ok: false; problems: SessionProblem[] } {
  const problems: SessionProblem[] = [];
  const time = (v: string) => {
    const m = /^(\d{1,2}):(\d{2})$/.exec(v);
    return m !== null && Number(m[1]) <= 23 && Number(m[2]) <= 59;
  };
  const dateOk = /^(\d{4}-\d{2}-\d{2}|\d{1,2}\/\d{1,2}\/\d{4})$/.test(value.date);
  let startsAt: Date | null = null;
  let endsAt: Date | null = null;
  if (!dateOk) problems.push("date");
  if (!time(value.start)) problems.push("start");
  if (!time(value.end)) problems.push("end");
  if (problems.length === 0) {
    const s = readRomeDateTime(`${value.date} ${value.start}`);
    const e = readRomeDateTime(`${value.date} ${value.end}`);
    if (!s.ok || !e.ok) {
      const reasons = [s, e].map((r) => (r.ok ? null : r.reason));
      problems.push(reasons.includes("skipped") && !reasons.includes("invalid") ? "skipped" : "date");
    } else {
      startsAt = s.instant;
      endsAt = e.instant;
    }
  }
  if (startsAt && endsAt && endsAt.getTime() <= startsAt.getTime()) problems.push("endBeforeStart");
  const moved =
    startsAt && options.current ? startsAt.getTime() !== options.current.startsAt.getTime() : true;
  if (startsAt && moved && startsAt.getTime() <= options.now.getTime()) problems.push("past");
  if (!value.location) problems.push("location");
  else if ([value.location, ...Object.values(value.places)].some((p) => [...p].length > MAX_LOCATION))
    problems.push("locationTooLong");
  const capacity = /^\d{1,4}$/.test(value.capacity) ? Number(value.capacity) : Number.NaN;
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY) problems.push("capacity");
  else if (capacity < options.enrolled) problems.push("capacityBelowEnrolled");
  let minutes: number | null = null;
  if (value.hours !== "") {
    minutes = parseHours(value.hours);
    if (minutes === null || minutes <= 0 || minutes > 24 * 60) problems.push("hours");
  }
  if (problems.length > 0 || !startsAt || !endsAt)
    return { ok: false, problems: problems.length > 0 ? problems : ["date"] };
  return {
    ok: true,
    value: {
      startsAt,
      endsAt,
      location: value.location,
      translations: placeTranslations(value.places),
      capacity,
      minutes,
    },
  };
}

// ─── Changing sessions, and telling the people enrolled ─────────────────────────

export type SessionDeps = { db: Db; clock: Clock; deliveryQueue: DeliveryQueue };

export async function createSession(
  db: Db,
  staffId: number,
  courseId: number,
  value: CheckedSession,
): Promise<{ ok: true; id: number } | { ok: false; problem: "sameStart" }> {
  try {
    const id = await db.$transaction(async (tx) => {
      const session = await tx.courseSession.create({ data: { courseId, ...value } });
      await audit(tx, {
        actorType: "staff",
        actorId: staffId,
        action: "course.session.created",
        entityType: "CourseSession",
        entityId: session.id,
        details: { courseId },
      });
      return session.id;
    });
    return { ok: true, id };
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, problem: "sameStart" };
    throw error;
  }
}

/**
 * A new Italian place makes the translations of the old one wrong: those sent back unchanged from the
 * form are dropped (the Italian place is shown until a new one is typed); those typed anew stay.
 */
function keptPlaces(stored: unknown, wanted: Translations, locationChanged: boolean): Translations {
  if (!locationChanged) return wanted;
  const old = placesOf(stored);
  const out: Translations = {};
  for (const [lang, entry] of Object.entries(wanted)) {
    if (entry.location !== undefined && entry.location !== old[lang]) out[lang] = entry;
  }
  return out;
}

/**
 * Changes a session. Under the session's row lock (as enrolling takes it), the capacity is checked
 * against the places taken. When the date, time or place changed, every member holding a place is
 * told once, in their language.
 */
export async function updateSession(
  deps: SessionDeps,
  input: { staffId: number; sessionId: number; value: CheckedSession },
): Promise<
  { ok: true; told: number } | { ok: false; problem: "sameStart" | "capacityBelowEnrolled" | "cancelled" }
> {
  const { db } = deps;
  let result:
    | { ok: false; problem: "capacityBelowEnrolled" | "cancelled" }
    | { ok: true; moved: boolean; offers: Offer[] };
  try {
    result = await db.$transaction(async (tx) => {
      const [current] = await tx.$queryRaw<
        { startsAt: Date; endsAt: Date; location: string; translations: unknown; cancelledAt: Date | null }[]
      >`SELECT "startsAt", "endsAt", "location", "translations", "cancelledAt" FROM "CourseSession" WHERE "id" = ${input.sessionId} FOR UPDATE`;
      if (!current || current.cancelledAt) return { ok: false as const, problem: "cancelled" as const };
      const taken = await tx.enrolment.count({
        where: { sessionId: input.sessionId, status: { in: ["enrolled", "offered"] } },
      });
      if (input.value.capacity < taken)
        return { ok: false as const, problem: "capacityBelowEnrolled" as const };
      const locationChanged = current.location !== input.value.location;
      const moved =
        current.startsAt.getTime() !== input.value.startsAt.getTime() ||
        current.endsAt.getTime() !== input.value.endsAt.getTime() ||
        locationChanged;
      await tx.courseSession.update({
        where: { id: input.sessionId },
        data: {
          ...input.value,
          translations: keptPlaces(current.translations, input.value.translations, locationChanged),
        },
      });
      await audit(tx, {
        actorType: "staff",
        actorId: input.staffId,
        action: moved ? "course.session.moved" : "course.session.updated",
        entityType: "CourseSession",
        entityId: input.sessionId,
      });
      // More places: offered at once to those waiting.
      const offers = await offerFreePlaces(tx, input.sessionId, deps.clock.now());
      return { ok: true as const, moved, offers };
    });
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, problem: "sameStart" };
    throw error;
  }
  if (!result.ok) return result;
  await tellOffers(deps, result.offers);
  const told = result.moved ? await tellEnrolled(deps, input.sessionId, "moved") : 0;
  return { ok: true, told };
}

/**
 * Cancels a session that has not started. Cancelling again (a double click, a second coordinator)
 * changes nothing and sends nothing new, but asks again for any message not yet recorded, so a
 * process that stopped between the change and the messages is made good by pressing once more.
 */
export async function cancelSession(
  deps: SessionDeps,
  input: { staffId: number; sessionId: number },
): Promise<{ ok: true; told: number } | { ok: false; problem: "started" }> {
  const { db, clock } = deps;
  const outcome = await db.$transaction(async (tx) => {
    const [current] = await tx.$queryRaw<{ startsAt: Date; cancelledAt: Date | null }[]>`
      SELECT "startsAt", "cancelledAt" FROM "CourseSession" WHERE "id" = ${input.sessionId} FOR UPDATE`;
    if (!current) return "started" as const;
    if (current.cancelledAt) return "already" as const;
    if (current.startsAt.getTime() <= clock.now().getTime()) return "started" as const;
    await tx.courseSession.update({ where: { id: input.sessionId }, data: { cancelledAt: clock.now() } });
    await audit(tx, {
      actorType: "staff",
      actorId: input.staffId,
      action: "course.session.cancelled",
      entityType: "CourseSession",
      entityId: input.sessionId,
    });
    return "cancelled" as const;
  });
  if (outcome === "started") return { ok: false, problem: "started" };
  return { ok: true, told: await tellEnrolled(deps, input.sessionId, "cancelled") };
}

/** "09/12/2026, from 09:30 to 12:30" in the member's language (the bot's own wording). */
function whenText(t: ReturnType<typeof translator>, startsAt: Date, endsAt: Date): string {
  const [startDate, startTime] = formatRomeDateTime(startsAt).split(" ");
  const [endDate, endTime] = formatRomeDateTime(endsAt).split(" ");
  if (startDate === endDate) return t("when_day", { date: startDate, start: startTime, end: endTime });
  return t("when_span", { start: formatRomeDateTime(startsAt), end: formatRomeDateTime(endsAt) });
}

/**
 * Asks the delivery queue to tell each member holding a place that the session was cancelled or
 * moved. The purpose names the session, the member and (for a move) the new date and place, so each
 * change is told once however often this runs, and a later move is told again. A cancellation is
 * told to the waiting list too (with its own words: they had no place), or they would go on waiting
 * for a place in a session that will not be held; a move is not: they still wait, and are told the
 * date and place with the offer.
 */
async function tellEnrolled(
  deps: SessionDeps,
  sessionId: number,
  what: "cancelled" | "moved",
): Promise<number> {
  const session = await deps.db.courseSession.findUnique({
    where: { id: sessionId },
    include: {
      course: { select: { title: true, municipality: true, translations: true } },
      enrolments: {
        where: {
          status: { in: what === "cancelled" ? ["enrolled", "offered", "waiting"] : ["enrolled", "offered"] },
          member: { unreachableAt: null },
        },
        select: { status: true, member: { select: { id: true, language: true } } },
        orderBy: { id: "asc" },
      },
    },
  });
  if (!session) return 0;
  const version =
    what === "cancelled"
      ? ""
      : `:${session.startsAt.getTime()}-${session.endsAt.getTime()}-${createHash("sha256").update(session.location).digest("hex").slice(0, 12)}`;
  let told = 0;
  for (const { member, status } of session.enrolments) {
    const t = translator(member.language, "courses");
    const title = translated(session.course.title, session.course.translations, member.language, "title");
    const location = translated(session.location, session.translations, member.language, "location");
    const key =
      what === "moved"
        ? "notice_moved"
        : status === "waiting"
          ? "notice_cancelled_waiting"
          : "notice_cancelled";
    const body = t(key, {
      title: escapeHtml(title),
      when: whenText(t, session.startsAt, session.endsAt),
      place: `${escapeHtml(location)} (${escapeHtml(session.course.municipality)})`,
    });
    const { created } = await requestDelivery(deps, {
      memberId: member.id,
      purpose: `course-${what}:${sessionId}:${member.id}${version}`,
      text: body,
      parseMode: "HTML",
    });
    if (created) told++;
  }
  if (told > 0) {
    await audit(deps.db, {
      actorType: "system",
      action: `course.session.${what}.told`,
      entityType: "CourseSession",
      entityId: sessionId,
      details: { members: told },
    });
  }
  return told;
}

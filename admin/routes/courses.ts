// /courses: coordinators and admins keep the courses and their sessions, see who is enrolled, cancel
// or move a session (the people enrolled are told in the bot), and keep the attendance register.
// Operators get 403. A course of another office answers 404, like one that does not exist.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { audit } from "../../core/audit.ts";
import {
  cancelSession,
  checkCourse,
  checkSession,
  courseFormValue,
  courseMunicipalities,
  createCourse,
  createSession,
  formatHours,
  getCourse,
  getSession,
  listCourses,
  type SessionInput,
  type SessionRow,
  sessionEnrolments,
  sessionFormValue,
  updateCourse,
  updateSession,
} from "../../core/courses/admin.ts";
import {
  courseAttendance,
  membersAttendance,
  registerCsv,
  registerLines,
  saveRegister,
} from "../../core/courses/attendance.ts";
import { TRANSLATION_LANGUAGES } from "../../core/courses/translations.ts";
import { translator } from "../../core/i18n.ts";
import type { DeliveryQueue } from "../../core/queues/delivery.ts";
import { formatRomeDateTime } from "../../core/time.ts";
import { sessionOf } from "../auth.ts";
import { type AdminContext, pageInfo, sendHtml, sendNotFound } from "../context.ts";
import {
  attendancePage,
  cancelConfirmPage,
  courseNewPage,
  coursePage,
  coursesPage,
  registerPage,
  sessionNewPage,
  sessionPage,
} from "../views/courses.ts";

function idOf(value: unknown): number | null {
  return typeof value === "string" && /^[1-9]\d{0,8}$/.test(value) ? Number(value) : null;
}

const NOTICES = [
  "created",
  "updated",
  "sessionCreated",
  "sessionUpdated",
  "moved",
  "cancelled",
  "registerSaved",
];

function noticeOf(query: unknown): { notice?: string; count?: number } {
  const raw = (query ?? {}) as Record<string, unknown>;
  const notice = NOTICES.find((n) => n === raw.notice);
  const count = typeof raw.n === "string" && /^\d{1,5}$/.test(raw.n) ? Number(raw.n) : undefined;
  return { ...(notice ? { notice } : {}), ...(count === undefined ? {} : { count }) };
}

/** A session's form filled with what is stored (Europe/Rome). */
function sessionValue(s: SessionRow): SessionInput {
  const [date = "", start = ""] = formatRomeDateTime(s.startsAt).split(" ");
  const end = formatRomeDateTime(s.endsAt).split(" ")[1] ?? "";
  const [dd, mm, yyyy] = date.split("/");
  return {
    date: `${yyyy}-${mm}-${dd}`,
    start,
    end,
    location: s.location,
    places: Object.fromEntries(TRANSLATION_LANGUAGES.map((lang) => [lang, s.places[lang] ?? ""])),
    capacity: String(s.capacity),
    hours: s.minutes === null ? "" : formatHours(s.minutes),
  };
}

export function courseRoutes(
  app: FastifyInstance,
  ctx: AdminContext,
  options: { deliveryQueue: DeliveryQueue | undefined },
): void {
  const { db, clock, auth } = ctx;
  const demo = ctx.demo !== undefined;
  const allowed = auth.requireRole("coordinator", "admin");
  const notFound = (request: FastifyRequest, reply: FastifyReply) => sendNotFound(request, reply, demo);
  const body = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>;
  const deps = () => {
    if (!options.deliveryQueue) throw new Error("the admin server was started without the delivery queue");
    return { db, clock, deliveryQueue: options.deliveryQueue };
  };

  async function loadCourse(request: FastifyRequest) {
    const id = idOf((request.params as { id?: string }).id);
    return id === null ? null : getCourse(db, sessionOf(request), id);
  }

  async function loadSession(request: FastifyRequest) {
    const params = request.params as { id?: string; sessionId?: string };
    const courseId = idOf(params.id);
    const sessionId = idOf(params.sessionId);
    if (courseId === null || sessionId === null) return null;
    return getSession(db, sessionOf(request), courseId, sessionId);
  }

  app.get("/courses", { preHandler: allowed }, async (request, reply) => {
    const courses = await listCourses(db, sessionOf(request), clock.now());
    return sendHtml(reply, coursesPage(pageInfo(request, demo), { courses, ...noticeOf(request.query) }));
  });

  app.get("/courses/new", { preHandler: allowed }, async (request, reply) => {
    const municipalities = await courseMunicipalities(db, sessionOf(request));
    return sendHtml(
      reply,
      courseNewPage(pageInfo(request, demo), {
        value: courseFormValue({
          kind: "course",
          municipality: municipalities.length === 1 ? municipalities[0] : "",
        }),
        municipalities,
        problems: [],
      }),
    );
  });

  app.post("/courses", { preHandler: allowed }, async (request, reply) => {
    const staff = sessionOf(request);
    const municipalities = await courseMunicipalities(db, staff);
    const value = courseFormValue(body(request));
    const problems = checkCourse(value, municipalities, { creating: true });
    if (problems.length === 0) {
      const created = await createCourse(db, staff.staffId, value);
      if (created.ok) return reply.redirect(`/courses/${created.id}?notice=created`, 303);
      problems.push(created.problem);
    }
    return sendHtml(reply, courseNewPage(pageInfo(request, demo), { value, municipalities, problems }), 400);
  });

  app.get("/courses/:id", { preHandler: allowed }, async (request, reply) => {
    const course = await loadCourse(request);
    if (!course) return notFound(request, reply);
    const municipalities = await courseMunicipalities(db, sessionOf(request));
    return sendHtml(
      reply,
      coursePage(pageInfo(request, demo), {
        course,
        value: {
          code: course.code,
          kind: course.kind,
          municipality: course.municipality,
          texts: course.texts,
        },
        municipalities,
        problems: [],
        now: clock.now(),
        ...noticeOf(request.query),
      }),
    );
  });

  app.post("/courses/:id", { preHandler: allowed }, async (request, reply) => {
    const course = await loadCourse(request);
    if (!course) return notFound(request, reply);
    const staff = sessionOf(request);
    const municipalities = await courseMunicipalities(db, staff);
    const value = { ...courseFormValue(body(request)), code: course.code };
    // An admin may keep a municipality no office covers; a coordinator only one of their office's.
    const problems = checkCourse(value, municipalities, {
      creating: false,
      ...(staff.role === "admin" ? { currentMunicipality: course.municipality } : {}),
    });
    if (problems.length > 0) {
      return sendHtml(
        reply,
        coursePage(pageInfo(request, demo), { course, value, municipalities, problems, now: clock.now() }),
        400,
      );
    }
    await updateCourse(db, staff.staffId, course.id, value);
    return reply.redirect(`/courses/${course.id}?notice=updated`, 303);
  });

  app.get("/courses/:id/sessions/new", { preHandler: allowed }, async (request, reply) => {
    const course = await loadCourse(request);
    if (!course) return notFound(request, reply);
    const value = sessionFormValue({ capacity: "15" });
    return sendHtml(reply, sessionNewPage(pageInfo(request, demo), { course, value, problems: [] }));
  });

  app.post("/courses/:id/sessions", { preHandler: allowed }, async (request, reply) => {
    const course = await loadCourse(request);
    if (!course) return notFound(request, reply);
    const value = sessionFormValue(body(request));
    const checked = checkSession(value, { now: clock.now(), enrolled: 0 });
    if (checked.ok) {
      const created = await createSession(db, sessionOf(request).staffId, course.id, checked.value);
      if (created.ok)
        return reply.redirect(`/courses/${course.id}/sessions/${created.id}?notice=sessionCreated`, 303);
      return sendHtml(
        reply,
        sessionNewPage(pageInfo(request, demo), { course, value, problems: [created.problem] }),
        400,
      );
    }
    return sendHtml(
      reply,
      sessionNewPage(pageInfo(request, demo), { course, value, problems: checked.problems }),
      400,
    );
  });

  async function showSession(
    request: FastifyRequest,
    reply: FastifyReply,
    found: NonNullable<Awaited<ReturnType<typeof loadSession>>>,
    form?: { value: SessionInput; problems: Parameters<typeof sessionPage>[1]["problems"] },
  ) {
    const staff = sessionOf(request);
    const enrolled = await sessionEnrolments(db, staff, found.session.id);
    // Across every course, only for the families this person sees (others are a member number).
    const overall = await membersAttendance(
      db,
      enrolled.filter((p) => p.household !== null).map((p) => p.memberId),
    );
    await audit(db, {
      actorType: "staff",
      actorId: staff.staffId,
      action: "course.enrolments.viewed",
      entityType: "CourseSession",
      entityId: found.session.id,
    });
    return sendHtml(
      reply,
      sessionPage(pageInfo(request, demo), {
        ...found,
        enrolled,
        overall,
        value: form?.value ?? sessionValue(found.session),
        problems: form?.problems ?? [],
        now: clock.now(),
        ...(form ? {} : noticeOf(request.query)),
      }),
      form ? 400 : 200,
    );
  }

  app.get("/courses/:id/sessions/:sessionId", { preHandler: allowed }, async (request, reply) => {
    const found = await loadSession(request);
    if (!found) return notFound(request, reply);
    return showSession(request, reply, found);
  });

  app.post("/courses/:id/sessions/:sessionId", { preHandler: allowed }, async (request, reply) => {
    const found = await loadSession(request);
    if (!found) return notFound(request, reply);
    const value = sessionFormValue(body(request));
    if (found.session.cancelledAt)
      return showSession(request, reply, found, { value, problems: ["cancelled"] });
    const checked = checkSession(value, {
      now: clock.now(),
      enrolled: found.session.enrolled,
      current: { startsAt: found.session.startsAt },
    });
    if (!checked.ok) return showSession(request, reply, found, { value, problems: checked.problems });
    const updated = await updateSession(deps(), {
      staffId: sessionOf(request).staffId,
      sessionId: found.session.id,
      value: checked.value,
    });
    if (!updated.ok) return showSession(request, reply, found, { value, problems: [updated.problem] });
    const base = `/courses/${found.course.id}/sessions/${found.session.id}`;
    return reply.redirect(
      updated.told > 0 ? `${base}?notice=moved&n=${updated.told}` : `${base}?notice=sessionUpdated`,
      303,
    );
  });

  app.get("/courses/:id/sessions/:sessionId/cancel", { preHandler: allowed }, async (request, reply) => {
    const found = await loadSession(request);
    if (!found) return notFound(request, reply);
    const waiting = await db.enrolment.count({ where: { sessionId: found.session.id, status: "waiting" } });
    return sendHtml(reply, cancelConfirmPage(pageInfo(request, demo), { ...found, waiting }));
  });

  app.post("/courses/:id/sessions/:sessionId/cancel", { preHandler: allowed }, async (request, reply) => {
    const found = await loadSession(request);
    if (!found) return notFound(request, reply);
    const result = await cancelSession(deps(), {
      staffId: sessionOf(request).staffId,
      sessionId: found.session.id,
    });
    if (!result.ok) {
      return showSession(request, reply, found, {
        value: sessionValue(found.session),
        problems: ["started"],
      });
    }
    return reply.redirect(
      `/courses/${found.course.id}/sessions/${found.session.id}?notice=cancelled&n=${result.told}`,
      303,
    );
  });

  // ─── The attendance register ───────────────────────────────────────────────

  const registrable = (found: NonNullable<Awaited<ReturnType<typeof loadSession>>>) =>
    !found.session.cancelledAt && found.session.startsAt.getTime() <= clock.now().getTime();
  const sessionMinutes = (s: SessionRow) =>
    s.minutes ?? Math.round((s.endsAt.getTime() - s.startsAt.getTime()) / 60_000);

  app.get("/courses/:id/sessions/:sessionId/register", { preHandler: allowed }, async (request, reply) => {
    const found = await loadSession(request);
    if (!found || !registrable(found)) return notFound(request, reply);
    const staff = sessionOf(request);
    const lines = await registerLines(db, staff, found.session.id);
    await audit(db, {
      actorType: "staff",
      actorId: staff.staffId,
      action: "course.register.viewed",
      entityType: "CourseSession",
      entityId: found.session.id,
    });
    return sendHtml(
      reply,
      registerPage(pageInfo(request, demo), { ...found, lines, problems: [], ...noticeOf(request.query) }),
    );
  });

  app.post("/courses/:id/sessions/:sessionId/register", { preHandler: allowed }, async (request, reply) => {
    const found = await loadSession(request);
    if (!found || !registrable(found)) return notFound(request, reply);
    const staff = sessionOf(request);
    const form = body(request);
    const lines = await registerLines(db, staff, found.session.id);
    const count = typeof form.count === "string" && /^\d{1,4}$/.test(form.count) ? Number(form.count) : 0;
    const entries = [];
    for (let i = 0; i < count; i++) {
      const memberId = idOf(form[`member_${i}`]) ?? -1;
      const status = typeof form[`status_${i}`] === "string" ? (form[`status_${i}`] as string) : "";
      const hours = typeof form[`hours_${i}`] === "string" ? (form[`hours_${i}`] as string) : "";
      entries.push({ memberId, status, hours });
    }
    const saved = await saveRegister(db, {
      staffId: staff.staffId,
      sessionId: found.session.id,
      sessionMinutes: sessionMinutes(found.session),
      allowed: new Set(lines.map((l) => l.memberId)),
      entries,
    });
    if (!saved.ok) {
      return sendHtml(
        reply,
        registerPage(pageInfo(request, demo), { ...found, lines, problems: saved.problems }),
        400,
      );
    }
    return reply.redirect(
      `/courses/${found.course.id}/sessions/${found.session.id}/register?notice=registerSaved`,
      303,
    );
  });

  app.get("/courses/:id/attendance", { preHandler: allowed }, async (request, reply) => {
    const course = await loadCourse(request);
    if (!course) return notFound(request, reply);
    const staff = sessionOf(request);
    const summary = await courseAttendance(db, staff, course.id);
    const overall = await membersAttendance(
      db,
      summary.people.filter((p) => p.household !== null).map((p) => p.memberId),
    );
    await audit(db, {
      actorType: "staff",
      actorId: staff.staffId,
      action: "course.attendance.viewed",
      entityType: "Course",
      entityId: course.id,
    });
    return sendHtml(reply, attendancePage(pageInfo(request, demo), { course, summary, overall }));
  });

  app.get("/courses/:id/register.csv", { preHandler: allowed }, async (request, reply) => {
    const course = await loadCourse(request);
    if (!course) return notFound(request, reply);
    const staff = sessionOf(request);
    const c = translator(pageInfo(request, demo).lang, "coursesAdmin");
    const csv = await registerCsv(db, staff, {
      courseId: course.id,
      staffId: staff.staffId,
      headers: [
        "csv.code",
        "csv.title",
        "csv.start",
        "csv.end",
        "csv.place",
        "csv.member",
        "csv.contract",
        "csv.household",
        "csv.status",
        "csv.hours",
      ].map((k) => c(k)),
      statusLabel: (s) => c(`register.${s}`),
    });
    return reply
      .type("text/csv; charset=utf-8")
      .header(
        "content-disposition",
        `attachment; filename="registro-${course.code.replace(/[^A-Za-z0-9._-]/g, "_")}.csv"`,
      )
      .header("cache-control", "no-store")
      .send(csv);
  });
}

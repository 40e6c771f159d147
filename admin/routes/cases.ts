// Cases in the admin panel: the conversations households opened with /operator, answered here.
// Replies reach the household through the delivery queue (core/cases.ts replyToCase).
import { TZDate } from "@date-fns/tz";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { audit } from "../../core/audit.ts";
import {
  closeCaseByStaff,
  getCaseDetail,
  isCaseOutcome,
  MAX_REPLY_LENGTH,
  replyToCase,
  staffSignature,
} from "../../core/cases.ts";
import {
  addCaseNote,
  assignableStaff,
  assignVisibleCase,
  caseNotes,
  DEFAULT_FILTER,
  findVisibleCase,
  INBOX_STATUSES,
  type InboxFilter,
  listInbox,
  snoozeCase,
  transferCase,
  waitingCount,
} from "../../core/inbox.ts";
import { listOffices } from "../../core/offices/offices.ts";
import type { DeliveryQueue } from "../../core/queues/delivery.ts";
import { fillPlaceholders, householdFigures, listSavedReplies } from "../../core/saved-replies.ts";
import { TIME_ZONE } from "../../core/time.ts";
import { sessionOf } from "../auth.ts";
import { type AdminContext, idOf, idParam, pageInfo, sendHtml, sendNotFound } from "../context.ts";
import type { LiveFeed } from "../live.ts";
import {
  type CaseNotice,
  type CaseProblem,
  type CaseView,
  casePage,
  casesPage,
  closeCasePage,
} from "../views/cases.ts";

const NOTICES: readonly CaseNotice[] = [
  "sent",
  "noRecipients",
  "assigned",
  "closed",
  "alreadyClosed",
  "noted",
  "snoozed",
  "woken",
  "transferred",
];

/** ?status=us&mine=1…: the inbox's filters, anything unknown ignored. */
function filterOf(query: unknown): InboxFilter {
  const raw = (query ?? {}) as Record<string, unknown>;
  const status = INBOX_STATUSES.find((s) => s === raw.status) ?? DEFAULT_FILTER.status;
  return { status, mine: raw.mine === "1", unassigned: raw.unassigned === "1", urgent: raw.urgent === "1" };
}

/** "2026-12-24" from a date field → midnight of that day in Rome; anything else → undefined. */
function romeDateField(value: unknown): Date | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const day = new TZDate(y, m - 1, d, 0, 0, TIME_ZONE);
  if (day.getFullYear() !== y || day.getMonth() !== m - 1 || day.getDate() !== d) return undefined;
  return new Date(day.getTime());
}

function noticeOf(query: unknown): CaseView["notice"] {
  const raw = (query ?? {}) as Record<string, unknown>;
  const kind = NOTICES.find((n) => n === raw.notice);
  if (!kind) return undefined;
  const count = typeof raw.n === "string" && /^\d{1,4}$/.test(raw.n) ? Number(raw.n) : undefined;
  return count === undefined ? { kind } : { kind, count };
}

export function caseRoutes(
  app: FastifyInstance,
  ctx: AdminContext,
  options: { deliveryQueue: DeliveryQueue | undefined; caseSlaHours: number; live: LiveFeed },
): void {
  const { db, clock, auth } = ctx;
  const demo = ctx.demo !== undefined;
  const allowed = auth.requireRole("operator", "coordinator", "admin");

  const notFound = (request: FastifyRequest, reply: FastifyReply) => sendNotFound(request, reply, demo);

  async function showCase(
    request: FastifyRequest,
    reply: FastifyReply,
    caseId: number,
    extra: Pick<CaseView, "notice" | "problem" | "draft" | "noteDraft"> = {},
    status = 200,
    /** A staff member opening the case (not the page shown again after a refused reply). */
    opened = false,
  ): Promise<FastifyReply> {
    const session = sessionOf(request);
    if (!(await findVisibleCase(db, session, caseId))) return notFound(request, reply);
    const detail = await getCaseDetail(db, caseId);
    if (!detail) return notFound(request, reply);
    // Who opened a household's conversation is the household's to know (its /privacy export).
    if (opened) {
      await audit(db, {
        actorType: "staff",
        actorId: session.staffId,
        action: "case.viewed",
        entityType: "case",
        entityId: caseId,
      });
    }
    const now = clock.now();
    // Signed as the household will read it (core/cases.ts signs with the staff record).
    const [staff, notes, savedReplies, assignees, offices] = await Promise.all([
      db.staff.findUnique({ where: { id: session.staffId }, select: { email: true, firstName: true } }),
      caseNotes(db, caseId),
      listSavedReplies(db, detail.household.language),
      assignableStaff(db, detail.household.officeId),
      session.role === "operator" ? Promise.resolve([]) : listOffices(db),
    ]);
    // A saved reply chosen (?saved=ID): its text with the household's figures, in the reply box.
    let draft = extra.draft;
    let saved: CaseView["saved"];
    const savedId = idOf((request.query as Record<string, unknown> | undefined)?.saved);
    const chosen = savedId === null ? undefined : savedReplies.find((r) => r.id === savedId);
    if (chosen && draft === undefined) {
      const figures = await householdFigures(db, detail.household, now);
      const filled = fillPlaceholders(chosen.body, figures);
      draft = filled.text;
      saved = { id: chosen.id, missing: filled.missing };
    }
    return sendHtml(
      reply,
      casePage(pageInfo(request, demo), {
        detail,
        staff: {
          id: session.staffId,
          signature: staffSignature(staff?.email ?? session.email, staff?.firstName),
        },
        maxLength: MAX_REPLY_LENGTH,
        ...extra,
        ...(draft === undefined ? {} : { draft }),
        saved,
        notes,
        savedReplies,
        assignees,
        offices: offices.filter((o) => o.id !== detail.household.officeId),
        now,
      }),
      status,
    );
  }

  app.get("/cases", { preHandler: allowed }, async (request, reply) => {
    const filter = filterOf(request.query);
    const now = clock.now();
    const rows = await listInbox(db, sessionOf(request), { now, slaHours: options.caseSlaHours, filter });
    const notice = (request.query as Record<string, unknown> | undefined)?.notice === "transferred";
    return sendHtml(
      reply,
      casesPage(pageInfo(request, demo), {
        rows,
        filter,
        now,
        slaHours: options.caseSlaHours,
        transferred: notice,
      }),
    );
  });

  // New household messages of the visible cases, as they come (admin/live.ts).
  app.get("/cases/events", { preHandler: allowed }, async (request, reply) => {
    const session = sessionOf(request);
    const scope = { staffId: session.staffId, role: session.role, officeId: session.officeId };
    await options.live.stream(request, reply, {
      scope,
      caseId: null,
      waiting: () => waitingCount(db, scope, clock.now()),
    });
  });

  app.get("/cases/:id/events", { preHandler: allowed }, async (request, reply) => {
    const caseId = idParam(request);
    if (caseId === null) return notFound(request, reply);
    const session = sessionOf(request);
    if (!(await findVisibleCase(db, session, caseId))) return notFound(request, reply);
    const scope = { staffId: session.staffId, role: session.role, officeId: session.officeId };
    await options.live.stream(request, reply, {
      scope,
      caseId,
      waiting: () => waitingCount(db, scope, clock.now()),
    });
  });

  app.get("/cases/:id", { preHandler: allowed }, async (request, reply) => {
    const caseId = idParam(request);
    if (caseId === null) return notFound(request, reply);
    return showCase(request, reply, caseId, { notice: noticeOf(request.query) }, 200, true);
  });

  app.post("/cases/:id/reply", { preHandler: allowed }, async (request, reply) => {
    const caseId = idParam(request);
    if (caseId === null) return notFound(request, reply);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const text = typeof body.text === "string" ? body.text : "";
    const deliveryQueue = options.deliveryQueue;
    if (!deliveryQueue) throw new Error("the admin server was started without the delivery queue");
    const session = sessionOf(request);
    if (!(await findVisibleCase(db, session, caseId))) return notFound(request, reply);
    const result = await replyToCase(
      { db, clock, deliveryQueue },
      { caseId, staffId: session.staffId, text },
    );
    switch (result.status) {
      case "not_found":
        return notFound(request, reply);
      case "invalid": {
        const problem: { kind: CaseProblem; length: number } = {
          kind: result.problem,
          length: text.replace(/\r\n?/g, "\n").trim().length,
        };
        return showCase(request, reply, caseId, { problem, draft: text }, 400);
      }
      case "closed":
        return showCase(request, reply, caseId, { problem: { kind: "closed" }, draft: text }, 409);
      case "sent": {
        const notice = result.recipients > 0 ? `sent&n=${result.recipients}` : "noRecipients";
        return reply.redirect(`/cases/${caseId}?notice=${notice}`, 303);
      }
    }
  });

  app.post("/cases/:id/assign", { preHandler: allowed }, async (request, reply) => {
    const caseId = idParam(request);
    if (caseId === null) return notFound(request, reply);
    const session = sessionOf(request);
    const chosen = (request.body as Record<string, unknown> | undefined)?.staffId;
    // Without a choice, the person asking takes it.
    const assigneeId = chosen === undefined ? session.staffId : idOf(chosen);
    if (assigneeId === null) {
      if (!(await findVisibleCase(db, session, caseId))) return notFound(request, reply);
      return showCase(request, reply, caseId, { problem: { kind: "notAssignable" } }, 400);
    }
    const result = await assignVisibleCase(db, session, { caseId, assigneeId });
    if (result === "not_found") return notFound(request, reply);
    if (result === "not_assignable") {
      return showCase(request, reply, caseId, { problem: { kind: "notAssignable" } }, 400);
    }
    return reply.redirect(
      `/cases/${caseId}?notice=assigned${assigneeId === session.staffId ? "" : "&n=1"}`,
      303,
    );
  });

  // Closing asks first: the household is told (or, with nobody reachable, must be told another way).
  app.get("/cases/:id/close", { preHandler: allowed }, async (request, reply) => {
    const caseId = idParam(request);
    if (caseId === null) return notFound(request, reply);
    if (!(await findVisibleCase(db, sessionOf(request), caseId))) return notFound(request, reply);
    const detail = await getCaseDetail(db, caseId);
    if (!detail) return notFound(request, reply);
    if (detail.status === "closed") return reply.redirect(`/cases/${caseId}?notice=alreadyClosed`, 303);
    return sendHtml(reply, closeCasePage(pageInfo(request, demo), detail));
  });

  app.post("/cases/:id/close", { preHandler: allowed }, async (request, reply) => {
    const caseId = idParam(request);
    if (caseId === null) return notFound(request, reply);
    const deliveryQueue = options.deliveryQueue;
    if (!deliveryQueue) throw new Error("the admin server was started without the delivery queue");
    if (!(await findVisibleCase(db, sessionOf(request), caseId))) return notFound(request, reply);
    const outcome = (request.body as Record<string, unknown> | undefined)?.outcome;
    if (!isCaseOutcome(outcome)) {
      // Asked again, saying what is missing; nothing closed.
      const detail = await getCaseDetail(db, caseId);
      if (!detail) return notFound(request, reply);
      if (detail.status === "closed") return reply.redirect(`/cases/${caseId}?notice=alreadyClosed`, 303);
      return sendHtml(reply, closeCasePage(pageInfo(request, demo), detail, { missingOutcome: true }), 400);
    }
    const result = await closeCaseByStaff(
      { db, clock, deliveryQueue },
      { caseId, staffId: sessionOf(request).staffId, outcome },
    );
    if (result === "not_found") return notFound(request, reply);
    if (result === "already_closed") return reply.redirect(`/cases/${caseId}?notice=alreadyClosed`, 303);
    return reply.redirect(`/cases/${caseId}?notice=closed&n=${result.notified}`, 303);
  });

  app.post("/cases/:id/notes", { preHandler: allowed }, async (request, reply) => {
    const caseId = idParam(request);
    if (caseId === null) return notFound(request, reply);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const text = typeof body.text === "string" ? body.text : "";
    const result = await addCaseNote(db, sessionOf(request), { caseId, text, now: clock.now() });
    if (result.status === "not_found") return notFound(request, reply);
    if (result.status === "invalid") {
      const kind: CaseProblem = result.problem === "empty" ? "noteEmpty" : "noteTooLong";
      return showCase(request, reply, caseId, { problem: { kind }, noteDraft: text }, 400);
    }
    return reply.redirect(`/cases/${caseId}?notice=noted`, 303);
  });

  app.post("/cases/:id/snooze", { preHandler: allowed }, async (request, reply) => {
    const caseId = idParam(request);
    if (caseId === null) return notFound(request, reply);
    const raw = (request.body as Record<string, unknown> | undefined)?.until;
    const until = raw === "" ? null : romeDateField(raw);
    const session = sessionOf(request);
    const result =
      until === undefined
        ? (await findVisibleCase(db, session, caseId))
          ? "invalid"
          : "not_found"
        : await snoozeCase(db, session, { caseId, until, now: clock.now() });
    if (result === "not_found") return notFound(request, reply);
    if (result === "invalid")
      return showCase(request, reply, caseId, { problem: { kind: "snoozeInvalid" } }, 400);
    if (result === "closed") return reply.redirect(`/cases/${caseId}?notice=alreadyClosed`, 303);
    return reply.redirect(`/cases/${caseId}?notice=${result}`, 303);
  });

  app.post(
    "/cases/:id/transfer",
    { preHandler: auth.requireRole("coordinator", "admin") },
    async (request, reply) => {
      const caseId = idParam(request);
      if (caseId === null) return notFound(request, reply);
      const session = sessionOf(request);
      const officeId = idOf((request.body as Record<string, unknown> | undefined)?.officeId);
      const result =
        officeId === null
          ? (await findVisibleCase(db, session, caseId))
            ? "invalid"
            : "not_found"
          : await transferCase(db, session, { caseId, officeId });
      if (result === "not_found") return notFound(request, reply);
      if (result === "invalid" || result === "forbidden") {
        return showCase(request, reply, caseId, { problem: { kind: "transferInvalid" } }, 400);
      }
      // A coordinator no longer sees a household of another office: back to their inbox.
      return (await findVisibleCase(db, session, caseId))
        ? reply.redirect(`/cases/${caseId}?notice=transferred`, 303)
        : reply.redirect("/cases?notice=transferred", 303);
    },
  );
}

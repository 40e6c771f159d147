// Cases in the admin panel: the conversations households opened with /operator, answered here.
// Replies reach the household through the delivery queue (core/cases.ts replyToCase).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { audit } from "../../core/audit.ts";
import {
  assignCase,
  closeCaseByStaff,
  getCaseDetail,
  isCaseOutcome,
  listActiveCases,
  MAX_REPLY_LENGTH,
  replyToCase,
  staffSignature,
} from "../../core/cases.ts";
import type { DeliveryQueue } from "../../core/queues/delivery.ts";
import { sessionOf } from "../auth.ts";
import { type AdminContext, pageInfo, sendHtml, sendNotFound } from "../context.ts";
import {
  type CaseNotice,
  type CaseProblem,
  type CaseView,
  casePage,
  casesPage,
  closeCasePage,
} from "../views/cases.ts";

const NOTICES: readonly CaseNotice[] = ["sent", "noRecipients", "assigned", "closed", "alreadyClosed"];

/** "/cases/12" → 12; anything else (letters, huge numbers) is no case at all. */
function caseIdOf(request: FastifyRequest): number | null {
  const { id } = request.params as { id?: string };
  return typeof id === "string" && /^[1-9]\d{0,8}$/.test(id) ? Number(id) : null;
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
  options: { deliveryQueue: DeliveryQueue | undefined },
): void {
  const { db, clock, auth } = ctx;
  const demo = ctx.demo !== undefined;
  const allowed = auth.requireRole("operator", "coordinator", "admin");

  const notFound = (request: FastifyRequest, reply: FastifyReply) => sendNotFound(request, reply, demo);

  async function showCase(
    request: FastifyRequest,
    reply: FastifyReply,
    caseId: number,
    extra: Pick<CaseView, "notice" | "problem" | "draft"> = {},
    status = 200,
    /** A staff member opening the case (not the page shown again after a refused reply). */
    opened = false,
  ): Promise<FastifyReply> {
    const detail = await getCaseDetail(db, caseId);
    if (!detail) return notFound(request, reply);
    const session = sessionOf(request);
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
    // Signed as the household will read it (core/cases.ts signs with the staff record).
    const staff = await db.staff.findUnique({
      where: { id: session.staffId },
      select: { email: true, firstName: true },
    });
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
      }),
      status,
    );
  }

  app.get("/cases", { preHandler: allowed }, async (request, reply) => {
    const rows = await listActiveCases(db);
    return sendHtml(reply, casesPage(pageInfo(request, demo), rows));
  });

  app.get("/cases/:id", { preHandler: allowed }, async (request, reply) => {
    const caseId = caseIdOf(request);
    if (caseId === null) return notFound(request, reply);
    return showCase(request, reply, caseId, { notice: noticeOf(request.query) }, 200, true);
  });

  app.post("/cases/:id/reply", { preHandler: allowed }, async (request, reply) => {
    const caseId = caseIdOf(request);
    if (caseId === null) return notFound(request, reply);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const text = typeof body.text === "string" ? body.text : "";
    const deliveryQueue = options.deliveryQueue;
    if (!deliveryQueue) throw new Error("the admin server was started without the delivery queue");
    const { staffId } = sessionOf(request);
    const result = await replyToCase({ db, clock, deliveryQueue }, { caseId, staffId, text });
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
    const caseId = caseIdOf(request);
    if (caseId === null) return notFound(request, reply);
    const result = await assignCase(db, { caseId, staffId: sessionOf(request).staffId });
    if (result === "not_found") return notFound(request, reply);
    return reply.redirect(`/cases/${caseId}?notice=assigned`, 303);
  });

  // Closing asks first: the household is told (or, with nobody reachable, must be told another way).
  app.get("/cases/:id/close", { preHandler: allowed }, async (request, reply) => {
    const caseId = caseIdOf(request);
    if (caseId === null) return notFound(request, reply);
    const detail = await getCaseDetail(db, caseId);
    if (!detail) return notFound(request, reply);
    if (detail.status === "closed") return reply.redirect(`/cases/${caseId}?notice=alreadyClosed`, 303);
    return sendHtml(reply, closeCasePage(pageInfo(request, demo), detail));
  });

  app.post("/cases/:id/close", { preHandler: allowed }, async (request, reply) => {
    const caseId = caseIdOf(request);
    if (caseId === null) return notFound(request, reply);
    const deliveryQueue = options.deliveryQueue;
    if (!deliveryQueue) throw new Error("the admin server was started without the delivery queue");
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
}

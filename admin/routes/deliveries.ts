// Deliveries: how the messages the system starts are faring, and the ones that did not (or may not)
// reach their recipient. For coordinators and admins; operators see unreachable members per household.
// Coordinators and admins may send an uncertain message again (core/uncertain-delivery.ts).
import type { FastifyInstance } from "fastify";
import {
  deliveryCounts,
  isProblemStatus,
  PROBLEM_STATUSES,
  type ProblemStatus,
  problemMessages,
  resentAfterUncertain,
} from "../../core/delivery-report.ts";
import type { DeliveryQueue } from "../../core/queues/delivery.ts";
import { resendUncertain } from "../../core/uncertain-delivery.ts";
import { sessionOf } from "../auth.ts";
import { type AdminContext, idOf, pageInfo, sendHtml, sendNotFound } from "../context.ts";
import { type DeliveriesNotice, deliveriesPage } from "../views/deliveries.ts";

const NOTICES: readonly DeliveriesNotice[] = ["resent", "not_uncertain"];

export const PROBLEMS_PAGE_SIZE = 100;
const RECENT_DAYS = 7;

/** ?status= one of the problem statuses (anything else: all of them) and ?page= from 1. */
export function deliveriesQuery(query: unknown): { status: ProblemStatus | null; page: number } {
  const raw = (query ?? {}) as Record<string, unknown>;
  const status = isProblemStatus(raw.status) ? raw.status : null;
  const pageNumber = typeof raw.page === "string" && /^\d{1,6}$/.test(raw.page) ? Number(raw.page) : 1;
  return { status, page: Math.max(1, pageNumber) };
}

export function deliveryRoutes(
  app: FastifyInstance,
  ctx: AdminContext,
  options: { deliveryQueue: DeliveryQueue | undefined },
): void {
  const { db, clock, auth } = ctx;
  const demo = ctx.demo !== undefined;
  const allowed = auth.requireRole("coordinator", "admin");

  app.get("/deliveries", { preHandler: allowed }, async (request, reply) => {
    const { status, page } = deliveriesQuery(request.query);
    const raw = (request.query ?? {}) as Record<string, unknown>;
    const notice = NOTICES.find((n) => n === raw.notice);
    const since = new Date(clock.now().getTime() - RECENT_DAYS * 86_400_000);
    const scope = sessionOf(request);
    const counts = await deliveryCounts(db, scope, since);
    const resent = await resentAfterUncertain(db, scope, since);
    const statuses: readonly ProblemStatus[] = status ? [status] : PROBLEM_STATUSES;
    // The counts already say how many problems there are: no second count query for the pager.
    const total = statuses.reduce((sum, s) => sum + counts[s].total, 0);
    const pageCount = Math.max(1, Math.ceil(total / PROBLEMS_PAGE_SIZE));
    const current = Math.min(page, pageCount);
    const problems = await problemMessages(db, scope, {
      statuses,
      limit: PROBLEMS_PAGE_SIZE,
      offset: (current - 1) * PROBLEMS_PAGE_SIZE,
    });
    return sendHtml(
      reply,
      deliveriesPage(pageInfo(request, demo), {
        counts,
        resent,
        notice,
        recentDays: RECENT_DAYS,
        problems,
        status,
        page: current,
        pageCount,
        total,
      }),
    );
  });

  // Sends an uncertain message again, through the delivery queue like any other; a second press
  // (or a second coordinator) finds it no longer uncertain and sends nothing.
  app.post("/deliveries/:id/resend", { preHandler: allowed }, async (request, reply) => {
    const { id } = request.params as { id?: string };
    const outboundMessageId = idOf(id);
    const deliveryQueue = options.deliveryQueue;
    if (!deliveryQueue) throw new Error("the admin server was started without the delivery queue");
    const result =
      outboundMessageId === null
        ? "not_found"
        : await resendUncertain({ db, deliveryQueue }, { outboundMessageId, scope: sessionOf(request) });
    if (result === "not_found") {
      return sendNotFound(request, reply, demo);
    }
    request.log.info({ outboundMessageId, result }, "uncertain message resend asked");
    return reply.redirect(`/deliveries?status=uncertain&notice=${result}`, 303);
  });
}

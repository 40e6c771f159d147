// Deliveries: how the messages the system starts are faring, and the ones that did not (or may not)
// reach their recipient. For coordinators and admins; operators see unreachable members per household.
import type { FastifyInstance } from "fastify";
import {
  deliveryCounts,
  isProblemStatus,
  PROBLEM_STATUSES,
  type ProblemStatus,
  problemMessages,
} from "../../core/delivery-report.ts";
import { type AdminContext, pageInfo, sendHtml } from "../context.ts";
import { deliveriesPage } from "../views/deliveries.ts";

export const PROBLEMS_PAGE_SIZE = 100;
const RECENT_DAYS = 7;

/** ?status= one of the problem statuses (anything else: all of them) and ?page= from 1. */
export function deliveriesQuery(query: unknown): { status: ProblemStatus | null; page: number } {
  const raw = (query ?? {}) as Record<string, unknown>;
  const status = isProblemStatus(raw.status) ? raw.status : null;
  const pageNumber = typeof raw.page === "string" && /^\d{1,6}$/.test(raw.page) ? Number(raw.page) : 1;
  return { status, page: Math.max(1, pageNumber) };
}

export function deliveryRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { db, clock, auth } = ctx;

  app.get("/deliveries", { preHandler: auth.requireRole("coordinator", "admin") }, async (request, reply) => {
    const { status, page } = deliveriesQuery(request.query);
    const counts = await deliveryCounts(db, new Date(clock.now().getTime() - RECENT_DAYS * 86_400_000));
    const statuses: readonly ProblemStatus[] = status ? [status] : PROBLEM_STATUSES;
    // The counts already say how many problems there are: no second count query for the pager.
    const total = statuses.reduce((sum, s) => sum + counts[s].total, 0);
    const pageCount = Math.max(1, Math.ceil(total / PROBLEMS_PAGE_SIZE));
    const current = Math.min(page, pageCount);
    const problems = await problemMessages(db, {
      statuses,
      limit: PROBLEMS_PAGE_SIZE,
      offset: (current - 1) * PROBLEMS_PAGE_SIZE,
    });
    return sendHtml(
      reply,
      deliveriesPage(pageInfo(request, ctx.demo !== undefined), {
        counts,
        recentDays: RECENT_DAYS,
        problems,
        status,
        page: current,
        pageCount,
        total,
      }),
    );
  });
}

// /alerts: coordinators and admins see what the escalation rules flagged and acknowledge it.
import type { FastifyInstance } from "fastify";
import { acknowledgeAlert, listOpenAlerts } from "../../core/alerts.ts";
import { sessionOf } from "../auth.ts";
import { type AdminContext, idOf, pageInfo, sendHtml, sendNotFound } from "../context.ts";
import { type AlertNotice, alertsPage } from "../views/alerts.ts";

const NOTICES: readonly AlertNotice[] = ["acknowledged", "already"];

export function alertRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { db, clock, auth } = ctx;
  const demo = ctx.demo !== undefined;
  const allowed = auth.requireRole("coordinator", "admin");

  app.get("/alerts", { preHandler: allowed }, async (request, reply) => {
    const raw = (request.query ?? {}) as Record<string, unknown>;
    const notice = NOTICES.find((n) => n === raw.notice);
    return sendHtml(
      reply,
      alertsPage(pageInfo(request, demo), await listOpenAlerts(db, sessionOf(request)), notice),
    );
  });

  app.post("/alerts/:id/ack", { preHandler: allowed }, async (request, reply) => {
    const { id } = request.params as { id?: string };
    const alertId = idOf(id);
    const result =
      alertId === null
        ? "not_found"
        : await acknowledgeAlert(db, clock, { alertId, scope: sessionOf(request) });
    if (result === "not_found") {
      return sendNotFound(request, reply, demo);
    }
    return reply.redirect(`/alerts?notice=${result}`, 303);
  });
}

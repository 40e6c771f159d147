// /link-lockouts: people the bot stopped from trying link codes after too many wrong ones, and
// staff letting one back in (core/linking/lockouts.ts). Coordinators and admins, like the rest of a
// household's access (routes/household-access.ts); operators get 403.
import type { FastifyInstance } from "fastify";
import { currentLockouts, unlockLinking } from "../../core/linking/lockouts.ts";
import type { DeliveryQueue } from "../../core/queues/delivery.ts";
import { sessionOf } from "../auth.ts";
import { type AdminContext, idOf, pageInfo, sendHtml, sendNotFound } from "../context.ts";
import { type LockoutNotice, lockoutsPage } from "../views/link-lockouts.ts";

const NOTICES: readonly LockoutNotice[] = ["unlocked", "notLocked"];

export function linkLockoutRoutes(
  app: FastifyInstance,
  ctx: AdminContext,
  options: { deliveryQueue: DeliveryQueue | undefined },
): void {
  const { db, clock, auth } = ctx;
  const demo = ctx.demo !== undefined;
  const allowed = auth.requireRole("coordinator", "admin");

  app.get("/link-lockouts", { preHandler: allowed }, async (request, reply) => {
    const raw = (request.query ?? {}) as Record<string, unknown>;
    const notice = NOTICES.find((n) => n === raw.notice);
    return sendHtml(
      reply,
      lockoutsPage(pageInfo(request, demo), await currentLockouts(db, clock, sessionOf(request)), notice),
    );
  });

  app.post("/link-lockouts/:memberId/unlock", { preHandler: allowed }, async (request, reply) => {
    const { memberId } = request.params as { memberId?: string };
    const id = idOf(memberId);
    const deliveryQueue = options.deliveryQueue;
    if (!deliveryQueue) throw new Error("the admin server was started without the delivery queue");
    const result =
      id === null
        ? "not_found"
        : await unlockLinking({ db, clock, deliveryQueue }, { memberId: id, scope: sessionOf(request) });
    if (result === "not_found") {
      return sendNotFound(request, reply, demo);
    }
    return reply.redirect(`/link-lockouts?notice=${result === "unlocked" ? "unlocked" : "notLocked"}`, 303);
  });
}

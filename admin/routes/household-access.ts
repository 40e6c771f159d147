// A household's access in Telegram: who is linked, unlinking one member (after a confirmation
// page), voiding unused link codes. Coordinators and admins only: operators get 403 (the list
// names people, and taking access away is not casework). Every action is audited in core.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { audit } from "../../core/audit.ts";
import { householdAccess, revokeHouseholdCodes, unlinkMemberByStaff } from "../../core/household-access.ts";
import { canSeeHousehold } from "../../core/offices/scope.ts";
import type { DeliveryQueue } from "../../core/queues/delivery.ts";
import { sessionOf } from "../auth.ts";
import { type AdminContext, idOf, pageInfo, sendHtml, sendNotFound } from "../context.ts";
import { type AccessNotice, householdAccessPage, unlinkConfirmPage } from "../views/household-access.ts";

function noticeOf(query: unknown): AccessNotice | undefined {
  const raw = (query ?? {}) as Record<string, unknown>;
  if (raw.done === "unlinked") return { kind: "unlinked" };
  if (raw.done === "codes" && typeof raw.n === "string" && /^\d{1,4}$/.test(raw.n)) {
    return { kind: "codesVoided", count: Number(raw.n) };
  }
  return undefined;
}

export function householdAccessRoutes(
  app: FastifyInstance,
  ctx: AdminContext,
  options: { deliveryQueue: DeliveryQueue | undefined },
): void {
  const { db, clock, auth } = ctx;
  const demo = ctx.demo !== undefined;
  const allowed = auth.requireRole("coordinator", "admin");

  const notFound = (request: FastifyRequest, reply: FastifyReply) => sendNotFound(request, reply, demo);

  /** The household and member named in the path, or null when either is not there (or not linked to it). */
  async function load(request: FastifyRequest) {
    const params = request.params as { id?: string; memberId?: string };
    const householdId = idOf(params.id);
    // Another office's household is, for this person, not there at all.
    if (householdId === null || !(await canSeeHousehold(db, sessionOf(request), householdId))) return null;
    const access = await householdAccess(db, householdId, clock.now());
    if (!access) return null;
    if (params.memberId === undefined) return { access, member: undefined };
    const memberId = idOf(params.memberId);
    const member = access.members.find((m) => m.id === memberId);
    return member ? { access, member } : null;
  }

  app.get("/households/:id/access", { preHandler: allowed }, async (request, reply) => {
    const found = await load(request);
    if (!found) return notFound(request, reply);
    // Who opened a household's record is the household's to know (its /privacy export).
    await audit(db, {
      actorType: "staff",
      actorId: sessionOf(request).staffId,
      action: "household.viewed",
      entityType: "household",
      entityId: found.access.household.id,
    });
    return sendHtml(
      reply,
      householdAccessPage(pageInfo(request, demo), found.access, {
        csrfToken: sessionOf(request).csrfToken,
        notice: noticeOf(request.query),
      }),
    );
  });

  app.get("/households/:id/access/unlink/:memberId", { preHandler: allowed }, async (request, reply) => {
    const found = await load(request);
    if (!found?.member) return notFound(request, reply);
    return sendHtml(
      reply,
      unlinkConfirmPage(pageInfo(request, demo), found.access, found.member, {
        csrfToken: sessionOf(request).csrfToken,
      }),
    );
  });

  app.post("/households/:id/access/unlink/:memberId", { preHandler: allowed }, async (request, reply) => {
    const found = await load(request);
    if (!found?.member) return notFound(request, reply);
    const staff = sessionOf(request);
    const done = await unlinkMemberByStaff(
      { db, clock, deliveryQueue: options.deliveryQueue },
      { householdId: found.access.household.id, memberId: found.member.id, staffId: staff.staffId },
    );
    if (done)
      request.log.info(
        { householdId: found.access.household.id, memberId: found.member.id },
        "member unlinked by staff",
      );
    return reply.redirect(`/households/${found.access.household.id}/access?done=unlinked`, 303);
  });

  app.post("/households/:id/access/revoke-codes", { preHandler: allowed }, async (request, reply) => {
    const found = await load(request);
    if (!found) return notFound(request, reply);
    const voided = await revokeHouseholdCodes(
      { db, clock },
      { householdId: found.access.household.id, staffId: sessionOf(request).staffId },
    );
    return reply.redirect(`/households/${found.access.household.id}/access?done=codes&n=${voided}`, 303);
  });
}

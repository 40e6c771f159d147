// /staff (admins): accounts, invitations, role and office, deactivation, sessions. /invite/<token>
// (anyone holding the link): choose a password and be signed in. /account (everyone signed in):
// change one's own password. Every change is audited with ids only (core/audit.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { audit } from "../../core/audit.ts";
import type { StaffRole } from "../../core/db/client.ts";
import { listOffices } from "../../core/offices/offices.ts";
import { activeSessions, endStaffSessions, STAFF_ROLES } from "../../core/staff.ts";
import {
  acceptInvitation,
  changeActive,
  changeOwnPassword,
  changeRoleAndOffice,
  getStaff,
  inviteStaff,
  listStaff,
  openInvitation,
  passwordProblem,
  reissueInvitation,
} from "../../core/staff-accounts.ts";
import { sessionOf } from "../auth.ts";
import { type AdminContext, idOf, pageInfo, sendHtml, sendNotFound } from "../context.ts";
import { type AddForm, accountPage, invitePage, staffDetailPage, staffListPage } from "../views/staff.ts";

const DETAIL_NOTICES = ["changed", "unchanged", "deactivated", "reactivated", "sessionsEnded"] as const;
const ACCOUNT_NOTICES = ["passwordChanged"] as const;

function text(body: Record<string, unknown>, name: string, max: number): string {
  const value = body[name];
  return typeof value === "string" ? value.trim().slice(0, max) : "";
}

function roleOf(raw: unknown): StaffRole | null {
  return STAFF_ROLES.find((role) => role === raw) ?? null;
}

/** "" is no office; anything else must be an id (an unknown one is refused by core). */
function officeOf(raw: unknown): number | null | undefined {
  if (raw === "" || raw === undefined) return null;
  return idOf(raw) ?? undefined;
}

function noStore(reply: FastifyReply): void {
  reply.header("Cache-Control", "no-store");
}

export function staffRoutes(
  app: FastifyInstance,
  ctx: AdminContext,
  options: { publicOrigin: string | undefined },
): void {
  const { db, clock, auth } = ctx;
  const demo = ctx.demo !== undefined;
  const admins = auth.requireRole("admin");
  const anyone = auth.requireRole();

  const inviteUrl = (request: FastifyRequest, token: string) =>
    `${options.publicOrigin ?? `${request.protocol}://${request.host}`}/invite/${token}`;

  async function showList(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { form?: AddForm; problem?: string; invitation?: { url: string; email: string } },
    status = 200,
  ) {
    noStore(reply);
    const [rows, offices] = await Promise.all([listStaff(db), listOffices(db)]);
    return sendHtml(reply, staffListPage(pageInfo(request, demo), { rows, offices, ...extra }), status);
  }

  async function showDetail(
    request: FastifyRequest,
    reply: FastifyReply,
    staffId: number,
    extra: { problem?: string; notice?: string; sessionsEnded?: number; invitation?: { url: string } },
    status = 200,
  ) {
    const staff = await getStaff(db, staffId);
    if (!staff) return sendNotFound(request, reply, demo);
    noStore(reply);
    const [offices, sessions] = await Promise.all([
      listOffices(db),
      activeSessions(db, staffId, clock.now()),
    ]);
    return sendHtml(
      reply,
      staffDetailPage(pageInfo(request, demo), { staff, offices, sessions, ...extra }),
      status,
    );
  }

  app.get("/staff", { preHandler: admins }, (request, reply) => showList(request, reply, {}));

  app.post("/staff", { preHandler: admins }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const role = roleOf(body.role);
    const officeId = officeOf(body.officeId);
    const form: AddForm = {
      email: text(body, "email", 254),
      firstName: text(body, "firstName", 60),
      role: role ?? "operator",
      officeId: officeId ?? null,
    };
    if (!role || officeId === undefined) return showList(request, reply, { form, problem: "badInput" }, 400);
    const result = await inviteStaff(
      db,
      { email: form.email, role, officeId, firstName: form.firstName || null },
      clock.now(),
    );
    if (!result.ok) {
      return showList(
        request,
        reply,
        { form, problem: result.problem },
        result.problem === "exists" ? 409 : 400,
      );
    }
    const actor = sessionOf(request).staffId;
    await audit(db, {
      actorType: "staff",
      actorId: actor,
      action: "staff.invited",
      entityType: "staff",
      entityId: result.staffId,
      details: { role, officeId },
    });
    return showList(request, reply, {
      invitation: { url: inviteUrl(request, result.token), email: form.email.toLowerCase() },
    });
  });

  app.get("/staff/:id", { preHandler: admins }, async (request, reply) => {
    const id = idOf((request.params as { id?: string }).id);
    if (id === null) return sendNotFound(request, reply, demo);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const notice = DETAIL_NOTICES.find((n) => n === query.notice);
    const count = typeof query.n === "string" && /^\d{1,6}$/.test(query.n) ? Number(query.n) : 0;
    return showDetail(request, reply, id, notice ? { notice, sessionsEnded: count } : {});
  });

  app.post("/staff/:id/role", { preHandler: admins }, async (request, reply) => {
    const id = idOf((request.params as { id?: string }).id);
    if (id === null || !(await getStaff(db, id))) return sendNotFound(request, reply, demo);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const role = roleOf(body.role);
    const officeId = officeOf(body.officeId);
    if (!role || officeId === undefined) return showDetail(request, reply, id, { problem: "badInput" }, 400);
    const result = await changeRoleAndOffice(db, id, { role, officeId });
    if (!result.ok) {
      if (result.problem === "notFound") return sendNotFound(request, reply, demo);
      return showDetail(request, reply, id, { problem: result.problem }, 409);
    }
    if (!result.changed) return reply.redirect(`/staff/${id}?notice=unchanged`, 303);
    await audit(db, {
      actorType: "staff",
      actorId: sessionOf(request).staffId,
      action: "staff.role_changed",
      entityType: "staff",
      entityId: id,
      details: { role, officeId, sessionsEnded: result.sessionsEnded },
    });
    // Their own role: this session ended with the others (the log-in page follows).
    return reply.redirect(`/staff/${id}?notice=changed&n=${result.sessionsEnded}`, 303);
  });

  app.post("/staff/:id/active", { preHandler: admins }, async (request, reply) => {
    const id = idOf((request.params as { id?: string }).id);
    if (id === null) return sendNotFound(request, reply, demo);
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (body.active !== "true" && body.active !== "false") {
      if (!(await getStaff(db, id))) return sendNotFound(request, reply, demo);
      return showDetail(request, reply, id, { problem: "badInput" }, 400);
    }
    const active = body.active === "true";
    const result = await changeActive(db, id, active);
    if (!result.ok) {
      if (result.problem === "notFound") return sendNotFound(request, reply, demo);
      return showDetail(request, reply, id, { problem: result.problem }, 409);
    }
    if (!result.changed) return reply.redirect(`/staff/${id}?notice=unchanged`, 303);
    await audit(db, {
      actorType: "staff",
      actorId: sessionOf(request).staffId,
      action: active ? "staff.reactivated" : "staff.deactivated",
      entityType: "staff",
      entityId: id,
      details: { sessionsEnded: result.sessionsEnded },
    });
    return reply.redirect(
      `/staff/${id}?notice=${active ? "reactivated" : "deactivated"}&n=${result.sessionsEnded}`,
      303,
    );
  });

  app.post("/staff/:id/sessions/end", { preHandler: admins }, async (request, reply) => {
    const id = idOf((request.params as { id?: string }).id);
    if (id === null || !(await getStaff(db, id))) return sendNotFound(request, reply, demo);
    const ended = await endStaffSessions(db, id);
    await audit(db, {
      actorType: "staff",
      actorId: sessionOf(request).staffId,
      action: "staff.sessions_ended",
      entityType: "staff",
      entityId: id,
      details: { sessionsEnded: ended },
    });
    return reply.redirect(`/staff/${id}?notice=sessionsEnded&n=${ended}`, 303);
  });

  app.post("/staff/:id/invitation", { preHandler: admins }, async (request, reply) => {
    const id = idOf((request.params as { id?: string }).id);
    if (id === null || !(await getStaff(db, id))) return sendNotFound(request, reply, demo);
    const token = await reissueInvitation(db, id, clock.now());
    if (!token) return showDetail(request, reply, id, { problem: "notInvited" }, 409);
    await audit(db, {
      actorType: "staff",
      actorId: sessionOf(request).staffId,
      action: "staff.invitation_reissued",
      entityType: "staff",
      entityId: id,
    });
    return showDetail(request, reply, id, { invitation: { url: inviteUrl(request, token) } });
  });

  // The invitation link. The token itself is the proof (256 random bits, never stored in the clear):
  // another site cannot post this form without it, and pages are sent with Referrer-Policy
  // same-origin so the address does not leak.
  app.get("/invite/:token", async (request, reply) => {
    const { token = "" } = request.params as { token?: string };
    noStore(reply);
    const open = await openInvitation(db, token, clock.now());
    const page = pageInfo(request, demo);
    if (!open) return sendHtml(reply, invitePage(page, { invalid: true }), 404);
    return sendHtml(reply, invitePage(page, { token, email: open.email }));
  });

  app.post("/invite/:token", async (request, reply) => {
    const { token = "" } = request.params as { token?: string };
    noStore(reply);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const password = typeof body.password === "string" ? body.password : "";
    const confirm = typeof body.confirm === "string" ? body.confirm : "";
    const now = clock.now();
    const open = await openInvitation(db, token, now);
    const page = pageInfo(request, demo);
    if (!open) return sendHtml(reply, invitePage(page, { invalid: true }), 404);
    const problem = passwordProblem(password, confirm);
    if (problem) return sendHtml(reply, invitePage(page, { token, email: open.email, problem }), 400);
    const accepted = await acceptInvitation(db, token, password, now);
    if (!accepted) return sendHtml(reply, invitePage(page, { invalid: true }), 404);
    await audit(db, {
      actorType: "staff",
      actorId: accepted.staffId,
      action: "staff.invitation_used",
      entityType: "staff",
      entityId: accepted.staffId,
    });
    await auth.startSession(request, reply, accepted.staffId);
    await audit(db, {
      actorType: "staff",
      actorId: accepted.staffId,
      action: "staff.login",
      entityType: "staff",
      entityId: accepted.staffId,
    });
    return reply.redirect("/", 303);
  });

  app.get("/account", { preHandler: anyone }, async (request, reply) => {
    noStore(reply);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const notice = ACCOUNT_NOTICES.find((n) => n === query.notice);
    const count = typeof query.n === "string" && /^\d{1,6}$/.test(query.n) ? Number(query.n) : 0;
    return sendHtml(
      reply,
      accountPage(pageInfo(request, demo), notice ? { notice, sessionsEnded: count } : {}),
    );
  });

  app.post("/account/password", { preHandler: anyone }, async (request, reply) => {
    noStore(reply);
    const session = sessionOf(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const field = (name: string) => (typeof body[name] === "string" ? (body[name] as string) : "");
    const result = await changeOwnPassword(db, {
      staffId: session.staffId,
      sessionId: session.id,
      current: field("current"),
      password: field("password"),
      confirm: field("confirm"),
    });
    if (!result.ok) {
      if (result.problem === "wrongCurrent") {
        await audit(db, {
          actorType: "staff",
          actorId: session.staffId,
          action: "staff.password_change_refused",
          entityType: "staff",
          entityId: session.staffId,
        });
      }
      return sendHtml(
        reply,
        accountPage(pageInfo(request, demo), { problem: result.problem }),
        result.problem === "wrongCurrent" ? 403 : 400,
      );
    }
    await audit(db, {
      actorType: "staff",
      actorId: session.staffId,
      action: "staff.password_changed",
      entityType: "staff",
      entityId: session.staffId,
      details: { sessionsEnded: result.sessionsEnded },
    });
    return reply.redirect(`/account?notice=passwordChanged&n=${result.sessionsEnded}`, 303);
  });
}

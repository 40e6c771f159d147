// Logging in and out, and the front door (/).
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { audit } from "../../core/audit.ts";
import type { Logger } from "../../core/logger.ts";
import { hashPassword, normalizeEmail, verifyPassword } from "../../core/staff.ts";
import { safeNext, tokensMatch } from "../auth.ts";
import { type AdminContext, pageInfo, sendHtml } from "../context.ts";
import { type LoginProblem, loginPage } from "../views/login.ts";

/**
 * Before there is a session, the log-in form is protected by a double-submit token: a random value
 * in a cookie that must come back in the form (so another site cannot log someone into our panel).
 */
const LOGIN_COOKIE = "bussola_login";
const MAX_EMAIL_LENGTH = 254;
const MAX_PASSWORD_LENGTH = 1024;

// Someone typing an unknown e-mail waits for a password check all the same, so the answer time does
// not tell which addresses have accounts.
let dummyHash: Promise<string> | undefined;
function hashForUnknownAccounts(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString("hex"));
  return dummyHash;
}

async function passwordMatches(password: string, stored: string): Promise<boolean> {
  try {
    return await verifyPassword(password, stored);
  } catch {
    return false; // a malformed stored hash is a wrong password, not a crash
  }
}

/** Refused log-ins, summed and logged at most once a minute: counts only, no addresses. */
function refusalLog(logger: Logger): { note(kind: "throttled" | "busy"): void } {
  const counts = { throttled: 0, busy: 0 };
  let scheduled = false;
  return {
    note(kind) {
      counts[kind]++;
      if (scheduled) return;
      scheduled = true;
      setTimeout(() => {
        logger.warn({ component: "admin", ...counts }, "log-in attempts refused (throttled or busy)");
        counts.throttled = 0;
        counts.busy = 0;
        scheduled = false;
      }, 60_000).unref();
    },
  };
}

/** An operator's day starts with the families they follow; everyone else's with all of them. */
function homeOf(role: string): string {
  return role === "operator" ? "/households?worker=mine" : "/households";
}

export function loginRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { db, clock, cookies, auth, throttle, checks } = ctx;
  const refusals = refusalLog(ctx.logger);
  // A refused attempt is answered after a short pause (it costs the server a timer and an open
  // socket, nothing else): a flood with a fixed number of connections then sends a few requests a
  // second instead of hundreds, and real log-ins are not stuck in line behind it.
  const pause = () => (ctx.refusalPauseMs > 0 ? sleep(ctx.refusalPauseMs) : Promise.resolve());
  const demo = ctx.demo !== undefined;

  function loginToken(request: FastifyRequest, reply: FastifyReply): string {
    const existing = cookies.read(request, LOGIN_COOKIE);
    if (existing) return existing;
    const token = randomBytes(32).toString("base64url");
    cookies.write(request, reply, LOGIN_COOKIE, token, { path: "/login" });
    return token;
  }

  function showLogin(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    form: { email: string; next: string | null; problem?: LoginProblem; retrySeconds?: number },
  ): FastifyReply {
    return sendHtml(
      reply,
      loginPage(pageInfo(request, demo), { ...form, csrfToken: loginToken(request, reply) }),
      status,
    );
  }

  app.get("/", async (request, reply) => {
    const session = await auth.loadSession(request);
    return reply.redirect(session ? homeOf(session.role) : "/login", 302);
  });

  app.get("/login", async (request, reply) => {
    const signedIn = await auth.loadSession(request);
    if (signedIn) return reply.redirect(homeOf(signedIn.role), 302);
    const query = request.query as Record<string, unknown>;
    return showLogin(request, reply, 200, { email: "", next: safeNext(query.next) });
  });

  app.post("/login", async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const email = typeof body.email === "string" ? normalizeEmail(body.email).slice(0, MAX_EMAIL_LENGTH) : "";
    const password = typeof body.password === "string" ? body.password : "";
    const next = safeNext(body.next);
    const expected = cookies.read(request, LOGIN_COOKIE);
    if (!expected || !tokensMatch(expected, body._csrf)) {
      return showLogin(request, reply, 403, { email, next, problem: "expired" });
    }
    if (email === "" || password === "" || password.length > MAX_PASSWORD_LENGTH) {
      return showLogin(request, reply, 400, { email, next, problem: "missing" });
    }

    const now = clock.now();
    // Counted before the password is checked, so parallel guesses cannot all be checked.
    const verdict = await throttle.attempt(request.ip, email, now);
    if (!verdict.allowed) {
      // Not audited one by one: a flood of refusals would flood the audit log (the counts go to the
      // log once a minute instead).
      refusals.note("throttled");
      await pause();
      const retrySeconds = Math.max(1, Math.ceil((verdict.retryAt.getTime() - now.getTime()) / 1000));
      reply.header("Retry-After", String(retrySeconds));
      return showLogin(request, reply, 429, { email, next, problem: "throttled", retrySeconds });
    }

    const staff = await db.staff.findUnique({
      where: { email },
      select: { id: true, role: true, active: true, passwordHash: true },
    });
    const stored = staff?.passwordHash ?? (await hashForUnknownAccounts());
    const checked = await checks.run(() => passwordMatches(password, stored), verdict.addressAttempts);
    if (!checked) {
      refusals.note("busy");
      await pause();
      reply.header("Retry-After", "1");
      return showLogin(request, reply, 429, { email, next, problem: "busy" });
    }
    const correct = checked.value;
    if (!staff || !correct || !staff.active) {
      // Ids only: the typed e-mail never reaches the audit log (it may be someone's mistyped address).
      await audit(db, {
        actorType: "staff",
        actorId: staff ? staff.id : "unknown",
        action: "staff.login_failed",
        details: { reason: !staff ? "unknown_account" : !correct ? "wrong_password" : "inactive" },
      });
      return showLogin(request, reply, 401, { email, next, problem: "credentials" });
    }

    await throttle.succeeded(request.ip, email, now);
    await auth.startSession(request, reply, staff.id);
    cookies.clear(request, reply, LOGIN_COOKIE, { path: "/login" });
    await audit(db, {
      actorType: "staff",
      actorId: staff.id,
      action: "staff.login",
      entityType: "staff",
      entityId: staff.id,
    });
    return reply.redirect(next ?? homeOf(staff.role), 303);
  });

  app.post("/logout", { preHandler: auth.requireRole() }, async (request, reply) => {
    const session = await auth.endSession(request, reply);
    if (session) {
      await audit(db, {
        actorType: "staff",
        actorId: session.staffId,
        action: "staff.logout",
        entityType: "staff",
        entityId: session.staffId,
      });
    }
    return reply.redirect("/login", 303);
  });
}

// Staff sessions and the one place where access is decided (requireRole).
//
// The cookie carries a random 32-byte token; the database keeps only its sha256, so a leaked
// database (or backup) cannot be replayed as a login. Sessions last 12 hours from login.
// Sessions end early on logout, on a password or role change (core/staff.ts upsertStaff), on
// deactivation, and with `staff:sessions --revoke`: the row goes, and the next request is signed out.
// Each session has a CSRF token derived from its secret token: it needs no storage and cannot be
// computed by anyone who does not hold the HttpOnly cookie.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Clock } from "../core/clock.ts";
import type { Db, StaffRole } from "../core/db/client.ts";
import { STAFF_ROLES } from "../core/staff.ts";
import type { CookieJar } from "./cookies.ts";

export const SESSION_COOKIE = "bussola_session";
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const LAST_SEEN_EVERY_MS = 60 * 1000;

export type StaffSession = {
  id: number;
  staffId: number;
  email: string;
  role: StaffRole;
  /** Read at every request, so moving someone to another office takes effect at their next click. */
  officeId: number | null;
  csrfToken: string;
  expiresAt: Date;
};

export type DenyReason = "forbidden" | "csrf";

export type Auth = {
  /** The signed-in staff member, or null; looked up once per request. */
  loadSession(request: FastifyRequest): Promise<StaffSession | null>;
  startSession(request: FastifyRequest, reply: FastifyReply, staffId: number): Promise<void>;
  /** Ends the current session (if any) and returns who it belonged to. */
  endSession(request: FastifyRequest, reply: FastifyReply): Promise<StaffSession | null>;
  /**
   * preHandler for a route: signed-in staff with one of these roles (any role when none is given).
   * Sends people who are not signed in to the log-in page (401 for JSON requests), refuses other
   * roles, and checks the CSRF token of every POST.
   */
  requireRole(
    ...roles: StaffRole[]
  ): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;
  /**
   * requireRole for a POST whose body is a file upload (multipart), read by the route itself after
   * this runs: the route must check the CSRF field with `csrfMatches` once it has read it.
   */
  requireRoleForUpload(
    ...roles: StaffRole[]
  ): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;
};

/** Whether a submitted CSRF token is the current session's (requireRole must have run). */
export function csrfMatches(request: FastifyRequest, submitted: unknown): boolean {
  return tokensMatch(sessionOf(request).csrfToken, submitted);
}

const sessions = new WeakMap<FastifyRequest, StaffSession | null>();

/** The session already looked up for this request (no database call), or null. */
export function currentSession(request: FastifyRequest): StaffSession | null {
  return sessions.get(request) ?? null;
}

/** The session requireRole established for this request. */
export function sessionOf(request: FastifyRequest): StaffSession {
  const session = sessions.get(request);
  if (!session) throw new Error("sessionOf() on a route without requireRole()");
  return session;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function csrfTokenFor(token: string): string {
  return createHash("sha256").update(`bussola-admin-csrf:${token}`).digest("base64url");
}

/** Constant-time comparison of a submitted token with the expected one. */
export function tokensMatch(expected: string, submitted: unknown): boolean {
  if (typeof submitted !== "string") return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}

const NEXT_BASE = "http://next.invalid";

/**
 * A path on this site to return to after logging in; anything else is dropped. Browsers strip tabs
 * and newlines from URLs and read "\\" as "/", so "/\t/evil.example" would become "//evil.example":
 * such characters are refused outright, then the URL parser decides (as the browser will), and only
 * a same-origin result whose path does not start with "//" is kept, as path + query + fragment.
 */
export function safeNext(next: unknown): string | null {
  if (typeof next !== "string" || next.length > 2000 || !next.startsWith("/")) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return null;
  let url: URL;
  try {
    url = new URL(next, NEXT_BASE);
  } catch {
    return null;
  }
  if (url.origin !== NEXT_BASE || url.pathname.startsWith("//")) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}

function wantsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? "";
  return accept.includes("application/json") && !accept.includes("text/html");
}

export function createAuth(deps: {
  db: Db;
  clock: Clock;
  cookies: CookieJar;
  /** Renders the refusal page; auth itself does not know about pages. */
  deny(request: FastifyRequest, reply: FastifyReply, reason: DenyReason): FastifyReply;
}): Auth {
  const { db, clock, cookies } = deps;

  async function loadSession(request: FastifyRequest): Promise<StaffSession | null> {
    if (sessions.has(request)) return sessions.get(request) ?? null;
    const token = cookies.read(request, SESSION_COOKIE);
    let session: StaffSession | null = null;
    if (token) {
      const row = await db.staffSession.findUnique({
        where: { tokenHash: hashToken(token) },
        include: { staff: { select: { id: true, email: true, role: true, active: true, officeId: true } } },
      });
      // An expired session or a deactivated account signs the person out at their next click.
      if (row && row.expiresAt > clock.now() && row.staff.active) {
        session = {
          id: row.id,
          staffId: row.staff.id,
          email: row.staff.email,
          role: row.staff.role,
          officeId: row.staff.officeId,
          csrfToken: csrfTokenFor(token),
          expiresAt: row.expiresAt,
        };
        // When it was last used, for `staff:sessions`; written at most once a minute per session.
        const now = clock.now();
        if (!row.lastSeenAt || now.getTime() - row.lastSeenAt.getTime() >= LAST_SEEN_EVERY_MS) {
          await db.staffSession.updateMany({ where: { id: row.id }, data: { lastSeenAt: now } });
          await db.staff.updateMany({ where: { id: row.staff.id }, data: { lastSeenAt: now } });
        }
      } else if (row) {
        await db.staffSession.deleteMany({ where: { id: row.id } });
      }
    }
    sessions.set(request, session);
    return session;
  }

  return {
    loadSession,

    async startSession(request, reply, staffId) {
      const now = clock.now();
      // A fresh token at every login: a token planted before login (session fixation) is worthless.
      const previous = cookies.read(request, SESSION_COOKIE);
      if (previous) await db.staffSession.deleteMany({ where: { tokenHash: hashToken(previous) } });
      await db.staffSession.deleteMany({ where: { expiresAt: { lte: now } } });
      const token = randomBytes(32).toString("base64url");
      await db.staffSession.create({
        data: {
          tokenHash: hashToken(token),
          staffId,
          expiresAt: new Date(now.getTime() + SESSION_TTL_MS),
          lastSeenAt: now,
        },
      });
      await db.staff.updateMany({ where: { id: staffId }, data: { lastSeenAt: now } });
      cookies.write(request, reply, SESSION_COOKIE, token, { maxAgeSeconds: SESSION_TTL_MS / 1000 });
      sessions.delete(request);
    },

    async endSession(request, reply) {
      const session = await loadSession(request);
      const token = cookies.read(request, SESSION_COOKIE);
      if (token) await db.staffSession.deleteMany({ where: { tokenHash: hashToken(token) } });
      cookies.clear(request, reply, SESSION_COOKIE);
      sessions.set(request, null);
      return session;
    },

    requireRole: (...roles) => guard(roles, true),
    requireRoleForUpload: (...roles) => guard(roles, false),
  };

  function guard(roles: StaffRole[], checkBodyCsrf: boolean) {
    const allowed: readonly StaffRole[] = roles.length > 0 ? roles : STAFF_ROLES;
    return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
      const session = await loadSession(request);
      if (!session) {
        if (cookies.read(request, SESSION_COOKIE)) cookies.clear(request, reply, SESSION_COOKIE);
        if (wantsJson(request)) return reply.code(401).send({ ok: false, error: "unauthenticated" });
        const next = request.method === "GET" ? safeNext(request.url) : null;
        return reply.redirect(
          next && next !== "/" ? `/login?next=${encodeURIComponent(next)}` : "/login",
          303,
        );
      }
      if (!allowed.includes(session.role)) return deps.deny(request, reply, "forbidden");
      if (request.method === "POST" && checkBodyCsrf) {
        const body = request.body as Record<string, unknown> | undefined;
        if (!tokensMatch(session.csrfToken, body?._csrf)) return deps.deny(request, reply, "csrf");
      }
      return undefined;
    };
  }
}

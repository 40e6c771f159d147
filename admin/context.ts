// What every route module is given: the shared services and how to start a page.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Clock } from "../core/clock.ts";
import type { Db } from "../core/db/client.ts";
import type { Logger } from "../core/logger.ts";
import { type Auth, currentSession } from "./auth.ts";
import type { CookieJar } from "./cookies.ts";
import { translatorFor } from "./lang.ts";
import type { CheckLimiter, LoginThrottle } from "./throttle.ts";
import { errorPage } from "./views/errors.ts";
import type { SafeHtml } from "./views/html.ts";
import type { PageInfo } from "./views/layout.ts";

export type AdminContext = {
  db: Db;
  clock: Clock;
  logger: Logger;
  cookies: CookieJar;
  auth: Auth;
  throttle: LoginThrottle;
  /** Password checks in flight in this process. */
  checks: CheckLimiter;
  /** How long a refused log-in attempt waits before its answer. */
  refusalPauseMs: number;
  demo: { sandboxUrl: string } | undefined;
};

/** The cases waiting for an answer that this request's staff member sees (the layout's counter). */
const waitingCounts = new WeakMap<FastifyRequest, number>();

export function setWaitingCount(request: FastifyRequest, count: number): void {
  waitingCounts.set(request, count);
}

export function pageInfo(request: FastifyRequest, demo: boolean): PageInfo {
  const { lang, t } = translatorFor(request);
  const session = currentSession(request);
  return {
    t,
    lang,
    url: request.url,
    staff: session ? { email: session.email, role: session.role, csrfToken: session.csrfToken } : null,
    demo,
    waiting: waitingCounts.get(request) ?? null,
  };
}

/** A path segment or form field that is a record id ("12"); anything else (letters, huge numbers) is null. */
export function idOf(value: unknown): number | null {
  return typeof value === "string" && /^[1-9]\d{0,8}$/.test(value) ? Number(value) : null;
}

/** The `:id` of the request's path, as idOf reads it. */
export function idParam(request: FastifyRequest, name = "id"): number | null {
  return idOf((request.params as Record<string, unknown> | undefined)?.[name]);
}

export function sendHtml(reply: FastifyReply, markup: SafeHtml, status = 200): FastifyReply {
  return reply.code(status).type("text/html; charset=utf-8").send(markup.value);
}

/** The panel's 404 page: a record that is not there (or a path segment that is no id at all). */
export function sendNotFound(request: FastifyRequest, reply: FastifyReply, demo: boolean): FastifyReply {
  const page = pageInfo(request, demo);
  return sendHtml(
    reply,
    errorPage(page, { title: page.t("error.notFound.title"), message: page.t("error.notFound.message") }),
    404,
  );
}

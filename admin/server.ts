// The admin panel: a Fastify server with server-rendered pages and plain forms. Returned without
// listening, so the entry point can mount the bot's webhook route on it before calling listen().

import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import multipart from "@fastify/multipart";
import type { Queue } from "bullmq";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from "fastify";
import type { Clock } from "../core/clock.ts";
import type { Config } from "../core/config.ts";
import { freshContent } from "../core/content/sync.ts";
import type { Db } from "../core/db/client.ts";
import { waitingCount } from "../core/inbox.ts";
import type { Logger } from "../core/logger.ts";
import { BROADCAST_QUEUE, type BroadcastQueue } from "../core/queues/broadcasts.ts";
import type { DeliveryQueue } from "../core/queues/delivery.ts";
import { createAuth, type DenyReason } from "./auth.ts";
import { createBroadcastLive } from "./broadcast-live.ts";
import { type AdminContext, pageInfo, sendHtml, setWaitingCount } from "./context.ts";
import { createCookieJar } from "./cookies.ts";
import { rememberLanguage } from "./lang.ts";
import { createLiveFeed } from "./live.ts";
import { alertRoutes } from "./routes/alerts.ts";
import { assetRoutes } from "./routes/assets.ts";
import { auditRoutes } from "./routes/audit.ts";
import { broadcastRoutes } from "./routes/broadcasts.ts";
import { caseloadRoutes } from "./routes/caseload.ts";
import { caseRoutes } from "./routes/cases.ts";
import { contentRoutes } from "./routes/content.ts";
import { courseRoutes } from "./routes/courses.ts";
import { deliveryRoutes } from "./routes/deliveries.ts";
import { demoChatRoutes } from "./routes/demo-chat.ts";
import { healthRoutes } from "./routes/health.ts";
import { householdPageRoutes } from "./routes/household.ts";
import { householdAccessRoutes } from "./routes/household-access.ts";
import { householdRoutes } from "./routes/households.ts";
import { importRoutes } from "./routes/imports.ts";
import { invitationRoutes } from "./routes/invitations.ts";
import { linkLockoutRoutes } from "./routes/link-lockouts.ts";
import { loginRoutes } from "./routes/login.ts";
import { resultsRoutes } from "./routes/results.ts";
import { savedReplyRoutes } from "./routes/saved-replies.ts";
import { settingsRoutes } from "./routes/settings.ts";
import { staffRoutes } from "./routes/staff.ts";
import { variantRoutes } from "./routes/variants.ts";
import { isCrossOrigin, setSecurityHeaders } from "./security.ts";
import { createCheckLimiter, createLoginThrottle, type ThrottleRules } from "./throttle.ts";
import { errorPage } from "./views/errors.ts";

export type AdminServerDeps = {
  config: Config;
  logger: Logger;
  db: Db;
  clock: Clock;
  /** Where operators' replies to cases go (every message the system starts is queued). */
  deliveryQueue?: DeliveryQueue | undefined;
  /** Every queue, for the admins' queue dashboard (/queues); none given, the page says so. */
  queues?: readonly Queue[] | undefined;
  /** Where a broadcast confirmed in the panel is queued; else the one in `queues`, else the sweep's. */
  broadcastQueue?: BroadcastQueue | undefined;
  /**
   * Demo mode: the Telegram sandbox's base URL, for the demo chat page, and its bot's username, for
   * the invitation letters' link when BOT_USERNAME is not set.
   */
  demo?: { sandboxUrl: string; botUsername?: string | undefined } | undefined;
  /** How long an upload waits for its check before the progress page answers (tests shorten it). */
  importCheckWaitMs?: number | undefined;
  /** Log-in throttling: tests and benchmarks narrow or widen it; the defaults are for production. */
  login?:
    | {
        rules?: ThrottleRules;
        maxChecksInFlight?: number;
        maxChecksWaiting?: number;
        refusalPauseMs?: number;
      }
    | undefined;
};

/**
 * Request log lines carry method, path and status only: no query string (searches may be names), no
 * headers (cookies), no bodies (passwords), no client address.
 */
function requestSummary(request: { method: string; url: string }) {
  return { method: request.method, url: request.url.split("?")[0] };
}

export function createAdminServer(deps: AdminServerDeps): FastifyInstance {
  const secret = deps.config.admin.sessionSecret;
  // Typed as Fastify's base logger so the instance is a plain FastifyInstance for the entry point.
  const loggerInstance: FastifyBaseLogger = deps.logger.child(
    { component: "admin" },
    { serializers: { req: requestSummary } },
  );
  const { publicOrigin } = deps.config.admin;
  // Behind a reverse proxy that terminates TLS (TRUST_PROXY): request.ip is the client's address (the
  // login throttle keys on it) and request.protocol the browser's. Off by default: otherwise anyone
  // could fake X-Forwarded-For.
  const app = Fastify({
    loggerInstance,
    trustProxy: deps.config.admin.trustProxy,
    bodyLimit: 256 * 1024,
  });

  app.register(cookie, secret ? { secret } : {});
  app.register(formbody);

  // An https PUBLIC_URL: every cookie is __Host- (Secure, Path=/, no Domain) and HSTS is sent.
  const https = publicOrigin?.startsWith("https:") === true;
  const cookies = createCookieJar(secret !== undefined, { hostOnlySecure: https });
  const demo = deps.demo !== undefined;
  const deny = (request: FastifyRequest, reply: FastifyReply, reason: DenyReason): FastifyReply => {
    const page = pageInfo(request, demo);
    return sendHtml(
      reply,
      errorPage(page, { title: page.t(`error.${reason}.title`), message: page.t(`error.${reason}.message`) }),
      403,
    );
  };
  const ctx: AdminContext = {
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger,
    cookies,
    auth: createAuth({ db: deps.db, clock: deps.clock, cookies, deny }),
    throttle: createLoginThrottle(deps.db, deps.login?.rules ? { rules: deps.login.rules } : {}),
    checks: createCheckLimiter({
      ...(deps.login?.maxChecksInFlight === undefined ? {} : { maxInFlight: deps.login.maxChecksInFlight }),
      ...(deps.login?.maxChecksWaiting === undefined ? {} : { maxWaiting: deps.login.maxChecksWaiting }),
    }),
    refusalPauseMs: deps.login?.refusalPauseMs ?? 1000,
    demo: deps.demo,
  };

  app.addHook("onRequest", async (request, reply) => {
    setSecurityHeaders(request, reply, { hsts: https });
  });

  // Open live streams end when the server closes (they would otherwise keep it waiting).
  const live = createLiveFeed(deps.db, deps.logger);
  app.addHook("preClose", async () => live.close());
  const broadcastLive = createBroadcastLive();
  app.addHook("preClose", async () => broadcastLive.close());

  app.setNotFoundHandler((request, reply) => {
    const page = pageInfo(request, demo);
    return sendHtml(
      reply,
      errorPage(page, { title: page.t("error.notFound.title"), message: page.t("error.notFound.message") }),
      404,
    );
  });

  // The panel's own routes live in one encapsulated scope, so its Origin/CSRF rules and error pages
  // do not apply to routes the entry point adds (the bot's webhook).
  app.register(async (scope) => {
    scope.addHook("onRequest", async (request, reply) => {
      if (isCrossOrigin(request, publicOrigin)) return deny(request, reply, "csrf");
      rememberLanguage(request, reply);
      return undefined;
    });

    // The counter of cases waiting for an answer, in every page's header: counted per request, for
    // what this person sees. Runs before the routes' own checks (the session is looked up once).
    scope.addHook("preHandler", async (request) => {
      if (request.method !== "GET") return;
      const path = request.url.split("?")[0] ?? "";
      if (path.startsWith("/assets/") || path.startsWith("/health") || path.endsWith("/events")) return;
      // Household texts another process changed (documents' names on household pages): core/content/sync.ts.
      await freshContent(deps.db);
      const session = await ctx.auth.loadSession(request);
      if (!session) return;
      setWaitingCount(request, await waitingCount(deps.db, session, deps.clock.now()));
    });

    scope.setErrorHandler((error, request, reply) => {
      const status =
        typeof error === "object" &&
        error !== null &&
        "statusCode" in error &&
        typeof error.statusCode === "number"
          ? error.statusCode
          : 500;
      const clientError = status >= 400 && status < 500;
      if (clientError) request.log.info({ err: error }, "admin request refused");
      else request.log.error({ err: error }, "admin request failed");
      const page = pageInfo(request, demo);
      const kind = clientError ? "badRequest" : "internal";
      return sendHtml(
        reply,
        errorPage(page, { title: page.t(`error.${kind}.title`), message: page.t(`error.${kind}.message`) }),
        clientError ? status : 500,
      );
    });

    // Uploads (the imports' spreadsheets) are read by their route, after its role check; a file over
    // IMPORT_MAX_MB is cut short and reported, not thrown.
    scope.register(multipart, {
      throwFileSizeLimit: false,
      limits: { fileSize: deps.config.importMaxBytes, files: 1 },
    });
    healthRoutes(scope, ctx);
    assetRoutes(scope);
    loginRoutes(scope, ctx);
    householdRoutes(scope, ctx);
    householdPageRoutes(scope, ctx);
    caseloadRoutes(scope, ctx);
    householdAccessRoutes(scope, ctx, { deliveryQueue: deps.deliveryQueue });
    linkLockoutRoutes(scope, ctx, { deliveryQueue: deps.deliveryQueue });
    auditRoutes(scope, ctx);
    deliveryRoutes(scope, ctx, { deliveryQueue: deps.deliveryQueue });
    caseRoutes(scope, ctx, {
      deliveryQueue: deps.deliveryQueue,
      caseSlaHours: deps.config.caseSlaHours,
      live,
    });
    savedReplyRoutes(scope, ctx);
    courseRoutes(scope, ctx, { deliveryQueue: deps.deliveryQueue });
    contentRoutes(scope, ctx);
    variantRoutes(scope, ctx);
    broadcastRoutes(scope, ctx, {
      deliveryQueue: deps.deliveryQueue,
      broadcastQueue:
        deps.broadcastQueue ??
        (deps.queues?.find((q) => q.name === BROADCAST_QUEUE) as BroadcastQueue | undefined),
      quietHours: deps.config.quietHours,
      live: broadcastLive,
    });
    alertRoutes(scope, ctx);
    resultsRoutes(scope, ctx, { caseSlaHours: deps.config.caseSlaHours });
    importRoutes(scope, ctx, { maxBytes: deps.config.importMaxBytes, checkWaitMs: deps.importCheckWaitMs });
    invitationRoutes(scope, ctx, {
      botUsername: deps.config.invitations.botUsername ?? deps.demo?.botUsername,
      authorityContact: deps.config.invitations.authorityContact,
    });
    staffRoutes(scope, ctx, { publicOrigin });
    settingsRoutes(scope, ctx, {
      config: deps.config,
      queues: deps.queues ?? (deps.deliveryQueue ? [deps.deliveryQueue] : []),
    });
    if (deps.demo) demoChatRoutes(scope, ctx, deps.demo.sandboxUrl);
  });

  return app;
}

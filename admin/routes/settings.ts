// /settings (admins, read-only): what this installation runs with, from the one config object, with
// no secret (tokens, session secret, database credentials are never shown: at most "set"/"not set").
// /queues (admins): jobs per queue and state, failed jobs with their reason and a Retry button.
// Jobs carry ids only by design (core/queues/), and only the numeric ids of their data are shown.
import type { Queue } from "bullmq";
import type { FastifyInstance } from "fastify";
import { audit } from "../../core/audit.ts";
import type { Config } from "../../core/config.ts";
import { translator } from "../../core/i18n.ts";
import { MIN_PASSWORD_LENGTH } from "../../core/staff.ts";
import { INVITATION_TTL_MS } from "../../core/staff-accounts.ts";
import { SESSION_TTL_MS, sessionOf } from "../auth.ts";
import { type AdminContext, pageInfo, sendHtml, sendNotFound } from "../context.ts";
import { DEFAULT_THROTTLE_RULES, THROTTLE_WINDOW_MS } from "../throttle.ts";
import {
  type FailedJob,
  JOB_STATES,
  type QueueSummary,
  queuesPage,
  type SettingRow,
  settingsPage,
} from "../views/settings.ts";

const FAILED_SHOWN = 100;
const REASON_MAX = 300;
const REDIS_WAIT_MS = 3000;
const QUEUE_NOTICES = ["retried", "notFailed"] as const;

function clock(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
}

export function settingRows(config: Config, lang: string): SettingRow[] {
  const a = translator(lang, "accounts");
  const yes = (set: boolean) => a(set ? "settings.set" : "settings.notSet");
  const rules = DEFAULT_THROTTLE_RULES;
  return [
    { key: "caseSla", value: a("settings.hours", { count: config.caseSlaHours }), env: "CASE_SLA_HOURS" },
    {
      key: "quietHours",
      value: config.quietHours
        ? `${clock(config.quietHours.startMinute)}–${clock(config.quietHours.endMinute)}`
        : a("settings.off"),
      env: "QUIET_HOURS",
    },
    {
      key: "retention",
      value: a("settings.months", { count: config.retentionMonths }),
      env: "RETENTION_MONTHS",
    },
    {
      key: "importMax",
      value: `${Math.round(config.importMaxBytes / 1024 / 1024)} MB`,
      env: "IMPORT_MAX_MB",
    },
    {
      key: "deliveryRate",
      value: a("settings.perSecond", { count: config.deliveryRatePerSecond }),
      env: "DELIVERY_RATE_PER_SECOND",
    },
    {
      key: "loginThrottle",
      value: a("settings.throttle", {
        address: rules.address.free,
        account: rules.account.free,
        minutes: THROTTLE_WINDOW_MS / 60000,
      }),
      env: "—",
    },
    { key: "session", value: a("settings.hours", { count: SESSION_TTL_MS / 3600000 }), env: "—" },
    { key: "invitation", value: a("settings.hours", { count: INVITATION_TTL_MS / 3600000 }), env: "—" },
    { key: "minPassword", value: String(MIN_PASSWORD_LENGTH), env: "—" },
    { key: "botMode", value: config.telegram.token ? config.bot.mode : a("settings.demo"), env: "BOT_MODE" },
    { key: "botToken", value: yes(config.telegram.token !== undefined), env: "TELEGRAM_BOT_TOKEN" },
    {
      key: "botUsername",
      value: config.invitations.botUsername ?? a("settings.notSet"),
      env: "BOT_USERNAME",
    },
    { key: "operatorsChat", value: yes(config.operatorsChatId !== undefined), env: "OPERATORS_CHAT_ID" },
    { key: "publicUrl", value: config.admin.publicOrigin ?? a("settings.notSet"), env: "PUBLIC_URL" },
    {
      key: "trustProxy",
      value: Array.isArray(config.admin.trustProxy)
        ? config.admin.trustProxy.join(", ")
        : a(config.admin.trustProxy ? "settings.on" : "settings.off"),
      env: "TRUST_PROXY",
    },
    { key: "sessionSecret", value: yes(config.admin.sessionSecret !== undefined), env: "SESSION_SECRET" },
    { key: "queuePrefix", value: config.queuePrefix, env: "QUEUE_PREFIX" },
    {
      key: "pagopa",
      value: yes(config.pagopaCreditorFiscalCode !== undefined),
      env: "PAGOPA_CREDITOR_FISCAL_CODE",
    },
    {
      key: "authorityContact",
      value: yes(config.invitations.authorityContact !== undefined),
      env: "AUTHORITY_CONTACT",
    },
    { key: "logLevel", value: config.logLevel, env: "LOG_LEVEL" },
  ];
}

/** Redis away: the page says so instead of waiting for ever (queue connections retry endlessly). */
function withinTime<T>(work: Promise<T>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), REDIS_WAIT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The numeric ids a job's data holds ("outboundMessageId 12"): nothing else of it is shown. */
function idsOf(data: unknown): string {
  if (!data || typeof data !== "object") return "";
  return Object.entries(data as Record<string, unknown>)
    .filter(
      ([key, value]) => /^[A-Za-z]{1,40}$/.test(key) && typeof value === "number" && Number.isInteger(value),
    )
    .map(([key, value]) => `${key} ${value}`)
    .join(", ");
}

export function settingsRoutes(
  app: FastifyInstance,
  ctx: AdminContext,
  options: { config: Config; queues: readonly Queue[] },
): void {
  const { db, auth } = ctx;
  const demo = ctx.demo !== undefined;
  const admins = auth.requireRole("admin");
  const byName = new Map(options.queues.map((queue) => [queue.name, queue]));

  app.get("/settings", { preHandler: admins }, async (request, reply) => {
    const page = pageInfo(request, demo);
    return sendHtml(reply, settingsPage(page, settingRows(options.config, page.lang)));
  });

  app.get("/queues", { preHandler: admins }, async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const notice = QUEUE_NOTICES.find((n) => n === query.notice);
    const loaded = await withinTime(
      Promise.all(
        options.queues.map(async (queue) => {
          const counts = await queue.getJobCounts(...JOB_STATES);
          const failed = await queue.getFailed(0, FAILED_SHOWN - 1);
          return { summary: { name: queue.name, counts } satisfies QueueSummary, failed };
        }),
      ),
    );
    const failed: FailedJob[] = (loaded ?? []).flatMap(({ summary, failed: jobs }) =>
      jobs
        .filter((job) => job?.id !== undefined)
        .map((job) => ({
          queue: summary.name,
          id: String(job.id),
          name: job.name,
          ids: idsOf(job.data),
          reason: (job.failedReason ?? "").slice(0, REASON_MAX),
          attempts: job.attemptsMade,
          failedAt: job.finishedOn ? new Date(job.finishedOn) : null,
        })),
    );
    failed.sort((x, y) => (y.failedAt?.getTime() ?? 0) - (x.failedAt?.getTime() ?? 0));
    return sendHtml(
      reply,
      queuesPage(pageInfo(request, demo), {
        queues: (loaded ?? []).map((q) => q.summary),
        failed: failed.slice(0, FAILED_SHOWN),
        available: loaded !== null && options.queues.length > 0,
        ...(notice ? { notice } : {}),
      }),
    );
  });

  app.post("/queues/:queue/jobs/:jobId/retry", { preHandler: admins }, async (request, reply) => {
    const params = request.params as { queue?: string; jobId?: string };
    const queue = byName.get(params.queue ?? "");
    const jobId = params.jobId ?? "";
    if (!queue || !/^[A-Za-z0-9:_.-]{1,200}$/.test(jobId)) return sendNotFound(request, reply, demo);
    const job = await queue.getJob(jobId);
    if (!job) return sendNotFound(request, reply, demo);
    if ((await job.getState()) !== "failed") return reply.redirect("/queues?notice=notFailed", 303);
    await job.retry("failed");
    await audit(db, {
      actorType: "staff",
      actorId: sessionOf(request).staffId,
      action: "queue.job_retried",
      entityType: "job",
      entityId: `${queue.name}:${jobId}`,
    });
    return reply.redirect("/queues?notice=retried", 303);
  });
}

// The one configuration object, read from the environment and validated once at start-up.
// Whether a process runs the demo is not configuration: the entry point decides (main.ts).
import { isIP } from "node:net";
import { z } from "zod";
import { isCreditorFiscalCode } from "./pagopa.ts";

const DEFAULT_API_ROOT = "https://api.telegram.org";

const port = (fallback: number) =>
  z.coerce
    .number({ message: "must be a port number" })
    .int("must be a whole number")
    .min(1, "must be between 1 and 65535")
    .max(65535, "must be between 1 and 65535")
    .default(fallback);

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}` },
  );

const TRUST_PROXY_MESSAGE =
  "must be true, false, or a comma-separated list of the proxies' addresses or CIDR ranges (e.g. 127.0.0.1,10.0.0.0/8)";

/** An IPv4/IPv6 address, or one with a /prefix length that fits it. */
function isAddressOrRange(value: string): boolean {
  const [address = "", prefix, ...rest] = value.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * What Fastify's trustProxy takes: off, every hop, or the proxies' addresses. Not a hop count: Fastify 5
 * ignores one (it cannot tell a proxy from a client that connects directly and fakes the header).
 */
const trustProxy = z
  .string()
  .transform((value, ctx): boolean | string[] => {
    const trimmed = value.trim().toLowerCase();
    if (trimmed === "true") return true;
    if (trimmed === "false") return false;
    const entries = trimmed.split(",").map((entry) => entry.trim());
    if (entries.length > 0 && entries.every(isAddressOrRange)) return entries;
    ctx.addIssue({ code: "custom", message: TRUST_PROXY_MESSAGE });
    return z.NEVER;
  })
  .prefault("false");

/** The panel's public origin (scheme, host, optional port): no path, query, fragment or credentials. */
const publicUrl = z
  .string()
  .transform((value, ctx) => {
    let parsed: URL | undefined;
    try {
      parsed = new URL(value);
    } catch {
      parsed = undefined;
    }
    if (
      !parsed ||
      !["http:", "https:"].includes(parsed.protocol) ||
      parsed.username !== "" ||
      parsed.password !== "" ||
      parsed.pathname !== "/" ||
      parsed.search !== "" ||
      parsed.hash !== "" ||
      /[?#]/.test(value)
    ) {
      ctx.addIssue({
        code: "custom",
        message: "must be the panel's public address, like https://bussola.example.org (no path)",
      });
      return z.NEVER;
    }
    return parsed.origin;
  })
  .optional();

const RATE_MESSAGE = "must be a whole number of messages per second, from 1 to 1000";

/** "21:00-08:00": a window that may cross midnight; empty disables quiet hours. */
const quietHours = z
  .string()
  .transform((value, ctx) => {
    if (value.trim() === "") return null;
    const match = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(value.trim());
    if (!match) {
      ctx.addIssue({ code: "custom", message: 'must look like "21:00-08:00" (or be empty)' });
      return z.NEVER;
    }
    const [, h1, m1, h2, m2] = match.map(Number) as [number, number, number, number, number];
    return { startMinute: h1 * 60 + m1, endMinute: h2 * 60 + m2 };
  })
  .prefault("21:00-08:00");

function sameDatabase(a: string, b: string): boolean {
  const [x, y] = [new URL(a), new URL(b)];
  return x.hostname === y.hostname && (x.port || "5432") === (y.port || "5432") && x.pathname === y.pathname;
}

const schema = z
  .object({
    DATABASE_URL: url(["postgresql:", "postgres:"]).default("postgresql://postgres@127.0.0.1:5432/bussola"),
    DEMO_DATABASE_URL: url(["postgresql:", "postgres:"]).optional(),
    NODE_ENV: z.string().optional(),
    REDIS_URL: url(["redis:", "rediss:"]).default("redis://127.0.0.1:6379"),
    QUEUE_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, "must be letters, digits, '_', '-' or '.'")
      .default("bussola"),
    TELEGRAM_BOT_TOKEN: z
      .string()
      .regex(/^\d+:[A-Za-z0-9_-]+$/, 'must look like "123456789:ABC-def…" (from @BotFather)')
      .optional(),
    TELEGRAM_API_ROOT: url(["http:", "https:"]).default(DEFAULT_API_ROOT),
    BOT_MODE: z
      .enum(["polling", "webhook"], { message: 'must be "polling" or "webhook"' })
      .default("polling"),
    WEBHOOK_URL: url(["https:", "http:"]).optional(),
    WEBHOOK_SECRET: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,256}$/, "must be 16 to 256 characters: letters, digits, '_' or '-'")
      .optional(),
    ADMIN_HOST: z.string().min(1, "must not be empty").default("127.0.0.1"),
    ADMIN_PORT: port(3000),
    PUBLIC_URL: publicUrl,
    TRUST_PROXY: trustProxy,
    SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    OPERATORS_CHAT_ID: z
      .string()
      .regex(/^-?\d+$/, "must be a Telegram chat id (a whole number, negative for groups)")
      .optional(),
    QUIET_HOURS: quietHours,
    LOG_LEVEL: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
        message: "must be one of fatal, error, warn, info, debug, trace, silent",
      })
      .default("info"),
    SANDBOX_PORT: port(8081),
    DELIVERY_RATE_PER_SECOND: z.coerce
      .number({ message: RATE_MESSAGE })
      .int(RATE_MESSAGE)
      .min(1, RATE_MESSAGE)
      .max(1000, RATE_MESSAGE)
      .default(25),
    RETENTION_MONTHS: z.coerce
      .number({ message: "must be a whole number of months, from 1 to 120" })
      .int("must be a whole number of months, from 1 to 120")
      .min(1, "must be a whole number of months, from 1 to 120")
      .max(120, "must be a whole number of months, from 1 to 120")
      .default(24),
    CASE_SLA_HOURS: z.coerce
      .number({ message: "must be a whole number of office hours, from 1 to 80" })
      .int("must be a whole number of office hours, from 1 to 80")
      .min(1, "must be a whole number of office hours, from 1 to 80")
      .max(80, "must be a whole number of office hours, from 1 to 80")
      .default(8),
    IMPORT_MAX_MB: z.coerce
      .number({ message: "must be a whole number of megabytes, from 1 to 1000" })
      .int("must be a whole number of megabytes, from 1 to 1000")
      .min(1, "must be a whole number of megabytes, from 1 to 1000")
      .max(1000, "must be a whole number of megabytes, from 1 to 1000")
      .default(50),
    PAGOPA_CREDITOR_FISCAL_CODE: z
      .string()
      .trim()
      .refine(isCreditorFiscalCode, {
        message: "must be the authority's fiscal code as pagoPA knows it: 11 digits, the last a check digit",
      })
      .optional(),
    BOT_USERNAME: z
      .string()
      .trim()
      .transform((value) => value.replace(/^@/, ""))
      .pipe(
        z
          .string()
          .regex(
            /^[A-Za-z][A-Za-z0-9_]{1,28}bot$/i,
            'must be the bot\'s Telegram username, like "aler_bussola_bot" (5 to 32 letters, digits or "_", ending in "bot")',
          ),
      )
      .optional(),
    AUTHORITY_CONTACT: z
      .string()
      .trim()
      .max(300, "must be at most 300 characters (it is printed on the invitation letters)")
      .optional(),
    METRICS_HOST: z.string().min(1, "must not be empty").default("127.0.0.1"),
    METRICS_PORT: z.coerce
      .number({ message: "must be a port number, or 0 to turn the worker's metrics server off" })
      .int("must be a port number, or 0 to turn the worker's metrics server off")
      .min(0, "must be a port number, or 0 to turn the worker's metrics server off")
      .max(65535, "must be a port number, or 0 to turn the worker's metrics server off")
      .default(9464),
  })
  .superRefine((env, ctx) => {
    if (env.DEMO_DATABASE_URL && sameDatabase(env.DEMO_DATABASE_URL, env.DATABASE_URL)) {
      ctx.addIssue({
        code: "custom",
        path: ["DEMO_DATABASE_URL"],
        message: "must name another database than DATABASE_URL (the demo never shares production's)",
      });
    }
    if (env.BOT_MODE === "webhook") {
      if (!env.WEBHOOK_URL)
        ctx.addIssue({ code: "custom", path: ["WEBHOOK_URL"], message: "is required when BOT_MODE=webhook" });
      if (!env.WEBHOOK_SECRET)
        ctx.addIssue({
          code: "custom",
          path: ["WEBHOOK_SECRET"],
          message: "is required when BOT_MODE=webhook",
        });
    }
    if (env.TELEGRAM_BOT_TOKEN && !env.SESSION_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["SESSION_SECRET"],
        message: "is required with a real TELEGRAM_BOT_TOKEN (at least 32 random characters)",
      });
    }
  });

export type Config = {
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  /** The demo's own database: DEMO_DATABASE_URL, or DATABASE_URL's database name + "_demo". */
  demoDatabaseUrl: string;
  /** NODE_ENV=production: never the demo. */
  production: boolean;
  telegram: { token: string | undefined; apiRoot: string };
  bot: { mode: "polling" | "webhook"; webhookUrl: string | undefined; webhookSecret: string | undefined };
  admin: {
    host: string;
    port: number;
    sessionSecret: string | undefined;
    /** The panel's public origin (PUBLIC_URL), e.g. "https://bussola.example.org"; undefined if unset. */
    publicOrigin: string | undefined;
    /** Fastify's trustProxy: false, true (every hop), or the proxies' addresses/CIDR ranges. */
    trustProxy: boolean | string[];
  };
  operatorsChatId: string | undefined;
  quietHours: { startMinute: number; endMinute: number } | null;
  logLevel: string;
  sandboxPort: number;
  /** Messages per second the delivery queue sends, across every worker process. */
  deliveryRatePerSecond: number;
  /** Case messages older than this many months are deleted. */
  retentionMonths: number;
  /** Office hours (Mon–Fri 9–17, Italian holidays excluded) a case may wait for an operator's answer. */
  caseSlaHours: number;
  /** The worker's /health and /metrics server; port 0 turns it off. */
  metrics: { host: string; port: number };
  /** The largest spreadsheet an import reads (100,000 households are about 13 MB). */
  importMaxBytes: number;
  /**
   * The authority's fiscal code as pagoPA's creditor entity (11 digits). Without it installments'
   * pagoPA notices are not shown (a notice cannot be paid without it): the bank details are.
   */
  pagopaCreditorFiscalCode: string | undefined;
  /** What the invitation letters print (core/invitations): the bot's link and how to reach the authority. */
  invitations: {
    /** The bot's Telegram username without "@" (BOT_USERNAME), for the t.me deep link; undefined if unset. */
    botUsername: string | undefined;
    /** AUTHORITY_CONTACT: office, phone, hours; unset, the letters say to ask the programme's staff. */
    authorityContact: string | undefined;
  };
};

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.join("\n")}`);
    this.problems = problems;
  }
}

/** Empty strings count as unset, except QUIET_HOURS where empty means "disabled". */
function clean(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (value === "" && key !== "QUIET_HOURS") continue;
    out[key] = value;
  }
  return out;
}

/** The same server and credentials, the database name with "_demo" appended (bussola → bussola_demo). */
export function demoDatabaseUrlFor(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, "")) || "bussola";
  url.pathname = `/${encodeURIComponent(`${name}_demo`)}`;
  return url.toString();
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(clean(env));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "environment");
      return `${name} ${issue.message}`;
    });
    throw new ConfigError([...new Set(problems)]);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    demoDatabaseUrl: e.DEMO_DATABASE_URL ?? demoDatabaseUrlFor(e.DATABASE_URL),
    production: e.NODE_ENV === "production",
    telegram: { token: e.TELEGRAM_BOT_TOKEN, apiRoot: e.TELEGRAM_API_ROOT },
    bot: { mode: e.BOT_MODE, webhookUrl: e.WEBHOOK_URL, webhookSecret: e.WEBHOOK_SECRET },
    admin: {
      host: e.ADMIN_HOST,
      port: e.ADMIN_PORT,
      sessionSecret: e.SESSION_SECRET,
      publicOrigin: e.PUBLIC_URL,
      trustProxy: e.TRUST_PROXY,
    },
    operatorsChatId: e.OPERATORS_CHAT_ID,
    quietHours: e.QUIET_HOURS,
    logLevel: e.LOG_LEVEL,
    sandboxPort: e.SANDBOX_PORT,
    deliveryRatePerSecond: e.DELIVERY_RATE_PER_SECOND,
    retentionMonths: e.RETENTION_MONTHS,
    caseSlaHours: e.CASE_SLA_HOURS,
    metrics: { host: e.METRICS_HOST, port: e.METRICS_PORT },
    importMaxBytes: e.IMPORT_MAX_MB * 1024 * 1024,
    pagopaCreditorFiscalCode: e.PAGOPA_CREDITOR_FISCAL_CODE,
    invitations: { botUsername: e.BOT_USERNAME, authorityContact: e.AUTHORITY_CONTACT || undefined },
  };
}

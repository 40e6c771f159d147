// The entry point: which roles this process runs (bot, worker, admin — all three by default) and
// whether it is the demo (the built-in Telegram sandbox and demo data, on the demo's own database).
//
// The demo is a deliberate choice, never inferred per process: `npm start` (every role, no --role)
// with no TELEGRAM_BOT_TOKEN and NODE_ENV not "production", or `--demo`. Anything else is production:
// an admin-only process needs no token; a bot or worker without one refuses to start.
import { parseArgs } from "node:util";
import type { RunnerHandle } from "@grammyjs/runner";
import Fastify, { type FastifyInstance } from "fastify";
import { createAdminServer } from "./admin/server.ts";
import { createBot } from "./bot/bot.ts";
import { setupWebhook, startPolling, webhookRoute } from "./bot/run.ts";
import { systemClock } from "./core/clock.ts";
import { type Config, ConfigError, loadConfig } from "./core/config.ts";
import { createDb } from "./core/db/client.ts";
import { migrateDatabase } from "./core/db/migrate.ts";
import {
  DemoSeparationError,
  databaseNameOf,
  prepareDemoDatabase,
  refuseDemoDatabase,
} from "./core/demo/database.ts";
import { DEMO_PAGOPA_CREDITOR } from "./core/demo/seed.ts";
import { createLogger } from "./core/logger.ts";
import { checkPorts, listenOn, type PortSetting, PortUnusable } from "./core/ports.ts";
import { createBroadcastQueue } from "./core/queues/broadcasts.ts";
import { createDeliveryQueue } from "./core/queues/delivery.ts";
import { createEscalationQueue } from "./core/queues/escalation.ts";
import { createHousekeepingQueue } from "./core/queues/housekeeping.ts";
import { createRedis } from "./core/queues/redis.ts";
import { createRemindersQueue } from "./core/queues/reminders.ts";
import { startWorker } from "./worker/worker.ts";

const ROLES = ["bot", "worker", "admin"] as const;
const SHUTDOWN_DEADLINE_MS = 30_000;
type Role = (typeof ROLES)[number];

type Args = { roles: Role[]; rolesGiven: boolean; demo: boolean };

function parseCommandLine(): Args {
  let values: { role?: string[]; demo?: boolean };
  try {
    ({ values } = parseArgs({
      options: { role: { type: "string", multiple: true }, demo: { type: "boolean" } },
      strict: true,
    }));
  } catch (error) {
    console.error(`${(error as Error).message.split(/\.\s/)[0]}: use --role bot|worker|admin, or --demo`);
    process.exit(2);
  }
  const roles = values.role ?? [...ROLES];
  for (const role of roles) {
    if (!ROLES.includes(role as Role)) {
      console.error(`Unknown role "${role}": use ${ROLES.join(", ")}`);
      process.exit(2);
    }
  }
  if (values.demo && values.role) {
    console.error("--demo runs every role in one process: leave out --role");
    process.exit(2);
  }
  return { roles: roles as Role[], rolesGiven: values.role !== undefined, demo: values.demo === true };
}

/** Demo or production, or the one line that says why this process cannot start as asked. */
function decideMode(args: Args, config: Config): { demo: boolean } | { refusal: string } {
  const token = config.telegram.token !== undefined;
  if (args.demo) {
    if (token) return { refusal: "--demo runs with the built-in Telegram sandbox: unset TELEGRAM_BOT_TOKEN" };
    if (config.production) return { refusal: "--demo never runs with NODE_ENV=production" };
    return { demo: true };
  }
  if (!args.rolesGiven && !token && !config.production) return { demo: true };
  const needToken = args.roles.filter((role) => role !== "admin");
  if (!token && needToken.length > 0) {
    return {
      refusal:
        `TELEGRAM_BOT_TOKEN is not set: the ${needToken.join(" and the ")} need${needToken.length > 1 ? "" : "s"} ` +
        "the bot's token from @BotFather (for the demo, run `npm start` with no --role and without NODE_ENV=production)",
    };
  }
  if (args.roles.includes("admin") && config.production && config.admin.publicOrigin === undefined) {
    return {
      refusal:
        "PUBLIC_URL is not set: with NODE_ENV=production the panel needs its public address, e.g. https://bussola.example.org",
    };
  }
  return { demo: false };
}

type Ports = Record<"sandbox" | "metrics" | "admin", PortSetting>;

/** Where each server of a process listens, and the variables that move it. */
function portsOf(config: Config): Ports {
  return {
    sandbox: { variable: "SANDBOX_PORT", port: config.sandboxPort, host: "127.0.0.1" },
    metrics: { variable: "METRICS_PORT", hostVariable: "METRICS_HOST", ...config.metrics },
    admin: {
      variable: "ADMIN_PORT",
      hostVariable: "ADMIN_HOST",
      port: config.admin.port,
      host: config.admin.host,
    },
  };
}

function webhookMode(config: Config): boolean {
  return (
    config.bot.mode === "webhook" &&
    config.bot.webhookUrl !== undefined &&
    config.bot.webhookSecret !== undefined
  );
}

/**
 * Stops start-up, before anything else happens, when a port cannot be used. In the demo the worker's
 * metrics server is optional: it is turned off, with one line that says why.
 */
async function checkPortsFirst(
  roles: Role[],
  demo: boolean,
  config: Config,
  ports: Ports,
): Promise<{ metricsOff: boolean }> {
  const settings: PortSetting[] = [];
  if (demo) settings.push(ports.sandbox);
  if (roles.includes("worker") && config.metrics.port !== 0) settings.push(ports.metrics);
  if (roles.includes("admin") || (roles.includes("bot") && webhookMode(config))) settings.push(ports.admin);
  let metricsOff = false;
  for (const problem of await checkPorts(settings)) {
    if (demo && problem.setting === ports.metrics) {
      console.error(
        `${problem.reason}: the demo goes on without the worker's /health and /metrics (for them, ${problem.fix})`,
      );
      metricsOff = true;
      continue;
    }
    refuse(problem.message);
  }
  return { metricsOff };
}

function refuse(line: string): never {
  console.error(line);
  process.exit(1);
}

async function main(): Promise<void> {
  const args = parseCommandLine();
  const { roles } = args;
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) console.error(problem);
      process.exit(1);
    }
    throw error;
  }
  const mode = decideMode(args, config);
  if ("refusal" in mode) refuse(mode.refusal);
  const demo = mode.demo;
  const ports = portsOf(config);
  const { metricsOff } = await checkPortsFirst(roles, demo, config, ports);
  const logger = createLogger({ level: config.logLevel, name: "bussola" });
  const clock = systemClock;
  const closers: (() => Promise<unknown>)[] = [];

  // The demo never touches DATABASE_URL's database: it has one of its own.
  const databaseUrl = demo ? config.demoDatabaseUrl : config.databaseUrl;
  await migrateDatabase(databaseUrl);
  const db = createDb(databaseUrl);
  closers.push(() => db.$disconnect());

  let demoLogin: Awaited<ReturnType<typeof prepareDemoDatabase>> | undefined;
  try {
    if (demo) demoLogin = await prepareDemoDatabase(db, databaseUrl, { clock, logger });
    else await refuseDemoDatabase(db, databaseUrl);
  } catch (error) {
    if (!(error instanceof DemoSeparationError)) throw error;
    await db.$disconnect();
    refuse(error.message);
  }
  if (!demo && roles.includes("admin") && config.admin.publicOrigin === undefined) {
    logger.warn(
      "PUBLIC_URL is not set: the panel's cookies are not marked __Host-/Secure and there is no HSTS; set it behind HTTPS",
    );
  }

  // The demo's plan carries made-up pagoPA notices; so that they show, a made-up creditor too.
  const pagopaCreditorFiscalCode =
    config.pagopaCreditorFiscalCode ?? (demo ? DEMO_PAGOPA_CREDITOR : undefined);

  let telegram = { token: config.telegram.token ?? "", apiRoot: config.telegram.apiRoot };
  let sandboxUrl: string | undefined;
  let sandboxBotUsername: string | undefined;
  if (demo) {
    // Only the entry point knows about the sandbox; bot and worker just get another API root.
    const { startSandbox } = await import("./sandbox/server.ts");
    const sandbox = await listenOn(ports.sandbox, () =>
      startSandbox({ host: ports.sandbox.host, port: ports.sandbox.port }),
    );
    closers.push(() => sandbox.close());
    telegram = { token: sandbox.token, apiRoot: sandbox.url };
    sandboxUrl = sandbox.url;
    sandboxBotUsername = sandbox.botUsername;
  }

  const redis = createRedis(config.redisUrl);
  closers.push(() => redis.quit());
  const deliveryQueue = createDeliveryQueue(redis, config.queuePrefix);
  // Redis away for a moment: the connection retries on its own and the worker's sweep re-queues.
  deliveryQueue.on("error", (error) =>
    logger.warn({ err: { message: error.message } }, "queue connection error"),
  );
  closers.push(() => deliveryQueue.close());

  if (roles.includes("worker")) {
    const worker = await startWorker({
      db,
      logger,
      clock,
      connection: redis,
      queuePrefix: config.queuePrefix,
      telegram,
      deliveryRatePerSecond: config.deliveryRatePerSecond,
      retentionMonths: config.retentionMonths,
      metrics: metricsOff ? { ...config.metrics, port: 0 } : config.metrics,
      quietHours: config.quietHours,
      operatorsChatId: config.operatorsChatId,
      caseSlaHours: config.caseSlaHours,
      pagopaCreditorFiscalCode,
    });
    if (worker.httpUrl) console.log(`Worker health and metrics: ${worker.httpUrl}`);
    closers.push(() => worker.close());
  }

  let server: FastifyInstance | undefined;
  if (roles.includes("admin")) {
    // The admins' queue dashboard (/queues) reads every queue; the panel only adds to delivery.
    const queues = [
      deliveryQueue,
      createBroadcastQueue(redis, config.queuePrefix),
      createRemindersQueue(redis, config.queuePrefix),
      createEscalationQueue(redis, config.queuePrefix),
      createHousekeepingQueue(redis, config.queuePrefix),
    ];
    for (const queue of queues.slice(1)) closers.push(() => queue.close());
    server = createAdminServer({
      config,
      logger,
      db,
      clock,
      deliveryQueue,
      queues,
      ...(sandboxUrl ? { demo: { sandboxUrl, botUsername: sandboxBotUsername } } : {}),
    });
  }

  let runner: RunnerHandle | undefined;
  let afterListen: (() => Promise<void>) | undefined;
  if (roles.includes("bot")) {
    const botLogger = logger.child({ role: "bot" });
    const bot = createBot({
      db,
      logger: botLogger,
      clock,
      deliveryQueue,
      operatorsChatId: config.operatorsChatId === undefined ? undefined : BigInt(config.operatorsChatId),
      pagopaCreditorFiscalCode,
      ...telegram,
    });
    if (config.bot.mode === "webhook" && config.bot.webhookUrl && config.bot.webhookSecret) {
      // Behind the admin server when it runs here; otherwise on a server of its own on the same port.
      server ??= Fastify();
      const { webhookUrl, webhookSecret } = config.bot;
      server.register(webhookRoute(bot, new URL(webhookUrl).pathname, webhookSecret));
      // Telegram starts sending as soon as the webhook is set, so set it once the route listens.
      afterListen = () => setupWebhook(bot, webhookUrl, webhookSecret);
    } else {
      runner = await startPolling(bot, { db, logger: botLogger });
      const handle = runner;
      closers.push(async () => {
        if (handle.isRunning()) await handle.stop();
      });
    }
  }

  if (server) {
    const app = server;
    const address = await listenOn(ports.admin, () =>
      app.listen({ host: ports.admin.host, port: ports.admin.port }),
    );
    closers.push(() => app.close());
    await afterListen?.();
    if (roles.includes("admin")) console.log(`Admin panel: ${address}`);
    if (demoLogin && roles.includes("admin")) {
      console.log(`Demo database: ${databaseNameOf(databaseUrl)} (demo data only; production refuses it)`);
      console.log(`Demo login: ${demoLogin.email} / ${demoLogin.password}`);
      for (const other of demoLogin.others) {
        console.log(`Demo login (${other.role}, office ${other.office}, same password): ${other.email}`);
      }
      console.log(`Chat as a demo household: ${address}/demo/chat`);
      console.log(`Telegram sandbox: ${sandboxUrl}`);
    }
  }
  logger.info({ roles, demo, botMode: config.bot.mode }, "Bussola ready");
  console.log(`Bussola ready (${roles.join(", ")}${demo ? ", demo mode" : ""})`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    // The worker gives active jobs 25 s; past this the process gives up waiting (Redis or PostgreSQL
    // gone, a close that never returns) and leaves unfinished jobs to BullMQ's stalled-job check.
    setTimeout(() => {
      logger.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, "shutdown did not finish in time");
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    // Stop taking work first (runner, admin, worker), then close connections.
    for (const close of closers.reverse()) {
      await close().catch((error: unknown) => logger.error({ err: String(error) }, "error while closing"));
    }
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: unknown) => {
  // A port taken after the check (another program was quicker): still one line.
  if (error instanceof PortUnusable) refuse(error.message);
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});

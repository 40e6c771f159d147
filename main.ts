// The entry point: which roles this process runs (bot, worker, admin — all three by default) and,
// without a TELEGRAM_BOT_TOKEN, demo mode with the built-in Telegram sandbox and demo data.
import { parseArgs } from "node:util";
import type { RunnerHandle } from "@grammyjs/runner";
import Fastify, { type FastifyInstance } from "fastify";
import { createAdminServer } from "./admin/server.ts";
import { createBot } from "./bot/bot.ts";
import { setupWebhook, startPolling, webhookRoute } from "./bot/run.ts";
import { systemClock } from "./core/clock.ts";
import { ConfigError, loadConfig } from "./core/config.ts";
import { createDb } from "./core/db/client.ts";
import { migrateDatabase } from "./core/db/migrate.ts";
import { DEMO_LOGIN_HINT, loadDemoData } from "./core/demo/seed.ts";
import { createLogger } from "./core/logger.ts";
import { createDeliveryQueue } from "./core/queues/delivery.ts";
import { createRedis } from "./core/queues/redis.ts";
import { startWorker } from "./worker/worker.ts";

const ROLES = ["bot", "worker", "admin"] as const;
const SHUTDOWN_DEADLINE_MS = 30_000;
type Role = (typeof ROLES)[number];

function parseRoles(): Role[] {
  const { values } = parseArgs({ options: { role: { type: "string", multiple: true } }, strict: true });
  const roles = values.role ?? [...ROLES];
  for (const role of roles) {
    if (!ROLES.includes(role as Role)) {
      console.error(`Unknown role "${role}": use ${ROLES.join(", ")}`);
      process.exit(2);
    }
  }
  return roles as Role[];
}

async function main(): Promise<void> {
  const roles = parseRoles();
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) console.error(problem);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, name: "bussola" });
  const clock = systemClock;
  const closers: (() => Promise<unknown>)[] = [];

  await migrateDatabase(config.databaseUrl);
  const db = createDb(config.databaseUrl);
  closers.push(() => db.$disconnect());

  let telegram = { token: config.telegram.token ?? "", apiRoot: config.telegram.apiRoot };
  let sandboxUrl: string | undefined;
  if (config.demo) {
    // Only the entry point knows about the sandbox; bot and worker just get another API root.
    const { startSandbox } = await import("./sandbox/server.ts");
    const sandbox = await startSandbox({ host: "127.0.0.1", port: config.sandboxPort });
    closers.push(() => sandbox.close());
    telegram = { token: sandbox.token, apiRoot: sandbox.url };
    sandboxUrl = sandbox.url;
    await loadDemoData(db, clock, logger);
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
      metrics: config.metrics,
      quietHours: config.quietHours,
      operatorsChatId: config.operatorsChatId,
      caseSlaHours: config.caseSlaHours,
    });
    if (worker.httpUrl) console.log(`Worker health and metrics: ${worker.httpUrl}`);
    closers.push(() => worker.close());
  }

  let server: FastifyInstance | undefined;
  if (roles.includes("admin")) {
    server = createAdminServer({
      config,
      logger,
      db,
      clock,
      deliveryQueue,
      ...(sandboxUrl ? { demo: { sandboxUrl } } : {}),
    });
  }

  let runner: RunnerHandle | undefined;
  let afterListen: (() => Promise<void>) | undefined;
  if (roles.includes("bot")) {
    const bot = createBot({
      db,
      logger: logger.child({ role: "bot" }),
      clock,
      deliveryQueue,
      operatorsChatId: config.operatorsChatId === undefined ? undefined : BigInt(config.operatorsChatId),
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
      runner = await startPolling(bot);
      const handle = runner;
      closers.push(async () => {
        if (handle.isRunning()) await handle.stop();
      });
    }
  }

  if (server) {
    const address = await server.listen({ host: config.admin.host, port: config.admin.port });
    const app = server;
    closers.push(() => app.close());
    await afterListen?.();
    if (roles.includes("admin")) console.log(`Admin panel: ${address}`);
    if (config.demo && roles.includes("admin")) {
      console.log(`Demo login: ${DEMO_LOGIN_HINT}`);
      console.log(`Chat as a demo household: ${address}/demo/chat`);
      console.log(`Telegram sandbox: ${sandboxUrl}`);
    }
  }
  logger.info({ roles, demo: config.demo, botMode: config.bot.mode }, "Bussola ready");
  console.log(`Bussola ready (${roles.join(", ")}${config.demo ? ", demo mode" : ""})`);

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
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});

// The worker's own small HTTP server (METRICS_HOST/METRICS_PORT): GET /health for the orchestrator
// and GET /metrics for Prometheus. Answers about this process and what it depends on; nothing personal.
import Fastify from "fastify";
import type { Redis } from "ioredis";
import type { Db } from "../core/db/client.ts";
import { sqlOf } from "../core/db/sql.ts";
import type { Metrics } from "../core/metrics.ts";
import { listenOn } from "../core/ports.ts";

/** A check that does not answer within this long has failed: a health check must answer quickly. */
const CHECK_TIMEOUT_MS = 2000;

export type WorkerHttpDeps = {
  db: Db;
  connection: Redis;
  metrics: Metrics;
  /** False once the worker is stopping, or if one of its queue workers is not running. */
  isRunning(): boolean;
};

export type WorkerHttp = { url: string; close(): Promise<void> };

type Check = "ok" | "failed";

async function check(run: () => Promise<unknown>): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      run(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("timeout")), CHECK_TIMEOUT_MS);
      }),
    ]);
    return "ok";
  } catch {
    return "failed";
  } finally {
    clearTimeout(timer);
  }
}

export async function startWorkerHttp(
  deps: WorkerHttpDeps,
  listen: { host: string; port: number },
): Promise<WorkerHttp> {
  const app = Fastify({ logger: false });
  const sql = sqlOf(deps.db);

  app.get("/health", async (_request, reply) => {
    const [database, redis] = await Promise.all([
      check(() => sql.query`SELECT 1`),
      // A disconnected client would queue the PING until Redis is back: answer at once instead.
      check(async () => {
        if (deps.connection.status !== "ready") throw new Error("not connected");
        await deps.connection.ping();
      }),
    ]);
    const checks = { database, redis, worker: deps.isRunning() ? "ok" : "failed" };
    const healthy = Object.values(checks).every((value) => value === "ok");
    return reply.code(healthy ? 200 : 503).send({ status: healthy ? "ok" : "unavailable", checks });
  });

  app.get("/metrics", async (_request, reply) => {
    const { contentType, text } = await deps.metrics.render();
    return reply.type(contentType).send(text);
  });

  const setting = { variable: "METRICS_PORT", hostVariable: "METRICS_HOST", ...listen };
  const url = await listenOn(setting, () => app.listen(listen));
  return { url, close: () => app.close() };
}

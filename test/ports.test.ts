// A port that cannot be used stops start-up with one line on stderr naming the variable to change,
// and exit code 1, never a stack trace: through the real entry point (node main.ts), with the port
// taken by another program. The demo goes on without the worker's metrics when METRICS_PORT is taken.
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:net";
import Fastify from "fastify";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { dropDatabase } from "../core/db/migrate.ts";
import { createMetrics } from "../core/metrics.ts";
import { listenOn, PortUnusable } from "../core/ports.ts";
import { startWorkerHttp } from "../worker/http.ts";
import { createTestDatabase, testQueuePrefix } from "./support/db.ts";
import { freePort, runToExit, startProcess } from "./support/processes.ts";

/** Nothing listens here: a process that reached its database would fail with another message. */
const NO_DATABASE = "postgresql://postgres@127.0.0.1:1/never_reached";
const TOKEN = "123456:port-test-token";
const SESSION_SECRET = "ports-test-session-secret-0123456789abcdef";

/** Another program holding ports, as a person's machine might have. */
const taken: Server[] = [];

async function takePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  taken.push(server);
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("no port");
  return address.port;
}

/** No token, no NODE_ENV: what a fresh checkout has; ports free unless the test takes one. */
async function env(extra: Record<string, string>): Promise<Record<string, string>> {
  return {
    DATABASE_URL: NO_DATABASE,
    DEMO_DATABASE_URL: "",
    TELEGRAM_BOT_TOKEN: "",
    NODE_ENV: "",
    PUBLIC_URL: "",
    BOT_MODE: "",
    WEBHOOK_URL: "",
    WEBHOOK_SECRET: "",
    QUEUE_PREFIX: testQueuePrefix(),
    ADMIN_HOST: "127.0.0.1",
    ADMIN_PORT: String(await freePort()),
    SANDBOX_PORT: String(await freePort()),
    METRICS_HOST: "127.0.0.1",
    METRICS_PORT: "0",
    ...extra,
  };
}

/** Exactly one line on stderr, matching; exit code 1; nothing on stdout (it stopped first). */
async function expectRefusal(
  args: string[],
  environment: Record<string, string>,
  line: string | RegExp,
  options: { uid?: number; gid?: number } = {},
): Promise<void> {
  const { code, stdout, stderr } = await runToExit(["main.ts", ...args], environment, {
    ...options,
    timeoutMs: 30_000,
  });
  expect(stderr.endsWith("\n"), stderr).toBe(true);
  const lines = stderr.slice(0, -1).split("\n");
  expect(lines, stderr).toHaveLength(1);
  if (typeof line === "string") expect(lines[0]).toBe(line);
  else expect(lines[0]).toMatch(line);
  expect(code).toBe(1);
  expect(stdout).toBe("");
}

afterAll(async () => {
  await Promise.all(taken.map((server) => new Promise((resolve) => server.close(resolve))));
});

// Each case starts node main.ts (a few seconds each on a busy machine), some twice.
const PROCESSES = { timeout: 60_000 };

describe("a port another program holds stops start-up in one line", PROCESSES, () => {
  it("ADMIN_PORT, for the admin panel", async () => {
    const port = await takePort();
    await expectRefusal(
      ["--role", "admin"],
      await env({ ADMIN_PORT: String(port) }),
      `ADMIN_PORT ${port} is already in use by another program: stop it or set ADMIN_PORT to a free port`,
    );
  });

  it("ADMIN_PORT, for a bot in webhook mode without the panel", async () => {
    const port = await takePort();
    await expectRefusal(
      ["--role", "bot"],
      await env({
        ADMIN_PORT: String(port),
        TELEGRAM_BOT_TOKEN: TOKEN,
        SESSION_SECRET,
        BOT_MODE: "webhook",
        WEBHOOK_URL: "https://bussola.example.org/telegram/webhook",
        WEBHOOK_SECRET: "ports-test-webhook-secret",
      }),
      `ADMIN_PORT ${port} is already in use by another program: stop it or set ADMIN_PORT to a free port`,
    );
  });

  it("SANDBOX_PORT, for the demo's Telegram sandbox", async () => {
    const port = await takePort();
    await expectRefusal(
      [],
      await env({ SANDBOX_PORT: String(port) }),
      `SANDBOX_PORT ${port} is already in use by another program: stop it or set SANDBOX_PORT to a free port`,
    );
  });

  it("METRICS_PORT, for a production worker (a real token): metrics are not optional there", async () => {
    const port = await takePort();
    const line = `METRICS_PORT ${port} is already in use by another program: stop it or set METRICS_PORT to a free port`;
    const production = { TELEGRAM_BOT_TOKEN: TOKEN, SESSION_SECRET, METRICS_PORT: String(port) };
    await expectRefusal(["--role", "worker"], await env(production), line);
    // The same with NODE_ENV=production and every role.
    await expectRefusal(
      [],
      await env({ ...production, NODE_ENV: "production", PUBLIC_URL: "https://bussola.example.org" }),
      line,
    );
  });

  it("two settings of one process on the same port", async () => {
    const port = String(await freePort());
    await expectRefusal(
      ["--role", "admin", "--role", "worker"],
      await env({ TELEGRAM_BOT_TOKEN: TOKEN, SESSION_SECRET, ADMIN_PORT: port, METRICS_PORT: port }),
      `ADMIN_PORT ${port} is also METRICS_PORT: give ADMIN_PORT a port of its own`,
    );
  });
});

describe("a port this process may not use, or an address it does not have", PROCESSES, () => {
  it("a privileged port, for a process without the privilege", async () => {
    // Root may bind any port: run the process as nobody, as most people run it.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    await expectRefusal(
      ["--role", "admin"],
      { ...(await env({ ADMIN_PORT: "81" })), HOME: "/tmp" },
      "ADMIN_PORT 81 needs privileges this process does not have (ports below 1024 usually do): set ADMIN_PORT to a free port from 1024 up",
      asNobody,
    );
  });

  it("an ADMIN_HOST that is not this machine's, or METRICS_HOST that does not resolve", async () => {
    await expectRefusal(
      ["--role", "admin"],
      await env({ ADMIN_HOST: "192.0.2.1" }),
      "ADMIN_HOST 192.0.2.1 is not an address of this machine: set ADMIN_HOST to one of its addresses, e.g. 127.0.0.1",
    );
    await expectRefusal(
      ["--role", "worker"],
      await env({
        TELEGRAM_BOT_TOKEN: TOKEN,
        SESSION_SECRET,
        METRICS_HOST: "no-such-host.invalid",
        METRICS_PORT: String(await freePort()),
      }),
      "METRICS_HOST no-such-host.invalid is not a host name this machine can resolve: set METRICS_HOST to an address, e.g. 127.0.0.1",
    );
  });
});

describe("a port taken between the check and the listen", () => {
  it("the real listen says the same one line (admin server, worker metrics server)", async () => {
    const port = await takePort();
    const app = Fastify();
    const setting = { variable: "ADMIN_PORT", hostVariable: "ADMIN_HOST", host: "127.0.0.1", port };
    const error = await listenOn(setting, () => app.listen({ host: "127.0.0.1", port })).catch((e) => e);
    await app.close();
    expect(error).toBeInstanceOf(PortUnusable);
    expect(error.message).toBe(
      `ADMIN_PORT ${port} is already in use by another program: stop it or set ADMIN_PORT to a free port`,
    );

    const t = await createTestDatabase();
    const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null, lazyConnect: true });
    const metrics = createMetrics({
      db: t.db,
      connection: redis,
      queuePrefix: testQueuePrefix(),
      queueNames: [],
    });
    try {
      const failed = await startWorkerHttp(
        { db: t.db, connection: redis, metrics, isRunning: () => true },
        { host: "127.0.0.1", port },
      ).catch((e) => e);
      expect(failed).toBeInstanceOf(PortUnusable);
      expect(failed.message).toBe(
        `METRICS_PORT ${port} is already in use by another program: stop it or set METRICS_PORT to a free port`,
      );
    } finally {
      await metrics.close();
      redis.disconnect();
      await t.drop();
    }
  });
});

describe("the demo with METRICS_PORT taken", () => {
  /** The demo's own database: one of this run (the run's clean-up drops it too if this file dies). */
  const demoUrl = new URL(inject("templateDatabaseUrl"));
  demoUrl.pathname = `/bussola_test_${inject("runId")}_${randomBytes(4).toString("hex")}_demo`;

  afterAll(async () => {
    await dropDatabase(demoUrl.toString()).catch(() => undefined);
  });

  it("says in one line that metrics are off and why, and goes on", async () => {
    const port = await takePort();
    const demo = await startProcess(
      ["main.ts"],
      await env({ DEMO_DATABASE_URL: demoUrl.toString(), METRICS_PORT: String(port) }),
    );
    try {
      expect(demo.output()).toContain("demo mode");
      expect(demo.errors()).toBe(
        `METRICS_PORT ${port} is already in use by another program: the demo goes on without the worker's /health and /metrics (for them, stop it or set METRICS_PORT to a free port)\n`,
      );
      const admin = /^Admin panel: (\S+)$/m.exec(demo.output())?.[1];
      expect(admin, demo.output()).toBeDefined();
      expect((await fetch(`${admin}/health`)).status).toBe(200);
    } finally {
      expect(await demo.stop()).toBe(0);
    }
  }, 90_000);
});

// Broadcasts under faults, with the real worker process (node main.ts --role worker): killed with
// SIGKILL mid-run and restarted, Redis restarted mid-run, the sandbox answering 5xx and 429 bursts.
// Every recipient must get the broadcast exactly once.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type CrowdMember, receivedPerChat, seedCrowd } from "../bench/broadcast-crowd.ts";
import { broadcastStatus } from "../core/broadcasts/broadcasts.ts";
import { type Sandbox, startSandbox } from "../sandbox/server.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";
import { freePort, type RunningProcess, runCli, startProcess } from "./support/processes.ts";
import { sandboxControl } from "./support/sandbox-user.ts";

const RECIPIENTS = 500;

let sandbox: Sandbox;
let t: TestDatabase;
let crowd: CrowdMember[];
const dir = mkdtempSync(join(tmpdir(), "bussola-broadcast-faults-"));
const running: RunningProcess[] = [];
const redisServers: ChildProcess[] = [];

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn("redis-server", ["--port", String(port), "--save", "", "--appendonly", "no"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  redisServers.push(child);
  await new Promise<void>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`redis-server not ready:\n${output}`)), 10_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

function workerEnv(extra: Record<string, string>): Record<string, string> {
  return {
    DATABASE_URL: t.url,
    REDIS_URL: "redis://127.0.0.1:6379",
    TELEGRAM_BOT_TOKEN: sandbox.token,
    TELEGRAM_API_ROOT: sandbox.url,
    SESSION_SECRET: "broadcast-faults-secret-broadcast-faults",
    METRICS_PORT: "0",
    LOG_LEVEL: "silent",
    QUIET_HOURS: "",
    ...extra,
  };
}

async function startWorkerProcess(env: Record<string, string>): Promise<RunningProcess> {
  const worker = await startProcess(["main.ts", "--role", "worker"], env, "Bussola ready", 60_000);
  running.push(worker);
  return worker;
}

const control = (path: string, body: unknown) => sandboxControl(sandbox.url, path, body);

/** Records a broadcast to everyone through the CLI; returns its id and the marker in its text. */
async function broadcast(env: Record<string, string>, name: string): Promise<{ id: number; marker: string }> {
  const marker = `[${name}]`;
  const file = join(dir, `${name}.txt`);
  writeFileSync(file, `Avviso ${marker}\n[ar]\nإشعار ${marker}\n[uk]\nОголошення ${marker}`);
  const result = await runCli(["broadcast", "--audience", "all", "--text-file", file], env);
  expect(result.code, result.stderr).toBe(0);
  return { id: Number(/^Broadcast (\d+) recorded\.$/m.exec(result.stdout)?.[1]), marker };
}

async function sentCount(broadcastId: number): Promise<number> {
  return t.db.outboundMessage.count({ where: { broadcastId, status: "sent" } });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Nothing of the broadcast is still queued or being sent. */
async function settled(broadcastId: number): Promise<boolean> {
  const open = await t.db.outboundMessage.count({
    where: { broadcastId, status: { in: ["queued", "sending"] } },
  });
  const total = await t.db.outboundMessage.count({ where: { broadcastId } });
  return total === RECIPIENTS && open === 0;
}

/**
 * Nobody got it twice; everyone whose message is `sent` got it once; and anyone who did not get it
 * has an `uncertain` message (a worker died mid-request: never sent twice, staff can see it).
 */
async function expectExactlyOnce(broadcastId: number, marker: string): Promise<void> {
  const received = await receivedPerChat(
    sandbox.url,
    crowd.map((c) => c.chatId),
    marker,
  );
  const twice = [...received.values()].filter((n) => n > 1).length;
  expect(twice, "chats that got the broadcast more than once").toBe(0);
  const messages = await t.db.outboundMessage.findMany({
    where: { broadcastId },
    select: { chatId: true, status: true },
  });
  expect(messages).toHaveLength(RECIPIENTS);
  for (const m of messages) {
    const got = received.get(Number(m.chatId));
    if (m.status === "sent") expect(got).toBe(1);
    else expect([m.status, got]).toEqual(["uncertain", expect.any(Number)]);
  }
  const view = await broadcastStatus(t.db, broadcastId);
  expect(view?.counters.queued).toBe(0);
  expect(view?.counters.sending).toBe(0);
  expect(view?.counters.failed).toBe(0);
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, limits: { global_per_second: 1000 } });
  t = await createTestDatabase();
  crowd = await seedCrowd(t.db, sandbox.url, RECIPIENTS);
}, 120_000);

afterEach(async () => {
  for (const p of running.splice(0)) await p.stop();
});

afterAll(async () => {
  for (const r of redisServers) await stopRedis(r);
  await sandbox?.close();
  await t?.drop();
});

describe("broadcast faults (500 recipients, real worker process)", () => {
  it("a worker killed with SIGKILL mid-run and restarted: every recipient gets it exactly once", async () => {
    const env = workerEnv({ QUEUE_PREFIX: testQueuePrefix(), DELIVERY_RATE_PER_SECOND: "100" });
    const first = await startWorkerProcess(env);
    const { id, marker } = await broadcast(env, "sigkill");
    await waitFor(async () => (await sentCount(id)) >= 100, 60_000, "100 messages sent");
    await first.stop("SIGKILL");
    const sentAtKill = await sentCount(id);
    expect(sentAtKill).toBeLessThan(RECIPIENTS);
    await startWorkerProcess(env);
    await waitFor(() => settled(id), 150_000, "every message settled");
    await expectExactlyOnce(id, marker);
    // Only what the killed worker had in flight (its concurrency at 100/s is 10) can be uncertain.
    const uncertain = await t.db.outboundMessage.count({ where: { broadcastId: id, status: "uncertain" } });
    expect(uncertain).toBeLessThanOrEqual(10);
  }, 240_000);

  it("Redis restarted mid-run (an empty Redis, nothing on disk): nothing lost, nothing twice", async () => {
    const port = await freePort();
    let redis = await startRedis(port);
    const env = workerEnv({
      QUEUE_PREFIX: testQueuePrefix(),
      REDIS_URL: `redis://127.0.0.1:${port}`,
      DELIVERY_RATE_PER_SECOND: "100",
    });
    await startWorkerProcess(env);
    const { id, marker } = await broadcast(env, "redis-restart");
    await waitFor(async () => (await sentCount(id)) >= 100, 60_000, "100 messages sent");
    await stopRedis(redis);
    await new Promise((resolve) => setTimeout(resolve, 500));
    redis = await startRedis(port);
    await waitFor(() => settled(id), 150_000, "every message settled");
    await expectExactlyOnce(id, marker);
    // This Redis is stopped after the worker (afterAll): a worker closing against a dead Redis waits.
  }, 240_000);

  it("the sandbox answering 10% 5xx and bursts of 429: everything delivered, nothing twice", async () => {
    const env = workerEnv({ QUEUE_PREFIX: testQueuePrefix(), DELIVERY_RATE_PER_SECOND: "200" });
    await startWorkerProcess(env);
    await control("/control/faults", { error_rate: 0.1, burst_429: 20 });
    try {
      const { id, marker } = await broadcast(env, "faults");
      // A second burst of 429s mid-run.
      await waitFor(async () => (await sentCount(id)) >= 200, 60_000, "200 messages sent");
      await control("/control/faults", { error_rate: 0.1, burst_429: 20 });
      await waitFor(() => settled(id), 150_000, "every message settled");
      await expectExactlyOnce(id, marker);
      // No worker died here: nothing is uncertain, everything was sent.
      expect(await sentCount(id)).toBe(RECIPIENTS);
      const counters = (await (await fetch(`${sandbox.url}/control/counters`)).json()) as {
        responses: Record<string, number>;
      };
      expect(counters.responses["429"] ?? 0).toBeGreaterThanOrEqual(20);
      expect(counters.responses["5xx"] ?? 0).toBeGreaterThan(0);
    } finally {
      await control("/control/faults", { error_rate: 0, burst_429: 0 });
    }
  }, 240_000);
});

// What the bot bench's parts share (bench/bot.ts on the full sandbox, bench/bot-light.ts on the light
// stand-in): child processes and their CPU, clean-up, progress lines, knobs.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { systemClock } from "../core/clock.ts";
import { createDb, type Db } from "../core/db/client.ts";
import { applyMigrations, dropDatabase, ensureDatabase } from "../core/db/migrate.ts";
import { createDeliveryQueue } from "../core/queues/delivery.ts";
import { type BenchHousehold, seedBenchHouseholds } from "./households.ts";

const ROOT = join(import.meta.dirname, "..");

export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

let benchStart = performance.now();

/** The bot bench's clock starts again (its progress lines count from here). */
export function restartProgress(): void {
  benchStart = performance.now();
}

export function progress(message: string): void {
  console.log(`bot bench [${((performance.now() - benchStart) / 1000).toFixed(1)} s]: ${message}`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export { mapLimit } from "./broadcast-crowd.ts";

/** Things to undo, last first; run on success, on failure and on Ctrl-C. */
export class Cleanup {
  readonly #steps: { what: string; undo: () => Promise<unknown> | unknown }[] = [];

  defer(what: string, undo: () => Promise<unknown> | unknown): void {
    this.#steps.push({ what, undo });
  }

  async run(): Promise<void> {
    for (let step = this.#steps.pop(); step; step = this.#steps.pop()) {
      try {
        await step.undo();
      } catch (error) {
        console.error(`bot bench: clean-up "${step.what}" failed: ${String(error)}`);
      }
    }
  }
}

export type Child = {
  child: ChildProcess;
  output(): string;
  /** The process's error log lines (pino level 50 and up), the first ones: what made replies fail. */
  errorLines(): string[];
  stop(): Promise<void>;
};

const KEPT_ERROR_LINES = 20;

const children = new Set<ChildProcess>();
export const killChildren = () => {
  for (const child of children) child.kill("SIGKILL");
};

export async function startChild(
  args: string[],
  env: Record<string, string>,
  readyLine: string,
  timeoutMs = 60_000,
): Promise<Child> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let output = "";
  let partial = "";
  const errorLines: string[] = [];
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-8_000); // bounded: the end is what explains a failure
    const lines = (partial + text).split("\n");
    partial = (lines.pop() ?? "").slice(-8_000);
    for (const line of lines) {
      if (errorLines.length < KEPT_ERROR_LINES && /"level":(5|6)\d/.test(line)) errorLines.push(line);
    }
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      children.delete(child);
      resolve();
    }),
  );
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${args.join(" ")} not ready in time:\n${output}`)),
        timeoutMs,
      );
      child.stdout?.on("data", () => {
        if (output.includes(readyLine)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${args.join(" ")} exited with ${code}:\n${output}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { child, output: () => output, errorLines: () => [...errorLines], stop };
}

/** CPU time (user + system) a process has used so far, in ms; Linux only (/proc), else undefined. */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after "(comm) ": state is the first, utime the 12th and stime the 13th (in 1/100 s).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

function benchDatabaseUrl(suffix = ""): string {
  const url = new URL(process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/bussola");
  url.pathname = `/bussola_bench_bot_${process.pid}${suffix}`;
  return url.toString();
}

/** The delivery queue of a bench run, emptied and closed at clean-up. */
export function benchQueuePrefix(cleanup: Cleanup, suffix = ""): string {
  const queuePrefix = `bussola-bench-bot-${process.pid}${suffix}`;
  cleanup.defer("queue", async () => {
    const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", {
      maxRetriesPerRequest: null,
    });
    const queue = createDeliveryQueue(redis, queuePrefix);
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await redis.quit();
  });
  return queuePrefix;
}

/** What Bussola's processes need to run against a stand-in with a bench database and queue. */
export function bussolaEnv(
  databaseUrl: string,
  queuePrefix: string,
  telegram: { url: string; token: string },
): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    QUEUE_PREFIX: queuePrefix,
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.url,
    SESSION_SECRET: "bench-session-secret-bench-session-secret",
    BOT_MODE: "polling",
  };
}

/** `node main.ts --role bot`; BENCH_BOT_PROFILE=<dir>: a CPU profile of it (open it in Chrome's DevTools). */
export function startBussolaBot(env: Record<string, string>): Promise<Child> {
  const profile = process.env.BENCH_BOT_PROFILE;
  return startChild(
    [...(profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : []), "main.ts", "--role", "bot"],
    env,
    "Bussola ready",
  );
}

/** A fresh database with the bench's households, dropped at clean-up. */
export async function benchDatabase(
  cleanup: Cleanup,
  suffix: string,
  count: number,
): Promise<{ databaseUrl: string; db: Db; households: BenchHousehold[] }> {
  const databaseUrl = benchDatabaseUrl(suffix);
  await ensureDatabase(databaseUrl);
  cleanup.defer("database", () => dropDatabase(databaseUrl));
  await applyMigrations(databaseUrl);
  const db = createDb(databaseUrl, { poolSize: 4 });
  cleanup.defer("database client", () => db.$disconnect());
  return { databaseUrl, db, households: await seedBenchHouseholds(db, systemClock, count) };
}

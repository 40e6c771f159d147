// Broadcast benchmark (part of `npm run bench`): a broadcast to 2,000 linked members in a fresh
// database, through the real worker process (`node main.ts --role worker`) and the sandbox.
//
// Three runs: the sandbox at Telegram's 30 messages/s overall, counted as a sliding one-second
// window (strict, as Telegram is seen to be) and then as its forgiving default token bucket, each
// with the worker's pacer just under it (DELIVERY_RATE_PER_SECOND=29); and the sandbox's limit
// raised to 1,000/s (Telegram's paid broadcasts) with DELIVERY_RATE_PER_SECOND=1000, which shows the
// pipeline's own ceiling. Measured from the fan-out's first record (OutboundMessage.createdAt) to the
// last message sent (sentAt); lost = recipients without it, duplicated = recipients who got it more
// than once (read from the sandbox's transcripts), the 429s the sandbox answered, and the most
// sending calls that reached it within any 1000 ms.
//
// Alone: `node bench/broadcast.ts`. Knob: BENCH_BROADCAST_RECIPIENTS (2000).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { createDb, type Db } from "../core/db/client.ts";
import { applyMigrations, dropDatabase, ensureDatabase } from "../core/db/migrate.ts";
import { sqlOf } from "../core/db/sql.ts";
import { createBroadcastQueue } from "../core/queues/broadcasts.ts";
import { createDeliveryQueue } from "../core/queues/delivery.ts";
import { busiestWindow, type GlobalWindow } from "../sandbox/limits.ts";
import { startSandbox } from "../sandbox/server.ts";
import { receivedPerChat, seedCrowd } from "./broadcast-crowd.ts";

export type BenchResult = { name: string; value: number; unit: string; note?: string };

const ROOT = join(import.meta.dirname, "..");
const RECIPIENTS = Number(process.env.BENCH_BROADCAST_RECIPIENTS ?? 2000);

function progress(message: string): void {
  process.stderr.write(`broadcast bench: ${message}\n`);
}

type Run = {
  recipients: number;
  seconds: number;
  rate: number;
  lost: number;
  duplicated: number;
  tooMany: number;
  serverErrors: number;
  /** The most sending calls (let through or refused) the sandbox saw within any 1000 ms. */
  busiestSecond: number;
};

export async function startWorker(
  env: Record<string, string>,
): Promise<{ stop(): Promise<void>; child: ChildProcess }> {
  const child = spawn(process.execPath, ["main.ts", "--role", "worker"], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready:\n${output}`)), 60_000);
    child.stdout?.on("data", () => {
      if (output.includes("Bussola ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}:\n${output}`));
    });
  });
  return {
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function runOnce(
  db: Db,
  databaseUrl: string,
  limit: number,
  window: GlobalWindow,
  workerRate: number,
  label: string,
): Promise<Run> {
  const sandbox = await startSandbox({
    port: 0,
    limits: { global_per_second: limit, global_window: window },
  });
  const queuePrefix = `bussola-bench-broadcast-${process.pid}-${label.replace(/\W/g, "")}`;
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  let worker: { stop(): Promise<void> } | undefined;
  try {
    progress(`${label}: ${RECIPIENTS} sandbox users and members`);
    // Each run its own crowd: the sandbox is fresh each time and hands out the same user ids again.
    await db.member.deleteMany();
    await db.household.deleteMany();
    const crowd = await seedCrowd(db, sandbox.url, RECIPIENTS);
    const env = {
      DATABASE_URL: databaseUrl,
      QUEUE_PREFIX: queuePrefix,
      TELEGRAM_BOT_TOKEN: sandbox.token,
      TELEGRAM_API_ROOT: sandbox.url,
      SESSION_SECRET: "bench-session-secret-bench-session-secret",
      METRICS_PORT: "0",
      QUIET_HOURS: "",
      DELIVERY_RATE_PER_SECOND: String(workerRate),
    };
    worker = await startWorker(env);
    await fetch(`${sandbox.url}/control/reset-counters`, { method: "POST" });
    const marker = `[bench ${label}]`;
    const file = join(mkdtempSync(join(tmpdir(), "bussola-bench-broadcast-")), "text.txt");
    writeFileSync(file, `Avviso ${marker}\n[ar]\nإشعار ${marker}\n[en]\nNotice ${marker}`);
    progress(`${label}: broadcast (worker pacer ${workerRate}/s, sandbox limit ${limit}/s, ${window})`);
    const cli = spawn(
      process.execPath,
      ["cli/index.ts", "broadcast", "--audience", "all", "--text-file", file],
      {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    cli.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    const code = await new Promise((resolve) => cli.once("exit", resolve));
    const id = Number(/^Broadcast (\d+) recorded\.$/m.exec(stdout)?.[1]);
    if (code !== 0 || !id) throw new Error(`broadcast command failed (${code}): ${stdout}`);
    const sql = sqlOf(db);
    const deadline = Date.now() + (RECIPIENTS / Math.min(limit, workerRate)) * 1000 * 3 + 60_000;
    for (;;) {
      const [row] = await sql.query<{ total: bigint; open: bigint }>`
        SELECT count(*) AS "total",
          count(*) FILTER (WHERE "status" IN ('queued', 'sending')) AS "open"
        FROM "OutboundMessage" WHERE "broadcastId" = ${id}`;
      if (row && Number(row.total) === RECIPIENTS && Number(row.open) === 0) break;
      if (Date.now() > deadline) throw new Error(`${label}: not finished in time (${row?.open} open)`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const [span] = await sql.query<{ first: Date; last: Date; sent: bigint }>`
      SELECT min("createdAt") AS "first", max("sentAt") AS "last", count("sentAt") AS "sent"
      FROM "OutboundMessage" WHERE "broadcastId" = ${id}`;
    const seconds = ((span?.last.getTime() ?? 0) - (span?.first.getTime() ?? 0)) / 1000;
    const received = await receivedPerChat(
      sandbox.url,
      crowd.map((c) => c.chatId),
      marker,
    );
    const counts = [...received.values()];
    const counters = (await (await fetch(`${sandbox.url}/control/counters`)).json()) as {
      responses: Record<string, number>;
    };
    const times = (await (await fetch(`${sandbox.url}/control/send-times`)).json()) as {
      accepted: number[];
      refused: number[];
    };
    return {
      busiestSecond: busiestWindow([...times.accepted, ...times.refused]),
      recipients: RECIPIENTS,
      seconds,
      rate: Number(span?.sent ?? 0) / seconds,
      lost: counts.filter((n) => n === 0).length,
      duplicated: counts.filter((n) => n > 1).length,
      tooMany: counters.responses["429"] ?? 0,
      serverErrors: counters.responses["5xx"] ?? 0,
    };
  } finally {
    await worker?.stop();
    for (const queue of [createDeliveryQueue(redis, queuePrefix), createBroadcastQueue(redis, queuePrefix)]) {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
    await redis.quit();
    await sandbox.close();
  }
}

export async function benchBroadcast(): Promise<BenchResult[]> {
  const url = new URL(process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/bussola");
  url.pathname = `/bussola_bench_broadcast_${process.pid}`;
  const databaseUrl = url.toString();
  await ensureDatabase(databaseUrl);
  await applyMigrations(databaseUrl);
  const db = createDb(databaseUrl, { poolSize: 4 });
  try {
    // BENCH_BROADCAST_ONLY=paid skips the two 70-second runs at 30/s (to study the pipeline's
    // ceiling); =limit runs only those two.
    const only = process.env.BENCH_BROADCAST_ONLY;
    const atLimit =
      only === "paid"
        ? []
        : [
            {
              run: await runOnce(db, databaseUrl, 30, "sliding", 29, "30/s sliding"),
              window: "sliding window",
            },
            { run: await runOnce(db, databaseUrl, 30, "bucket", 29, "30/s bucket"), window: "token bucket" },
          ];
    const paid =
      only === "limit" ? undefined : await runOnce(db, databaseUrl, 1000, "bucket", 1000, "1000/s");
    const note = (r: Run) =>
      `${r.recipients} recipients in ${r.seconds.toFixed(1)} s; lost ${r.lost}, duplicated ${r.duplicated}, 429s ${r.tooMany}, busiest second ${r.busiestSecond} calls`;
    const atLimitResults = atLimit.flatMap(({ run, window }): BenchResult[] => [
      {
        name: `broadcast at 30/s (${window}), pacer 29/s`,
        value: run.rate,
        unit: "msg/s",
        note: note(run),
      },
      { name: `broadcast at 30/s (${window}): share of the limit`, value: (run.rate / 30) * 100, unit: "%" },
      {
        name: `broadcast at 30/s (${window}): lost + duplicated`,
        value: run.lost + run.duplicated,
        unit: "messages",
      },
      { name: `broadcast at 30/s (${window}): 429 answers`, value: run.tooMany, unit: "answers" },
    ]);
    const paidResults: BenchResult[] = paid
      ? [
          {
            name: "broadcast, limit 1000/s (pipeline ceiling)",
            value: paid.rate,
            unit: "msg/s",
            note: note(paid),
          },
          {
            name: "broadcast, limit 1000/s: lost + duplicated",
            value: paid.lost + paid.duplicated,
            unit: "messages",
          },
        ]
      : [];
    return [...atLimitResults, ...paidResults];
  } finally {
    await db.$disconnect();
    await dropDatabase(databaseUrl);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await benchBroadcast()) {
    console.log(`${r.name}: ${r.value.toFixed(1)} ${r.unit}${r.note ? `  (${r.note})` : ""}`);
  }
}

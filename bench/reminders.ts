// A reminder scan over 100,000 households with active repayment plans (aim: under 10 s, 300 MB).
// Seeded with generate_series SQL so that a realistic but large share is due now: ~14k installment
// reminders (before / due / overdue), ~2k document deadlines, 1,000 course places starting soon.
// The scan runs in a child process (bench/reminders-scan.ts) for honest time and peak memory; then
// again, when it must find nothing new. BENCH_NODE_ARGS passes flags to that child (e.g.
// "--max-semi-space-size=4": most of the peak is V8's young generation growing, not live data).
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { createDb } from "../core/db/client.ts";
import { applyMigrations, dropDatabase, ensureDatabase } from "../core/db/migrate.ts";
import { createDeliveryQueue } from "../core/queues/delivery.ts";

type BenchResult = { name: string; value: number; unit: string; note?: string };
type ScanFigures = {
  ms: number;
  recorded: number;
  byKind: Record<string, number>;
  peakRssMb: number;
  baselineRssMb: number;
};

const HOUSEHOLDS = Number(process.env.BENCH_REMINDER_HOUSEHOLDS ?? 100_000);
/** Thursday 10 December 2026, 10:00 in Rome. */
const NOW = "2026-12-10T09:00:00Z";
const LANGUAGES = ["it", "en", "ar", "ro", "sq", "uk", "fr", "es"];

const progress = (message: string) => process.stderr.write(`[reminders] ${message}\n`);

async function seed(databaseUrl: string): Promise<void> {
  const db = createDb(databaseUrl, { poolSize: 2 });
  try {
    const run = (sql: string, ...values: unknown[]) => db.$executeRawUnsafe(sql, ...values);
    await run(
      `INSERT INTO "Household" ("contractCode", name, "fiscalCode", municipality, address, language, "updatedAt")
       SELECT 'B-' || g, 'Famiglia ' || g, 'BNCFML80A01B157X', (ARRAY['Brescia','Cremona','Mantova'])[1 + g % 3],
              'Via del Benchmark ' || g, 'it', now()
       FROM generate_series(1, $1::int) g`,
      HOUSEHOLDS,
    );
    await run(
      `INSERT INTO "Member" ("telegramUserId", "chatId", language, "householdId", "linkedAt", "consentAt", "updatedAt")
       SELECT 1000000000 + h.id, 1000000000 + h.id, ($1::text[])[1 + h.id % 8], h.id, now(), now(), now()
       FROM "Household" h`,
      LANGUAGES,
    );
    await run(
      `INSERT INTO "RepaymentPlan" ("householdId", "planCode", "updatedAt")
       SELECT h.id, 'PR-' || h.id, now() FROM "Household" h`,
    );
    // Ten monthly installments from August; each household its own day of the month. Even ones pay
    // on time; odd ones owe December's (and nothing older than late November).
    await run(
      `INSERT INTO "Installment" ("planId", number, "dueDate", "amountCents", "paidCents")
       SELECT p.id, n, d, 15000, CASE WHEN p.id % 2 = 0 OR d < DATE '2026-11-25' THEN 15000 ELSE 0 END
       FROM "RepaymentPlan" p, generate_series(1, 10) n,
            LATERAL (SELECT (make_date(2026, 8, 1 + p.id % 28) + make_interval(months => n - 1))::date AS d) x`,
    );
    await run(`INSERT INTO "DocumentRequirement" (key, "sortOrder") VALUES ('isee', 0)`);
    await run(
      `INSERT INTO "HouseholdDocument" ("householdId", "requirementId", status, "dueDate", "updatedAt")
       SELECT h.id, r.id, 'missing', DATE '2026-12-10' + (h.id % 365), now()
       FROM "Household" h, "DocumentRequirement" r`,
    );
    await run(
      `INSERT INTO "Course" (code, title, description, municipality, "updatedAt")
       VALUES ('B-K1', 'Orientamento al lavoro', '', 'Brescia', now())`,
    );
    // 20 sessions starting in about 90 minutes: their "2 hours before" is due.
    await run(
      `INSERT INTO "CourseSession" ("courseId", "startsAt", "endsAt", location, capacity)
       SELECT c.id, $1::timestamptz + make_interval(mins => 90 + i), $1::timestamptz + make_interval(mins => 210 + i),
              'Sportello ALER', 50
       FROM "Course" c, generate_series(1, 20) i`,
      NOW,
    );
    await run(
      `INSERT INTO "Enrolment" ("sessionId", "memberId", "updatedAt")
       SELECT s.id, m.id, now()
       FROM "Member" m
       JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM "CourseSession") s ON s.k = m.id % 20
       WHERE m.id <= 1000`,
    );
    await run("ANALYZE");
  } finally {
    await db.$disconnect();
  }
}

async function scanInChild(databaseUrl: string, queuePrefix: string): Promise<ScanFigures> {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [
      ...(process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean),
      join(import.meta.dirname, "reminders-scan.ts"),
    ],
    {
      env: { ...process.env, DATABASE_URL: databaseUrl, QUEUE_PREFIX: queuePrefix, BENCH_NOW: NOW },
      maxBuffer: 1 << 20,
    },
  );
  if (stderr) process.stderr.write(stderr);
  return JSON.parse(stdout.trim().split("\n").at(-1) as string) as ScanFigures;
}

export async function benchReminders(): Promise<BenchResult[]> {
  const url = new URL(process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/bussola");
  url.pathname = `/bussola_bench_reminders_${process.pid}`;
  const databaseUrl = url.toString();
  const queuePrefix = `bussola-bench-reminders-${process.pid}`;
  await ensureDatabase(databaseUrl);
  try {
    await applyMigrations(databaseUrl);
    progress(`seeding ${HOUSEHOLDS} households with plans`);
    const seedStart = performance.now();
    await seed(databaseUrl);
    progress(`seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s; scanning`);
    const first = await scanInChild(databaseUrl, queuePrefix);
    progress(`first scan: ${first.recorded} recorded ${JSON.stringify(first.byKind)}`);
    const second = await scanInChild(databaseUrl, queuePrefix);
    const note = `${HOUSEHOLDS} households`;
    return [
      { name: "reminder scan: recorded", value: first.recorded, unit: "reminders", note },
      { name: "reminder scan: time", value: first.ms, unit: "ms", note: "record + queue, aim < 10 s" },
      {
        name: "reminder scan: peak RSS",
        value: first.peakRssMb,
        unit: "MB",
        note: `whole child process, ${Math.round(first.baselineRssMb)} MB before the scan; aim < 300 MB`,
      },
      { name: "reminder scan again: recorded", value: second.recorded, unit: "reminders", note: "must be 0" },
      { name: "reminder scan again: time", value: second.ms, unit: "ms" },
    ];
  } finally {
    const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", {
      maxRetriesPerRequest: null,
    });
    const queue = createDeliveryQueue(redis, queuePrefix);
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await redis.quit();
    await dropDatabase(databaseUrl);
  }
}

// `node bench/reminders.ts` runs this benchmark alone.
if (import.meta.main) {
  for (const r of await benchReminders()) {
    const value = Number.isInteger(r.value) ? r.value : r.value.toFixed(1);
    console.log(`${r.name.padEnd(32)} ${value} ${r.unit}${r.note ? `  (${r.note})` : ""}`);
  }
}

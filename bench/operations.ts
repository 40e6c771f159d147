// Operations figures: what a Prometheus scrape of /metrics costs against a large outbound table, and
// how fast the retention deletes expired rows. Own database, dropped afterwards.
import { Redis } from "ioredis";
import { fixedClock } from "../core/clock.ts";
import { createDb } from "../core/db/client.ts";
import { applyMigrations, dropDatabase, ensureDatabase } from "../core/db/migrate.ts";
import { sqlOf } from "../core/db/sql.ts";
import { createMetrics } from "../core/metrics.ts";
import { runRetention } from "../worker/housekeeping/retention.ts";

type BenchResult = { name: string; value: number; unit: string; note?: string };

/** Outbound messages in the table while scraping (BENCH_OPS_ROWS), and expired rows to delete. */
const ROWS = Number(process.env.BENCH_OPS_ROWS ?? 300_000);
const EXPIRED = Math.round(ROWS / 3);
const SCRAPES = 20;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export async function benchOperations(): Promise<BenchResult[]> {
  const url = new URL(process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/bussola");
  url.pathname = `/bussola_bench_ops_${process.pid}`;
  const databaseUrl = url.toString();
  await ensureDatabase(databaseUrl);
  await applyMigrations(databaseUrl);
  const db = createDb(databaseUrl, { poolSize: 4 });
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  try {
    const sql = sqlOf(db);
    await sql.execute`
      INSERT INTO "Household" ("contractCode", name, "fiscalCode", municipality, address, "updatedAt")
      VALUES ('BENCH-1', 'Bench', 'X', 'Brescia', 'Via 1', now())`;
    await sql.execute`
      INSERT INTO "Case" ("householdId", topic, source, urgent)
      SELECT 1, 'debt', (ARRAY['household','overdue','plan_broken','distress'])[1 + i % 4]::"CaseSource", i % 7 = 0
      FROM generate_series(1, 20000) i`;
    // A third of each table older than the retention period, the rest recent; half are reminders.
    await sql.execute`
      INSERT INTO "OutboundMessage" (purpose, "chatId", text, status, "createdAt")
      SELECT CASE WHEN i % 2 = 0 THEN 'reminder:' || (ARRAY['inst-before','inst-due','inst-overdue','course-eve','course-2h','doc-7','doc-1'])[1 + i % 7] || ':' || i
                  ELSE 'broadcast:1:' || i END,
             i, 'Rata di 120,00 €', (ARRAY['sent','sent','sent','failed','queued'])[1 + i % 5]::"DeliveryStatus",
             CASE WHEN i <= ${EXPIRED} THEN now() - interval '30 months' ELSE now() END
      FROM generate_series(1, ${ROWS}) i`;
    await sql.execute`
      INSERT INTO "CaseMessage" ("caseId", author, text, "createdAt")
      SELECT 1 + i % 20000, 'operator', 'Risposta', CASE WHEN i <= ${EXPIRED} THEN now() - interval '30 months' ELSE now() END
      FROM generate_series(1, ${ROWS}) i`;
    await sql.execute`ANALYZE`;

    const metrics = createMetrics({
      db,
      connection: redis,
      queuePrefix: `bussola-bench-ops-${process.pid}`,
      queueNames: ["delivery", "housekeeping", "reminders", "broadcasts", "escalation"],
    });
    const times: number[] = [];
    for (let i = 0; i < SCRAPES; i++) {
      const started = performance.now();
      await metrics.render();
      times.push(performance.now() - started);
    }
    await metrics.close();

    const started = performance.now();
    const result = await runRetention({ db, clock: fixedClock(new Date()), retentionMonths: 24 });
    const retentionMs = performance.now() - started;
    const deleted = result.expiredCaseMessages + result.expiredOutboundMessages;
    return [
      {
        name: "metrics scrape (median)",
        value: median(times),
        unit: "ms",
        note: `${ROWS} outbound messages`,
      },
      {
        name: "retention delete",
        value: Math.round(deleted / (retentionMs / 1000)),
        unit: "rows/s",
        note: `${deleted} rows in ${Math.round(retentionMs)} ms`,
      },
    ];
  } finally {
    await redis.quit();
    await db.$disconnect();
    await dropDatabase(databaseUrl);
  }
}

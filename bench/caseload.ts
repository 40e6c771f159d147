// The ranked caseload ("who needs help first", GET /caseload) on a large programme: 100,000
// households in three offices, 300,000 payments, 300,000 arrears figures, 40,000 plans with 400,000
// installments, 50,000 cases with their messages, 60,000 linked members. Seeded with set-based SQL
// (generate_series) on a database of its own; then the page is asked for through the admin server
// (inject: routing, session, query, audit, rendering) as an admin (all households, the worst case)
// and as an operator (one office), first page and a later one, and with a reason filter. Then a
// family's page (GET /households/:id: chart, timeline, plan, documents) at the same scale, a
// different family each time, each with a plan, cases, payments, figures and a member.
// The caseload's facts ("HouseholdFacts") are kept by triggers while the seed writes; the bench
// checks them against a from-scratch computation before measuring.
// BENCH_CASELOAD_HOUSEHOLDS sets the size (default 100000; the rest scales with it).
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import type { createDb } from "../core/db/client.ts";
import { sqlOf } from "../core/db/sql.ts";
import { householdFactsDrift } from "../core/priority/facts.ts";
import { upsertStaff } from "../core/staff.ts";
import { withBenchPanel } from "./support.ts";

type BenchResult = { name: string; value: number; unit: string; note?: string };

const PASSWORD = "bench password for the caseload";
const ROUNDS = Number(process.env.BENCH_CASELOAD_ROUNDS ?? 40);

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

/** Everything the reasons read, with a mix that gives every reason to some households. */
export async function seedCaseloadBench(db: ReturnType<typeof createDb>, households: number): Promise<void> {
  const sql = sqlOf(db);
  const n = households;
  await sql.execute`INSERT INTO "Office" ("code", "name") VALUES ('BS', 'Brescia'), ('CR', 'Cremona'), ('MN', 'Mantova')`;
  await sql.execute`
    INSERT INTO "Staff" ("email", "role", "passwordHash", "firstName", "officeId", "updatedAt")
    SELECT 'op' || g || '@bench.example', 'operator', 'x', 'Operatore ' || g, 1 + g % 3, now()
    FROM generate_series(0, 29) g`;
  // Households: office by i % 3, a case worker of that office for 9 in 10, entered up to 400 days ago.
  await sql.execute`
    INSERT INTO "Household" ("contractCode", "name", "fiscalCode", "municipality", "address", "officeId",
      "caseWorkerId", "createdAt", "updatedAt")
    SELECT 'BENCH-' || lpad(i::text, 6, '0'), 'Famiglia ' || i, 'BNCFML80A01B157X',
      (ARRAY['Brescia', 'Cremona', 'Mantova'])[1 + i % 3], 'Via del Benchmark ' || i, 1 + i % 3,
      CASE WHEN i % 10 = 0 THEN NULL ELSE (SELECT s."id" FROM "Staff" s WHERE s."officeId" = 1 + i % 3
        ORDER BY s."id" OFFSET (i / 3) % 10 LIMIT 1) END,
      now() - ((i % 400) || ' days')::interval, now()
    FROM generate_series(1, ${n}::int) i`;
  // Three figures each (entry, mid-way, latest): one household in four going up.
  await sql.execute`
    INSERT INTO "ArrearsBalance" ("householdId", "rentCents", "chargesCents", "balanceDate")
    SELECT h."id", 100000 + (h."id"::bigint * 7919) % 300000 + CASE WHEN h."id" % 4 = 0 THEN k * 30000 ELSE -k * 10000 END,
      (h."id"::bigint * 104729) % 60000, (current_date - (300 - k * 145))
    FROM "Household" h, generate_series(0, 2) k`;
  await sql.execute`
    INSERT INTO "Payment" ("householdId", "paymentDate", "amountCents", "reference")
    SELECT h."id", current_date - ((h."id" + k * 37) % 300), 5000 + (h."id" * k) % 20000, 'PAY-' || h."id" || '-' || k
    FROM "Household" h, generate_series(1, 3) k`;
  // Plans for two households in five; one in twenty of them broken; ten monthly installments from
  // six months ago, the first three paid, some of the next ones too.
  await sql.execute`
    INSERT INTO "RepaymentPlan" ("householdId", "planCode", "status", "updatedAt")
    SELECT h."id", 'PR-' || h."id", CASE WHEN h."id" % 100 = 1 THEN 'broken'::"PlanStatus" ELSE 'active' END, now()
    FROM "Household" h WHERE h."id" % 5 IN (1, 3)`;
  await sql.execute`
    INSERT INTO "Installment" ("planId", "number", "dueDate", "amountCents", "paidCents")
    SELECT p."id", k, (date_trunc('month', current_date) + ((k - 7) || ' months')::interval)::date, 15000,
      CASE WHEN k <= 3 OR (p."id" + k) % 4 <> 0 THEN 15000 ELSE 0 END
    FROM "RepaymentPlan" p, generate_series(1, 10) k`;
  // Members: 60% of households have one linked member; 3% of those are unreachable.
  await sql.execute`
    INSERT INTO "Member" ("telegramUserId", "chatId", "householdId", "linkedAt", "consentAt", "unreachableAt", "updatedAt")
    SELECT 1000000 + h."id", 1000000 + h."id", h."id", now() - ((h."id" % 200) || ' days')::interval, now(),
      CASE WHEN h."id" % 33 = 0 THEN now() ELSE NULL END, now()
    FROM "Household" h WHERE h."id" % 5 < 3`;
  // Cases: one for every other household; 20% open (half of them waiting for an answer), 10%
  // waiting for the household, the rest closed; 2% urgent.
  await sql.execute`
    INSERT INTO "Case" ("householdId", "topic", "status", "urgent", "openedAt", "lastHouseholdMessageAt",
      "lastOperatorMessageAt", "closedAt")
    SELECT h."id", 'debt',
      (CASE WHEN h."id" % 10 IN (0, 2) THEN 'open' WHEN h."id" % 10 = 4 THEN 'waiting_household' ELSE 'closed' END)::"CaseStatus",
      h."id" % 50 = 0,
      now() - ((h."id" % 90) || ' days')::interval,
      now() - ((h."id" % 60) || ' hours')::interval,
      CASE WHEN h."id" % 20 = 0 THEN NULL ELSE now() - ((h."id" % 60 + CASE WHEN h."id" % 10 = 2 THEN -1 ELSE 1 END) || ' hours')::interval END,
      CASE WHEN h."id" % 10 NOT IN (0, 2, 4) THEN now() END
    FROM "Household" h WHERE h."id" % 2 = 0`;
  await sql.execute`
    INSERT INTO "CaseMessage" ("caseId", "author", "text", "createdAt")
    SELECT c."id", CASE WHEN k = 2 THEN 'operator'::"CaseAuthor" ELSE 'household' END, 'Messaggio ' || k,
      c."lastHouseholdMessageAt" - ((3 - k) || ' minutes')::interval
    FROM "Case" c, generate_series(1, 3) k`;
  await sql.execute`ANALYZE`;
}

export async function benchCaseload(): Promise<BenchResult[]> {
  const households = Number(process.env.BENCH_CASELOAD_HOUSEHOLDS ?? 100_000);
  return withBenchPanel("caseload", async ({ db, signIn }) => {
    const seedStart = performance.now();
    await seedCaseloadBench(db, households);
    const seedMs = performance.now() - seedStart;
    await upsertStaff(db, { email: "admin@bench.example", role: "admin", password: PASSWORD });
    const operator = await db.staff.findFirstOrThrow({ where: { role: "operator", officeId: 1 } });
    await upsertStaff(db, { email: operator.email, role: "operator", password: PASSWORD, officeId: 1 });

    const driftStart = performance.now();
    const drifted = (await householdFactsDrift(db)).length;
    const driftMs = performance.now() - driftStart;
    if (drifted > 0) throw new Error(`household facts differ from their tables for ${drifted} households`);
    const results: BenchResult[] = [
      { name: "caseload: seed", value: seedMs, unit: "ms", note: `${households} households, set-based SQL` },
      {
        name: "caseload: facts check",
        value: driftMs,
        unit: "ms",
        note: "every household's facts recomputed from scratch and compared: 0 differ",
      },
    ];
    // A family with everything (a plan, a case, a member): ids 10k + 6. A different one each time.
    const family = (i: number) => `/households/${10 * ((i * 7919) % Math.floor(households / 10)) + 6}`;
    const runs: [string, string, string | ((i: number) => string)][] = [
      ["caseload: admin, page 1", "admin@bench.example", "/caseload"],
      ["caseload: admin, page 40", "admin@bench.example", "/caseload?page=40"],
      ["caseload: admin, reason filter", "admin@bench.example", "/caseload?reason=late_installments"],
      ["caseload: operator, page 1", operator.email, "/caseload"],
      ["household page: admin", "admin@bench.example", family],
    ];
    for (const [label, email, pathOf] of runs) {
      const path = (i: number) => (typeof pathOf === "string" ? pathOf : pathOf(i));
      const client = await signIn(email, PASSWORD);
      for (let i = 0; i < 3; i++) await client.get(path(ROUNDS + i)); // warm up: statements prepared
      const times: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const start = performance.now();
        const page = await client.get(path(i));
        times.push(performance.now() - start);
        if (page.statusCode !== 200) throw new Error(`${path(i)} answered ${page.statusCode}`);
      }
      // Figures on a shared machine mean little without how busy it was.
      const note = `${ROUNDS} requests, ${households} households, load average ${loadavg()[0]?.toFixed(1)}`;
      results.push(
        { name: `${label} p50`, value: percentile(times, 50), unit: "ms", note },
        { name: `${label} p95`, value: percentile(times, 95), unit: "ms", note },
      );
    }
    return results;
  });
}

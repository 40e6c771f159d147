// The results dashboard (GET /results) on a large programme: by default 100,000 households in three
// offices and nine municipalities, with 24 months of history — members linking month after month (so
// every entry cohort has households), a monthly arrears figure and a monthly payment for most
// households, repayment plans with monthly installments (some broken, some with a second plan),
// link codes, cases with messages, budget entries and check-ups for the activity figure. Seeded with
// set-based SQL (generate_series) on a database of its own; then the page is asked for through the
// admin server (inject: routing, session, every section's figures, rendering) for a series of filter
// changes as a person makes them: none, each office, a municipality, an entry cohort, a longer
// period, as an admin (every household) and as an operator (one office). The whole page is timed, so
// sections added later (admin/views/results/sections.ts) are measured too.
// Knobs: BENCH_RESULTS_HOUSEHOLDS (100000), BENCH_RESULTS_ROUNDS (times through the series, 3).
// Run as `npm run bench -- results` (npm puts the project's Node 24 first, which runs .ts itself).
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { resultsSections } from "../admin/views/results/sections.ts";
import { systemClock } from "../core/clock.ts";
import type { Db } from "../core/db/client.ts";
import { sqlOf } from "../core/db/sql.ts";
import { monthOfInstant, resultsFigures } from "../core/results/figures.ts";
import { addMonths, readFilter } from "../core/results/filter.ts";
import { refreshResults } from "../core/results/precompute.ts";
import { upsertStaff } from "../core/staff.ts";
import type { AdminClient } from "../test/support/admin-client.ts";
import { withBenchPanel } from "./support.ts";

type BenchResult = { name: string; value: number; unit: string; note?: string };

const PASSWORD = "bench password for the results";
const ADMIN = "admin@results.bench.example";
const OPERATOR = "operator@results.bench.example";

function progress(message: string): void {
  process.stderr.write(`results bench: ${message}\n`);
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

/**
 * `n` households with 24 months of history, everything the awareness and arrears figures read.
 * Household i: office 1 + i % 3 (none for one in 50: admins only), municipality by (i / 3) % 3 within
 * the office; a linked member for 3 in 5, linked up to 24 months ago; a link code for 4 in 5.
 */
export async function seedResultsBench(db: Db, n: number): Promise<void> {
  const sql = sqlOf(db);
  await sql.execute`INSERT INTO "Office" ("code", "name") VALUES ('BS', 'Brescia'), ('CR', 'Cremona'), ('MN', 'Mantova')`;
  await sql.execute`
    INSERT INTO "OfficeMunicipality" ("key", "name", "officeId")
    SELECT lower(name), name, 1 + (k - 1) / 3
    FROM unnest(ARRAY['Brescia', 'Salò', 'Desenzano', 'Cremona', 'Crema', 'Casalmaggiore',
      'Mantova', 'Suzzara', 'Viadana']) WITH ORDINALITY AS m(name, k)`;
  await sql.execute`
    INSERT INTO "Household" ("contractCode", "name", "fiscalCode", "municipality", "address", "officeId",
      "createdAt", "updatedAt")
    SELECT 'RES-' || lpad(i::text, 6, '0'), 'Famiglia ' || i, 'BNCFML80A01B157X',
      (ARRAY['Brescia', 'Salò', 'Desenzano', 'Cremona', 'Crema', 'Casalmaggiore', 'Mantova', 'Suzzara',
        'Viadana'])[1 + (i % 3) * 3 + (i / 3) % 3],
      'Via del Benchmark ' || i, CASE WHEN i % 50 = 0 THEN NULL ELSE 1 + i % 3 END,
      now() - interval '800 days', now()
    FROM generate_series(1, ${n}::int) i`;
  progress("members and link codes");
  await sql.execute`
    INSERT INTO "Member" ("telegramUserId", "chatId", "householdId", "linkedAt", "consentAt", "updatedAt")
    SELECT 5000000 + h."id", 5000000 + h."id", h."id", now() - (((h."id" * 7) % 730) || ' days')::interval,
      now(), now()
    FROM "Household" h WHERE h."id" % 5 < 3`;
  await sql.execute`
    INSERT INTO "LinkCode" ("householdId", "codeHash", "expiresAt", "usedAt")
    SELECT h."id", 'bench-code-' || h."id", now() + interval '30 days', NULL
    FROM "Household" h WHERE h."id" % 5 <> 4`;
  // One figure a month (the 1st) for 9 in 10 households, for 24 months: up for one in four, down for
  // the rest; a monthly payment (any day: the household id mod 28) for 7 in 10, a few of them larger than what is owed.
  progress("24 months of arrears figures and payments");
  await sql.execute`
    INSERT INTO "ArrearsBalance" ("householdId", "rentCents", "chargesCents", "balanceDate")
    SELECT h."id",
      GREATEST(0, 150000 + (h."id"::bigint * 7919) % 200000
        + CASE WHEN h."id" % 4 = 0 THEN (23 - k) * 4000 ELSE -(23 - k) * 6000 END),
      (h."id"::bigint * 104729) % 30000,
      (date_trunc('month', current_date) - (k || ' months')::interval)::date
    FROM "Household" h, generate_series(0, 23) k
    WHERE h."id" % 10 <> 7`;
  await sql.execute`
    INSERT INTO "Payment" ("householdId", "paymentDate", "amountCents", "reference")
    SELECT h."id", (date_trunc('month', current_date) - (k || ' months')::interval)::date + (h."id" % 28)::int,
      CASE WHEN h."id" % 97 = 0 THEN 400000 ELSE 5000 + (h."id" * (k + 1)) % 15000 END,
      'RES-PAY-' || h."id" || '-' || k
    FROM "Household" h, generate_series(0, 23) k
    WHERE h."id" % 10 < 7
      AND (date_trunc('month', current_date) - (k || ' months')::interval)::date + (h."id" % 28)::int <= current_date`;
  // Plans for 2 in 5 households: 12 monthly installments (the 10th) from 9 months ago; one in 20
  // broken; one in 10 also has an older plan, completed (so two plans fill installments together).
  progress("plans and installments");
  await sql.execute`
    INSERT INTO "RepaymentPlan" ("householdId", "planCode", "status", "updatedAt")
    SELECT h."id", 'RES-PR-' || h."id",
      CASE WHEN h."id" % 100 = 1 THEN 'broken'::"PlanStatus" ELSE 'active' END, now()
    FROM "Household" h WHERE h."id" % 5 IN (1, 3)`;
  await sql.execute`
    INSERT INTO "RepaymentPlan" ("householdId", "planCode", "status", "updatedAt")
    SELECT h."id", 'RES-OLD-' || h."id", 'completed', now()
    FROM "Household" h WHERE h."id" % 50 IN (1, 3, 11, 13, 21)`;
  await sql.execute`
    INSERT INTO "Installment" ("planId", "number", "dueDate", "amountCents", "paidCents")
    SELECT p."id", k, (date_trunc('month', current_date) + ((k - 10) || ' months')::interval)::date + 9,
      12000, CASE WHEN (p."id" + k) % 4 <> 0 AND k < 10 THEN 12000 ELSE 0 END
    FROM "RepaymentPlan" p, generate_series(1, 12) k WHERE p."planCode" LIKE 'RES-PR-%'`;
  await sql.execute`
    INSERT INTO "Installment" ("planId", "number", "dueDate", "amountCents", "paidCents")
    SELECT p."id", k, (date_trunc('month', current_date) + ((k - 22) || ' months')::interval)::date + 27,
      8000, 8000
    FROM "RepaymentPlan" p, generate_series(1, 6) k WHERE p."planCode" LIKE 'RES-OLD-%'`;
  // Activity: cases with a household message for one in 4 (some in the last 30 days), budget entries
  // for linked households (a third of them recent), check-ups for one in 12.
  progress("cases, budget entries, check-ups");
  await sql.execute`
    INSERT INTO "Case" ("householdId", "topic", "status", "openedAt", "lastHouseholdMessageAt")
    SELECT h."id", 'debt', 'closed', now() - ((h."id" % 300) || ' days')::interval,
      now() - ((h."id" % 90) || ' days')::interval
    FROM "Household" h WHERE h."id" % 4 = 0`;
  await sql.execute`
    INSERT INTO "CaseMessage" ("caseId", "author", "text", "createdAt")
    SELECT c."id", CASE WHEN k = 2 THEN 'operator'::"CaseAuthor" ELSE 'household' END, 'Messaggio ' || k,
      c."lastHouseholdMessageAt" - ((3 - k) || ' hours')::interval
    FROM "Case" c, generate_series(1, 3) k`;
  await sql.execute`
    INSERT INTO "BudgetEntry" ("householdId", "memberId", "kind", "category", "amountCents", "occurredOn", "createdAt")
    SELECT m."householdId", m."id", 'expense', 'food', 1000 + k * 100,
      (now() - (((m."id" + k * 11) % 90) || ' days')::interval)::date,
      now() - (((m."id" + k * 11) % 90) || ' days')::interval
    FROM "Member" m, generate_series(1, 3) k WHERE m."householdId" IS NOT NULL`;
  // Budget keepers: one linked household in four logs eight entries a month (income, rent, bills,
  // food, leisure) for 24 months, as a family keeping its budget does: the spending section's volume.
  progress("24 months of budgets");
  await sql.execute`
    INSERT INTO "BudgetEntry" ("householdId", "memberId", "kind", "category", "amountCents", "occurredOn", "createdAt")
    SELECT m."householdId", m."id", CASE WHEN k = 1 THEN 'income'::"BudgetKind" ELSE 'expense' END,
      (ARRAY['work', 'rent', 'utilities', 'food', 'food', 'transport', 'leisure', 'other'])[k],
      500 + (m."id" * k) % 9500,
      (date_trunc('month', current_date) - (mo || ' months')::interval)::date + (k * 3 + m."id") % 28,
      now() - (mo || ' months')::interval
    FROM "Member" m, generate_series(0, 23) mo, generate_series(1, 8) k
    WHERE m."householdId" IS NOT NULL AND m."householdId" % 4 = 0
      AND (date_trunc('month', current_date) - (mo || ' months')::interval)::date + (k * 3 + m."id") % 28
        <= current_date`;
  await sql.execute`
    INSERT INTO "Checkup" ("householdId", "round", "memberId", "offeredAt", "startedAt", "completedAt")
    SELECT m."householdId", 'm3', m."id", now() - ((m."id" % 120) || ' days')::interval,
      now() - ((m."id" % 120) || ' days')::interval, now() - ((m."id" % 119) || ' days')::interval
    FROM "Member" m WHERE m."householdId" % 12 = 0`;
  await sql.execute`ANALYZE`;
}

export async function benchResults(): Promise<BenchResult[]> {
  const households = Number(process.env.BENCH_RESULTS_HOUSEHOLDS ?? 100_000);
  const rounds = Number(process.env.BENCH_RESULTS_ROUNDS ?? 3);
  return withBenchPanel("results", async ({ db, signIn }) => {
    progress(`seeding ${households} households`);
    const seedStart = performance.now();
    await seedResultsBench(db, households);
    const seedMs = performance.now() - seedStart;
    // The precomputed figures (core/results/precompute.ts): every household at once, as after the
    // first import of a whole programme, then one household's new payment, as after a small import.
    progress("first refresh of the precomputed figures");
    let start = performance.now();
    await refreshResults(db);
    const fullRefreshMs = performance.now() - start;
    const refreshOneMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      await sqlOf(db).execute`
        INSERT INTO "Payment" ("householdId", "paymentDate", "amountCents", "reference")
        VALUES (${1 + i * 7}, current_date - 3, 2500, ${`RES-ONE-${i}`})`;
      start = performance.now();
      await refreshResults(db);
      refreshOneMs.push(performance.now() - start);
    }
    // What households do in the bot all day leaves light marks (activity and spending only): 100
    // households' budget entries, then the refresh the next page does first.
    const refreshActivityMs: Record<1 | 100, number[]> = { 1: [], 100: [] };
    for (const households of [1, 100] as const) {
      for (let i = 0; i < 5; i++) {
        await sqlOf(db).execute`
          INSERT INTO "BudgetEntry" ("householdId", "memberId", "kind", "category", "amountCents", "occurredOn")
          SELECT m."householdId", m."id", 'expense', 'food', 1234, current_date
          FROM "Member" m WHERE m."householdId" IS NOT NULL
          ORDER BY m."id" OFFSET ${1000 + i * households} LIMIT ${households}`;
        start = performance.now();
        await refreshResults(db);
        refreshActivityMs[households].push(performance.now() - start);
      }
    }
    await upsertStaff(db, { email: ADMIN, role: "admin", password: PASSWORD });
    await upsertStaff(db, { email: OPERATOR, role: "operator", password: PASSWORD, officeId: 1 });

    const month = monthOfInstant(new Date());
    const cohort = addMonths(month, -6);
    const period = `from=${addMonths(month, -23)}&to=${month}`;
    const series: [string, string][] = [
      [ADMIN, ""],
      [ADMIN, "office=1"],
      [ADMIN, "office=2"],
      [ADMIN, "office=3"],
      [ADMIN, `municipality=${encodeURIComponent("Salò")}`],
      [ADMIN, `cohort=${cohort}`],
      [ADMIN, period],
      [ADMIN, `office=2&cohort=${cohort}&${period}`],
      [OPERATOR, ""],
      [OPERATOR, "municipality=Brescia"],
      [OPERATOR, `cohort=${cohort}`],
      [OPERATOR, period],
    ];
    const clients = new Map<string, AdminClient>();
    for (const email of [ADMIN, OPERATOR]) clients.set(email, await signIn(email, PASSWORD));
    const ask = async (email: string, query: string) => {
      const start = performance.now();
      const page = await (clients.get(email) as AdminClient).get(`/results${query ? `?${query}` : ""}`);
      const ms = performance.now() - start;
      if (page.statusCode !== 200 || !page.body.includes('data-figure="arrears.now"')) {
        throw new Error(`/results?${query} answered ${page.statusCode} without the figures`);
      }
      return ms;
    };
    // One request per person first: sessions, templates and the pool's connections warmed up.
    progress("warming up");
    for (const email of [ADMIN, OPERATOR]) await ask(email, "");
    const times: Record<"all" | "admin" | "operator", number[]> = { all: [], admin: [], operator: [] };
    const timesByFilter: number[][] = series.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (const [index, [email, query]] of series.entries()) {
        const ms = await ask(email, query);
        timesByFilter[index]?.push(ms);
        times.all.push(ms);
        times[email === ADMIN ? "admin" : "operator"].push(ms);
      }
      progress(`round ${round + 1} of ${rounds}: median so far ${percentile(times.all, 50).toFixed(0)} ms`);
    }
    // Where the time goes: each part of the page on its own, for the slowest filter of the series.
    const slowest = series
      .map(([email, query], i) => ({ email, query, ms: Math.max(...(timesByFilter[i] ?? [0])) }))
      .sort((a, b) => b.ms - a.ms)[0];
    if (slowest) {
      progress(
        `slowest filter: ${slowest.email === ADMIN ? "admin" : "operator"} "${slowest.query}" ${slowest.ms.toFixed(0)} ms`,
      );
      const staff = await db.staff.findUniqueOrThrow({ where: { email: slowest.email } });
      const scope = { staffId: staff.id, role: staff.role, officeId: staff.officeId };
      const { filter } = readFilter(Object.fromEntries(new URLSearchParams(slowest.query)), scope, month);
      const timed = async (name: string, work: () => Promise<unknown>) => {
        const start = performance.now();
        await work();
        progress(`  ${name}: ${(performance.now() - start).toFixed(0)} ms`);
      };
      await timed("awareness and arrears", () => resultsFigures(db, systemClock, scope, filter));
      for (const section of resultsSections({ caseSlaHours: 8 }))
        await timed(section.key, () => section.load(db, systemClock, scope, filter));
    }
    // Figures on a shared machine mean little without how busy it was.
    const note = `${households} households, ${series.length} filters × ${rounds}, load average ${loadavg()[0]?.toFixed(1)}`;
    const results: BenchResult[] = [
      {
        name: "results: seed",
        value: seedMs,
        unit: "ms",
        note: `${households} households, 24 months, set-based SQL`,
      },
      {
        name: "results: refresh of every household",
        value: fullRefreshMs,
        unit: "ms",
        note: "the precomputed figures after a whole programme's history arrives at once",
      },
      {
        name: "results: refresh after one household's payment p50",
        value: percentile(refreshOneMs, 50),
        unit: "ms",
        note: `${refreshOneMs.length} refreshes: the household's group of its office, municipality and cohort`,
      },
      {
        name: "results: refresh after one household's budget entry p50",
        value: percentile(refreshActivityMs[1], 50),
        unit: "ms",
        note: "5 refreshes: its activity and its group's spending only, not the arrears history",
      },
      {
        name: "results: refresh after 100 households' budget entries p50",
        value: percentile(refreshActivityMs[100], 50),
        unit: "ms",
        note: "5 refreshes: as a busy hour in the bot leaves them for the next page",
      },
    ];
    for (const [who, values] of Object.entries(times)) {
      const label = who === "all" ? "results page" : `results page, ${who}`;
      results.push(
        {
          name: `${label} p50`,
          value: percentile(values, 50),
          unit: "ms",
          note: `${values.length} requests, ${note}`,
        },
        { name: `${label} p95`, value: percentile(values, 95), unit: "ms" },
        { name: `${label} max`, value: Math.max(...values), unit: "ms" },
      );
    }
    return results;
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await benchResults()) {
    console.log(`${r.name}: ${r.value.toFixed(1)} ${r.unit}${r.note ? `  (${r.note})` : ""}`);
  }
}

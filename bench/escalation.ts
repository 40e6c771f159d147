// Escalation benchmark (part of `npm run bench`): worry detection per household message (it runs
// on every free text), and the worker's escalation rules over many households — the first run, which
// opens a case, breaks a plan and posts to the operators' group for each, and the everyday run after
// it, which finds nothing new. BENCH_ESCALATION_HOUSEHOLDS sets how many (default 1000).
import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import { fixedClock } from "../core/clock.ts";
import { createDb } from "../core/db/client.ts";
import { applyMigrations, dropDatabase, ensureDatabase } from "../core/db/migrate.ts";
import { createDeliveryQueue } from "../core/queues/delivery.ts";
import { detectWorry } from "../core/worry.ts";
import { runEscalation } from "../worker/escalation/processor.ts";

type BenchResult = { name: string; value: number; unit: string; note?: string };

const TEXTS = [
  "Buongiorno, quando devo pagare la prossima rata?",
  "Ho pagato ieri alla posta, vi mando la ricevuta",
  "Non riesco più a pagare, mi hanno staccato la luce",
  "Vorrei sapere se posso cambiare il piano di rientro perché a gennaio ho meno lavoro",
  "Hello, I sent the ISEE last week, did you get it?",
  "Je voudrais un rendez-vous au bureau ALER",
  "Мені потрібна допомога з документами",
  "مرحبا، متى موعد الدفع القادم؟",
  "Nu înțeleg scrisoarea de la ALER, mă puteți ajuta?",
  "A volte penso di farla finita",
];

function benchWorryCheck(): BenchResult {
  const rounds = 300;
  for (const text of TEXTS) detectWorry(text); // warm up
  const start = performance.now();
  for (let i = 0; i < rounds; i++) for (const text of TEXTS) detectWorry(text);
  const perMessageUs = ((performance.now() - start) * 1000) / (rounds * TEXTS.length);
  return {
    name: "escalation: worry check",
    value: perMessageUs,
    unit: "µs/message",
    note: `${TEXTS.length} texts in 5 languages, 2 with worry`,
  };
}

async function benchRules(households: number): Promise<BenchResult[]> {
  const url = new URL(process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/bussola");
  url.pathname = `/bussola_bench_escalation_${process.pid}`;
  const databaseUrl = url.toString();
  await ensureDatabase(databaseUrl);
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  const deliveryQueue = createDeliveryQueue(redis, `bussola-bench-escalation-${process.pid}`);
  const db = createDb(databaseUrl, { poolSize: 4 });
  try {
    await applyMigrations(databaseUrl);
    await db.household.createMany({
      data: Array.from({ length: households }, (_, i) => ({
        contractCode: `BENCH-ESC-${i}`,
        name: `Famiglia ${i}`,
        fiscalCode: "BNCFML80A01B157X",
        municipality: "Brescia",
        address: "Via del Benchmark",
      })),
    });
    const ids = await db.household.findMany({ select: { id: true }, orderBy: { id: "asc" } });
    // Every household: a plan whose first two installments are long overdue, the third not yet due.
    await db.repaymentPlan.createMany({
      data: ids.map((h) => ({ householdId: h.id, planCode: `PR-${h.id}` })),
    });
    const plans = await db.repaymentPlan.findMany({ select: { id: true } });
    await db.installment.createMany({
      data: plans.flatMap((p) =>
        ["2026-09-01", "2026-10-01", "2026-12-31"].map((due, n) => ({
          planId: p.id,
          number: n + 1,
          dueDate: new Date(`${due}T00:00:00Z`),
          amountCents: 15_000,
        })),
      ),
    });
    const deps = {
      db,
      clock: fixedClock(new Date("2026-11-30T10:00:00Z")),
      deliveryQueue,
      operatorsChatId: -1_001_000_000_000n,
      caseSlaHours: 8,
      quietHours: null,
    };
    let start = performance.now();
    const first = await runEscalation(deps);
    const firstMs = performance.now() - start;
    start = performance.now();
    await runEscalation(deps);
    const againMs = performance.now() - start;
    return [
      {
        name: "escalation: first run",
        value: firstMs,
        unit: "ms",
        note: `${households} households: ${first.overdueOpened} cases, ${first.plansBroken} plans broken, group posts queued`,
      },
      {
        name: "escalation: run with nothing new",
        value: againMs,
        unit: "ms",
        note: `${households} households`,
      },
    ];
  } finally {
    await db.$disconnect();
    await deliveryQueue.obliterate({ force: true }).catch(() => undefined);
    await deliveryQueue.close();
    await redis.quit();
    await dropDatabase(databaseUrl);
  }
}

export async function benchEscalation(): Promise<BenchResult[]> {
  const households = Number(process.env.BENCH_ESCALATION_HOUSEHOLDS ?? 1000);
  return [benchWorryCheck(), ...(await benchRules(households))];
}

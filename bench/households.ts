// Benchmark data: many households with arrears, repayment plans for two in three, a few courses with
// sessions in the coming weeks and the documents the programme asks for, so every flow has something
// real to show. Written straight to a fresh benchmark database.
import { addDays, addMonths } from "date-fns";
import type { Clock } from "../core/clock.ts";
import type { Db } from "../core/db/client.ts";
import { DOCUMENT_REQUIREMENTS } from "../core/demo/seed.ts";
import { calendarDate, parseRomeDateTime, romeToday } from "../core/time.ts";

export type BenchHousehold = { contractCode: string; name: string; language: "it" | "en" };

const MUNICIPALITIES = ["Brescia", "Cremona", "Mantova"] as const;

export async function seedBenchHouseholds(db: Db, clock: Clock, count: number): Promise<BenchHousehold[]> {
  const households: BenchHousehold[] = Array.from({ length: count }, (_, i) => ({
    contractCode: `BENCH-${String(i + 1).padStart(5, "0")}`,
    name: `Famiglia Bench ${i + 1}`,
    // Half Italian, half English: both sets of texts are exercised.
    language: i % 2 === 0 ? "it" : "en",
  }));
  await db.household.createMany({
    data: households.map((h, i) => ({
      contractCode: h.contractCode,
      name: h.name,
      fiscalCode: "BNCFML80A01B157X",
      municipality: MUNICIPALITIES[i % MUNICIPALITIES.length] ?? "Brescia",
      address: `Via del Benchmark ${i + 1}`,
      language: h.language,
    })),
  });
  const rows = await db.household.findMany({
    where: { contractCode: { startsWith: "BENCH-" } },
    select: { id: true, contractCode: true },
    orderBy: { id: "asc" },
  });

  const today = romeToday(clock.now());
  await db.arrearsBalance.createMany({
    data: rows.map((row, i) => ({
      householdId: row.id,
      rentCents: 50_000 + ((i * 7919) % 300_000),
      chargesCents: (i * 104_729) % 60_000,
      balanceDate: addDays(today, -7),
    })),
  });

  // Two households in three have a plan that started two months ago: two installments paid.
  const withPlan = rows.filter((_, i) => i % 3 !== 2);
  await db.repaymentPlan.createMany({
    data: withPlan.map((row) => ({ householdId: row.id, planCode: `PR-${row.contractCode}` })),
  });
  const plans = await db.repaymentPlan.findMany({
    where: { planCode: { startsWith: "PR-BENCH-" } },
    select: { id: true },
  });
  const firstDue = calendarDate(today.getUTCFullYear(), today.getUTCMonth() + 1, 15) as Date;
  await db.installment.createMany({
    data: plans.flatMap((plan) =>
      Array.from({ length: 10 }, (_, i) => ({
        planId: plan.id,
        number: i + 1,
        dueDate: addMonths(firstDue, i - 2),
        amountCents: 15_000,
        paidCents: i < 2 ? 15_000 : 0,
      })),
    ),
  });

  const at = (days: number, time: string) =>
    parseRomeDateTime(`${addDays(today, days).toISOString().slice(0, 10)}T${time}`) as Date;
  for (const [i, municipality] of MUNICIPALITIES.entries()) {
    await db.course.create({
      data: {
        code: `BENCH-C${i + 1}`,
        title: ["Orientamento al lavoro", "Bilancio familiare", "Servizi digitali"][i] ?? "Corso",
        description: "Corso del programma",
        municipality,
        sessions: {
          create: [7 + i, 14 + i].map((d) => ({
            startsAt: at(d, "09:30"),
            endsAt: at(d, "12:00"),
            location: `Sportello ALER di ${municipality}`,
            capacity: 500,
          })),
        },
      },
    });
  }
  for (const [sortOrder, key] of DOCUMENT_REQUIREMENTS.entries()) {
    await db.documentRequirement.upsert({ where: { key }, create: { key, sortOrder }, update: {} });
  }
  return households;
}

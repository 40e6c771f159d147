// The results dashboard's awareness and arrears figures as core/results/figures.ts computes them in
// SQL, on the cases a set-based rewrite could get wrong: two plans filling installments together (a
// tie on the due date), a payment before the allocation baseline, a payment on a figure's own day,
// an overpayment (never below 0), months with no figures yet, a cancelled plan and a plan without
// installments, the entry cohort, and staff of another office. Every expected figure was worked out
// by hand from the data below (the arithmetic is in the comments), not by calling core/results/.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import { currentArrears } from "../core/debt.ts";
import type { StaffScope } from "../core/offices/scope.ts";
import { reallocate } from "../core/payments.ts";
import { resultsFigures } from "../core/results/figures.ts";
import type { ResultsFilter } from "../core/results/filter.ts";
import type { TestDatabase } from "./support/db.ts";
import { resultsFixture } from "./support/results-fixture.ts";

/** "Today": 15 December 2026 in Rome. */
const clock = fixedClock(new Date("2026-12-15T10:00:00Z"));
const d = (iso: string) => new Date(`${iso}T00:00:00Z`);
const PERIOD = { from: "2025-12", to: "2026-12" };
const filter = (f: Partial<ResultsFilter> = {}): ResultsFilter => ({
  officeId: null,
  municipality: null,
  cohort: null,
  ...PERIOD,
  ...f,
});

// No staff and no panel: the figures are computed directly, for scopes made up below.
const fx = resultsFixture({ clock, offices: ["A", "B", "C"], panel: false });
const { office } = fx;
let t: TestDatabase;
const hid: Record<string, number> = {};
const admin: StaffScope = { staffId: 1, role: "admin", officeId: null };
const operatorOf = (officeId: number): StaffScope => ({ staffId: 2, role: "operator", officeId });

async function household(key: string, municipality: string, officeId: number | null, linkedAt?: string) {
  const h = await t.db.household.create({
    data: {
      contractCode: `S-${key}`,
      name: `Famiglia ${key}`,
      fiscalCode: "RSSMRA80A01B157Y",
      municipality,
      address: "Via Prova 1",
      officeId,
    },
  });
  hid[key] = h.id;
  if (linkedAt) {
    const m = await t.db.member.create({
      data: {
        telegramUserId: 7_000_000n + BigInt(h.id),
        chatId: 1n,
        householdId: h.id,
        linkedAt: new Date(linkedAt),
      },
    });
    hid[`${key}.member`] = m.id;
  }
  return h.id;
}

async function figures(
  householdId: number,
  balances: [string, number, number][],
  payments: [string, number][],
) {
  for (const [date, rent, charges] of balances) {
    await t.db.arrearsBalance.create({
      data: { householdId, balanceDate: d(date), rentCents: rent, chargesCents: charges },
    });
  }
  for (const [i, [date, cents]] of payments.entries()) {
    await t.db.payment.create({
      data: { householdId, paymentDate: d(date), amountCents: cents, reference: `S-${householdId}-${i}` },
    });
  }
}

async function plan(
  householdId: number,
  code: string,
  status: "active" | "broken" | "cancelled",
  installments: [string, number][],
) {
  await t.db.repaymentPlan.create({
    data: {
      householdId,
      planCode: code,
      status,
      installments: {
        create: installments.map(([date, cents], i) => ({
          number: i + 1,
          dueDate: d(date),
          amountCents: cents,
        })),
      },
    },
  });
}

beforeAll(async () => {
  t = await fx.open();

  // E1 (office A, February cohort): two plans. Figures 31/01 50000, 30/04 60000; a payment before
  // either (20/01, 7000) and three after the second.
  const e1 = await household("E1", "Brescia", office.A, "2026-02-10T09:00:00Z");
  await figures(
    e1,
    [
      ["2026-01-31", 40000, 10000],
      ["2026-04-30", 60000, 0],
    ],
    [
      ["2026-01-20", 7000],
      ["2026-05-05", 10000],
      ["2026-06-01", 10000],
      ["2026-07-20", 5000],
    ],
  );
  // P (older, broken) and Q (newer, active) both have an installment due 31/05: P's comes first.
  await plan(e1, "S-P", "broken", [
    ["2026-05-31", 10000],
    ["2026-07-31", 10000],
  ]);
  await plan(e1, "S-Q", "active", [
    ["2026-05-31", 5000],
    ["2027-01-31", 5000],
  ]);
  // E2 (office A, Salò, a link code, nobody linked): payments on the figures' own days, an overpayment.
  const e2 = await household("E2", "Salò", office.A);
  await t.db.linkCode.create({ data: { householdId: e2, codeHash: "hash-E2", expiresAt: d("2027-01-01") } });
  await figures(
    e2,
    [
      ["2026-03-15", 20000, 0],
      ["2026-09-10", 25000, 5000],
    ],
    [
      ["2026-03-15", 4000],
      ["2026-04-10", 30000],
      ["2026-09-10", 1000],
      ["2026-10-05", 2000],
    ],
  );
  // E3 (office B, May cohort): settled; a cancelled plan's installment and a plan without any.
  const e3 = await household("E3", "Cremona", office.B, "2026-05-20T09:00:00Z");
  await figures(e3, [["2026-05-01", 10000, 0]], [["2026-06-01", 10000]]);
  await plan(e3, "S-C", "cancelled", [["2026-06-30", 10000]]);
  await plan(e3, "S-D", "active", []);
  // E4 (no office: admins only): one figure, one installment due 01/12 and unpaid.
  const e4 = await household("E4", "Altrove", null);
  await figures(e4, [["2026-11-30", 5000, 0]], []);
  await plan(e4, "S-E", "active", [["2026-12-01", 5000]]);
  await reallocate(t.db, Object.values(hid));
  // Activity: E3 logged an expense on 01/12 (within 30 days).
  await t.db.budgetEntry.create({
    data: {
      householdId: e3,
      memberId: hid["E3.member"] as number,
      kind: "expense",
      category: "food",
      amountCents: 100,
      occurredOn: d("2026-12-01"),
      createdAt: new Date("2026-12-01T08:00:00Z"),
    },
  });
}, 60_000);

afterAll(() => fx.close());

describe("results figures in SQL, worked out by hand", () => {
  it("every household (admin): arrears, plans, installments and every month", async () => {
    const f = await resultsFigures(t.db, clock, admin, filter());
    expect(f.households).toBe(4);
    // Invited: E1, E3 (linked), E2 (a code); linked E1, E3; active: E3's expense.
    expect(f.awareness).toEqual({ invited: 3, linked: 2, active: 1, balanceViewed: 0, planViewed: 0 });
    const a = f.arrears;
    expect(a.withFigures).toBe(4);
    // Entry: E1 50000 (31/01), E2 20000, E3 10000, E4 5000.
    expect(a.entryCents).toBe(85000);
    // Now: E1 60000 − (10000 + 10000 + 5000) = 35000; E2 30000 − 2000 (the 10/09 payment is on the
    // figure's day) = 28000; E3 0; E4 5000.
    expect(a.nowCents).toBe(68000);
    // Recovered: E1 15000, E2 0 (went up), E3 10000, E4 0.
    expect(a.recoveredCents).toBe(25000);
    expect(a.settled).toBe(1);
    // E1 shows Q (active before broken): nothing overdue; E4: 01/12 unpaid; E3's plan has no installments.
    expect(a.plans).toEqual({ onTrack: 1, late: 1, broken: 0 });
    // E1: baseline 30/04 (the latest figures before 31/05), so the 20/01 payment does not count.
    // P1 31/05 cum 10000, Q1 31/05 cum 15000, P2 31/07 cum 25000. Paid by 31/05: 10000 → P1 on time,
    // Q1 late; by 31/07: 25000 → P2 on time. E4: 01/12, nothing paid. E3's cancelled plan: not counted.
    expect(a.installmentsDue).toBe(4);
    expect(a.installmentsOnTime).toBe(2);
    const by = (key: "owedCents" | "paidCents" | "installmentsDue" | "installmentsOnTime") =>
      a.months.map((m) => m[key]);
    expect(a.months.map((m) => m.month)).toEqual([
      "2025-12",
      ...Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, "0")}`),
    ]);
    // Dec 2025: no figures yet. Jan: E1 50000 (20/01 is before the figures). Mar: + E2 20000 (the
    // 15/03 payment is on its figure's day). Apr: E1 60000, E2 20000 − 30000 → 0. May: E1 60000 −
    // 10000, E3 10000. Jun: E1 40000, E3 0. Jul: E1 35000. Sep: + E2 30000. Oct: E2 28000. Nov: + E4.
    expect(by("owedCents")).toEqual([
      0, 50000, 50000, 70000, 60000, 60000, 40000, 35000, 35000, 65000, 63000, 68000, 68000,
    ]);
    expect(by("paidCents")).toEqual([0, 7000, 0, 4000, 30000, 10000, 20000, 5000, 0, 1000, 2000, 0, 0]);
    expect(by("installmentsDue")).toEqual([0, 0, 0, 0, 0, 2, 0, 1, 0, 0, 0, 0, 1]);
    expect(by("installmentsOnTime")).toEqual([0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0]);
    // A period that starts after some figures: the same month-ends (E1 from its 30/04 figures, E2 from 15/03).
    const later = await resultsFigures(t.db, clock, admin, filter({ from: "2026-05", to: "2026-10" }));
    expect(later.arrears.months.map((m) => m.owedCents)).toEqual([60000, 40000, 35000, 35000, 65000, 63000]);
    expect(later.arrears.months.map((m) => m.paidCents)).toEqual([10000, 20000, 5000, 0, 1000, 2000]);
    // "Now" is /balance's figure, household by household.
    let sum = 0;
    for (const key of ["E1", "E2", "E3", "E4"])
      sum += (await currentArrears(t.db, hid[key] as number))?.nowCents ?? 0;
    expect(sum).toBe(a.nowCents);
  });

  it("entry cohort, office and municipality", async () => {
    const february = await resultsFigures(t.db, clock, admin, filter({ cohort: "2026-02" }));
    expect(february.households).toBe(1); // E1
    expect(february.arrears.entryCents).toBe(50000);
    expect(february.arrears.installmentsDue).toBe(3);
    expect(february.arrears.months.find((m) => m.month === "2026-05")?.owedCents).toBe(50000);
    const may = await resultsFigures(t.db, clock, admin, filter({ cohort: "2026-05" }));
    expect(may.households).toBe(1); // E3
    expect(may.arrears.settled).toBe(1);
    expect(may.awareness.active).toBe(1);
    // A cohort nobody entered in.
    expect((await resultsFigures(t.db, clock, admin, filter({ cohort: "2026-03" }))).households).toBe(0);
    const operatorA = await resultsFigures(t.db, clock, operatorOf(office.A), filter());
    expect(operatorA.households).toBe(2); // E1, E2
    expect(operatorA.arrears.nowCents).toBe(35000 + 28000);
    expect(operatorA.awareness).toEqual({
      invited: 2,
      linked: 1,
      active: 0,
      balanceViewed: 0,
      planViewed: 0,
    });
    const salo = await resultsFigures(t.db, clock, operatorOf(office.A), filter({ municipality: "Salò" }));
    expect(salo.arrears.months.map((m) => m.owedCents)).toEqual([
      0, 0, 0, 20000, 0, 0, 0, 0, 0, 30000, 28000, 28000, 28000,
    ]);
  });

  it("staff of another office see nothing, and an office filter cannot widen their scope", async () => {
    const empty = (f: Awaited<ReturnType<typeof resultsFigures>>) => {
      expect(f.households).toBe(0);
      expect(f.awareness).toEqual({ invited: 0, linked: 0, active: 0, balanceViewed: 0, planViewed: 0 });
      expect(f.arrears.entryCents + f.arrears.nowCents + f.arrears.withFigures).toBe(0);
      expect(f.arrears.installmentsDue).toBe(0);
      expect(f.arrears.months.every((m) => m.owedCents === 0 && m.paidCents === 0)).toBe(true);
    };
    empty(await resultsFigures(t.db, clock, operatorOf(office.C), filter()));
    empty(await resultsFigures(t.db, clock, operatorOf(office.B), filter({ officeId: office.A })));
    empty(await resultsFigures(t.db, clock, { staffId: 3, role: "operator", officeId: null }, filter()));
    const b = await resultsFigures(t.db, clock, operatorOf(office.B), filter());
    expect(b.households).toBe(1); // E3 only
  });
});

// The results dashboard's precomputed awareness, arrears and spending figures
// (core/results/precompute.ts) against the computation they replaced, straight from the base tables
// (support/results-live.ts), for every filter and after every kind of write the figures depend on:
// payments, figures, plans and installments, a household changing office or municipality, members
// linking (a new entry cohort) or leaving, link codes, a deleted household, an import; and what
// households do in the bot (budget entries, messages, check-ups, satisfaction answers), which leaves
// the lighter "activity" marks. Then the one race a refresh must survive: a
// write committed while it runs is refreshed by the next one, never dropped.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import { importPayments, parsePaymentsFile } from "../core/imports/payments.ts";
import type { StaffScope } from "../core/offices/scope.ts";
import { resultsFigures } from "../core/results/figures.ts";
import type { ResultsFilter } from "../core/results/filter.ts";
import { spendingSection } from "../core/results/spending.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { liveResultsFigures, liveSpending } from "./support/results-live.ts";

/** "Today": 15 December 2026 in Rome; some payments and installments are dated after it. */
const clock = fixedClock(new Date("2026-12-15T10:00:00Z"));
const d = (iso: string) => new Date(`${iso}T00:00:00Z`);

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function generator(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
const random = generator(20261208);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const day = (year: number, month: number, dayOfMonth: number) =>
  d(`${year}-${String(month).padStart(2, "0")}-${String(dayOfMonth).padStart(2, "0")}`);

let t: TestDatabase;
const office = { A: 0, B: 0 };
const households: number[] = [];
const MUNICIPALITIES = ["Brescia", "Salò", "Cremona", "Lodi"] as const;
let seq = 0;

const admin: StaffScope = { staffId: 1, role: "admin", officeId: null };
const filters = (): [string, StaffScope, Partial<ResultsFilter>][] => [
  ["everything", admin, {}],
  ["office A", admin, { officeId: office.A }],
  ["office B", admin, { officeId: office.B }],
  ["Salò", admin, { municipality: "Salò" }],
  ["Lodi (no office)", admin, { municipality: "Lodi" }],
  ["cohort 2026-04", admin, { cohort: "2026-04" }],
  ["cohort 2025-11", admin, { cohort: "2025-11" }],
  ["two years", admin, { from: "2025-01", to: "2026-12" }],
  ["one month back", admin, { from: "2026-11", to: "2026-11" }],
  ["operator of A", { staffId: 2, role: "operator", officeId: office.A }, {}],
  [
    "coordinator of B, cohort",
    { staffId: 3, role: "coordinator", officeId: office.B },
    { cohort: "2026-04" },
  ],
  ["operator without office", { staffId: 4, role: "operator", officeId: null }, {}],
];

/** The dashboard's figures equal the live computation's for every filter. */
async function sameAsLive(label: string): Promise<void> {
  for (const [name, scope, f] of filters()) {
    const filter: ResultsFilter = {
      officeId: null,
      municipality: null,
      cohort: null,
      from: "2025-12",
      to: "2026-12",
      ...f,
    };
    const live = await liveResultsFigures(t.db, clock, scope, filter);
    const shown = await resultsFigures(t.db, clock, scope, filter);
    const { balanceViewed: _b, planViewed: _p, ...awareness } = shown.awareness;
    expect({ households: shown.households, awareness, arrears: shown.arrears }, `${label}, ${name}`).toEqual(
      live,
    );
    expect(await spendingSection.compute(t.db, clock, scope, filter), `${label}, ${name}: spending`).toEqual(
      await liveSpending(t.db, scope, filter),
    );
  }
  expect(await t.db.resultsPending.count(), `${label}: every mark processed`).toBe(0);
}

async function addHousehold(): Promise<number> {
  seq += 1;
  const municipality = pick(MUNICIPALITIES);
  const officeId = municipality === "Lodi" ? null : municipality === "Cremona" ? office.B : office.A;
  const h = await t.db.household.create({
    data: {
      contractCode: `P-${seq}`,
      name: `Famiglia ${seq}`,
      fiscalCode: "RSSMRA80A01B157Y",
      municipality,
      address: "Via Prova 1",
      officeId,
    },
  });
  households.push(h.id);
  return h.id;
}

async function linkMember(householdId: number, linkedAt: Date): Promise<number> {
  seq += 1;
  const m = await t.db.member.create({
    data: { telegramUserId: 8_000_000n + BigInt(seq), chatId: 1n, householdId, linkedAt },
  });
  return m.id;
}

/** Figures on the 1st of some months, payments on any day (a few after today), a plan or two. */
async function history(householdId: number): Promise<void> {
  let owed = int(50_000, 400_000);
  for (let month = int(1, 20); month <= 24; month += int(1, 4)) {
    const year = 2024 + Math.floor((month + 11) / 12);
    const m = ((month + 11) % 12) + 1;
    owed = Math.max(0, owed + int(-60_000, 30_000));
    await t.db.arrearsBalance.create({
      data: { householdId, balanceDate: day(year, m, 1), rentCents: owed, chargesCents: int(0, 9_000) },
    });
  }
  for (let i = 0; i < int(0, 8); i++) {
    seq += 1;
    const paymentDate =
      random() < 0.1 ? day(2026, 12, int(16, 28)) : day(pick([2025, 2026]), int(1, 12), int(1, 28));
    await t.db.payment.create({
      data: { householdId, paymentDate, amountCents: int(1_000, 90_000), reference: `P-PAY-${seq}` },
    });
  }
  const plans = pick([0, 0, 1, 1, 2]);
  for (let p = 0; p < plans; p++) {
    seq += 1;
    const status = pick(["active", "active", "active", "broken", "completed", "cancelled"] as const);
    const plan = await t.db.repaymentPlan.create({
      data: { householdId, planCode: `P-PLAN-${seq}`, status },
    });
    const startMonth = int(1, 14);
    const dueDay = int(1, 28);
    for (let n = 1; n <= int(0, 10); n++) {
      const index = startMonth + n;
      const due = day(2025 + Math.floor((index - 1) / 12), ((index - 1) % 12) + 1, dueDay);
      const amount = int(5_000, 20_000);
      await t.db.installment.create({
        data: {
          planId: plan.id,
          number: n,
          dueDate: due,
          amountCents: amount,
          paidCents: random() < 0.6 ? amount : random() < 0.5 ? int(0, amount) : 0,
        },
      });
    }
  }
}

const CATEGORIES = ["rent", "utilities", "food", "food", "leisure", "transport", "other"] as const;

/**
 * What a household does in the bot: budget entries over some months (most households in October and
 * November 2026, so those months' amounts are shown, not withheld), a case with its messages, a
 * check-up, a satisfaction answer; some of it in the 30 days before "today", some earlier.
 */
async function activity(householdId: number, memberId: number | null): Promise<void> {
  // Recent for some households only, so "active" is neither none nor every linked household.
  const recent = random() < 0.4;
  const at = () =>
    recent
      ? new Date(`2026-12-${String(int(1, 14)).padStart(2, "0")}T09:00:00Z`)
      : day(2026, int(1, 10), int(1, 28));
  if (memberId !== null && random() < 0.8) {
    const months = random() < 0.7 ? [10, 11] : [int(1, 12)];
    for (const month of months) {
      for (let i = 0; i < int(1, 4); i++) {
        const kind = random() < 0.8 ? "expense" : "income";
        await t.db.budgetEntry.create({
          data: {
            householdId,
            memberId,
            kind,
            category: kind === "income" ? "work" : pick(CATEGORIES),
            amountCents: int(100, 90_000),
            occurredOn: day(month === 12 ? 2025 : 2026, month, int(1, 28)),
            createdAt: at(),
          },
        });
      }
    }
  }
  if (random() < 0.5) {
    const kase = await t.db.case.create({ data: { householdId, topic: "debt" } });
    await t.db.caseMessage.create({
      data: { caseId: kase.id, author: pick(["household", "operator"] as const), text: "…", createdAt: at() },
    });
  }
  if (memberId !== null && random() < 0.3) {
    await t.db.checkup.create({
      data: {
        householdId,
        memberId,
        round: "entry",
        offeredAt: at(),
        startedAt: random() < 0.7 ? at() : null,
      },
    });
  }
}

describe("results figures kept precomputed", () => {
  beforeAll(async () => {
    t = await createTestDatabase();
    office.A = (await t.db.office.create({ data: { code: "PA", name: "Ufficio A" } })).id;
    office.B = (await t.db.office.create({ data: { code: "PB", name: "Ufficio B" } })).id;
    for (let i = 0; i < 40; i++) {
      const id = await addHousehold();
      const r = random();
      if (r < 0.6) {
        // Linked across two years; one in five right at a Rome month boundary (UTC's previous month).
        const linkedAt =
          random() < 0.2 ? new Date("2026-03-31T22:30:00Z") : day(pick([2025, 2026]), int(1, 12), int(1, 28));
        await activity(id, await linkMember(id, linkedAt));
      } else if (r < 0.8) {
        await t.db.linkCode.create({
          data: { householdId: id, codeHash: `p-code-${id}`, expiresAt: d("2027-01-31") },
        });
      }
      await history(id);
      if (r >= 0.6) await activity(id, null);
    }
  });

  afterAll(async () => {
    await t?.drop();
  });

  it("equal the live computation for every filter, and the data exercises every figure", async () => {
    const live = await liveResultsFigures(t.db, clock, admin, {
      officeId: null,
      municipality: null,
      cohort: null,
      from: "2025-12",
      to: "2026-12",
    });
    // A data set where these were zero could not tell a wrong sum from a right one.
    expect(live.arrears.nowCents).toBeGreaterThan(0);
    expect(live.arrears.recoveredCents).toBeGreaterThan(0);
    expect(live.arrears.plans.onTrack + live.arrears.plans.late).toBeGreaterThan(0);
    expect(live.arrears.plans.late).toBeGreaterThan(0);
    expect(live.arrears.installmentsOnTime).toBeGreaterThan(0);
    expect(live.arrears.installmentsDue).toBeGreaterThan(live.arrears.installmentsOnTime);
    expect(live.awareness.invited).toBeGreaterThan(live.awareness.linked);
    expect(live.awareness.active).toBeGreaterThan(0);
    expect(live.awareness.linked).toBeGreaterThan(live.awareness.active);
    const spending = await liveSpending(t.db, admin, {
      officeId: null,
      municipality: null,
      cohort: null,
      from: "2025-12",
      to: "2026-12",
    });
    // Months with amounts shown, and months withheld (fewer than 5 households spending).
    expect(
      spending.months.filter((m) => m.expenseCents !== null && m.flexibleCents !== null).length,
    ).toBeGreaterThan(0);
    expect(spending.months.filter((m) => m.spending > 0 && m.expenseCents === null).length).toBeGreaterThan(
      0,
    );
    expect(spending.period.keeping).toBeGreaterThan(
      spending.months.find((m) => m.month === "2026-11")?.keeping ?? 0,
    );
    await sameAsLive("at first");
  });

  it("stay equal after every kind of write", async () => {
    const [h1, h2, h3, h4, h5, h6] = households as [number, number, number, number, number, number];
    await t.db.payment.create({
      data: { householdId: h1, paymentDate: d("2026-06-03"), amountCents: 50_000, reference: "P-W-1" },
    });
    await sameAsLive("a payment");
    await t.db.payment.deleteMany({ where: { householdId: h2 } });
    await sameAsLive("payments deleted");
    await t.db.arrearsBalance.create({
      data: { householdId: h3, balanceDate: d("2026-12-02"), rentCents: 1, chargesCents: 0 },
    });
    await sameAsLive("new figures, nearly settled");
    await t.db.installment.updateMany({
      where: { plan: { householdId: { in: [h1, h2, h3, h4] } } },
      data: { paidCents: 0 },
    });
    await sameAsLive("installments unpaid");
    await t.db.repaymentPlan.updateMany({ where: { householdId: h4 }, data: { status: "broken" } });
    await t.db.repaymentPlan.updateMany({ where: { householdId: h5 }, data: { status: "cancelled" } });
    await sameAsLive("plans broken and cancelled");
    await t.db.household.update({ where: { id: h1 }, data: { officeId: office.B, municipality: "Cremona" } });
    await t.db.household.update({ where: { id: h2 }, data: { officeId: null, municipality: "Lodi" } });
    await sameAsLive("households moved office");
    // An earlier link moves the household to another entry cohort; unlinking its only member, to none.
    await linkMember(h3, new Date("2026-03-31T23:10:00Z"));
    const members = await t.db.member.findMany({ where: { householdId: h6 } });
    await t.db.member.updateMany({ where: { householdId: h6 }, data: { householdId: null } });
    await sameAsLive("members linked and unlinked");
    if (members[0]) await t.db.member.update({ where: { id: members[0].id }, data: { householdId: h6 } });
    await t.db.linkCode.create({
      data: { householdId: h5, codeHash: "p-code-late", expiresAt: d("2027-01-31") },
    });
    await sameAsLive("a member back, a link code");
    await t.db.household.delete({ where: { id: h4 } });
    await sameAsLive("a household deleted");
    const groups = await t.db.resultsHousehold.count({ where: { householdId: h4 } });
    expect(groups, "a deleted household's row goes").toBe(0);
  });

  it("stay equal after what households do in the bot, which refreshes only activity and spending", async () => {
    const members = await t.db.member.findMany({
      where: { householdId: { not: null }, linkedAt: { not: null } },
      orderBy: { id: "asc" },
    });
    const [a, b, c, e] = members.map((m) => ({ memberId: m.id, householdId: m.householdId as number }));
    if (!a || !b || !c || !e) throw new Error("the data set has too few linked members");
    /** Only light marks are pending: the arrears history is not recomputed for any of these writes. */
    const onlyActivityMarks = async (label: string) => {
      expect(await t.db.resultsPending.count({ where: { activity: true } }), label).toBeGreaterThan(0);
      expect(await t.db.resultsPending.count({ where: { activity: false } }), label).toBe(0);
    };
    const entry = (who: typeof a, occurredOn: string, category: string, amountCents: number) =>
      t.db.budgetEntry.create({
        data: {
          ...who,
          kind: "expense",
          category,
          amountCents,
          occurredOn: d(occurredOn),
          createdAt: d("2026-12-14"),
        },
      });
    await entry(a, "2026-02-03", "food", 1_234);
    await entry(b, "2026-11-20", "rent", 50_000);
    await entry(c, "2026-11-21", "leisure", 777);
    await onlyActivityMarks("budget entries added");
    await sameAsLive("budget entries added");
    await t.db.budgetEntry.updateMany({
      where: { householdId: b.householdId },
      data: { occurredOn: d("2026-09-15") },
    });
    await t.db.budgetEntry.updateMany({ where: { householdId: c.householdId }, data: { kind: "income" } });
    await onlyActivityMarks("entries moved to another month, expenses turned into income");
    await sameAsLive("entries moved to another month, expenses turned into income");
    await t.db.budgetEntry.deleteMany({ where: { householdId: a.householdId } });
    await sameAsLive("entries deleted");
    const kase = await t.db.case.create({ data: { householdId: e.householdId, topic: "debt" } });
    await t.db.caseMessage.create({
      data: { caseId: kase.id, author: "operator", text: "…", createdAt: d("2026-12-14") },
    });
    await sameAsLive("an operator's message");
    await t.db.caseMessage.create({
      data: { caseId: kase.id, author: "household", text: "…", createdAt: d("2026-12-14") },
    });
    await onlyActivityMarks("a household's message");
    await sameAsLive("a household's message");
    await t.db.case.delete({ where: { id: kase.id } });
    await sameAsLive("the case deleted, its messages with it");
    // Two households with nothing else recent: each of these alone makes it active.
    const activeNow = async () =>
      (
        await resultsFigures(t.db, clock, admin, {
          officeId: null,
          municipality: null,
          cohort: null,
          from: "2026-12",
          to: "2026-12",
        })
      ).awareness.active;
    const before = await activeNow();
    const f = await addHousehold();
    const fMember = await linkMember(f, d("2026-05-05"));
    await t.db.checkup.create({
      data: { householdId: f, memberId: fMember, round: "m3", offeredAt: d("2026-12-01") },
    });
    await t.db.checkup.update({
      where: { householdId_round: { householdId: f, round: "m3" } },
      data: { startedAt: d("2026-12-13") },
    });
    await sameAsLive("a check-up started");
    expect(await activeNow()).toBe(before + 1);
    const g = await addHousehold();
    await linkMember(g, d("2026-05-05"));
    await sameAsLive("a household linked");
    const closed = await t.db.case.create({ data: { householdId: g, topic: "debt", status: "closed" } });
    await t.db.caseSatisfaction.create({
      data: { caseId: closed.id, householdId: g, askedAt: d("2026-11-10"), score: 4 },
    });
    await sameAsLive("a satisfaction question asked");
    expect(await activeNow()).toBe(before + 1);
    await t.db.caseSatisfaction.update({
      where: { caseId: closed.id },
      data: { answeredAt: d("2026-12-11") },
    });
    await onlyActivityMarks("a satisfaction answer");
    await sameAsLive("a satisfaction answer");
    expect(await activeNow()).toBe(before + 2);
  });

  it("an import refreshes the households it touched by itself, and the figures stay equal", async () => {
    const codes = await t.db.household.findMany({ select: { contractCode: true }, take: 5 });
    const lines = codes.map((c, i) => `${c.contractCode};1${i}/0${i + 2}/2026;77,${10 + i};P-IMP-${i}`);
    const parsed = await parsePaymentsFile(
      Buffer.from(["contract_code;payment_date;amount;reference", ...lines].join("\n")),
      { clock },
    );
    expect(parsed.ok).toBe(true);
    const outcome = await importPayments(t.db, parsed, {
      actor: { actorType: "cli", actorId: "test" },
      clock,
    });
    expect(outcome.ok).toBe(true);
    // Without any page asking: the import's own refresh empties the marks.
    await expect.poll(() => t.db.resultsPending.count(), { timeout: 10_000 }).toBe(0);
    await sameAsLive("after an import");
  });

  it("a write committed while a refresh runs is refreshed next time, not dropped", async () => {
    const householdId = households[10] as number;
    const writer = new pg.Client({ connectionString: t.url });
    await writer.connect();
    try {
      await writer.query("BEGIN");
      await writer.query(
        `INSERT INTO "Payment" ("householdId", "paymentDate", "amountCents", "reference") VALUES ($1, $2, $3, $4)`,
        [householdId, "2026-10-10", 123_456, "P-RACE-1"],
      );
      // The page refreshes and reads while the write (and its mark) is not committed yet.
      await sameAsLive("before the writer commits");
      await writer.query("COMMIT");
    } finally {
      await writer.end();
    }
    expect(await t.db.resultsPending.count()).toBeGreaterThan(0);
    await sameAsLive("after the writer committed");
  });
});

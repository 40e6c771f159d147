// The plans and payments spreadsheets: checks by line, all-or-nothing, idempotent imports, and the
// allocation of payments to installments (core/payments.ts), directly and through the command line.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import { importHouseholds, parseHouseholdsFile } from "../core/imports/households.ts";
import { importPayments, type ParsePaymentsResult, parsePaymentsFile } from "../core/imports/payments.ts";
import { importPlans, type ParsePlansResult, parsePlansFile } from "../core/imports/plans.ts";
import { allocationBaseline, fillInstallments, reallocate } from "../core/payments.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";

const ROOT = join(import.meta.dirname, "..");
const FIXTURES = join(import.meta.dirname, "fixtures");
// Copies of ../shared/examples/*.csv: a clone of the repository must test on its own.
const PLANS = readFileSync(join(FIXTURES, "plans-example.csv"));
const PAYMENTS = readFileSync(join(FIXTURES, "payments-example.csv"));
const HOUSEHOLDS = readFileSync(join(FIXTURES, "example-households.csv"));
const PLAN_HEADER = "contract_code;plan_code;installment_number;due_date;amount";
const PAYMENT_HEADER = "contract_code;payment_date;amount;reference";
const actor = { actorType: "cli" as const, actorId: "test" };
const clock = fixedClock(new Date("2026-11-27T10:00:00Z"));

let t: TestDatabase;
let dir: string;
beforeAll(async () => {
  t = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), "bussola-debt-import-"));
});
afterAll(async () => {
  await t.drop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await t.db.household.deleteMany();
  await t.db.auditLog.deleteMany();
  const households = await parseHouseholdsFile(HOUSEHOLDS, { clock });
  if (!households.ok) throw new Error("example households do not parse");
  await importHouseholds(t.db, households.rows, { actor, clock });
});

const plansOf = async (text: string | Buffer): Promise<ParsePlansResult> =>
  parsePlansFile(typeof text === "string" ? Buffer.from(text) : text);
const paymentsOf = async (text: string | Buffer): Promise<ParsePaymentsResult> =>
  parsePaymentsFile(typeof text === "string" ? Buffer.from(text) : text, { clock });

async function plansImported(text: string | Buffer, dryRun = false) {
  const outcome = await importPlans(t.db, await plansOf(text), { actor, dryRun });
  if (!outcome.ok) throw new Error(outcome.problems.map((p) => `${p.line}: ${p.message}`).join("\n"));
  return outcome.result;
}
async function paymentsImported(text: string | Buffer, dryRun = false) {
  const outcome = await importPayments(t.db, await paymentsOf(text), { actor, clock, dryRun });
  if (!outcome.ok) throw new Error(outcome.problems.map((p) => `${p.line}: ${p.message}`).join("\n"));
  return outcome.result;
}

/** Installments as [plan, number, due date, amount, paid], in order. */
async function installments() {
  const rows = await t.db.installment.findMany({
    include: { plan: true },
    orderBy: [{ plan: { planCode: "asc" } }, { number: "asc" }],
  });
  return rows.map((i) => [
    i.plan.planCode,
    i.number,
    i.dueDate.toISOString().slice(0, 10),
    i.amountCents,
    i.paidCents,
  ]);
}
async function snapshot() {
  return {
    plans: await t.db.repaymentPlan.findMany({ orderBy: { id: "asc" } }),
    installments: await t.db.installment.findMany({ orderBy: { id: "asc" } }),
    payments: await t.db.payment.findMany({ orderBy: { id: "asc" } }),
  };
}
const problemLines = (outcome: { ok: boolean; problems?: { line: number; message: string }[] }) =>
  (outcome.problems ?? []).map((p) => `${p.line}: ${p.message}`);

describe("allocation rules", () => {
  it("fills installments oldest first, each in full before the next", async () => {
    expect(fillInstallments([200, 200, 200], 350)).toEqual([200, 150, 0]);
    expect(fillInstallments([200, 200], 0)).toEqual([0, 0]);
    expect(fillInstallments([200, 200], 1000)).toEqual([200, 200]);
    expect(fillInstallments([200, 200], -50)).toEqual([0, 0]);
    expect(fillInstallments([], 500)).toEqual([]);
  });

  it("counts payments after the latest balance dated before the first installment", async () => {
    const d = (iso: string) => new Date(`${iso}T00:00:00Z`);
    const balances = [d("2026-06-30"), d("2026-09-30"), d("2026-12-31")];
    expect(allocationBaseline(balances, d("2026-10-15"))).toEqual(d("2026-09-30"));
    // A balance on the first due date itself is not the plan's starting figure.
    expect(allocationBaseline(balances, d("2026-09-30"))).toEqual(d("2026-06-30"));
    expect(allocationBaseline(balances, d("2026-01-15"))).toBeNull();
    expect(allocationBaseline([], d("2026-10-15"))).toBeNull();
  });
});

describe("parsePlansFile", () => {
  it("reads the authority's example: both date styles, Italian amounts", async () => {
    const parsed = await plansOf(PLANS);
    expect(parsed.ok).toBe(true);
    expect(parsed.rows).toHaveLength(6);
    expect(parsed.rows[0]).toEqual({
      line: 2,
      contractCode: "BS-004512",
      planCode: "PR-2026-0045",
      number: 1,
      dueDate: new Date("2026-10-15T00:00:00Z"),
      amountCents: 20000,
    });
    expect(parsed.rows[4]).toMatchObject({
      planCode: "PR-2026-0051",
      dueDate: new Date("2026-11-30T00:00:00Z"),
    });
    expect(parsed.rows[4]?.amountCents).toBe(9550);
  });

  it("rejects the whole file, listing every problem by line", async () => {
    const parsed = await plansOf(readFileSync(join(FIXTURES, "plans-bad.csv")));
    expect(parsed.ok).toBe(false);
    const expected = [
      "3: amount must be more than 0",
      '4: due_date "31/11/2026" is not a valid date',
      '4: installment_number 2 of plan_code "PR-BAD-2" is also on line 5',
      '5: installment_number 2 of plan_code "PR-BAD-2" is also on line 4',
      '6: amount "-50,00" is negative',
      '7: plan_code "PR-BAD-3" has no installment 2 (number them 1, 2, 3… without gaps)',
      '9: plan_code "PR-BAD-4" is for contract_code "BS-004512" on line 8, not "BS-004513"',
      "11: due_date 15/09/2026 of installment 2 is not after installment 1's (15/10/2026, line 10)",
      '12: installment_number "zero" is not a whole number from 1 to 360',
      '12: due_date "2026-13-01" is not a valid date',
      '12: amount "abc" is not an amount (write 1.234,56 or 1234.56)',
    ];
    expect(problemLines(parsed)).toEqual(expected);
    // The import adds what only the database knows (the unknown contract on line 2), and writes nothing.
    const outcome = await importPlans(t.db, parsed, { actor });
    expect(problemLines(outcome)).toEqual([
      '2: contract_code "XX-999999" is not a known household (import the households file first)',
      ...expected,
    ]);
    expect(await t.db.repaymentPlan.count()).toBe(0);
    expect(await t.db.auditLog.count({ where: { action: "import.plans" } })).toBe(0);
  });

  it("checks codes, numbers and the file's shape", async () => {
    const bad = await plansOf(
      [
        PLAN_HEADER,
        "BS 1;PR-1;1;15/10/2026;10",
        "BS-1;PR 1;1;15/10/2026;10",
        "BS-1;PR-2;0;15/10/2026;10",
        "BS-1;PR-3;361;15/10/2026;10",
        "BS-1;PR-4;1;;10",
        "BS-1;PR-5;1;15/10/2026",
        "BS-1;PR-8;1;15/10/2026;1 234,56",
        "BS-1;PR-9;1;15/10/2026;12 50",
      ].join("\n"),
    );
    expect(problemLines(bad)).toEqual([
      '2: contract_code "BS 1" is not a contract code (letters, digits, - and /, up to 32)',
      '3: plan_code "PR 1" is not a plan code (letters, digits, - / _ and ., up to 40)',
      '4: installment_number "0" is not a whole number from 1 to 360',
      '5: installment_number "361" is not a whole number from 1 to 360',
      "6: due_date is required",
      "7: 4 fields instead of 5 (a separator too many or missing?)",
      // A space between digits is not guessed at (it was dropped: "12 50" became 1.250,00 €).
      '8: amount "1 234,56" has a space between digits: 1.234,56? (write it without spaces: 1.234,56 or 1234.56)',
      '9: amount "12 50" has a space between digits: 12,50 or 1.250,00? (write it without spaces: 1.234,56 or 1234.56)',
    ]);
    expect(
      problemLines(await plansOf("contract_code;plan_code;installment;due_date;amount\nA;B;1;15/10/2026;1")),
    ).toEqual([
      "1: missing column: installment_number",
      '1: unknown column: "installment"',
      `1: expected header: ${PLAN_HEADER}`,
    ]);
    // Numbers may come in any order in the file; gaps are found across the whole plan.
    expect((await plansOf(`${PLAN_HEADER}\nBS-1;PR-6;2;15/11/2026;10\nBS-1;PR-6;1;15/10/2026;10`)).ok).toBe(
      true,
    );
    expect(
      problemLines(await plansOf(`${PLAN_HEADER}\nBS-1;PR-7;3;15/11/2026;10\nBS-1;PR-7;4;15/12/2026;10`)),
    ).toEqual(['2: plan_code "PR-7" has no installment 1 to 2 (number them 1, 2, 3… without gaps)']);
  });
});

describe("importPlans", () => {
  it("imports the example, and importing it again changes nothing", async () => {
    expect(await plansImported(PLANS)).toEqual({
      plans: { created: 2, updated: 0, unchanged: 0 },
      installments: { created: 6, updated: 0, unchanged: 0, removed: 0 },
      allocation: { installments: 0, plans: 0 },
    });
    expect(await installments()).toEqual([
      ["PR-2026-0045", 1, "2026-10-15", 20000, 0],
      ["PR-2026-0045", 2, "2026-11-15", 20000, 0],
      ["PR-2026-0045", 3, "2026-12-15", 20000, 0],
      ["PR-2026-0045", 4, "2027-01-15", 20000, 0],
      ["PR-2026-0051", 1, "2026-11-30", 9550, 0],
      ["PR-2026-0051", 2, "2026-12-31", 9550, 0],
    ]);
    const before = await snapshot();
    clock.advance(60_000);
    expect(await plansImported(PLANS)).toEqual({
      plans: { created: 0, updated: 0, unchanged: 2 },
      installments: { created: 0, updated: 0, unchanged: 6, removed: 0 },
      allocation: { installments: 0, plans: 0 },
    });
    // Identical down to updatedAt: unchanged plans are not written at all.
    expect(await snapshot()).toEqual(before);

    const entries = await t.db.auditLog.findMany({
      where: { action: "import.plans" },
      orderBy: { id: "asc" },
    });
    expect(entries.map((e) => [e.actorType, e.actorId])).toEqual([
      ["cli", "test"],
      ["cli", "test"],
    ]);
    expect(entries[0]?.details).toMatchObject({ rows: 6, plans: { created: 2 } });
    const logged = JSON.stringify(entries);
    for (const personal of ["BS-004512", "PR-2026-0045", "20000", "2026-10-15"])
      expect(logged).not.toContain(personal);
  });

  it("replaces a plan's installments: changed ones updated, new ones added, dropped ones removed", async () => {
    await plansImported(PLANS);
    await paymentsImported(PAYMENTS);
    const changed = [
      PLAN_HEADER,
      // PR-2026-0045 now has 3 installments, the third moved and larger: one updated, one removed.
      "BS-004512;PR-2026-0045;1;15/10/2026;200,00",
      "BS-004512;PR-2026-0045;2;15/11/2026;200,00",
      "BS-004512;PR-2026-0045;3;20/12/2026;400,00",
      // PR-2026-0051 gets a third installment.
      "CR-001207;PR-2026-0051;1;30/11/2026;95,50",
      "CR-001207;PR-2026-0051;2;31/12/2026;95,50",
      "CR-001207;PR-2026-0051;3;31/01/2027;95,50",
    ].join("\n");
    const before = await t.db.repaymentPlan.findUniqueOrThrow({ where: { planCode: "PR-2026-0045" } });
    clock.advance(60_000);
    expect(await plansImported(changed)).toEqual({
      plans: { created: 0, updated: 2, unchanged: 0 },
      installments: { created: 1, updated: 1, unchanged: 4, removed: 1 },
      // PR-2026-0051 was paid in full: the 39,10 € left over goes to its new third installment, and
      // the plan is active again.
      allocation: { installments: 1, plans: 1 },
    });
    expect(await installments()).toEqual([
      ["PR-2026-0045", 1, "2026-10-15", 20000, 20000],
      ["PR-2026-0045", 2, "2026-11-15", 20000, 15000],
      ["PR-2026-0045", 3, "2026-12-20", 40000, 0],
      ["PR-2026-0051", 1, "2026-11-30", 9550, 9550],
      ["PR-2026-0051", 2, "2026-12-31", 9550, 9550],
      ["PR-2026-0051", 3, "2027-01-31", 9550, 3910],
    ]);
    const after = await t.db.repaymentPlan.findUniqueOrThrow({ where: { planCode: "PR-2026-0045" } });
    expect(after.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());
    const plans = await t.db.repaymentPlan.findMany({ orderBy: { planCode: "asc" } });
    expect(plans.map((p) => p.status)).toEqual(["active", "active"]);
  });

  it("refuses a plan code that belongs to another household, and unknown contracts", async () => {
    await plansImported(PLANS);
    const before = await snapshot();
    const outcome = await importPlans(
      t.db,
      await plansOf(
        `${PLAN_HEADER}\nBS-004513;PR-2026-0045;1;15/10/2026;200,00\nZZ-1;PR-NEW;1;15/10/2026;10,00`,
      ),
      { actor },
    );
    expect(problemLines(outcome)).toEqual([
      '2: plan_code "PR-2026-0045" already belongs to another contract_code',
      '3: contract_code "ZZ-1" is not a known household (import the households file first)',
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it("with dryRun tells what would change and changes nothing", async () => {
    const result = await plansImported(PLANS, true);
    expect(result.plans.created).toBe(2);
    expect(await t.db.repaymentPlan.count()).toBe(0);
    expect(await t.db.auditLog.count({ where: { action: "import.plans" } })).toBe(0);
  });
});

describe("parsePaymentsFile", () => {
  it("reads the authority's example", async () => {
    const parsed = await paymentsOf(PAYMENTS);
    expect(parsed.ok).toBe(true);
    expect(
      parsed.rows.map((r) => [
        r.line,
        r.contractCode,
        r.paymentDate.toISOString().slice(0, 10),
        r.amountCents,
        r.reference,
      ]),
    ).toEqual([
      [2, "BS-004512", "2026-10-14", 20000, "MAV-2026-118830"],
      [3, "BS-004512", "2026-11-03", 15000, "MAV-2026-120114"],
      [4, "CR-001207", "2026-10-20", 23010, "BON-2026-004471"],
    ]);
  });

  it("reads commas, 1234.56 amounts, quoted fields and ISO dates", async () => {
    const parsed = await paymentsOf(readFileSync(join(FIXTURES, "payments-comma.csv")));
    expect(parsed.rows.map((r) => [r.contractCode, r.amountCents, r.reference])).toEqual([
      ["BS-004512", 123456, "BON 2026/77"],
      ["CR-001207", 100000, "BON-2026-004472"],
    ]);
  });

  it("rejects the whole file, listing every problem by line", async () => {
    const parsed = await paymentsOf(readFileSync(join(FIXTURES, "payments-bad.csv")));
    const expected = [
      '3: payment_date "14-10-2026" is not a date (write dd/mm/yyyy or yyyy-mm-dd)',
      "4: amount must be more than 0",
      '5: amount "-5,00" is negative',
      '6: payment_date "01/01/2099" is in the future (today is 27/11/2026)',
      "7: reference is required",
      '8: reference "REF-TWICE" is also on line 9',
      '9: reference "REF-TWICE" is also on line 8',
    ];
    expect(problemLines(parsed)).toEqual(expected);
    const outcome = await importPayments(t.db, parsed, { actor, clock });
    expect(problemLines(outcome)).toEqual([
      '2: contract_code "XX-999999" is not a known household (import the households file first)',
      ...expected,
    ]);
    expect(await t.db.payment.count()).toBe(0);
  });
});

describe("importPayments", () => {
  it("imports the example, allocates it oldest first, and importing it again changes nothing", async () => {
    await plansImported(PLANS);
    expect(await paymentsImported(PAYMENTS)).toEqual({
      payments: { created: 3, unchanged: 0 },
      allocation: { installments: 4, plans: 1 },
    });
    expect(await installments()).toEqual([
      ["PR-2026-0045", 1, "2026-10-15", 20000, 20000],
      ["PR-2026-0045", 2, "2026-11-15", 20000, 15000],
      ["PR-2026-0045", 3, "2026-12-15", 20000, 0],
      ["PR-2026-0045", 4, "2027-01-15", 20000, 0],
      // 230,10 € paid: both 95,50 € installments; the 39,10 € left over stays unallocated.
      ["PR-2026-0051", 1, "2026-11-30", 9550, 9550],
      ["PR-2026-0051", 2, "2026-12-31", 9550, 9550],
    ]);
    const plans = await t.db.repaymentPlan.findMany({ orderBy: { planCode: "asc" } });
    expect(plans.map((p) => [p.planCode, p.status])).toEqual([
      ["PR-2026-0045", "active"],
      ["PR-2026-0051", "completed"],
    ]);
    const payment = await t.db.payment.findUniqueOrThrow({ where: { reference: "MAV-2026-118830" } });
    expect(payment.recordedAt).toEqual(clock.now());

    const before = await snapshot();
    clock.advance(60_000);
    expect(await paymentsImported(PAYMENTS)).toEqual({
      payments: { created: 0, unchanged: 3 },
      allocation: { installments: 0, plans: 0 },
    });
    expect(await snapshot()).toEqual(before);
    // Running the allocation again on its own changes nothing either.
    const ids = (await t.db.household.findMany()).map((h) => h.id);
    expect(await reallocate(t.db, ids)).toEqual({ installments: 0, plans: 0 });

    const entries = await t.db.auditLog.findMany({ where: { action: "import.payments" } });
    expect(entries).toHaveLength(2);
    expect(entries[1]?.details).toEqual({
      rows: 3,
      payments: { created: 0, unchanged: 3 },
      allocation: { installments: 0, plans: 0 },
    });
    const logged = JSON.stringify(entries);
    for (const personal of ["MAV-2026", "BS-004512", "2026-10-14"]) expect(logged).not.toContain(personal);
  });

  it("takes turns with another import of the same file: one records, the other finds it unchanged", async () => {
    await plansImported(PLANS);
    const [a, b] = await Promise.all([paymentsImported(PAYMENTS), paymentsImported(PAYMENTS)]);
    expect([a.payments, b.payments]).toEqual(
      expect.arrayContaining([
        { created: 3, unchanged: 0 },
        { created: 0, unchanged: 3 },
      ]),
    );
    expect(await t.db.payment.count()).toBe(3);
    expect((await installments()).map((i) => i[4])).toEqual([20000, 15000, 0, 0, 9550, 9550]);
  });

  it("ends the same whichever file comes first", async () => {
    await paymentsImported(PAYMENTS);
    expect(await t.db.installment.count()).toBe(0);
    const result = await plansImported(PLANS);
    expect(result.allocation).toEqual({ installments: 4, plans: 1 });
    expect((await installments()).map((i) => i[4])).toEqual([20000, 15000, 0, 0, 9550, 9550]);
  });

  it("refuses a known reference with other data, and keeps everything as it was", async () => {
    await plansImported(PLANS);
    await paymentsImported(PAYMENTS);
    const before = await snapshot();
    const outcome = await importPayments(
      t.db,
      await paymentsOf(
        [
          PAYMENT_HEADER,
          "BS-004512;14/10/2026;200,00;MAV-2026-118830", // the same: fine
          "BS-004512;14/10/2026;210,00;MAV-2026-120114", // another amount
          "BS-004513;20/10/2026;230,10;BON-2026-004471", // another household
          "BS-004512;20/11/2026;50,00;MAV-NEW", // new, but the file is refused
        ].join("\n"),
      ),
      { actor, clock },
    );
    expect(problemLines(outcome)).toEqual([
      '3: reference "MAV-2026-120114" is already recorded with other data (BS-004512, 03/11/2026, 150,00\u00a0€): a payment is never changed by an import',
      '4: reference "BON-2026-004471" is already recorded with other data (CR-001207, 20/10/2026, 230,10\u00a0€): a payment is never changed by an import',
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it("allocates only payments after the figures the plan started from", async () => {
    // Balance on 30/09; a payment on 20/09 is already inside those figures, one on 01/10 is not.
    await plansImported(
      `${PLAN_HEADER}\nBS-004513;PR-K-1;1;15/10/2026;100,00\nBS-004513;PR-K-1;2;15/11/2026;100,00`,
    );
    const result = await paymentsImported(
      `${PAYMENT_HEADER}\nBS-004513;20/09/2026;100,00;K-1\nBS-004513;01/10/2026;60,00;K-2\nBS-004513;30/09/2026;40,00;K-3`,
    );
    expect(result.allocation).toEqual({ installments: 1, plans: 0 });
    expect((await installments()).map((i) => i[4])).toEqual([6000, 0]);

    // A plan that started before any figures: every payment counts.
    await plansImported(`${PLAN_HEADER}\nBS-004513;PR-K-0;1;15/08/2026;150,00`);
    // Now the first installment is 15/08, before the 30/09 balance: all 200 € count, oldest first.
    expect((await installments()).map((i) => [i[0], i[4]])).toEqual([
      ["PR-K-0", 15000],
      ["PR-K-1", 5000],
      ["PR-K-1", 0],
    ]);
  });

  it("leaves cancelled and broken plans' status alone, and does not pay a cancelled plan", async () => {
    await plansImported(PLANS);
    await t.db.repaymentPlan.update({ where: { planCode: "PR-2026-0051" }, data: { status: "cancelled" } });
    await t.db.repaymentPlan.update({ where: { planCode: "PR-2026-0045" }, data: { status: "broken" } });
    await paymentsImported(PAYMENTS);
    expect((await installments()).map((i) => i[4])).toEqual([20000, 15000, 0, 0, 0, 0]);
    const plans = await t.db.repaymentPlan.findMany({ orderBy: { planCode: "asc" } });
    expect(plans.map((p) => p.status)).toEqual(["broken", "cancelled"]);
  });

  it("with dryRun tells what would change and changes nothing", async () => {
    await plansImported(PLANS);
    const before = await snapshot();
    const result = await paymentsImported(PAYMENTS, true);
    expect(result).toEqual({
      payments: { created: 3, unchanged: 0 },
      allocation: { installments: 4, plans: 1 },
    });
    expect(await snapshot()).toEqual(before);
  });
});

type Run = { code: number | null; out: string[]; err: string[] };

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["cli/index.ts", ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        USER: "cli-test",
        DATABASE_URL: t.url,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const lines = (text: string) => text.split("\n").filter((line) => line !== "");
      resolve({ code, out: lines(stdout), err: lines(stderr) });
    });
  });
}

describe("command line", () => {
  it("imports plans and payments, prints the counts, and exits 0; the same files again change nothing", {
    timeout: 60_000,
  }, async () => {
    const plans = join(FIXTURES, "plans-example.csv");
    const payments = join(FIXTURES, "payments-example.csv");
    const first = await cli(["import:plans", plans]);
    expect(first).toMatchObject({ code: 0, err: [] });
    expect(first.out).toEqual([
      `Imported ${plans}: 6 rows.`,
      "plans: 2 created, 0 updated, 0 unchanged",
      "installments: 6 created, 0 updated, 0 removed, 0 unchanged",
      "allocation: 0 installments changed, 0 plan statuses changed",
    ]);
    const paid = await cli(["import:payments", payments]);
    expect(paid).toMatchObject({ code: 0, err: [] });
    expect(paid.out).toEqual([
      `Imported ${payments}: 3 rows.`,
      "payments: 3 created, 0 unchanged",
      "allocation: 4 installments changed, 1 plan status changed",
    ]);
    expect((await cli(["import:payments", payments])).out.slice(1)).toEqual([
      "payments: 0 created, 3 unchanged",
      "allocation: 0 installments changed, 0 plan statuses changed",
    ]);
    expect((await cli(["import:plans", plans, "--dry-run"])).out[0]).toBe(
      `Checked (nothing changed) ${plans}: 6 rows.`,
    );
  });

  it("exits 1 with every problem as FILE:LINE, and 2 on wrong usage", { timeout: 60_000 }, async () => {
    const bad = join(FIXTURES, "payments-bad.csv");
    const rejected = await cli(["import:payments", bad]);
    expect(rejected.code).toBe(1);
    expect(rejected.out).toEqual([]);
    expect(rejected.err).toHaveLength(8);
    expect(rejected.err[0]).toBe(
      `${bad}:2: contract_code "XX-999999" is not a known household (import the households file first)`,
    );
    expect(await t.db.payment.count()).toBe(0);

    const spaced = join(dir, "payments-spaced.csv");
    await writeFile(spaced, `${PAYMENT_HEADER}\nBS-004512;14/10/2026;1 234,56;REF-SPACED\n`);
    expect(await cli(["import:payments", spaced])).toMatchObject({
      code: 1,
      err: [
        `${spaced}:2: amount "1 234,56" has a space between digits: 1.234,56? (write it without spaces: 1.234,56 or 1234.56)`,
      ],
    });
    expect(await t.db.payment.count()).toBe(0);

    const empty = join(dir, "empty.csv");
    await writeFile(empty, "");
    expect(await cli(["import:plans", empty])).toMatchObject({
      code: 1,
      err: [`${empty}:1: the file is empty`],
    });
    expect(await cli(["import:plans", join(dir, "missing.csv")])).toMatchObject({
      code: 1,
      err: [`${join(dir, "missing.csv")}: cannot read it: no such file`],
    });
    const usage = await cli(["import:payments"]);
    expect(usage.code).toBe(2);
    expect(usage.err[0]).toBe("import:payments: missing FILE");
    const help = await cli(["help"]);
    expect(help.out.join("\n")).toContain("import:plans FILE [--dry-run]");
    expect(help.out.join("\n")).toContain("import:payments FILE [--dry-run]");
  });
});

// Imports and the caseload's facts (core/priority/facts.ts): inside an import's transaction the
// triggers only note the households touched, and the import refreshes them once, at its end, with a
// set-based computation of its own (migration 20261207182000_deferred_facts_import_checks). After every
// import kind — households, plans, payments, documents, committed, dry run, rejected or failed — the
// whole table equals a from-scratch computation, and nothing of the deferral outlives the import.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postHouseholdMessage } from "../core/cases.ts";
import { fixedClock } from "../core/clock.ts";
import { importDocumentsFile } from "../core/imports/documents.ts";
import { importHouseholds, importHouseholdsFile, parseHouseholdsFile } from "../core/imports/households.ts";
import { importPayments, parsePaymentsFile } from "../core/imports/payments.ts";
import { importPlans, parsePlansFile } from "../core/imports/plans.ts";
import { importTransaction } from "../core/imports/transaction.ts";
import { householdFactsDrift } from "../core/priority/facts.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";

// Friday 27 November 2026, 11:00 in Rome.
const clock = fixedClock(new Date("2026-11-27T10:00:00Z"));
const actor = { actorType: "cli" as const, actorId: "test" };
const HEADER =
  "contract_code;household_name;fiscal_code;municipality;address;phone;language;arrears_rent;arrears_charges;balance_date";
const CODES = ["BS-1", "BS-2", "BS-3", "BS-4", "BS-5"];

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

const file = (lines: string[]) => Buffer.from([HEADER, ...lines].join("\n"));
const line = (code: string, rent: string, date: string) =>
  `${code};Famiglia ${code};CLMMRA75C12B157K;Brescia;Via Roma 1;;it;${rent};0,00;${date}`;

async function households(lines: string[]) {
  const parsed = await parseHouseholdsFile(file(lines), { clock });
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join("\n"));
  return importHouseholds(t.db, parsed.rows, { actor, clock });
}
async function plans(lines: string[], dryRun = false) {
  const parsed = await parsePlansFile(
    Buffer.from(["contract_code;plan_code;installment_number;due_date;amount", ...lines].join("\n")),
  );
  return importPlans(t.db, parsed, { actor, dryRun });
}
async function payments(lines: string[], dryRun = false) {
  const parsed = await parsePaymentsFile(
    Buffer.from(["contract_code;payment_date;amount;reference", ...lines].join("\n")),
    { clock },
  );
  return importPayments(t.db, parsed, { actor, clock, dryRun });
}

const idOf = async (code: string) =>
  (await t.db.household.findUniqueOrThrow({ where: { contractCode: code } })).id;
const allFacts = () => t.db.householdFacts.findMany({ orderBy: { householdId: "asc" } });
async function expectNoDrift() {
  expect(await householdFactsDrift(t.db)).toEqual([]);
}
/** What the pool's connections say of the deferral: never "on" outside an import. */
async function deferralSeen(): Promise<string[]> {
  const answers = await Promise.all(
    Array.from(
      { length: 8 },
      () => t.db.$queryRaw<{ v: string | null }[]>`SELECT current_setting('bussola.defer_facts', true) AS v`,
    ),
  );
  return answers.map((rows) => rows[0]?.v ?? "");
}

describe("household facts and imports", () => {
  it("every kind of fact, refreshed at the import's end by its own computation, equals the from-scratch one", async () => {
    await households(CODES.map((c) => line(c, "1.000,00", "30/09/2026")));
    await households(CODES.map((c, i) => line(c, `${1000 + 100 * i},00`, "31/10/2026")));
    // A plan with late installments (BS-1), a broken one (BS-2), a broken and an active one (BS-3).
    const planned = await plans([
      "BS-1;PR-1;1;15/10/2026;200,00",
      "BS-1;PR-1;2;15/12/2026;200,00",
      "BS-2;PR-2;1;15/10/2026;100,00",
      "BS-3;PR-3;1;15/10/2026;100,00",
      "BS-3;PR-3B;1;15/01/2027;100,00",
    ]);
    expect(planned.ok).toBe(true);
    await t.db.repaymentPlan.updateMany({
      where: { planCode: { in: ["PR-2", "PR-3"] } },
      data: { status: "broken" },
    });
    expect((await payments(["BS-1;14/11/2026;50,00;MAV-1"])).ok).toBe(true);
    // BS-4: a member who no longer answers, an urgent case waiting for an answer; BS-5 an office.
    const four = await idOf("BS-4");
    const member = await t.db.member.create({
      data: {
        telegramUserId: 901n,
        chatId: 901n,
        householdId: four,
        linkedAt: clock.now(),
        consentAt: clock.now(),
      },
    });
    await postHouseholdMessage(t.db, clock, {
      householdId: four,
      memberId: member.id,
      text: "Aiuto",
      topic: "debt",
    });
    await t.db.case.updateMany({ where: { householdId: four }, data: { urgent: true } });
    await t.db.member.update({ where: { id: member.id }, data: { unreachableAt: clock.now() } });
    const office = await t.db.office.create({ data: { code: "BS", name: "Brescia" } });
    await t.db.household.update({ where: { id: await idOf("BS-5") }, data: { officeId: office.id } });
    await expectNoDrift();
    const exact = await allFacts();
    expect(exact.find((f) => f.householdId === four)).toMatchObject({ urgent: true, unreachable: true });

    // Every row made wrong around the triggers; an import touching every household (a new balance
    // each) must put back every fact, which only the end-of-import computation can do.
    await t.db.$executeRawUnsafe(
      `UPDATE "HouseholdFacts" SET "unpaidDue" = '{2020-01-01}', "broken" = NOT "broken", "firstArrears" = 1,
        "latestArrears" = 2, "urgent" = NOT "urgent", "waitingSince" = now(), "unreachable" = NOT "unreachable",
        "lastContact" = '2000-01-01', "officeId" = NULL`,
    );
    expect((await householdFactsDrift(t.db)).length).toBe(CODES.length);
    await households(CODES.map((c, i) => line(c, `${1000 + 100 * i},00`, "15/11/2026")));
    await expectNoDrift();
    const after = await allFacts();
    // Only the arrears' latest figure moved with the new balances.
    expect(after.map((f) => ({ ...f, latestArrears: null }))).toEqual(
      exact.map((f) => ({ ...f, latestArrears: null })),
    );
  });

  it("plans, payments and documents imports leave the facts exact", async () => {
    expect((await plans(["BS-5;PR-5;1;15/11/2026;80,00", "BS-5;PR-5;2;15/12/2026;80,00"])).ok).toBe(true);
    expect(
      (await t.db.householdFacts.findUniqueOrThrow({ where: { householdId: await idOf("BS-5") } })).unpaidDue,
    ).toHaveLength(2);
    await expectNoDrift();
    expect((await payments(["BS-5;20/11/2026;80,00;MAV-5"])).ok).toBe(true);
    expect(
      (await t.db.householdFacts.findUniqueOrThrow({ where: { householdId: await idOf("BS-5") } })).unpaidDue,
    ).toHaveLength(1);
    await expectNoDrift();
    const documents = await importDocumentsFile(
      t.db,
      Buffer.from("contract_code;document;status;deadline\nBS-5;isee;requested;31/12/2026\n"),
      { actor },
    );
    expect(documents.ok).toBe(true);
    await expectNoDrift();
  });

  it("inside an import the facts wait for its end; outside, a write refreshes them at once", async () => {
    const one = await idOf("BS-1");
    const before = await t.db.householdFacts.findUniqueOrThrow({ where: { householdId: one } });
    const seenInside = await importTransaction(t.db, { locks: ["test:facts"] }, async (tx) => {
      await tx.arrearsBalance.create({
        data: {
          householdId: one,
          balanceDate: new Date("2026-11-20T00:00:00Z"),
          rentCents: 999_900,
          chargesCents: 0,
          source: "import",
        },
      });
      return tx.householdFacts.findUniqueOrThrow({ where: { householdId: one } });
    });
    expect(seenInside.latestArrears).toBe(before.latestArrears);
    expect((await t.db.householdFacts.findUniqueOrThrow({ where: { householdId: one } })).latestArrears).toBe(
      999_900n,
    );
    await expectNoDrift();
    expect(await deferralSeen()).not.toContain("on");
    await t.db.arrearsBalance.create({
      data: {
        householdId: one,
        balanceDate: new Date("2026-11-21T00:00:00Z"),
        rentCents: 10,
        chargesCents: 0,
        source: "manual",
      },
    });
    expect((await t.db.householdFacts.findUniqueOrThrow({ where: { householdId: one } })).latestArrears).toBe(
      10n,
    );
    await expectNoDrift();
  });

  it("a dry run, a rejected file and a failed import change no fact, and leave no deferral behind", async () => {
    const exact = await allFacts();
    // Dry runs: the work is done, then rolled back.
    const dry = await importHouseholdsFile(t.db, file(CODES.map((c) => line(c, "5,00", "19/11/2026"))), {
      actor,
      clock,
      dryRun: true,
    });
    expect(dry.ok && dry.result.balances.created).toBe(CODES.length);
    expect((await plans(["BS-2;PR-2C;1;15/02/2027;10,00"], true)).ok).toBe(true);
    expect((await payments(["BS-1;21/11/2026;150,00;MAV-9"], true)).ok).toBe(true);
    // A file with a bad line at its end: rejected whole.
    const rejected = await importHouseholdsFile(
      t.db,
      file([...CODES.map((c) => line(c, "5,00", "19/11/2026")), "BS-9;;;;;;;;;"]),
      { actor, clock },
    );
    expect(rejected.ok).toBe(false);
    // A failure half-way (not a problem of the file): thrown, and everything rolled back.
    await expect(
      importTransaction(t.db, { locks: ["test:facts"] }, async (tx) => {
        await tx.household.create({
          data: {
            contractCode: "BS-X",
            name: "X",
            fiscalCode: "X",
            municipality: "Brescia",
            address: "X",
            language: "it",
          },
        });
        await tx.arrearsBalance.create({
          data: {
            householdId: await idOf("BS-2"),
            balanceDate: new Date("2026-11-22T00:00:00Z"),
            rentCents: 1,
            chargesCents: 0,
          },
        });
        throw new Error("the disk is full");
      }),
    ).rejects.toThrow("the disk is full");
    expect(await allFacts()).toEqual(exact);
    await expectNoDrift();
    expect(await deferralSeen()).not.toContain("on");
    // And a write on any connection of the pool right after refreshes at once, as before.
    const two = await idOf("BS-2");
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        t.db.arrearsBalance.create({
          data: {
            householdId: two,
            balanceDate: new Date(Date.UTC(2026, 10, 22 + i)),
            rentCents: 100 + i,
            chargesCents: 0,
          },
        }),
      ),
    );
    expect((await t.db.householdFacts.findUniqueOrThrow({ where: { householdId: two } })).latestArrears).toBe(
      105n,
    );
    await expectNoDrift();
  });

  it("the flush outside an import refreshes nothing and says so; a household gone meanwhile is skipped", async () => {
    const [none] = await t.db.$queryRaw<{ n: number }[]>`SELECT "household_facts_flush"() AS n`;
    expect(none?.n).toBe(0);
    const outcome = await importTransaction(t.db, { locks: ["test:facts"] }, async (tx) => {
      const three = await idOf("BS-3");
      await tx.arrearsBalance.deleteMany({ where: { householdId: three } });
      await tx.household.delete({ where: { id: three } });
      return "done";
    });
    expect(outcome).toBe("done");
    expect(await t.db.householdFacts.count({ where: { household: { contractCode: "BS-3" } } })).toBe(0);
    await expectNoDrift();
  });
});

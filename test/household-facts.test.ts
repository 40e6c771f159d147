// The caseload's facts ("HouseholdFacts", core/priority/facts.ts) stay exactly what their tables say:
// after each import kind (households and their figures, plans, payments and their allocation), after
// the escalation breaks a plan, after cases, messages and members change, at once in two transactions;
// and as days pass the caseload counts the installments that became late without any write. After
// each step the whole table is compared with a from-scratch computation: nothing may drift.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postHouseholdMessage } from "../core/cases.ts";
import { fixedClock } from "../core/clock.ts";
import { markBrokenPlans } from "../core/escalation/overdue.ts";
import { importHouseholds, parseHouseholdsFile } from "../core/imports/households.ts";
import { importPayments, parsePaymentsFile } from "../core/imports/payments.ts";
import { importPlans, parsePlansFile } from "../core/imports/plans.ts";
import type { StaffScope } from "../core/offices/scope.ts";
import { BOUND_INDEXES, NO_FILTERS, rankedCaseload } from "../core/priority/caseload.ts";
import { checkHouseholdFacts, householdFactsDrift } from "../core/priority/facts.ts";
import type { Reason } from "../core/priority/rules.ts";
import { createDeliveryQueue, type DeliveryQueue } from "../core/queues/delivery.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";

const DAY = 24 * 60 * 60 * 1000;
// Friday 27 November 2026, 11:00 in Rome.
const clock = fixedClock(new Date("2026-11-27T10:00:00Z"));
const actor = { actorType: "cli" as const, actorId: "test" };
const admin: StaffScope = { staffId: 1, role: "admin", officeId: null };
const HOUSEHOLDS_HEADER =
  "contract_code;household_name;fiscal_code;municipality;address;phone;language;arrears_rent;arrears_charges;balance_date";

let t: TestDatabase;
let redis: Redis;
let queue: DeliveryQueue;

beforeAll(async () => {
  t = await createTestDatabase();
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  queue = createDeliveryQueue(redis, testQueuePrefix());
});
afterAll(async () => {
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
  await redis?.quit();
  await t?.drop();
});

async function householdsImported(lines: string[]) {
  const parsed = await parseHouseholdsFile(Buffer.from([HOUSEHOLDS_HEADER, ...lines].join("\n")), { clock });
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join("\n"));
  return importHouseholds(t.db, parsed.rows, { actor, clock });
}
async function plansImported(lines: string[]) {
  const parsed = await parsePlansFile(
    Buffer.from(["contract_code;plan_code;installment_number;due_date;amount", ...lines].join("\n")),
  );
  const outcome = await importPlans(t.db, parsed, { actor });
  if (!outcome.ok) throw new Error(outcome.problems.map((p) => p.message).join("\n"));
}
async function paymentsImported(lines: string[]) {
  const parsed = await parsePaymentsFile(
    Buffer.from(["contract_code;payment_date;amount;reference", ...lines].join("\n")),
    { clock },
  );
  const outcome = await importPayments(t.db, parsed, { actor, clock });
  if (!outcome.ok) throw new Error(outcome.problems.map((p) => p.message).join("\n"));
}

const idOf = async (code: string) =>
  (await t.db.household.findUniqueOrThrow({ where: { contractCode: code } })).id;
const factsOf = async (code: string) =>
  t.db.householdFacts.findUniqueOrThrow({ where: { householdId: await idOf(code) } });
const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

/** The reasons (with their values) the caseload gives this household at the clock's now. */
async function reasonsOf(code: string, at = clock): Promise<Partial<Record<Reason, number | undefined>>> {
  const id = await idOf(code);
  const page = await rankedCaseload(t.db, at, admin, NO_FILTERS, 1);
  const row = page.rows.find((r) => r.householdId === id);
  if (!row) throw new Error(`${code} is not on the first page`);
  return Object.fromEntries(row.reasons.map((r) => [r.reason, r.value]));
}

async function expectNoDrift() {
  expect(await householdFactsDrift(t.db)).toEqual([]);
}

describe("household facts", () => {
  it("a households import gives each new family its row, and a later figure its arrears trend", async () => {
    await householdsImported([
      "BS-1;Famiglia Uno;CLMMRA75C12B157K;Brescia;Via Roma 1;;it;1.000,00;100,00;30/09/2026",
      "BS-2;Famiglia Due;KVLKSN88D55Z138P;Brescia;Via Roma 2;;uk;500,00;0,00;30/09/2026",
      "BS-3;Famiglia Tre;HDDYSF79A01Z330M;Brescia;Via Roma 3;;ar;300,00;0,00;30/09/2026",
    ]);
    expect(await factsOf("BS-1")).toMatchObject({ firstArrears: null, latestArrears: null, unpaidDue: [] });
    await expectNoDrift();

    // A month later: BS-1 up 20%, BS-2 down.
    await householdsImported([
      "BS-1;Famiglia Uno;CLMMRA75C12B157K;Brescia;Via Roma 1;;it;1.200,00;120,00;31/10/2026",
      "BS-2;Famiglia Due;KVLKSN88D55Z138P;Brescia;Via Roma 2;;uk;400,00;0,00;31/10/2026",
    ]);
    expect(await factsOf("BS-1")).toMatchObject({ firstArrears: 110000n, latestArrears: 132000n });
    expect(await factsOf("BS-2")).toMatchObject({ firstArrears: 50000n, latestArrears: 40000n });
    expect((await reasonsOf("BS-1")).arrears_up).toBe(20);
    expect(await reasonsOf("BS-2")).not.toHaveProperty("arrears_up");
    await expectNoDrift();
  });

  it("plans and payments imports keep the unpaid installments; days passing make them late", async () => {
    await plansImported([
      "BS-1;PR-1;1;15/10/2026;200,00",
      "BS-1;PR-1;2;15/11/2026;200,00",
      "BS-1;PR-1;3;15/12/2026;200,00",
      "BS-1;PR-1;4;15/01/2027;200,00",
      "BS-3;PR-3;1;20/11/2026;50,00",
      "BS-3;PR-3;2;20/12/2026;50,00",
    ]);
    expect((await factsOf("BS-1")).unpaidDue).toEqual([
      day("2026-10-15"),
      day("2026-11-15"),
      day("2026-12-15"),
      day("2027-01-15"),
    ]);
    expect((await reasonsOf("BS-1")).late_installments).toBe(2);
    await expectNoDrift();

    // The first installment paid in full, the second in part: one late.
    await paymentsImported(["BS-1;14/11/2026;200,00;MAV-1", "BS-1;20/11/2026;150,00;MAV-2"]);
    expect((await factsOf("BS-1")).unpaidDue).toEqual([
      day("2026-11-15"),
      day("2026-12-15"),
      day("2027-01-15"),
    ]);
    expect((await reasonsOf("BS-1")).late_installments).toBe(1);
    await expectNoDrift();

    // A plan import that changes a due date and drops an installment.
    await plansImported([
      "BS-1;PR-1;1;15/10/2026;200,00",
      "BS-1;PR-1;2;15/11/2026;200,00",
      "BS-1;PR-1;3;10/12/2026;200,00",
      "BS-3;PR-3;1;20/11/2026;50,00",
      "BS-3;PR-3;2;20/12/2026;50,00",
    ]);
    expect((await factsOf("BS-1")).unpaidDue).toEqual([day("2026-11-15"), day("2026-12-10")]);
    await expectNoDrift();

    // 25 days on, nothing written: the caseload counts what fell due meanwhile.
    const later = fixedClock(new Date(clock.now().getTime() + 25 * DAY));
    expect((await reasonsOf("BS-1", later)).late_installments).toBe(2);
    expect((await reasonsOf("BS-3", later)).late_installments).toBe(2);
    // The day an installment falls due it is not late yet; the day after it is.
    const dueDay = fixedClock(new Date("2026-12-10T10:00:00Z"));
    expect((await reasonsOf("BS-1", dueDay)).late_installments).toBe(1);
    const dayAfter = fixedClock(new Date("2026-12-11T10:00:00Z"));
    expect((await reasonsOf("BS-1", dayAfter)).late_installments).toBe(2);
    await expectNoDrift();
  });

  it("the escalation breaking a plan makes it a broken plan with its late installments", async () => {
    // BS-3 misses both installments, BS-1 two of its own: a week after, both plans break.
    const at = new Date("2026-12-28T10:00:00Z");
    const result = await markBrokenPlans({
      db: t.db,
      clock: fixedClock(at),
      deliveryQueue: queue,
      operatorsChatId: undefined,
      caseSlaHours: 8,
      quietHours: null,
    });
    expect(result).toEqual({ broken: 2 });
    expect(await factsOf("BS-1")).toMatchObject({ broken: true });
    expect(await factsOf("BS-3")).toMatchObject({ broken: true });
    const reasons = await reasonsOf("BS-3", fixedClock(at));
    expect(reasons).toHaveProperty("broken_plan");
    expect(reasons.late_installments).toBe(2);
    await expectNoDrift();

    // A new active plan: not "broken with no active plan" any more.
    await plansImported(["BS-3;PR-3B;1;20/01/2027;50,00"]);
    expect(await factsOf("BS-3")).toMatchObject({ broken: false });
    await expectNoDrift();
  });

  it("cases, messages, members and deletions, in any mix, leave nothing to correct", async () => {
    const one = await idOf("BS-1");
    const two = await idOf("BS-2");
    const member = await t.db.member.create({
      data: {
        telegramUserId: 501n,
        chatId: 501n,
        householdId: two,
        linkedAt: clock.now(),
        consentAt: clock.now(),
      },
    });
    await expectNoDrift();
    const opened = await postHouseholdMessage(t.db, clock, {
      householdId: two,
      memberId: member.id,
      text: "Ho bisogno di aiuto",
      topic: "debt",
    });
    expect(opened.status).toBe("opened");
    expect((await factsOf("BS-2")).waitingSince).toEqual(clock.now());
    await expectNoDrift();

    await t.db.member.update({ where: { id: member.id }, data: { unreachableAt: clock.now() } });
    expect(await factsOf("BS-2")).toMatchObject({ unreachable: true });
    await t.db.case.updateMany({ where: { householdId: two }, data: { urgent: true } });
    expect(await factsOf("BS-2")).toMatchObject({ urgent: true });
    await expectNoDrift();

    // An operator answers; the case closes; the member unlinks.
    const caseRow = await t.db.case.findFirstOrThrow({ where: { householdId: two } });
    const answeredAt = new Date(clock.now().getTime() + 60_000);
    await t.db.caseMessage.create({
      data: { caseId: caseRow.id, author: "operator", text: "Eccomi", createdAt: answeredAt },
    });
    await t.db.case.update({ where: { id: caseRow.id }, data: { lastOperatorMessageAt: answeredAt } });
    expect(await factsOf("BS-2")).toMatchObject({ waitingSince: null });
    await t.db.case.update({ where: { id: caseRow.id }, data: { status: "closed", closedAt: answeredAt } });
    expect(await factsOf("BS-2")).toMatchObject({ urgent: false });
    await t.db.member.update({ where: { id: member.id }, data: { householdId: null } });
    expect(await factsOf("BS-2")).toMatchObject({ unreachable: false });
    await expectNoDrift();

    // Rows removed: figures, a message, a plan, a whole household.
    await t.db.arrearsBalance.deleteMany({ where: { householdId: one, balanceDate: day("2026-09-30") } });
    expect(await factsOf("BS-1")).toMatchObject({ firstArrears: null, latestArrears: null });
    await t.db.caseMessage.deleteMany({ where: { caseId: caseRow.id } });
    await t.db.repaymentPlan.deleteMany({ where: { householdId: one } });
    expect(await factsOf("BS-1")).toMatchObject({ unpaidDue: [], broken: false });
    await t.db.household.delete({ where: { id: two } });
    expect(await t.db.householdFacts.count({ where: { householdId: two } })).toBe(0);
    await expectNoDrift();
  });

  it("two transactions changing one family at once both count", async () => {
    const three = await idOf("BS-3");
    const plan = await t.db.repaymentPlan.findFirstOrThrow({
      where: { householdId: three, status: "active" },
    });
    const add = (n: number, due: string) =>
      t.db.$transaction(async (tx) => {
        await tx.installment.create({
          data: { planId: plan.id, number: n, dueDate: day(due), amountCents: 100 },
        });
        // Held open a moment, so the other one runs its trigger meanwhile.
        await tx.$executeRawUnsafe("SELECT pg_sleep(0.3)");
      });
    await Promise.all([add(10, "2027-02-20"), add(11, "2027-03-20")]);
    expect((await factsOf("BS-3")).unpaidDue).toEqual([
      day("2026-11-20"),
      day("2026-12-20"),
      day("2027-01-20"),
      day("2027-02-20"),
      day("2027-03-20"),
    ]);
    await expectNoDrift();
  });

  it("follows the household's office and case worker, also when the operator's account goes", async () => {
    const one = await idOf("BS-1");
    const office = await t.db.office.create({ data: { code: "BS", name: "Brescia" } });
    const worker = await t.db.staff.create({
      data: { email: "op@example.org", role: "operator", passwordHash: "x", officeId: office.id },
    });
    await t.db.household.update({
      where: { id: one },
      data: { officeId: office.id, caseWorkerId: worker.id },
    });
    expect(await factsOf("BS-1")).toMatchObject({ officeId: office.id, caseWorkerId: worker.id });
    const scope: StaffScope = { staffId: worker.id, role: "operator", officeId: office.id };
    const mine = await rankedCaseload(t.db, clock, scope, { ...NO_FILTERS, worker: worker.id }, 1);
    expect(mine.rows.map((r) => r.householdId)).toEqual([one]);
    await t.db.staff.delete({ where: { id: worker.id } });
    expect(await factsOf("BS-1")).toMatchObject({ officeId: office.id, caseWorkerId: null });
    await t.db.office.delete({ where: { id: office.id } });
    expect(await factsOf("BS-1")).toMatchObject({ officeId: null });
    await expectNoDrift();
  });

  it("the daily check repairs a row written around the triggers, and says so", async () => {
    const one = await idOf("BS-1");
    await t.db.$executeRawUnsafe(`UPDATE "HouseholdFacts" SET "urgent" = true WHERE "householdId" = ${one}`);
    expect(await householdFactsDrift(t.db)).toEqual([one]);
    expect(await checkHouseholdFacts(t.db)).toEqual({ drifted: 1 });
    expect(await checkHouseholdFacts(t.db)).toEqual({ drifted: 0 });
    await expectNoDrift();
  });

  it("indexes the score's bounds with the weights of core/priority/rules.ts", async () => {
    // A change of weights needs a migration rebuilding these two indexes (the page stays right
    // without it, only slower): the migration that made them, or a later one, has the same text.
    const migrations = join(import.meta.dirname, "..", "prisma", "migrations");
    const sql = readFileSync(join(migrations, "20261207161000_household_facts", "migration.sql"), "utf8");
    expect(sql).toContain(`"HouseholdFacts_floor_idx" ON "HouseholdFacts" ((${BOUND_INDEXES.floor}));`);
    expect(sql).toContain(`"HouseholdFacts_ceiling_idx" ON "HouseholdFacts" ((${BOUND_INDEXES.ceiling}));`);
    // And the query is right with or without them: the page ranks the same with the indexes dropped.
    const withIndexes = await rankedCaseload(t.db, clock, admin, NO_FILTERS, 1);
    await t.db.$executeRawUnsafe(
      `DROP INDEX "HouseholdFacts_floor_idx"; DROP INDEX "HouseholdFacts_ceiling_idx"`,
    );
    expect(await rankedCaseload(t.db, clock, admin, NO_FILTERS, 1)).toEqual(withIndexes);
  });
});

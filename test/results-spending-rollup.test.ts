// "ResultsBudget", the per household and month spending totals that triggers on BudgetEntry keep
// (migration 20261208001000_results_budget), against a from-scratch aggregation of the entries after
// inserts, edits (amount, category, kind, a move to another month), deletions, a member's erasure,
// concurrent writers on the same month, and a household deleted. And the triggers' list of fixed
// expenses against FIXED_EXPENSES, the list /summary uses.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXED_EXPENSES } from "../core/budget/categories.ts";
import { sqlOf } from "../core/db/sql.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";

let t: TestDatabase;
const d = (iso: string) => new Date(`${iso}T00:00:00Z`);

type Rollup = {
  householdId: number;
  month: string;
  entries: number;
  expenses: number;
  expenseCents: string;
  flexibleCents: string;
};

/** The rows as kept, and as computed from the entries, in one order. */
async function bothWays(): Promise<{ kept: Rollup[]; fresh: Rollup[] }> {
  const sql = sqlOf(t.db);
  const kept = await sql.text<Rollup>(
    `SELECT "householdId", to_char("month", 'YYYY-MM-DD') AS "month", "entries", "expenses",
       "expenseCents"::text AS "expenseCents", "flexibleCents"::text AS "flexibleCents"
     FROM "ResultsBudget" ORDER BY 1, 2`,
    [],
  );
  const fresh = await sql.text<Rollup>(
    `SELECT x."householdId", to_char(date_trunc('month', x."occurredOn"), 'YYYY-MM-DD') AS "month",
       count(*)::int AS "entries", count(*) FILTER (WHERE x."kind" = 'expense')::int AS "expenses",
       COALESCE(sum(x."amountCents") FILTER (WHERE x."kind" = 'expense'), 0)::text AS "expenseCents",
       COALESCE(sum(x."amountCents") FILTER (WHERE x."kind" = 'expense' AND NOT (x."category" = ANY($1::text[]))), 0)::text
         AS "flexibleCents"
     FROM "BudgetEntry" x GROUP BY 1, 2 ORDER BY 1, 2`,
    [[...FIXED_EXPENSES]],
  );
  return { kept, fresh };
}

async function expectInStep(label: string): Promise<Rollup[]> {
  const { kept, fresh } = await bothWays();
  expect(kept, label).toEqual(fresh);
  return kept;
}

let seq = 0;
async function household(): Promise<{ householdId: number; memberId: number }> {
  seq += 1;
  const n = seq; // households are made in parallel below: each keeps its own number
  const h = await t.db.household.create({
    data: {
      contractCode: `B-${n}`,
      name: `Famiglia ${n}`,
      fiscalCode: "RSSMRA80A01B157Y",
      municipality: "Brescia",
      address: "Via Prova 1",
    },
  });
  const m = await t.db.member.create({
    data: { telegramUserId: 9_100_000n + BigInt(n), chatId: 1n, householdId: h.id, linkedAt: new Date() },
  });
  return { householdId: h.id, memberId: m.id };
}

describe("spending totals kept per household and month", () => {
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("the triggers' fixed expenses are FIXED_EXPENSES", async () => {
    const rows = await sqlOf(t.db).text<{ args: string }>(
      `SELECT encode(tgargs, 'escape') AS "args" FROM pg_trigger
        WHERE tgrelid = '"BudgetEntry"'::regclass AND tgname LIKE 'results_budget_%'`,
      [],
    );
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      // tgargs holds each argument followed by a NUL byte, escaped as \000.
      const list = row.args
        .replace(/\\000$/, "")
        .replace(/^\{|\}$/g, "")
        .split(",");
      expect(list, "a new list needs a migration that recreates the triggers and the rows").toEqual([
        ...FIXED_EXPENSES,
      ]);
    }
  });

  it("stay equal to the entries after every kind of write", async () => {
    const a = await household();
    const b = await household();
    const entry = (
      who: { householdId: number; memberId: number },
      occurredOn: string,
      kind: "expense" | "income",
      category: string,
      amountCents: number,
    ) => ({ ...who, occurredOn: d(occurredOn), kind, category, amountCents });
    await t.db.budgetEntry.createMany({
      data: [
        entry(a, "2026-03-02", "expense", "food", 4_250),
        entry(a, "2026-03-31", "expense", "rent", 30_000),
        entry(a, "2026-03-15", "income", "work", 90_000),
        entry(a, "2026-04-01", "expense", "leisure", 1_999),
        entry(b, "2026-03-10", "expense", "utilities", 7_000),
        entry(b, "2026-03-11", "expense", "other", 500),
      ],
    });
    const first = await expectInStep("inserted together");
    // Worked out by hand: A in March spent 4,250 + 30,000, of which 4,250 flexible (rent is fixed).
    expect(first.find((r) => r.householdId === a.householdId && r.month === "2026-03-01")).toEqual({
      householdId: a.householdId,
      month: "2026-03-01",
      entries: 3,
      expenses: 2,
      expenseCents: "34250",
      flexibleCents: "4250",
    });
    await t.db.budgetEntry.create({ data: entry(b, "2026-05-20", "expense", "food", 1_000) });
    await expectInStep("one more");
    await t.db.budgetEntry.updateMany({
      where: { householdId: a.householdId, category: "food" },
      data: { amountCents: 5_000, category: "health" },
    });
    await expectInStep("amount and category changed");
    await t.db.budgetEntry.updateMany({
      where: { householdId: a.householdId, category: "leisure" },
      data: { occurredOn: d("2026-03-20"), kind: "income", category: "work" },
    });
    await expectInStep("moved to another month, became income");
    await t.db.budgetEntry.deleteMany({ where: { householdId: b.householdId, occurredOn: d("2026-05-20") } });
    const afterDelete = await expectInStep("the month's only entry deleted");
    expect(afterDelete.some((r) => r.householdId === b.householdId && r.month === "2026-05-01")).toBe(false);
    // A member's erasure takes their entries (cascade), and the totals with them.
    await t.db.member.delete({ where: { id: b.memberId } });
    await expectInStep("member erased");
    await t.db.household.delete({ where: { id: a.householdId } });
    const none = await expectInStep("household deleted");
    expect(none).toEqual([]);
  });

  it("stay equal with many writers on the same month at once", async () => {
    const c = await household();
    const others = await Promise.all([household(), household()]);
    const writers = Array.from({ length: 24 }, (_, i) =>
      t.db.budgetEntry.create({
        data: {
          ...(i % 3 === 0 ? c : (others[i % 2] as { householdId: number; memberId: number })),
          occurredOn: d(`2026-06-${String(1 + (i % 28)).padStart(2, "0")}`),
          kind: "expense",
          category: i % 2 === 0 ? "food" : "rent",
          amountCents: 100 + i,
        },
      }),
    );
    await Promise.all(writers);
    await Promise.all([
      t.db.budgetEntry.deleteMany({ where: { householdId: c.householdId, category: "food" } }),
      t.db.budgetEntry.create({
        data: { ...c, occurredOn: d("2026-06-30"), kind: "expense", category: "food", amountCents: 77 },
      }),
    ]);
    await expectInStep("concurrent writers");
  });
});

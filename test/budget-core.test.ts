// The budget's domain logic, directly: amounts, quick entries, entries and their undo/correct rules,
// month totals on Europe/Rome months, bars, tips and the summary's text.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderSummary } from "../bot/features/summary.ts";
import { SEED_TIPS } from "../core/budget/tips.ts";
import {
  addEntry,
  budgetSummary,
  categoriesOf,
  chooseTip,
  correctLastEntry,
  ensureBudgetTips,
  FIXED_EXPENSES,
  FLEXIBLE_EXPENSES,
  INCOME_CATEGORIES,
  looksLikeBareAmount,
  MAX_ENTRY_CENTS,
  type MonthTotals,
  monthBounds,
  monthTotals,
  parseEntryAmount,
  parseMonthKey,
  parseQuickEntry,
  quickWords,
  shiftMonth,
  splitAmountAndNote,
  textBar,
  tipCategories,
  tipText,
  undoLastEntry,
} from "../core/budget.ts";
import { fixedClock } from "../core/clock.ts";
import { createDb } from "../core/db/client.ts";
import { SUPPORTED_LANGUAGES, translator } from "../core/i18n.ts";
import { TELEGRAM_TEXT_LIMIT } from "../core/telegram-html.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";

const WORDS = quickWords(
  SUPPORTED_LANGUAGES.map((language) => {
    const t = translator(language, "budget");
    return { expense: t("words.expense"), income: t("words.income") };
  }),
);

describe("amounts people type", () => {
  it.each([
    ["12,50", 1250],
    ["12.50", 1250],
    ["1.000", 100_000],
    ["1.000,50", 100_050],
    ["€ 12", 1200],
    ["12€", 1200],
    ["12 euro", 1200],
    ["0,01", 1],
    ["50.000", MAX_ENTRY_CENTS],
  ])("understands %s", (text, cents) => {
    expect(parseEntryAmount(text)).toEqual({ ok: true, cents });
  });

  it.each([
    ["-5", "negative"],
    ["0", "zero"],
    ["0,00", "zero"],
    ["abc", "format"],
    ["1e9", "format"],
    ["12,505", "format"],
    ["", "format"],
    ["50.000,01", "too_large"],
    ["1.000.000", "too_large"],
    ["99999999999999999", "too_large"],
  ])("refuses %s (%s)", (text, reason) => {
    expect(parseEntryAmount(text)).toEqual({ ok: false, reason });
  });

  it("asks which amount was meant when digits are split by a space, offering only amounts an entry can be", () => {
    expect(parseEntryAmount("12 50")).toEqual({ ok: false, reason: "spaced", readings: [1250, 125_000] });
    expect(parseEntryAmount("1 234,56")).toEqual({ ok: false, reason: "spaced", readings: [123_456] });
    expect(parseEntryAmount("600 00")).toEqual({ ok: false, reason: "spaced", readings: [60_000] }); // not 60.000,00 €
    expect(parseEntryAmount("0 00")).toEqual({ ok: false, reason: "spaced", readings: [] });
  });

  it("caps one entry at 50.000,00 €", () => {
    expect(MAX_ENTRY_CENTS).toBe(5_000_000);
  });
});

describe("quick entries", () => {
  it("knows the words of every language, and drops a word two languages read differently", () => {
    expect(WORDS.get("spesa")).toBe("expense");
    expect(WORDS.get("expense")).toBe("expense");
    expect(WORDS.get("entrata")).toBe("income");
    expect(WORDS.get("income")).toBe("income");
    const mixed = quickWords([
      { expense: "a, B ,", income: "c" },
      { expense: "d", income: "b, e" },
    ]);
    expect([...mixed.entries()].sort()).toEqual([
      ["a", "expense"],
      ["c", "income"],
      ["d", "expense"],
      ["e", "income"],
    ]);
  });

  it.each([
    ["12,50 spesa", { kind: "expense", amountText: "12,50", note: null }],
    ["spesa 12,50", { kind: "expense", amountText: "12,50", note: null }],
    ["Spesa: 5", { kind: "expense", amountText: "5", note: null }],
    ["12.50 expense bread and milk", { kind: "expense", amountText: "12.50", note: "bread and milk" }],
    ["income 800", { kind: "income", amountText: "800", note: null }],
    ["entrata 1.000,50 stipendio", { kind: "income", amountText: "1.000,50", note: "stipendio" }],
    ["€ 12 spesa", { kind: "expense", amountText: "€ 12", note: null }],
    ["12 € spesa", { kind: "expense", amountText: "12 €", note: null }],
    ["12€ SPESA pane", { kind: "expense", amountText: "12€", note: "pane" }],
    ["spesa 12 euro pane", { kind: "expense", amountText: "12 euro", note: "pane" }],
    ["-5 spesa", { kind: "expense", amountText: "-5", note: null }],
    ["1e9 spesa", { kind: "expense", amountText: "1e9", note: null }],
    ["spesa", { kind: "expense", amountText: null, note: null }],
    // Digits split by a space stay together, so the amount is asked about, not logged as 12 € "50".
    ["spesa 12 50", { kind: "expense", amountText: "12 50", note: null }],
    ["12 50 spesa pane", { kind: "expense", amountText: "12 50", note: "pane" }],
    ["spesa 1 234,56 affitto", { kind: "expense", amountText: "1 234,56", note: "affitto" }],
    ["spesa 12 50 € pane", { kind: "expense", amountText: "12 50 €", note: "pane" }],
    ["spesa 12 pane 50", { kind: "expense", amountText: "12", note: "pane 50" }],
  ])("reads %j", (text, expected) => {
    expect(parseQuickEntry(text, WORDS)).toEqual(expected);
  });

  it.each(["ciao 12", "12 ciao", "spesa pane", "le spese sono troppe", "12,50", "", "ABCD-2345"])(
    "leaves %j alone",
    (text) => {
      expect(parseQuickEntry(text, WORDS)).toBeNull();
    },
  );

  it("splits an amount and a note, as after /expense", () => {
    expect(splitAmountAndNote("7,20 pane e latte")).toEqual({ amountText: "7,20", note: "pane e latte" });
    expect(splitAmountAndNote("€ 7")).toEqual({ amountText: "€ 7", note: null });
    expect(splitAmountAndNote("pane 7")).toBeNull();
    expect(splitAmountAndNote("12 50 pane")).toEqual({ amountText: "12 50", note: "pane" });
  });

  it("tells a bare amount from other text", () => {
    for (const text of [
      "12,50",
      "€ 12",
      "12 €",
      "12€",
      "12 euro",
      "-5",
      "1e9",
      "0",
      "1.000,50",
      "12 50",
      "1 234,56 €",
    ])
      expect(looksLikeBareAmount(text), text).toBe(true);
    for (const text of ["abc", "12 mele", "ABCD-2345", "7K3M9PQ2", "ciao", "- 5", "12,50 spesa"])
      expect(looksLikeBareAmount(text), text).toBe(false);
  });
});

describe("bars and months", () => {
  it("draws at most ten blocks, and shows anything above zero", () => {
    expect(textBar(0, 100)).toBe("░░░░░░░░░░");
    expect(textBar(100, 100)).toBe("▓▓▓▓▓▓▓▓▓▓");
    expect(textBar(55, 100)).toBe("▓▓▓▓▓▓░░░░");
    expect(textBar(1, 100_000)).toBe("▓░░░░░░░░░");
    expect(textBar(5, 0)).toBe("▓░░░░░░░░░");
    expect(textBar(0, 0)).toBe("░░░░░░░░░░");
    expect(textBar(200, 100)).toBe("▓▓▓▓▓▓▓▓▓▓");
  });

  it("moves across years and reads month keys", () => {
    expect(shiftMonth({ year: 2026, month: 1 }, -1)).toEqual({ year: 2025, month: 12 });
    expect(shiftMonth({ year: 2026, month: 12 }, 1)).toEqual({ year: 2027, month: 1 });
    expect(shiftMonth({ year: 2026, month: 10 }, -24)).toEqual({ year: 2024, month: 10 });
    expect(parseMonthKey("2026-09")).toEqual({ year: 2026, month: 9 });
    expect(parseMonthKey("2026-13")).toBeNull();
    expect(parseMonthKey("26-09")).toBeNull();
    expect(monthBounds({ year: 2026, month: 12 })).toEqual({
      from: new Date("2026-12-01T00:00:00Z"),
      to: new Date("2027-01-01T00:00:00Z"),
    });
  });
});

describe("categories and the starting tips", () => {
  it("has the Standard Financial Statement's groups, adapted to Italy", () => {
    expect(FIXED_EXPENSES).toHaveLength(9);
    expect(FLEXIBLE_EXPENSES).toHaveLength(4);
    expect(new Set(categoriesOf("expense"))).toEqual(new Set([...FIXED_EXPENSES, ...FLEXIBLE_EXPENSES]));
    expect(categoriesOf("income")).toEqual(INCOME_CATEGORIES);
    expect(categoriesOf("expense").at(-1)).toBe("other");
  });

  it("ships at least two tips per expense category, in Italian and English, with unique keys", () => {
    const keys = SEED_TIPS.map((tip) => tip.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const category of [...categoriesOf("expense"), "income", "any"]) {
      expect(SEED_TIPS.filter((tip) => tip.category === category).length, category).toBeGreaterThanOrEqual(2);
    }
    for (const tip of SEED_TIPS) {
      expect(tip.texts.it.length, tip.key).toBeGreaterThan(40);
      expect(tip.texts.en.length, tip.key).toBeGreaterThan(40);
      expect(tip.texts.it.length, tip.key).toBeLessThanOrEqual(400);
      expect(tip.texts.it).not.toMatch(/[<>]/);
      expect(tip.texts.en).not.toMatch(/[<>]/);
    }
  });

  it("reads a tip in the person's language, else Italian", () => {
    expect(tipText({ it: "ciao", en: "hello" }, "en")).toBe("hello");
    expect(tipText({ it: "ciao" }, "uk")).toBe("ciao");
    expect(tipText({ it: "ciao", en: "  " }, "en")).toBe("ciao");
    expect(tipText({ en: "hello" }, "it")).toBeNull();
    expect(tipText(null, "it")).toBeNull();
    expect(tipText("text", "it")).toBeNull();
  });

  it("looks for tips in the biggest categories, then income when short, then general ones", () => {
    const totals = (expenses: [string, number][], income: number): MonthTotals => ({
      month: { year: 2026, month: 10 },
      expenses: expenses.map(([category, cents]) => ({ category, cents })),
      income: [],
      totalExpenses: expenses.reduce((sum, [, cents]) => sum + cents, 0),
      totalIncome: income,
      fixedExpenses: 0,
      flexibleExpenses: 0,
      entries: expenses.length,
    });
    const four: [string, number][] = [
      ["rent", 400],
      ["food", 300],
      ["leisure", 200],
      ["other", 100],
    ];
    expect(tipCategories(totals(four, 2000))).toEqual(["rent", "food", "leisure", "any"]);
    expect(tipCategories(totals(four, 500))).toEqual(["rent", "food", "leisure", "income", "any"]);
    expect(tipCategories(totals([], 0))).toEqual(["any"]);
  });
});

describe("entries, undo and corrections (PostgreSQL)", () => {
  let t: TestDatabase;
  let householdId: number;
  let otherHouseholdId: number;
  let anna: number;
  let bruno: number;
  const clock = fixedClock(new Date("2026-10-15T10:00:00Z"));

  beforeAll(async () => {
    t = await createTestDatabase();
    const household = (code: string) =>
      t.db.household.create({
        data: { contractCode: code, name: code, fiscalCode: "X", municipality: "Brescia", address: "Via 1" },
      });
    householdId = (await household("BC-1")).id;
    otherHouseholdId = (await household("BC-2")).id;
    anna = (await t.db.member.create({ data: { telegramUserId: 1n, chatId: 1n, householdId } })).id;
    bruno = (await t.db.member.create({ data: { telegramUserId: 2n, chatId: 2n, householdId } })).id;
  });
  afterAll(() => t?.drop());

  const entry = (memberId: number, data: Partial<Parameters<typeof addEntry>[2]> = {}) =>
    addEntry(t.db, clock, {
      householdId,
      memberId,
      kind: "expense",
      category: "food",
      amountCents: 1250,
      note: null,
      sourceUpdateId: null,
      ...data,
    });

  it("logs an update's entry once, per member", async () => {
    const first = await entry(anna, { sourceUpdateId: 5001 });
    const again = await entry(anna, { sourceUpdateId: 5001, amountCents: 9999 });
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.entry.id).toBe(first.entry.id);
    expect(again.entry.amountCents).toBe(1250);
    expect(await t.db.budgetEntry.count({ where: { sourceUpdateId: 5001n } })).toBe(1);
    // Another member's update with the same number is another entry (ids are per bot, this is belt and braces).
    expect((await entry(bruno, { sourceUpdateId: 5001 })).created).toBe(true);
    expect(first.entry.occurredOn).toEqual(new Date("2026-10-15T00:00:00Z"));
  });

  it("refuses what the bot never sends", async () => {
    await expect(entry(anna, { category: "work" })).rejects.toThrow(/category/);
    await expect(entry(anna, { kind: "income", category: "food" })).rejects.toThrow(/category/);
    await expect(entry(anna, { amountCents: 0 })).rejects.toThrow(/amount/);
    await expect(entry(anna, { amountCents: MAX_ENTRY_CENTS + 1 })).rejects.toThrow(/amount/);
    await expect(entry(anna, { note: "x".repeat(201) })).rejects.toThrow(/note/);
  });

  it("undoes and corrects only the member's own last entry", async () => {
    const older = (await entry(anna, { sourceUpdateId: 6001 })).entry;
    const last = (await entry(anna, { sourceUpdateId: 6002, amountCents: 300 })).entry;
    // Bruno logging later does not change which entry is Anna's last.
    const brunos = (await entry(bruno, { sourceUpdateId: 6003 })).entry;

    expect(await undoLastEntry(t.db, anna, older.id)).toEqual({ status: "not_last" });
    expect(await correctLastEntry(t.db, anna, older.id, { amountCents: 1 })).toEqual({ status: "not_last" });
    expect(await undoLastEntry(t.db, anna, brunos.id)).toEqual({ status: "gone" });
    expect(await t.db.budgetEntry.count({ where: { id: { in: [older.id, brunos.id] } } })).toBe(2);

    const corrected = await correctLastEntry(t.db, anna, last.id, {
      amountCents: 450,
      category: "health",
      note: "farmacia",
    });
    expect(corrected.status).toBe("ok");
    const row = await t.db.budgetEntry.findUniqueOrThrow({ where: { id: last.id } });
    expect([row.amountCents, row.category, row.note]).toEqual([450, "health", "farmacia"]);
    await correctLastEntry(t.db, anna, last.id, { note: null });
    expect((await t.db.budgetEntry.findUniqueOrThrow({ where: { id: last.id } })).note).toBeNull();
    await expect(correctLastEntry(t.db, anna, last.id, { category: "pension" })).rejects.toThrow();

    expect((await undoLastEntry(t.db, anna, last.id)).status).toBe("ok");
    expect(await undoLastEntry(t.db, anna, last.id)).toEqual({ status: "gone" });
    // With the last one gone, the one before is the last again.
    expect((await undoLastEntry(t.db, anna, older.id)).status).toBe("ok");
  });

  it("sums a household's month by category, on Europe/Rome months", async () => {
    await t.db.budgetEntry.deleteMany({});
    const at = (iso: string) => clock.set(new Date(iso));
    at("2026-10-01T00:30:00Z"); // 02:30 in Rome, 1 October
    await entry(anna, { category: "rent", amountCents: 40_000 });
    at("2026-10-31T22:30:00Z"); // 23:30 in Rome, still October (CET after the change)
    await entry(bruno, { category: "food", amountCents: 10_000 });
    await entry(anna, { kind: "income", category: "work", amountCents: 80_000 });
    at("2026-10-31T23:30:00Z"); // 00:30 in Rome, 1 November
    await entry(anna, { category: "food", amountCents: 777 });
    at("2026-09-30T21:59:00Z"); // 23:59 in Rome, 30 September (CEST)
    await entry(anna, { category: "food", amountCents: 5_000 });
    await addEntry(t.db, clock, {
      householdId: otherHouseholdId,
      memberId: anna,
      kind: "expense",
      category: "food",
      amountCents: 123,
      note: null,
      sourceUpdateId: null,
    });

    const october = await monthTotals(t.db, householdId, { year: 2026, month: 10 });
    expect(october.expenses).toEqual([
      { category: "rent", cents: 40_000 },
      { category: "food", cents: 10_000 },
    ]);
    expect(october.income).toEqual([{ category: "work", cents: 80_000 }]);
    expect([october.totalExpenses, october.totalIncome, october.entries]).toEqual([50_000, 80_000, 3]);
    expect([october.fixedExpenses, october.flexibleExpenses]).toEqual([40_000, 10_000]);
    expect((await monthTotals(t.db, householdId, { year: 2026, month: 11 })).totalExpenses).toBe(777);
    expect((await monthTotals(t.db, householdId, { year: 2026, month: 9 })).totalExpenses).toBe(5_000);

    at("2026-10-20T10:00:00Z");
    const summary = await budgetSummary(t.db, clock, householdId, { year: 2026, month: 10 }, "it");
    expect(summary.inProgress).toBe(true);
    expect(summary.previous.totalExpenses).toBe(5_000);
    expect(summary.tip?.category).toBe("rent");
    const past = await budgetSummary(t.db, clock, householdId, { year: 2026, month: 9 }, "en");
    expect(past.inProgress).toBe(false);
    expect(past.tip?.category).toBe("food");
    expect(SEED_TIPS.find((tip) => tip.key === past.tip?.key)?.texts.en).toBe(past.tip?.text);
  });
});

describe("tips in the database", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t?.drop());

  it("seeds the missing tips only, keeping texts edited or switched off later", async () => {
    await ensureBudgetTips(t.db);
    expect(await t.db.budgetTip.count()).toBe(SEED_TIPS.length);
    await t.db.budgetTip.update({ where: { key: "rent_pay_first" }, data: { texts: { it: "Modificato" } } });
    await t.db.budgetTip.update({ where: { key: "any_isee" }, data: { active: false } });
    await t.db.budgetTip.delete({ where: { key: "food_batch_cooking" } });
    // Another process (another client) seeds again on its first use.
    const other = createDb(t.url, { poolSize: 1 });
    try {
      await ensureBudgetTips(other);
      await ensureBudgetTips(other);
    } finally {
      await other.$disconnect();
    }
    expect(await t.db.budgetTip.count()).toBe(SEED_TIPS.length);
    const edited = await t.db.budgetTip.findUniqueOrThrow({ where: { key: "rent_pay_first" } });
    expect(edited.texts).toEqual({ it: "Modificato" });
    expect((await t.db.budgetTip.findUniqueOrThrow({ where: { key: "any_isee" } })).active).toBe(false);
  });

  it("takes turns day by day, skips inactive tips, falls back to Italian and to general tips", async () => {
    const rent = SEED_TIPS.filter((tip) => tip.category === "rent").map((tip) => tip.key);
    const seen = new Set<string>();
    for (let day = 0; day < rent.length; day++)
      seen.add((await chooseTip(t.db, ["rent"], "it", day))?.key ?? "");
    expect(seen).toEqual(new Set(rent));
    // Edited to Italian only: English readers get the Italian text.
    const edited = await chooseTip(t.db, ["rent"], "en", rent.sort().indexOf("rent_pay_first"));
    expect(edited).toEqual({ key: "rent_pay_first", category: "rent", text: "Modificato" });
    // No tips for a category: the next one; "any_isee" is switched off.
    for (let day = 0; day < 5; day++) {
      const tip = await chooseTip(t.db, ["no_such_category", "any"], "en", day);
      expect(tip?.category).toBe("any");
      expect(tip?.key).not.toBe("any_isee");
    }
    expect(await chooseTip(t.db, ["no_such_category"], "it", 0)).toBeNull();
  });
});

describe("the summary's text", () => {
  it("fits Telegram's limit with every category and a long tip, with bars of ten blocks", () => {
    const big = (categories: readonly string[]) =>
      categories.map((category, i) => ({ category, cents: MAX_ENTRY_CENTS * 30 - i * 100_000 }));
    const expenses = big(categoriesOf("expense"));
    const income = big(categoriesOf("income"));
    const sum = (list: { cents: number }[]) => list.reduce((s, c) => s + c.cents, 0);
    const current: MonthTotals = {
      month: { year: 2026, month: 10 },
      expenses,
      income,
      totalExpenses: sum(expenses),
      totalIncome: sum(income),
      fixedExpenses: 1,
      flexibleExpenses: 2,
      entries: 999,
    };
    for (const language of SUPPORTED_LANGUAGES) {
      const text = renderSummary(translator(language), language, {
        current,
        previous: { ...current, month: { year: 2026, month: 9 }, totalExpenses: 5 },
        inProgress: true,
        tip: { key: "k", category: "any", text: "<b>tip</b> ".repeat(200) },
      });
      expect(text.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
      expect(text).toContain("&lt;b&gt;tip&lt;/b&gt;");
      const bars = text.split("\n").filter((line) => /^[▓░]+$/.test(line));
      expect(bars.length).toBe(2 + expenses.length);
      for (const bar of bars) expect(bar).toHaveLength(10);
    }
  });

  it("renders a month in Italian and in English", () => {
    const current: MonthTotals = {
      month: { year: 2026, month: 10 },
      expenses: [
        { category: "rent", cents: 45_000 },
        { category: "food", cents: 18_000 },
      ],
      income: [{ category: "child_allowance", cents: 50_000 }],
      totalExpenses: 63_000,
      totalIncome: 50_000,
      fixedExpenses: 45_000,
      flexibleExpenses: 18_000,
      entries: 3,
    };
    const previous: MonthTotals = {
      ...current,
      month: { year: 2026, month: 9 },
      totalExpenses: 60_000,
      totalIncome: 50_000,
    };
    const it_ = renderSummary(translator("it"), "it", { current, previous, inProgress: false, tip: null });
    expect(it_).toContain("ottobre 2026");
    expect(it_).toContain("🏠 Affitto · 450,00\u00a0€ · 71%");
    expect(it_).toContain("▓▓▓▓▓▓▓░░░");
    expect(it_).toContain("superano le entrate di 130,00\u00a0€");
    expect(it_).toContain("Rispetto a settembre 2026");
    expect(it_).toContain("Spese: 30,00\u00a0€ in più.");
    expect(it_).toContain("Entrate: come il mese prima.");
    expect(it_).toContain("👶 Assegno unico · 500,00\u00a0€");
    expect(it_).not.toContain("non è ancora finito");
    const en = renderSummary(translator("en"), "en", { current, previous, inProgress: true, tip: null });
    expect(en).toContain("October 2026");
    expect(en).toContain("🛒 Food and household · 180,00\u00a0€ · 29%");
    expect(en).toContain("Expenses: 30,00\u00a0€ more.");
    expect(en).toContain("not over yet");
  });
});

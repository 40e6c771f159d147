// The family budget: entries (expenses and income) per household, who logged them, month totals by
// category, and a practical tip matched to where the money goes. Money is integer cents; months are
// Europe/Rome calendar months.
import { type BudgetKindName, isCategory, isFixedExpense } from "./budget/categories.ts";
import { SEED_TIPS } from "./budget/tips.ts";
import type { Clock } from "./clock.ts";
import type { BudgetEntry, Db } from "./db/client.ts";
import { sqlOf } from "./db/sql.ts";
import { parseAmount } from "./money.ts";
import { calendarDate, romeToday } from "./time.ts";

export {
  BUDGET_KINDS,
  type BudgetKindName,
  categoriesOf,
  EXPENSE_BUTTON_ORDER,
  FIXED_EXPENSES,
  FLEXIBLE_EXPENSES,
  INCOME_CATEGORIES,
  isCategory,
  isFixedExpense,
  isKind,
} from "./budget/categories.ts";

/** One entry may be at most 50.000,00 €: far above any household's monthly figures, so a typo is caught. */
export const MAX_ENTRY_CENTS = 5_000_000;
export const MAX_NOTE_LENGTH = 200;

// ─── Amounts and quick entries ──────────────────────────────────────────────

export type EntryAmount =
  | { ok: true; cents: number }
  | { ok: false; reason: "format" | "negative" | "zero" | "too_large" }
  | { ok: false; reason: "spaced"; readings: number[] };

/**
 * An amount as people type it ("12,50", "1.000", "€ 12", "12€"), within 0,01 € … 50.000,00 €. Digits
 * split by a space ("12 50") are refused with the readings that fit an entry, so the bot can ask.
 */
export function parseEntryAmount(input: string): EntryAmount {
  const parsed = parseAmount(input);
  if (!parsed.ok && parsed.reason === "spaced") {
    return { ...parsed, readings: parsed.readings.filter((cents) => cents > 0 && cents <= MAX_ENTRY_CENTS) };
  }
  if (!parsed.ok) return parsed;
  if (parsed.cents === 0) return { ok: false, reason: "zero" };
  if (parsed.cents > MAX_ENTRY_CENTS) return { ok: false, reason: "too_large" };
  return parsed;
}

/** Trigger word (lower case) → the kind of entry it starts, in every language we speak. */
export type QuickWords = ReadonlyMap<string, BudgetKindName>;

/**
 * Builds the trigger words from comma-separated lists (one pair per language, from the locales). A word
 * that means an expense in one language and income in another is left out: it would be a guess.
 */
export function quickWords(lists: readonly { expense: string; income: string }[]): QuickWords {
  const words = new Map<string, BudgetKindName>();
  const conflicting = new Set<string>();
  for (const list of lists) {
    for (const kind of ["expense", "income"] as const) {
      for (const raw of list[kind].split(",")) {
        const word = raw.trim().toLocaleLowerCase();
        if (!word) continue;
        const known = words.get(word);
        if (known && known !== kind) conflicting.add(word);
        else words.set(word, kind);
      }
    }
  }
  for (const word of conflicting) words.delete(word);
  return words;
}

export type QuickEntry = {
  kind: BudgetKindName;
  /** The amount as typed ("12,50", "€ 12"), or null when only the word was sent ("spesa"). */
  amountText: string | null;
  note: string | null;
};

const CURRENCY_WORDS = new Set(["€", "euro", "eur"]);

/** A group of digits that may continue an amount typed with a space ("12 50", "1 234,56"). */
const DIGIT_GROUP = /^\d{1,3}(?:[.,]\d{1,2})?$/;

function takeAmount(tokens: readonly string[]): { text: string; used: number } | null {
  const [first, second] = tokens;
  if (first === undefined) return null;
  let text: string;
  let used: number;
  if (first === "€" && second !== undefined && /\d/.test(second)) {
    text = `€ ${second}`;
    used = 2;
  } else if (/\d/.test(first)) {
    text = first;
    used = 1;
  } else {
    return null;
  }
  // "spesa 12 50" is taken whole, so parseAmount asks what it means instead of logging 12 € with note "50".
  while (/^[\d.,]+$/.test(tokens[used - 1] ?? "") && DIGIT_GROUP.test(tokens[used] ?? "")) {
    text = `${text} ${tokens[used]}`;
    used += 1;
  }
  const next = tokens[used];
  if (next !== undefined && CURRENCY_WORDS.has(next.toLocaleLowerCase())) {
    text = `${text} ${next}`;
    used += 1;
  }
  return { text, used };
}

function wordKind(token: string | undefined, words: QuickWords): BudgetKindName | undefined {
  if (token === undefined) return undefined;
  return words.get(token.toLocaleLowerCase().replace(/[:.,;!]+$/, ""));
}

/**
 * A quick entry: "12,50 spesa", "spesa 12,50", "12.50 expense bread", "income 800", "€ 12 spesa", or
 * just "spesa". Anything after the amount and the word is the note. Null when the text is not one.
 * The amount is returned as typed: the caller checks it with parseEntryAmount (and says why not).
 */
export function parseQuickEntry(text: string, words: QuickWords): QuickEntry | null {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  const note = (rest: readonly string[]) => (rest.length > 0 ? rest.join(" ") : null);

  const leading = wordKind(tokens[0], words);
  if (leading) {
    if (tokens.length === 1) return { kind: leading, amountText: null, note: null };
    const amount = takeAmount(tokens.slice(1));
    if (!amount) return null;
    return { kind: leading, amountText: amount.text, note: note(tokens.slice(1 + amount.used)) };
  }
  const amount = takeAmount(tokens);
  if (!amount) return null;
  const trailing = wordKind(tokens[amount.used], words);
  if (!trailing) return null;
  return { kind: trailing, amountText: amount.text, note: note(tokens.slice(amount.used + 1)) };
}

/**
 * "12,50", "€ 12 pane", "12 euro bread" → the amount as typed and the note after it (as after a
 * command: "/expense 12,50 pane"). Null when the text does not start with something like a number.
 */
export function splitAmountAndNote(text: string): { amountText: string; note: string | null } | null {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  const amount = takeAmount(tokens);
  if (!amount) return null;
  const rest = tokens.slice(amount.used);
  return { amountText: amount.text, note: rest.length > 0 ? rest.join(" ") : null };
}

const BARE_AMOUNT = /^[-+]?(?:€\s*)?[-+]?\d[\d.,]*(?:\s+\d[\d.,]*)*(?:e[-+]?\d+)?(?:\s*(?:€|euro|eur))?$/i;

/**
 * Only an amount, nothing else ("12,50", "€ 12", "12 euro", and wrong ones such as "-5", "1e9" or
 * "12 50", so they can be refused with a reason).
 */
export function looksLikeBareAmount(text: string): boolean {
  return BARE_AMOUNT.test(text.trim());
}

/** A note as kept: trimmed, inner whitespace collapsed; null when empty. Length is checked by the caller. */
export function cleanNote(text: string | null | undefined): string | null {
  const note = (text ?? "").trim().replace(/\s+/g, " ");
  return note === "" ? null : note;
}

// ─── Entries ────────────────────────────────────────────────────────────────

export type NewEntry = {
  householdId: number;
  memberId: number;
  kind: BudgetKindName;
  category: string;
  amountCents: number;
  note: string | null;
  /** The Telegram update that carried the amount: the same update can never log twice. */
  sourceUpdateId: number | null;
};

/**
 * Logs an entry dated today (Europe/Rome). With a sourceUpdateId already used by this member, nothing
 * is written and the existing entry is returned with created: false.
 */
export async function addEntry(
  db: Db,
  clock: Clock,
  entry: NewEntry,
): Promise<{ entry: BudgetEntry; created: boolean }> {
  if (!isCategory(entry.kind, entry.category)) throw new Error(`unknown ${entry.kind} category`);
  if (!Number.isInteger(entry.amountCents) || entry.amountCents <= 0 || entry.amountCents > MAX_ENTRY_CENTS)
    throw new Error("amount out of range");
  if (entry.note !== null && entry.note.length > MAX_NOTE_LENGTH) throw new Error("note too long");
  const data = {
    householdId: entry.householdId,
    memberId: entry.memberId,
    kind: entry.kind,
    category: entry.category,
    amountCents: entry.amountCents,
    note: entry.note,
    occurredOn: romeToday(clock.now()),
    sourceUpdateId: entry.sourceUpdateId === null ? null : BigInt(entry.sourceUpdateId),
  };
  if (data.sourceUpdateId === null) return { entry: await db.budgetEntry.create({ data }), created: true };
  // One statement (createManyAndReturn would wrap it in a transaction of its own).
  const [created] = await sqlOf(db).query<BudgetEntry>`
    INSERT INTO "BudgetEntry"
      ("householdId", "memberId", "kind", "category", "amountCents", "note", "occurredOn", "sourceUpdateId",
       "createdAt")
    VALUES (${data.householdId}, ${data.memberId}, ${data.kind}::"BudgetKind", ${data.category},
      ${data.amountCents}, ${data.note}, ${data.occurredOn}::date, ${data.sourceUpdateId}, now())
    ON CONFLICT DO NOTHING
    RETURNING "id", "householdId", "memberId", "kind"::text AS "kind", "category", "amountCents", "note",
      "occurredOn", "sourceUpdateId", "createdAt"`;
  if (created) return { entry: created, created: true };
  const existing = await db.budgetEntry.findUniqueOrThrow({
    where: { memberId_sourceUpdateId: { memberId: entry.memberId, sourceUpdateId: data.sourceUpdateId } },
  });
  return { entry: existing, created: false };
}

/** The member's own most recent entry (whoever else in the household logged after them). */
export function lastEntryOf(db: Db, memberId: number): Promise<BudgetEntry | null> {
  return db.budgetEntry.findFirst({ where: { memberId }, orderBy: { id: "desc" } });
}

export type LastEntryCheck =
  | { status: "ok"; entry: BudgetEntry }
  /** Removed already (or never this member's). */
  | { status: "gone" }
  /** The member has logged something newer: only the last entry may be undone or corrected. */
  | { status: "not_last" };

export async function checkLastEntry(db: Db, memberId: number, entryId: number): Promise<LastEntryCheck> {
  const last = await lastEntryOf(db, memberId);
  if (last && last.id === entryId) return { status: "ok", entry: last };
  const exists = await db.budgetEntry.count({ where: { id: entryId, memberId } });
  return exists > 0 ? { status: "not_last" } : { status: "gone" };
}

/** Removes the entry if it is still the member's own last one. */
export async function undoLastEntry(db: Db, memberId: number, entryId: number): Promise<LastEntryCheck> {
  const check = await checkLastEntry(db, memberId, entryId);
  if (check.status !== "ok") return check;
  const deleted = await db.budgetEntry.deleteMany({ where: { id: entryId, memberId } });
  return deleted.count === 1 ? check : { status: "gone" };
}

export type EntryCorrection = { amountCents?: number; category?: string; note?: string | null };

/** Changes the entry if it is still the member's own last one; returns the entry as it is now. */
export async function correctLastEntry(
  db: Db,
  memberId: number,
  entryId: number,
  correction: EntryCorrection,
): Promise<LastEntryCheck> {
  const check = await checkLastEntry(db, memberId, entryId);
  if (check.status !== "ok") return check;
  const { entry } = check;
  const { amountCents, category, note } = correction;
  if (category !== undefined && !isCategory(entry.kind, category)) throw new Error("unknown category");
  if (amountCents !== undefined && (amountCents <= 0 || amountCents > MAX_ENTRY_CENTS))
    throw new Error("amount out of range");
  if (note && note.length > MAX_NOTE_LENGTH) throw new Error("note too long");
  const updated = await db.budgetEntry.update({
    where: { id: entry.id },
    data: {
      ...(amountCents !== undefined ? { amountCents } : {}),
      ...(category !== undefined ? { category } : {}),
      ...(note !== undefined ? { note } : {}),
    },
  });
  return { status: "ok", entry: updated };
}

// ─── Months ─────────────────────────────────────────────────────────────────

/** A calendar month; month is 1–12. */
export type Month = { year: number; month: number };

export function monthOfDate(date: Date): Month {
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1 };
}

/** The month it is in Rome now. */
export function currentMonth(clock: Clock): Month {
  return monthOfDate(romeToday(clock.now()));
}

export function shiftMonth(m: Month, delta: number): Month {
  const index = m.year * 12 + (m.month - 1) + delta;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

export function compareMonths(a: Month, b: Month): number {
  return a.year * 12 + a.month - (b.year * 12 + b.month);
}

/** "2026-10" */
export function monthKey(m: Month): string {
  return `${m.year}-${String(m.month).padStart(2, "0")}`;
}

export function parseMonthKey(key: string): Month | null {
  const match = /^(\d{4})-(\d{2})$/.exec(key);
  if (!match) return null;
  const m = { year: Number(match[1]), month: Number(match[2]) };
  return m.month >= 1 && m.month <= 12 && m.year >= 2000 && m.year <= 2200 ? m : null;
}

/** The month's calendar dates as stored (@db.Date): from its first day, up to the next month's first. */
export function monthBounds(m: Month): { from: Date; to: Date } {
  const next = shiftMonth(m, 1);
  return {
    from: calendarDate(m.year, m.month, 1) as Date,
    to: calendarDate(next.year, next.month, 1) as Date,
  };
}

// ─── Totals ─────────────────────────────────────────────────────────────────

export type CategoryTotal = { category: string; cents: number };

export type MonthTotals = {
  month: Month;
  /** Biggest first. */
  expenses: CategoryTotal[];
  income: CategoryTotal[];
  totalExpenses: number;
  totalIncome: number;
  fixedExpenses: number;
  flexibleExpenses: number;
  entries: number;
};

function byAmount(a: CategoryTotal, b: CategoryTotal): number {
  return b.cents - a.cents || a.category.localeCompare(b.category);
}

type GroupRow = { later: boolean; kind: BudgetKindName; category: string; cents: bigint; entries: bigint };

function emptyTotals(month: Month): MonthTotals {
  return {
    month,
    expenses: [],
    income: [],
    totalExpenses: 0,
    totalIncome: 0,
    fixedExpenses: 0,
    flexibleExpenses: 0,
    entries: 0,
  };
}

/**
 * The household's months `first` and `second` (the one right after): every member's entries, summed
 * by kind and category, in one query.
 */
async function twoMonthTotals(
  db: Db,
  householdId: number,
  first: Month,
  second: Month,
): Promise<[MonthTotals, MonthTotals]> {
  const { from } = monthBounds(first);
  const { from: split, to } = monthBounds(second);
  const groups = await sqlOf(db).query<GroupRow>`
    SELECT ("occurredOn" >= ${split}::date) AS "later", "kind"::text AS "kind", "category",
      SUM("amountCents")::bigint AS "cents", COUNT(*)::bigint AS "entries"
    FROM "BudgetEntry"
    WHERE "householdId" = ${householdId} AND "occurredOn" >= ${from}::date AND "occurredOn" < ${to}::date
    GROUP BY 1, 2, 3`;
  const result: [MonthTotals, MonthTotals] = [emptyTotals(first), emptyTotals(second)];
  for (const group of groups) {
    const totals = result[group.later ? 1 : 0];
    const cents = Number(group.cents);
    totals.entries += Number(group.entries);
    if (group.kind === "expense") {
      totals.expenses.push({ category: group.category, cents });
      totals.totalExpenses += cents;
      if (isFixedExpense(group.category)) totals.fixedExpenses += cents;
      else totals.flexibleExpenses += cents;
    } else {
      totals.income.push({ category: group.category, cents });
      totals.totalIncome += cents;
    }
  }
  for (const totals of result) {
    totals.expenses.sort(byAmount);
    totals.income.sort(byAmount);
  }
  return result;
}

/** The household's month: every member's entries, summed by kind and category. */
export async function monthTotals(db: Db, householdId: number, month: Month): Promise<MonthTotals> {
  const [totals] = await twoMonthTotals(db, householdId, month, shiftMonth(month, 1));
  return totals;
}

/** What the household logged of one kind this month so far (for the line under a saved entry). */
export async function monthKindTotal(
  db: Db,
  householdId: number,
  kind: BudgetKindName,
  month: Month,
): Promise<number> {
  const { from, to } = monthBounds(month);
  const [row] = await sqlOf(db).query<{ cents: bigint | null }>`
    SELECT SUM("amountCents")::bigint AS "cents" FROM "BudgetEntry"
    WHERE "householdId" = ${householdId} AND "kind" = ${kind}::"BudgetKind"
      AND "occurredOn" >= ${from}::date AND "occurredOn" < ${to}::date`;
  return Number(row?.cents ?? 0);
}

/** A bar of `width` blocks for value out of max: "▓▓▓░░░░░░░". Anything above zero shows one block. */
export function textBar(value: number, max: number, width = 10): string {
  let filled = max > 0 ? Math.round((value / max) * width) : 0;
  if (value > 0 && filled === 0) filled = 1;
  filled = Math.max(0, Math.min(width, filled));
  return "▓".repeat(filled) + "░".repeat(width - filled);
}

/** Whole percent of total, 0 when total is 0. */
export function percentOf(value: number, total: number): number {
  return total > 0 ? Math.round((value / total) * 100) : 0;
}

// ─── Tips ───────────────────────────────────────────────────────────────────

const seeded = new WeakMap<Db, Promise<void>>();

/**
 * Adds the starting tips whose key is missing (once per process and database). Existing tips are left
 * as they are, so texts edited or switched off in the admin panel stay that way.
 */
export function ensureBudgetTips(db: Db): Promise<void> {
  let done = seeded.get(db);
  if (!done) {
    done = db.budgetTip
      .createMany({
        data: SEED_TIPS.map((tip) => ({ key: tip.key, category: tip.category, texts: tip.texts })),
        skipDuplicates: true,
      })
      .then(() => undefined);
    done.catch(() => seeded.delete(db));
    seeded.set(db, done);
  }
  return done;
}

/** The tip's text in the language, else Italian, else null. */
export function tipText(texts: unknown, language: string): string | null {
  if (!texts || typeof texts !== "object") return null;
  const byLanguage = texts as Record<string, unknown>;
  for (const candidate of [byLanguage[language], byLanguage.it]) {
    if (typeof candidate === "string" && candidate.trim() !== "") return candidate.trim();
  }
  return null;
}

/**
 * Where to look for a tip, best first: the three biggest expense categories, then ways to raise income
 * when expenses exceed income, then general tips.
 */
export function tipCategories(totals: MonthTotals): string[] {
  const categories = totals.expenses.slice(0, 3).map((c) => c.category);
  if (totals.totalExpenses > totals.totalIncome) categories.push("income");
  categories.push("any");
  return categories;
}

export type ChosenTip = { key: string; category: string; text: string };

/**
 * An active tip for the first category that has one in this language (or Italian). Several tips of a
 * category take turns day by day (`day`), so the summary does not repeat the same advice all month.
 */
export async function chooseTip(
  db: Db,
  categories: readonly string[],
  language: string,
  day: number,
): Promise<ChosenTip | null> {
  await ensureBudgetTips(db);
  const tips = await sqlOf(db).query<{ key: string; category: string; texts: unknown }>`
    SELECT "key", "category", "texts" FROM "BudgetTip"
    WHERE "active" AND "category" = ANY(${[...categories]}::text[])
    ORDER BY "key" ASC`;
  for (const category of categories) {
    const usable = tips
      .filter((tip) => tip.category === category)
      .map((tip) => ({ key: tip.key, category, text: tipText(tip.texts, language) }))
      .filter((tip): tip is ChosenTip => tip.text !== null);
    if (usable.length > 0) return usable[day % usable.length] as ChosenTip;
  }
  return null;
}

// ─── The month's summary ────────────────────────────────────────────────────

export type BudgetSummary = {
  current: MonthTotals;
  previous: MonthTotals;
  /** The month shown is the one under way (its figures will still change). */
  inProgress: boolean;
  tip: ChosenTip | null;
};

export async function budgetSummary(
  db: Db,
  clock: Clock,
  householdId: number,
  month: Month,
  language: string,
): Promise<BudgetSummary> {
  const today = romeToday(clock.now());
  const [previous, current] = await twoMonthTotals(db, householdId, shiftMonth(month, -1), month);
  const day = Math.floor(today.getTime() / 86_400_000);
  const tip = await chooseTip(db, tipCategories(current), language, day);
  return { current, previous, inProgress: compareMonths(month, monthOfDate(today)) === 0, tip };
}

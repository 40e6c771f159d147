// The family budget as a household uses it: /expense and /income step by step and quick, wrong
// amounts, duplicates, undo and correct, old buttons, and /summary — in Italian and English.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SEED_TIPS } from "../core/budget/tips.ts";
import { MAX_ENTRY_CENTS } from "../core/budget.ts";
import { fixedClock } from "../core/clock.ts";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";
import type { SandboxUser, TranscriptEntry } from "./support/sandbox-user.ts";

const NBSP = "\u00a0";
const clock = fixedClock(new Date("2026-10-15T10:00:00Z")); // 12:00 in Rome
let h: BotHarness;
let contracts = 0;

beforeAll(async () => {
  h = await startBotHarness({ clock });
  // These tests hold long conversations in one chat: Telegram's per-chat pace (1 message a second after
  // a burst of 5) would only make them slow, so it is lifted here (the delivery tests cover it).
  const limits = await fetch(`${h.sandbox.url}/control/limits`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ chat_per_second: 0 }),
  });
  expect(limits.ok).toBe(true);
});
afterAll(() => h?.close());

/** A new member of a new household (or of the given one). */
function member(language: "it" | "en", contract = `BG-${String(++contracts).padStart(6, "0")}`) {
  return h.linkedUser(contract, { language });
}

async function memberRow(user: SandboxUser) {
  return h.db.member.findUniqueOrThrow({ where: { telegramUserId: BigInt(user.id) } });
}

async function entriesOf(user: SandboxUser) {
  const m = await memberRow(user);
  return h.db.budgetEntry.findMany({ where: { memberId: m.id }, orderBy: { id: "asc" } });
}

function buttons(message: TranscriptEntry | undefined): { text: string; callback_data?: string }[] {
  return message?.reply_markup?.inline_keyboard?.flat() ?? [];
}

function data(message: TranscriptEntry | undefined, text: string): string {
  const found = buttons(message).find((b) => b.text === text);
  if (!found?.callback_data) throw new Error(`no button "${text}" in ${JSON.stringify(message)}`);
  return found.callback_data;
}

/** Presses a button and returns what the bot answered to the press (the little toast), if anything. */
async function pressFor(user: SandboxUser, message: TranscriptEntry, text: string): Promise<string> {
  const pressed = (await user.press(message.message_id, data(message, text))) as unknown as {
    callback_query_id: string;
  };
  for (let i = 0; i < 100; i++) {
    const response = await fetch(`${h.sandbox.url}/control/callback-answers/${pressed.callback_query_id}`);
    if (response.ok) return ((await response.json()) as { text?: string }).text ?? "";
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the press was never answered");
}

/** Presses a button and returns the bot's next message. */
async function pressAndReply(user: SandboxUser, message: TranscriptEntry, text: string) {
  await pressFor(user, message, text);
  const [reply] = await user.replies(1);
  return reply as TranscriptEntry;
}

async function messageNow(user: SandboxUser, messageId: number): Promise<TranscriptEntry | undefined> {
  return (await user.transcript()).find((m) => m.message_id === messageId);
}

describe("guided entries", () => {
  it("logs an expense step by step in Italian, refusing wrong amounts without changing anything", async () => {
    const user = await member("it");
    const question = await user.ask("🛒 Spesa"); // the menu button
    expect(question.text).toContain("Nuova spesa");
    const labels = buttons(question).map((b) => b.text);
    expect(labels).toEqual(
      expect.arrayContaining([
        "🛒 Cibo e casa",
        "🏠 Affitto",
        "💡 Luce, gas, acqua",
        "📦 Altro",
        "✖️ Annulla",
      ]),
    );
    expect(labels).toHaveLength(14);
    for (const b of buttons(question))
      expect(Buffer.byteLength(b.callback_data ?? "")).toBeLessThanOrEqual(64);

    const amountQuestion = await pressAndReply(user, question, "🛒 Cibo e casa");
    expect(amountQuestion.text).toContain("Quanto hai speso?");
    expect(buttons(await messageNow(user, question.message_id))).toEqual([]); // answered: no buttons left

    const refusals: [string, string][] = [
      ["abc", "Non ho capito l'importo"],
      ["-5", "senza il segno meno"],
      ["0", "più di zero"],
      ["1e9", "Non ho capito l'importo"],
      ["60.000", `al massimo 50.000,00${NBSP}€`],
      ["12,505", "Non ho capito l'importo"],
    ];
    for (const [typed, expected] of refusals) {
      const reply = await user.ask(typed);
      expect(reply.text, typed).toContain(expected);
      expect(buttons(reply).map((b) => b.text)).toEqual(["✖️ Annulla"]);
    }
    expect(await entriesOf(user)).toEqual([]);

    const amount = await user.send({ text: "1.012,50" });
    const [noteQuestion] = await user.replies(1);
    expect(noteQuestion?.text).toContain(`🛒 Cibo e casa: 1.012,50${NBSP}€`);
    expect(buttons(noteQuestion).map((b) => b.text)).toEqual(["⏭ Salta", "✖️ Annulla"]);

    const saved = await user.ask("pane <b>e</b> latte & uova");
    expect(saved.text).toContain("Spesa segnata");
    expect(saved.text).toContain(`🛒 Cibo e casa: 1.012,50${NBSP}€`);
    expect(saved.text).toContain("📝 pane <b>e</b> latte & uova"); // shown as typed, not as HTML
    expect(saved.text).toContain(`Spese di questo mese: 1.012,50${NBSP}€`);
    expect(buttons(saved).map((b) => b.text)).toEqual(["↩️ Elimina", "✏️ Correggi"]);

    const [entry] = await entriesOf(user);
    const m = await memberRow(user);
    expect(entry).toMatchObject({
      kind: "expense",
      category: "food",
      amountCents: 101_250,
      note: "pane <b>e</b> latte & uova",
      householdId: m.householdId,
      memberId: m.id,
      occurredOn: new Date("2026-10-15T00:00:00Z"),
      sourceUpdateId: BigInt(amount.update_id),
    });
  });

  it("logs income step by step in English, skipping the note", async () => {
    const user = await member("en");
    const question = await user.ask("/income");
    expect(question.text).toContain("New income");
    expect(buttons(question).map((b) => b.text)).toEqual([
      "💼 Work",
      "🧓 Pension",
      "🤝 Assegno di inclusione",
      "👶 Assegno unico",
      "🏛️ Other benefits",
      "📥 Other",
      "✖️ Cancel",
    ]);
    const amountQuestion = await pressAndReply(user, question, "👶 Assegno unico");
    expect(amountQuestion.text).toContain("How much did you receive?");
    expect((await user.ask("lots")).text).toContain("I did not understand the amount");
    expect((await user.ask("100000")).text).toContain(`at most 50.000,00${NBSP}€`);
    const noteQuestion = await user.ask("€ 230,40");
    expect(noteQuestion.text).toContain("add a note");
    const saved = await pressAndReply(user, noteQuestion, "⏭ Skip");
    expect(saved.text).toContain("Income logged");
    expect(saved.text).toContain(`👶 Assegno unico: 230,40${NBSP}€`);
    expect(saved.text).toContain(`Income this month: 230,40${NBSP}€`);
    expect(saved.text).not.toContain("📝");
    expect(buttons(saved).map((b) => b.text)).toEqual(["↩️ Undo", "✏️ Correct"]);
    const entries = await entriesOf(user);
    expect(entries.map((e) => [e.kind, e.category, e.amountCents, e.note])).toEqual([
      ["income", "child_allowance", 23_040, null],
    ]);
  });

  it("refuses a note that is too long and keeps the question open", async () => {
    const user = await member("it");
    const question = await user.ask("/expense");
    await pressAndReply(user, question, "🎈 Tempo libero");
    await user.ask("20");
    const refused = await user.ask("x".repeat(201));
    expect(refused.text).toContain("al massimo 200 caratteri");
    expect(await entriesOf(user)).toEqual([]);
    const saved = await user.ask("cinema");
    expect(saved.text).toContain("📝 cinema");
    expect((await entriesOf(user)).map((e) => e.note)).toEqual(["cinema"]);
  });

  it("answers text with the buttons again while a category is awaited, and takes an amount typed early", async () => {
    const user = await member("it");
    await user.ask("/expense");
    const again = await user.ask("boh");
    expect(again.text).toContain("scegli con i pulsanti");
    expect(buttons(again).map((b) => b.text)).toContain("🏠 Affitto");
    const early = await user.ask("450");
    expect(early.text).toContain(`Spesa di 450,00${NBSP}€`);
    const saved = await pressAndReply(user, early, "🏠 Affitto");
    expect(saved.text).toContain(`🏠 Affitto: 450,00${NBSP}€`);
    expect((await entriesOf(user)).map((e) => [e.category, e.amountCents])).toEqual([["rent", 45_000]]);
  });

  it("is cancelled by the Cancel button, by /cancel and by another command, and nothing is logged", async () => {
    const user = await member("it");
    const question = await user.ask("/expense");
    const cancelled = await pressAndReply(user, question, "✖️ Annulla");
    expect(cancelled.text).toContain("Annullato");

    const second = await user.ask("/expense");
    await pressAndReply(user, second, "💊 Salute");
    expect((await user.ask("/cancel")).text).toContain("Annullato");
    // The flow is over: a number now is a new quick entry, not the answer to the old question.
    const afterCancel = await user.ask("30");
    expect(afterCancel.text).toContain("è una spesa o un'entrata?");
    expect((await user.ask("/cancel")).text).toContain("Annullato");

    const third = await user.ask("/income");
    await pressAndReply(user, third, "💼 Lavoro");
    const summary = await user.ask("📊 Riepilogo"); // a menu button abandons the question
    expect(summary.text).toContain("Bilancio di famiglia");
    expect((await user.ask("800")).text).toContain("è una spesa o un'entrata?");
    expect(await entriesOf(user)).toEqual([]);
  });

  it("sends people without a linked household to the link code", async () => {
    const user = await h.newUser({ language: "it" });
    for (const text of ["/expense", "/income", "12,50 spesa", "12,50", "/summary"]) {
      expect((await user.ask(text)).text, text).toContain("codice di collegamento");
    }
    expect(await h.db.budgetEntry.count({ where: { member: { telegramUserId: BigInt(user.id) } } })).toBe(0);
  });
});

describe("quick entries", () => {
  it("takes an amount and a word, asks the category with one tap, in Italian", async () => {
    const user = await member("it");
    const question = await user.ask("12,50 spesa");
    expect(question.text).toContain(`Spesa di 12,50${NBSP}€`);
    const saved = await pressAndReply(user, question, "💡 Luce, gas, acqua");
    expect(saved.text).toContain(`💡 Luce, gas, acqua: 12,50${NBSP}€`);

    for (const [typed, cents, note] of [
      ["spesa 1.000,50 bolletta gas", 100_050, "bolletta gas"],
      ["€ 12 spesa", 1200, null],
      ["12€ spesa", 1200, null],
      ["3.5 expense", 350, null], // the words of every language we speak
      ["/expense 7,20 pane e latte", 720, "pane e latte"],
    ] as const) {
      const q = await user.ask(typed);
      expect(q.text, typed).toContain("Spesa di");
      const s = await pressAndReply(user, q, "📦 Altro");
      expect(s.text, typed).toContain("Spesa segnata");
      const last = (await entriesOf(user)).at(-1);
      expect([last?.amountCents, last?.note], typed).toEqual([cents, note]);
    }

    const income = await user.ask("entrata 800");
    expect(income.text).toContain(`Entrata di 800,00${NBSP}€`);
    await pressAndReply(user, income, "💼 Lavoro");
    expect((await entriesOf(user)).at(-1)).toMatchObject({
      kind: "income",
      category: "work",
      amountCents: 80_000,
    });

    // Just the word: the guided questions.
    expect((await user.ask("spesa")).text).toContain("Nuova spesa");
    expect((await user.ask("/cancel")).text).toContain("Annullato");
  });

  it("asks expense or income for a bare amount, in English", async () => {
    const user = await member("en");
    const kind = await user.ask("12.50");
    expect(kind.text).toContain(`12,50${NBSP}€: is it an expense or income?`);
    expect(buttons(kind).map((b) => b.text)).toEqual(["🛒 Expense", "💼 Income", "✖️ Cancel"]);
    const category = await pressAndReply(user, kind, "🛒 Expense");
    expect(category.text).toContain(`Expense of 12,50${NBSP}€`);
    const saved = await pressAndReply(user, category, "🚌 Transport");
    expect(saved.text).toContain(`🚌 Transport: 12,50${NBSP}€`);

    const quick = await user.ask("income 800");
    expect(quick.text).toContain(`Income of 800,00${NBSP}€`);
    await pressAndReply(user, quick, "🧓 Pension");
    const spent = await user.ask("9.99 spent milk");
    await pressAndReply(user, spent, "🛒 Food and household");
    expect((await entriesOf(user)).map((e) => [e.kind, e.category, e.amountCents, e.note])).toEqual([
      ["expense", "transport", 1250, null],
      ["income", "pension", 80_000, null],
      ["expense", "food", 999, "milk"],
    ]);
  });

  it("refuses wrong quick amounts clearly and logs nothing", async () => {
    const it_ = await member("it");
    expect((await it_.ask("-5 spesa")).text).toContain("senza il segno meno");
    expect((await it_.ask("0 spesa")).text).toContain("più di zero");
    expect((await it_.ask("1e9 spesa")).text).toContain("Non ho capito l'importo");
    expect((await it_.ask("spesa 100000")).text).toContain(`al massimo 50.000,00${NBSP}€`);
    expect((await it_.ask("-5")).text).toContain("senza il segno meno");
    expect((await it_.ask("/expense abc")).text).toContain("Non ho capito l'importo");
    expect((await it_.ask(`12 spesa ${"x".repeat(201)}`)).text).toContain("al massimo 200 caratteri");
    // Not an entry (no amount), but a request to log one: the guided entry starts, nothing is logged.
    expect((await it_.ask("spesa pane")).text).toContain("Nuova spesa");
    expect((await it_.ask("/cancel")).text).toContain("Annullato");
    // A number to us, but it may be a link code (they mix letters and digits): left to the link feature.
    expect((await it_.ask("2E345678")).text).toContain("codice non è valido");
    const en = await member("en");
    expect((await en.ask("-5 expense")).text).toContain("without a minus sign");
    expect((await en.ask(`${MAX_ENTRY_CENTS} expense`)).text).toContain("at most 50.000,00");
    expect((await en.ask("0 income")).text).toContain("more than zero");
    expect([...(await entriesOf(it_)), ...(await entriesOf(en))]).toEqual([]);
  });

  it("asks which amount was meant when digits are split by a space, instead of logging 1.250,00 €", async () => {
    const it_ = await member("it");
    const choice = `intendi 12,50${NBSP}€ o 1.250,00${NBSP}€? Riscrivilo senza spazi`;
    expect((await it_.ask("12 50")).text).toContain(choice); // a bare amount
    expect((await it_.ask("spesa 12 50")).text).toContain(choice); // not 12 € with the note "50"
    expect((await it_.ask("12 50 € spesa pane")).text).toContain(choice);
    const single = await it_.ask("/expense 1 234,56 affitto");
    expect(single.text).toContain(`intendi 1.234,56${NBSP}€? Riscrivilo senza spazi`);
    expect(single.text).toContain("1234,56");
    // Answering the amount question: the question stays open, and the amount written again is taken.
    const question = await it_.ask("🛒 Spesa");
    expect((await pressAndReply(it_, question, "🛒 Cibo e casa")).text).toContain("Quanto hai speso?");
    const asked = await it_.ask("12 50");
    expect(asked.text).toContain(choice);
    expect(asked.text).toContain("12,50 oppure 1250");
    expect(buttons(asked).map((b) => b.text)).toEqual(["✖️ Annulla"]);
    expect(await entriesOf(it_)).toEqual([]);
    expect((await it_.ask("12,50")).text).toContain(`🛒 Cibo e casa: 12,50${NBSP}€`);

    const en = await member("en");
    const reply = await en.ask("12 50 expense");
    expect(reply.text).toContain(
      `do you mean 12,50${NBSP}€ or 1.250,00${NBSP}€? Type it again without spaces`,
    );
    expect((await en.ask("1 234,56")).text).toContain(`do you mean 1.234,56${NBSP}€?`);
    // Digits in two groups of four are how link codes are given: left to the link feature.
    expect((await en.ask("2345 6789")).text).toContain("This code is not valid");
    expect([...(await entriesOf(it_)), ...(await entriesOf(en))]).toEqual([]);
  });

  it("logs an entry once when the same updates arrive twice", async () => {
    const user = await member("it");
    const sent = await user.send({ text: "9,90 spesa" });
    const [question] = await user.replies(1);
    const pressed = await user.press(question?.message_id ?? 0, data(question, "🛒 Cibo e casa"));
    await user.replies(1);
    await user.redeliver(sent.update_id);
    await user.redeliver(pressed.update_id);
    expect(await user.quietFor(1500)).toEqual([]);
    const entries = await entriesOf(user);
    expect(entries.map((e) => [e.amountCents, e.sourceUpdateId])).toEqual([[990, BigInt(sent.update_id)]]);

    // A guided entry: the amount message and the note message, each delivered twice.
    const q = await user.ask("/expense");
    await pressAndReply(user, q, "🚌 Trasporti");
    const amount = await user.send({ text: "2,20" });
    await user.replies(1);
    await user.redeliver(amount.update_id);
    expect(await user.quietFor(1000)).toEqual([]);
    const note = await user.send({ text: "biglietto bus" });
    await user.replies(1);
    await user.redeliver(note.update_id);
    expect(await user.quietFor(1000)).toEqual([]);
    expect((await entriesOf(user)).map((e) => [e.amountCents, e.note])).toEqual([
      [990, null],
      [220, "biglietto bus"],
    ]);
  });

  it("leaves a bare number to an open conversation with an operator, but not a quick entry", async () => {
    const user = await member("it");
    const m = await memberRow(user);
    const opened = await h.db.case.create({
      data: { householdId: m.householdId ?? 0, memberId: m.id, topic: "other" },
    });
    await user.send({ text: "800" });
    await expect
      .poll(() => h.db.caseMessage.count({ where: { caseId: opened.id, text: "800" } }), { timeout: 5000 })
      .toBe(1);
    await user.quietFor(1000); // whatever the operator feature answers arrives before the next message
    const quick = await user.ask("12 spesa");
    expect(quick.text).toContain(`Spesa di 12,00${NBSP}€`);
    expect(await h.db.caseMessage.count({ where: { caseId: opened.id, text: "12 spesa" } })).toBe(0);
    await user.ask("/cancel");
  });
});

describe("undo, correct and old buttons", () => {
  it("undoes only the member's own last entry, in Italian", async () => {
    const user = await member("it");
    const q1 = await user.ask("10 spesa");
    const first = await pressAndReply(user, q1, "🛒 Cibo e casa");
    const q2 = await user.ask("20 spesa");
    const second = await pressAndReply(user, q2, "🎈 Tempo libero");

    expect(await pressFor(user, first, "↩️ Elimina")).toContain("solo la tua ultima voce");
    expect(await pressFor(user, first, "✏️ Correggi")).toContain("solo la tua ultima voce");
    expect((await entriesOf(user)).length).toBe(2);

    expect(await pressFor(user, second, "↩️ Elimina")).toBe("Voce eliminata.");
    await expect
      .poll(async () => (await messageNow(user, second.message_id))?.text)
      .toContain("Voce eliminata");
    expect(buttons(await messageNow(user, second.message_id))).toEqual([]);
    expect((await entriesOf(user)).map((e) => e.amountCents)).toEqual([1000]);

    // The one before is the last again; once gone, its old button explains itself.
    expect(await pressFor(user, first, "↩️ Elimina")).toBe("Voce eliminata.");
    expect(await entriesOf(user)).toEqual([]);
    const q3 = await user.ask("5 spesa");
    const third = await pressAndReply(user, q3, "📦 Altro");
    await h.db.budgetEntry.deleteMany({ where: { memberId: (await memberRow(user)).id } }); // e.g. erased
    expect(await pressFor(user, third, "↩️ Elimina")).toContain("già stata eliminata");
    await expect.poll(async () => buttons(await messageNow(user, third.message_id))).toEqual([]);
  });

  it("corrects amount, category and note of the last entry, in English", async () => {
    const user = await member("en");
    const q = await user.ask("12 expense bread");
    const saved = await pressAndReply(user, q, "🛒 Food and household");

    const choose = await pressAndReply(user, saved, "✏️ Correct");
    expect(choose.text).toContain(`🛒 Food and household: 12,00${NBSP}€`);
    expect(choose.text).toContain("📝 bread");
    expect(buttons(choose).map((b) => b.text)).toEqual(["💶 Amount", "🏷️ Category", "📝 Note", "✖️ Cancel"]);
    const amountQuestion = await pressAndReply(user, choose, "💶 Amount");
    expect(amountQuestion.text).toContain("Type the right amount");
    expect((await user.ask("-3")).text).toContain("without a minus sign");
    const corrected = await user.ask("21");
    expect(corrected.text).toContain("Entry corrected");
    expect(corrected.text).toContain(`🛒 Food and household: 21,00${NBSP}€`);
    expect(corrected.text).toContain(`Expenses this month: 21,00${NBSP}€`);

    const choose2 = await pressAndReply(user, corrected, "✏️ Correct");
    const categories = await pressAndReply(user, choose2, "🏷️ Category");
    expect(buttons(categories).map((b) => b.text)).toContain("💊 Health");
    const recategorised = await pressAndReply(user, categories, "💊 Health");
    expect(recategorised.text).toContain(`💊 Health: 21,00${NBSP}€`);

    const choose3 = await pressAndReply(user, recategorised, "✏️ Correct");
    const noteQuestion = await pressAndReply(user, choose3, "📝 Note");
    expect(noteQuestion.text).toContain("Remove the note");
    const renoted = await user.ask("pharmacy <3");
    expect(renoted.text).toContain("📝 pharmacy <3");
    const choose4 = await pressAndReply(user, renoted, "✏️ Correct");
    const noteQuestion2 = await pressAndReply(user, choose4, "📝 Note");
    const cleared = await pressAndReply(user, noteQuestion2, "🗑 Remove the note");
    expect(cleared.text).not.toContain("📝");

    const entries = await entriesOf(user);
    expect(entries.map((e) => [e.category, e.amountCents, e.note])).toEqual([["health", 2100, null]]);

    // A correction question left open, then the entry undone: the question's buttons explain themselves.
    const choose5 = await pressAndReply(user, cleared, "✏️ Correct");
    expect(await pressFor(user, cleared, "↩️ Undo")).toBe("Entry removed.");
    expect(await pressFor(user, choose5, "💶 Amount")).toContain("This question is closed");
    expect(await entriesOf(user)).toEqual([]);
  });

  it("explains a button of a question that was replaced", async () => {
    const user = await member("it");
    const old = await user.ask("4 spesa");
    const newer = await user.ask("6 spesa");
    expect(await pressFor(user, old, "🛒 Cibo e casa")).toContain("Questa domanda è chiusa");
    await expect.poll(async () => buttons(await messageNow(user, old.message_id))).toEqual([]);
    expect(await entriesOf(user)).toEqual([]);
    await pressAndReply(user, newer, "🛒 Cibo e casa");
    expect((await entriesOf(user)).map((e) => e.amountCents)).toEqual([600]);
    // The kind question of an abandoned bare amount.
    const kind = await user.ask("8");
    await user.ask("/help");
    expect(await pressFor(user, kind, "🛒 Spesa")).toContain("Questa domanda è chiusa");
  });

  it("shares the budget within a household but keeps each member's undo their own", async () => {
    const contract = `BG-${String(++contracts).padStart(6, "0")}`;
    const anna = await member("it", contract);
    const bruno = await member("en", contract);
    const annaQ = await anna.ask("100 spesa");
    const annaSaved = await pressAndReply(anna, annaQ, "🏠 Affitto");
    const brunoQ = await bruno.ask("50 expense");
    const brunoSaved = await pressAndReply(bruno, brunoQ, "🛒 Food and household");
    expect(brunoSaved.text).toContain(`Expenses this month: 150,00${NBSP}€`);
    // Bruno logged after Anna, and still Anna's entry is her last.
    expect(await pressFor(anna, annaSaved, "↩️ Elimina")).toBe("Voce eliminata.");
    const summary = await bruno.ask("/summary");
    expect(summary.text).toContain(`Expenses: 50,00${NBSP}€`);
    const rows = await h.db.budgetEntry.findMany({ where: { household: { contractCode: contract } } });
    expect(rows.map((r) => r.memberId)).toEqual([(await memberRow(bruno)).id]);
  });
});

describe("/summary", () => {
  async function seed(user: SandboxUser, rows: [string, string, number, string][]) {
    const m = await memberRow(user);
    await h.db.budgetEntry.createMany({
      data: rows.map(([kind, category, amountCents, day]) => ({
        householdId: m.householdId ?? 0,
        memberId: m.id,
        kind: kind as "expense" | "income",
        category,
        amountCents,
        occurredOn: new Date(`${day}T00:00:00Z`),
      })),
    });
  }

  it("shows the month by category with bars, income against expenses, the change and a tip, in Italian", async () => {
    const user = await member("it");
    await seed(user, [
      ["expense", "rent", 45_000, "2026-10-02"],
      ["expense", "food", 12_000, "2026-10-05"],
      ["expense", "food", 6_000, "2026-10-14"],
      ["expense", "phone_internet", 1_500, "2026-10-10"],
      ["income", "work", 80_000, "2026-10-01"],
      ["income", "child_allowance", 20_000, "2026-10-01"],
      ["expense", "rent", 45_000, "2026-09-02"],
      ["expense", "food", 30_000, "2026-09-20"],
      ["expense", "loans", 75_000, "2026-09-25"],
      ["income", "work", 80_000, "2026-09-01"],
      ["expense", "leisure", 99_900, "2026-11-01"], // next month: not counted
    ]);
    const summary = await user.ask("/summary");
    const text = summary.text ?? "";
    expect(text).toContain("Bilancio di famiglia · ottobre 2026");
    expect(text).toContain(`💰 Entrate: 1.000,00${NBSP}€`);
    expect(text).toContain(`💸 Spese: 645,00${NBSP}€`);
    expect(text).toContain(`✅ Restano 355,00${NBSP}€.`);
    expect(text).toContain(`🏠 Affitto · 450,00${NBSP}€ · 70%\n▓▓▓▓▓▓▓░░░`);
    expect(text).toContain(`🛒 Cibo e casa · 180,00${NBSP}€ · 28%\n▓▓▓░░░░░░░`);
    expect(text).toContain(`📱 Telefono e internet · 15,00${NBSP}€ · 2%\n▓░░░░░░░░░`);
    expect(text.indexOf("Affitto")).toBeLessThan(text.indexOf("Cibo e casa"));
    expect(text).toContain(`Spese fisse 465,00${NBSP}€ · spese variabili 180,00${NBSP}€`);
    expect(text).toContain(`👶 Assegno unico · 200,00${NBSP}€`);
    expect(text).toContain("Rispetto a settembre 2026");
    expect(text).toContain(`Spese: 855,00${NBSP}€ in meno. 👏`);
    expect(text).toContain(`Entrate: 200,00${NBSP}€ in più.`);
    expect(text).toContain("non è ancora finito");
    expect(text).not.toContain("999,00");
    // The tip speaks to the biggest category (rent).
    const rentTips = SEED_TIPS.filter((tip) => tip.category === "rent").map((tip) => tip.texts.it);
    expect(rentTips.some((tip) => text.includes(tip))).toBe(true);
    expect(text.length).toBeLessThanOrEqual(4096);
    expect(buttons(summary).map((b) => b.text)).toEqual(["◀ settembre 2026"]);

    // Back to September, in place, and forward again.
    await pressFor(user, summary, "◀ settembre 2026");
    await expect
      .poll(async () => (await messageNow(user, summary.message_id))?.text)
      .toContain("Bilancio di famiglia · settembre 2026");
    const september = await messageNow(user, summary.message_id);
    expect(september?.text).toContain(`⚠️ Le spese superano le entrate di 700,00${NBSP}€`);
    expect(september?.text).toContain("Per agosto 2026 non ci sono voci");
    expect(september?.text).not.toContain("non è ancora finito");
    expect(buttons(september).map((b) => b.text)).toEqual(["◀ agosto 2026", "ottobre 2026 ▶"]);
    await pressFor(user, september as TranscriptEntry, "ottobre 2026 ▶");
    await expect
      .poll(async () => (await messageNow(user, summary.message_id))?.text)
      .toContain("Bilancio di famiglia · ottobre 2026");
  });

  it("says what to do for an empty month and goes back at most two years, in English", async () => {
    const user = await member("en");
    const summary = await user.ask("📊 Summary");
    expect(summary.text).toContain("Family budget · October 2026");
    expect(summary.text).toContain("There are no entries for October 2026 yet");
    expect(summary.text).toContain("12.50 expense");
    expect(summary.text).toContain("A tip"); // a general one
    let shown: TranscriptEntry = summary;
    for (let i = 1; i <= 24; i++) {
      const previous = buttons(shown).find((b) => b.text.startsWith("◀"))?.text ?? "";
      await pressFor(user, shown, previous);
      await expect
        .poll(async () => (await messageNow(user, summary.message_id))?.text)
        .toContain(previous.slice(2));
      shown = (await messageNow(user, summary.message_id)) as TranscriptEntry;
    }
    expect(shown.text).toContain("October 2024");
    expect(buttons(shown).map((b) => b.text)).toEqual(["November 2024 ▶"]);
  });

  it("shows the tip in the person's language", async () => {
    const user = await member("en");
    await seed(user, [["expense", "utilities", 9_000, "2026-10-03"]]);
    const text = (await user.ask("/summary")).text ?? "";
    const tips = SEED_TIPS.filter((tip) => tip.category === "utilities");
    expect(tips.some((tip) => text.includes(tip.texts.en))).toBe(true);
    expect(text).toContain("💡 Energy and water · 90,00");
    expect(text).toContain("Expenses are 90,00");
  });
});

it("never sent Telegram a request it rejects", async () => {
  expect(await h.badRequests()).toEqual([]);
});

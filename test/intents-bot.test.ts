// End to end through the sandbox (bot, delivery worker, real PostgreSQL and Redis): requests written
// in people's own words get the feature itself — the very answer its command gives — in the 8
// languages; a close call asks "Did you mean…?" with buttons that run the feature; text nobody
// understood gets the main actions and a person as buttons. Quick budget entries, link codes, worry
// messages and a flow in progress still get their own answers first.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import { issueLinkCode } from "../core/linking.ts";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";
import type { SandboxUser, TranscriptEntry } from "./support/sandbox-user.ts";

// Monday 30 November 2026, 10:20 in Rome.
const START = new Date("2026-11-30T09:20:00Z");

let h: BotHarness;

beforeAll(async () => {
  h = await startBotHarness({ clock: fixedClock(START) });
});
afterAll(() => h?.close());

const buttonsOf = (message: TranscriptEntry) =>
  message.reply_markup?.inline_keyboard?.flat().map((b) => b.callback_data) ?? [];

/** Presses a button the message carries and returns the bot's next message. */
async function press(user: SandboxUser, message: TranscriptEntry, data: string): Promise<TranscriptEntry> {
  expect(buttonsOf(message), `button ${data}`).toContain(data);
  await user.press(message.message_id, data);
  const [reply] = await user.replies(1);
  return reply as TranscriptEntry;
}

/** What the feature's own command answers, to compare the free-text answer with. */
const COMMAND = {
  balance: "/balance",
  plan: "/plan",
  expense: "/expense",
  income: "/income",
  courses: "/courses",
  documents: "/documents",
  operator: "/operator",
  language: "/language",
  help: "/help",
} as const;
type Checked = keyof typeof COMMAND | "how_to_pay" | "paid" | "stop";

/** Compares a free-text answer with the feature's own answer (a flow it starts is cancelled after). */
async function expectFeature(user: SandboxUser, intent: Checked, answer: TranscriptEntry): Promise<void> {
  if (intent === "how_to_pay") {
    expect(answer.text).toMatch(/pagoPA/);
    return;
  }
  if (intent === "paid") {
    expect(answer.text).toContain("ALER");
    expect(buttonsOf(answer)).toContain("debt:balance");
    return;
  }
  if (intent === "stop") {
    expect(buttonsOf(answer)).toContain("rem:mute");
    return;
  }
  const flow = intent === "expense" || intent === "income";
  if (flow) await user.ask("/cancel");
  const own = await user.ask(COMMAND[intent]);
  expect(answer.text, intent).toBe(own.text);
  // Labels, not data: a guided entry's buttons carry the id of its own draft.
  const labels = (m: TranscriptEntry) => m.reply_markup?.inline_keyboard?.flat().map((b) => b.text) ?? [];
  expect(labels(answer), intent).toEqual(labels(own));
  if (flow) await user.ask("/cancel");
}

const CASES: [language: string, text: string, intent: Checked][] = [
  // Italian: every request, as people write it (the issue's four first), typos and no accents.
  ["it", "quanto devo pagare?", "balance"],
  ["it", "voglio parlare con qualcuno", "operator"],
  ["it", "aiuto", "help"],
  ["it", "quando c'è il corso?", "courses"],
  ["it", "qaunto devo pagre", "balance"],
  ["it", "quando devo pagare la prossima rata", "plan"],
  ["it", "fammi vedere il mio piano", "plan"],
  ["it", "come faccio il pagamento?", "how_to_pay"],
  ["it", "ho gia pagato", "paid"],
  ["it", "vorrei segnare una spesa", "expense"],
  ["it", "aggiungi un'entrata", "income"],
  ["it", "che documenti devo consegnare", "documents"],
  ["it", "documneti", "documents"],
  ["it", "posso cambiare lingua?", "language"],
  ["it", "nn me mandà più i promemoria", "stop"],
  // English: every request.
  ["en", "how much do I owe?", "balance"],
  ["en", "when's my next installment", "plan"],
  ["en", "how do I pay?", "how_to_pay"],
  ["en", "I've paid already", "paid"],
  ["en", "add an expense", "expense"],
  ["en", "add my income", "income"],
  ["en", "when is the next course?", "courses"],
  ["en", "which documents do I need", "documents"],
  ["en", "I want to talk to a person", "operator"],
  ["en", "change language", "language"],
  ["en", "help!", "help"],
  ["en", "stop sending me reminders", "stop"],
  // The other six: several requests each, in their own script and without diacritics.
  ["ar", "كم المبلغ الذي ادين به", "balance"],
  ["ar", "اريد التحدث مع موظف", "operator"],
  ["ar", "ساعدني من فضلك", "help"],
  ["ar", "متى القسط التالي؟", "plan"],
  ["ro", "cât mai am de plătit?", "balance"],
  ["ro", "vreau să vorbesc cu o persoană", "operator"],
  ["ro", "ajutor vă rog", "help"],
  ["ro", "când e următoarea rată?", "plan"],
  ["sq", "sa para detyrohem?", "balance"],
  ["sq", "dua te flas me nje person", "operator"],
  ["sq", "me ndihmoni ju lutem", "help"],
  ["sq", "kur e kam kestin e radhes", "plan"],
  ["uk", "скільки я ще винна грошей", "balance"],
  ["uk", "можна поговорити з людиною?", "operator"],
  ["uk", "допоможіть мені", "help"],
  ["uk", "коли наступний внесок?", "plan"],
  ["fr", "combien je dois encore payer ?", "balance"],
  ["fr", "je voudrais parler à une personne", "operator"],
  ["fr", "aide", "help"],
  ["fr", "quand est la prochaine échéance ?", "plan"],
  ["es", "¿cuánto debo?", "balance"],
  ["es", "quiero hablar con una persona", "operator"],
  ["es", "ayuda por favor", "help"],
  ["es", "¿cuándo es la próxima cuota?", "plan"],
];

const users = new Map<string, SandboxUser>();
async function userIn(language: string): Promise<SandboxUser> {
  let user = users.get(language);
  if (!user) {
    user = await h.linkedUser(`INT-${language.toUpperCase()}-01`, { language });
    users.set(language, user);
  }
  return user;
}

describe("requests in people's own words", () => {
  it.each(CASES)("%s: «%s» gets %s", async (language, text, intent) => {
    const user = await userIn(language);
    const answer = await user.ask(text);
    await expectFeature(user, intent, answer);
  });

  it("«basta messaggi» offers the reminders' own mute button, which mutes them", async () => {
    const user = await h.linkedUser("INT-STOP-01", { language: "it" });
    const offer = await user.ask("basta messaggi per favore");
    expect(offer.text).toContain("/privacy");
    const muted = await press(user, offer, "rem:mute");
    expect(muted.text).toContain("niente più promemoria");
    const member = await h.db.member.findUniqueOrThrow({ where: { telegramUserId: BigInt(user.id) } });
    expect(member.remindersMuted).toBe(true);
    // Asked again, it says so and offers to turn them back on.
    expect(buttonsOf(await user.ask("non voglio piu messaggi"))).toEqual(["rem:unmute"]);
  });
});

describe("when unsure, and when nothing fits", () => {
  it("a close call asks which one, and each button runs the feature", async () => {
    const user = await h.linkedUser("INT-DYM-01", { language: "it" });
    const question = await user.ask("come si fa a pagare?");
    expect(question.text).toContain("Forse intendevi");
    const buttons = buttonsOf(question);
    expect(buttons.length).toBeGreaterThanOrEqual(2);
    expect(buttons).toContain("int:how_to_pay");
    expect(buttons).toContain("int:operator");
    await expectFeature(user, "how_to_pay", await press(user, question, "int:how_to_pay"));
    await expectFeature(user, "operator", await press(user, question, "int:operator"));
  });

  it("the fallback offers the main actions and a person, and they work", async () => {
    const user = await h.linkedUser("INT-FB-01", { language: "it" });
    const fallback = await user.ask("che tempo fa domani");
    expect(fallback.text).toContain("Non ho capito");
    expect(buttonsOf(fallback)).toEqual(
      expect.arrayContaining([
        "int:balance",
        "int:plan",
        "int:courses",
        "int:documents",
        "int:help",
        "int:operator",
      ]),
    );
    await expectFeature(user, "balance", await press(user, fallback, "int:balance"));
    await expectFeature(user, "operator", await press(user, fallback, "int:operator"));
    // In English too.
    const english = await h.linkedUser("INT-FB-02", { language: "en" });
    const other = await english.ask("good morning");
    expect(other.text).toContain("talk to a person");
    expect(buttonsOf(other)).toContain("int:operator");
  });

  it("someone not linked yet gets how to link, with help and language buttons", async () => {
    const stranger = await h.newUser({ language: "it" });
    const answer = await stranger.ask("che tempo fa domani");
    expect(answer.text).toContain("codice di collegamento");
    expect(buttonsOf(answer)).toEqual(["int:help", "int:language"]);
  });
});

describe("what comes first keeps its messages", () => {
  it("a quick budget entry is recorded, not read as a request", async () => {
    const user = await userIn("it");
    const answer = await user.ask("12,50 spesa");
    expect(answer.text).toContain("Spesa di 12,50");
    expect(buttonsOf(answer).some((b) => b?.startsWith("bud:"))).toBe(true);
    await user.ask("/cancel");
  });

  it("a link code links the household", async () => {
    await h.household("INT-LINK-01");
    const user = await h.newUser({ language: "it" });
    const issued = await issueLinkCode(h.db, "INT-LINK-01", fixedClock(START));
    await user.send({ text: issued?.code ?? "" });
    const [linked] = await user.replies(1);
    expect(linked?.text).toContain("Famiglia INT-LINK-01");
    const member = await h.db.member.findUniqueOrThrow({ where: { telegramUserId: BigInt(user.id) } });
    expect(member.householdId).not.toBeNull();
  });

  it("a worry about paying gets the worry answer and a case, not the balance", async () => {
    const user = await h.linkedUser("INT-WRY-01", { language: "it" });
    const answer = await user.ask("Non riesco a pagare l'affitto questo mese");
    expect(answer.text).toContain("/plan");
    expect(buttonsOf(answer)).not.toContain("int:balance");
    const member = await h.db.member.findUniqueOrThrow({ where: { telegramUserId: BigInt(user.id) } });
    expect(await h.db.case.count({ where: { householdId: member.householdId ?? -1 } })).toBe(1);
  });

  it("a message written for a person in /operator goes to the person, even if it reads as a request", async () => {
    const user = await h.linkedUser("INT-OP-01", { language: "it" });
    const menu = await user.ask("/operator");
    const ask = await press(user, menu, "op:topic:other");
    expect(ask.text).toContain("Altro");
    const answer = await user.ask("quanto devo pagare?");
    expect(answer.text).not.toContain("debito con ALER");
    const member = await h.db.member.findUniqueOrThrow({ where: { telegramUserId: BigInt(user.id) } });
    const opened = await h.db.case.findFirstOrThrow({
      where: { householdId: member.householdId ?? -1 },
      include: { messages: true },
    });
    expect(opened.messages.map((m) => m.text)).toContain("quanto devo pagare?");
  });
});

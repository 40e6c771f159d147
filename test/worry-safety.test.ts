// The safety question ("are you safe right now?"), asked when a message holds a safety marker
// (core/worry/safety/<language>.json: pills, a knife, bruises, "goodbye forever"…) and no danger the
// phrase lists already answer. First the markers: found in every language, hidden by a negation or a
// figure of speech, absent from everyday messages and from every line the bot itself sends. Then the
// question end to end through the sandbox (bot, delivery, real PostgreSQL and Redis): each of its three
// answers, in Italian and English, with and without a conversation already open.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import {
  detectWorry,
  loadSafetyMarkers,
  needsSafetyCheck,
  SAFETY_DIR,
  safetyMarkers,
  WORRY_LANGUAGES,
} from "../core/worry.ts";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";
import type { SandboxUser } from "./support/sandbox-user.ts";

/** A message with a marker and no danger phrase: the question, and not the danger answer. */
const MARKED: [string, string][] = [
  ["it", "sono sul balcone"],
  ["en", "I'm on the balcony again tonight"],
  ["fr", "je suis sur le balcon"],
  ["es", "estoy en el balcón"],
  ["ro", "sunt pe balcon"],
  ["uk", "я на балконі"],
  ["sq", "jam në ballkon"],
  ["ar", "أنا على البلكونة"],
];

describe("safety markers", () => {
  it.each(MARKED)("%s: a marker asks the question, without the danger answer", (_language, text) => {
    expect(safetyMarkers(text).length).toBeGreaterThan(0);
    const worry = detectWorry(text);
    expect(worry?.level).not.toBe("danger");
    expect(needsSafetyCheck(text, worry)).toBe(true);
  });

  it.each([
    // Everyday messages, and words that only look like markers.
    "quanto devo pagare questo mese?",
    "quando c'è il corso di giovedì?",
    "il balcone perde acqua quando piove",
    "devo scappare al lavoro, ci sentiamo dopo",
    "ho fatto le analisi del sangue, posso portare il certificato?",
    "ho mal di gola, domani non vengo al corso",
    "siamo via per il ponte dell'Immacolata",
    "the lift in our building is not safe",
    "me muero por un café jaja",
    "je meurs d'envie de savoir si j'ai été prise au cours",
    "mor de curiozitate să văd ce zice comisia",
    "mi hija está enferma, no puedo ir",
    "Ви знаєте свій борг краще, ніж раніше",
    // A negation before the marker, in the marker's language or another's reading.
    "non mi picchia più, va tutto bene adesso",
    "I'm not suicidal, I just need help with the form",
    "he doesn't hit me anymore, he's in therapy",
    // A figure of speech.
    "this heat is killing me",
  ])("no question for «%s»", (text) => {
    expect(safetyMarkers(text)).toEqual([]);
  });

  it("danger the phrases answer gets the danger answer, not the question", () => {
    const text = "mio marito mi picchia quando beve";
    expect(safetyMarkers(text).length).toBeGreaterThan(0);
    expect(needsSafetyCheck(text, detectWorry(text))).toBe(false);
  });

  it("money trouble with a marker gets both the calm answer and the question", () => {
    const text = "non riesco a pagare l'affitto e sono senza speranza";
    const worry = detectWorry(text);
    expect(worry?.level).toBe("money");
    expect(needsSafetyCheck(text, worry)).toBe(true);
  });

  it("exist for every language the worry phrases have, and compile", () => {
    const markers = loadSafetyMarkers();
    expect([...markers.keys()].sort()).toEqual([...WORRY_LANGUAGES].sort());
    for (const [language, list] of markers) expect(list.length, language).toBeGreaterThan(30);
  });

  it("no line the bot sends a household would ask the question", () => {
    const root = join(import.meta.dirname, "..", "locales");
    const asked: string[] = [];
    const walk = (value: unknown): void => {
      if (typeof value === "string") {
        for (const line of value.split("\n")) {
          const clean = line.replace(/<[^>]+>/g, "").replace(/\{\{[^}]+\}\}/g, "1");
          if (safetyMarkers(clean).length > 0) asked.push(clean);
        }
      } else if (value !== null && typeof value === "object") {
        for (const [key, inner] of Object.entries(value)) if (key !== "worry") walk(inner);
      }
    };
    for (const entry of readdirSync(root, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      // Staff read the panel's texts (admin, staff, …Admin), not households.
      for (const file of readdirSync(join(root, entry.name))) {
        if (/^(admin|staff|accounts)\.json$|Admin\.json$/.test(file)) continue;
        walk(JSON.parse(readFileSync(join(root, entry.name, file), "utf8")));
      }
    }
    expect(asked).toEqual([]);
    expect(readdirSync(SAFETY_DIR).length).toBe(WORRY_LANGUAGES.length);
  });
});

// Monday 30 November 2026, 10:20 in Rome.
const START = new Date("2026-11-30T09:20:00Z");
const EMERGENCY = ["112", "02 2327 2327", "1522"];
let h: BotHarness;

async function householdOf(user: SandboxUser): Promise<number> {
  const member = await h.db.member.findUniqueOrThrow({ where: { telegramUserId: BigInt(user.id) } });
  if (member.householdId === null) throw new Error("not linked");
  return member.householdId;
}

async function casesOf(user: SandboxUser) {
  return h.db.case.findMany({
    where: { householdId: await householdOf(user) },
    include: { messages: { orderBy: { id: "asc" } } },
    orderBy: { id: "asc" },
  });
}

/** Sends `text`, expects the question with its three buttons, and returns the question's message id. */
async function askedSafety(user: SandboxUser, text: string, question: string): Promise<number> {
  const answer = await user.ask(text);
  expect(answer.text).toContain(question);
  for (const number of EMERGENCY) expect(answer.text).not.toContain(number);
  const buttons = answer.reply_markup?.inline_keyboard?.flat().map((b) => b.callback_data);
  expect(buttons).toEqual(["safety:danger", "safety:talk", "safety:ok"]);
  return answer.message_id;
}

describe("the safety question in the bot", () => {
  beforeAll(async () => {
    h = await startBotHarness({ clock: fixedClock(START) });
  });
  afterAll(() => h?.close());

  it("it: «in danger» gets 112 first and both helplines, an urgent case with the message, an alert", async () => {
    const user = await h.linkedUser("SAFE-IT-1", { language: "it" });
    const text = "sono sul balcone, stanotte non dormo";
    const asked = await askedSafety(user, text, "sei al sicuro in questo momento?");
    expect(await casesOf(user), "nothing is opened before the answer").toEqual([]);
    await user.press(asked, "safety:danger");
    const [answer] = await user.replies(1);
    const body = answer?.text ?? "";
    expect(body).toContain("chiama subito il 112");
    expect(body.indexOf("112")).toBeLessThan(body.indexOf("Telefono Amico"));
    expect(body).toContain("1522");
    expect(body).toContain("urgente");
    const [kase] = await casesOf(user);
    expect(kase).toMatchObject({ urgent: true, source: "distress", status: "open" });
    expect(kase?.messages[0]?.text).toContain("sei al sicuro?");
    expect(kase?.messages[1]?.text).toBe(`${text}\n\n🆘 No, sono in pericolo`);
    const alerts = await h.db.alert.findMany({ where: { caseId: kase?.id } });
    expect(alerts.map((a) => a.kind)).toEqual(["danger"]);
  });

  it("en: «not OK» opens a case with the message for a person, no emergency numbers", async () => {
    const user = await h.linkedUser("SAFE-EN-1", { language: "en" });
    const text = "I'm on the balcony again tonight";
    const asked = await askedSafety(user, text, "are you safe right now?");
    await user.press(asked, "safety:talk");
    const [answer] = await user.replies(1);
    for (const number of EMERGENCY) expect(answer?.text).not.toContain(number);
    const [kase] = await casesOf(user);
    expect(kase).toMatchObject({ urgent: false, topic: "other", status: "open" });
    expect(kase?.messages.map((m) => m.text)).toEqual([
      `${text}\n\n💬 I'm not OK, I want to talk to a person`,
    ]);
  });

  it("it: «safe» gets a kind word and opens nothing", async () => {
    const user = await h.linkedUser("SAFE-IT-2", { language: "it" });
    const asked = await askedSafety(user, "sono sul balcone", "sei al sicuro");
    await user.press(asked, "safety:ok");
    const [answer] = await user.replies(1);
    expect(answer?.text).toContain("grazie di avermelo detto");
    expect(await casesOf(user)).toEqual([]);
    expect(await user.quietFor(300)).toEqual([]);
  });

  it("it: with a conversation open, the message goes into it at once; «in danger» makes it urgent", async () => {
    const user = await h.linkedUser("SAFE-IT-3", { language: "it" });
    const householdId = await householdOf(user);
    const open = await h.db.case.create({ data: { householdId, topic: "debt" } });
    const text = "sono sul balcone, stanotte non dormo";
    const asked = await askedSafety(user, text, "sei al sicuro");
    const before = await h.db.caseMessage.findMany({ where: { caseId: open.id } });
    expect(before.map((m) => m.text)).toEqual([text]);
    await user.press(asked, "safety:danger");
    await user.replies(1);
    const after = await h.db.case.findUniqueOrThrow({
      where: { id: open.id },
      include: { messages: { orderBy: { id: "asc" } } },
    });
    expect(after.urgent).toBe(true);
    // The message is in the case once; the answer adds only the button's words.
    expect(after.messages.filter((m) => m.text === text)).toHaveLength(1);
    expect(after.messages.at(-1)?.text).toBe("🆘 No, sono in pericolo");
  });

  it("en: a marker hidden by a negation gets no question", async () => {
    const user = await h.linkedUser("SAFE-EN-2", { language: "en" });
    const answer = await user.ask("he doesn't hit me anymore, when is the next course?");
    expect(answer.text).not.toContain("are you safe");
    expect(answer.reply_markup?.inline_keyboard?.flat().map((b) => b.callback_data)).not.toContain(
      "safety:danger",
    );
  });
});

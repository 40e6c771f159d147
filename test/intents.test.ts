// The intent classifier (core/intents.ts) on its own: the phrase files are complete and well formed
// in the 8 languages, the held-out set shares no text with them, and the rules that keep it honest
// hold (typos count, short replies and small talk are left to the fallback, close calls are asked).
import { describe, expect, it } from "vitest";
import { readIntentSet } from "../bench/intents.ts";
import { SUPPORTED_LANGUAGES } from "../core/i18n.ts";
import { INTENTS, readPhrases, scoreIntents, trainClassifier, understand } from "../core/intents.ts";
import { tokenize } from "../core/worry/tokens.ts";

const phrases = readPhrases();
const classifier = trainClassifier(phrases);

describe("phrase files", () => {
  it("exist for every language the bot speaks, with examples for every request", () => {
    expect([...phrases.keys()].sort()).toEqual([...SUPPORTED_LANGUAGES].sort());
    for (const [language, content] of phrases) {
      for (const intent of INTENTS)
        expect(content[intent].length, `${language} ${intent}`).toBeGreaterThan(0);
    }
  });

  it("share with the held-out set only the issue's own requests and one-word calls for help", () => {
    // Those few must work, so they are examples too; the bench leaves them out of its figures.
    const examples = new Set(
      [...phrases.values()]
        .flatMap((content) => INTENTS.flatMap((intent) => content[intent]))
        .map((p) => tokenize(p).join(" ")),
    );
    const shared = readIntentSet().filter((entry) => examples.has(tokenize(entry.text).join(" ")));
    expect(shared.map((entry) => entry.text).sort()).toEqual(
      ["ajutor", "aiuto", "basta messaggi", "ndihme", "quando c'è il corso?"].sort(),
    );
  });
});

describe("understanding", () => {
  it("answers a clear request at once, with or without accents and with a typo", () => {
    for (const text of [
      "quanto devo pagare?",
      "quando c'è il corso?",
      "quando c'e il corso",
      "documneti",
      "qaunto devo pagre",
    ]) {
      expect(understand(classifier, text).kind, text).toBe("sure");
    }
  });

  it("leaves short replies and small talk to the fallback", () => {
    for (const text of [
      "si",
      "no",
      "ok grazie",
      "va bene",
      "buongiorno",
      "ciao",
      "una domanda",
      "good morning",
      "👍",
    ]) {
      expect(understand(classifier, text), text).toMatchObject({ kind: "none" });
    }
  });

  it("asks when two requests are about as likely", () => {
    const understood = understand(classifier, "come si fa a pagare?");
    expect(understood.kind).toBe("unsure");
    if (understood.kind === "unsure") expect(understood.intents).toContain("how_to_pay");
    // Its best guess is not sure enough on its own: the person chooses.
    expect(scoreIntents(classifier, "come si fa a pagare?")[0]?.score).toBeLessThan(0.6);
  });
});

// Distress detection: each category in each language we support, and everyday texts that must not
// raise an alarm.
import { describe, expect, it } from "vitest";
import { type DistressCategory, detectDistress, normalizeForDistress } from "../core/distress.ts";

const CASES: [string, string, DistressCategory][] = [
  // Italian first and best.
  ["it", "Mi è arrivata la lettera di SFRATTO", "eviction"],
  ["it", "domani viene l'ufficiale giudiziario", "eviction"],
  ["it", "ci buttano fuori di casa", "eviction"],
  ["it", "Ci hanno staccato la luce!", "utilities"],
  ["it", "il gas è staccato da ieri", "utilities"],
  ["it", "è arrivato l'avviso di distacco", "utilities"],
  ["it", "siamo senza riscaldamento", "utilities"],
  ["it", "Non riesco più a pagare l'affitto", "cant_pay"],
  ["it", "non posso pagare questa rata", "cant_pay"],
  ["it", "non abbiamo i soldi", "cant_pay"],
  ["it", "Non ce la faccio più", "despair"],
  ["it", "sono disperata", "despair"],
  ["it", "voglio farla finita", "self_harm"],
  ["it", "penso di togliermi la vita", "self_harm"],
  ["it", "ho pensato al suicidio", "self_harm"],
  ["it", "vorrei morire", "self_harm"],
  // English.
  ["en", "We got an eviction notice", "eviction"],
  ["en", "the bailiffs are coming", "eviction"],
  ["en", "they cut off the electricity", "utilities"],
  ["en", "Our gas was disconnected", "utilities"],
  ["en", "I can't pay the rent", "cant_pay"],
  ["en", "I can’t afford it", "cant_pay"],
  ["en", "I can't go on", "despair"],
  ["en", "I want to kill myself", "self_harm"],
  ["en", "thinking about suicide", "self_harm"],
  // French, Spanish, Romanian, Albanian, Ukrainian, Arabic.
  ["fr", "J'ai reçu l'avis d'expulsion", "eviction"],
  ["fr", "ils ont coupé l'électricité", "utilities"],
  ["fr", "je ne peux pas payer", "cant_pay"],
  ["fr", "Je n'en peux plus", "despair"],
  ["fr", "je veux en finir", "self_harm"],
  ["es", "nos llegó la orden de desahucio", "eviction"],
  ["es", "nos han cortado la luz", "utilities"],
  ["es", "no puedo pagar el alquiler", "cant_pay"],
  ["es", "ya no puedo más", "despair"],
  ["es", "quiero quitarme la vida", "self_harm"],
  ["ro", "am primit hârtia de evacuare", "eviction"],
  ["ro", "ne-au tăiat curentul", "utilities"],
  ["ro", "nu pot plăti chiria", "cant_pay"],
  ["ro", "nu mai pot", "despair"],
  ["ro", "mă gândesc la sinucidere", "self_harm"],
  ["sq", "erdhi përmbaruesi", "eviction"],
  ["sq", "na kanë prerë dritat", "utilities"],
  ["sq", "nuk kam para për qiranë", "cant_pay"],
  ["sq", "jam shumë i dëshpëruar", "despair"],
  ["sq", "mendoj për vetëvrasje", "self_harm"],
  ["uk", "нам прийшло повідомлення про виселення", "eviction"],
  ["uk", "нам відключили світло", "utilities"],
  ["uk", "я не можу заплатити оренду", "cant_pay"],
  ["uk", "я більше не можу", "despair"],
  ["uk", "хочу покінчити з собою", "self_harm"],
  ["ar", "وصلني إشعار إخلاء", "eviction"],
  ["ar", "قطعوا الكهرباء عنا", "utilities"],
  ["ar", "لا أستطيع الدفع", "cant_pay"],
  ["ar", "أنا يائس", "despair"],
  ["ar", "أفكر في الانتحار", "self_harm"],
];

const CALM = [
  "Vorrei pagare la rata",
  "Quando devo pagare?",
  "posso pagare a rate?",
  "ho pagato ieri alla posta",
  "non posso venire al corso ma posso pagare domani",
  "la luce delle scale è rotta",
  "Il riscaldamento funziona bene, grazie",
  "grazie mille, ci sentiamo",
  "When should I pay?",
  "I paid yesterday",
  "Can I pay by card?",
  "Je voudrais payer",
  "¿Cuándo puedo pagar?",
  "Vreau să plătesc",
  "Dua të paguaj qiranë",
  "Коли мені платити?",
  "متى يجب أن أدفع؟",
  "لدي طرد في البريد", // "a parcel": not an eviction
  "",
  "   ",
  "🙂👍",
];

describe("distress detection", () => {
  for (const [language, text, category] of CASES) {
    it(`${language}: «${text}» → ${category}`, () => {
      expect(detectDistress(text)).toContain(category);
    });
  }

  for (const text of CALM) {
    it(`no distress in «${text}»`, () => {
      expect(detectDistress(text)).toEqual([]);
    });
  }

  it("lists several categories, self-harm first", () => {
    expect(detectDistress("Ci sfrattano, non riesco a pagare, voglio farla finita")).toEqual([
      "self_harm",
      "eviction",
      "cant_pay",
    ]);
  });

  it("normalises case, accents, apostrophes and punctuation", () => {
    expect(normalizeForDistress("  Non ce la FACCIO più!!! ")).toBe("non ce la faccio piu");
    expect(normalizeForDistress("can’t—pay")).toBe("can t pay");
  });

  it("matches whole words only", () => {
    expect(detectDistress("la disperazione")).toEqual(["despair"]);
    expect(detectDistress("desperately seeking the office")).toEqual([]);
  });
});

// The worry detector on hand-picked hard cases: negations (which must not raise an alarm, except
// where the negation is the alarm: "non voglio più vivere"), typos and missing accents, figures of
// speech, money trouble that is not danger, and the content files themselves. The measured figures
// on the labelled sets are in `npm run bench` (bench/worry.ts).
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SUPPORTED_LANGUAGES } from "../core/i18n.ts";
import { compilePhrase, matchAt, PhraseError } from "../core/worry/phrases.ts";
import { tokenize } from "../core/worry/tokens.ts";
import { detectWorry, loadWorryPhrases, PHRASES_DIR, WORRY_LANGUAGES } from "../core/worry.ts";

const level = (text: string) => detectWorry(text)?.level ?? "ordinary";

describe("worry levels: hard cases", () => {
  it.each([
    // A negated wish is no danger…
    ["it", "Non voglio farmi del male, tranquilla", "ordinary"],
    ["it", "no no, non penso proprio al suicidio", "ordinary"],
    ["en", "Don't worry, I won't hurt myself", "ordinary"],
    ["en", "I am not going to kill myself, I just need the form", "ordinary"],
    ["fr", "je ne vais pas me tuer, rassurez-vous", "ordinary"],
    ["es", "no voy a hacerme daño, solo estoy cansada", "ordinary"],
    ["ro", "nu o să-mi fac rău, stai liniștită", "ordinary"],
    ["uk", "я не збираюся вбити себе", "ordinary"],
    ["ar", "لن أؤذي نفسي لا تخافوا", "ordinary"],
    // …but a negation that is the wish itself is danger, and "nobody" never hides it.
    ["it", "non voglio più vivere così", "danger"],
    ["it", "nessuno mi ascolta voglio morire", "danger"],
    ["en", "nobody cares i want to die", "danger"],
    ["en", "I don't want to live like this any more", "danger"],
    ["fr", "je n'ai plus envie de vivre du tout", "danger"],
    ["es", "ya no quiero vivir así", "danger"],
    ["ro", "nu mai vreau să trăiesc așa", "danger"],
    ["sq", "nuk dua të jetoj më kështu", "danger"],
    ["uk", "я більше не хочу жити так", "danger"],
    ["ar", "لا أريد أن أعيش هكذا", "danger"],
    // A negation stops at a comma or a "but".
    ["it", "non so, voglio farla finita", "danger"],
    ["en", "I don't know but I want to kill myself", "danger"],
    // Typos, no accents, chat spellings.
    ["it", "nn ce la faccio piu, vojo morire", "danger"],
    ["it", "ci e arrivato lo sfrato", "housing"],
    ["en", "got an evicton notice", "housing"],
    ["en", "i cant pay rent this month", "money"],
    // Money trouble is money trouble, whatever the despair words.
    ["it", "Non riesco a pagare l'affitto questo mese", "money"],
    ["it", "sono disperata, ho perso il lavoro", "money"],
    ["en", "we're broke and desperate", "money"],
    // No eviction came: no alarm.
    ["it", "non ci è mai arrivato nessuno sfratto", "ordinary"],
    ["en", "we never had any eviction notice", "ordinary"],
    // Figures of speech and everyday words.
    ["it", "la lezione di ieri mi ha fatto morire dal ridere", "ordinary"],
    ["it", "la luce del pianerottolo non va", "ordinary"],
    ["it", "ho pagato la bolletta del gas ieri", "ordinary"],
    ["fr", "je voudrais suivre le cours de cuisine", "ordinary"],
    ["ar", "وصلني طرد من أمازون", "ordinary"],
  ])("%s: «%s» → %s", (_language, text, expected) => {
    expect(level(text)).toBe(expected);
  });

  it("names every signal, most serious first", () => {
    expect(detectWorry("Ci sfrattano e mio marito mi picchia, non ce la faccio più")).toEqual({
      level: "danger",
      signals: ["violence", "eviction", "hardship"],
    });
  });

  it("reads a plain question about the debt as a question, not as money trouble, in every language", () => {
    // Asking what one owes is the bot's everyday business (the intents answer it with /balance);
    // a case opened for it would be an alarm nobody raised. Romanian and Albanian once did.
    const questions = [
      "quanto è il mio debito?",
      "how much do I owe?",
      "cât datorez?",
      "care e datoria mea?",
      "sa borxh kam?",
      "combien je dois ?",
      "¿cuánto debo?",
      "скільки я винен?",
      "كم علي من دين؟",
    ];
    expect(questions.map(level)).toEqual(questions.map(() => "ordinary"));
    expect(level("sunt plin de datorii")).toBe("money");
    expect(level("kam shumë borxhe dhe nuk ia dal")).toBe("money");
  });

  it("finds nothing in an empty message or emoji", () => {
    for (const text of ["", "   ", "🙂👍", "…"]) expect(detectWorry(text)).toBeNull();
  });

  it("reads words the same whatever the accents, apostrophes and letter variants", () => {
    expect(tokenize("Non ce la FACCIO più!!! l'affitto")).toEqual([
      "non",
      "ce",
      "la",
      "faccio",
      "piu",
      "",
      "l",
      "affitto",
    ]);
    expect(tokenize("أُريدُ أنْ أموت")).toEqual(["اريد", "ان", "اموت"]);
    expect(tokenize("ş ș s")).toEqual(["s", "s", "s"]);
  });
});

// Indirect danger, said in words no list had before: wanting to vanish, hoping not to wake up,
// "ending it" without the word life, being a burden, threats to kill, the throat, being locked in,
// fear of going home. Danger wins over the money words next to it. And "this heat is killing me"
// is a figure of speech, not violence.
describe("worry levels: indirect danger and its look-alikes", () => {
  it.each([
    ["en", "some days I just want to disappear, I can't go on", "danger"],
    ["en", "honestly I hope I don't wake up tomorrow", "danger"],
    ["en", "I keep thinking about ending it", "danger"],
    ["en", "my husband says he'll kill me if I tell anyone", "danger"],
    ["en", "he grabbed me by the neck last night", "danger"],
    ["en", "I'm scared to go home tonight", "danger"],
    ["en", "he hits the kids when he drinks", "danger"],
    ["it", "vorrei solo sparire, non ce la faccio più", "danger"],
    ["it", "dice che mi ammazza se lo lascio", "danger"],
    ["ro", "zice că mă omoară dacă plec", "danger"],
    ["sq", "më kapi për fyti dje", "danger"],
    ["uk", "думаю покінчити з усім", "danger"],
    ["fr", "je veux disparaître", "danger"],
    ["es", "tengo miedo de volver a casa", "danger"],
    ["ar", "بدي اختفي", "danger"],
    ["en", "the debts keep piling up", "money"],
    ["en", "they cut my pay again this month", "money"],
    ["it", "i debiti si accumulano ogni mese", "money"],
    ["ro", "datoriile se tot adună", "money"],
    ["sq", "borxhet po shtohen çdo muaj", "money"],
    ["uk", "урізали зарплату вдвічі", "money"],
    ["es", "me recortaron el sueldo", "money"],
    // "they cut" alone once read as utilities cut off: a salary cut is money trouble, not housing.
    ["ar", "قطعوا راتبي هالشهر", "money"],
    ["en", "they will stop the water next week", "housing"],
    ["ro", "ne taie curentul săptămâna viitoare", "housing"],
    ["sq", "do na presin dritat javën tjetër", "housing"],
    ["ro", "căldura asta mă omoară", "ordinary"],
    ["it", "questo caldo mi ammazza", "ordinary"],
    ["en", "work is killing me lately", "ordinary"],
    ["es", "este calor me mata", "ordinary"],
    ["ar", "الحر يقتلني", "ordinary"],
    ["sq", "më dhemb fyti", "ordinary"],
    ["en", "my savings just disappear every month", "ordinary"],
    ["en", "the landlord threatened to evict us", "housing"],
  ])("%s: %s → %s", (_language, text, expected) => {
    expect(level(text)).toBe(expected);
  });
});

// Phrasing nobody anticipated (blind set 2 missed these kinds): a stockpile of pills, goodbye
// letters, standing on a balcony for an hour, giving things away, a rope; hitting in the third
// person, a belt, a black eye, fear of him coming home drunk, the phone and keys taken, being locked
// in, dragged by the hair, a threat to kill if she leaves. And their look-alikes: medicines for blood
// pressure, a film, a boss who "will kill me", "nobody hits me", a negation inside the phrase.
describe("worry levels: concepts broadened after blind set 2", () => {
  it.each([
    ["it", "sto conservando i sonniferi da settimane", "danger"],
    ["en", "i've been stockpiling painkillers, there are enough now", "danger"],
    ["fr", "j'ai gardé tous mes somnifères dans un tiroir", "danger"],
    ["es", "llevo meses guardando pastillas para dormir", "danger"],
    ["uk", "я відкладала снодійне, тепер вистачить", "danger"],
    ["it", "ho lasciato delle lettere per i miei figli", "danger"],
    ["ro", "am scris un bilet de adio", "danger"],
    ["en", "i'm standing on the balcony for an hour now", "danger"],
    ["sq", "po mendoj te hidhem nga dritarja", "danger"],
    ["en", "bought a rope today, dont know why im telling you", "danger"],
    ["it", "il suo compagno la mena e lei ha un occhio nero", "danger"],
    ["en", "my ex beats my daughter with a belt", "danger"],
    ["es", "mi marido le pega a mi hija con el cinturón", "danger"],
    ["fr", "j'ai peur quand il rentre saoul", "danger"],
    ["ro", "îmi ia telefonul și mă încuie în casă", "danger"],
    ["ar", "بياخد تلفوني وبيسكر علي الباب", "danger"],
    ["it", "mi ha trascinata per i capelli", "danger"],
    ["uk", "він знову підняв на мене руку", "danger"],
    ["sq", "tha se do me vrasi nese e le", "danger"],
    ["en", "he said he'll find me wherever i go", "danger"],
    ["it", "ho preso le pastiglie per la pressione stamattina", "ordinary"],
    ["en", "i took my blood pressure tablets this morning", "ordinary"],
    ["en", "we watched a film where he strangled her", "ordinary"],
    ["en", "my boss will kill me if im late haha", "ordinary"],
    ["fr", "mon chef va me tuer si j'arrive en retard", "ordinary"],
    ["en", "no, nobody hits me, we're fine", "ordinary"],
    ["es", "nadie me pega, tranquilos", "ordinary"],
    ["it", "mio marito non mi picchia più da anni", "ordinary"],
    ["it", "mio marito mi picchia", "danger"],
    ["it", "ho regalato i vestiti dei bambini alla parrocchia", "ordinary"],
    ["en", "this rent is killing me", "money"],
    // A negation that belongs to a phrase of its own does not deny the next one.
    ["it", "nn ce la faccio piu vojo morì", "danger"],
    ["es", "no aguanto mas quiero morirme", "danger"],
    ["en", "i have no intention of hurting myself", "ordinary"],
  ])("%s: %s → %s", (_language, text, expected) => {
    expect(level(text)).toBe(expected);
  });
});

describe("worry phrase syntax", () => {
  const at = (phrase: string, text: string) => matchAt(tokenize(text), 0, compilePhrase(phrase));

  it("reads `a_b|c` as the words «a b» or the word «c»", () => {
    const phrase = "porta_via|prende ~2 telefono";
    expect(at(phrase, "porta via il telefono")).toBe(4);
    expect(at(phrase, "prende il telefono")).toBe(3);
    expect(at(phrase, "porta il telefono")).toBe(-1);
    expect(at("he ~1 took|takes_away my_phone|keys", "he takes away my phone")).toBe(5);
    expect(at("he ~1 took|takes_away my_phone|keys", "he took keys")).toBe(3);
  });

  it("refuses a stray underscore", () => {
    expect(() => compilePhrase("porta_ ~2 telefono")).toThrow(PhraseError);
    expect(() => compilePhrase("_via")).toThrow(PhraseError);
  });
});

describe("worry phrase lists (content)", () => {
  it("exist for every language the bot speaks", () => {
    expect([...WORRY_LANGUAGES].sort()).toEqual([...SUPPORTED_LANGUAGES].sort());
  });

  it("refuse a bad file with its language and the problem", () => {
    const dir = mkdtempSync(join(tmpdir(), "worry-"));
    const good = JSON.parse(readFileSync(join(PHRASES_DIR, "it.json"), "utf8"));
    writeFileSync(join(dir, "xx.json"), JSON.stringify({ ...good, danger: { self_harm: [] } }));
    expect(() => loadWorryPhrases(dir)).toThrow(/worry phrases xx:.*violence/s);
    writeFileSync(join(dir, "xx.json"), JSON.stringify({ ...good, negations: ["can't"] }));
    expect(() => loadWorryPhrases(dir)).toThrow(/must be one word/);
  });

  // Short idioms ("ya no quiero vivir") are both a phrase and a plausible whole message; longer
  // messages of the set must not be copied into the lists.
  it("do not contain the labelled sets' longer messages (the sets measure, they do not teach)", () => {
    const phrases = new Set(
      loadWorryPhrases().flatMap((language) =>
        language.signals.map((s) => tokenize(s.phrase.source).join(" ")),
      ),
    );
    const bench = join(import.meta.dirname, "..", "bench");
    const set = readdirSync(bench)
      .filter((file) => /^worry-.*\.jsonl$/.test(file))
      .flatMap((file) => readFileSync(join(bench, file), "utf8").split("\n"))
      .filter((line) => line !== "")
      .map((line) => tokenize((JSON.parse(line) as { text: string }).text).join(" "));
    const copied = set.filter((sentence) => sentence.split(" ").length > 6 && phrases.has(sentence));
    expect(copied).toEqual([]);
  });
});

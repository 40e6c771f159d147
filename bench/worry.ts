// Worry levels benchmark (part of `npm run bench`): the detector against the labelled set in
// bench/worry-set.jsonl (written apart from, and before, the phrase lists in core/worry/phrases/).
// Prints precision and recall per level, and how many ordinary or money-trouble messages would be
// answered with the emergency numbers. `node bench/worry.ts --misses` lists every wrong answer.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { detectWorry, needsSafetyCheck, WORRY_LEVELS } from "../core/worry.ts";

type Result = { name: string; value: number; unit: string; note?: string };
const LABELS = ["ordinary", ...WORRY_LEVELS] as const;
type Label = (typeof LABELS)[number];

const entrySchema = z.strictObject({ lang: z.string(), level: z.enum(LABELS), text: z.string() });
export type WorryEntry = z.infer<typeof entrySchema>;

export function readWorrySet(file = join(import.meta.dirname, "worry-set.jsonl")): WorryEntry[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, i) => {
      const parsed = entrySchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`worry-set.jsonl line ${i + 1}: ${parsed.error.message}`);
      return parsed.data;
    });
}

const predict = (text: string): Label => detectWorry(text)?.level ?? "ordinary";
const percent = (part: number, whole: number) => (whole === 0 ? 100 : (100 * part) / whole);

/** Figures on one labelled file, each named "<label>: …". */
function figures(label: string, file: string, misses: boolean): Result[] {
  const set = readWorrySet(join(import.meta.dirname, file));
  const predicted = set.map((entry) => ({ ...entry, got: predict(entry.text) }));
  const results: Result[] = [];
  for (const level of LABELS) {
    const truePositives = predicted.filter((p) => p.level === level && p.got === level).length;
    const labelled = predicted.filter((p) => p.level === level).length;
    const answered = predicted.filter((p) => p.got === level).length;
    results.push(
      {
        name: `${label}: ${level} recall`,
        value: percent(truePositives, labelled),
        unit: "%",
        note: `${truePositives} of ${labelled}`,
      },
      {
        name: `${label}: ${level} precision`,
        value: percent(truePositives, answered),
        unit: "%",
        note: `${truePositives} of ${answered}`,
      },
    );
  }
  const calm = predicted.filter((p) => p.level === "ordinary" || p.level === "money");
  const alarmed = calm.filter((p) => p.got === "danger").length;
  // The safety question (bot/features/worry.ts): a danger it asks about is not missed, though the
  // person has to answer it; a calm message it asks about costs them one button.
  const asks = (p: (typeof predicted)[number]) =>
    p.got !== "danger" && needsSafetyCheck(p.text, detectWorry(p.text));
  const dangers = predicted.filter((p) => p.level === "danger");
  const caught = dangers.filter((p) => p.got === "danger" || asks(p)).length;
  const asked = calm.filter(asks).length;
  results.push(
    {
      name: `${label}: danger answered or asked "are you safe?"`,
      value: percent(caught, dangers.length),
      unit: "%",
      note: `${caught} of ${dangers.length}`,
    },
    {
      name: `${label}: ordinary or money asked "are you safe?"`,
      value: percent(asked, calm.length),
      unit: "%",
      note: `${asked} of ${calm.length}`,
    },
  );
  results.push({
    name: `${label}: ordinary or money answered with emergency numbers`,
    value: percent(alarmed, calm.length),
    unit: "%",
    note: `${alarmed} of ${calm.length}; ${set.length} messages, ${new Set(set.map((e) => e.lang)).size} languages`,
  });
  if (misses) {
    for (const p of predicted) {
      if (p.got !== p.level) console.log(`${file}  ${p.lang}  ${p.level} → ${p.got}  «${p.text}»`);
    }
  }
  return results;
}

/** Every line a household reads from the bot (locales/, the worry answers left out), tags removed. */
function botTexts(): string[] {
  const root = join(import.meta.dirname, "..", "locales");
  const lines: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (typeof value === "string") {
      if (path.includes(".worry.")) return;
      for (const line of value.split("\n")) {
        const clean = line.replace(/<[^>]+>/g, "").replace(/\{\{[^}]+\}\}/g, "1");
        if (clean.trim() !== "") lines.push(clean);
      }
    } else if (value !== null && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) walk(inner, `${path}.${key}`);
    }
  };
  // locales/ also holds STYLE.md: only the language folders hold texts.
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const language = entry.name;
    for (const file of readdirSync(join(root, language))) {
      if (file === "admin.json" || file === "staff.json") continue;
      walk(JSON.parse(readFileSync(join(root, language, file), "utf8")), `.${file}`);
    }
  }
  return lines;
}

/** The bot's own texts are ordinary talk about debts, plans and courses: none may read as danger. */
function ownTexts(): Result[] {
  const lines = botTexts();
  const levels = lines.map((line) => predict(line));
  const count = (label: Label) => levels.filter((l) => l === label).length;
  return [
    {
      name: "worry: the bot's own texts read as danger",
      value: count("danger"),
      unit: "lines",
      note: `of ${lines.length} lines in 8 languages; ${count("housing")} as housing, ${count("money")} as money (FAQ answers about not paying)`,
    },
  ];
}

/**
 * Three labelled sets, all written by hand apart from the phrase lists:
 * - worry-set.jsonl (418 messages), written before the detector; its misses guided fixes of the
 *   matcher (negation reach, clause breaks, fuzzy matching), and the lists of it and en;
 * - worry-holdout.jsonl (80), written after the first round; measured blind once (danger recall
 *   0 of 25, housing 12 of 18, money 6 of 18: indirect phrasing — pills, not waking up, strangling —
 *   was missing), then the lists were broadened by concept in all languages;
 * - worry-blind.jsonl (48), written after that; measured blind once (danger 11 of 18, housing 10 of
 *   10, money 9 of 10, no false alarm), then "end this life" and a past tense were added;
 * - worry-blind2.jsonl (200, 25 a language), by someone who never saw the lists; measured blind once
 *   (danger 29 of 80, housing 33 of 40, money 20 of 32, ordinary 45 of 48, and 3 of 80 calm messages
 *   answered with the emergency numbers: "nobody hits me", "my boss will kill me haha"). Its misses
 *   were read for the concepts they lacked — pills put aside, goodbye letters, a balcony and a floor,
 *   things given away, a rope, a knife; hitting in the third person, a belt, a black eye, fear of him
 *   drunk, keys and phone taken, locked in, hair, threats if she leaves — and the lists were broadened
 *   by concept in all eight languages, with look-alikes (medicines for blood pressure, films, a boss
 *   who "will kill me", "nobody hits me"); the matcher learned `a_b|c` alternatives, a negation inside
 *   a phrase's gap, a negation that belongs to a phrase before it, and figures of speech that hide
 *   every language's phrases. After: danger 80 of 80, housing 40, money 32, ordinary 48, no calm
 *   message alarmed — figures that no longer measure phrasing nobody anticipated.
 * - worry-blind3.jsonl (200, 25 a language), by another writer who never saw the lists, written
 *   before blind 2's round; measured blind twice: before that round (danger 26 of 80, housing 32 of
 *   40, money 15 of 32, ordinary 44 of 48, 4 of 80 calm messages alarmed) and after it and the safety
 *   markers (core/worry/safety/), before anyone read it: danger 55 of 80 answered as danger and 65 of
 *   80 answered or asked "are you safe?", housing 33 of 40, money 18 of 32, ordinary 47 of 48, 1 of
 *   80 calm messages alarmed and 6 of 80 asked. Its misses were then read for concepts (farewells
 *   without a word of death, train tracks, gas, an exhaust hose, cuts on a child's arm, "a burden on
 *   them", not going home, a fire threat; "this form is killing me" as a figure of speech), added
 *   to the markers and figures in all eight languages.
 * - worry-blind4.jsonl (200, 25 a language), by a third writer, after blind 3's round; measured
 *   blind once: danger 43 of 80 answered as danger and 52 of 80 answered or asked, housing 31 of 40,
 *   money 17 of 32, ordinary 44 of 48; 4 of 80 calm messages alarmed (helpline numbers asked for a
 *   leaflet, a rope for the washing) and 8 of 80 asked. Its misses were read for concepts (a method
 *   searched online, a gun at home, stalking, "tonight is the last", an attempt years ago, forced
 *   sex, a wage or bank card taken, "why go on") and look-alikes (a rope for the washing, pills for a
 *   cold, a joke threat over a party), added to the markers and figures in all eight languages.
 * - worry-blind5.jsonl (200, 25 a language), by a fourth writer, after blind 4's round; measured
 *   blind once, and nobody has read its misses yet: danger 48 of 80 answered as danger and 61 of 80
 *   answered or asked, housing 30 of 40, money 20 of 32, ordinary 47 of 48; no calm message alarmed,
 *   10 of 80 asked. The next round should start from its misses, and a new set measure it.
 * The blind first figures are the honest estimate for phrasing nobody anticipated.
 */
export async function benchWorry(options: { misses?: boolean } = {}): Promise<Result[]> {
  const misses = options.misses ?? false;
  const results = [
    ...figures("worry", "worry-set.jsonl", misses),
    ...figures("worry held-out", "worry-holdout.jsonl", misses),
    ...figures("worry blind", "worry-blind.jsonl", misses),
    ...figures("worry blind 2", "worry-blind2.jsonl", misses),
    ...figures("worry blind 3", "worry-blind3.jsonl", misses),
    ...figures("worry blind 4", "worry-blind4.jsonl", misses),
    ...figures("worry blind 5", "worry-blind5.jsonl", misses),
    ...ownTexts(),
  ];
  const set = readWorrySet();
  const started = performance.now();
  const rounds = 20;
  for (let i = 0; i < rounds; i++) for (const entry of set) detectWorry(entry.text);
  results.push({
    name: "worry: detection per message",
    value: ((performance.now() - started) * 1000) / (rounds * set.length),
    unit: "µs",
  });
  return results;
}

if (import.meta.main) {
  for (const r of await benchWorry({ misses: process.argv.includes("--misses") })) {
    console.log(`${r.name.padEnd(60)} ${r.value.toFixed(1)} ${r.unit}${r.note ? `  (${r.note})` : ""}`);
  }
}

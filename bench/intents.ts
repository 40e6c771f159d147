// Intents benchmark (part of `npm run bench`): the free-text classifier (core/intents.ts) against
// bench/intents-holdout.jsonl, a set of requests written before, and apart from, the phrase files in
// core/intents/phrases/ (none of its texts is an example there). "none" marks ordinary talk that
// should reach the fallback. `node bench/intents.ts --misses` lists every wrong answer.
//
// Measured blind once, with the first phrase files: 59 of 86 requests (68.6%) answered right at once,
// 81 of 86 (94.2%) right at once or among the "Did you mean…?" buttons, 1 of 86 answered with the
// wrong feature. Those figures counted 5 texts that were also examples (the issue's own requests and
// one-word "help"s), found later by test/intents.test.ts; they are now left out (without them the
// blind figure was at least 54 of 81, 66.7%). After that one look,
// a lone candidate scoring 0.5 or more is answered at once (SURE_ALONE) and a typo counts for less
// than the word (TYPO_CREDIT); the figures printed now are no longer blind.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { INTENTS, intentClassifier, readPhrases, understand } from "../core/intents.ts";
import { tokenize } from "../core/worry/tokens.ts";

type Result = { name: string; value: number; unit: string; note?: string };

const entrySchema = z.strictObject({
  language: z.string(),
  text: z.string(),
  intent: z.enum([...INTENTS, "none"]),
});
export type IntentEntry = z.infer<typeof entrySchema>;

export function readIntentSet(file = join(import.meta.dirname, "intents-holdout.jsonl")): IntentEntry[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, i) => {
      const parsed = entrySchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`intents-holdout.jsonl line ${i + 1}: ${parsed.error.message}`);
      return parsed.data;
    });
}

const percent = (part: number, whole: number) => (whole === 0 ? 100 : (100 * part) / whole);

export async function benchIntents(misses = false): Promise<Result[]> {
  const started = performance.now();
  const classifier = intentClassifier();
  const trainMs = performance.now() - started;
  // The issue's own requests ("aiuto", "quando c'è il corso?") must work, so they are examples too:
  // a held-out text that is also an example is not counted.
  const examples = new Set(
    [...readPhrases().values()]
      .flatMap((content) => INTENTS.flatMap((intent) => content[intent]))
      .map((phrase) => tokenize(phrase).join(" ")),
  );
  const all = readIntentSet();
  const set = all.filter((entry) => !examples.has(tokenize(entry.text).join(" ")));
  let answered = 0; // the right feature straight away
  let offered = 0; // the right feature among the "Did you mean…?" buttons
  let wrong = 0; // another feature straight away: the worst outcome
  const requests = set.filter((entry) => entry.intent !== "none");
  for (const entry of set) {
    const got = understand(classifier, entry.text);
    const right =
      entry.intent === "none"
        ? got.kind === "none"
        : got.kind === "sure"
          ? got.intent === entry.intent
          : got.kind === "unsure" && got.intents.includes(entry.intent as (typeof INTENTS)[number]);
    if (entry.intent !== "none") {
      if (got.kind === "sure" && got.intent === entry.intent) answered++;
      else if (got.kind === "unsure" && right) offered++;
      else if (got.kind === "sure") wrong++;
    }
    if (misses && !(right && (got.kind !== "unsure" || entry.intent === "none"))) {
      const shown =
        got.kind === "sure" ? got.intent : got.kind === "unsure" ? `? ${got.intents.join("/")}` : "none";
      console.log(`${entry.language}  ${entry.intent} → ${shown} (${got.score.toFixed(2)})  «${entry.text}»`);
    }
  }
  const chatter = set.filter((entry) => entry.intent === "none");
  const chatterKept = chatter.filter((entry) => understand(classifier, entry.text).kind === "none").length;
  const note = `${requests.length} requests, ${new Set(set.map((e) => e.language)).size} languages; ${all.length - set.length} texts left out as they are also examples`;
  return [
    {
      name: "intents: answered right at once",
      value: percent(answered, requests.length),
      unit: "%",
      note: `${answered} of ${requests.length}`,
    },
    {
      name: "intents: right at once or among the buttons",
      value: percent(answered + offered, requests.length),
      unit: "%",
      note: `${answered + offered} of ${requests.length}; ${note}`,
    },
    {
      name: "intents: answered with the wrong feature",
      value: percent(wrong, requests.length),
      unit: "%",
      note: `${wrong} of ${requests.length}`,
    },
    {
      name: "intents: small talk left to the fallback",
      value: percent(chatterKept, chatter.length),
      unit: "%",
      note: `${chatterKept} of ${chatter.length}`,
    },
    { name: "intents: training at start-up", value: trainMs, unit: "ms" },
  ];
}

if (import.meta.main) {
  for (const r of await benchIntents(process.argv.includes("--misses"))) {
    console.log(`${r.name}  ${r.value.toFixed(1)} ${r.unit}${r.note ? `  (${r.note})` : ""}`);
  }
}

// What a household's free text asks for ("quanto devo pagare?", "voglio parlare con qualcuno"), so
// the bot can answer with the feature itself instead of "I did not understand".
//
// An intent classifier trained at start-up from example phrases, one content file per language in
// core/intents/phrases/<language>.json. It is small on purpose, so that anyone can see why a message
// got the answer it got:
// - words as the worry detector reads them (core/worry/tokens.ts: Intl.Segmenter, lower case, no
//   accents), with each language's chat spellings ("nn" → "non", "cmq" → "comunque");
// - a typed word not among the examples' words is taken as its nearest one when it is a typo away
//   (fastest-levenshtein: 1 edit from 5 letters, 2 from 8, or two letters swapped), so "pagere",
//   "docomenti", "qaunto" count, for a little less than the word itself;
// - each word weighs by how few intents use it (inverse intent frequency): "corso" says a lot, "il"
//   and "devo" little; a message is compared with every example (a weighted cosine of the word sets)
//   and an intent scores as its closest example.
// All languages' examples are tried on every message, since people mix Italian with their own.
// No library of the chatbot field fitted (see the report in git history): nlp.js has had no release
// since 2024 and no Albanian, `natural` pulls in database clients, wink's classifier an English model.
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { closest, distance } from "fastest-levenshtein";
import { z } from "zod";
import { BREAK, tokenize } from "./worry/tokens.ts";

export const PHRASES_DIR = join(import.meta.dirname, "intents", "phrases");

/** What people ask for, each answered by one feature (bot/features/intents.ts). */
export const INTENTS = [
  "balance",
  "plan",
  "how_to_pay",
  "paid",
  "expense",
  "income",
  "courses",
  "documents",
  "operator",
  "language",
  "help",
  "stop",
] as const;
export type Intent = (typeof INTENTS)[number];

export function isIntent(value: string): value is Intent {
  return (INTENTS as readonly string[]).includes(value);
}

/** A closest example scoring this much is taken as the answer, even with a rival close behind… */
export const SURE = 0.6;
/** …and this much when no other intent comes close. */
export const SURE_ALONE = 0.5;
/** Below this nothing is close enough to suggest. */
export const PLAUSIBLE = 0.34;
/** A runner-up this close to the best makes the bot ask instead of guess. */
export const CLOSE_CALL = 0.08;
/** At most this many suggestions ("Did you mean…?"). */
export const MAX_SUGGESTIONS = 3;

export type Understanding =
  | { kind: "sure"; intent: Intent; score: number }
  | { kind: "unsure"; intents: Intent[]; score: number }
  | { kind: "none"; score: number };

const phraseList = z.array(z.string().min(1)).min(1);
const contentSchema = z.strictObject({
  ...(Object.fromEntries(INTENTS.map((intent) => [intent, phraseList])) as Record<Intent, typeof phraseList>),
  spellings: z.record(z.string(), z.string()),
});

type Example = { intent: Intent; words: ReadonlySet<string>; norm: number };

export type Classifier = {
  examples: Example[];
  /** Word → weight (how few intents use it). */
  weights: Map<string, number>;
  vocabulary: string[];
  spellings: Map<string, string[]>;
};

type Content = z.infer<typeof contentSchema>;

export function readPhrases(dir = PHRASES_DIR): Map<string, Content> {
  const out = new Map<string, Content>();
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith(".json")) continue;
    const parsed = contentSchema.safeParse(JSON.parse(readFileSync(join(dir, file), "utf8")));
    if (!parsed.success) throw new Error(`${file}: ${parsed.error.message}`);
    out.set(basename(file, ".json"), parsed.data);
  }
  return out;
}

function words(text: string, spellings: Map<string, string[]>): string[] {
  return tokenize(text)
    .filter((word) => word !== BREAK)
    .flatMap((word) => spellings.get(word) ?? [word]);
}

function norm(set: Iterable<string>, weightOf: (word: string) => number): number {
  let sum = 0;
  for (const word of set) sum += weightOf(word) ** 2;
  return Math.sqrt(sum);
}

export function trainClassifier(phrases = readPhrases()): Classifier {
  const spellings = new Map<string, string[]>();
  for (const content of phrases.values()) {
    for (const [typed, meant] of Object.entries(content.spellings)) {
      spellings.set(tokenize(typed).join(" "), tokenize(meant));
    }
  }
  const raw: { intent: Intent; words: Set<string> }[] = [];
  const intentsOf = new Map<string, Set<Intent>>();
  for (const content of phrases.values()) {
    for (const intent of INTENTS) {
      for (const phrase of content[intent]) {
        const set = new Set(words(phrase, spellings));
        raw.push({ intent, words: set });
        for (const word of set) {
          const seen = intentsOf.get(word) ?? new Set<Intent>();
          seen.add(intent);
          intentsOf.set(word, seen);
        }
      }
    }
  }
  const weights = new Map<string, number>();
  for (const [word, intents] of intentsOf) weights.set(word, Math.log(1 + INTENTS.length / intents.size));
  const weightOf = (word: string) => weights.get(word) ?? 0;
  return {
    examples: raw.map(({ intent, words: set }) => ({ intent, words: set, norm: norm(set, weightOf) })),
    weights,
    vocabulary: [...weights.keys()],
    spellings,
  };
}

/** A word the examples do not use weighs as much as one only a single intent uses: it may matter. */
function unknownWeight(): number {
  return Math.log(1 + INTENTS.length);
}

/** How much a word that only looks like an examples' word (a typo away) counts next to the real one. */
const TYPO_CREDIT = 0.6;
/** Words this short are only ever taken as typed: "si", "no", "va" are a typo away from too much. */
const MIN_TYPO_LENGTH = 5;

/** The examples' word a typed word stands for, and how surely: as typed, or a typo away from it. */
function known(classifier: Classifier, word: string): { word: string; credit: number } | undefined {
  if (classifier.weights.has(word)) return { word, credit: 1 };
  if (word.length < MIN_TYPO_LENGTH) return undefined;
  const allowed = word.length >= 8 ? 2 : 1;
  const nearest = closest(word, classifier.vocabulary);
  if (distance(word, nearest) <= allowed) return { word: nearest, credit: TYPO_CREDIT };
  // Two letters swapped ("qaunto") is the commonest slip on a phone: one mistake, not two.
  const swapped = classifier.vocabulary.find((candidate) => swappedOnce(word, candidate));
  return swapped === undefined ? undefined : { word: swapped, credit: TYPO_CREDIT };
}

function swappedOnce(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const diff: number[] = [];
  for (let i = 0; i < a.length && diff.length <= 2; i++) if (a[i] !== b[i]) diff.push(i);
  const [i, j] = diff;
  return diff.length === 2 && i !== undefined && j === i + 1 && a[i] === b[j] && a[j] === b[i];
}

/** Each intent's score (its closest example), best first. */
export function scoreIntents(classifier: Classifier, text: string): { intent: Intent; score: number }[] {
  const typed = words(text, classifier.spellings);
  const message = new Map<string, number>();
  let unknownSquares = 0;
  for (const word of new Set(typed)) {
    const found = known(classifier, word);
    if (found === undefined) unknownSquares += unknownWeight() ** 2;
    else message.set(found.word, Math.max(found.credit, message.get(found.word) ?? 0));
  }
  // Only short words matched ("si", "no", "e"): nothing was really said about what is wanted.
  if (![...message.keys()].some((word) => word.length > 2)) return [];
  const messageNorm = Math.sqrt(
    norm(message.keys(), (w) => classifier.weights.get(w) ?? 0) ** 2 + unknownSquares,
  );
  const best = new Map<Intent, number>();
  for (const example of classifier.examples) {
    if (example.norm === 0) continue;
    let shared = 0;
    for (const [word, credit] of message) {
      if (example.words.has(word)) shared += credit * (classifier.weights.get(word) ?? 0) ** 2;
    }
    const score = shared / (messageNorm * example.norm);
    if (score > (best.get(example.intent) ?? 0)) best.set(example.intent, score);
  }
  return [...best]
    .map(([intent, score]) => ({ intent, score }))
    .filter(({ score }) => score > 0)
    .sort((a, b) => b.score - a.score);
}

/** What the message asks for: one intent, two or three to choose from, or nothing we know. */
export function understand(classifier: Classifier, text: string): Understanding {
  const scores = scoreIntents(classifier, text);
  const top = scores[0];
  if (!top || top.score < PLAUSIBLE) return { kind: "none", score: top?.score ?? 0 };
  const close = scores.filter(({ score }) => score >= PLAUSIBLE && top.score - score <= CLOSE_CALL);
  if (top.score >= SURE && close.length === 1) return { kind: "sure", intent: top.intent, score: top.score };
  const suggested = (close.length > 1 ? close : scores.filter(({ score }) => score >= PLAUSIBLE))
    .slice(0, MAX_SUGGESTIONS)
    .map(({ intent }) => intent);
  if (suggested.length === 1 && top.score >= SURE_ALONE)
    return { kind: "sure", intent: top.intent, score: top.score };
  return { kind: "unsure", intents: suggested, score: top.score };
}

let trained: Classifier | undefined;

/** The classifier trained on the phrase files, once per process (a few milliseconds). */
export function intentClassifier(): Classifier {
  trained ??= trainClassifier();
  return trained;
}

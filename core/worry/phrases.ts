// Phrases as the worry lists write them, compiled once and matched against a message's words.
//
// A phrase is words separated by spaces, written as people type them (case and accents do not
// matter). `word*` matches any ending (sfratt* → sfratto, sfrattati), `*word` any beginning (Arabic
// attaches articles and conjunctions: *الكهرباء → والكهرباء), `a|b` either word, `a_b|c` either the
// words "a b" or the word "c" (people say one thing in a word or in several: "porta_via|prende ~2
// telefono"), and `~` up to three words of any kind in between (`~5`: up to five). A phrase never
// spans a clause break.
//
// Small typos are forgiven: a word of six letters or more matches with one letter wrong, missing or
// extra (Levenshtein distance 1, from the fastest-levenshtein library), and so does the stem of a
// `word*` of six letters or more; the first four letters must be right. Short words must be exact, or
// "evita" would read as "evict", and so must a phrase of one whole word (see compilePhrase).
import { distance } from "fastest-levenshtein";
import { BREAK, tokenize } from "./tokens.ts";

type Word = { text: string; prefix: boolean; suffix: boolean };
/** One or more words in a row (`porta_via`), any of which may carry `*`. */
type Alternative = Word[];
type Step = { kind: "word"; alternatives: Alternative[] } | { kind: "gap"; max: number };
export type Phrase = {
  source: string;
  steps: Step[];
  fuzzy: boolean;
  /** The letters its first word can start with (null: any, for `*word`): most starts are skipped at once. */
  firstLetters: Set<string> | null;
};

const DEFAULT_GAP = 3;
const FUZZY_WORD_MIN = 6;
const FUZZY_STEM_MIN = 6;

export class PhraseError extends Error {}

function alternative(raw: string, source: string): Alternative {
  return raw.split("_").map((part) => word(part, source));
}

function word(raw: string, source: string): Word {
  if (raw === "") throw new PhraseError(`«${source}»: an empty word (a stray "_" or "|")`);
  const prefix = raw.endsWith("*");
  const suffix = raw.startsWith("*");
  const words = tokenize(raw.replace(/^\*|\*$/g, ""));
  if (words.length !== 1 || words[0] === undefined) {
    throw new PhraseError(`«${source}»: «${raw}» must be one word (write "can t", not "can't")`);
  }
  return { text: words[0], prefix, suffix };
}

export function compilePhrase(source: string): Phrase {
  const steps: Step[] = [];
  for (const word of source.trim().split(/\s+/)) {
    const gap = /^~(\d*)$/.exec(word);
    if (gap) {
      steps.push({ kind: "gap", max: gap[1] ? Number(gap[1]) : DEFAULT_GAP });
      continue;
    }
    steps.push({ kind: "word", alternatives: word.split("|").map((raw) => alternative(raw, source)) });
  }
  if (steps[0]?.kind !== "word" || steps.at(-1)?.kind !== "word") {
    throw new PhraseError(`«${source}»: a phrase starts and ends with a word`);
  }
  // A phrase of one whole word has no other word to confirm a near miss: Spanish "demanda" must
  // not take Italian "domanda". Its typos are forgiven only through a `word*` stem.
  const words = steps.filter((step) => step.kind === "word");
  const fuzzy =
    words.length > 1 ||
    words.some((step) => step.alternatives.some((alt) => alt.length > 1 || alt.some((w) => w.prefix)));
  const first = steps[0].alternatives.map((alt) => alt[0] as Word);
  const firstLetters = first.some((w) => w.suffix) ? null : new Set(first.map((w) => w.text[0] ?? ""));
  return { source, steps, fuzzy, firstLetters };
}

/** How many first letters a near miss must have right: "someti(mes)" is not "somati(e)". */
const SURE_LETTERS = 4;

function near(a: string, b: string): boolean {
  return (
    a.slice(0, SURE_LETTERS) === b.slice(0, SURE_LETTERS) &&
    Math.abs(a.length - b.length) <= 1 &&
    distance(a, b) <= 1
  );
}

function wordMatches(token: string, alt: Word, fuzzy: boolean): boolean {
  const { text, prefix, suffix } = alt;
  if (prefix && suffix) return token.includes(text);
  if (suffix) return token.endsWith(text);
  if (prefix) {
    if (token.startsWith(text)) return true;
    if (!fuzzy || text.length < FUZZY_STEM_MIN) return false;
    return [text.length - 1, text.length, text.length + 1].some(
      (length) => token.length >= length && near(token.slice(0, length), text),
    );
  }
  return token === text || (fuzzy && text.length >= FUZZY_WORD_MIN && near(token, text));
}

/** Whether the alternative's words are the tokens from `at` on. */
function fitsAt(tokens: readonly string[], at: number, alt: Alternative, fuzzy: boolean): boolean {
  for (let i = 0; i < alt.length; i++) {
    const token = tokens[at + i];
    const word = alt[i];
    if (token === undefined || token === BREAK || word === undefined || !wordMatches(token, word, fuzzy)) {
      return false;
    }
  }
  return true;
}

/** Where the phrase's match starting at `start` ends (exclusive), or -1. */
export function matchAt(tokens: readonly string[], start: number, phrase: Phrase): number {
  const walk = (at: number, step: number): number => {
    const current = phrase.steps[step];
    if (current === undefined) return at;
    if (current.kind === "gap") {
      for (let skip = 0; skip <= current.max; skip++) {
        if (skip > 0 && (tokens[at + skip - 1] === undefined || tokens[at + skip - 1] === BREAK)) break;
        const end = walk(at + skip, step + 1);
        if (end !== -1) return end;
      }
      return -1;
    }
    for (const alt of current.alternatives) {
      if (!fitsAt(tokens, at, alt, phrase.fuzzy)) continue;
      const end = walk(at + alt.length, step + 1);
      if (end !== -1) return end;
    }
    return -1;
  };
  return walk(start, 0);
}

export type Span = { start: number; end: number };

/** Every place the phrase matches (the first match from each start). */
export function findAll(tokens: readonly string[], phrase: Phrase): Span[] {
  const spans: Span[] = [];
  for (let start = 0; start < tokens.length; start++) {
    if (phrase.firstLetters && !phrase.firstLetters.has(tokens[start]?.[0] ?? "")) continue;
    const end = matchAt(tokens, start, phrase);
    if (end !== -1) spans.push({ start, end });
  }
  return spans;
}

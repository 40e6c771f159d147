// Worry in a household's message, at three levels that are answered differently:
// - money: money trouble ("non riesco a pagare", "ho perso il lavoro") — the programme's everyday
//   business: a calm, practical answer and an ordinary case;
// - housing: the home at risk (an eviction, utilities cut off, a court summons) — an urgent case and
//   concrete steps, no emergency numbers;
// - danger: self-harm, thoughts of suicide, violence at home — 112 first, the helplines, an urgent
//   case and the operators' group alerted.
//
// The phrases are content, one file per language in core/worry/phrases/<language>.json (see
// core/worry/phrases.ts for how a phrase is written). Every language's phrases are tried on every
// message, since people mix Italian with their own language; each language's phrases are read with
// that language's own spellings ("nn" → "non"), negations and figures of speech.
//
// Negation: a phrase is set aside when one of its language's negation cues comes just before it in
// the same clause (for danger, only a verb's negation: "no one", "nessuno" never hide it; nor does
// a negation that belongs to a phrase before it, "non ce la faccio più voglio morire") — within three words of three letters or more ("al", "to" do not count), not past a comma or a "but" — so "non
// voglio farmi del male" is no danger. Phrases that are negative themselves ("non voglio più vivere",
// "I don't want to live") carry their negation inside and are not affected; any other phrase is set
// aside by a negation inside its own gap too ("mio marito ~3 picchia" over "mio marito non mi picchia
// più"). A figure of speech
// ("morire dal ridere") hides the words it covers, for the phrases of every language.
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { z } from "zod";
import { compilePhrase, findAll, matchAt, type Phrase, type Span } from "./worry/phrases.ts";
import { BREAK, tokenize } from "./worry/tokens.ts";

export const PHRASES_DIR = join(import.meta.dirname, "worry", "phrases");
/** Words that may mean danger without saying it (see safetyMarkers), one file per language. */
export const SAFETY_DIR = join(import.meta.dirname, "worry", "safety");

/** Least to most serious. */
export const WORRY_LEVELS = ["money", "housing", "danger"] as const;
export type WorryLevel = (typeof WORRY_LEVELS)[number];

export const WORRY_SIGNALS = {
  money: ["cant_pay", "income_loss", "hardship"],
  housing: ["eviction", "utilities", "court"],
  danger: ["self_harm", "violence"],
} as const satisfies Record<WorryLevel, readonly string[]>;
export type WorrySignal = (typeof WORRY_SIGNALS)[WorryLevel][number];

export type Worry = { level: WorryLevel; signals: WorrySignal[] };

/** Why a case is urgent: a worry the phrases found, or "in danger" answered to the safety question. */
export type UrgentSignal = WorrySignal | "safety_answer";

/** How many words (of three letters or more) a negation reaches forward. */
const NEGATION_REACH = 3;

const phraseList = z.array(z.string().min(1));
const contentSchema = z.strictObject({
  danger: z.strictObject({ self_harm: phraseList, violence: phraseList }),
  housing: z.strictObject({ eviction: phraseList, utilities: phraseList, court: phraseList }),
  money: z.strictObject({ cant_pay: phraseList, income_loss: phraseList, hardship: phraseList }),
  negations: phraseList,
  negations_of_things: phraseList,
  clause_breaks: z.array(z.string()),
  figures_of_speech: phraseList,
  spellings: z.record(z.string(), z.string()),
});

type SignalPhrase = {
  level: WorryLevel;
  signal: WorrySignal;
  phrase: Phrase;
  /** Whether the phrase is written with a verb negation of its own, or with any negation. */
  ownsVerbNegation: boolean;
  ownsNegation: boolean;
};

type LanguageMatcher = {
  language: string;
  signals: SignalPhrase[];
  /** The signal phrases by the letter their first word starts with; `*word` ones under "". */
  byFirstLetter: Map<string, SignalPhrase[]>;
  negations: Phrase[];
  negationsOfThings: Phrase[];
  clauseBreaks: Phrase[];
  figures: Phrase[];
  spellings: Map<string, string[]>;
};

function compileLanguage(language: string, raw: unknown): LanguageMatcher {
  const parsed = contentSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`worry phrases ${language}: ${z.prettifyError(parsed.error)}`);
  const content = parsed.data;
  const negations = content.negations.map(compilePhrase);
  const negationsOfThings = content.negations_of_things.map(compilePhrase);
  const verbWords = cueWords(negations);
  const allWords = cueWords([...negations, ...negationsOfThings]);
  const signals: LanguageMatcher["signals"] = [];
  for (const level of WORRY_LEVELS) {
    const groups: Record<string, string[]> = content[level];
    for (const signal of WORRY_SIGNALS[level]) {
      for (const source of groups[signal] ?? []) {
        const phrase = compilePhrase(source);
        signals.push({
          level,
          signal,
          phrase,
          ownsVerbNegation: ownsNegation(phrase, verbWords),
          ownsNegation: ownsNegation(phrase, allWords),
        });
      }
    }
  }
  const byFirstLetter = new Map<string, SignalPhrase[]>();
  for (const entry of signals) {
    for (const letter of entry.phrase.firstLetters ?? [""]) {
      byFirstLetter.set(letter, [...(byFirstLetter.get(letter) ?? []), entry]);
    }
  }
  return {
    language,
    signals,
    byFirstLetter,
    negations,
    negationsOfThings,
    clauseBreaks: content.clause_breaks.map(compilePhrase),
    figures: content.figures_of_speech.map(compilePhrase),
    spellings: new Map(
      Object.entries(content.spellings).map(([typed, meant]) => [tokenize(typed).join(" "), tokenize(meant)]),
    ),
  };
}

/** Every language file in `dir`, compiled (a bad file stops start-up with its name and problem). */
export function loadWorryPhrases(dir = PHRASES_DIR): LanguageMatcher[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) =>
      compileLanguage(basename(file, ".json"), JSON.parse(readFileSync(join(dir, file), "utf8")) as unknown),
    );
}

const MATCHERS = loadWorryPhrases();

const safetySchema = z.strictObject({ markers: phraseList });

/** Every language's safety markers, compiled (a bad file stops start-up with its name and problem). */
export function loadSafetyMarkers(dir = SAFETY_DIR): Map<string, Phrase[]> {
  const markers = new Map<string, Phrase[]>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    const language = basename(file, ".json");
    const parsed = safetySchema.safeParse(JSON.parse(readFileSync(join(dir, file), "utf8")));
    if (!parsed.success) throw new Error(`safety markers ${language}: ${z.prettifyError(parsed.error)}`);
    markers.set(language, parsed.data.markers.map(compilePhrase));
  }
  return markers;
}

const SAFETY_MARKERS = loadSafetyMarkers();

/** The languages that have a phrase file. */
export const WORRY_LANGUAGES: readonly string[] = MATCHERS.map((m) => m.language);

function respell(tokens: readonly string[], spellings: Map<string, string[]>): string[] {
  return tokens.flatMap((token) => spellings.get(token) ?? [token]);
}

/** The first words of a set of negation cues ("non", "don"), for `ownsNegation`. */
function cueWords(cues: readonly Phrase[]): Set<string> {
  return new Set(
    cues.flatMap((cue) => {
      const first = cue.steps[0];
      return first?.kind === "word" ? first.alternatives.map((alt) => alt[0]?.text ?? "") : [];
    }),
  );
}

/** Whether any word of the phrase is the first word of a negation cue ("non voglio più vivere"). */
function ownsNegation(phrase: Phrase, words: ReadonlySet<string>): boolean {
  return phrase.steps.some(
    (step) => step.kind === "word" && step.alternatives.some((alt) => alt.some((w) => words.has(w.text))),
  );
}

function negated(
  tokens: readonly string[],
  span: Span,
  entry: SignalPhrase,
  matcher: LanguageMatcher,
  level: WorryLevel,
  spoken: readonly Span[],
): boolean {
  // "No", "none", "any" deny a thing (no eviction letter came) but not a wish: "nobody cares, I
  // want to die" is danger. Only verb negations set a danger phrase aside.
  const cues = level === "danger" ? matcher.negations : [...matcher.negations, ...matcher.negationsOfThings];
  // A phrase that opens with a negation of its own ("pas les moyens" in "on n'a pas les moyens")
  // carries it: the "n'" before it is the same negation, not a second one.
  if (cues.some((cue) => matchAt(tokens, span.start, cue) !== -1)) return false;
  // A negation inside the phrase's own gap ("mio marito ~3 picchia" over "mio marito non mi picchia
  // più") denies it too, unless the phrase is written with a negation of its own words.
  const own = level === "danger" ? entry.ownsVerbNegation : entry.ownsNegation;
  // A negation that belongs to another phrase before this one ("non ce la faccio più" in "non ce la
  // faccio più voglio morire") is that phrase's, not a denial of this one.
  const taken = (at: number) => spoken.some((s) => s.start <= at && at < s.end && s.end <= span.start);
  const cueAt = (at: number) => !taken(at) && cues.some((cue) => matchAt(tokens, at, cue) !== -1);
  if (!own) {
    for (let at = span.start + 1; at < span.end; at++) {
      if (cueAt(at)) return true;
    }
  }
  let counted = 0;
  for (let at = span.start - 1; at >= 0 && counted < NEGATION_REACH; at--) {
    const token = tokens[at];
    if (token === undefined || token === BREAK) return false;
    if (matcher.clauseBreaks.some((phrase) => matchAt(tokens, at, phrase) !== -1)) return false;
    if (cueAt(at)) return true;
    if (token.length >= 3) counted++;
  }
  return false;
}

function overlaps(a: Span, b: Span): boolean {
  return a.start < b.end && b.start < a.end;
}

export type WorryMatch = { language: string; level: WorryLevel; signal: WorrySignal; phrase: string };

/** A phrase one language's reading found, its span in the message's words (-1 when respelled). */
type Found = { language: string; entry: SignalPhrase } & Span & { negated: boolean };

/**
 * The phrases `phrasesIn` finds in each language's reading of the message, negated and figurative
 * ones left out. Words two languages share ("suicid*") are negated when either language's rules say
 * so: "I'm not suicidal" is read with English negations although Italian has the word too. Within one
 * language a phrase that carries its own negation ("n ai plus envie de vivre") still counts.
 */
function spokenPhrases(
  text: string,
  phrasesIn: (matcher: LanguageMatcher, tokens: readonly string[]) => { entry: SignalPhrase; span: Span }[],
): Found[] {
  const words = tokenize(text);
  if (words.length === 0) return [];
  const readings = MATCHERS.map((matcher) => {
    const tokens = respell(words, matcher.spellings);
    // Spellings may change the number of words; spans are compared in the original words' terms
    // only when no respelling happened, which is the case for nearly every message.
    const comparable = tokens.length === words.length;
    return { matcher, tokens, comparable, figures: matcher.figures.flatMap((f) => findAll(tokens, f)) };
  });
  // A figure of speech is figurative whichever list a word of it also matches: in "a film where he
  // strangled her" Romanian "strangul*" takes "strangled" by a near miss, and English's figure
  // about films covers it.
  const sharedFigures = readings.filter((r) => r.comparable).flatMap((r) => r.figures);
  const found: Found[] = [];
  for (const { matcher, tokens, comparable, figures } of readings) {
    const hiding = comparable ? sharedFigures : figures;
    const matches = phrasesIn(matcher, tokens).filter(
      ({ span }) => !hiding.some((figure) => overlaps(figure, span)),
    );
    // The phrases written with a negation of their own, where they were found.
    const spoken = matches.filter((m) => m.entry.ownsNegation).map((m) => m.span);
    for (const { entry, span } of matches) {
      found.push({
        language: matcher.language,
        entry,
        ...(comparable ? span : { start: -1, end: -1 }),
        negated: negated(tokens, span, entry, matcher, entry.level, spoken),
      });
    }
  }
  const denied = found.filter((f) => f.negated && f.start !== -1);
  return found.filter(
    (f) =>
      !f.negated &&
      !denied.some((d) => d.language !== f.language && d.entry.level === f.entry.level && overlaps(d, f)),
  );
}

/** Every phrase that speaks in the message, negated and figurative ones left out: for tests and tuning. */
export function explainWorry(text: string): WorryMatch[] {
  const kept = spokenPhrases(text, (matcher, tokens) => {
    const anyStart = matcher.byFirstLetter.get("") ?? [];
    const matches: { entry: SignalPhrase; span: Span }[] = [];
    for (let start = 0; start < tokens.length; start++) {
      const candidates = [...(matcher.byFirstLetter.get(tokens[start]?.[0] ?? "") ?? []), ...anyStart];
      for (const entry of candidates) {
        const end = matchAt(tokens, start, entry.phrase);
        if (end !== -1) matches.push({ entry, span: { start, end } });
      }
    }
    return matches;
  });
  const seen = new Set<string>();
  return kept
    .map(({ language, entry }) => ({
      language,
      level: entry.level,
      signal: entry.signal,
      phrase: entry.phrase.source,
    }))
    .filter((m) => {
      const key = `${m.language}:${m.signal}:${m.phrase}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** The most serious level the message shows and its signals (most serious first); null when none. */
export function detectWorry(text: string): Worry | null {
  const found = explainWorry(text);
  if (found.length === 0) return null;
  const rank = (level: WorryLevel) => WORRY_LEVELS.indexOf(level);
  const level = found.reduce<WorryLevel>((top, m) => (rank(m.level) > rank(top) ? m.level : top), "money");
  const signals: WorrySignal[] = [];
  for (const serious of [...WORRY_LEVELS].reverse()) {
    for (const signal of WORRY_SIGNALS[serious]) {
      if (found.some((m) => m.signal === signal)) signals.push(signal);
    }
  }
  return { level, signals };
}

/** Each language's markers, read with that language's negations (compiled once, like the phrases). */
const SAFETY_ENTRIES = new Map<string, SignalPhrase[]>(
  MATCHERS.map((matcher) => {
    const verbWords = cueWords(matcher.negations);
    const allWords = cueWords([...matcher.negations, ...matcher.negationsOfThings]);
    const entries = (SAFETY_MARKERS.get(matcher.language) ?? []).map(
      (phrase): SignalPhrase => ({
        // Read as danger is: only a verb's negation sets a marker aside ("nobody" does not).
        level: "danger",
        signal: "self_harm",
        phrase,
        ownsVerbNegation: ownsNegation(phrase, verbWords),
        ownsNegation: ownsNegation(phrase, allWords),
      }),
    );
    return [matcher.language, entries];
  }),
);

/**
 * The safety markers a message holds: single words and short phrases that do not say danger on their
 * own but often come with it — a knife, pills, bruises, "goodbye forever", "I'm scared of him" — read
 * like the worry phrases (spellings, figures of speech of any language, a verb's negation before or
 * inside; a word negated in one language's reading is negated in all). Phrase lists cannot foresee
 * every way of saying that one wants to die or is being hurt; a marker makes the bot ask whether the
 * person is safe, which costs little when the answer is yes.
 */
export function safetyMarkers(text: string): string[] {
  const kept = spokenPhrases(text, (matcher, tokens) =>
    (SAFETY_ENTRIES.get(matcher.language) ?? []).flatMap((entry) =>
      findAll(tokens, entry.phrase).map((span) => ({ entry, span })),
    ),
  );
  return [...new Set(kept.map((f) => f.entry.phrase.source))];
}

/** Whether to ask "are you safe right now?": a marker, and no danger the phrases already answer. */
export function needsSafetyCheck(text: string, worry: Worry | null): boolean {
  return worry?.level !== "danger" && safetyMarkers(text).length > 0;
}

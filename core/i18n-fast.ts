// The common case of `t` without i18next's pipeline: a key found in the language asked for, with
// plain {{name}} placeholders given as strings or numbers. i18next resolves such a call through about
// a dozen steps (option copies, key parsing, fallbacks, two regular-expression passes for the
// interpolation, one for nesting): about 7% of the bot's CPU per /balance update in the bench's
// profile. Here the text is cut at its placeholders once per key, and a call joins the parts.
// Anything else (plurals, context, options i18next reads, a missing key, nesting, formats) goes to
// i18next itself, so the answer is always the one i18next gives.
import type { i18n, TFunction } from "i18next";

/** Option names i18next reads itself: a placeholder or an option by one of these names is its job. */
const I18NEXT_OPTIONS = new Set([
  "count",
  "context",
  "ordinal",
  "defaultValue",
  "lng",
  "lngs",
  "ns",
  "keyPrefix",
  "replace",
  "returnObjects",
  "returnDetails",
  "joinArrays",
  "postProcess",
  "interpolation",
  "skipInterpolation",
  "nsSeparator",
  "keySeparator",
  "fallbackLng",
  "missingInterpolationHandler",
]);

/** Moves when texts change under running translators (core/content/): their cut texts are stale then. */
let generation = 0;

/** Makes every fast translator cut its texts again on next use (after staff changed some). */
export function forgetCompiledTexts(): void {
  generation++;
}

const PLACEHOLDER = /\{\{(.+?)\}\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A text cut at its placeholders: parts[0] name[0] parts[1] … parts[n]. */
type Compiled = { parts: string[]; names: string[] };

/** The text cut at its placeholders, or null when i18next would do more than fill them in. */
export function compileText(text: string): Compiled | null {
  if (text.includes("$t(") || text.includes("{{-")) return null;
  const parts: string[] = [];
  const names: string[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = (match[1] ?? "").trim();
    if (!NAME.test(name) || I18NEXT_OPTIONS.has(name)) return null;
    parts.push(text.slice(last, match.index));
    names.push(name);
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return { parts, names };
}

/** Fills in `compiled` from `options`, or undefined when i18next must (see the file's comment). */
function fill(compiled: Compiled, options: unknown): string | undefined {
  const { parts, names } = compiled;
  if (options === undefined) {
    return names.length === 0 ? parts[0] : undefined;
  }
  if (
    typeof options !== "object" ||
    options === null ||
    Object.getPrototypeOf(options) !== Object.prototype
  ) {
    return undefined;
  }
  const values = options as Record<string, unknown>;
  // Every option must be one of the text's placeholders: others may mean something to i18next.
  let given = 0;
  for (const key in values) {
    if (!Object.hasOwn(values, key) || !names.includes(key)) return undefined;
    given++;
  }
  if (given === 0 && names.length > 0) return undefined;
  let out = parts[0] ?? "";
  for (let i = 0; i < names.length; i++) {
    const value = values[names[i] as string];
    if (typeof value === "string") out += value;
    else if (typeof value === "number") out += String(value);
    else return undefined;
    out += parts[i + 1] ?? "";
  }
  return out;
}

/** `slow` (i18next's fixed `t` for `language` and `namespace`) with the fast path in front. */
export function fastTranslator(
  instance: i18n,
  language: string,
  namespace: string,
  slow: TFunction,
): TFunction {
  const compiled = new Map<string, Compiled | null>();
  let seen = generation;
  const lookup = (key: string): Compiled | null => {
    if (seen !== generation) {
      compiled.clear();
      seen = generation;
    }
    let entry = compiled.get(key);
    if (entry === undefined) {
      // "debt:balance.title" is namespace "debt", key "balance.title", as i18next splits it.
      const colon = key.indexOf(":");
      const ns = colon < 0 ? namespace : key.slice(0, colon);
      const path = colon < 0 ? key : key.slice(colon + 1);
      const text = path.includes(":") ? undefined : instance.getResource(language, ns, path);
      entry = typeof text === "string" ? compileText(text) : null;
      compiled.set(key, entry);
    }
    return entry;
  };
  const t = (key: unknown, options?: unknown, ...rest: unknown[]): unknown => {
    if (typeof key === "string" && rest.length === 0) {
      const entry = lookup(key);
      const text = entry ? fill(entry, options) : undefined;
      if (text !== undefined) return text;
    }
    return (slow as unknown as (...args: unknown[]) => unknown)(key, options, ...rest);
  };
  return Object.assign(t, { lng: language, ns: namespace }) as unknown as TFunction;
}

import { describe, expect, it } from "vitest";
import {
  DEFAULT_LANGUAGE,
  readLocales,
  resolveLanguage,
  SUPPORTED_LANGUAGES,
  translator,
} from "../core/i18n.ts";

const resources = readLocales();

function flatten(tree: Record<string, unknown>, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out.set(path, value);
    else if (value && typeof value === "object")
      for (const [k, v] of flatten(value as Record<string, unknown>, path)) out.set(k, v);
    else out.set(path, String(value));
  }
  return out;
}

const STAFF_NAMESPACES = new Set([
  "admin",
  "staff",
  "offices",
  "accounts",
  "coursesAdmin",
  "contentAdmin",
  "broadcastsAdmin",
  "resultsAdmin",
  "variantsAdmin",
]);
const STAFF_LANGUAGES = new Set(["it", "en"]);

const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

/**
 * The plural forms a language has in current CLDR, as i18next picks them through Intl.PluralRules:
 * all of them, not only those small counts select (Italian, French and Spanish gained "many" for
 * 1,000,000; Ukrainian and Arabic never select "other" for whole numbers, but it is i18next's last
 * resort).
 */
function pluralForms(language: string): Set<string> {
  return new Set(["other", ...new Intl.PluralRules(language).resolvedOptions().pluralCategories]);
}

/** Counts that reach every form: small ones, teens, hundreds, and the large round ones CLDR treats apart. */
const COUNTS = [
  ...Array.from({ length: 201 }, (_, n) => n),
  1000,
  1001,
  10_000,
  100_000,
  1_000_000,
  1_000_001,
  2_000_000,
  10_000_000,
  1_000_000_000,
];

/**
 * The keys a language must have: Italian's, with each plural group ("x_one", "x_other") expanded to
 * the forms that language uses (Ukrainian needs "x_few" and "x_many", Arabic six forms).
 */
function expectedKeys(italian: Map<string, string>, language: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, text] of italian) {
    if (!PLURAL_SUFFIX.test(key)) {
      out.set(key, text);
      continue;
    }
    const base = key.replace(PLURAL_SUFFIX, "");
    for (const form of pluralForms(language)) {
      out.set(`${base}_${form}`, italian.get(`${base}_${form}`) ?? italian.get(`${base}_other`) ?? text);
    }
  }
  return out;
}

const variables = (text: string) => [...text.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1]).sort();

describe("translations", () => {
  const reference = resources[DEFAULT_LANGUAGE] ?? {};

  it("speaks the households' languages, Italian first", () => {
    expect(SUPPORTED_LANGUAGES[0]).toBe("it");
    expect([...SUPPORTED_LANGUAGES].sort()).toEqual(["ar", "en", "es", "fr", "it", "ro", "sq", "uk"]);
  });

  it("has no staff namespace outside Italian and English, and no unknown namespace", () => {
    for (const [language, namespaces] of Object.entries(resources)) {
      for (const namespace of Object.keys(namespaces)) {
        expect(reference[namespace], `${language}/${namespace} has no Italian original`).toBeDefined();
        if (STAFF_NAMESPACES.has(namespace)) expect(STAFF_LANGUAGES.has(language)).toBe(true);
      }
    }
  });

  for (const language of Object.keys(resources)) {
    // The admin panel is for staff and speaks Italian and English; every household-facing
    // namespace must be complete in every language the bot offers.
    const namespaces = Object.keys(reference).filter(
      (ns) => !STAFF_NAMESPACES.has(ns) || STAFF_LANGUAGES.has(language),
    );
    for (const namespace of namespaces) {
      it(`${language}/${namespace}: every key of Italian exists, none extra, same variables`, () => {
        const expected = expectedKeys(flatten(reference[namespace] ?? {}), language);
        const actual = flatten(resources[language]?.[namespace] ?? {});
        expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
        for (const [key, text] of actual) {
          expect(text.trim(), `${language}/${namespace}:${key} is empty`).not.toBe("");
          const wanted = variables(expected.get(key) ?? "");
          if (PLURAL_SUFFIX.test(key)) {
            // A plural form may leave the number out ("Una rata…"), but never use another variable.
            const allowed = new Set([...wanted, "count"]);
            expect(
              variables(text).filter((v) => !allowed.has(v ?? "")),
              `${language}/${namespace}:${key}`,
            ).toEqual([]);
          } else {
            expect(variables(text), `${language}/${namespace}:${key}`).toEqual(wanted);
          }
        }
      });
    }
  }

  it("never shows a raw key for a count, however large, in any language", () => {
    const raw: string[] = [];
    for (const language of Object.keys(resources)) {
      for (const [namespace, tree] of Object.entries(reference)) {
        if (STAFF_NAMESPACES.has(namespace) && !STAFF_LANGUAGES.has(language)) continue;
        const t = translator(language, namespace);
        const bases = new Set(
          [...flatten(tree).keys()]
            .filter((k) => PLURAL_SUFFIX.test(k))
            .map((k) => k.replace(PLURAL_SUFFIX, "")),
        );
        for (const base of bases) {
          // Which text each form gives, so Italian filling in for a missing French form is caught too.
          const own = flatten(resources[language]?.[namespace] ?? {});
          for (const count of COUNTS) {
            const form = new Intl.PluralRules(language).select(count);
            const text = t(base, { count });
            if (text === base || text === `${namespace}:${base}` || !own.has(`${base}_${form}`))
              raw.push(`${language}/${namespace}:${base} count ${count} (${form})`);
          }
        }
      }
    }
    expect(raw).toEqual([]);
  });

  it("binds t per language without touching the others", () => {
    const it_ = translator("it");
    const en = translator("en");
    expect(en("cancel.done")).toMatch(/^Cancelled\./);
    expect(it_("cancel.done")).toMatch(/^Annullato\./);
  });

  it("maps Telegram language codes to the languages it has", () => {
    expect(resolveLanguage("en-GB")).toBe("en");
    expect(resolveLanguage("EN")).toBe("en");
    expect(resolveLanguage(undefined)).toBe("it");
    expect(resolveLanguage("xx")).toBe("it");
  });
});

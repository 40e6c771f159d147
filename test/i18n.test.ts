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

const variables = (text: string) => [...text.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1]).sort();

describe("translations", () => {
  const reference = resources[DEFAULT_LANGUAGE] ?? {};

  it("has Italian and English", () => {
    expect(SUPPORTED_LANGUAGES).toContain("it");
    expect(SUPPORTED_LANGUAGES).toContain("en");
    expect(SUPPORTED_LANGUAGES[0]).toBe("it");
  });

  for (const language of Object.keys(resources)) {
    for (const namespace of Object.keys(reference)) {
      it(`${language}/${namespace}: every key of Italian exists, none extra, same variables`, () => {
        const expected = flatten(reference[namespace] ?? {});
        const actual = flatten(resources[language]?.[namespace] ?? {});
        expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
        for (const [key, text] of actual) {
          expect(text.trim(), `${language}/${namespace}:${key} is empty`).not.toBe("");
          expect(variables(text), `${language}/${namespace}:${key}`).toEqual(
            variables(expected.get(key) ?? ""),
          );
        }
      });
    }
  }

  it("binds t per language without touching the others", () => {
    const it_ = translator("it");
    const en = translator("en");
    expect(en("cancel.done")).toBe("Cancelled.");
    expect(it_("cancel.done")).toBe("Annullato.");
  });

  it("maps Telegram language codes to the languages it has", () => {
    expect(resolveLanguage("en-GB")).toBe("en");
    expect(resolveLanguage("EN")).toBe("en");
    expect(resolveLanguage(undefined)).toBe("it");
    expect(resolveLanguage("xx")).toBe("it");
  });
});

// The fast path of `t` (core/i18n-fast.ts) answers exactly as i18next does, for every text of every
// language, with values that would trip a careless substitution, and hands i18next what it cannot do.
import { describe, expect, it } from "vitest";
import { getI18n, readLocales, SUPPORTED_LANGUAGES, translator } from "../core/i18n.ts";
import { compileText } from "../core/i18n-fast.ts";

const resources = readLocales();

function keysOf(tree: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return value && typeof value === "object" ? keysOf(value as Record<string, unknown>, path) : [path];
  });
}

const TRICKY = ["$& $1 $$", "{{amount}}", "$t(bot:menu.help)", "<b>x</b>", ""];

describe("fast t", () => {
  it("answers as i18next for every key, language and namespace", () => {
    const instance = getI18n();
    let compared = 0;
    for (const language of SUPPORTED_LANGUAGES) {
      for (const [namespace, tree] of Object.entries(resources[language] ?? {})) {
        const fast = translator(language, namespace);
        const slow = instance.getFixedT(language, namespace);
        for (const path of keysOf(tree)) {
          const key = path.replace(/_(zero|one|two|few|many|other)$/, "");
          const text = String(instance.getResource(language, namespace, path) ?? "");
          const names = [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1] as string);
          const calls: (Record<string, unknown> | undefined)[] = [
            undefined,
            {},
            Object.fromEntries(names.map((name, i) => [name, TRICKY[i % TRICKY.length]])),
            Object.fromEntries(names.map((name, i) => [name, i * 1234.5])),
            Object.fromEntries(names.slice(1).map((name) => [name, "x"])),
            { ...Object.fromEntries(names.map((name) => [name, "y"])), count: 3 },
            { ...Object.fromEntries(names.map((name) => [name, "y"])), extra: "z" },
            Object.fromEntries(names.map((name) => [name, null])),
          ];
          for (const options of calls) {
            expect(fast(key, options), `${language} ${namespace}:${key} ${JSON.stringify(options)}`).toBe(
              slow(key, options),
            );
            expect(fast(`${namespace}:${key}`, options)).toBe(slow(`${namespace}:${key}`, options));
            compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it("leaves i18next what it does itself", () => {
    expect(compileText("a {{b}} c")).toEqual({ parts: ["a ", " c"], names: ["b"] });
    expect(compileText("{{count}} rate")).toBeNull();
    expect(compileText("$t(other.key)")).toBeNull();
    expect(compileText("{{- raw}}")).toBeNull();
    expect(compileText("{{when, datetime}}")).toBeNull();
    expect(compileText("{{user.name}}")).toBeNull();
    const t = translator("en");
    expect(t("no.such.key")).toBe(getI18n().getFixedT("en", "bot")("no.such.key"));
  });
});

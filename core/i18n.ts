// i18next with the locales/ folder: one folder per language, one JSON file per namespace.
// Never call i18next.t or changeLanguage per update: bind a fixed `t` to the person's language.
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import i18next, { type i18n, type TFunction } from "i18next";
import { fastTranslator, forgetCompiledTexts } from "./i18n-fast.ts";

export const LOCALES_DIR = join(import.meta.dirname, "..", "locales");
export const DEFAULT_LANGUAGE = "it";

type Resources = Record<string, Record<string, Record<string, unknown>>>;

export function readLocales(dir = LOCALES_DIR): Resources {
  const resources: Resources = {};
  for (const language of readdirSync(dir, { withFileTypes: true })) {
    if (!language.isDirectory()) continue;
    const namespaces: Record<string, Record<string, unknown>> = {};
    for (const file of readdirSync(join(dir, language.name))) {
      if (!file.endsWith(".json")) continue;
      namespaces[basename(file, ".json")] = JSON.parse(readFileSync(join(dir, language.name, file), "utf8"));
    }
    resources[language.name] = namespaces;
  }
  return resources;
}

const resources = readLocales();
/** The texts as locales/ has them, untouched by staff's edits (i18next changes `resources` in place). */
const pristine: Resources = structuredClone(resources);
export const SUPPORTED_LANGUAGES: readonly string[] = Object.keys(resources).sort((a, b) =>
  a === DEFAULT_LANGUAGE ? -1 : b === DEFAULT_LANGUAGE ? 1 : a.localeCompare(b),
);

let instance: i18n | undefined;

/** The one i18next instance (exported for tests that compare with i18next's own answers). */
export function getI18n(): i18n {
  if (!instance) {
    instance = i18next.createInstance();
    // initAsync is not needed: resources are inline, so init completes synchronously.
    instance.init({
      resources,
      lng: DEFAULT_LANGUAGE,
      fallbackLng: DEFAULT_LANGUAGE,
      supportedLngs: [...SUPPORTED_LANGUAGES],
      // One namespace per file; bot features reach theirs as t("budget:title").
      ns: [...new Set(Object.values(resources).flatMap((namespaces) => Object.keys(namespaces)))],
      defaultNS: "bot",
      initAsync: false,
      returnNull: false,
      // Texts go to Telegram as HTML or to server-rendered pages: the callers escape values themselves.
      interpolation: { escapeValue: false },
    });
  }
  return instance;
}

/** Telegram's language_code ("en-GB", "uk") or a stored choice → a language we have. */
export function resolveLanguage(code: string | null | undefined): string {
  if (!code) return DEFAULT_LANGUAGE;
  const base = code.toLowerCase().split(/[-_]/)[0] ?? "";
  return SUPPORTED_LANGUAGES.includes(base) ? base : DEFAULT_LANGUAGE;
}

export type Translate = TFunction;

/** One fixed `t` per language and namespace, made once: every update asks for one. */
const fixed = new Map<string, Translate>();

/** A `t` fixed to one language and namespace, safe to use concurrently with others. */
export function translator(language: string, namespace = "bot"): Translate {
  const key = `${language}\u0000${namespace}`;
  let t = fixed.get(key);
  if (!t) {
    const instance = getI18n();
    const resolved = resolveLanguage(language);
    t = fastTranslator(instance, resolved, namespace, instance.getFixedT(resolved, namespace));
    // Any string may come here (Telegram's language_code): only what we speak is kept.
    if (language === resolveLanguage(language)) fixed.set(key, t);
  }
  return t;
}

/** A text staff wrote in place of a locales/ default (core/content/). */
export type TextOverride = { namespace: string; key: string; language: string; text: string };

/** Staff's texts now in force, by language and namespace: key → text. */
let overridden = new Map<string, Map<string, string>>();

/** The text locales/ has for the key ("faq.payment.answer"), in that language only. */
export function defaultText(language: string, namespace: string, key: string): string | undefined {
  let node: unknown = pristine[language]?.[namespace];
  for (const part of key.split(".")) {
    if (!node || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === "string" ? node : undefined;
}

function setPath(bundle: Record<string, unknown>, key: string, text: string): void {
  const parts = key.split(".");
  let node = bundle;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    node[part] = next && typeof next === "object" ? next : {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1) as string] = text;
}

/**
 * Puts `overrides` in force in place of the ones before (a key no longer overridden gets its default
 * back). Bundles whose texts did not change are left alone; every fixed and fast `t` sees the change.
 */
export function setTextOverrides(overrides: readonly TextOverride[]): void {
  const next = new Map<string, Map<string, string>>();
  for (const o of overrides) {
    const bundle = `${o.language}\u0000${o.namespace}`;
    let texts = next.get(bundle);
    if (!texts) {
      texts = new Map();
      next.set(bundle, texts);
    }
    texts.set(o.key, o.text);
  }
  const same = (a: Map<string, string> | undefined, b: Map<string, string> | undefined) =>
    (a?.size ?? 0) === (b?.size ?? 0) && [...(a ?? [])].every(([k, v]) => b?.get(k) === v);
  const instance = getI18n();
  let changed = false;
  for (const bundle of new Set([...overridden.keys(), ...next.keys()])) {
    if (same(overridden.get(bundle), next.get(bundle))) continue;
    const [language = "", namespace = ""] = bundle.split("\u0000");
    const texts = structuredClone(pristine[language]?.[namespace] ?? {});
    for (const [key, text] of next.get(bundle) ?? []) setPath(texts, key, text);
    instance.removeResourceBundle(language, namespace);
    instance.addResourceBundle(language, namespace, texts, false, true);
    changed = true;
  }
  overridden = next;
  if (changed) forgetCompiledTexts();
}

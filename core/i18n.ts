// i18next with the locales/ folder: one folder per language, one JSON file per namespace.
// Never call i18next.t or changeLanguage per update: bind a fixed `t` to the person's language.
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import i18next, { type i18n, type TFunction } from "i18next";
import { fastTranslator } from "./i18n-fast.ts";

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

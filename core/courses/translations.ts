// Course titles, descriptions and places in the member's language where staff gave a translation,
// Italian otherwise (the import's title_en, description_en, location_en… columns fill them).
import { DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES } from "../i18n.ts";

/** The languages a course text may be translated into: every supported one but Italian. */
export const TRANSLATION_LANGUAGES: readonly string[] = SUPPORTED_LANGUAGES.filter(
  (l) => l !== DEFAULT_LANGUAGE,
);

export type Translations = Record<string, Record<string, string>>;

/** The translated field, or the Italian text when there is none (or it is blank). */
export function translated(
  italian: string,
  translations: unknown,
  language: string | null | undefined,
  field: string,
): string {
  if (!language || language === DEFAULT_LANGUAGE) return italian;
  const entry = (translations as Translations | null | undefined)?.[language];
  const text = entry && typeof entry === "object" ? entry[field] : undefined;
  return typeof text === "string" && text.trim() !== "" ? text : italian;
}

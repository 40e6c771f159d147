// A language as staff read it: named in the staff's language, and in its own (marked with its code
// so screen readers pronounce it right), e.g. "arabo (العربية)".
import { SUPPORTED_LANGUAGES, translator } from "../../core/i18n.ts";
import { html, type SafeHtml } from "./html.ts";

function displayName(code: string, inLanguage: string): string | undefined {
  try {
    return new Intl.DisplayNames([inLanguage], { type: "language", fallback: "none" }).of(code);
  } catch {
    // Not a language tag at all (a typo in the authority's file).
    return undefined;
  }
}

/** The language named in itself: the bot's own name for the languages it speaks. */
export function languageName(code: string): SafeHtml {
  const own = (SUPPORTED_LANGUAGES as readonly string[]).includes(code)
    ? translator(code)("language.name")
    : (displayName(code, code) ?? code);
  return html`<span lang="${code}">${own}</span>`;
}

/** "arabo (العربية)" for staff reading Italian; just "italiano" when both are the same language. */
export function languageLabel(staffLanguage: string, code: string): SafeHtml {
  if (code === staffLanguage) return languageName(code);
  const name = displayName(code, staffLanguage);
  return name ? html`${name} (${languageName(code)})` : languageName(code);
}

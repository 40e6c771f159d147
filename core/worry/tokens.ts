// Text as the worry detector reads it: words, lower case, without accents or other marks, and the
// places where a clause ends (a negation does not reach past them).
//
// Words come from Intl.Segmenter (ICU's word boundaries: right for Arabic and Cyrillic as for Latin
// scripts, emoji and punctuation left out), so no hand-made word regex is needed. Each word is then
// folded so that the spellings people type on a cheap phone meet the spelling in the phrase lists:
// "più"/"piu", "ş"/"ș"/"s", "ї"/"і", Arabic "أ"/"إ"/"ا" and "ة"/"ه", diacritics (harakat) dropped.

/** A clause break between words: a full stop, comma, question mark… (not an apostrophe or hyphen). */
export const BREAK = "";

const SEGMENTER = new Intl.Segmenter(undefined, { granularity: "word" });
const CLAUSE_PUNCTUATION = /[.,;:!?¿¡…\n،؛؟]/u;
/** Apostrophes join words in ICU ("l'affitto", "б'є"); here they separate them. */
const APOSTROPHES = /['’ʼ`´]/gu;

/** One word folded: lower case, marks removed, Arabic letter variants and tatweel folded. */
export function foldWord(word: string): string {
  return word
    .toLowerCase()
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[أإآٱ]/gu, "ا")
    .replace(/ة/gu, "ه")
    .replace(/ى/gu, "ي")
    .replace(/ـ/gu, "")
    .normalize("NFC");
}

/**
 * The message's words, folded, with BREAK where a clause ends. Digits stay words ("112"); emoji and
 * other symbols are dropped.
 */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const { segment, isWordLike } of SEGMENTER.segment(text)) {
    if (isWordLike) {
      for (const part of segment.split(APOSTROPHES)) {
        const folded = foldWord(part);
        if (folded !== "") out.push(folded);
      }
    } else if (CLAUSE_PUNCTUATION.test(segment) && out.length > 0 && out.at(-1) !== BREAK) {
      out.push(BREAK);
    }
  }
  if (out.at(-1) === BREAK) out.pop();
  return out;
}

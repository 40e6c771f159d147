// What a text staff write must be before it is saved: not empty; the same {{placeholders}} as the
// Italian default (the code fills those, and no others); and, for texts sent as HTML, markup Telegram
// accepts, checked by the one parser the sandbox answers with (core/telegram-html-parse.ts), within
// Telegram's 4096 characters once the placeholders are filled with long sample values.
import { MAX_TIP_LENGTH } from "../budget/tips.ts";
import { escapeHtml, TELEGRAM_TEXT_LIMIT } from "../telegram-html.ts";
import { type MessageEntity, parseHtml } from "../telegram-html-parse.ts";
import { type HtmlProblem, htmlProblemOf } from "../telegram-html-problems.ts";
import type { ContentItem } from "./families.ts";

export type ContentProblem =
  | { code: "empty" }
  | { code: "tooLong"; max: number; length: number }
  | { code: "placeholderMissing"; names: string[] }
  | { code: "placeholderUnknown"; names: string[] }
  | { code: "html"; problem: HtmlProblem }
  /** A reminder wording test (core/variants/) compares its variants with this text: it stays as it is. */
  | { code: "testRunning"; experimentId: number };

/** Sample values for the preview and the length check: long ones, as real figures can be. */
const SAMPLES: Record<string, string> = {
  amount: "12.345,67 €",
  date: "31/12/2026",
  time: "09:30",
  number: "12",
  total: "36",
  title: "Corso di cucina e gestione della dispensa",
  location: "Sala civica del quartiere, Via Roma 123, Brescia",
  document: "Attestazione ISEE",
  name: "Maria",
  topic: "Debito e piano di rientro",
  when: "lunedì 14/12 alle 09:30",
  menu: "🙋 Parla con una persona",
};

/** The names of a text's {{placeholders}}, each once, in order. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{\s*([^{}]+?)\s*\}\}/g)].map((m) => m[1] as string))];
}

/** The text with every placeholder given its sample value (escaped, as the code escapes values). */
export function withSamples(text: string): string {
  return text.replace(/\{\{\s*([^{}]+?)\s*\}\}/g, (_, name: string) =>
    escapeHtml(SAMPLES[name] ?? `[${name}]`),
  );
}

/** As staff's text is stored: line ends made \n, no white space around it. */
export function normalizeText(text: string): string {
  return text.replace(/\r\n?/g, "\n").trim();
}

export type Rendered = { ok: true; text: string; entities: MessageEntity[] } | { ok: false; reason: string };

/** What Telegram shows for the text, placeholders filled with samples (the preview's input). */
export function renderForPreview(item: ContentItem, text: string): Rendered {
  if (item.format === "plain") return { ok: true, text, entities: [] };
  return parseHtml(withSamples(text));
}

/** Every problem of `text` as a new version of `item`, whose Italian default is `reference`. */
export function checkContentText(
  item: ContentItem,
  text: string,
  reference: string | undefined,
): ContentProblem[] {
  const problems: ContentProblem[] = [];
  if (text === "") return [{ code: "empty" }];
  const expected = placeholdersOf(reference ?? "");
  const given = placeholdersOf(text);
  const missing = expected.filter((name) => !given.includes(name));
  const unknown = given.filter((name) => !expected.includes(name));
  if (missing.length > 0) problems.push({ code: "placeholderMissing", names: missing });
  if (unknown.length > 0) problems.push({ code: "placeholderUnknown", names: unknown });
  if (item.format === "plain") {
    if (text.length > MAX_TIP_LENGTH)
      problems.push({ code: "tooLong", max: MAX_TIP_LENGTH, length: text.length });
    return problems;
  }
  const filled = withSamples(text);
  const rendered = parseHtml(filled);
  if (!rendered.ok) problems.push({ code: "html", problem: htmlProblemOf(filled, rendered.reason) });
  else if (rendered.text.length > TELEGRAM_TEXT_LIMIT)
    problems.push({ code: "tooLong", max: TELEGRAM_TEXT_LIMIT, length: rendered.text.length });
  return problems;
}

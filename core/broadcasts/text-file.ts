// A broadcast's text file: one section per language, each introduced by a line such as `[en]`. Text
// before any header is Italian. Italian is what a member without their own section gets, so it is
// required. Texts are plain text (escaped for HTML when sent).
import { DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES } from "../i18n.ts";
import { TELEGRAM_TEXT_LIMIT } from "../telegram-html.ts";

export type BroadcastTexts = Record<string, string>;

export type TextFileProblem = { line: number; message: string };

export type TextFileResult = { ok: true; texts: BroadcastTexts } | { ok: false; problems: TextFileProblem[] };

/** One Telegram message per member: a section must fit in one (Telegram counts UTF-16 code units). */
export const MAX_SECTION_LENGTH = TELEGRAM_TEXT_LIMIT;

const HEADER = /^\s*\[([^\]]*)\]\s*$/;

type Section = { language: string; headerLine: number; lines: string[] };

export function parseTextFile(content: string | Buffer): TextFileResult {
  const text = (typeof content === "string" ? content : content.toString("utf8")).replace(/^\uFEFF/, "");
  const problems: TextFileProblem[] = [];
  if (text.includes("\uFFFD")) problems.push({ line: 1, message: "the file is not UTF-8 text" });
  const lines = text.split(/\r\n|\n|\r/);
  // Line 0: the text before any header, Italian.
  const sections: Section[] = [{ language: DEFAULT_LANGUAGE, headerLine: 0, lines: [] }];
  const seen = new Map<string, number>();
  lines.forEach((line, index) => {
    const lineNumber = index + 1;
    const header = HEADER.exec(line);
    if (!header) {
      (sections.at(-1) as Section).lines.push(line);
      return;
    }
    const language = (header[1] ?? "").trim().toLowerCase();
    if (!SUPPORTED_LANGUAGES.includes(language)) {
      problems.push({
        line: lineNumber,
        message: `unknown language "[${header[1]}]": use one of ${SUPPORTED_LANGUAGES.map((l) => `[${l}]`).join(" ")}`,
      });
    } else if (seen.has(language)) {
      problems.push({
        line: lineNumber,
        message: `[${language}] appears twice (first on line ${seen.get(language)})`,
      });
    } else {
      seen.set(language, lineNumber);
    }
    sections.push({ language, headerLine: lineNumber, lines: [] });
  });

  const texts: BroadcastTexts = {};
  const [preamble, ...headed] = sections as [Section, ...Section[]];
  const preambleText = preamble.lines.join("\n").trim();
  if (preambleText !== "") {
    if (seen.has(DEFAULT_LANGUAGE)) {
      problems.push({
        line: seen.get(DEFAULT_LANGUAGE) as number,
        message: `[${DEFAULT_LANGUAGE}] given, but there is Italian text before it too: put it in one place`,
      });
    }
    checkLength(preambleText, 1, DEFAULT_LANGUAGE, problems);
    texts[DEFAULT_LANGUAGE] = preambleText;
  }
  for (const section of headed) {
    if (!SUPPORTED_LANGUAGES.includes(section.language) || seen.get(section.language) !== section.headerLine)
      continue;
    const body = section.lines.join("\n").trim();
    if (body === "") {
      problems.push({ line: section.headerLine, message: `[${section.language}] has no text` });
      continue;
    }
    checkLength(body, section.headerLine, section.language, problems);
    texts[section.language] = body;
  }
  if (problems.length === 0 && Object.keys(texts).length === 0) {
    problems.push({ line: 1, message: "the file has no text" });
  } else if (problems.length === 0 && texts[DEFAULT_LANGUAGE] === undefined) {
    problems.push({
      line: 1,
      message: `no Italian text: start the file with it, or add an [${DEFAULT_LANGUAGE}] section (members without their own language get Italian)`,
    });
  }
  return problems.length ? { ok: false, problems } : { ok: true, texts };
}

function checkLength(body: string, line: number, language: string, problems: TextFileProblem[]): void {
  if (body.length > MAX_SECTION_LENGTH) {
    problems.push({
      line,
      message: `[${language}] is ${body.length} characters long: at most ${MAX_SECTION_LENGTH} (one Telegram message)`,
    });
  }
}

/** The text a member gets: their language's section, else Italian. */
export function textFor(texts: BroadcastTexts, language: string): string {
  return texts[language] ?? (texts[DEFAULT_LANGUAGE] as string);
}

// Splits a text over Telegram's limit into parts that each fit, cutting at a paragraph break if
// there is one, else at a line break, else at a space, and only as a last resort inside a word. In
// HTML parse mode a cut never falls inside a tag or an entity, and the tags open at a cut are closed
// at the end of the part and opened again at the start of the next, so every part is valid HTML.
import { TELEGRAM_TEXT_LIMIT } from "../../core/telegram-html.ts";

type Token =
  | { kind: "text"; raw: string; length: number; char: string }
  | { kind: "open"; raw: string; name: string }
  | { kind: "close"; raw: string; name: string };

const NAMED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

/** The character an HTML entity stands for (Telegram knows the four named ones and numeric ones). */
function decodeEntity(entity: string): string {
  const body = entity.slice(1, -1);
  if (body.startsWith("#x") || body.startsWith("#X"))
    return String.fromCodePoint(Number.parseInt(body.slice(2), 16));
  if (body.startsWith("#")) return String.fromCodePoint(Number.parseInt(body.slice(1), 10));
  return NAMED_ENTITIES[body] ?? entity;
}

function tokenize(text: string, html: boolean): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i, i + 300);
    if (html && text[i] === "<") {
      const tag = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*>/.exec(rest) ?? /^<[^>]*>/.exec(text.slice(i));
      if (tag) {
        const raw = tag[0];
        const name = (tag[2] ?? "").toLowerCase();
        tokens.push(tag[1] === "/" ? { kind: "close", raw, name } : { kind: "open", raw, name });
        i += raw.length;
        continue;
      }
    }
    if (html && text[i] === "&") {
      const entity = /^&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);/.exec(rest);
      if (entity) {
        const char = decodeEntity(entity[0]);
        tokens.push({ kind: "text", raw: entity[0], length: char.length, char });
        i += entity[0].length;
        continue;
      }
    }
    const char = String.fromCodePoint(text.codePointAt(i) ?? 0);
    tokens.push({ kind: "text", raw: char, length: char.length, char });
    i += char.length;
  }
  return tokens;
}

type Open = { name: string; raw: string };

/** Break kinds, best first. */
const PARAGRAPH = 0;
const LINE = 1;
const SPACE = 2;

type Cut = { start: number; end: number; kind: number; stack: Open[] };

function isSpace(token: Token | undefined): boolean {
  return token?.kind === "text" && /^\s$/u.test(token.char);
}

/**
 * Splits `text` into parts of at most `limit` visible characters (UTF-16 units, after HTML parsing
 * when `parseMode` is "HTML"). A text that fits is returned as it is.
 */
export function splitMessage(
  text: string,
  parseMode: "HTML" | null | undefined,
  limit = TELEGRAM_TEXT_LIMIT,
): string[] {
  const html = parseMode === "HTML";
  const tokens = tokenize(text, html);
  const total = tokens.reduce((n, t) => n + (t.kind === "text" ? t.length : 0), 0);
  if (total <= limit) return [text];

  const parts: string[] = [];
  let stack: Open[] = [];
  let index = 0;
  while (index < tokens.length) {
    const startStack = stack.map((o) => ({ ...o }));
    const current = startStack.map((o) => ({ ...o }));
    const cuts: (Cut | undefined)[] = [undefined, undefined, undefined];
    let visible = 0;
    let i = index;
    let overflow = false;
    let hardCut: Cut | undefined;
    while (i < tokens.length) {
      const token = tokens[i] as Token;
      if (token.kind === "text") {
        if (visible + token.length > limit) {
          overflow = true;
          hardCut = { start: i, end: i, kind: SPACE + 1, stack: current.map((o) => ({ ...o })) };
          break;
        }
        if (isSpace(token)) {
          // A run of white space: one cut candidate that drops the whole run.
          let end = i;
          let newlines = 0;
          let runLength = 0;
          while (end < tokens.length && isSpace(tokens[end])) {
            const t = tokens[end] as Token & { kind: "text" };
            if (t.char === "\n") newlines++;
            runLength += t.length;
            end++;
          }
          const kind = newlines >= 2 ? PARAGRAPH : newlines === 1 ? LINE : SPACE;
          if (visible > 0) cuts[kind] = { start: i, end, kind, stack: current.map((o) => ({ ...o })) };
          if (visible + runLength > limit) {
            overflow = true;
            break;
          }
          visible += runLength;
          i = end;
          continue;
        }
        visible += token.length;
      } else if (token.kind === "open") {
        current.push({ name: token.name, raw: token.raw });
      } else {
        const at = current.map((o) => o.name).lastIndexOf(token.name);
        if (at >= 0) current.splice(at, 1);
      }
      i++;
    }
    if (!overflow) {
      parts.push(renderPart(tokens, index, tokens.length, startStack, []));
      break;
    }
    // The best kind of break in the second half of the part, else the latest break of any kind.
    const half = (cut: Cut | undefined) =>
      cut !== undefined && visibleBetween(tokens, index, cut.start) >= limit / 2;
    const cut =
      cuts.find(half) ??
      cuts.filter((c): c is Cut => c !== undefined).sort((a, b) => b.start - a.start)[0] ??
      (hardCut as Cut);
    parts.push(renderPart(tokens, index, cut.start, startStack, cut.stack));
    stack = cut.stack;
    index = cut.end;
  }
  return parts.filter((part) => tokenize(part, html).some((t) => t.kind === "text" && !isSpace(t)));
}

function visibleBetween(tokens: Token[], from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const t = tokens[i] as Token;
    if (t.kind === "text") n += t.length;
  }
  return n;
}

function renderPart(
  tokens: Token[],
  from: number,
  to: number,
  openAtStart: Open[],
  openAtEnd: Open[],
): string {
  const reopen = openAtStart.map((o) => o.raw).join("");
  const body = tokens
    .slice(from, to)
    .map((t) => t.raw)
    .join("");
  const close = openAtEnd
    .slice()
    .reverse()
    .map((o) => `</${o.name}>`)
    .join("");
  return reopen + body + close;
}

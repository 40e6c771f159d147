// A broadcast text written in the panel is Telegram's HTML (bold, italics, links…). It is checked here
// when composed, with Telegram's own rules, so a text Telegram would refuse ("can't parse entities")
// is refused before anyone confirms it, not found out 2,000 messages later. The result is the text as
// Telegram shows it, with its entities: the panel's preview renders that (admin/views/telegram.ts).
import { TELEGRAM_TEXT_LIMIT } from "../telegram-html.ts";

export type HtmlEntity = { type: string; offset: number; length: number; url?: string };

/** What is wrong, as a key the panel words (broadcastsAdmin:html.<code>), with the tag in question. */
export type HtmlProblem =
  | { code: "unclosed-tag"; tag: string }
  | { code: "unopened-tag"; tag: string }
  | { code: "unsupported-tag"; tag: string }
  | { code: "broken-tag" }
  | { code: "bare-ampersand" }
  | { code: "bad-link" }
  | { code: "empty" }
  | { code: "too-long"; length: number; max: number };

export type HtmlCheck =
  | { ok: true; text: string; entities: HtmlEntity[] }
  | { ok: false; problem: HtmlProblem };

const ENTITY_OF: Record<string, string> = {
  b: "bold",
  strong: "bold",
  i: "italic",
  em: "italic",
  u: "underline",
  ins: "underline",
  s: "strikethrough",
  strike: "strikethrough",
  del: "strikethrough",
  "tg-spoiler": "spoiler",
  span: "spoiler",
  code: "code",
  pre: "pre",
  blockquote: "blockquote",
  a: "text_link",
};

const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };
const TAG = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>/;
const ENTITY = /^&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);/;
const HREF = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')/i;

function decode(entity: string): string | null {
  if (entity.startsWith("#x") || entity.startsWith("#X")) {
    const code = Number.parseInt(entity.slice(2), 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : null;
  }
  if (entity.startsWith("#")) {
    const code = Number.parseInt(entity.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : null;
  }
  return NAMED[entity] ?? null;
}

/** Links Telegram opens: web, mail and t.me/tg: links; anything else (javascript:…) is refused. */
function linkOf(attributes: string): string | null {
  const match = HREF.exec(attributes);
  const raw = (match?.[1] ?? match?.[2] ?? "").replaceAll("&amp;", "&").trim();
  try {
    const url = new URL(raw);
    return ["http:", "https:", "mailto:", "tg:"].includes(url.protocol) ? raw : null;
  } catch {
    return null;
  }
}

export function checkTelegramHtml(source: string, limit = TELEGRAM_TEXT_LIMIT): HtmlCheck {
  let text = "";
  const entities: HtmlEntity[] = [];
  const open: { tag: string; start: number; url?: string }[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i] as string;
    if (char === "<") {
      const tag = TAG.exec(source.slice(i, i + 2048));
      if (!tag) return { ok: false, problem: { code: "broken-tag" } };
      const closing = tag[1] === "/";
      const name = (tag[2] as string).toLowerCase();
      if (!(name in ENTITY_OF)) return { ok: false, problem: { code: "unsupported-tag", tag: name } };
      if (closing) {
        const top = open.pop();
        if (!top || top.tag !== name) {
          return {
            ok: false,
            problem: top ? { code: "unclosed-tag", tag: top.tag } : { code: "unopened-tag", tag: name },
          };
        }
        const length = text.length - top.start;
        if (length > 0) {
          entities.push({
            type: ENTITY_OF[name] as string,
            offset: top.start,
            length,
            ...(top.url === undefined ? {} : { url: top.url }),
          });
        }
      } else {
        const attributes = tag[3] ?? "";
        if (name === "a") {
          const url = linkOf(attributes);
          if (url === null) return { ok: false, problem: { code: "bad-link" } };
          open.push({ tag: name, start: text.length, url });
        } else if (name === "span" && !/\bclass\s*=\s*["']tg-spoiler["']/i.test(attributes)) {
          return { ok: false, problem: { code: "unsupported-tag", tag: name } };
        } else {
          open.push({ tag: name, start: text.length });
        }
      }
      i += tag[0].length;
      continue;
    }
    if (char === ">") return { ok: false, problem: { code: "broken-tag" } };
    if (char === "&") {
      const entity = ENTITY.exec(source.slice(i, i + 12));
      const decoded = entity ? decode(entity[1] as string) : null;
      if (!entity || decoded === null) return { ok: false, problem: { code: "bare-ampersand" } };
      text += decoded;
      i += entity[0].length;
      continue;
    }
    text += char;
    i++;
  }
  const unclosed = open.at(-1);
  if (unclosed) return { ok: false, problem: { code: "unclosed-tag", tag: unclosed.tag } };
  // Telegram trims the text, and refuses one with nothing left; it counts UTF-16 code units.
  if (text.trim() === "") return { ok: false, problem: { code: "empty" } };
  if (text.length > limit)
    return { ok: false, problem: { code: "too-long", length: text.length, max: limit } };
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { ok: true, text, entities };
}

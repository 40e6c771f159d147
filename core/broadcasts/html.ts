// A broadcast text written in the panel is Telegram's HTML (bold, italics, links…). It is checked here
// when composed, by the one parser that follows Telegram's rules (core/telegram-html-parse.ts, the
// sandbox's too), so a text Telegram would refuse ("can't parse entities")
// is refused before anyone confirms it, not found out 2,000 messages later. The result is the text as
// Telegram shows it, with its entities: the panel's preview renders that (admin/views/telegram.ts).
import { TELEGRAM_TEXT_LIMIT } from "../telegram-html.ts";
import { type MessageEntity, parseHtml } from "../telegram-html-parse.ts";

export type HtmlEntity = MessageEntity;

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

/** Links Telegram opens: web, mail and t.me/tg: links; anything else (javascript:…) is refused. */
function isOpenableLink(url: string | undefined): boolean {
  try {
    return ["http:", "https:", "mailto:", "tg:"].includes(new URL(url ?? "").protocol);
  } catch {
    return false;
  }
}

/** Telegram's error text, as one of the problems the panel words in the staff's language. */
function problemOf(source: string, reason: string): HtmlProblem {
  const unclosed = /^Can't find end tag corresponding to start tag "([^"]+)"/.exec(reason);
  if (unclosed) return { code: "unclosed-tag", tag: unclosed[1] as string };
  const unmatched = /^Unmatched end tag .*expected "<\/([^">]+)>"/.exec(reason);
  if (unmatched) return { code: "unclosed-tag", tag: unmatched[1] as string };
  const unexpected = /^Unexpected end tag at byte offset (\d+)/.exec(reason);
  if (unexpected) {
    const rest = Buffer.from(source, "utf8").subarray(Number(unexpected[1])).toString("utf8");
    return { code: "unopened-tag", tag: /^<\/\s*([^\s>]*)/.exec(rest)?.[1]?.toLowerCase() ?? "" };
  }
  const unsupported = /^Unsupported start tag "([^"]*)"/.exec(reason);
  if (unsupported?.[1]) return { code: "unsupported-tag", tag: unsupported[1] };
  if (reason.startsWith('Tag "span" must have class')) return { code: "unsupported-tag", tag: "span" };
  if (reason.startsWith("Character entity expected")) return { code: "bare-ampersand" };
  // A lone "<", a tag cut short, an attribute without its closing quote…
  return { code: "broken-tag" };
}

export function checkTelegramHtml(source: string, limit = TELEGRAM_TEXT_LIMIT): HtmlCheck {
  const parsed = parseHtml(source);
  if (!parsed.ok) return { ok: false, problem: problemOf(source, parsed.reason) };
  if (parsed.entities.some((e) => e.type === "text_link" && !isOpenableLink(e.url))) {
    return { ok: false, problem: { code: "bad-link" } };
  }
  // Telegram trims the text, and refuses one with nothing left; it counts UTF-16 code units.
  if (parsed.text.trim() === "") return { ok: false, problem: { code: "empty" } };
  if (parsed.text.length > limit) {
    return { ok: false, problem: { code: "too-long", length: parsed.text.length, max: limit } };
  }
  return { ok: true, text: parsed.text, entities: parsed.entities };
}

// A broadcast text written in the panel is Telegram's HTML (bold, italics, links…). It is checked here
// when composed, by the one parser that follows Telegram's rules (core/telegram-html-parse.ts, the
// sandbox's too), so a text Telegram would refuse ("can't parse entities")
// is refused before anyone confirms it, not found out 2,000 messages later. The result is the text as
// Telegram shows it, with its entities: the panel's preview renders that (admin/views/telegram.ts).
import { TELEGRAM_TEXT_LIMIT } from "../telegram-html.ts";
import { type MessageEntity, parseHtml } from "../telegram-html-parse.ts";
import { type HtmlProblem, htmlProblemOf } from "../telegram-html-problems.ts";

export type { HtmlProblem };

export type HtmlEntity = MessageEntity;

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

export function checkTelegramHtml(source: string, limit = TELEGRAM_TEXT_LIMIT): HtmlCheck {
  const parsed = parseHtml(source);
  if (!parsed.ok) return { ok: false, problem: htmlProblemOf(source, parsed.reason) };
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

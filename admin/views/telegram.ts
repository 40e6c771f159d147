// A Telegram message as HTML: the plain text with its entities (what Telegram makes of the bot's
// HTML parse mode) turned back into markup. Only the formatting Telegram itself offers is produced,
// from our own fixed tags; every character of the text is escaped, so a message cannot inject markup.
import { escapeHtml, type SafeHtml, trusted } from "./html.ts";

export type TelegramEntity = { type: string; offset: number; length: number; url?: string | undefined };

const SIMPLE_TAGS: Record<string, [string, string]> = {
  bold: ["<b>", "</b>"],
  italic: ["<i>", "</i>"],
  underline: ["<u>", "</u>"],
  strikethrough: ["<s>", "</s>"],
  spoiler: ['<span class="spoiler">', "</span>"],
  code: ["<code>", "</code>"],
  pre: ["<pre>", "</pre>"],
  blockquote: ["<blockquote>", "</blockquote>"],
  expandable_blockquote: ["<blockquote>", "</blockquote>"],
};

/** Only web and mail links become links; tg://, javascript: and the like stay plain text. */
function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate);
    return ["http:", "https:", "mailto:"].includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

function tagsFor(entity: TelegramEntity, text: string): [string, string] | null {
  const simple = SIMPLE_TAGS[entity.type];
  if (simple) return simple;
  let href: string | null = null;
  if (entity.type === "text_link" && entity.url) href = safeHref(entity.url);
  if (entity.type === "url") {
    const shown = text.slice(entity.offset, entity.offset + entity.length);
    // Telegram also links bare "example.org"; it opens those as http.
    href = safeHref(/^[a-z][a-z0-9+.-]*:/i.test(shown) ? shown : `http://${shown}`);
  }
  return href ? [`<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">`, "</a>"] : null;
}

export function renderTelegramText(text: string, entities: readonly TelegramEntity[] = []): SafeHtml {
  const spans = entities
    .filter(
      (e) =>
        Number.isInteger(e.offset) &&
        Number.isInteger(e.length) &&
        e.offset >= 0 &&
        e.length > 0 &&
        e.offset + e.length <= text.length,
    )
    .map((e) => ({ start: e.offset, end: e.offset + e.length, tags: tagsFor(e, text) }))
    .filter((s): s is { start: number; end: number; tags: [string, string] } => s.tags !== null)
    // Outer entities first, so nested ones open inside them.
    .sort((a, b) => a.start - b.start || b.end - a.end);

  const boundaries = [...new Set([0, text.length, ...spans.flatMap((s) => [s.start, s.end])])].sort(
    (a, b) => a - b,
  );
  const open: typeof spans = [];
  let out = "";
  for (let i = 0; i < boundaries.length; i++) {
    const at = boundaries[i] as number;
    // Close what ends here. Entities should nest, but if two overlap, close the inner one too and
    // reopen it, so the markup stays well-formed.
    if (open.some((s) => s.end <= at)) {
      const reopen: typeof spans = [];
      while (open.some((s) => s.end <= at)) {
        const top = open.pop();
        if (!top) break;
        out += top.tags[1];
        if (top.end > at) reopen.unshift(top);
      }
      for (const s of reopen) {
        out += s.tags[0];
        open.push(s);
      }
    }
    for (const s of spans) {
      if (s.start === at) {
        out += s.tags[0];
        open.push(s);
      }
    }
    const next = boundaries[i + 1];
    if (next !== undefined) out += escapeHtml(text.slice(at, next));
  }
  for (const s of open.reverse()) out += s.tags[1];
  return trusted(out);
}

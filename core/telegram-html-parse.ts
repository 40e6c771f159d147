// Telegram's HTML parse mode: checks the markup the way Telegram's server does (same error texts, byte
// offsets in UTF-8) and returns the plain text with its entities (offsets in UTF-16 code units).
// One parser for both sides: the sandbox answers the bot with it (sandbox/formatting.ts), and the panel
// refuses texts staff write that Telegram would refuse (core/content/check.ts). It lives in core because
// production code never imports sandbox/.
//
// One deliberate difference: Telegram keeps an `&` that starts no valid entity as a literal `&`; its
// documentation requires every `&` to be escaped, and the sandbox enforces that ("Character entity
// expected"), so a bot that forgets to escape user text fails in tests rather than on some other day.

/** An entity as the Bot API describes it (sandbox/types.ts has the same shape). */
export type MessageEntity = {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
  custom_emoji_id?: string;
};

export type HtmlResult =
  | { ok: true; text: string; entities: MessageEntity[] }
  | { ok: false; reason: string };

const SUPPORTED_TAGS = new Set([
  "a",
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "span",
  "tg-spoiler",
  "tg-emoji",
  "code",
  "pre",
  "blockquote",
]);

const SIMPLE_ENTITY: Record<string, string> = {
  b: "bold",
  strong: "bold",
  i: "italic",
  em: "italic",
  u: "underline",
  ins: "underline",
  s: "strikethrough",
  strike: "strikethrough",
  del: "strikethrough",
  span: "spoiler",
  "tg-spoiler": "spoiler",
  code: "code",
};

const NAMED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

interface OpenTag {
  tag: string;
  argument: string;
  /** Where the tag's text starts in the output, in UTF-16 code units. */
  start: number;
  /** For <pre>: the language of a <code class="language-…"> inside it. */
  language?: string;
}

const isSpace = (char: string | undefined): boolean =>
  char === " " || char === "\t" || char === "\n" || char === "\r" || char === "\v" || char === "\f";

const isNameTokenChar = (char: string | undefined): boolean =>
  char !== undefined && /[A-Za-z0-9.-]/.test(char);

/** Decodes the character entity starting at `at` (which holds "&"): the text and how many characters it spans. */
function decodeEntity(source: string, at: number): { text: string; length: number } | null {
  const semicolon = source.indexOf(";", at + 1);
  if (semicolon < 0 || semicolon - at > 12) return null;
  const body = source.slice(at + 1, semicolon);
  const length = semicolon - at + 1;
  const numeric = /^#(?:([0-9]{1,7})|[xX]([0-9A-Fa-f]{1,6}))$/.exec(body);
  if (numeric) {
    const code =
      numeric[1] !== undefined ? Number.parseInt(numeric[1], 10) : Number.parseInt(numeric[2] ?? "", 16);
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return null;
    return { text: String.fromCodePoint(code), length };
  }
  const named = NAMED_ENTITIES[body];
  return named === undefined ? null : { text: named, length };
}

/** Attribute values are decoded leniently, as Telegram does: a stray `&` stays as it is. */
function decodeLenient(value: string): string {
  let result = "";
  for (let i = 0; i < value.length; ) {
    const decoded = value[i] === "&" ? decodeEntity(value, i) : null;
    if (decoded) {
      result += decoded.text;
      i += decoded.length;
    } else {
      result += value[i];
      i += 1;
    }
  }
  return result;
}

function entityFor(open: OpenTag, offset: number, length: number): MessageEntity | null {
  const simple = SIMPLE_ENTITY[open.tag];
  if (simple) return { type: simple, offset, length };
  switch (open.tag) {
    case "a":
      return open.argument ? { type: "text_link", offset, length, url: open.argument } : null;
    case "tg-emoji":
      return open.argument ? { type: "custom_emoji", offset, length, custom_emoji_id: open.argument } : null;
    case "pre":
      return open.language
        ? { type: "pre", offset, length, language: open.language }
        : { type: "pre", offset, length };
    case "blockquote":
      return { type: open.argument ? "expandable_blockquote" : "blockquote", offset, length };
    default:
      return null;
  }
}

export function parseHtml(source: string): HtmlResult {
  const byteOffset = (index: number): number => Buffer.byteLength(source.slice(0, index), "utf8");
  const fail = (reason: string): HtmlResult => ({ ok: false, reason });

  let text = "";
  const entities: MessageEntity[] = [];
  const stack: OpenTag[] = [];
  const n = source.length;
  let i = 0;

  while (i < n) {
    const char = source[i];
    if (char === "&") {
      const decoded = decodeEntity(source, i);
      if (!decoded) return fail(`Character entity expected at byte offset ${byteOffset(i)}`);
      text += decoded.text;
      i += decoded.length;
      continue;
    }
    if (char !== "<") {
      text += char;
      i += 1;
      continue;
    }

    const begin = i;
    i += 1;
    if (source[i] !== "/") {
      // A start tag: name, then attributes up to ">".
      let nameEnd = i;
      while (nameEnd < n && !isSpace(source[nameEnd]) && source[nameEnd] !== ">") nameEnd += 1;
      if (nameEnd >= n) return fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
      const tag = source.slice(i, nameEnd).toLowerCase();
      if (!SUPPORTED_TAGS.has(tag))
        return fail(`Unsupported start tag "${tag}" at byte offset ${byteOffset(begin)}`);

      let argument = "";
      i = nameEnd;
      while (source[i] !== ">") {
        while (i < n && isSpace(source[i])) i += 1;
        if (i >= n) return fail(`Unclosed start tag "${tag}" at byte offset ${byteOffset(begin)}`);
        if (source[i] === ">") break;

        const attributeStart = i;
        while (i < n && !isSpace(source[i]) && source[i] !== "=" && source[i] !== ">") i += 1;
        const attribute = source.slice(attributeStart, i).toLowerCase();
        if (!attribute) {
          return fail(`Empty attribute name in the tag "${tag}" at byte offset ${byteOffset(begin)}`);
        }
        while (i < n && isSpace(source[i])) i += 1;
        if (source[i] !== "=") {
          if (tag === "blockquote" && attribute === "expandable") {
            argument = "expandable";
            continue;
          }
          if (i >= n) return fail(`Unclosed start tag "${tag}" at byte offset ${byteOffset(begin)}`);
          return fail(
            `Expected equal sign in declaration of an attribute of the tag "${tag}" at byte offset ${byteOffset(begin)}`,
          );
        }
        i += 1;
        while (i < n && isSpace(source[i])) i += 1;
        if (i >= n) return fail(`Unclosed start tag "${tag}" at byte offset ${byteOffset(begin)}`);

        let value: string;
        const quote = source[i];
        if (quote === '"' || quote === "'") {
          const valueStart = i + 1;
          const valueEnd = source.indexOf(quote, valueStart);
          if (valueEnd < 0)
            return fail(`Unclosed end of attribute value at byte offset ${byteOffset(valueStart)}`);
          value = decodeLenient(source.slice(valueStart, valueEnd));
          i = valueEnd + 1;
        } else {
          const tokenStart = i;
          while (isNameTokenChar(source[i])) i += 1;
          value = source.slice(tokenStart, i).toLowerCase();
          if (i >= n || (!isSpace(source[i]) && source[i] !== ">")) {
            return fail(`Unexpected end of name token at byte offset ${byteOffset(tokenStart)}`);
          }
        }

        if (tag === "a" && attribute === "href") argument = value;
        else if (tag === "code" && attribute === "class" && value.startsWith("language-"))
          argument = value.slice(9);
        else if (tag === "span" && attribute === "class") argument = value;
        else if (tag === "tg-emoji" && attribute === "emoji-id") argument = value;
        else if (tag === "blockquote" && attribute === "expandable") argument = "expandable";
      }
      i += 1; // ">"

      if (tag === "span" && argument !== "tg-spoiler") {
        return fail(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(begin)}`);
      }
      stack.push({ tag, argument, start: text.length });
      continue;
    }

    // An end tag.
    const open = stack.pop();
    if (!open) return fail(`Unexpected end tag at byte offset ${byteOffset(begin)}`);
    i += 1; // "/"
    const nameStart = i;
    while (i < n && !isSpace(source[i]) && source[i] !== ">") i += 1;
    const endTag = source.slice(nameStart, i).toLowerCase();
    while (i < n && isSpace(source[i])) i += 1;
    if (source[i] !== ">") return fail(`Unclosed end tag at byte offset ${byteOffset(begin)}`);
    i += 1;
    if (endTag && endTag !== open.tag) {
      return fail(
        `Unmatched end tag at byte offset ${byteOffset(begin)}, expected "</${open.tag}>", found "</${endTag}>"`,
      );
    }

    const parent = stack.at(-1);
    if (open.tag === "code" && open.argument && parent?.tag === "pre" && parent.start === open.start) {
      // <pre><code class="language-x">…</code></pre> is one pre entity with a language.
      parent.language = open.argument;
      continue;
    }
    const length = text.length - open.start;
    if (length > 0) {
      const entity = entityFor(open, open.start, length);
      if (entity) entities.push(entity);
    }
  }

  const unclosed = stack.at(-1);
  if (unclosed) return fail(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);

  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { ok: true, text, entities };
}

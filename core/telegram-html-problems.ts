// What is wrong with a text Telegram would refuse, as a problem the panel words in the staff's
// language (broadcastsAdmin:html.<code>), read from the error text of the one parser that follows
// Telegram's rules (core/telegram-html-parse.ts, whose errors are Telegram's own, in English).
// Broadcasts, content and wording tests all word their problems from here.

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

/** Telegram's error text, as one of the problems the panel words in the staff's language. */
export function htmlProblemOf(source: string, reason: string): HtmlProblem {
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

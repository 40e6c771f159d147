// Splitting texts over Telegram's limit: pure, so checked against the sandbox's own HTML parser.
import { describe, expect, it } from "vitest";
import { parseHtml } from "../core/telegram-html-parse.ts";
import { splitMessage } from "../worker/delivery/split.ts";

function plain(part: string): string {
  const parsed = parseHtml(part);
  if (!parsed.ok) throw new Error(`${parsed.reason}: ${part}`);
  return parsed.text;
}
const squash = (text: string) => text.replace(/\s+/g, "");

describe("splitting long texts", () => {
  it("leaves a text that fits alone", () => {
    expect(splitMessage("Ciao <b>tu</b>", "HTML")).toEqual(["Ciao <b>tu</b>"]);
    expect(splitMessage("x".repeat(4096), null)).toEqual(["x".repeat(4096)]);
  });

  it("cuts at a paragraph break, else a line break, else a space, else inside a word", () => {
    expect(splitMessage("aaaa bbbb\ncccc\n\ndddd eeee", null, 20)).toEqual(["aaaa bbbb\ncccc", "dddd eeee"]);
    expect(splitMessage("aaaa bbbb\ncccc dddd eeee", null, 16)).toEqual(["aaaa bbbb", "cccc dddd eeee"]);
    expect(splitMessage("aaaa bbbb cccc dddd", null, 12)).toEqual(["aaaa bbbb", "cccc dddd"]);
    expect(splitMessage("abcdefghij", null, 4)).toEqual(["abcd", "efgh", "ij"]);
  });

  it("never cuts inside a tag or an entity, and keeps tags balanced in every part", () => {
    const parts = splitMessage('<b>aa &amp; <a href="https://x.y/z">bb</a> <i>cc dd</i> ee</b>', "HTML", 8);
    for (const part of parts) expect(parseHtml(part).ok).toBe(true);
    expect(parts).toEqual(['<b>aa &amp; <a href="https://x.y/z">bb</a></b>', "<b><i>cc dd</i> ee</b>"]);
  });

  it("splits 9,000 characters of HTML into parts within the limit after entity decoding", () => {
    const paragraph = (i: number) =>
      `<b>Rata ${i}</b> &amp; spese: <i>${"importo &lt;dovuto&gt; ".repeat(20)}</i>\n${"testo ".repeat(30)}`;
    const text = Array.from({ length: 17 }, (_, i) => paragraph(i)).join("\n\n");
    const whole = plain(text);
    expect(whole.length).toBeGreaterThan(9000);
    expect(whole.length).toBeLessThan(9500);
    const parts = splitMessage(text, "HTML");
    expect(parts.length).toBe(3);
    for (const part of parts) expect(plain(part).length).toBeLessThanOrEqual(4096);
    expect(squash(parts.map(plain).join(""))).toBe(squash(whole));
    // Cut at paragraph breaks: every part after the first starts a paragraph.
    for (const part of parts.slice(1)) expect(part.startsWith("<b>Rata ")).toBe(true);
  });
});

// Right-to-left paragraphs (Arabic) for PDFKit. PDFKit shapes Arabic through fontkit (joining forms,
// lam-alef ligatures) and lays out a run whose script is Arabic right to left, but it does not apply
// the Unicode bidirectional algorithm: a line that mixes Arabic with digits or Latin words ("ALER",
// a date, the bot's @name) comes out in the wrong order. So lines are broken here, each line is cut
// into runs of one direction (bidi-js, UAX #9), the runs are put in visual order and drawn one by one:
// fontkit still shapes each Arabic run as a whole, in its logical order.
import bidiModule, { type Bidi } from "bidi-js";

// A CommonJS package whose typings declare an ES default export: Node hands over module.exports,
// which is the factory itself.
const bidi = (bidiModule as unknown as () => Bidi)();

/** Letters of an Arabic-script run: fontkit reverses such a run itself. */
const ARABIC_LETTER = /[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]/;

export type Measure = (text: string) => number;

/** A paragraph broken into lines no wider than `width`, in logical order (greedy, at spaces). */
export function wrapLines(text: string, width: number, measure: Measure): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    const candidate = line === "" ? word : `${line} ${word}`;
    if (line !== "" && measure(candidate) > width) {
      lines.push(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

export type VisualRun = {
  /** What to hand to PDFKit: an Arabic run in logical order (fontkit reverses it), anything else as shown. */
  text: string;
  rtl: boolean;
};

/**
 * One line of a right-to-left paragraph as runs from left to right on the page. Mirrored characters
 * (brackets, «») are swapped in right-to-left runs; right-to-left runs without an Arabic letter (spaces,
 * punctuation between two Latin words) are reversed here, since fontkit would leave them as they are.
 */
export function visualRuns(line: string): VisualRun[] {
  const { levels } = bidi.getEmbeddingLevels(line, "rtl");
  const mirrored = bidi.getMirroredCharactersMap(line, levels);
  const chars = [...line];
  // Indices in `levels` are UTF-16 code units; the texts here are in the BMP, so one char each.
  const runs: { text: string; level: number }[] = [];
  chars.forEach((char, i) => {
    const level = levels[i] ?? 1;
    const shown = mirrored.get(i) ?? char;
    const last = runs[runs.length - 1];
    if (last && last.level === level) last.text += shown;
    else runs.push({ text: shown, level });
  });
  // UAX #9 L2: from the highest level down to the lowest odd one, reverse every sequence of runs at
  // that level or higher.
  const highest = Math.max(...runs.map((r) => r.level));
  for (let level = highest; level >= 1; level--) {
    let i = 0;
    while (i < runs.length) {
      if ((runs[i]?.level ?? 0) < level) {
        i++;
        continue;
      }
      let j = i;
      while (j < runs.length && (runs[j]?.level ?? 0) >= level) j++;
      runs.splice(i, j - i, ...runs.slice(i, j).reverse());
      i = j;
    }
  }
  return runs.map((run) => {
    const rtl = run.level % 2 === 1;
    if (rtl && !ARABIC_LETTER.test(run.text)) return { text: [...run.text].reverse().join(""), rtl };
    return { text: run.text, rtl };
  });
}

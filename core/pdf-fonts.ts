// The fonts every PDF the project makes embeds: DejaVu Sans from the npm package dejavu-fonts-ttf
// (installed with the project, so a fresh machine has it): Latin with Romanian and Albanian letters,
// Cyrillic, and Arabic with its joining forms. Embedded fonts also let a reader extract the text.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const FONT_DIR = join(
  dirname(createRequire(import.meta.url).resolve("dejavu-fonts-ttf/package.json")),
  "ttf",
);

export type PdfFonts = { regular: Buffer; bold: Buffer; mono: Buffer };

let fonts: PdfFonts | undefined;

/** Read once, on the first PDF. */
export function pdfFonts(): PdfFonts {
  fonts ??= {
    regular: readFileSync(join(FONT_DIR, "DejaVuSans.ttf")),
    bold: readFileSync(join(FONT_DIR, "DejaVuSans-Bold.ttf")),
    mono: readFileSync(join(FONT_DIR, "DejaVuSansMono-Bold.ttf")),
  };
  return fonts;
}

// Bootstrap Italia, the design system of Italy's public administration (BSD-3-Clause), served from
// node_modules: its compiled CSS and the woff2 fonts it names (Titillium Web, Roboto Mono). No CDN and
// none of its JavaScript: the panel uses only components that work with CSS alone.
// The URLs carry the package's version, so browsers may keep the files for a year: an upgrade changes
// the URLs. Only the files listed here are served (no path from the request reaches the disk).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const PACKAGE_DIR = join(import.meta.dirname, "..", "node_modules", "bootstrap-italia");
const DIST = join(PACKAGE_DIR, "dist");

export const BOOTSTRAP_ITALIA_VERSION: string = JSON.parse(
  readFileSync(join(PACKAGE_DIR, "package.json"), "utf8"),
).version;

/** Where the files are served: /assets/bootstrap-italia/<version>/… */
export const BOOTSTRAP_ITALIA_BASE = `/assets/bootstrap-italia/${BOOTSTRAP_ITALIA_VERSION}`;
export const BOOTSTRAP_ITALIA_CSS = `${BOOTSTRAP_ITALIA_BASE}/css/bootstrap-italia.min.css`;

/** The font faces the panel declares (styles.ts): family, file under dist/fonts, weight, style. */
export const FONT_FACES = [
  ["Titillium Web", "Titillium_Web/titillium-web-v10-latin-ext_latin-300.woff2", 300, "normal"],
  ["Titillium Web", "Titillium_Web/titillium-web-v10-latin-ext_latin-regular.woff2", 400, "normal"],
  ["Titillium Web", "Titillium_Web/titillium-web-v10-latin-ext_latin-italic.woff2", 400, "italic"],
  ["Titillium Web", "Titillium_Web/titillium-web-v10-latin-ext_latin-600.woff2", 600, "normal"],
  ["Titillium Web", "Titillium_Web/titillium-web-v10-latin-ext_latin-700.woff2", 700, "normal"],
  ["Roboto Mono", "Roboto_Mono/roboto-mono-v13-latin-ext_latin-regular.woff2", 400, "normal"],
] as const;

export type StaticFile = { body: Buffer; gzip: Buffer | null; type: string };

/**
 * The compiled stylesheet as served: without the video player's icon font, embedded as a data: URL
 * (Chromium loads those at once, and font-src 'self' refuses them: an error on every page for a
 * component the panel does not use), and without the source map comment (the map would no longer
 * match, so it is not served).
 */
export function panelCss(css: string): string {
  return css
    .replace(/@font-face\{font-family:VideoJS;[^}]*\}/g, "")
    .replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, "");
}

/** Path under BOOTSTRAP_ITALIA_BASE → the file, read once at start. */
export function bootstrapItaliaFiles(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const css = Buffer.from(panelCss(readFileSync(join(DIST, "css", "bootstrap-italia.min.css"), "utf8")));
  files.set("css/bootstrap-italia.min.css", {
    body: css,
    gzip: gzipSync(css),
    type: "text/css; charset=utf-8",
  });
  for (const [, file] of FONT_FACES) {
    // woff2 is compressed already.
    files.set(`fonts/${file}`, {
      body: readFileSync(join(DIST, "fonts", file)),
      gzip: null,
      type: "font/woff2",
    });
  }
  return files;
}

// Horizontal 100% bars for the results page (inline SVG drawn on the server, as ./charts.ts): one bar
// per row, split into parts that are shares of the row's whole, so rows of different sizes compare by
// share (papers by document type, spending month by month). The label sits above its bar so long
// names fit on a phone; a legend names the parts; the caption says the figures in words, and the page
// gives them as a table too.
import { html, type SafeHtml } from "../html.ts";

// Narrower than ./charts.ts's 640: the SVG scales to the screen, and its labels stay legible on a phone.
const WIDTH = 480;
const LEGEND_ROW = 22;
const ROW = 50;

export type ShareBarRow = {
  label: string;
  /** What the parts are shares of; 0 (or withheld) draws an empty outline and `text`. */
  whole: number;
  /** One part per legend entry, in its order: its value and the value in words (for its tooltip). */
  parts: readonly { value: number; text: string }[];
  /** Said after the label: the row's figures in words, or "—". */
  text: string;
};

export function shareBars(
  id: string,
  caption: string,
  legend: readonly { label: string; colour: string }[],
  rows: readonly ShareBarRow[],
): SafeHtml {
  const top = legend.length * LEGEND_ROW + 6;
  const height = top + rows.length * ROW + 4;
  const barWidth = WIDTH - 2;
  return html`<figure class="chart">
<svg viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-labelledby="${id}" focusable="false">
${legend.map(
  (l, i) =>
    html`<rect x="1" y="${i * LEGEND_ROW + 4}" width="14" height="14" fill="${l.colour}" stroke="#1a1a1a" stroke-width="1"/>
<text x="22" y="${i * LEGEND_ROW + 16}" font-size="14" fill="#1a1a1a">${l.label}</text>`,
)}
${rows.map((row, r) => {
  const y = top + r * ROW;
  let x = 1;
  const parts = row.whole > 0 ? row.parts : [];
  return html`<text x="1" y="${y + 15}" font-size="14" fill="#1a1a1a">${row.label}: ${row.text}</text>
${parts.map((p, k) => {
  const w = (p.value / row.whole) * barWidth;
  const part = html`<rect x="${x.toFixed(1)}" y="${y + 21}" width="${w.toFixed(1)}" height="22" fill="${legend[k]?.colour ?? "#5c6f82"}" stroke="#fff" stroke-width="1"><title>${row.label}: ${legend[k]?.label ?? ""} ${p.text}</title></rect>`;
  x += w;
  return part;
})}<rect x="1" y="${y + 21}" width="${barWidth}" height="22" fill="none" stroke="#5c6f82" stroke-width="1"/>`;
})}
</svg>
<figcaption id="${id}">${caption}</figcaption>
</figure>`;
}

// The results page's charts: inline SVG drawn on the server (no script, prints as it shows), each
// with a caption that says the figures in words; the page also gives them as tables.
import { html, type SafeHtml } from "../html.ts";

const WIDTH = 640;

/** Horizontal bars, one per step (a funnel: each step at most the one before). */
export function funnelChart(
  id: string,
  caption: string,
  steps: readonly { label: string; value: number; text: string }[],
): SafeHtml {
  const row = 34;
  const labelWidth = 220;
  const height = steps.length * row + 8;
  const top = Math.max(1, ...steps.map((s) => s.value));
  const barMax = WIDTH - labelWidth - 70;
  return html`<figure class="chart">
<svg viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-labelledby="${id}" focusable="false">
${steps.map((s, i) => {
  const y = 4 + i * row;
  const w = Math.max(1, (s.value / top) * barMax);
  return html`<text x="0" y="${y + 21}" font-size="14" fill="#1a1a1a">${s.label}</text>
<rect x="${labelWidth}" y="${y + 4}" width="${w.toFixed(1)}" height="24" fill="#0066cc"><title>${s.label}: ${s.text}</title></rect>
<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 21}" font-size="14" fill="#1a1a1a">${s.text}</text>`;
})}
</svg>
<figcaption id="${id}">${caption}</figcaption>
</figure>`;
}

/** Vertical bars, one group per month; each series a colour, drawn side by side. */
export function monthBars(
  id: string,
  caption: string,
  months: readonly string[],
  series: readonly { colour: string; values: readonly number[]; texts: readonly string[] }[],
): SafeHtml {
  const height = 220;
  const pad = { left: 8, right: 8, top: 12, bottom: 40 };
  const top = Math.max(1, ...series.flatMap((s) => s.values));
  const slot = (WIDTH - pad.left - pad.right) / Math.max(1, months.length);
  const barWidth = Math.max(2, (slot * 0.8) / Math.max(1, series.length));
  const baseline = height - pad.bottom;
  const y = (v: number) => pad.top + (1 - v / top) * (baseline - pad.top);
  return html`<figure class="chart">
<svg viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-labelledby="${id}" focusable="false">
<line x1="${pad.left}" y1="${baseline}" x2="${WIDTH - pad.right}" y2="${baseline}" stroke="#5c6f82" stroke-width="1"/>
${months.map((month, m) => {
  const x0 = pad.left + m * slot + slot * 0.1;
  return html`${series.map((s, k) => {
    const v = s.values[m] ?? 0;
    return html`<rect x="${(x0 + k * barWidth).toFixed(1)}" y="${y(v).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(baseline - y(v)).toFixed(1)}" fill="${s.colour}"><title>${month}: ${s.texts[m] ?? ""}</title></rect>`;
  })}${
    months.length <= 12 || m % Math.ceil(months.length / 12) === 0
      ? html`<text x="${(x0 + slot * 0.4).toFixed(1)}" y="${baseline + 18}" font-size="12" text-anchor="middle" fill="#1a1a1a">${month}</text>`
      : ""
  }`;
})}
</svg>
<figcaption id="${id}">${caption}</figcaption>
</figure>`;
}

/** Vertical columns side by side, one per category, each labelled below and with its value on top. */
export function columnChart(
  id: string,
  caption: string,
  columns: readonly { label: string; value: number; text: string }[],
): SafeHtml {
  const height = 200;
  const pad = { top: 24, bottom: 28 };
  const top = Math.max(1, ...columns.map((c) => c.value));
  const slot = WIDTH / Math.max(1, columns.length);
  const barWidth = Math.min(80, slot * 0.6);
  const baseline = height - pad.bottom;
  return html`<figure class="chart">
<svg viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-labelledby="${id}" focusable="false">
<line x1="0" y1="${baseline}" x2="${WIDTH}" y2="${baseline}" stroke="#5c6f82" stroke-width="1"/>
${columns.map((c, i) => {
  const h = (c.value / top) * (baseline - pad.top);
  const centre = slot * i + slot / 2;
  return html`<rect x="${(centre - barWidth / 2).toFixed(1)}" y="${(baseline - h).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${h.toFixed(1)}" fill="#0066cc"><title>${c.label}: ${c.text}</title></rect>
<text x="${centre.toFixed(1)}" y="${(baseline - h - 6).toFixed(1)}" font-size="14" text-anchor="middle" fill="#1a1a1a">${c.text}</text>
<text x="${centre.toFixed(1)}" y="${baseline + 20}" font-size="14" text-anchor="middle" fill="#1a1a1a">${c.label}</text>`;
})}
</svg>
<figcaption id="${id}">${caption}</figcaption>
</figure>`;
}

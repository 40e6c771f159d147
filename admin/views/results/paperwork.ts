// The results page's "paperwork" section (core/results/paperwork.ts): one bar per document type split
// into on time / late / overdue / still to bring, the same figures as a table (shares of the papers
// asked), each column's definition, and the household figures.

import { shareText } from "../../../core/results/format.ts";
import { documentName, type PaperCounts, type PaperworkFigures } from "../../../core/results/paperwork.ts";
import { html, type SafeHtml } from "../html.ts";
import { figureTable } from "./figure-table.ts";
import type { SectionViewContext } from "./sections.ts";
import { shareBars } from "./share-bars.ts";

const COLUMNS = ["asked", "complete", "onTime", "overdue"] as const;

export function paperworkView(f: PaperworkFigures, { lang, r }: SectionViewContext): SafeHtml {
  const label = (key: string) => r(key);
  const types = f.types.map((t) => ({ ...t, name: documentName(t.key, label) }));
  const counted = (c: PaperCounts, k: (typeof COLUMNS)[number]) =>
    k === "asked" ? String(c.asked) : `${c[k]} (${shareText(lang, c[k], c.asked)})`;
  const legend = [
    { key: "onTimePart", colour: "#004d99" },
    { key: "latePart", colour: "#4f8fcf" },
    { key: "overduePart", colour: "#b35900" },
    { key: "openPart", colour: "#d9dee3" },
  ] as const;
  const chart = shareBars(
    "paperwork-caption",
    [
      r("paperwork.chart"),
      ...types.map((t) =>
        r("paperwork.chartLine", {
          document: t.name,
          asked: t.asked,
          complete: t.complete,
          onTime: t.onTime,
          overdue: t.overdue,
        }),
      ),
    ].join(" "),
    legend.map((l) => ({ label: r(`paperwork.${l.key}`), colour: l.colour })),
    types.map((t) => {
      const parts = [t.onTime, t.complete - t.onTime, t.overdue, t.asked - t.complete - t.overdue];
      return {
        label: t.name,
        whole: t.asked,
        parts: parts.map((value) => ({ value, text: String(value) })),
        text: t.asked === 0 ? r("none") : r("paperwork.barText", { complete: t.complete, asked: t.asked }),
      };
    }),
  );
  const head = COLUMNS.map((k) => r(`paperwork.${k}`));
  const line = (name: string, c: PaperCounts, key: string) =>
    html`<tr data-paper="${key}"><th scope="row">${name}</th>${COLUMNS.map(
      (k, i) => html`<td class="num" data-label="${head[i]}">${counted(c, k)}</td>`,
    )}</tr>`;
  const table = html`<table>
<caption>${r("paperwork.byType")}</caption>
<thead><tr><th scope="col">${r("paperwork.document")}</th>${head.map((h) => html`<th scope="col" class="num">${h}</th>`)}</tr></thead>
<tbody>${types.map((t) => line(t.name, t, t.key))}${line(r("paperwork.allTypes"), f.total, "total")}</tbody></table>
<ul class="muted">
${COLUMNS.map((k, i) => html`<li>${head[i]}: ${r(`paperwork.${k}Def`)}</li>`)}
<li>${r("paperwork.allTypes")}: ${r("paperwork.allTypesDef")}</li>
<li>${r("paperwork.sharesDef")}</li>
</ul>`;
  return html`<h2>${r("paperwork.title")}</h2>
${f.total.asked === 0 ? html`<p class="empty">${r("paperwork.empty")}</p>` : chart}
${table}
${figureTable(r, "paperwork", [
  ["withPapers", String(f.withPapers)],
  ["allComplete", `${f.allComplete} (${shareText(lang, f.allComplete, f.withPapers)})`],
  ["anyOverdue", `${f.anyOverdue} (${shareText(lang, f.anyOverdue, f.withPapers)})`],
])}`;
}

// The results page's "work and training" part (figures: core/results/training.ts): the figures with
// their one-line definitions, a bar chart of the people enrolled by course kind (its caption says it
// in words), and the same figures kind by kind as a table.
import type { CourseKind } from "../../../core/db/client.ts";
import { shareText } from "../../../core/results/format.ts";
import type { TrainingCounts, TrainingFigures } from "../../../core/results/training.ts";
import { html, type SafeHtml } from "../html.ts";
import { funnelChart } from "./charts.ts";
import type { SectionViewContext } from "./sections.ts";

/** Minutes as hours with two decimals, in the page's language ("12,50"). */
export function hoursValue(lang: string, minutes: number): string {
  return new Intl.NumberFormat(lang === "it" ? "it-IT" : "en-GB", {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  }).format(minutes / 60);
}

export function trainingView(f: TrainingFigures, { lang, r }: SectionViewContext): SafeHtml {
  const kindLabel = (kind: CourseKind) => r(`training.kind.${kind}`);
  const rate = (c: TrainingCounts) => shareText(lang, c.present, c.present + c.absent);
  const t = f.total;
  const figures: [string, string][] = [
    ["enrolled", String(t.enrolled)],
    ["households", String(t.households)],
    ["rate", rate(t)],
    ["completed", String(t.completed)],
    ["placementHours", hoursValue(lang, t.minutes)],
  ];
  const chart = funnelChart(
    "training-caption",
    r("training.chart", {
      list: f.byKind.map((k) => `${kindLabel(k.kind)} ${k.enrolled}`).join(", "),
      completed: t.completed,
    }),
    f.byKind.map((k) => ({ label: kindLabel(k.kind), value: k.enrolled, text: String(k.enrolled) })),
  );
  const col = {
    kind: r("training.kindColumn"),
    enrolled: r("training.enrolled"),
    households: r("training.households"),
    rate: r("training.rate"),
    completed: r("training.completed"),
    hours: r("training.placementHours"),
  };
  return html`<section aria-labelledby="training-title">
<h2 id="training-title">${r("training.title")}</h2>
${chart}
<table>
<caption class="sr">${r("training.title")}</caption>
<thead><tr><th scope="col">${r("figure")}</th><th scope="col" class="num">${r("value")}</th><th scope="col">${r("definition")}</th></tr></thead>
<tbody>${figures.map(
    ([key, value]) =>
      html`<tr data-figure="training.${key}"><th scope="row">${r(`training.${key}`)}</th><td class="num" data-label="${r("value")}">${value}</td><td data-label="${r("definition")}">${r(`training.${key}Def`)}</td></tr>`,
  )}</tbody></table>
<h3>${r("training.byKind")}</h3>
<table>
<caption class="sr">${r("training.byKind")}</caption>
<thead><tr><th scope="col">${col.kind}</th><th scope="col" class="num">${col.enrolled}</th><th scope="col" class="num">${col.households}</th><th scope="col" class="num">${col.rate}</th><th scope="col" class="num">${col.completed}</th><th scope="col" class="num">${col.hours}</th></tr></thead>
<tbody>${f.byKind.map(
    (k) =>
      html`<tr data-kind="${k.kind}"><th scope="row">${kindLabel(k.kind)}</th><td class="num" data-label="${col.enrolled}">${k.enrolled}</td><td class="num" data-label="${col.households}">${k.households}</td><td class="num" data-label="${col.rate}">${rate(k)}</td><td class="num" data-label="${col.completed}">${k.completed}</td><td class="num" data-label="${col.hours}">${k.kind === "paid_placement" ? hoursValue(lang, k.minutes) : r("none")}</td></tr>`,
  )}</tbody></table>
</section>`;
}

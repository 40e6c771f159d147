// The results page's "relationship with the offices" (core/results/offices.ts): the figures with their
// one-line definitions, the cases by topic and outcome as a table, and the satisfaction scores as a
// chart with the same numbers as a table. Topic and outcome names are the case pages' own (admin.json).

import type { CaseTopic } from "../../../core/faq.ts";
import type { Translate } from "../../../core/i18n.ts";
import { shareText } from "../../../core/results/format.ts";
import {
  averageText,
  type OfficesFigures,
  OUTCOME_COLUMNS,
  type OutcomeColumn,
} from "../../../core/results/offices.ts";
import { html, type SafeHtml } from "../html.ts";
import { columnChart } from "./charts.ts";
import { figureTable } from "./figure-table.ts";
import type { SectionViewContext } from "./sections.ts";

const NONE = "—";

/** Office hours as "2 h 15 min" (to the minute), or "—". */
function hoursText(r: Translate, hours: number | null): string {
  if (hours === null) return NONE;
  const minutes = Math.round(hours * 60);
  const h = Math.floor(minutes / 60);
  return h === 0
    ? r("offices.minutesValue", { minutes })
    : r("offices.hoursValue", { hours: h, minutes: minutes % 60 });
}

function numberText(lang: string, value: number, decimals: number): string {
  return new Intl.NumberFormat(lang === "it" ? "it-IT" : "en-GB", {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  }).format(value);
}

const topicLabel = (r: Translate, topic: CaseTopic) => r(`admin:cases.topic.${topic}`);
const outcomeLabel = (r: Translate, o: OutcomeColumn) =>
  o === "none" ? r("offices.outcomeNone") : r(`admin:cases.outcome.${o}`);

export function officesView(f: OfficesFigures, { lang, r }: SectionViewContext): SafeHtml {
  const s = f.satisfaction;
  const average = averageText(s.scoreSum, s.answers);
  const figures: [string, string, string][] = [
    ["opened", String(f.total.opened), r("offices.openedDef")],
    ["closed", String(f.total.closed), r("offices.closedDef")],
    [
      "firstResponse",
      hoursText(r, f.firstResponseHours),
      r("offices.firstResponseDef", { count: f.answered }),
    ],
    ["resolution", hoursText(r, f.resolutionHours), r("offices.resolutionDef")],
    [
      "withinDeadline",
      // A count: none is 0 (as in the exports), not "nothing to divide by".
      f.deadlineDue === 0
        ? "0"
        : r("offices.ofTotal", {
            part: f.withinDeadline,
            whole: f.deadlineDue,
            share: shareText(lang, f.withinDeadline, f.deadlineDue),
          }),
      r("offices.withinDeadlineDef", { hours: f.slaHours }),
    ],
    ["answers", String(s.answers), r("offices.answersDef")],
    ["average", average === "" ? NONE : numberText(lang, Number(average), 2), r("offices.averageDef")],
    [
      "answeredShare",
      s.asked === 0
        ? NONE
        : r("offices.ofTotal", {
            part: s.answers,
            whole: s.asked,
            share: shareText(lang, s.answers, s.asked),
          }),
      r("offices.answeredShareDef"),
    ],
  ];
  const figureRows = figureTable(r, "offices", figures);

  const col = {
    topic: r("offices.topic"),
    opened: r("offices.opened"),
    closed: r("offices.closed"),
  };
  const countCells = (c: OfficesFigures["total"]) =>
    html`<td class="num" data-label="${col.opened}">${c.opened}</td><td class="num" data-label="${col.closed}">${c.closed}</td>${OUTCOME_COLUMNS.map(
      (o) => html`<td class="num" data-label="${outcomeLabel(r, o)}">${c.outcomes[o]}</td>`,
    )}`;
  const shown = f.topics.filter((t) => t.counts.opened > 0 || t.counts.closed > 0);
  const topicTable = html`<table>
<caption>${r("offices.byTopic")}</caption>
<thead><tr><th scope="col">${col.topic}</th><th scope="col" class="num">${col.opened}</th><th scope="col" class="num">${col.closed}</th>${OUTCOME_COLUMNS.map(
    (o) => html`<th scope="col" class="num">${outcomeLabel(r, o)}</th>`,
  )}</tr></thead>
<tbody>${shown.map(
    (t) =>
      html`<tr data-topic="${t.topic}"><th scope="row">${topicLabel(r, t.topic)}</th>${countCells(t.counts)}</tr>`,
  )}<tr data-topic="total"><th scope="row">${r("offices.total")}</th>${countCells(f.total)}</tr></tbody></table>
<ul class="muted">
<li>${col.opened}: ${r("offices.openedDef")}</li>
<li>${col.closed}: ${r("offices.closedDef")}</li>
<li>${r("offices.outcomesDef")}</li>
</ul>`;

  const scores = s.distribution.map((n, i) => ({ score: i + 1, n }));
  const chart = columnChart(
    "satisfaction-caption",
    s.answers === 0
      ? r("offices.chartEmpty")
      : r("offices.chart", {
          answers: s.answers,
          average: numberText(lang, Number(average), 2),
          counts: scores.map((x) => r("offices.chartScore", { score: x.score, count: x.n })).join(", "),
        }),
    scores.map((x) => ({ label: String(x.score), value: x.n, text: String(x.n) })),
  );
  const distribution = html`<table>
<caption>${r("offices.distribution")}</caption>
<thead><tr><th scope="col">${r("offices.score")}</th><th scope="col" class="num">${r("offices.answers")}</th><th scope="col" class="num">${r("offices.shareOfAnswers")}</th></tr></thead>
<tbody>${scores.map(
    (x) =>
      html`<tr data-score="${x.score}"><th scope="row">${x.score}</th><td class="num" data-label="${r("offices.answers")}">${x.n}</td><td class="num" data-label="${r("offices.shareOfAnswers")}">${shareText(lang, x.n, s.answers)}</td></tr>`,
  )}</tbody></table>`;

  return html`<section aria-labelledby="offices-title">
<h2 id="offices-title">${r("offices.title")}</h2>
<p>${r("offices.intro", { hours: f.slaHours })}</p>
${figureRows}
<h3>${r("offices.byTopic")}</h3>
${topicTable}
<h3>${r("offices.satisfaction")}</h3>
${chart}
${distribution}
</section>`;
}

// The results page's "self-assessment" part (figures: core/results/checkup.ts): one table per question
// (answers per round: households and share per option), the entry-vs-latest comparison of the
// questions with an ordered scale, and the same cohort by cohort in closed <details> when no cohort
// is chosen. One chart: the households whose latest answer is better than at entry, per question.
import {
  type CheckupFigures,
  type CohortFigures,
  type Comparison,
  cohortLabel,
  type QuestionFigures,
} from "../../../core/results/checkup.ts";
import { shareText } from "../../../core/results/format.ts";
import { html, type SafeHtml } from "../html.ts";
import { funnelChart } from "./charts.ts";
import type { SectionViewContext } from "./sections.ts";

const cohortKey = (c: CohortFigures) => c.cohort ?? "all";

function questionTable(q: QuestionFigures, c: CohortFigures, { lang, r }: SectionViewContext): SafeHtml {
  const rounds = q.rounds.map((round) => ({ ...round, label: r(`checkup:export.rounds.${round.round}`) }));
  const answer = r("checkup.answer");
  return html`<table data-question="${q.key}" data-cohort="${cohortKey(c)}">
<caption>${r(`checkup.question.${q.key}`)} (${cohortLabel(c.cohort, r)}): ${r(`checkup:questions.${q.key}.text`)}</caption>
<thead><tr><th scope="col">${answer}</th>${rounds.map((round) => html`<th scope="col" class="num">${round.label}</th>`)}</tr></thead>
<tbody>${(q.rounds[0]?.options ?? []).map(
    (o, i) =>
      html`<tr data-option="${o.option}"><th scope="row">${r(`checkup:questions.${q.key}.options.${o.option}`)}</th>${rounds.map(
        (round) => {
          const count = round.options[i]?.count ?? 0;
          return html`<td class="num" data-label="${round.label}" data-round="${round.round}">${round.answered === 0 ? r("none") : `${count} (${shareText(lang, count, round.answered)})`}</td>`;
        },
      )}</tr>`,
  )}
<tr data-option="answered"><th scope="row">${r("checkup.answered")}</th>${rounds.map(
    (round) =>
      html`<td class="num" data-label="${round.label}" data-round="${round.round}">${round.answered}</td>`,
  )}</tr></tbody></table>`;
}

function comparisonTable(c: CohortFigures, { lang, r }: SectionViewContext): SafeHtml {
  const keys = ["compared", "better", "same", "worse"] as const;
  const cell = (k: Comparison, key: (typeof keys)[number]) =>
    key === "compared" ? String(k.compared) : `${k[key]} (${shareText(lang, k[key], k.compared)})`;
  return html`<table data-comparison="${cohortKey(c)}">
<caption>${r("checkup.comparisonTitle")} (${cohortLabel(c.cohort, r)})</caption>
<thead><tr><th scope="col">${r("checkup.questionColumn")}</th>${keys.map((key) => html`<th scope="col" class="num">${r(`checkup.${key}`)}</th>`)}</tr></thead>
<tbody>${c.questions.map((q) =>
    q.comparison
      ? html`<tr data-question="${q.key}"><th scope="row">${r(`checkup.question.${q.key}`)}</th>${keys.map(
          (key) =>
            html`<td class="num" data-label="${r(`checkup.${key}`)}" data-figure="checkup.${key}">${cell(q.comparison as Comparison, key)}</td>`,
        )}</tr>`
      : "",
  )}</tbody></table>`;
}

function cohortPart(c: CohortFigures, ctx: SectionViewContext): SafeHtml {
  return html`${comparisonTable(c, ctx)}
${c.questions.map(
  (q) => html`<details data-question="${q.key}"><summary>${ctx.r(`checkup.question.${q.key}`)}</summary>
${questionTable(q, c, ctx)}
</details>`,
)}`;
}

export function checkupView(f: CheckupFigures, ctx: SectionViewContext): SafeHtml {
  const { r } = ctx;
  const ordered = f.all.questions.filter((q) => q.comparison !== null);
  const chart = funnelChart(
    "checkup-caption",
    `${r("checkup.chart")} ${ordered
      .map((q) =>
        r("checkup.chartItem", {
          question: r(`checkup.question.${q.key}`),
          better: q.comparison?.better ?? 0,
          compared: q.comparison?.compared ?? 0,
        }),
      )
      .join("; ")}.`,
    ordered.map((q) => {
      const k = q.comparison as Comparison;
      return {
        label: r(`checkup.question.${q.key}`),
        value: k.better,
        text: `${k.better} / ${k.compared}`,
      };
    }),
  );
  // Each definition after the name of what it defines (the tables' headings).
  const defs: [string, string][] = [
    ["period", r("checkup.period")],
    ["answered", r("checkup.answered")],
    ["share", r("checkup.share")],
    ["compared", r("checkup.compared")],
    ["better", r("checkup.better")],
    ["same", r("checkup.same")],
    ["worse", r("checkup.worse")],
    ["cohort", r("cohort")],
  ];
  return html`<section aria-labelledby="checkup-title">
<h2 id="checkup-title">${r("checkup.title")}</h2>
<ul class="muted">${defs.map(([key, name]) => html`<li data-figure="checkup.${key}"><strong>${name}</strong>: ${r(`checkup.${key}Def`)}</li>`)}</ul>
${chart}
${cohortPart(f.all, ctx)}
${
  f.cohorts.length > 0
    ? html`<h3>${r("checkup.byCohort")}</h3>
${f.cohorts.map(
  (
    c,
  ) => html`<details data-cohort="${cohortKey(c)}"><summary>${r("cohort")}: ${c.cohort === "none" ? r("checkup.noEntry") : c.cohort}</summary>
${cohortPart(c, ctx)}
</details>`,
)}`
    : ""
}
</section>`;
}

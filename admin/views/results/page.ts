// /results: the programme's figures for the households this person sees, filtered by office,
// municipality, month of entry and period; each figure with its one-line definition, the charts as
// inline SVG and the same figures as tables (texts from the "resultsAdmin" namespace).

import { translator } from "../../../core/i18n.ts";
import { formatMoney } from "../../../core/money.ts";
import type { ResultsFigures } from "../../../core/results/figures.ts";
import type { FilterProblem, ResultsFilter } from "../../../core/results/filter.ts";
import { shareText } from "../../../core/results/format.ts";
import { html, type SafeHtml } from "../html.ts";
import { layout, type PageInfo } from "../layout.ts";
import { funnelChart, monthBars } from "./charts.ts";
import { figureTable } from "./figure-table.ts";
import type { ComputedSection } from "./sections.ts";

export type ResultsView = {
  filter: ResultsFilter;
  problems: FilterProblem[];
  figures: ResultsFigures;
  /** The sections after awareness and arrears (./sections.ts), in order. */
  sections: ComputedSection[];
  /** Offices to choose from (admins only; others see their own office's households). */
  offices: { id: number; code: string; name: string }[] | null;
  municipalities: string[];
  /** The query string of the current filter, for the CSV link. */
  query: string;
};

export function resultsPage(page: PageInfo, view: ResultsView): SafeHtml {
  const r = translator(page.lang, "resultsAdmin");
  const { filter, figures } = view;
  const a = figures.awareness;
  const d = figures.arrears;
  const option = (value: string, label: string, current: string | null) =>
    html`<option value="${value}"${value === (current ?? "") ? html` selected` : ""}>${label}</option>`;
  const form = html`<form class="filters no-print" method="get" action="/results" aria-label="${r("filters")}">
${
  view.offices
    ? html`<div><label for="office">${r("office")}</label>
<select id="office" name="office">${option("", r("allOffices"), null)}${view.offices.map((o) =>
        option(
          String(o.id),
          `${o.code} · ${o.name}`,
          filter.officeId === null ? null : String(filter.officeId),
        ),
      )}</select></div>`
    : ""
}
<div><label for="municipality">${r("municipality")}</label>
<select id="municipality" name="municipality">${option("", r("allMunicipalities"), filter.municipality)}${view.municipalities.map(
    (m) => option(m, m, filter.municipality),
  )}</select></div>
<div><label for="cohort">${r("cohort")}</label>
<input id="cohort" name="cohort" type="month" value="${filter.cohort ?? ""}" aria-describedby="cohort-hint"></div>
<div><label for="from">${r("from")}</label>
<input id="from" name="from" type="month" value="${filter.from}" aria-describedby="month-hint"></div>
<div><label for="to">${r("to")}</label>
<input id="to" name="to" type="month" value="${filter.to}" aria-describedby="month-hint"></div>
<button type="submit" class="secondary">${r("apply")}</button>
</form>
<p class="muted no-print" id="cohort-hint">${r("cohortHint")}</p>
<p class="muted no-print" id="month-hint">${r("monthHint")}</p>`;

  const figureRows = (section: string, rows: readonly [string, string][]) => figureTable(r, section, rows);

  const funnel = funnelChart(
    "funnel-caption",
    r("awareness.chart", { invited: a.invited, linked: a.linked, active: a.active }),
    (["invited", "linked", "active"] as const).map((k) => ({
      label: r(`awareness.${k}`),
      value: a[k],
      text: String(a[k]),
    })),
  );
  const months = d.months.map((m) => m.month);
  const first = d.months[0];
  const last = d.months[d.months.length - 1];
  const owedChart = monthBars(
    "owed-caption",
    r("arrears.chart", {
      from: filter.from,
      to: filter.to,
      first: formatMoney(first?.owedCents ?? 0),
      last: formatMoney(last?.owedCents ?? 0),
    }),
    months,
    [
      {
        colour: "#0066cc",
        values: d.months.map((m) => m.owedCents),
        texts: d.months.map((m) => formatMoney(m.owedCents)),
      },
    ],
  );
  const onTimeChart = monthBars("ontime-caption", r("arrears.chartOnTime"), months, [
    {
      colour: "#a6c8ec",
      values: d.months.map((m) => m.installmentsDue),
      texts: d.months.map((m) => `${r("arrears.due")}: ${m.installmentsDue}`),
    },
    {
      colour: "#004d99",
      values: d.months.map((m) => m.installmentsOnTime),
      texts: d.months.map((m) => `${r("arrears.monthOnTime")}: ${m.installmentsOnTime}`),
    },
  ]);
  const col = {
    month: r("arrears.month"),
    owed: r("arrears.owed"),
    paid: r("arrears.paid"),
    due: r("arrears.due"),
    onTime: r("arrears.monthOnTime"),
  };
  const monthly = html`<table>
<caption class="sr">${r("arrears.monthly")}</caption>
<thead><tr><th scope="col">${col.month}</th><th scope="col" class="num">${col.owed}</th><th scope="col" class="num">${col.paid}</th><th scope="col" class="num">${col.due}</th><th scope="col" class="num">${col.onTime}</th></tr></thead>
<tbody>${d.months.map(
    (m) =>
      html`<tr data-month="${m.month}"><th scope="row">${m.month}</th><td class="num" data-label="${col.owed}">${formatMoney(m.owedCents)}</td><td class="num" data-label="${col.paid}">${formatMoney(m.paidCents)}</td><td class="num" data-label="${col.due}">${m.installmentsDue}</td><td class="num" data-label="${col.onTime}">${m.installmentsOnTime}</td></tr>`,
  )}</tbody></table>
<ul class="muted">
<li>${col.owed}: ${r("arrears.owedDef")}</li>
<li>${col.paid}: ${r("arrears.paidDef")}</li>
<li>${col.due}: ${r("arrears.dueDef")}</li>
<li>${col.onTime}: ${r("arrears.onTimeDef")}</li>
</ul>`;

  return layout(page, {
    title: r("title"),
    current: "results",
    body: html`<h1>${r("title")}</h1>
<p>${r("intro")}</p>
${view.problems.map((p) => html`<p class="notice" role="status">${r(`problem.${p}`)}</p>`)}
${form}
<p class="no-print"><a href="/results.csv${view.query}">${r("csv")}</a> · <a href="/results.xlsx${view.query}">${r("xlsx")}</a> · <a href="/results.pdf${view.query}">${r("pdf")}</a></p>
<p class="muted">${r("households", { count: figures.households })}</p>
<h2>${r("awareness.title")}</h2>
${funnel}
${figureRows("awareness", [
  ["invited", String(a.invited)],
  ["linked", String(a.linked)],
  ["active", String(a.active)],
  ["balanceViewed", String(a.balanceViewed)],
  ["planViewed", String(a.planViewed)],
])}
<h2>${r("arrears.title")}</h2>
${figureRows("arrears", [
  ["withFigures", String(d.withFigures)],
  ["entry", formatMoney(d.entryCents)],
  ["now", formatMoney(d.nowCents)],
  ["recovered", formatMoney(d.recoveredCents)],
  ["recoveredShare", shareText(page.lang, d.recoveredCents, d.entryCents)],
  ["settled", String(d.settled)],
  ["onTrack", String(d.plans.onTrack)],
  ["late", String(d.plans.late)],
  ["broken", String(d.plans.broken)],
  ["dueAll", String(d.installmentsDue)],
  ["onTime", `${d.installmentsOnTime} (${shareText(page.lang, d.installmentsOnTime, d.installmentsDue)})`],
])}
<h3>${r("arrears.monthly")}</h3>
${owedChart}
${onTimeChart}
${monthly}
${view.sections.map((s) => s.view({ lang: page.lang, r, filter }))}`,
  });
}

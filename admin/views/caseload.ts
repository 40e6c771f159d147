// "Who needs help first": the households a member of staff sees, by priority, each with its reasons
// and their points (core/priority/rules.ts), filters as a plain GET form, 50 a page.
import type { Translate } from "../../core/i18n.ts";
import type { Caseload, CaseloadFilters, ReasonShown } from "../../core/priority/caseload.ts";
import { REASONS } from "../../core/priority/rules.ts";
import { html, type SafeHtml } from "./html.ts";
import { layout, type PageInfo } from "./layout.ts";

export type FilterProblem = "office" | "worker" | "reason";

export type CaseloadView = {
  /** Null when a filter was not valid: the page says so and lists nothing. */
  caseload: Caseload | null;
  problem?: FilterProblem;
  filters: CaseloadFilters;
  /** Admins choose an office; others see their own. */
  offices: { id: number; code: string; name: string }[] | null;
  workers: { id: number; label: string }[];
};

function filterValue(value: number | string | null): string {
  return value === null ? "" : String(value);
}

function pageHref(filters: CaseloadFilters, page: number): string {
  const params = new URLSearchParams();
  if (filters.office !== null) params.set("office", String(filters.office));
  if (filters.worker !== null) params.set("worker", String(filters.worker));
  if (filters.reason !== null) params.set("reason", filters.reason);
  if (page > 1) params.set("page", String(page));
  const search = params.toString();
  return search ? `/caseload?${search}` : "/caseload";
}

export function reasonText(t: Translate, shown: ReasonShown): string {
  if (shown.value === undefined) return t(`caseload.reason.${shown.reason}`);
  if (shown.atLeast) return t(`caseload.reason.${shown.reason}_atLeast`, { count: shown.value });
  return t(`caseload.reason.${shown.reason}`, { count: shown.value });
}

function option(value: string, label: string, selected: string): SafeHtml {
  return html`<option value="${value}"${value === selected ? html` selected` : ""}>${label}</option>`;
}

export function caseloadPage(page: PageInfo, view: CaseloadView): SafeHtml {
  const { t } = page;
  const { filters } = view;
  const col = {
    rank: t("caseload.column.rank"),
    household: t("caseload.column.household"),
    worker: t("caseload.column.worker"),
    reasons: t("caseload.column.reasons"),
    score: t("caseload.column.score"),
  };
  const office = filterValue(filters.office);
  const worker = filterValue(filters.worker);
  const reason = filterValue(filters.reason);
  const form = html`<form class="filters" method="get" action="/caseload" aria-label="${t("caseload.filters")}">
${
  view.offices
    ? html`<div><label for="office">${t("caseload.filter.office")}</label>
<select id="office" name="office">
${option("", t("caseload.filter.all"), office)}
${view.offices.map((o) => option(String(o.id), `${o.code} · ${o.name}`, office))}
${option("none", t("caseload.filter.noOffice"), office)}
</select></div>`
    : ""
}
<div><label for="worker">${t("caseload.filter.worker")}</label>
<select id="worker" name="worker">
${option("", t("caseload.filter.all"), worker)}
${option("unassigned", t("caseload.filter.unassigned"), worker)}
${view.workers.map((w) => option(String(w.id), w.label, worker))}
</select></div>
<div><label for="reason">${t("caseload.filter.reason")}</label>
<select id="reason" name="reason">
${option("", t("caseload.filter.all"), reason)}
${REASONS.map((r) => option(r, t(`caseload.reasonFilter.${r}`), reason))}
</select></div>
<div><button type="submit">${t("caseload.filter.apply")}</button></div>
${
  filters.office !== null || filters.worker !== null || filters.reason !== null || view.problem
    ? html`<div><a class="button secondary" href="/caseload">${t("caseload.filter.clear")}</a></div>`
    : ""
}
</form>`;

  const list = view.caseload;
  let content: SafeHtml;
  if (!list) {
    content = html`<div class="error" role="alert"><strong>${t("caseload.invalid.title")}</strong><br>${t(
      `caseload.invalid.${view.problem ?? "reason"}`,
    )}</div>`;
  } else if (list.rows.length === 0) {
    content = html`<p class="empty">${t("caseload.empty")}</p>`;
  } else {
    const rows = list.rows.map(
      (row) => html`<tr>
<td class="num" data-label="${col.rank}">${row.rank}</td>
<td data-label="${col.household}"><a href="/households/${row.householdId}">${row.contractCode}</a><br>${row.name}</td>
<td data-label="${col.worker}">${row.caseWorker ? row.caseWorker.label : html`<span class="muted">${t("caseload.unassigned")}</span>`}</td>
<td data-label="${col.reasons}">${
        row.reasons.length > 0
          ? html`<ul class="reasons">${row.reasons.map(
              (r) =>
                html`<li>${reasonText(t, r)} <small class="muted">(${t("caseload.points", { points: r.points })})</small></li>`,
            )}</ul>`
          : html`<span class="muted">${t("caseload.noReason")}</span>`
      }</td>
<td class="num" data-label="${col.score}">${row.score}</td>
</tr>`,
    );
    const pager =
      list.pageCount > 1
        ? html`<nav class="pager" aria-label="${t("caseload.pagination")}">
<span>${list.page > 1 ? html`<a href="${pageHref(filters, list.page - 1)}" rel="prev">${t("caseload.previous")}</a>` : ""}</span>
<span>${t("caseload.pageOf", { page: list.page, pages: list.pageCount })}</span>
<span>${list.page < list.pageCount ? html`<a href="${pageHref(filters, list.page + 1)}" rel="next">${t("caseload.next")}</a>` : ""}</span>
</nav>`
        : "";
    content = html`<table>
<caption class="sr">${t("caseload.caption")}</caption>
<thead><tr>
<th scope="col" class="num">${col.rank}</th><th scope="col">${col.household}</th><th scope="col">${col.worker}</th>
<th scope="col">${col.reasons}</th><th scope="col" class="num">${col.score}</th>
</tr></thead>
<tbody>
${rows}
</tbody>
</table>
${pager}`;
  }

  return layout(page, {
    title: t("caseload.title"),
    current: "caseload",
    body: html`<h1>${t("caseload.title")}</h1>
<p>${t("caseload.intro")}</p>
${form}
${list ? html`<p class="muted">${t("caseload.count", { total: list.total })}</p>` : ""}
${content}`,
  });
}

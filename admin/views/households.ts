// The households list. Deliberately without fiscal code, phone or address: the list is what staff
// need to find a household, not its file.
import type { ArrearsNow } from "../../core/debt.ts";
import { translator } from "../../core/i18n.ts";
import { formatMoney } from "../../core/money.ts";
import type { CaseWorker } from "../../core/offices/caseload.ts";
import { formatCalendarDate } from "../../core/time.ts";
import { html, type SafeHtml } from "./html.ts";
import { layout, type PageInfo } from "./layout.ts";

export type HouseholdRow = {
  id: number;
  contractCode: string;
  name: string;
  municipality: string;
  caseWorker: CaseWorker | null;
  /** What the household owes now, as /balance tells it; null before the authority's first figures. */
  arrears: ArrearsNow | null;
  linkedMembers: number;
  /** Of the linked members, those Telegram no longer delivers to (blocked the bot, account gone). */
  unreachableMembers: number;
};

export type HouseholdsList = {
  rows: HouseholdRow[];
  query: string;
  /** Only households with an unreachable member. */
  unreachable: boolean;
  worker: "mine" | "none" | "all";
  page: number;
  pageCount: number;
  total: number;
};

function pageHref(
  query: string,
  page: number,
  unreachable: boolean,
  worker: HouseholdsList["worker"],
): string {
  const params = new URLSearchParams();
  if (query) params.set("q", query);
  if (unreachable) params.set("unreachable", "1");
  if (worker !== "all") params.set("worker", worker);
  if (page > 1) params.set("page", String(page));
  const search = params.toString();
  return search ? `/households?${search}` : "/households";
}

export function householdsPage(page: PageInfo, list: HouseholdsList): SafeHtml {
  const { t } = page;
  const o = translator(page.lang, "offices");
  const col = {
    contract: t("households.column.contract"),
    name: t("households.column.name"),
    municipality: t("households.column.municipality"),
    owed: t("households.column.owedNow"),
    date: t("households.column.balanceDate"),
    members: t("households.column.members"),
    worker: o("households.caseWorker"),
  };
  const none = t("households.noBalance");
  // Who is linked, and taking access back: coordinators and admins (routes/household-access.ts).
  const manageAccess = page.staff !== null && page.staff.role !== "operator";
  const rows = list.rows.map(
    (row) => html`<tr>
<td data-label="${col.contract}"><a href="/households/${row.id}">${row.contractCode}</a></td>
<td data-label="${col.name}">${row.name}</td>
<td data-label="${col.municipality}">${row.municipality}</td>
<td data-label="${col.worker}">${row.caseWorker ? (row.caseWorker.firstName ?? row.caseWorker.email) : o("household.unassigned")}</td>
<td class="num" data-label="${col.owed}">${
      row.arrears
        ? html`<strong>${formatMoney(row.arrears.nowCents)}</strong>${
            row.arrears.paidSinceCents > 0
              ? html`<br><small class="muted">${t("households.paidSince", {
                  total: formatMoney(row.arrears.totalCents),
                  paid: formatMoney(row.arrears.paidSinceCents),
                })}</small>`
              : ""
          }`
        : none
    }</td>
<td class="num" data-label="${col.date}">${row.arrears ? formatCalendarDate(row.arrears.balanceDate) : none}</td>
<td class="members" data-label="${col.members}">${row.linkedMembers}${
      row.unreachableMembers > 0
        ? html` · <strong class="warn"><span aria-hidden="true">⚠</span> ${t("households.unreachableMembers", { count: row.unreachableMembers })}</strong>`
        : ""
    }${
      manageAccess
        ? html` · <a href="/households/${row.id}/access" aria-label="${t("households.accessOf", { contract: row.contractCode })}">${t("access.link")}</a>`
        : ""
    }</td>
</tr>`,
  );

  const table =
    list.rows.length > 0
      ? html`<table>
<caption class="sr">${t("households.caption")}</caption>
<thead><tr>
<th scope="col">${col.contract}</th><th scope="col">${col.name}</th><th scope="col">${col.municipality}</th>
<th scope="col">${col.worker}</th>
<th scope="col" class="num">${col.owed}</th><th scope="col" class="num">${col.date}</th>
<th scope="col">${col.members}</th>
</tr></thead>
<tbody>
${rows}
</tbody>
</table>`
      : html`<p class="empty">${
          list.query
            ? t("households.emptySearch", { query: list.query })
            : list.unreachable
              ? t("households.emptyUnreachable")
              : t("households.empty")
        }</p>`;

  const pager =
    list.pageCount > 1
      ? html`<nav class="pager" aria-label="${t("households.pagination")}">
<span>${list.page > 1 ? html`<a href="${pageHref(list.query, list.page - 1, list.unreachable, list.worker)}" rel="prev">${t("households.previous")}</a>` : ""}</span>
<span>${t("households.pageOf", { page: list.page, pages: list.pageCount })}</span>
<span>${
          list.page < list.pageCount
            ? html`<a href="${pageHref(list.query, list.page + 1, list.unreachable, list.worker)}" rel="next">${t("households.next")}</a>`
            : ""
        }</span>
</nav>`
      : "";

  return layout(page, {
    title: list.worker === "mine" ? o("households.mine") : t("households.title"),
    current: list.worker === "mine" ? "mine" : "households",
    body: html`<h1>${list.worker === "mine" ? o("households.mine") : t("households.title")}</h1>
<nav aria-label="${o("households.whose")}"><p>${(["all", "mine", "none"] as const).map(
      (w, i) =>
        html`${i > 0 ? " · " : ""}${
          w === list.worker
            ? html`<strong aria-current="true">${o(`households.worker.${w}`)}</strong>`
            : html`<a href="${pageHref(list.query, 1, list.unreachable, w)}">${o(`households.worker.${w}`)}</a>`
        }`,
    )}</p></nav>
<form class="search" method="get" action="/households" role="search">
<label class="sr" for="q">${t("households.searchLabel")}</label>
<input id="q" name="q" type="search" value="${list.query}" placeholder="${t("households.searchPlaceholder")}" maxlength="100">
${list.unreachable ? html`<input type="hidden" name="unreachable" value="1">` : ""}
${list.worker !== "all" ? html`<input type="hidden" name="worker" value="${list.worker}">` : ""}
<button type="submit">${t("households.search")}</button>
${list.query || list.unreachable ? html`<a class="button secondary" href="/households">${t("households.clearSearch")}</a>` : ""}
</form>
<p>${
      list.unreachable
        ? html`<strong class="warn"><span aria-hidden="true">⚠</span> ${t("households.onlyUnreachable")}</strong> · <a href="${pageHref(list.query, 1, false, list.worker)}">${t("households.allHouseholds")}</a>`
        : html`<a href="${pageHref(list.query, 1, true, list.worker)}"><span aria-hidden="true">⚠</span> ${t("households.filterUnreachable")}</a>`
    }</p>
${manageAccess ? html`<p><a href="/link-lockouts">${t("lockouts.link")}</a> · <a href="/invitations">${t("invitations.link")}</a></p>` : ""}
<p class="muted">${t("households.count", { total: list.total })}</p>
${table}
${pager}`,
  });
}

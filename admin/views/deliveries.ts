// Deliveries: counts by status, then the messages that did not (or may not) reach their recipient.
// Shows what kind of message it was and to whom, never its text (it is personal). An uncertain
// message has a button to send it again (a form with the session's CSRF token).
import type { DeliveryCounts, ProblemMessage, ProblemStatus } from "../../core/delivery-report.ts";
import { PROBLEM_STATUSES } from "../../core/delivery-report.ts";
import type { Translate } from "../../core/i18n.ts";
import { DELIVERY_STATUSES } from "../../core/queues/delivery.ts";
import { formatRomeDateTime } from "../../core/time.ts";
import { html, type SafeHtml } from "./html.ts";
import { layout, type PageInfo } from "./layout.ts";

/** What the page says after a resend was asked. */
export type DeliveriesNotice = "resent" | "not_uncertain";

export type DeliveriesView = {
  counts: DeliveryCounts;
  /** Messages sent again after an uncertain delivery: possible duplicates. */
  resent: { total: number; recent: number };
  notice?: DeliveriesNotice | undefined;
  recentDays: number;
  problems: ProblemMessage[];
  /** The problem status the list is narrowed to, or null for all of them. */
  status: ProblemStatus | null;
  page: number;
  pageCount: number;
  total: number;
};

/** Purposes' first segments with a label of their own; any other is shown as it is. */
const KNOWN_KINDS = new Set(["reminder", "broadcast", "linked", "case-reply", "case-closed", "ops", "nudge"]);

function kindLabel(t: Translate, kind: string): string {
  return KNOWN_KINDS.has(kind) ? t(`deliveries.kind.${kind}`) : kind;
}

function listHref(status: ProblemStatus | null, page = 1): string {
  const params = new URLSearchParams();
  if (status) params.set("status", status);
  if (page > 1) params.set("page", String(page));
  const search = params.toString();
  return search ? `/deliveries?${search}` : "/deliveries";
}

function recipient(t: Translate, row: ProblemMessage): SafeHtml | string {
  if (row.memberId === null) return t("deliveries.operatorsGroup");
  if (row.contractCode === null) return t("deliveries.memberNotLinked", { id: row.memberId });
  return html`<a href="/households?q=${encodeURIComponent(row.contractCode)}">${row.contractCode}</a>`;
}

function action(page: PageInfo, row: ProblemMessage): SafeHtml | string {
  if (row.status !== "uncertain") return "";
  const { t } = page;
  return html`<form method="post" action="/deliveries/${row.id}/resend"><input type="hidden" name="_csrf" value="${page.staff?.csrfToken ?? ""}"><button type="submit">${t("deliveries.resend")}<span class="sr"> ${t("deliveries.messageNumber", { id: row.id })}</span></button></form>`;
}

function statusCell(t: Translate, row: ProblemMessage): SafeHtml {
  const label = html`<strong class="warn">${t(`deliveries.status.${row.status}`)}</strong>`;
  return row.uncertainResends > 0
    ? html`${label} · ${t("deliveries.resentTimes", { count: row.uncertainResends })}`
    : label;
}

export function deliveriesPage(page: PageInfo, view: DeliveriesView): SafeHtml {
  const { t } = page;
  const problem = new Set<string>(PROBLEM_STATUSES);

  const countRows = DELIVERY_STATUSES.map((status) => {
    const { total, recent } = view.counts[status];
    const label = t(`deliveries.status.${status}`);
    const name =
      problem.has(status) && total > 0
        ? html`<a href="${listHref(status as ProblemStatus)}"><strong class="warn">${label}</strong></a>`
        : label;
    return html`<tr>
<th scope="row">${name}</th>
<td class="num" data-label="${t("deliveries.counts.recent", { days: view.recentDays })}">${recent}</td>
<td class="num" data-label="${t("deliveries.counts.total")}">${total}</td>
<td data-label="${t("deliveries.counts.meaning")}">${t(`deliveries.meaning.${status}`)}</td>
</tr>`;
  });

  const col = {
    when: t("deliveries.column.when"),
    kind: t("deliveries.column.kind"),
    recipient: t("deliveries.column.recipient"),
    status: t("deliveries.column.status"),
    error: t("deliveries.column.error"),
    id: t("deliveries.column.id"),
    action: t("deliveries.column.action"),
  };
  const problemRows = view.problems.map(
    (row) => html`<tr>
<td class="num" data-label="${col.when}">${formatRomeDateTime(row.createdAt)}</td>
<td data-label="${col.kind}">${kindLabel(t, row.kind)}</td>
<td data-label="${col.recipient}">${recipient(t, row)}</td>
<td data-label="${col.status}">${statusCell(t, row)}</td>
<td data-label="${col.error}">${row.lastError ?? "—"}</td>
<td class="num" data-label="${col.id}">${row.id}</td>
<td data-label="${col.action}">${action(page, row)}</td>
</tr>`,
  );

  const filters = [null, ...PROBLEM_STATUSES].map(
    (status) =>
      html`<a href="${listHref(status)}"${view.status === status ? html` aria-current="page"` : ""}>${
        status ? t(`deliveries.status.${status}`) : t("deliveries.allProblems")
      }</a>`,
  );

  const table =
    view.problems.length > 0
      ? html`<table>
<caption class="sr">${t("deliveries.problemsCaption")}</caption>
<thead><tr>
<th scope="col" class="num">${col.when}</th><th scope="col">${col.kind}</th><th scope="col">${col.recipient}</th>
<th scope="col">${col.status}</th><th scope="col">${col.error}</th>
<th scope="col" class="num">${col.id}</th><th scope="col">${col.action}</th>
</tr></thead>
<tbody>
${problemRows}
</tbody>
</table>`
      : html`<p class="empty">${t("deliveries.noProblems")}</p>`;

  const pager =
    view.pageCount > 1
      ? html`<nav class="pager" aria-label="${t("households.pagination")}">
<span>${view.page > 1 ? html`<a href="${listHref(view.status, view.page - 1)}" rel="prev">${t("households.previous")}</a>` : ""}</span>
<span>${t("households.pageOf", { page: view.page, pages: view.pageCount })}</span>
<span>${
          view.page < view.pageCount
            ? html`<a href="${listHref(view.status, view.page + 1)}" rel="next">${t("households.next")}</a>`
            : ""
        }</span>
</nav>`
      : "";

  return layout(page, {
    title: t("deliveries.title"),
    current: "deliveries",
    body: html`<h1>${t("deliveries.title")}</h1>
<p class="muted">${t("deliveries.intro")}</p>
${view.notice ? html`<p class="notice" role="status">${t(`deliveries.notice.${view.notice}`)}</p>` : ""}
<table class="counts">
<caption class="sr">${t("deliveries.countsCaption")}</caption>
<thead><tr>
<th scope="col">${t("deliveries.column.status")}</th>
<th scope="col" class="num">${t("deliveries.counts.recent", { days: view.recentDays })}</th>
<th scope="col" class="num">${t("deliveries.counts.total")}</th>
<th scope="col">${t("deliveries.counts.meaning")}</th>
</tr></thead>
<tbody>
${countRows}
</tbody>
</table>
<p>${t("deliveries.resentCount", { recent: view.resent.recent, total: view.resent.total, days: view.recentDays })}</p>
<h2>${t("deliveries.problemsTitle")}</h2>
<nav class="filters" aria-label="${t("deliveries.filterLabel")}">${filters}</nav>
<p class="muted">${t("deliveries.problemCount", { count: view.total })}</p>
${table}
${pager}`,
  });
}

// The audit log for admins: a filter form (plain GET, works without JavaScript) and the entries,
// newest first. Entries carry ids and counts only; details are shown as they are stored.
import type { AuditRow } from "../../core/audit/log.ts";
import { formatRomeDateTime } from "../../core/time.ts";
import { html, type SafeHtml } from "./html.ts";
import { layout, type PageInfo } from "./layout.ts";

export type AuditQuery = {
  action: string;
  staff: string;
  entityType: string;
  entityId: string;
  from: string;
  to: string;
};

export type AuditView = {
  query: AuditQuery;
  /** Fields of the query that could not be read. */
  bad: string[];
  rows: AuditRow[];
  total: number;
  actions: string[];
  page: number;
  pageCount: number;
};

function pageHref(query: AuditQuery, page: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
  if (page > 1) params.set("page", String(page));
  const search = params.toString();
  return search ? `/audit?${search}` : "/audit";
}

export function auditPage(page: PageInfo, view: AuditView): SafeHtml {
  const { t } = page;
  const who = (row: AuditRow): string => {
    if (row.actorType === "staff")
      return row.staffEmail ?? t("audit.staffNumber", { id: row.actorId ?? "?" });
    if (row.actorType === "member") return t("audit.member", { id: row.actorId ?? "?" });
    if (row.actorType === "cli") return t("audit.cli", { user: row.actorId ?? "?" });
    return t("audit.system");
  };
  const col = {
    at: t("audit.column.at"),
    who: t("audit.column.who"),
    action: t("audit.column.action"),
    record: t("audit.column.record"),
    details: t("audit.column.details"),
  };
  const field = (name: keyof AuditQuery, type = "text", extra?: SafeHtml) => {
    const invalid = view.bad.includes(name);
    return html`<p><label for="audit-${name}">${t(`audit.filter.${name}`)}</label>
<input id="audit-${name}" name="${name}" type="${type}" value="${view.query[name]}" maxlength="120"${
      invalid ? html` aria-invalid="true" aria-describedby="audit-problem"` : ""
    }${extra ?? ""}></p>`;
  };
  const rows = view.rows.map(
    (row) => html`<tr>
<td class="num" data-label="${col.at}">${formatRomeDateTime(row.at)}</td>
<td data-label="${col.who}">${who(row)}</td>
<td data-label="${col.action}"><code>${row.action}</code></td>
<td data-label="${col.record}">${row.entityType ? html`${row.entityType} ${row.entityId ?? ""}` : "—"}</td>
<td data-label="${col.details}">${row.details === null || row.details === undefined ? "" : html`<code>${JSON.stringify(row.details)}</code>`}</td>
</tr>`,
  );
  const table =
    view.rows.length > 0
      ? html`<table>
<caption class="sr">${t("audit.caption")}</caption>
<thead><tr><th scope="col" class="num">${col.at}</th><th scope="col">${col.who}</th><th scope="col">${col.action}</th><th scope="col">${col.record}</th><th scope="col">${col.details}</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`
      : html`<p class="empty">${t("audit.empty")}</p>`;
  const pager =
    view.pageCount > 1
      ? html`<nav class="pager" aria-label="${t("households.pagination")}">
<span>${view.page > 1 ? html`<a href="${pageHref(view.query, view.page - 1)}" rel="prev">${t("households.previous")}</a>` : ""}</span>
<span>${t("households.pageOf", { page: view.page, pages: view.pageCount })}</span>
<span>${view.page < view.pageCount ? html`<a href="${pageHref(view.query, view.page + 1)}" rel="next">${t("households.next")}</a>` : ""}</span>
</nav>`
      : "";
  return layout(page, {
    title: t("audit.title"),
    current: "audit",
    body: html`<h1>${t("audit.title")}</h1>
<p>${t("audit.intro")}</p>
${view.bad.length > 0 ? html`<p class="error" role="alert" id="audit-problem">${t("audit.problem", { fields: view.bad.map((b) => t(`audit.filter.${b}`)).join(", ") })}</p>` : ""}
<form method="get" action="/audit" class="card filters">
${field("action", "text", html` list="audit-actions"`)}
<datalist id="audit-actions">${view.actions.map((a) => html`<option value="${a}"></option>`)}</datalist>
${field("staff", "email")}
${field("entityType")}
${field("entityId")}
${field("from", "date")}
${field("to", "date")}
<div class="actions"><button type="submit">${t("audit.filter.submit")}</button> <a class="button secondary" href="/audit">${t("audit.filter.clear")}</a></div>
</form>
<p class="muted">${t("audit.count", { total: view.total })}</p>
${table}
${pager}`,
  });
}

// Alerts for coordinators: broken plans and cases past their answer time, each with a link to the
// case and an acknowledge button. Texts from the "staff" namespace.
import type { AlertRow } from "../../core/alerts.ts";
import { translator } from "../../core/i18n.ts";
import { formatRomeDateTime } from "../../core/time.ts";
import { html, type SafeHtml } from "./html.ts";
import { layout, type PageInfo } from "./layout.ts";

export type AlertNotice = "acknowledged" | "already";

export function alertsPage(page: PageInfo, rows: AlertRow[], notice?: AlertNotice): SafeHtml {
  const s = translator(page.lang, "staff");
  const csrf = page.staff?.csrfToken ?? "";
  const col = {
    kind: s("alerts.column.kind"),
    case: s("alerts.column.case"),
    household: s("alerts.column.household"),
    created: s("alerts.column.created"),
    action: s("alerts.column.action"),
  };
  const kind = (value: string) =>
    ["plan-broken", "case-sla", "danger"].includes(value) ? s(`alerts.kind.${value}`) : value;
  const body = rows.map(
    (row) => html`<tr>
<td data-label="${col.kind}">${kind(row.kind)}${row.planCode ? html` · ${row.planCode}` : ""}</td>
<td data-label="${col.case}">${row.caseId === null ? "—" : html`<a href="/cases/${row.caseId}">${s("alerts.case", { id: row.caseId })}</a>`}</td>
<td data-label="${col.household}">${row.contractCode ?? "—"}</td>
<td class="num" data-label="${col.created}">${formatRomeDateTime(row.createdAt)}</td>
<td data-label="${col.action}"><form method="post" action="/alerts/${row.id}/ack"><input type="hidden" name="_csrf" value="${csrf}"><button type="submit">${s("alerts.acknowledge")}</button></form></td>
</tr>`,
  );
  const table =
    rows.length > 0
      ? html`<table>
<caption class="sr">${s("alerts.caption")}</caption>
<thead><tr>
<th scope="col">${col.kind}</th><th scope="col">${col.case}</th><th scope="col">${col.household}</th>
<th scope="col" class="num">${col.created}</th><th scope="col">${col.action}</th>
</tr></thead>
<tbody>
${body}
</tbody>
</table>`
      : html`<p class="empty">${s("alerts.empty")}</p>`;
  return layout(page, {
    title: s("alerts.title"),
    current: "alerts",
    body: html`<h1>${s("alerts.title")}</h1>
${notice ? html`<p class="notice" role="status">${s(`alerts.notice.${notice}`)}</p>` : ""}
${table}`,
  });
}

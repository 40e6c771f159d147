// People locked out of linking after wrong codes, each with a button to let them try again. Staff
// tell them apart by language and by when they last tried (the person is usually on the phone saying
// "it says I tried too many times"); only someone linked already has a name here.
import type { Lockout } from "../../core/linking/lockouts.ts";
import { formatRomeDateTime } from "../../core/time.ts";
import { html, type SafeHtml } from "./html.ts";
import { languageLabel } from "./language.ts";
import { layout, type PageInfo } from "./layout.ts";

export type LockoutNotice = "unlocked" | "notLocked";

export function lockoutsPage(page: PageInfo, rows: Lockout[], notice?: LockoutNotice): SafeHtml {
  const { t } = page;
  const csrf = page.staff?.csrfToken ?? "";
  const col = {
    person: t("lockouts.column.person"),
    language: t("lockouts.column.language"),
    household: t("lockouts.column.household"),
    attempts: t("lockouts.column.attempts"),
    last: t("lockouts.column.last"),
    until: t("lockouts.column.until"),
    action: t("lockouts.column.action"),
  };
  const body = rows.map((row) => {
    const name = row.firstName ?? t("lockouts.noName", { id: row.memberId });
    return html`<tr>
<td data-label="${col.person}">${name}</td>
<td data-label="${col.language}">${languageLabel(page.lang, row.language)}</td>
<td data-label="${col.household}">${row.householdName ?? t("lockouts.notLinked")}</td>
<td class="num" data-label="${col.attempts}">${row.wrongAttempts}</td>
<td class="num" data-label="${col.last}">${formatRomeDateTime(row.lastAttemptAt)}</td>
<td class="num" data-label="${col.until}">${formatRomeDateTime(row.lockedUntil)}</td>
<td data-label="${col.action}"><form method="post" action="/link-lockouts/${row.memberId}/unlock"><input type="hidden" name="_csrf" value="${csrf}"><button type="submit" aria-label="${t("lockouts.unlockWho", { name })}">${t("lockouts.unlock")}</button></form></td>
</tr>`;
  });
  const table =
    rows.length > 0
      ? html`<table>
<caption class="sr">${t("lockouts.caption")}</caption>
<thead><tr>
<th scope="col">${col.person}</th><th scope="col">${col.language}</th><th scope="col">${col.household}</th>
<th scope="col" class="num">${col.attempts}</th><th scope="col" class="num">${col.last}</th><th scope="col" class="num">${col.until}</th><th scope="col">${col.action}</th>
</tr></thead>
<tbody>
${body}
</tbody>
</table>`
      : html`<p class="empty">${t("lockouts.empty")}</p>`;
  return layout(page, {
    title: t("lockouts.title"),
    current: "households",
    body: html`<p><a href="/households">${t("lockouts.back")}</a></p>
<h1>${t("lockouts.title")}</h1>
${notice ? html`<p class="notice" role="status">${t(`lockouts.notice.${notice}`)}</p>` : ""}
<p>${t("lockouts.intro")}</p>
${table}`,
  });
}

// Who is linked to a household in Telegram, and the forms that take access back. The Telegram first
// name is all staff see of a member: it is how they tell a household's members apart.
import type { HouseholdAccess, LinkedMember } from "../../core/household-access.ts";
import { formatRomeDateTime } from "../../core/time.ts";
import { html, type SafeHtml } from "./html.ts";
import { languageName } from "./language.ts";
import { layout, type PageInfo } from "./layout.ts";

export type AccessNotice = { kind: "unlinked" } | { kind: "codesVoided"; count: number };

function memberName(page: PageInfo, member: Pick<LinkedMember, "firstName" | "id">): SafeHtml {
  return member.firstName
    ? html`${member.firstName}`
    : html`<span class="muted">${page.t("access.noName", { id: member.id })}</span>`;
}

function heading(page: PageInfo, access: HouseholdAccess): SafeHtml {
  return html`<p><a href="/households?q=${encodeURIComponent(access.household.contractCode)}">${page.t("access.back")}</a></p>
<h1>${page.t("access.title", { contract: access.household.contractCode, name: access.household.name })}</h1>`;
}

export function householdAccessPage(
  page: PageInfo,
  access: HouseholdAccess,
  view: { csrfToken: string; notice?: AccessNotice | undefined },
): SafeHtml {
  const { t } = page;
  const base = `/households/${access.household.id}/access`;
  const notice = view.notice
    ? html`<p class="notice" role="status">${
        view.notice.kind === "unlinked"
          ? t("access.notice.unlinked")
          : t("access.notice.codesVoided", { count: view.notice.count })
      }</p>`
    : "";
  const col = {
    name: t("access.column.name"),
    language: t("access.column.language"),
    linkedAt: t("access.column.linkedAt"),
    action: t("access.column.action"),
  };
  const members =
    access.members.length > 0
      ? html`<table>
<caption class="sr">${t("access.membersCaption")}</caption>
<thead><tr><th scope="col">${col.name}</th><th scope="col">${col.language}</th><th scope="col">${col.linkedAt}</th><th scope="col">${col.action}</th></tr></thead>
<tbody>
${access.members.map(
  (m) => html`<tr>
<td data-label="${col.name}">${memberName(page, m)}${
    m.unreachable
      ? html` · <strong class="warn"><span aria-hidden="true">⚠</span> ${t("access.unreachable")}</strong>`
      : ""
  }</td>
<td data-label="${col.language}">${languageName(m.language)}</td>
<td data-label="${col.linkedAt}">${formatRomeDateTime(m.linkedAt)}</td>
<td data-label="${col.action}"><a class="button secondary" href="${base}/unlink/${m.id}">${t("access.unlink", { name: m.firstName ?? t("access.noName", { id: m.id }) })}</a></td>
</tr>`,
)}
</tbody>
</table>`
      : html`<p class="empty">${t("access.noMembers")}</p>`;

  return layout(page, {
    title: t("access.pageTitle"),
    current: "households",
    body: html`${heading(page, access)}
${notice}
<h2>${t("access.membersTitle")}</h2>
<p class="muted">${t("access.membersIntro")}</p>
${members}
<h2>${t("access.codesTitle")}</h2>
<p>${t("access.codesCount", { count: access.unusedCodes })}</p>
<p class="muted">${t("access.codesIntro")}</p>
${
  access.unusedCodes > 0
    ? html`<form method="post" action="${base}/revoke-codes" class="actions">
<input type="hidden" name="_csrf" value="${view.csrfToken}">
<button type="submit">${t("access.revokeCodes")}</button>
</form>`
    : ""
}
<form method="post" action="/households/${access.household.id}/invitation" class="actions">
<input type="hidden" name="_csrf" value="${view.csrfToken}">
<button type="submit" aria-describedby="invitation-hint">${t("invitations.one")}</button>
</form>
<p class="muted" id="invitation-hint">${t("invitations.oneHint")}</p>`,
  });
}

export function unlinkConfirmPage(
  page: PageInfo,
  access: HouseholdAccess,
  member: LinkedMember,
  view: { csrfToken: string },
): SafeHtml {
  const { t } = page;
  const base = `/households/${access.household.id}/access`;
  return layout(page, {
    title: t("access.confirm.title"),
    current: "households",
    body: html`${heading(page, access)}
<div class="card narrow">
<h2>${t("access.confirm.title")}</h2>
<p>${t("access.confirm.who")} <strong>${memberName(page, member)}</strong> (${languageName(member.language)}, ${t("access.confirm.since", { date: formatRomeDateTime(member.linkedAt) })})</p>
<p>${t("access.confirm.effect")}</p>
<form method="post" action="${base}/unlink/${member.id}" class="actions">
<input type="hidden" name="_csrf" value="${view.csrfToken}">
<button type="submit">${t("access.confirm.yes")}</button>
<a class="button secondary" href="${base}">${t("access.confirm.no")}</a>
</form>
</div>`,
  });
}

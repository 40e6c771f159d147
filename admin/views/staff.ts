// Staff accounts (admins), a person's own account, and the invitation page where someone new chooses
// their password. Texts: locales/*/accounts.json.
import type { StaffRole } from "../../core/db/client.ts";
import { translator } from "../../core/i18n.ts";
import type { StaffSessionInfo } from "../../core/staff.ts";
import { MIN_PASSWORD_LENGTH, STAFF_ROLES } from "../../core/staff.ts";
import type { StaffRow } from "../../core/staff-accounts.ts";
import { formatRomeDateTime } from "../../core/time.ts";
import { html, type SafeHtml } from "./html.ts";
import { layout, type PageInfo } from "./layout.ts";

type Office = { id: number; code: string; name: string };

function tr(page: PageInfo) {
  return translator(page.lang, "accounts");
}

function csrfField(page: PageInfo): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${page.staff?.csrfToken ?? ""}">`;
}

function roleSelect(page: PageInfo, id: string, selected: StaffRole | null): SafeHtml {
  const a = tr(page);
  return html`<label for="${id}">${a("staff.role")}</label>
<select id="${id}" name="role" required>
${STAFF_ROLES.map(
  (role) =>
    html`<option value="${role}"${role === selected ? html` selected` : ""}>${page.t(`role.${role}`)}</option>`,
)}
</select>`;
}

function officeSelect(page: PageInfo, id: string, offices: Office[], selected: number | null): SafeHtml {
  const a = tr(page);
  return html`<label for="${id}">${a("staff.office")}</label>
<select id="${id}" name="officeId" aria-describedby="${id}-hint">
<option value=""${selected === null ? html` selected` : ""}>${a("staff.noOffice")}</option>
${offices.map(
  (office) =>
    html`<option value="${office.id}"${office.id === selected ? html` selected` : ""}>${office.name} (${office.code})</option>`,
)}
</select>
<p class="muted" id="${id}-hint">${a("staff.officeHint")}</p>`;
}

function problemOf(page: PageInfo, problem: string | undefined): SafeHtml | string {
  return problem ? html`<p class="error" role="alert">${tr(page)(`problem.${problem}`)}</p>` : "";
}

function noticeOf(
  page: PageInfo,
  notice: string | undefined,
  vars: Record<string, unknown> = {},
): SafeHtml | string {
  return notice ? html`<p class="notice" role="status">${tr(page)(`notice.${notice}`, vars)}</p>` : "";
}

export type AddForm = { email: string; firstName: string; role: StaffRole; officeId: number | null };

export function staffListPage(
  page: PageInfo,
  data: {
    rows: StaffRow[];
    offices: Office[];
    form?: AddForm;
    problem?: string;
    /** The invitation just made: shown once, never stored in the clear. */
    invitation?: { url: string; email: string };
  },
): SafeHtml {
  const a = tr(page);
  const col = {
    email: a("staff.email"),
    name: a("staff.firstName"),
    role: a("staff.role"),
    office: a("staff.office"),
    state: a("staff.state"),
    seen: a("staff.lastSeen"),
  };
  const rows = data.rows.map(
    (row) => html`<tr>
<td data-label="${col.email}"><a href="/staff/${row.id}">${row.email}</a></td>
<td data-label="${col.name}">${row.firstName ?? ""}</td>
<td data-label="${col.role}">${page.t(`role.${row.role}`)}</td>
<td data-label="${col.office}">${row.officeName ?? a("staff.noOffice")}</td>
<td data-label="${col.state}">${a(row.active ? (row.invited ? "staff.invited" : "staff.active") : "staff.inactive")}</td>
<td class="num" data-label="${col.seen}">${row.lastSeenAt ? formatRomeDateTime(row.lastSeenAt) : a("staff.never")}</td>
</tr>`,
  );
  const form = data.form ?? { email: "", firstName: "", role: "operator", officeId: null };
  const invitation = data.invitation
    ? html`<div class="notice" role="status">
<p>${a("invite.created", { email: data.invitation.email })}</p>
<p><label for="invite-link">${a("invite.link")}</label>
<input id="invite-link" type="text" readonly value="${data.invitation.url}"></p>
<p class="muted">${a("invite.once")}</p>
</div>`
    : "";
  return layout(page, {
    title: a("staff.title"),
    current: "staff",
    body: html`<h1>${a("staff.title")}</h1>
${invitation}
<table>
<caption class="sr">${a("staff.caption")}</caption>
<thead><tr><th scope="col">${col.email}</th><th scope="col">${col.name}</th><th scope="col">${col.role}</th><th scope="col">${col.office}</th><th scope="col">${col.state}</th><th scope="col" class="num">${col.seen}</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<section class="card narrow" aria-labelledby="add-title">
<h2 id="add-title">${a("staff.add")}</h2>
<p class="muted">${a("staff.addIntro")}</p>
${problemOf(page, data.problem)}
<form method="post" action="/staff">
${csrfField(page)}
<label for="email">${col.email}</label>
<input id="email" name="email" type="email" required maxlength="254" autocomplete="off" value="${form.email}">
<label for="firstName">${col.name}</label>
<input id="firstName" name="firstName" type="text" maxlength="60" autocomplete="off" value="${form.firstName}">
${roleSelect(page, "role", form.role)}
${officeSelect(page, "officeId", data.offices, form.officeId)}
<div class="actions"><button type="submit">${a("staff.addSubmit")}</button></div>
</form>
</section>`,
  });
}

export function staffDetailPage(
  page: PageInfo,
  data: {
    staff: StaffRow;
    offices: Office[];
    sessions: StaffSessionInfo[];
    problem?: string;
    notice?: string;
    sessionsEnded?: number;
    invitation?: { url: string };
  },
): SafeHtml {
  const a = tr(page);
  const { staff } = data;
  const sessions =
    data.sessions.length > 0
      ? html`<table>
<caption class="sr">${a("sessions.caption")}</caption>
<thead><tr><th scope="col" class="num">${a("sessions.started")}</th><th scope="col" class="num">${a("sessions.lastSeen")}</th><th scope="col" class="num">${a("sessions.expires")}</th></tr></thead>
<tbody>
${data.sessions.map(
  (s) => html`<tr>
<td class="num" data-label="${a("sessions.started")}">${formatRomeDateTime(s.createdAt)}</td>
<td class="num" data-label="${a("sessions.lastSeen")}">${s.lastSeenAt ? formatRomeDateTime(s.lastSeenAt) : a("staff.never")}</td>
<td class="num" data-label="${a("sessions.expires")}">${formatRomeDateTime(s.expiresAt)}</td>
</tr>`,
)}
</tbody>
</table>
<form method="post" action="/staff/${staff.id}/sessions/end">${csrfField(page)}<div class="actions"><button type="submit" class="secondary">${a("sessions.endAll")}</button></div></form>`
      : html`<p class="empty">${a("sessions.none")}</p>`;
  const invitation = data.invitation
    ? html`<div class="notice" role="status">
<p><label for="invite-link">${a("invite.link")}</label>
<input id="invite-link" type="text" readonly value="${data.invitation.url}"></p>
<p class="muted">${a("invite.once")}</p>
</div>`
    : "";
  return layout(page, {
    title: staff.email,
    current: "staff",
    body: html`<p><a href="/staff">${a("staff.back")}</a></p>
<h1>${a("staff.account")}</h1>
${noticeOf(page, data.notice, { count: data.sessionsEnded ?? 0 })}
${problemOf(page, data.problem)}
${invitation}
<p><strong>${staff.email}</strong>${staff.firstName ? ` (${staff.firstName})` : ""}<br>${a(staff.active ? (staff.invited ? "staff.invited" : "staff.active") : "staff.inactive")} · ${page.t(`role.${staff.role}`)} · ${staff.officeName ?? a("staff.noOffice")}</p>
<section class="card narrow" aria-labelledby="role-title">
<h2 id="role-title">${a("staff.changeTitle")}</h2>
<p class="muted">${a("staff.changeIntro")}</p>
<form method="post" action="/staff/${staff.id}/role">
${csrfField(page)}
${roleSelect(page, "role", staff.role)}
${officeSelect(page, "officeId", data.offices, staff.officeId)}
<div class="actions"><button type="submit">${a("staff.changeSubmit")}</button></div>
</form>
</section>
<section class="card narrow" aria-labelledby="active-title">
<h2 id="active-title">${a(staff.active ? "staff.deactivateTitle" : "staff.reactivateTitle")}</h2>
<p class="muted">${a(staff.active ? "staff.deactivateIntro" : "staff.reactivateIntro")}</p>
<form method="post" action="/staff/${staff.id}/active">
${csrfField(page)}
<input type="hidden" name="active" value="${staff.active ? "false" : "true"}">
<div class="actions"><button type="submit"${staff.active ? html` class="secondary"` : ""}>${a(staff.active ? "staff.deactivate" : "staff.reactivate")}</button></div>
</form>
</section>
${
  staff.invited && staff.active
    ? html`<section class="card narrow" aria-labelledby="invite-title">
<h2 id="invite-title">${a("invite.againTitle")}</h2>
<p class="muted">${a("invite.againIntro")}</p>
<form method="post" action="/staff/${staff.id}/invitation">${csrfField(page)}<div class="actions"><button type="submit">${a("invite.again")}</button></div></form>
</section>`
    : ""
}
<section aria-labelledby="sessions-title">
<h2 id="sessions-title">${a("sessions.title")}</h2>
${sessions}
</section>`,
  });
}

export function accountPage(
  page: PageInfo,
  data: { problem?: string; notice?: string; sessionsEnded?: number },
): SafeHtml {
  const a = tr(page);
  return layout(page, {
    title: a("account.title"),
    current: "account",
    body: html`<div class="card narrow">
<h1>${a("account.title")}</h1>
<p class="muted">${a("account.intro", { email: page.staff?.email ?? "" })}</p>
${noticeOf(page, data.notice, { count: data.sessionsEnded ?? 0 })}
${problemOf(page, data.problem)}
<h2>${a("account.passwordTitle")}</h2>
<form method="post" action="/account/password">
${csrfField(page)}
<input type="text" name="username" autocomplete="username" value="${page.staff?.email ?? ""}" hidden>
<label for="current">${a("account.current")}</label>
<input id="current" name="current" type="password" autocomplete="current-password" required maxlength="1024">
${newPasswordFields(page)}
<div class="actions"><button type="submit">${a("account.submit")}</button></div>
</form>
</div>`,
  });
}

function newPasswordFields(page: PageInfo): SafeHtml {
  const a = tr(page);
  return html`<label for="password">${a("password.new")}</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="${MIN_PASSWORD_LENGTH}" maxlength="1024" aria-describedby="password-hint">
<p class="muted" id="password-hint">${a("password.hint", { count: MIN_PASSWORD_LENGTH })}</p>
<label for="confirm">${a("password.confirm")}</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" required maxlength="1024">`;
}

/** The page an invitation link opens: choose a password (or: the link cannot be used). */
export function invitePage(
  page: PageInfo,
  data: { token: string; email: string; problem?: string } | { invalid: true },
): SafeHtml {
  const a = tr(page);
  if ("invalid" in data) {
    return layout(page, {
      title: a("invite.invalidTitle"),
      body: html`<div class="card narrow"><h1>${a("invite.invalidTitle")}</h1><p>${a("invite.invalid")}</p><p><a href="/login">${a("invite.toLogin")}</a></p></div>`,
    });
  }
  return layout(page, {
    title: a("invite.title"),
    body: html`<div class="card narrow">
<h1>${a("invite.title")}</h1>
<p class="muted">${a("invite.intro", { email: data.email })}</p>
${problemOf(page, data.problem)}
<form method="post" action="/invite/${data.token}">
<input type="text" name="username" autocomplete="username" value="${data.email}" hidden>
${newPasswordFields(page)}
<div class="actions"><button type="submit">${a("invite.submit")}</button></div>
</form>
</div>`,
  });
}

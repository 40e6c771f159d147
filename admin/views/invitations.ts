// The invitation letters page: which households to write to (a municipality of the households this
// person sees, optionally only those with nobody linked), posted as a plain form; the answer is the
// PDF as a download, or this page again with what was wrong.
import { html, type SafeHtml } from "./html.ts";
import { layout, type PageInfo } from "./layout.ts";

export type InvitationsForm = {
  municipalities: { municipality: string; households: number; unlinked: number }[];
  /** What was chosen (kept when the page comes back with a problem). */
  municipality: string;
  onlyUnlinked: boolean;
  max: number;
  /** BOT_USERNAME is set: without it no letter can be printed. */
  botConfigured: boolean;
  problem?: { key: "unknownMunicipality" | "empty" | "tooMany"; count?: number } | undefined;
};

export function invitationsPage(page: PageInfo, form: InvitationsForm): SafeHtml {
  const { t } = page;
  const csrf = page.staff?.csrfToken ?? "";
  const problem = form.problem
    ? html`<p class="error" role="alert" id="problem">${t(`invitations.error.${form.problem.key}`, {
        count: form.problem.count ?? 0,
        max: form.max,
      })}</p>`
    : "";
  const options = form.municipalities.map(
    (m) =>
      html`<option value="${m.municipality}"${m.municipality === form.municipality ? html` selected` : ""}>${t(
        "invitations.option",
        { municipality: m.municipality, households: m.households, unlinked: m.unlinked },
      )}</option>`,
  );
  const body = !form.botConfigured
    ? html`<p class="error" role="alert">${t("invitations.noBot")}</p>`
    : form.municipalities.length === 0
      ? html`<p class="empty">${t("invitations.noHouseholds")}</p>`
      : html`<form method="post" action="/invitations">
<input type="hidden" name="_csrf" value="${csrf}">
<p><label for="municipality">${t("invitations.municipality")}</label><br>
<select id="municipality" name="municipality"${form.problem ? html` aria-describedby="problem"` : ""}>
<option value=""${form.municipality === "" ? html` selected` : ""}>${t("invitations.allMunicipalities")}</option>
${options}
</select></p>
<p><input type="checkbox" id="onlyUnlinked" name="onlyUnlinked" value="1"${form.onlyUnlinked ? html` checked` : ""}>
<label for="onlyUnlinked">${t("invitations.onlyUnlinked")}</label></p>
<p class="muted">${t("invitations.max", { max: form.max })}</p>
<p><button type="submit">${t("invitations.submit")}</button></p>
</form>`;
  return layout(page, {
    title: t("invitations.title"),
    current: "households",
    body: html`<p><a href="/households">${t("lockouts.back")}</a></p>
<h1>${t("invitations.title")}</h1>
<p>${t("invitations.intro")}</p>
<p><strong>${t("invitations.warning")}</strong></p>
${problem}
${body}`,
  });
}

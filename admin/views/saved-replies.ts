// Saved replies: the list per language, and the form to write or change one.
import { MAX_REPLY_LENGTH } from "../../core/cases.ts";
import { translator } from "../../core/i18n.ts";
import {
  MAX_TITLE_LENGTH,
  PLACEHOLDERS,
  SAVED_REPLY_LANGUAGES,
  type SavedReply,
  type SavedReplyProblem,
  type SavedReplyVersion,
} from "../../core/saved-replies.ts";
import { formatRomeDateTime } from "../../core/time.ts";
import { html, type SafeHtml } from "./html.ts";
import { languageLabel } from "./language.ts";
import { layout, type PageInfo } from "./layout.ts";

export function savedRepliesPage(
  page: PageInfo,
  view: { replies: SavedReply[]; language: string | undefined; notice: string | undefined },
): SafeHtml {
  const { t, staff } = page;
  const csrf = staff?.csrfToken ?? "";
  const filters = [
    html`<a href="/saved-replies"${view.language === undefined ? html` aria-current="page"` : ""}>${t("savedReplies.all")}</a>`,
    ...SAVED_REPLY_LANGUAGES.map(
      (lang) =>
        html`<a href="/saved-replies?language=${lang}"${
          view.language === lang ? html` aria-current="page"` : ""
        }>${languageLabel(page.lang, lang)}</a>`,
    ),
  ];
  const rows = view.replies.map(
    (r) => html`<tr>
<td data-label="${t("savedReplies.column.language")}">${languageLabel(page.lang, r.language)}</td>
<td data-label="${t("savedReplies.column.title")}"><a href="/saved-replies/${r.id}">${r.title}</a></td>
<td data-label="${t("savedReplies.column.body")}" lang="${r.language}"><span class="text">${
      r.body.length > 140 ? `${r.body.slice(0, 140)}…` : r.body
    }</span></td>
<td data-label="${t("savedReplies.column.actions")}"><form method="post" action="/saved-replies/${r.id}/delete">
<input type="hidden" name="_csrf" value="${csrf}">
<button type="submit" class="secondary" aria-label="${t("savedReplies.deleteNamed", { title: r.title })}">${t("savedReplies.delete")}</button>
</form></td>
</tr>`,
  );
  return layout(page, {
    title: t("savedReplies.title"),
    current: "savedReplies",
    body: html`<h1>${t("savedReplies.title")}</h1>
${view.notice ? html`<p class="notice" role="status">${t(`savedReplies.notice.${view.notice}`)}</p>` : ""}
<p class="muted">${t("savedReplies.intro", { placeholders: PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ") })}</p>
<nav class="filters" aria-label="${t("savedReplies.languages")}">${filters}</nav>
<p><a class="button" href="/saved-replies/new${view.language ? `?language=${view.language}` : ""}">${t("savedReplies.new")}</a></p>
${
  rows.length > 0
    ? html`<table>
<caption class="sr">${t("savedReplies.title")}</caption>
<thead><tr><th scope="col">${t("savedReplies.column.language")}</th><th scope="col">${t("savedReplies.column.title")}</th>
<th scope="col">${t("savedReplies.column.body")}</th><th scope="col">${t("savedReplies.column.actions")}</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
    : html`<p class="empty">${t("savedReplies.empty")}</p>`
}`,
  });
}

export function savedReplyFormPage(
  page: PageInfo,
  view: {
    id?: number;
    value: { language: string; title: string; body: string };
    problems: SavedReplyProblem[];
    history?: SavedReplyVersion[];
    restored?: boolean;
  },
): SafeHtml {
  const { t, staff } = page;
  const c = translator(page.lang, "contentAdmin");
  const title = view.id === undefined ? t("savedReplies.new") : t("savedReplies.edit");
  const options = SAVED_REPLY_LANGUAGES.map(
    (lang) =>
      html`<option value="${lang}"${view.value.language === lang ? html` selected` : ""}>${languageLabel(page.lang, lang)}</option>`,
  );
  return layout(page, {
    title,
    current: "savedReplies",
    body: html`<p><a href="/saved-replies">${t("savedReplies.back")}</a></p>
<h1>${title}</h1>
${view.restored ? html`<p class="notice" role="status">${c("savedReplyRestored")}</p>` : ""}
${
  view.problems.length > 0
    ? html`<div class="error" role="alert"><ul class="plain">${view.problems.map(
        (p) =>
          html`<li>${t(`savedReplies.problem.${p}`, { max: p === "titleTooLong" ? MAX_TITLE_LENGTH : MAX_REPLY_LENGTH })}</li>`,
      )}</ul></div>`
    : ""
}
<form method="post" action="${view.id === undefined ? "/saved-replies" : `/saved-replies/${view.id}`}" class="card">
<input type="hidden" name="_csrf" value="${staff?.csrfToken ?? ""}">
<label for="language">${t("savedReplies.column.language")}</label>
<select id="language" name="language">${options}</select>
<label for="title">${t("savedReplies.column.title")}</label>
<input type="text" id="title" name="title" maxlength="${MAX_TITLE_LENGTH}" required value="${view.value.title}">
<label for="body">${t("savedReplies.column.body")}</label>
<p class="muted" id="body-hint">${t("savedReplies.bodyHint", { placeholders: PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ") })}</p>
<textarea id="body" name="body" rows="8" cols="60" maxlength="${MAX_REPLY_LENGTH}" required aria-describedby="body-hint">${view.value.body}</textarea>
<div class="actions"><button type="submit">${t("savedReplies.save")}</button></div>
</form>
${view.id === undefined ? "" : savedReplyHistory(page, view.id, view.history ?? [])}`,
  });
}

/** The reply's versions, newest (in use) first, each older one with a button to bring it back. */
function savedReplyHistory(page: PageInfo, id: number, history: SavedReplyVersion[]): SafeHtml {
  const c = translator(page.lang, "contentAdmin");
  const csrf = page.staff?.csrfToken ?? "";
  const rows = history.map(
    (v, index) => html`<tr>
<td data-label="${c("column.version")}">${v.id}${index === 0 ? html` <strong>(${c("current")})</strong>` : ""}</td>
<td data-label="${c("column.when")}">${formatRomeDateTime(v.at)}</td>
<td data-label="${c("column.who")}">${v.staffId === null ? "—" : c("staffNumber", { id: v.staffId })}</td>
<td data-label="${c("column.text")}"><span class="source" lang="${v.language}"><strong>${v.title}</strong>
${v.body.length > 200 ? `${v.body.slice(0, 199)}…` : v.body}</span></td>
<td data-label="${c("column.actions")}">${
      index === 0
        ? ""
        : html`<form method="post" action="/saved-replies/${id}/restore"><input type="hidden" name="_csrf" value="${csrf}">
<input type="hidden" name="version" value="${v.id}">
<button type="submit" class="secondary" aria-label="${c("restoreNamed", { version: v.id })}">${c("restore")}</button></form>`
    }</td>
</tr>`,
  );
  return html`<h2>${c("history")}</h2>
${
  rows.length > 0
    ? html`<table>
<caption class="sr">${c("history")}</caption>
<thead><tr><th scope="col">${c("column.version")}</th><th scope="col">${c("column.when")}</th><th scope="col">${c(
        "column.who",
      )}</th><th scope="col">${c("column.text")}</th><th scope="col">${c("column.actions")}</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
    : html`<p class="empty">${c("savedReplyHistoryEmpty")}</p>`
}`;
}

// The content area: texts households read, per family and language (core/content/): the overview, a
// family's texts with their state per language, the missing translations, and one text in one language
// with its Telegram preview (server-rendered, no script) and its history.
import { MAX_TIP_LENGTH } from "../../core/budget/tips.ts";
import type { ContentProblem, Rendered } from "../../core/content/check.ts";
import { CONTENT_FAMILIES, type ContentFamily, type ContentItem } from "../../core/content/families.ts";
import type { ContentVersionRow, ItemState, TextStatus } from "../../core/content/store.ts";
import { type Translate, translator } from "../../core/i18n.ts";
import { formatRomeDateTime } from "../../core/time.ts";
import { html, type SafeHtml } from "./html.ts";
import { languageLabel } from "./language.ts";
import { layout, type PageInfo } from "./layout.ts";
import { renderTelegramText } from "./telegram.ts";

function ct(page: PageInfo): Translate {
  return translator(page.lang, "contentAdmin");
}

/** The language's name as plain text, for the page's title ("inglese"). */
function languageText(staffLanguage: string, code: string): string {
  try {
    return new Intl.DisplayNames([staffLanguage], { type: "language" }).of(code) ?? code;
  } catch {
    return code;
  }
}

export function itemLabel(c: Translate, item: ContentItem): string {
  return item.family === "tips" ? c("tip", { key: item.key }) : c(`item.${item.id.replace(/[:._]/g, "-")}`);
}

export function editHref(item: ContentItem, language: string): string {
  return `/content/edit?item=${encodeURIComponent(item.id)}&language=${language}`;
}

function excerpt(text: string | null, max = 120): string {
  if (text === null) return "";
  const flat = text.replace(/\s+/g, " ");
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function statusLinks(page: PageInfo, state: ItemState): SafeHtml {
  const c = ct(page);
  return html`<ul class="plain langstatus">${state.languages.map(
    (l) =>
      html`<li class="${l.status}"><a href="${editHref(state.item, l.language)}">${l.language}: ${c(`status.${l.status}`)}</a></li>`,
  )}</ul>`;
}

export type FamilySummary = { family: ContentFamily; texts: number; own: number; missing: number };

export function contentHomePage(
  page: PageInfo,
  view: { families: FamilySummary[]; missing: number },
): SafeHtml {
  const c = ct(page);
  const rows = view.families.map(
    (f) => html`<tr>
<td data-label="${c("column.text")}"><a href="/content/${f.family}">${c(`family.${f.family}`)}</a></td>
<td data-label="${c("column.status")}">${c("count", { own: f.own, missing: f.missing })}</td>
</tr>`,
  );
  return layout(page, {
    title: c("title"),
    current: "content",
    body: html`<h1>${c("title")}</h1>
<p class="muted">${c("intro")}</p>
<p><a href="/content/missing">${c("missingLink")}</a> · ${c("missing.count", { count: view.missing })}</p>
<table>
<caption class="sr">${c("title")}</caption>
<thead><tr><th scope="col">${c("column.text")}</th><th scope="col">${c("column.status")}</th></tr></thead>
<tbody>${rows}</tbody>
</table>
<p><a href="/saved-replies">${c("savedRepliesLink")}</a></p>
<p class="muted">${c("savedRepliesHint")}</p>`,
  });
}

export function contentFamilyPage(
  page: PageInfo,
  view: { family: ContentFamily; states: ItemState[] },
): SafeHtml {
  const c = ct(page);
  const title = c(`family.${view.family}`);
  const rows = view.states.map((state) => {
    const italian = state.languages[0]?.text ?? null;
    return html`<tr>
<td data-label="${c("column.text")}"><a href="${editHref(state.item, "it")}">${itemLabel(c, state.item)}</a>
<span class="muted source" lang="it">${excerpt(italian)}</span></td>
<td data-label="${c("column.status")}">${statusLinks(page, state)}</td>
</tr>`;
  });
  return layout(page, {
    title,
    current: "content",
    body: html`<p><a href="/content">${c("back")}</a></p>
<h1>${title}</h1>
<p class="muted">${c(`familyHint.${view.family}`, { max: MAX_TIP_LENGTH })}</p>
<nav class="filters" aria-label="${c("title")}">${CONTENT_FAMILIES.map(
      (f) =>
        html`<a href="/content/${f}"${f === view.family ? html` aria-current="page"` : ""}>${c(`family.${f}`)}</a>`,
    )}</nav>
<p class="muted">${c("statusLegend")}</p>
<table>
<caption class="sr">${title}</caption>
<thead><tr><th scope="col">${c("column.text")}</th><th scope="col">${c("column.status")}</th></tr></thead>
<tbody>${rows}</tbody>
</table>`,
  });
}

export function contentMissingPage(
  page: PageInfo,
  view: { missing: { item: ContentItem; language: string }[] },
): SafeHtml {
  const c = ct(page);
  const rows = view.missing.map(
    (m) => html`<tr>
<td data-label="${c("column.language")}">${languageLabel(page.lang, m.language)}</td>
<td data-label="${c("column.text")}">${c(`family.${m.item.family}`)}: ${itemLabel(c, m.item)}</td>
<td data-label="${c("column.actions")}"><a href="${editHref(m.item, m.language)}">${c("edit")}<span class="sr"> ${itemLabel(
      c,
      m.item,
    )} (${m.language})</span></a></td>
</tr>`,
  );
  return layout(page, {
    title: c("missing.title"),
    current: "content",
    body: html`<p><a href="/content">${c("back")}</a></p>
<h1>${c("missing.title")}</h1>
<p class="muted">${c("missing.intro")}</p>
${
  rows.length > 0
    ? html`<p>${c("missing.count", { count: rows.length })}</p><table>
<caption class="sr">${c("missing.title")}</caption>
<thead><tr><th scope="col">${c("column.language")}</th><th scope="col">${c("column.text")}</th><th scope="col">${c("column.actions")}</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
    : html`<p class="empty">${c("missing.none")}</p>`
}`,
  });
}

export function problemText(c: Translate, problem: ContentProblem): string {
  switch (problem.code) {
    case "placeholderMissing":
    case "placeholderUnknown":
      return c(`problem.${problem.code}`, { names: problem.names.map((n) => `{{${n}}}`).join(", ") });
    case "tooLong":
      return c("problem.tooLong", { length: problem.length, max: problem.max });
    case "html":
      return c("problem.html", { reason: c(`htmlProblem.${problem.problem.code}`, problem.problem) });
    case "testRunning":
      return c("problem.testRunning", { id: problem.experimentId });
    default:
      return c("problem.empty");
  }
}

export type EditView = {
  state: ItemState;
  language: string;
  /** What the form shows: the text in force, or what was typed. */
  text: string;
  placeholders: string[];
  problems: ContentProblem[];
  /** The problems were those of a version being restored. */
  restoring?: boolean;
  preview: Rendered | null;
  history: ContentVersionRow[];
  notice?: "saved" | "reset" | "restored" | undefined;
};

export function contentEditPage(page: PageInfo, view: EditView): SafeHtml {
  const c = ct(page);
  const { item } = view.state;
  const csrf = page.staff?.csrfToken ?? "";
  const current = view.state.languages.find((l) => l.language === view.language);
  const italian = view.state.languages.find((l) => l.language === "it");
  const status: TextStatus = current?.status ?? "missing";
  const label = itemLabel(c, item);
  const title = c("editTitle", { item: label, language: languageText(page.lang, view.language) });
  const hidden = html`<input type="hidden" name="_csrf" value="${csrf}">
<input type="hidden" name="item" value="${item.id}">
<input type="hidden" name="language" value="${view.language}">`;
  const hints = [
    html`<p class="muted" id="format-hint">${item.format === "html" ? c("htmlHint") : c("plainHint")}</p>`,
    html`<p class="muted" id="placeholder-hint">${
      view.placeholders.length > 0
        ? c("placeholders", { names: view.placeholders.map((n) => `{{${n}}}`).join(" ") })
        : c("noPlaceholders")
    }</p>`,
  ];
  const latest = view.history[0]?.id;
  const history = view.history.map(
    (v) => html`<tr>
<td data-label="${c("column.version")}">${v.id}${v.id === latest ? html` <strong>(${c("current")})</strong>` : ""}</td>
<td data-label="${c("column.when")}">${formatRomeDateTime(v.at)}</td>
<td data-label="${c("column.who")}">${v.staffId === null ? "—" : c("staffNumber", { id: v.staffId })}</td>
<td data-label="${c("column.text")}"><span class="source" lang="${view.language}">${v.text === null ? c("historyDefault") : excerpt(v.text, 200)}</span></td>
<td data-label="${c("column.actions")}">${
      v.id === latest
        ? ""
        : html`<form method="post" action="/content/restore">${hidden}<input type="hidden" name="version" value="${v.id}">
<button type="submit" class="secondary" aria-label="${c("restoreNamed", { version: v.id })}">${c("restore")}</button></form>`
    }</td>
</tr>`,
  );
  return layout(page, {
    title,
    current: "content",
    body: html`<p><a href="/content/${item.family}">${c("backToFamily", { family: c(`family.${item.family}`) })}</a></p>
<h1>${title}</h1>
<nav class="filters" aria-label="${c("column.language")}">${view.state.languages.map(
      (l) =>
        html`<a href="${editHref(item, l.language)}"${l.language === view.language ? html` aria-current="page"` : ""}>${languageLabel(
          page.lang,
          l.language,
        )}: ${c(`status.${l.status}`)}</a>`,
    )}</nav>
${view.notice ? html`<p class="notice" role="status">${c(`notice.${view.notice}`)}</p>` : ""}
${
  view.problems.length > 0
    ? html`<div class="error" role="alert">${view.restoring ? html`<p>${c("problem.restoreInvalid")}</p>` : ""}<ul class="plain">${view.problems.map(
        (p) => html`<li>${problemText(c, p)}</li>`,
      )}</ul></div>`
    : ""
}
${
  view.language !== "it" && italian?.text
    ? html`<section class="card"><h2>${c("italianReference")}</h2><p class="source" lang="it">${italian.text}</p></section>`
    : ""
}
${
  current?.defaultText && status === "own"
    ? html`<section class="card"><h2>${c("defaultText")}</h2><p class="source" lang="${view.language}">${current.defaultText}</p></section>`
    : ""
}
${view.language !== "it" && !current?.defaultText ? html`<p class="muted">${c("noDefault")}</p>` : ""}
<form method="post" action="/content/edit" class="card">
${hidden}
<label for="text">${c("textLabel", { language: languageText(page.lang, view.language) })}</label>
${hints}
<textarea id="text" name="text" rows="12" cols="60" lang="${view.language}" dir="auto" aria-describedby="format-hint placeholder-hint">${view.text}</textarea>
<div class="actions"><button type="submit" name="action" value="preview" class="secondary">${c("preview")}</button>
<button type="submit" name="action" value="save">${c("save")}</button></div>
</form>
${
  view.preview?.ok
    ? html`<section aria-labelledby="preview-title"><h2 id="preview-title">${c("previewTitle")}</h2>
<p class="muted">${c("previewSamples")}</p>
<div class="tg-preview"><div class="msg bot" dir="auto" lang="${view.language}"><span class="text">${
        item.format === "html"
          ? renderTelegramText(view.preview.text, view.preview.entities)
          : view.preview.text
      }</span></div></div></section>`
    : ""
}
${
  status === "own"
    ? html`<form method="post" action="/content/reset">${hidden}<button type="submit" class="secondary">${
        current?.defaultText ? c("reset") : c("resetNone")
      }</button></form>`
    : ""
}
<h2>${c("history")}</h2>
${
  history.length > 0
    ? html`<table>
<caption class="sr">${c("history")}</caption>
<thead><tr><th scope="col">${c("column.version")}</th><th scope="col">${c("column.when")}</th><th scope="col">${c(
        "column.who",
      )}</th><th scope="col">${c("column.text")}</th><th scope="col">${c("column.actions")}</th></tr></thead>
<tbody>${history}</tbody>
</table>`
    : html`<p class="empty">${c("historyEmpty")}</p>`
}`,
  });
}

// Imports: upload one of the authority's spreadsheets, read the dry run (every problem by line, or
// what would change), confirm it; and the history of imports. The problems are the import's own
// words (English, as the command line prints them), marked as such for screen readers.
import type { ImportHistoryEntry } from "../../core/imports/history.ts";
import {
  type EntityCounts,
  IMPORT_KINDS,
  type ImportKind,
  type KindReport,
} from "../../core/imports/kinds.ts";
import type { CsvProblem } from "../../core/imports/rows.ts";
import { formatRomeDateTime } from "../../core/time.ts";
import { html, type SafeHtml } from "./html.ts";
import { layout, type PageInfo } from "./layout.ts";

export type ImportOutcome =
  /** The dry run found nothing wrong: what would change, and the form to apply it. */
  | {
      type: "checked";
      kind: ImportKind;
      fileName: string;
      report: Extract<KindReport, { ok: true }>;
      token: string;
    }
  /** A large file still being checked: how much of it has been read. */
  | { type: "checking"; kind: ImportKind; fileName: string; percent: number; token: string }
  /**
   * The file (or, at confirm, the database as it now is) has problems: nothing changed. `total`
   * when only the first problems were kept.
   */
  | {
      type: "problems";
      kind: ImportKind;
      fileName: string;
      problems: CsvProblem[];
      shown: number;
      total?: number;
    }
  /** The form itself could not be used: a message key under imports.refused. */
  | { type: "refused"; reason: ImportRefusal; maxMb?: number };

export type ImportRefusal =
  | "noKind"
  | "noFile"
  | "tooLarge"
  | "gone"
  | "notYours"
  | "wrongFormat"
  | "checkFailed";

export type ImportsView = {
  notice?: "imported" | undefined;
  outcome?: ImportOutcome | undefined;
  selectedKind: ImportKind | null;
  maxMb: number;
  history: ImportHistoryEntry[];
};

const COUNT_KEYS = ["created", "updated", "unchanged", "removed"] as const;

/** Labels for the keys imports record; an unknown key (a future import's) is shown as it is. */
function label(page: PageInfo, group: "entity" | "count", key: string): string {
  const id = `imports.${group}.${key}`;
  const text = page.t(id);
  return text === id ? key : text;
}

/** The import's own message, in English: a lang attribute so screen readers say it right. */
function original(page: PageInfo, message: string): SafeHtml {
  return page.lang === "en" ? html`${message}` : html`<span lang="en">${message}</span>`;
}

function countsTable(page: PageInfo, counts: EntityCounts[]): SafeHtml {
  const { t } = page;
  const rows = counts.map(
    (c) =>
      html`<tr><th scope="row">${label(page, "entity", c.entity)}</th>${COUNT_KEYS.map(
        (key) =>
          html`<td class="num" data-label="${label(page, "count", key)}">${c[key] === undefined ? "—" : c[key]}</td>`,
      )}</tr>`,
  );
  return html`<table class="counts">
<caption class="sr">${t("imports.countsCaption")}</caption>
<thead><tr><th scope="col">${t("imports.column.what")}</th>${COUNT_KEYS.map(
    (key) => html`<th scope="col" class="num">${label(page, "count", key)}</th>`,
  )}</tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

function outcomeSection(page: PageInfo, outcome: ImportOutcome): SafeHtml {
  const { t } = page;
  if (outcome.type === "refused") {
    return html`<div class="error" role="alert"><p>${t(`imports.refused.${outcome.reason}`, { mb: outcome.maxMb ?? 0 })}</p></div>`;
  }
  const kind = t(`imports.kind.${outcome.kind}`);
  if (outcome.type === "checking") {
    const url = `/imports/check?token=${outcome.token}`;
    return html`<section class="card" aria-labelledby="outcome" data-check="${url}&format=json">
<h2 id="outcome">${t("imports.checking.title", { file: outcome.fileName })}</h2>
<p role="status"><progress max="100" value="${outcome.percent}" aria-label="${t("imports.checking.label")}"></progress>
<span data-check-text data-database="${t("imports.checking.database")}" data-read="${t("imports.checking.read", { percent: "%PERCENT%" })}">${
      outcome.percent >= 100
        ? t("imports.checking.database")
        : t("imports.checking.read", { percent: outcome.percent })
    }</span></p>
<p>${t("imports.checking.hint", { kind })}</p>
<p><a class="button secondary" href="${url}">${t("imports.checking.refresh")}</a></p>
</section>`;
  }
  if (outcome.type === "problems") {
    const total = outcome.total ?? outcome.problems.length;
    const more = total - Math.min(outcome.shown, outcome.problems.length);
    const items = outcome.problems
      .slice(0, outcome.shown)
      .map(
        (p) =>
          html`<li>${p.line > 0 ? html`<strong>${t("imports.line", { line: p.line })}</strong>: ` : ""}${original(page, p.message)}</li>`,
      );
    return html`<section class="error" aria-labelledby="outcome" role="alert">
<h2 id="outcome">${t("imports.problems.title", { file: outcome.fileName })}</h2>
<p>${t("imports.problems.intro", { kind, count: total })}</p>
<ul>${items}</ul>
${more > 0 ? html`<p>${t("imports.problems.more", { count: more })}</p>` : ""}
<p>${t("imports.problems.next")}</p>
</section>`;
  }
  const { report } = outcome;
  return html`<section class="card" aria-labelledby="outcome">
<h2 id="outcome">${t("imports.checked.title", { file: outcome.fileName })}</h2>
<p role="status">${t("imports.checked.intro", { kind, count: report.rows })}</p>
${countsTable(page, report.counts)}
${report.allocation ? html`<p>${t("imports.checked.allocation", report.allocation)}</p>` : ""}
${report.untranslated ? html`<p>${t("imports.checked.untranslated", { languages: report.untranslated.join(", ") })}</p>` : ""}
<form method="post" action="/imports/confirm" class="actions">
<input type="hidden" name="_csrf" value="${page.staff?.csrfToken ?? ""}">
<input type="hidden" name="token" value="${outcome.token}">
<button type="submit">${t("imports.confirm")}</button>
</form>
<p class="muted">${t("imports.checked.keep")}</p>
</section>`;
}

function uploadForm(page: PageInfo, view: ImportsView): SafeHtml {
  const { t } = page;
  const kinds = IMPORT_KINDS.map(
    (
      kind,
    ) => html`<div class="choice"><input type="radio" name="kind" id="kind-${kind}" value="${kind}" aria-describedby="kind-${kind}-columns"${
      view.selectedKind === kind ? html` checked` : ""
    }><label for="kind-${kind}">${t(`imports.kind.${kind}`)}</label>
<small id="kind-${kind}-columns" class="muted">${t(`imports.columns.${kind}`)}</small></div>`,
  );
  return html`<form method="post" action="/imports" enctype="multipart/form-data" class="card" data-upload
 data-uploading="${t("imports.progress.uploading", { percent: "%PERCENT%" })}" data-checking="${t("imports.progress.checking")}" data-failed="${t("imports.progress.failed")}">
<input type="hidden" name="_csrf" value="${page.staff?.csrfToken ?? ""}">
<fieldset>
<legend>${t("imports.form.kind")}</legend>
${kinds}
</fieldset>
<label for="file">${t("imports.form.file", { mb: view.maxMb })}</label>
<input type="file" id="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet">
<p class="muted">${t("imports.form.hint")}</p>
<div class="actions"><button type="submit">${t("imports.form.check")}</button></div>
<p id="upload-progress" role="status" hidden><progress max="100" value="0" aria-label="${t("imports.progress.label")}"></progress> <span></span></p>
</form>
<script src="/assets/imports.js" defer></script>`;
}

function who(page: PageInfo, entry: ImportHistoryEntry): string {
  if ("staff" in entry.who) return entry.who.staff;
  if ("cli" in entry.who) return page.t("imports.history.cli", { user: entry.who.cli ?? "?" });
  return entry.who.other;
}

/** The order a person reads them in (the database keeps JSON keys in an order of its own). */
const ENTITY_ORDER = [
  "households",
  "balances",
  "plans",
  "installments",
  "payments",
  "allocation",
  "courses",
  "sessions",
  "documents",
];
const KEY_ORDER = [...COUNT_KEYS, "installments", "plans"];
const byOrder = (order: readonly string[]) => (a: [string, unknown], b: [string, unknown]) =>
  (order.indexOf(a[0]) + 1 || order.length + 1) - (order.indexOf(b[0]) + 1 || order.length + 1);

function historyCounts(page: PageInfo, entry: ImportHistoryEntry): SafeHtml[] {
  return Object.entries(entry.counts)
    .sort(byOrder(ENTITY_ORDER))
    .map(
      ([entity, counts]) =>
        html`<span class="counts-line">${label(page, "entity", entity)}: ${Object.entries(counts)
          .sort(byOrder(KEY_ORDER))
          .map(([key, value]) => `${label(page, "count", key).toLocaleLowerCase(page.lang)} ${value}`)
          .join(" · ")}</span>`,
    );
}

function historyTable(page: PageInfo, history: ImportHistoryEntry[]): SafeHtml {
  const { t } = page;
  if (history.length === 0) return html`<p class="empty">${t("imports.history.empty")}</p>`;
  const col = {
    when: t("imports.history.when"),
    who: t("imports.history.who"),
    kind: t("imports.history.kind"),
    file: t("imports.history.file"),
    rows: t("imports.history.rows"),
    result: t("imports.history.result"),
  };
  const rows = history.map(
    (entry) => html`<tr>
<td class="num" data-label="${col.when}">${formatRomeDateTime(entry.at)}</td>
<td data-label="${col.who}">${who(page, entry)}</td>
<td data-label="${col.kind}">${t(`imports.kind.${entry.kind}`)}</td>
<td data-label="${col.file}">${entry.file ?? "—"}</td>
<td class="num" data-label="${col.rows}">${entry.rows ?? "—"}</td>
<td data-label="${col.result}">${historyCounts(page, entry)}</td>
</tr>`,
  );
  return html`<table>
<caption class="sr">${t("imports.history.caption")}</caption>
<thead><tr><th scope="col" class="num">${col.when}</th><th scope="col">${col.who}</th><th scope="col">${col.kind}</th>
<th scope="col">${col.file}</th><th scope="col" class="num">${col.rows}</th><th scope="col">${col.result}</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

export function importsPage(page: PageInfo, view: ImportsView): SafeHtml {
  const { t } = page;
  return layout(page, {
    title: t("imports.title"),
    current: "imports",
    body: html`<h1>${t("imports.title")}</h1>
<p class="muted">${t("imports.intro")}</p>
${view.notice ? html`<p class="notice" role="status">${t(`imports.notice.${view.notice}`)}</p>` : ""}
${view.outcome ? outcomeSection(page, view.outcome) : ""}
<h2>${t("imports.form.title")}</h2>
${uploadForm(page, view)}
<h2>${t("imports.history.title")}</h2>
${historyTable(page, view.history)}`,
  });
}

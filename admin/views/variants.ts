// Reminder wording tests (core/variants/): the list, the form for a new test (Italian required, the
// control's placeholders shown), and a test's results per variant with a plain-language verdict and,
// while it runs, the form to stop it keeping one wording.

import { type Translate, translator } from "../../core/i18n.ts";
import { formatRomeDateTime } from "../../core/time.ts";
import type { CreateProblem, Experiment, TestableKind } from "../../core/variants/experiments.ts";
import { TESTABLE_KINDS, VARIANT_LABELS } from "../../core/variants/experiments.ts";
import type { VariantResult } from "../../core/variants/results.ts";
import { MIN_PER_VARIANT } from "../../core/variants/stats.ts";
import { problemText } from "./content.ts";
import { html, type SafeHtml } from "./html.ts";
import { layout, type PageInfo } from "./layout.ts";

function vt(page: PageInfo): Translate {
  return translator(page.lang, "variantsAdmin");
}

function languageName(staffLanguage: string, code: string): string {
  try {
    return new Intl.DisplayNames([staffLanguage], { type: "language" }).of(code) ?? code;
  } catch {
    return code;
  }
}

function percent(lang: string, value: number | null): string {
  if (value === null) return "—";
  return new Intl.NumberFormat(lang, {
    style: "percent",
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(value);
}

function pValueText(lang: string, p: number): string {
  if (p < 0.001) return `< ${new Intl.NumberFormat(lang, { minimumFractionDigits: 3 }).format(0.001)}`;
  return new Intl.NumberFormat(lang, { minimumFractionDigits: 3, maximumFractionDigits: 3 }).format(p);
}

export function variantsListPage(page: PageInfo, view: { experiments: Experiment[] }): SafeHtml {
  const v = vt(page);
  const rows = view.experiments.map(
    (e) => html`<tr>
<td data-label="${v("column.test")}"><a href="/variants/${e.id}">${v("testName", { id: e.id, kind: v(`kind.${e.kind}`) })}</a></td>
<td data-label="${v("column.variants")}">${e.labels.join(", ")}</td>
<td data-label="${v("column.status")}">${v(`status.${e.status}`)}${e.kept ? ` · ${v("kept", { label: e.kept })}` : ""}</td>
<td data-label="${v("column.started")}">${formatRomeDateTime(e.createdAt)}</td>
</tr>`,
  );
  return layout(page, {
    title: v("title"),
    current: "variants",
    body: html`<h1>${v("title")}</h1>
<p class="muted">${v("intro", { min: MIN_PER_VARIANT })}</p>
<p><a href="/variants/new">${v("new")}</a></p>
${
  view.experiments.length === 0
    ? html`<p>${v("none")}</p>`
    : html`<table>
<caption class="sr">${v("title")}</caption>
<thead><tr><th scope="col">${v("column.test")}</th><th scope="col">${v("column.variants")}</th><th scope="col">${v("column.status")}</th><th scope="col">${v("column.started")}</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
}`,
  });
}

export type NewView = {
  kind: string;
  /** texts[index][language], as typed. */
  texts: Record<string, string>[];
  problems: CreateProblem[];
  placeholders: Record<TestableKind, string[]>;
  languages: readonly string[];
};

function createProblemText(page: PageInfo, problem: CreateProblem): string {
  const v = vt(page);
  if (problem.code === "text")
    return v("problem.text", {
      label: problem.label,
      language: languageName(page.lang, problem.language),
      problem: problemText(translator(page.lang, "contentAdmin"), problem.problem),
    });
  if (problem.code === "italianRequired") return v("problem.italianRequired", { label: problem.label });
  return v(`problem.${problem.code}`);
}

export function variantsNewPage(page: PageInfo, view: NewView): SafeHtml {
  const v = vt(page);
  const csrf = page.staff?.csrfToken ?? "";
  const fieldsets = VARIANT_LABELS.map((label, index) => {
    const texts = view.texts[index] ?? {};
    const areas = view.languages.map((language) => {
      const id = `text-${index}-${language}`;
      return html`<p><label for="${id}">${v("textLabel", { label, language: languageName(page.lang, language) })}${
        language === "it" && index === 0 ? ` (${v("required")})` : ""
      }</label>
<textarea id="${id}" name="${`text.${index}.${language}`}" rows="5" cols="60" lang="${language}" dir="auto" aria-describedby="placeholder-hint">${texts[language] ?? ""}</textarea></p>`;
    });
    return html`<fieldset class="card"><legend>${v("variant", { label })}</legend>
${index === 0 ? "" : html`<p class="muted">${v("optional")}</p>`}
${areas}</fieldset>`;
  });
  return layout(page, {
    title: v("newTitle"),
    current: "variants",
    body: html`<h1>${v("newTitle")}</h1>
<p><a href="/variants">${v("back")}</a></p>
<p class="muted">${v("newIntro")}</p>
${
  view.problems.length > 0
    ? html`<div class="error" role="alert"><ul class="plain">${view.problems.map(
        (p) => html`<li>${createProblemText(page, p)}</li>`,
      )}</ul></div>`
    : ""
}
<form method="post" action="/variants">
<input type="hidden" name="_csrf" value="${csrf}">
<p><label for="kind">${v("kindLabel")}</label>
<select id="kind" name="kind">${TESTABLE_KINDS.map(
      (kind) =>
        html`<option value="${kind}"${view.kind === kind ? " selected" : ""}>${v(`kind.${kind}`)}</option>`,
    )}</select></p>
<p class="muted" id="placeholder-hint">${TESTABLE_KINDS.map((kind) =>
      v("placeholders", {
        kind: v(`kind.${kind}`),
        names: view.placeholders[kind].map((n) => `{{${n}}}`).join(" "),
      }),
    ).join(" ")}</p>
${fieldsets}
<p><button type="submit">${v("create")}</button></p>
</form>`,
  });
}

export type DetailView = {
  experiment: Experiment;
  results: VariantResult[];
  /** Installments reminded with two wordings, left out of the outcome. */
  mixed: number;
  /** The control's Italian text in force. */
  control: string | null;
  notice?: "created" | "stopped" | undefined;
  error?: "stopped" | "label" | "invalid" | undefined;
};

function verdict(page: PageInfo, r: VariantResult): string {
  const v = vt(page);
  if (!r.enoughData) return v("verdict.notEnough", { min: MIN_PER_VARIANT });
  if (!r.comparison) return v("verdict.noVariation");
  if (r.comparison.pValue >= 0.05) return v("verdict.noClearDifference");
  return r.comparison.difference > 0 ? v("verdict.better") : v("verdict.worse");
}

export function variantsDetailPage(page: PageInfo, view: DetailView): SafeHtml {
  const v = vt(page);
  const e = view.experiment;
  const csrf = page.staff?.csrfToken ?? "";
  const title = v("testName", { id: e.id, kind: v(`kind.${e.kind}`) });
  const rows = view.results.map(
    (r, index) => html`<tr>
<th scope="row">${r.label}</th>
<td data-label="${v("column.sent")}">${r.sent}</td>
<td data-label="${v("column.decided")}">${r.decided}</td>
<td data-label="${v("column.paid")}">${r.paidOnTime}</td>
<td data-label="${v("column.rate")}">${percent(page.lang, r.rate)}</td>
<td data-label="${v("column.interval")}">${r.interval ? `${percent(page.lang, r.interval.low)} – ${percent(page.lang, r.interval.high)}` : "—"}</td>
<td data-label="${v("column.difference")}">${
      index === 0
        ? v("control")
        : r.comparison
          ? v("difference", {
              difference: `${r.comparison.difference >= 0 ? "+" : "−"}${percent(page.lang, Math.abs(r.comparison.difference))}`,
              p: pValueText(page.lang, r.comparison.pValue),
            })
          : "—"
    }</td>
<td data-label="${v("column.verdict")}">${index === 0 ? "" : verdict(page, r)}</td>
</tr>`,
  );
  const texts = e.labels.map((label) => {
    const text = label === "A" ? view.control : (e.texts[label]?.it ?? null);
    return html`<dt>${v("variant", { label })}${label === "A" ? ` (${v("controlText")})` : ""}</dt>
<dd><pre class="source" lang="it">${text ?? "—"}</pre></dd>`;
  });
  const stop =
    e.status === "running"
      ? html`<form method="post" action="/variants/${e.id}/stop" class="card">
<input type="hidden" name="_csrf" value="${csrf}">
<fieldset><legend>${v("stopLegend")}</legend>
${e.labels.map(
  (label, i) =>
    html`<p><input type="radio" id="keep-${label}" name="keep" value="${label}"${i === 0 ? " checked" : ""}> <label for="keep-${label}">${
      label === "A" ? v("keepControl") : v("keepVariant", { label })
    }</label></p>`,
)}
</fieldset>
<p class="muted">${v("stopHint")}</p>
<p><button type="submit">${v("stop")}</button></p>
</form>`
      : html`<p>${v("stoppedOn", { when: e.stoppedAt ? formatRomeDateTime(e.stoppedAt) : "—", label: e.kept ?? "A" })}</p>`;
  return layout(page, {
    title,
    current: "variants",
    body: html`<h1>${title}</h1>
<p><a href="/variants">${v("back")}</a></p>
${view.notice ? html`<p class="notice" role="status">${v(`notice.${view.notice}`)}</p>` : ""}
${view.error ? html`<div class="error" role="alert"><p>${v(`error.${view.error}`)}</p></div>` : ""}
<p class="muted">${v("howCounted", { min: MIN_PER_VARIANT })}</p>
<table>
<caption>${v("resultsCaption")}</caption>
<thead><tr><th scope="col">${v("column.variant")}</th><th scope="col">${v("column.sent")}</th><th scope="col">${v("column.decided")}</th><th scope="col">${v("column.paid")}</th><th scope="col">${v("column.rate")}</th><th scope="col">${v("column.interval")}</th><th scope="col">${v("column.difference")}</th><th scope="col">${v("column.verdict")}</th></tr></thead>
<tbody>${rows}</tbody>
</table>
${view.mixed > 0 ? html`<p class="muted" data-mixed="${view.mixed}">${v("mixed", { count: view.mixed })}</p>` : ""}
<h2>${v("textsTitle")}</h2>
<dl>${texts}</dl>
${stop}`,
  });
}

// Broadcasts for coordinators and admins: the history with its counters, the compose form (live count
// with a script, all of it without), the confirm step that repeats the count and shows each text as
// Telegram will, and one broadcast's progress (live with a script, a reload without).

import type { LanguageCount } from "../../core/broadcasts/audience.ts";
import { parseAudience } from "../../core/broadcasts/audience.ts";
import type { BroadcastPlan, BroadcastStatusView } from "../../core/broadcasts/broadcasts.ts";
import type { ButtonSession } from "../../core/broadcasts/buttons.ts";
import {
  AUDIENCE_KINDS,
  type ComposeChoices,
  type ComposeProblem,
  type ComposeReady,
  type ComposeValue,
} from "../../core/broadcasts/compose.ts";
import type { HistoryRow, Progress } from "../../core/broadcasts/history.ts";
import { SUPPORTED_LANGUAGES, translator } from "../../core/i18n.ts";
import { formatRomeDateTime } from "../../core/time.ts";
import { html, type SafeHtml } from "./html.ts";
import { languageLabel } from "./language.ts";
import { layout, type PageInfo } from "./layout.ts";
import { renderTelegramText } from "./telegram.ts";

const tr = (page: PageInfo) => translator(page.lang, "broadcastsAdmin");

function csrfField(page: PageInfo): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${page.staff?.csrfToken ?? ""}">`;
}

export type CourseNames = Map<string, string>;

/** "Iscritti al corso «Tirocinio» (PIP-01)" from the stored spec. */
export function audienceLabel(page: PageInfo, spec: string, courses: CourseNames): string {
  const b = tr(page);
  const parsed = parseAudience(spec);
  if (!parsed.ok) return spec;
  const a = parsed.audience;
  switch (a.kind) {
    case "all":
    case "plan":
      return b(`audience.${a.kind}`);
    case "municipality":
      return b("audience.municipalityOf", { name: a.name });
    case "arrears-over":
      return b("audience.arrearsOf", { amount: spec.slice("arrears-over:".length) });
    default:
      return b(`audience.${a.kind}Of`, { course: courses.get(a.code) ?? a.code, code: a.code });
  }
}

function problemText(page: PageInfo, p: ComposeProblem): string {
  const b = tr(page);
  if (p.code === "html" && "html" in p) {
    const language = translator(page.lang, "broadcastsAdmin")(`lang.${p.language}`);
    return b(`html.${p.html.code}`, { ...p.html, language });
  }
  return b(`problem.${p.code}`, "params" in p ? (p.params ?? {}) : {});
}

function problemsBox(page: PageInfo, problems: readonly ComposeProblem[]): SafeHtml | string {
  if (problems.length === 0) return "";
  return html`<div class="error" role="alert"><p>${tr(page)("problem.intro")}</p><ul class="plain">${problems.map(
    (p) => html`<li>${problemText(page, p)}</li>`,
  )}</ul></div>`;
}

function statusLabel(page: PageInfo, status: string): string {
  return tr(page)(`status.${status}`);
}

function countersCells(page: PageInfo, p: Progress): SafeHtml {
  const b = tr(page);
  return html`<td data-label="${b("counter.sent")}" class="num">${p.sent}</td>
<td data-label="${b("counter.waiting")}" class="num">${p.waiting}</td>
<td data-label="${b("counter.failed")}" class="num">${p.failed}</td>
<td data-label="${b("counter.unreachable")}" class="num">${p.unreachable}</td>
<td data-label="${b("counter.uncertain")}" class="num">${p.uncertain}</td>`;
}

export function historyPage(page: PageInfo, view: { rows: HistoryRow[]; courses: CourseNames }): SafeHtml {
  const b = tr(page);
  const rows = view.rows.map(
    (r) => html`<tr>
<td data-label="${b("column.id")}"><a href="/broadcasts/${r.id}">${b("numbered", { id: r.id })}</a></td>
<td data-label="${b("column.audience")}">${audienceLabel(page, r.audience, view.courses)}</td>
<td data-label="${b("column.sendAt")}">${formatRomeDateTime(r.sendAt)}</td>
<td data-label="${b("column.status")}">${statusLabel(page, r.progress.status)}</td>
<td data-label="${b("column.total")}" class="num">${r.progress.total}</td>
${countersCells(page, r.progress)}
</tr>`,
  );
  return layout(page, {
    title: b("title"),
    current: "broadcasts",
    body: html`<h1>${b("title")}</h1>
<p>${b("intro")}</p>
<p><a class="btn btn-primary" href="/broadcasts/new">${b("new")}</a></p>
${
  view.rows.length === 0
    ? html`<p class="empty">${b("empty")}</p>`
    : html`<table>
<caption class="sr">${b("history")}</caption>
<thead><tr><th scope="col">${b("column.id")}</th><th scope="col">${b("column.audience")}</th><th scope="col">${b("column.sendAt")}</th>
<th scope="col">${b("column.status")}</th><th scope="col" class="num">${b("column.total")}</th>
<th scope="col" class="num">${b("counter.sent")}</th><th scope="col" class="num">${b("counter.waiting")}</th>
<th scope="col" class="num">${b("counter.failed")}</th><th scope="col" class="num">${b("counter.unreachable")}</th>
<th scope="col" class="num">${b("counter.uncertain")}</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
}`,
  });
}

function sessionLabel(s: ButtonSession): string {
  return `${s.title} · ${formatRomeDateTime(s.startsAt)} · ${s.location}`;
}

const selected = (yes: boolean) => (yes ? html` selected` : "");
const checked = (yes: boolean) => (yes ? html` checked` : "");

function invalid(problems: readonly ComposeProblem[], field: string): SafeHtml | string {
  return problems.some((p) => p.field === field) ? html` aria-invalid="true"` : "";
}

export function composePage(
  page: PageInfo,
  view: {
    value: ComposeValue;
    choices: ComposeChoices;
    problems: readonly ComposeProblem[];
    quietHours: string | null;
  },
): SafeHtml {
  const b = tr(page);
  const v = view.value;
  const p = view.problems;
  const texts = SUPPORTED_LANGUAGES.map((lang) => {
    const italian = lang === "it";
    return html`<label for="text_${lang}">${languageLabel(page.lang, lang)} (${italian ? b("required") : b("optional")})</label>
<textarea id="text_${lang}" name="text_${lang}" lang="${lang}" dir="auto" rows="${italian ? 6 : 3}"${italian ? html` required` : ""} aria-describedby="texts-hint"${invalid(p, `text_${lang}`)}>${v.texts[lang] ?? ""}</textarea>`;
  });
  return layout(page, {
    title: b("new"),
    current: "broadcasts",
    body: html`<p><a href="/broadcasts">${b("back")}</a></p>
<h1>${b("new")}</h1>
${problemsBox(page, p)}
<form method="post" action="/broadcasts/preview" id="compose" data-count="/broadcasts/count">
${csrfField(page)}
<fieldset class="card">
<legend>${b("field.audience")}</legend>
<label for="kind">${b("field.kind")}</label>
<select id="kind" name="kind" required${invalid(p, "kind")}><option value="">${b("choose")}</option>${AUDIENCE_KINDS.map(
      (k) => html`<option value="${k}"${selected(v.kind === k)}>${b(`kind.${k}`)}</option>`,
    )}</select>
<label for="municipality">${b("field.municipality")}</label>
<select id="municipality" name="municipality" aria-describedby="municipality-hint"><option value="">${b("choose")}</option>${view.choices.municipalities.map(
      (m) => html`<option${selected(v.municipality === m)}>${m}</option>`,
    )}</select>
<p class="muted" id="municipality-hint">${b("field.municipalityHint")}</p>
<label for="course">${b("field.course")}</label>
<select id="course" name="course" aria-describedby="course-hint"><option value="">${b("choose")}</option>${view.choices.courses.map(
      (c) =>
        html`<option value="${c.id}"${selected(v.course === String(c.id))}>${c.title} (${c.code})</option>`,
    )}</select>
<p class="muted" id="course-hint">${b("field.courseHint")}</p>
<label for="amount">${b("field.amount")}</label>
<input type="text" id="amount" name="amount" inputmode="decimal" value="${v.amount}" aria-describedby="amount-hint">
<p class="muted" id="amount-hint">${b("field.amountHint")}</p>
<p id="live-count" role="status" aria-live="polite">${b("count.later")}</p>
</fieldset>
<fieldset class="card">
<legend>${b("field.texts")}</legend>
<p class="muted" id="texts-hint">${b("field.textsHint")}</p>
${texts}
</fieldset>
<fieldset class="card">
<legend>${b("field.button")}</legend>
<label for="button">${b("field.buttonSession")}</label>
<select id="button" name="button" aria-describedby="button-hint"${invalid(p, "button")}><option value="">${b("noButton")}</option>${view.choices.sessions.map(
      (s) => html`<option value="${s.id}"${selected(v.button === String(s.id))}>${sessionLabel(s)}</option>`,
    )}</select>
<p class="muted" id="button-hint">${b("field.buttonHint")}</p>
</fieldset>
<fieldset class="card">
<legend>${b("field.when")}</legend>
<div><input type="radio" id="when-now" name="when" value="now"${checked(v.when === "now")}> <label for="when-now">${b("when.now")}</label></div>
<div><input type="radio" id="when-later" name="when" value="later"${checked(v.when === "later")}> <label for="when-later">${b("when.later")}</label></div>
<label for="at">${b("field.at")}</label>
<input type="datetime-local" id="at" name="at" value="${v.at}" aria-describedby="at-hint"${invalid(p, "at")}>
<p class="muted" id="at-hint">${view.quietHours ? b("field.atHint", { quiet: view.quietHours }) : b("field.atHintNoQuiet")}</p>
</fieldset>
<div class="actions"><button type="submit">${b("preview")}</button></div>
</form>
<script src="/assets/broadcasts.js" defer></script>`,
  });
}

function hiddenFields(v: ComposeValue): SafeHtml {
  const field = (name: string, value: string) => html`<input type="hidden" name="${name}" value="${value}">`;
  return html`${field("kind", v.kind)}${field("municipality", v.municipality)}${field("course", v.course)}${field(
    "amount",
    v.amount,
  )}${SUPPORTED_LANGUAGES.map((lang) => field(`text_${lang}`, v.texts[lang] ?? ""))}${field("when", v.when)}${field(
    "at",
    v.at,
  )}${field("button", v.button)}`;
}

function countTable(page: PageInfo, recipients: BroadcastPlan["recipients"] | LanguageCount[]): SafeHtml {
  const b = tr(page);
  return html`<table>
<caption>${b("count.byLanguage")}</caption>
<thead><tr><th scope="col">${b("column.language")}</th><th scope="col" class="num">${b("column.recipients")}</th><th scope="col">${b("column.gets")}</th></tr></thead>
<tbody>${recipients.map(
    (r) => html`<tr><td data-label="${b("column.language")}">${languageLabel(page.lang, r.language)}</td>
<td data-label="${b("column.recipients")}" class="num">${r.recipients}</td>
<td data-label="${b("column.gets")}">${"section" in r ? languageLabel(page.lang, r.section) : ""}</td></tr>`,
  )}</tbody>
</table>`;
}

export function confirmPage(
  page: PageInfo,
  view: {
    value: ComposeValue;
    ready: ComposeReady;
    plan: BroadcastPlan;
    now: Date;
    audience: string;
    button: ButtonSession | null;
    buttonLabel: (lang: string) => string;
    quietHours: string | null;
    telegramLinked: boolean;
    testNotice?: "sent" | "notLinked";
  },
): SafeHtml {
  const b = tr(page);
  const { plan } = view;
  const immediate = plan.sendAt.getTime() <= view.now.getTime();
  const previews = view.ready.previews.map(
    (p) => html`<section class="card" aria-labelledby="preview-${p.language}">
<h3 id="preview-${p.language}">${languageLabel(page.lang, p.language)}</h3>
<div class="bubble" lang="${p.language}" dir="auto">${renderTelegramText(p.text, p.entities)}</div>
${view.button ? html`<p class="muted">${b("buttonShown")} <span lang="${p.language}" dir="auto">${view.buttonLabel(p.language)}</span></p>` : ""}
</section>`,
  );
  return layout(page, {
    title: b("confirmTitle"),
    current: "broadcasts",
    body: html`<p><a href="/broadcasts">${b("back")}</a></p>
<h1>${b("confirmTitle")}</h1>
${
  view.testNotice === "sent"
    ? html`<p class="notice" role="status">${b("notice.testSent")}</p>`
    : view.testNotice === "notLinked"
      ? html`<div class="error" role="alert"><p>${b("problem.notLinked")}</p></div>`
      : ""
}
<p class="lead" id="confirm-count"><strong>${b("count.total", { count: plan.total })}</strong></p>
<p>${b("confirmAudience", { audience: view.audience })}</p>
${countTable(page, plan.recipients)}
<p>${immediate ? b("sendsNow") : b("sendsAt", { when: formatRomeDateTime(plan.sendAt) })}</p>
${
  plan.movedOutOfQuietHours
    ? html`<div class="error" role="alert"><p>${b("quietMoved", { quiet: view.quietHours ?? "", when: formatRomeDateTime(plan.sendAt) })}</p></div>`
    : ""
}
${view.button ? html`<p>${b("buttonTo", { session: sessionLabel(view.button) })}</p>` : ""}
<h2>${b("previews")}</h2>
${previews}
<form method="post" action="/broadcasts">
${csrfField(page)}
${hiddenFields(view.value)}
<div class="card">
<h2>${b("testTitle")}</h2>
<p class="muted" id="test-hint">${view.telegramLinked ? b("testHint") : b("testNotLinked")}</p>
<label for="test_language">${b("field.testLanguage")}</label>
<select id="test_language" name="test_language" aria-describedby="test-hint">${view.ready.previews.map(
      (p) => html`<option value="${p.language}">${languageLabel(page.lang, p.language)}</option>`,
    )}</select>
<div class="actions"><button type="submit" class="btn btn-outline-primary" formaction="/broadcasts/test">${b("test")}</button></div>
</div>
<div class="actions">
<button type="submit" id="confirm">${b("confirm", { count: plan.total })}</button>
<button type="submit" class="btn btn-outline-primary" formaction="/broadcasts/new" formnovalidate>${b("edit")}</button>
</div>
</form>`,
  });
}

function progressBlock(page: PageInfo, p: Progress): SafeHtml {
  const b = tr(page);
  const item = (key: string, value: number) =>
    html`<li>${b(`counter.${key}`)}: <strong data-counter="${key}">${value}</strong></li>`;
  return html`<div class="card" id="progress">
<h2 id="progress-title">${b("progress")}</h2>
<progress id="progress-bar" max="100" value="${p.percent}" aria-labelledby="progress-title" aria-describedby="progress-text">${p.percent}%</progress>
<p id="progress-text" role="status" aria-live="polite"><span data-counter="percent">${p.percent}</span>% · <span data-counter="status">${statusLabel(page, p.status)}</span></p>
<ul class="plain">
${item("total", p.total)}${item("sent", p.sent)}${item("waiting", p.waiting)}${item("failed", p.failed)}${item(
  "unreachable",
  p.unreachable,
)}${item("uncertain", p.uncertain)}${p.cancelled > 0 ? item("cancelled", p.cancelled) : ""}
</ul>
</div>`;
}

export function broadcastPage(
  page: PageInfo,
  view: {
    broadcast: BroadcastStatusView;
    progress: Progress;
    audience: string;
    createdBy: string | null;
    notice?: string;
    count?: number;
  },
): SafeHtml {
  const b = tr(page);
  const x = view.broadcast;
  const open = view.progress.status === "scheduled" || view.progress.status === "sending";
  const title = b("numbered", { id: x.id });
  return layout(page, {
    title,
    current: "broadcasts",
    body: html`<p><a href="/broadcasts">${b("back")}</a></p>
<h1>${title}</h1>
${view.notice ? html`<p class="notice" role="status">${b(`notice.${view.notice}`, { count: view.count ?? 0 })}</p>` : ""}
<dl>
<dt>${b("column.audience")}</dt><dd>${view.audience}</dd>
<dt>${b("column.sendAt")}</dt><dd>${formatRomeDateTime(x.sendAt)}</dd>
<dt>${b("column.languages")}</dt><dd>${x.languages.map((l, i) => html`${i > 0 ? ", " : ""}${languageLabel(page.lang, l)}`)}</dd>
${view.createdBy ? html`<dt>${b("column.createdBy")}</dt><dd>${view.createdBy}</dd>` : ""}
</dl>
<div id="live" data-events="/broadcasts/${x.id}/events">
${progressBlock(page, view.progress)}
</div>
<p><a href="/broadcasts/${x.id}">${b("refresh")}</a></p>
${
  open
    ? html`<form method="post" action="/broadcasts/${x.id}/cancel" class="card">
${csrfField(page)}
<h2>${b("cancelTitle")}</h2>
<p>${b("cancelHint")}</p>
<button type="submit" class="btn btn-danger" id="cancel">${b("cancel")}</button>
</form>`
    : ""
}
<script src="/assets/broadcasts.js" defer></script>`,
  });
}

// Cases: the list of conversations waiting for the programme, and one conversation with the reply
// form. The list shows no fiscal codes, phones or message texts; the conversation is the file.
import { CASE_OUTCOMES, type CaseDetail } from "../../core/cases.ts";
import { isCaseTopic } from "../../core/faq.ts";
import { type Translate, translator } from "../../core/i18n.ts";
import {
  type CaseNoteView,
  INBOX_STATUSES,
  type InboxFilter,
  type InboxRow,
  MAX_NOTE_LENGTH,
  timeLeft,
} from "../../core/inbox.ts";
import type { SavedReply } from "../../core/saved-replies.ts";
import { formatRomeDateTime } from "../../core/time.ts";
import { html, type SafeHtml } from "./html.ts";
import { languageLabel } from "./language.ts";
import { layout, type PageInfo } from "./layout.ts";

export type CaseNotice =
  | "sent"
  | "noRecipients"
  | "assigned"
  | "closed"
  | "alreadyClosed"
  | "noted"
  | "snoozed"
  | "woken"
  | "transferred";
export type CaseProblem =
  | "empty"
  | "too_long"
  | "closed"
  | "noteEmpty"
  | "noteTooLong"
  | "snoozeInvalid"
  | "notAssignable"
  | "transferInvalid";

function topicLabel(t: Translate, topic: string): string {
  return t(`cases.topic.${isCaseTopic(topic) ? topic : "other"}`);
}

function when(t: Translate, instant: Date | null): string {
  return instant ? formatRomeDateTime(instant) : t("cases.never");
}

/** "2 h 15 min" / "40 min" / "1 h". */
function duration(t: Translate, hours: number, minutes: number): string {
  if (hours === 0) return t("cases.clock.minutes", { minutes });
  if (minutes === 0) return t("cases.clock.hours", { hours });
  return t("cases.clock.hoursMinutes", { hours, minutes });
}

/** The time left before the answer is due, or how late it is. */
export function timeLeftText(t: Translate, deadline: Date, now: Date): { text: string; overdue: boolean } {
  const left = timeLeft(deadline, now);
  const span = duration(t, left.hours, left.minutes);
  return {
    text: t(left.overdue ? "cases.clock.overdue" : "cases.clock.left", { time: span }),
    overdue: left.overdue,
  };
}

export type InboxView = {
  rows: InboxRow[];
  filter: InboxFilter;
  now: Date;
  slaHours: number;
  /** Just transferred a case to another office. */
  transferred?: boolean;
};

export function casesPage(page: PageInfo, view: InboxView): SafeHtml {
  const { t } = page;
  const { rows, filter, now } = view;
  const col = {
    id: t("cases.column.id"),
    contract: t("cases.column.contract"),
    topic: t("cases.column.topic"),
    status: t("cases.column.status"),
    due: t("cases.column.due"),
    household: t("cases.column.lastHousehold"),
    assigned: t("cases.column.assigned"),
  };
  const body = rows.map((row) => {
    const left = row.deadline ? timeLeftText(t, row.deadline, now) : null;
    return html`<tr data-case="${row.id}">
<td data-label="${col.id}"><a href="/cases/${row.id}">${t("cases.number", { id: row.id })}</a></td>
<td data-label="${col.contract}">${row.contractCode}</td>
<td data-label="${col.topic}">${topicLabel(t, row.topic)}</td>
<td data-label="${col.status}">${row.urgent ? html`<strong>${t("cases.urgent")}</strong> · ` : ""}${
      // Escalated and still waiting for an operator's answer.
      row.escalatedAt && row.status === "open" && (row.lastOperatorMessageAt ?? 0) < row.escalatedAt
        ? html`<strong>${translator(page.lang, "staff")("alerts.escalated")}</strong> · `
        : ""
    }${t(`cases.status.${row.status}`)}${
      row.snoozedUntil && row.snoozedUntil > now
        ? html` · ${t("cases.snooze.until", { date: formatRomeDateTime(row.snoozedUntil) })}`
        : ""
    }</td>
<td class="num" data-label="${col.due}">${
      row.deadline && left
        ? html`<time datetime="${row.deadline.toISOString()}">${formatRomeDateTime(row.deadline)}</time><br><span${
            left.overdue ? html` class="late"` : ""
          }>${left.text}</span>`
        : t("cases.never")
    }</td>
<td class="num" data-label="${col.household}">${when(t, row.lastHouseholdMessageAt)}</td>
<td data-label="${col.assigned}">${row.assignedTo ?? t("cases.unassigned")}</td>
</tr>`;
  });
  const table =
    rows.length > 0
      ? html`<table>
<caption class="sr">${t("cases.caption")}</caption>
<thead><tr>
<th scope="col">${col.id}</th><th scope="col">${col.contract}</th><th scope="col">${col.topic}</th>
<th scope="col">${col.status}</th><th scope="col" class="num">${col.due}</th>
<th scope="col" class="num">${col.household}</th><th scope="col">${col.assigned}</th>
</tr></thead>
<tbody>
${body}
</tbody>
</table>`
      : html`<p class="empty">${t("cases.empty")}</p>`;
  const statusOptions = INBOX_STATUSES.map(
    (s) =>
      html`<option value="${s}"${filter.status === s ? html` selected` : ""}>${t(`cases.filter.status.${s || "all"}`)}</option>`,
  );
  const check = (name: "mine" | "unassigned" | "urgent") =>
    html`<span class="check"><input type="checkbox" id="filter-${name}" name="${name}" value="1"${
      filter[name] ? html` checked` : ""
    }><label for="filter-${name}">${t(`cases.filter.${name}`)}</label></span>`;
  return layout(page, {
    title: t("cases.title"),
    current: "cases",
    body: html`<h1>${t("cases.title")}</h1>
<p class="clock">${t("cases.clock.now")} <time datetime="${now.toISOString()}">${formatRomeDateTime(now)}</time> · ${t(
      "cases.clock.rule",
      { hours: view.slaHours },
    )}</p>
<form method="get" action="/cases" class="filters" aria-label="${t("cases.filter.label")}">
<div><label for="filter-status">${t("cases.filter.status.label")}</label>
<select id="filter-status" name="status">${statusOptions}</select></div>
${check("mine")}${check("unassigned")}${check("urgent")}
<button type="submit" class="secondary">${t("cases.filter.submit")}</button>
</form>
${view.transferred ? html`<p class="notice" role="status">${t("cases.notice.transferred")}</p>` : ""}
<p class="muted">${t("cases.count", { total: rows.length })}</p>
<p id="live" role="status" aria-live="polite" data-events="/cases/events" data-new="${t("cases.live.new")}"></p>
${table}
<script src="/assets/inbox.js" defer></script>`,
  });
}

export type CaseView = {
  detail: CaseDetail;
  /** The signed-in staff member (for "assigned to you" and the signature hint). */
  staff: { id: number; signature: string };
  maxLength: number;
  notice?: { kind: CaseNotice; count?: number } | undefined;
  problem?: { kind: CaseProblem; length?: number } | undefined;
  /** The reply as typed, kept when it was refused, or a saved reply with the household's figures. */
  draft?: string;
  /** The private note as typed, kept when it was refused. */
  noteDraft?: string;
  notes: CaseNoteView[];
  /** Saved replies in the household's language, and the one chosen (with placeholders left unfilled). */
  savedReplies: SavedReply[];
  saved?: { id: number; missing: string[] } | undefined;
  /** Who the case can be given to (active staff of the household's office). */
  assignees: { id: number; email: string; firstName: string | null }[];
  /** The offices it can be transferred to; empty for operators, who cannot transfer. */
  offices: { id: number; code: string; name: string }[];
  now: Date;
};

export function casePage(page: PageInfo, view: CaseView): SafeHtml {
  const { t, staff: session } = page;
  const { detail } = view;
  const csrf = session?.csrfToken ?? "";
  const active = detail.status !== "closed";

  const { household } = detail;
  const reachable = household.members.filter((m) => m.reachable);
  const noticeKind =
    view.notice?.kind === "closed" && (view.notice.count ?? 0) === 0
      ? "closedNobody"
      : view.notice?.kind === "assigned" && view.notice.count === 1
        ? "assignedOther"
        : view.notice?.kind;
  const notice = view.notice
    ? html`<p class="notice" role="status">${t(`cases.notice.${noticeKind}`, { count: view.notice.count ?? 0 })}${
        noticeKind === "noRecipients" || noticeKind === "closedNobody"
          ? html` <a href="#contact">${t("cases.detail.contactOtherWay")}</a>`
          : ""
      }</p>`
    : "";
  const problem = view.problem
    ? html`<p class="error" role="alert">${t(`cases.problem.${view.problem.kind}`, {
        max: view.maxLength,
        length: view.problem.length ?? 0,
      })}</p>`
    : "";

  type ThreadItem =
    | { kind: "message"; at: Date; message: CaseDetail["messages"][number] }
    | { kind: "note"; at: Date; note: CaseNoteView };
  const thread: ThreadItem[] = [
    ...detail.messages.map((m) => ({ kind: "message" as const, at: m.createdAt, message: m })),
    ...view.notes.map((n) => ({ kind: "note" as const, at: n.createdAt, note: n })),
  ].sort((a, b) => a.at.getTime() - b.at.getTime());
  const messages =
    thread.length > 0
      ? thread.map((item) => {
          if (item.kind === "note") {
            const n = item.note;
            return html`<div class="msg note">
<span class="meta"><strong>${t("cases.note.private")}</strong> · ${n.staffEmail ?? t("cases.never")} · ${formatRomeDateTime(n.createdAt)}</span>
<div class="text">${n.text}</div>
</div>`;
          }
          const m = item.message;
          const author = t(`cases.author.${m.author}`);
          const name =
            m.who ??
            (m.author === "household" && m.memberId !== null
              ? t("cases.memberNumber", { id: m.memberId })
              : null);
          const who = name ? `${author} · ${name}` : author;
          return html`<div class="msg ${m.author === "operator" ? "user" : "bot"}">
<span class="meta">${who} · ${formatRomeDateTime(m.createdAt)}</span>
<div class="text">${m.text}</div>
</div>`;
        })
      : html`<p class="muted" id="no-messages">${t("cases.detail.noMessages")}</p>`;

  const assigned =
    detail.assignedTo === null
      ? t("cases.unassigned")
      : detail.assignedTo.id === view.staff.id
        ? t("cases.detail.assignedToYou")
        : detail.assignedTo.email;

  // Taking the case is one press; closing asks first (GET /cases/:id/close).
  const others = view.assignees.filter((a) => a.id !== detail.assignedTo?.id);
  const actions = active
    ? html`<div class="actions">
${
  detail.assignedTo?.id === view.staff.id
    ? ""
    : html`<form method="post" action="/cases/${detail.id}/assign">
<input type="hidden" name="_csrf" value="${csrf}">
<button type="submit" class="secondary">${t("cases.assign")}</button>
</form>`
}
<a class="button secondary" href="/cases/${detail.id}/close">${t("cases.close")}</a>
</div>
<div class="tools">
${
  others.length > 0
    ? html`<form method="post" action="/cases/${detail.id}/assign" class="inline card">
<input type="hidden" name="_csrf" value="${csrf}">
<label for="assignee">${t("cases.assignTo.label")}</label>
<select id="assignee" name="staffId">${others.map(
        (a) =>
          html`<option value="${a.id}">${a.firstName ? `${a.firstName} · ${a.email}` : a.email}</option>`,
      )}</select>
<button type="submit" class="secondary">${t("cases.assignTo.submit")}</button>
</form>`
    : ""
}
<form method="post" action="/cases/${detail.id}/snooze" class="inline card">
<input type="hidden" name="_csrf" value="${csrf}">
${
  detail.snoozedUntil && detail.snoozedUntil > view.now
    ? html`<p>${t("cases.snooze.until", { date: formatRomeDateTime(detail.snoozedUntil) })}</p>
<input type="hidden" name="until" value="">
<button type="submit" class="secondary">${t("cases.snooze.wake")}</button>`
    : html`<label for="snooze-until">${t("cases.snooze.label")}</label>
<input type="date" id="snooze-until" name="until" required aria-describedby="snooze-hint">
<button type="submit" class="secondary">${t("cases.snooze.submit")}</button>
<p class="muted" id="snooze-hint">${t("cases.snooze.hint")}</p>`
}
</form>
${
  view.offices.length > 0
    ? html`<form method="post" action="/cases/${detail.id}/transfer" class="inline card">
<input type="hidden" name="_csrf" value="${csrf}">
<label for="transfer-office">${t("cases.transfer.label")}</label>
<select id="transfer-office" name="officeId" aria-describedby="transfer-hint">${view.offices.map(
        (o) => html`<option value="${o.id}">${o.code} · ${o.name}</option>`,
      )}</select>
<button type="submit" class="secondary">${t("cases.transfer.submit")}</button>
<p class="muted" id="transfer-hint">${t("cases.transfer.hint")}</p>
</form>`
    : ""
}
</div>`
    : "";

  const savedChooser =
    active && view.savedReplies.length > 0
      ? html`<form method="get" action="/cases/${detail.id}#reply" class="inline" data-saved>
<label for="saved">${t("cases.saved.label")}</label>
<select id="saved" name="saved">${view.savedReplies.map(
          (r) =>
            html`<option value="${r.id}"${view.saved?.id === r.id ? html` selected` : ""}>${r.title}</option>`,
        )}</select>
<button type="submit" class="secondary">${t("cases.saved.use")}</button>
</form>${
          view.saved && view.saved.missing.length > 0
            ? html`<p class="error" role="alert" id="saved-missing">${t("cases.saved.missing", {
                names: view.saved.missing.map((m) => `{{${m}}}`).join(", "),
              })}</p>`
            : ""
        }`
      : "";

  const noteForm = html`<form method="post" action="/cases/${detail.id}/notes" class="card">
<input type="hidden" name="_csrf" value="${csrf}">
<label for="note">${t("cases.note.label")}</label>
<p class="muted" id="note-hint">${t("cases.note.hint")}</p>
<textarea id="note" name="text" rows="3" cols="60" maxlength="${MAX_NOTE_LENGTH}" required aria-describedby="note-hint">${view.noteDraft ?? ""}</textarea>
<div class="actions"><button type="submit" class="secondary">${t("cases.note.submit")}</button></div>
</form>`;

  const reply = active
    ? html`${savedChooser}<form method="post" action="/cases/${detail.id}/reply" class="card">
<input type="hidden" name="_csrf" value="${csrf}">
<label for="reply">${t("cases.reply.label")}</label>
<p class="muted" id="reply-hint">${
        reachable.length > 0
          ? t("cases.reply.hint", {
              name: view.staff.signature,
              max: view.maxLength,
              count: reachable.length,
            })
          : t("cases.reply.hintNobody", { max: view.maxLength })
      }</p>
<textarea id="reply" name="text" rows="6" cols="60" maxlength="${view.maxLength}" required aria-describedby="reply-hint">${view.draft ?? ""}</textarea>
<div class="actions"><button type="submit">${t("cases.reply.submit")}</button></div>
</form>`
    : html`<p class="notice">${t("cases.closedNote", { date: when(t, detail.closedAt) })}${
        detail.outcome
          ? html` ${t("cases.outcomeNote", { outcome: t(`cases.outcome.${detail.outcome}`) })}`
          : ""
      }</p>`;

  const title = t("cases.detail.title", { id: detail.id });
  return layout(page, {
    title,
    current: "cases",
    body: html`<p><a href="/cases">${t("cases.detail.back")}</a></p>
<h1>${title}</h1>
${notice}
${problem}
<dl class="card">
<dt>${t("cases.detail.household")}</dt><dd>${household.name} (${household.contractCode})</dd>
<dt>${t("cases.detail.language")}</dt><dd>${languageLabel(page.lang, household.language)}</dd>
<dt>${t("cases.detail.telegram")}</dt><dd>${
      household.members.length === 0
        ? html`<strong class="warn">${t("cases.detail.nobodyLinked")}</strong>`
        : html`<ul class="plain">${household.members.map(
            (m) =>
              html`<li>${m.firstName ?? t("cases.memberNumber", { id: m.id })} · ${languageLabel(page.lang, m.language)}${
                m.reachable ? "" : html` · <strong class="warn">${t("cases.detail.unreachable")}</strong>`
              }</li>`,
          )}</ul>`
    }</dd>
<dt id="contact">${t("cases.detail.contact")}</dt><dd>${household.phone ? html`<a href="tel:${household.phone.replace(/[^\d+]/g, "")}">${household.phone}</a>` : t("cases.detail.noPhone")} · ${household.address}, ${household.municipality}</dd>
<dt>${t("cases.column.topic")}</dt><dd>${topicLabel(t, detail.topic)}</dd>
<dt>${t("cases.column.status")}</dt><dd>${detail.urgent ? html`<strong>${t("cases.urgent")}</strong> · ` : ""}${t(`cases.status.${detail.status}`)}</dd>
<dt>${t("cases.column.opened")}</dt><dd>${formatRomeDateTime(detail.openedAt)}</dd>
<dt>${t("cases.column.assigned")}</dt><dd>${assigned}</dd>
</dl>
${actions}
<h2>${t("cases.detail.conversation")}</h2>
<div class="transcript" id="thread" data-events="/cases/${detail.id}/events" data-household="${t("cases.author.household")}" aria-live="polite">
${messages}
</div>
${reply}
${noteForm}
<script src="/assets/inbox.js" defer></script>`,
  });
}

/** "Close this conversation?": what came of it, and who will be told on Telegram (or that nobody can be). */
export function closeCasePage(
  page: PageInfo,
  detail: CaseDetail,
  view: { missingOutcome?: boolean } = {},
): SafeHtml {
  const { t, staff } = page;
  const { household } = detail;
  const reachable = household.members.filter((m) => m.reachable).length;
  const title = t("cases.closeConfirm.title", { id: detail.id });
  const outcomes = CASE_OUTCOMES.map(
    (outcome) =>
      html`<p><input type="radio" id="outcome-${outcome}" name="outcome" value="${outcome}" required${
        view.missingOutcome ? html` aria-describedby="outcome-problem"` : ""
      }> <label for="outcome-${outcome}">${t(`cases.outcome.${outcome}`)}</label></p>`,
  );
  return layout(page, {
    title,
    current: "cases",
    body: html`<p><a href="/cases/${detail.id}">${t("cases.closeConfirm.back")}</a></p>
<h1>${title}</h1>
${view.missingOutcome ? html`<p class="error" role="alert" id="outcome-problem">${t("cases.closeConfirm.missingOutcome")}</p>` : ""}
<p>${t("cases.closeConfirm.question", { name: household.name, contract: household.contractCode })}</p>
<p>${
      reachable > 0
        ? t("cases.closeConfirm.told", { count: reachable })
        : html`<strong class="warn">${t("cases.closeConfirm.nobody")}</strong> ${t("cases.detail.contact")}: ${
            household.phone ?? t("cases.detail.noPhone")
          } · ${household.address}, ${household.municipality}`
    }</p>
<form method="post" action="/cases/${detail.id}/close">
<input type="hidden" name="_csrf" value="${staff?.csrfToken ?? ""}">
<fieldset class="card"><legend>${t("cases.closeConfirm.outcome")}</legend>
${outcomes}
</fieldset>
<div class="actions">
<button type="submit">${t("cases.closeConfirm.submit")}</button>
<a class="button secondary" href="/cases/${detail.id}">${t("cases.closeConfirm.cancel")}</a>
</div>
</form>`,
  });
}

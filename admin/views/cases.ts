// Cases: the list of conversations waiting for the programme, and one conversation with the reply
// form. The list shows no fiscal codes, phones or message texts; the conversation is the file.
import { CASE_OUTCOMES, type CaseDetail, type CaseListRow } from "../../core/cases.ts";
import { isCaseTopic } from "../../core/faq.ts";
import { type Translate, translator } from "../../core/i18n.ts";
import { formatRomeDateTime } from "../../core/time.ts";
import { html, type SafeHtml } from "./html.ts";
import { languageLabel } from "./language.ts";
import { layout, type PageInfo } from "./layout.ts";

export type CaseNotice = "sent" | "noRecipients" | "assigned" | "closed" | "alreadyClosed";
export type CaseProblem = "empty" | "too_long" | "closed";

function topicLabel(t: Translate, topic: string): string {
  return t(`cases.topic.${isCaseTopic(topic) ? topic : "other"}`);
}

function when(t: Translate, instant: Date | null): string {
  return instant ? formatRomeDateTime(instant) : t("cases.never");
}

export function casesPage(page: PageInfo, rows: CaseListRow[]): SafeHtml {
  const { t } = page;
  const col = {
    id: t("cases.column.id"),
    contract: t("cases.column.contract"),
    topic: t("cases.column.topic"),
    status: t("cases.column.status"),
    opened: t("cases.column.opened"),
    household: t("cases.column.lastHousehold"),
    operator: t("cases.column.lastOperator"),
    assigned: t("cases.column.assigned"),
  };
  const body = rows.map(
    (row) => html`<tr>
<td data-label="${col.id}"><a href="/cases/${row.id}">${t("cases.number", { id: row.id })}</a></td>
<td data-label="${col.contract}">${row.contractCode}</td>
<td data-label="${col.topic}">${topicLabel(t, row.topic)}</td>
<td data-label="${col.status}">${row.urgent ? html`<strong>${t("cases.urgent")}</strong> · ` : ""}${
      // Escalated and still waiting for an operator's answer.
      row.escalatedAt && row.status === "open" && (row.lastOperatorMessageAt ?? 0) < row.escalatedAt
        ? html`<strong>${translator(page.lang, "staff")("alerts.escalated")}</strong> · `
        : ""
    }${t(`cases.status.${row.status}`)}</td>
<td class="num" data-label="${col.opened}">${formatRomeDateTime(row.openedAt)}</td>
<td class="num" data-label="${col.household}">${when(t, row.lastHouseholdMessageAt)}</td>
<td class="num" data-label="${col.operator}">${when(t, row.lastOperatorMessageAt)}</td>
<td data-label="${col.assigned}">${row.assignedTo ?? t("cases.unassigned")}</td>
</tr>`,
  );
  const table =
    rows.length > 0
      ? html`<table>
<caption class="sr">${t("cases.caption")}</caption>
<thead><tr>
<th scope="col">${col.id}</th><th scope="col">${col.contract}</th><th scope="col">${col.topic}</th>
<th scope="col">${col.status}</th><th scope="col" class="num">${col.opened}</th>
<th scope="col" class="num">${col.household}</th><th scope="col" class="num">${col.operator}</th>
<th scope="col">${col.assigned}</th>
</tr></thead>
<tbody>
${body}
</tbody>
</table>`
      : html`<p class="empty">${t("cases.empty")}</p>`;
  return layout(page, {
    title: t("cases.title"),
    current: "cases",
    body: html`<h1>${t("cases.title")}</h1>
<p class="muted">${t("cases.count", { total: rows.length })}</p>
${table}`,
  });
}

export type CaseView = {
  detail: CaseDetail;
  /** The signed-in staff member (for "assigned to you" and the signature hint). */
  staff: { id: number; signature: string };
  maxLength: number;
  notice?: { kind: CaseNotice; count?: number } | undefined;
  problem?: { kind: CaseProblem; length?: number } | undefined;
  /** The reply as typed, kept when it was refused. */
  draft?: string;
};

export function casePage(page: PageInfo, view: CaseView): SafeHtml {
  const { t, staff: session } = page;
  const { detail } = view;
  const csrf = session?.csrfToken ?? "";
  const active = detail.status !== "closed";

  const { household } = detail;
  const reachable = household.members.filter((m) => m.reachable);
  const noticeKind =
    view.notice?.kind === "closed" && (view.notice.count ?? 0) === 0 ? "closedNobody" : view.notice?.kind;
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

  const messages =
    detail.messages.length > 0
      ? detail.messages.map((m) => {
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
      : html`<p class="muted">${t("cases.detail.noMessages")}</p>`;

  const assigned =
    detail.assignedTo === null
      ? t("cases.unassigned")
      : detail.assignedTo.id === view.staff.id
        ? t("cases.detail.assignedToYou")
        : detail.assignedTo.email;

  // Taking the case is one press; closing asks first (GET /cases/:id/close).
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
</div>`
    : "";

  const reply = active
    ? html`<form method="post" action="/cases/${detail.id}/reply" class="card">
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
<div class="transcript">
${messages}
</div>
${reply}`,
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

// One family's page: who they are, who follows them, what they owe now, their plan, papers and
// cases. An operator opening a colleague's family first states why (coverPage).
import type { BudgetSummary, MonthTotals } from "../../core/budget.ts";
import { CHECKUP_QUESTION_COUNT, CHECKUP_QUESTIONS } from "../../core/checkup/questions.ts";
import type { MemberAttendance, Tally } from "../../core/courses/attendance.ts";
import type { ArrearsNow, PlanOverview } from "../../core/debt.ts";
import type { ChecklistItem } from "../../core/documents.ts";
import type { HouseholdCheckups } from "../../core/household-file/checkups.ts";
import type { HouseholdHistory, TimelineEvent } from "../../core/household-file/history.ts";
import { type HouseholdNoteView, MAX_HOUSEHOLD_NOTE_LENGTH } from "../../core/household-file/notes.ts";
import { translator } from "../../core/i18n.ts";
import { formatMoney } from "../../core/money.ts";
import type { CaseWorker } from "../../core/offices/caseload.ts";
import { MAX_COVER_REASON, MIN_COVER_REASON } from "../../core/offices/scope.ts";
import { formatCalendarDate, formatRomeDateTime } from "../../core/time.ts";
import { arrearsChart } from "./arrears-chart.ts";
import { html, type SafeHtml } from "./html.ts";
import { layout, type PageInfo } from "./layout.ts";

export type HouseholdFile = {
  id: number;
  contractCode: string;
  name: string;
  municipality: string;
  address: string;
  phone: string | null;
  language: string;
  office: { code: string; name: string } | null;
  caseWorker: CaseWorker | null;
  members: {
    id: number;
    firstName: string | null;
    language: string;
    linkedAt: Date;
    unreachable: boolean;
    remindersMuted: boolean;
  }[];
  arrears: ArrearsNow | null;
  plan: PlanOverview | null;
  documents: ChecklistItem[];
  cases: { id: number; topic: string; status: string; urgent: boolean; openedAt: Date }[];
  history: HouseholdHistory;
  /** Null unless the family chose to show its budget to its case worker (/privacy). */
  budget: { sharedAt: Date; summary: BudgetSummary } | null;
  notes: HouseholdNoteView[];
  /** The check-up rounds and the satisfaction scores (issue 12). */
  checkups: HouseholdCheckups;
  /** Each member's course attendance, overall and per course. */
  attendance: MemberAttendance[];
};

/** The statuses staff can set on the household's page (what the documents import sets too). */
export const STAFF_DOCUMENT_STATUSES = ["missing", "requested", "received", "verified"] as const;

export type HouseholdPageView = {
  file: HouseholdFile;
  csrfToken: string;
  /** The operator is here covering a colleague's family (the reason is on record). */
  covering: boolean;
  /** For coordinators and admins: who the family can be assigned to. */
  operators: CaseWorker[] | null;
  notice?: "assigned" | "unchanged" | "document" | "note";
  problem?: "notAnOperator" | "noteEmpty" | "noteTooLong";
  /** The note as typed, shown again when it was refused. */
  noteDraft?: string;
};

export function workerName(worker: CaseWorker): string {
  return worker.firstName ? `${worker.firstName} (${worker.email})` : worker.email;
}

function language(page: PageInfo, code: string): string {
  const name = new Intl.DisplayNames([page.lang], { type: "language" }).of(code);
  return name ? `${name} (${code})` : code;
}

export function householdPage(page: PageInfo, view: HouseholdPageView): SafeHtml {
  const o = translator(page.lang, "offices");
  const d = translator(page.lang, "documents");
  const f = view.file;
  const none = o("household.none");

  const members =
    f.members.length === 0
      ? html`<p>${o("household.noMembers")}</p>`
      : html`<table>
<caption class="sr">${o("household.members")}</caption>
<thead><tr><th scope="col">${o("household.member.name")}</th><th scope="col">${o("household.member.language")}</th>
<th scope="col">${o("household.member.linkedAt")}</th><th scope="col">${o("household.member.state")}</th></tr></thead>
<tbody>${f.members.map(
          (
            m,
          ) => html`<tr><td data-label="${o("household.member.name")}">${m.firstName ?? o("household.member.noName")}</td><td data-label="${o("household.member.language")}">${language(page, m.language)}</td>
<td data-label="${o("household.member.linkedAt")}">${formatCalendarDate(m.linkedAt)}</td><td data-label="${o("household.member.state")}">${
            m.unreachable
              ? html`<strong class="warn">${o("household.member.unreachable")}</strong>`
              : o("household.member.reachable")
          }${m.remindersMuted ? html` · ${o("household.member.muted")}` : ""}</td></tr>`,
        )}</tbody></table>`;

  const plan = f.plan
    ? html`<p>${o("household.planSummary", {
        code: f.plan.planCode,
        status: o(`household.planStatus.${f.plan.status}`),
        paid: f.plan.paidCount,
        total: f.plan.total,
        remaining: formatMoney(f.plan.remainingCents),
      })}</p>
<table><caption class="sr">${o("household.installments")}</caption>
<thead><tr><th scope="col">#</th><th scope="col">${o("household.installment.due")}</th>
<th scope="col" class="num">${o("household.installment.amount")}</th><th scope="col" class="num">${o("household.installment.paidAmount")}</th>
<th scope="col">${o("household.installment.state")}</th></tr></thead>
<tbody>${f.plan.installments.map(
        (
          i,
        ) => html`<tr><td data-label="#">${i.number}</td><td data-label="${o("household.installment.due")}">${formatCalendarDate(i.dueDate)}</td><td class="num" data-label="${o("household.installment.amount")}">${formatMoney(i.amountCents)}</td>
<td class="num" data-label="${o("household.installment.paidAmount")}">${formatMoney(i.paidCents)}</td><td data-label="${o("household.installment.state")}">${
          i.state === "overdue"
            ? html`<strong class="warn">${o("household.installment.overdue")}</strong>`
            : o(`household.installment.${i.state}`)
        }</td></tr>`,
      )}</tbody></table>`
    : html`<p>${o("household.noPlan")}</p>`;

  const documents = html`<ul class="documents">${f.documents.map(
    (
      doc,
    ) => html`<li><strong>${d(`items.${doc.key}.name`, { defaultValue: doc.key })}</strong>: ${o(`household.document.${doc.status}`)}${
      doc.dueDate ? html` · ${o("household.document.due", { date: formatCalendarDate(doc.dueDate) })}` : ""
    }${doc.overdue ? html` <strong class="warn">${o("household.document.overdue")}</strong>` : ""}
<form method="post" action="/households/${f.id}/documents/${doc.key}" class="inline">
<input type="hidden" name="_csrf" value="${view.csrfToken}">
<label class="sr" for="doc-${doc.key}">${o("household.document.change", { name: d(`items.${doc.key}.name`, { defaultValue: doc.key }) })}</label>
<select id="doc-${doc.key}" name="status">${STAFF_DOCUMENT_STATUSES.map(
      (status) =>
        html`<option value="${status}"${doc.status === status ? html` selected` : ""}>${o(`household.document.${status}`)}</option>`,
    )}</select>
<button type="submit" class="secondary">${o("household.document.save")}</button>
</form></li>`,
  )}</ul>`;

  const timeline = html`<ol class="timeline">${f.history.timeline.map(
    (event) =>
      html`<li><time datetime="${event.at.toISOString()}">${formatCalendarDate(event.at)}</time> ${timelineText(page, event)}</li>`,
  )}</ol>${f.history.truncated ? html`<p class="muted">${o("timeline.truncated")}</p>` : ""}`;

  const cases =
    f.cases.length === 0
      ? html`<p>${o("household.noCases")}</p>`
      : html`<ul>${f.cases.map(
          (
            c,
          ) => html`<li><a href="/cases/${c.id}">${o("household.case", { id: c.id, date: formatRomeDateTime(c.openedAt) })}</a>
 · ${o(`household.caseStatus.${c.status}`, { defaultValue: c.status })}${c.urgent ? html` · <strong class="warn">${o("household.urgent")}</strong>` : ""}</li>`,
        )}</ul>`;

  const assign = view.operators
    ? html`<form method="post" action="/households/${f.id}/case-worker" class="inline">
<input type="hidden" name="_csrf" value="${view.csrfToken}">
<label for="caseWorker">${o("household.assignLabel")}</label>
<select id="caseWorker" name="caseWorker">
<option value="">${o("household.unassigned")}</option>
${view.operators.map(
  (w) =>
    html`<option value="${w.id}"${f.caseWorker?.id === w.id ? html` selected` : ""}>${workerName(w)}</option>`,
)}
</select>
<button type="submit">${o("household.assign")}</button>
</form>`
    : "";

  return layout(page, {
    title: o("household.title", { contract: f.contractCode }),
    current: "households",
    body: html`<h1>${f.name} <small class="muted">${f.contractCode}</small></h1>
${view.notice ? html`<p class="notice" role="status">${o(`household.notice.${view.notice}`)}</p>` : ""}
${view.problem ? html`<p class="error" role="alert">${o(`household.problem.${view.problem}`)}</p>` : ""}
${view.covering ? html`<p class="notice" role="status">${o("household.covering")}</p>` : ""}
<dl class="facts">
<dt>${o("household.office")}</dt><dd>${f.office ? `${f.office.name} (${f.office.code})` : o("household.noOffice")}</dd>
<dt>${o("household.caseWorker")}</dt><dd>${f.caseWorker ? workerName(f.caseWorker) : o("household.unassigned")}</dd>
<dt>${o("household.language")}</dt><dd>${language(page, f.language)}</dd>
<dt>${o("household.municipality")}</dt><dd>${f.municipality}</dd>
<dt>${o("household.address")}</dt><dd>${f.address}</dd>
<dt>${o("household.phone")}</dt><dd>${f.phone ?? none}</dd>
<dt>${o("household.owedNow")}</dt><dd>${
      f.arrears
        ? o("household.owedNowValue", {
            amount: formatMoney(f.arrears.nowCents),
            date: formatCalendarDate(f.arrears.balanceDate),
          })
        : none
    }</dd>
</dl>
${assign}
${
  page.staff && page.staff.role !== "operator"
    ? html`<p><a href="/households/${f.id}/access">${o("household.accessLink")}</a></p>
<form method="post" action="/households/${f.id}/invitation" class="inline">
<input type="hidden" name="_csrf" value="${view.csrfToken}">
<button type="submit" class="secondary" aria-describedby="invitation-hint">${page.t("invitations.one")}</button>
<span class="muted" id="invitation-hint">${page.t("invitations.oneHint")}</span>
</form>`
    : ""
}
<h2>${o("household.arrears")}</h2>
${arrearsChart(o, f.history.balances, f.history.payments)}
<h2>${o("household.members")}</h2>
${members}
<h2>${o("budget.title")}</h2>
${f.budget ? budgetSection(page, f.budget) : html`<p>${o("budget.notShared")}</p>`}
<h2 id="checkup">${o("checkup.title")}</h2>
${checkupSection(page, f.checkups)}
<h2>${o("household.plan")}</h2>
${plan}
<h2 id="documents">${o("household.documents")}</h2>
${documents}
<h2>${o("household.cases")}</h2>
${cases}
<h2 id="courses">${translator(page.lang, "coursesAdmin")("household.title")}</h2>
${attendanceSection(page, f.attendance)}
<h2 id="notes">${o("notes.title")}</h2>
<p class="muted">${o("notes.explain")}</p>
${
  f.notes.length > 0
    ? html`<ul class="notes">${f.notes.map(
        (n) =>
          html`<li><time datetime="${n.at.toISOString()}">${formatRomeDateTime(n.at)}</time>${n.author ? html` · ${n.author}` : ""}${
            n.caseId !== null
              ? html` · <a href="/cases/${n.caseId}">${o("notes.onCase", { id: n.caseId })}</a>`
              : ""
          }<br>${n.text}</li>`,
      )}</ul>`
    : html`<p>${o("notes.none")}</p>`
}
<form method="post" action="/households/${f.id}/notes">
<input type="hidden" name="_csrf" value="${view.csrfToken}">
<label for="note-text">${o("notes.add")}</label>
<textarea id="note-text" name="text" rows="3" maxlength="${MAX_HOUSEHOLD_NOTE_LENGTH}" required${
      view.problem === "noteEmpty" || view.problem === "noteTooLong" ? html` aria-invalid="true"` : ""
    }>${view.noteDraft ?? ""}</textarea>
<button type="submit">${o("notes.save")}</button>
</form>
<h2>${o("household.timeline")}</h2>
${f.history.timeline.length > 0 ? timeline : html`<p>${o("timeline.empty")}</p>`}`,
  });
}

/** The members' course attendance: every course together first (in bold), then course by course. */
function attendanceSection(page: PageInfo, people: MemberAttendance[]): SafeHtml {
  const c = translator(page.lang, "coursesAdmin");
  if (people.length === 0) return html`<p>${c("household.none")}</p>`;
  const rate = (t: Tally) => (t.rate === null ? c("none") : `${Math.round(t.rate * 100)}%`);
  const cells = (t: Tally, overall: boolean) =>
    html`<td data-label="${c("register.present")}" class="num">${t.present}</td><td data-label="${c("register.absent")}" class="num">${t.absent}</td>
<td data-label="${c("register.excused")}" class="num">${t.excused}</td><td data-label="${c("column.rate")}" class="num">${
      overall ? html`<strong>${rate(t)}</strong>` : rate(t)
    }</td>`;
  const rows = people.flatMap((p) => {
    const name = p.firstName ?? c("memberNo", { id: p.memberId });
    return [
      html`<tr><th scope="row" data-label="${c("column.person")}">${name}</th><td data-label="${c("household.course")}">${c("household.all")}</td>${cells(p.overall, true)}</tr>`,
      ...p.courses.map(
        (course) =>
          html`<tr><td data-label="${c("column.person")}">${name}</td><td data-label="${c("household.course")}">${course.title}</td>${cells(course, false)}</tr>`,
      ),
    ];
  });
  return html`<p class="muted">${c("household.explain")}</p>
<table><caption class="sr">${c("household.title")}</caption>
<thead><tr><th scope="col">${c("column.person")}</th><th scope="col">${c("household.course")}</th>
<th scope="col" class="num">${c("register.present")}</th><th scope="col" class="num">${c("register.absent")}</th>
<th scope="col" class="num">${c("register.excused")}</th><th scope="col" class="num">${c("column.rate")}</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

export function coverPage(
  page: PageInfo,
  view: {
    householdId: number;
    contractCode: string;
    caseWorker: CaseWorker | null;
    csrfToken: string;
    reason: string;
    tooShort: boolean;
  },
): SafeHtml {
  const o = translator(page.lang, "offices");
  return layout(page, {
    title: o("cover.title"),
    current: "households",
    body: html`<h1>${o("cover.title")}</h1>
<p>${o("cover.explain", { contract: view.contractCode, worker: view.caseWorker ? workerName(view.caseWorker) : "" })}</p>
${view.tooShort ? html`<p class="error" role="alert" id="reason-problem">${o("cover.tooShort", { min: MIN_COVER_REASON })}</p>` : ""}
<form method="post" action="/households/${view.householdId}/cover">
<input type="hidden" name="_csrf" value="${view.csrfToken}">
<label for="reason">${o("cover.reason")}</label>
<textarea id="reason" name="reason" rows="3" required minlength="${MIN_COVER_REASON}" maxlength="${MAX_COVER_REASON}"${
      view.tooShort ? html` aria-invalid="true" aria-describedby="reason-problem"` : ""
    }>${view.reason}</textarea>
<p class="muted">${o("cover.recorded")}</p>
<button type="submit">${o("cover.open")}</button>
<a class="button secondary" href="/households">${o("cover.back")}</a>
</form>`,
  });
}

function timelineText(page: PageInfo, event: TimelineEvent): SafeHtml | string {
  const o = translator(page.lang, "offices");
  switch (event.kind) {
    case "balance":
      return o("timeline.balance", { amount: formatMoney(event.totalCents) });
    case "payment":
      return o("timeline.payment", { amount: formatMoney(event.amountCents) });
    case "installmentDue":
      return o(event.paid ? "timeline.installmentPaid" : "timeline.installmentUnpaid", {
        number: event.number,
        amount: formatMoney(event.amountCents),
      });
    case "caseOpened":
      return html`<a href="/cases/${event.caseId}">${o("timeline.caseOpened", { id: event.caseId })}</a>${
        event.urgent ? html` · <strong class="warn">${o("household.urgent")}</strong>` : ""
      }`;
    case "caseClosed":
      return o("timeline.caseClosed", { id: event.caseId });
    case "message":
      return o("timeline.message", {
        kind: page.t(`deliveries.kind.${event.purpose}`, { defaultValue: event.purpose }),
        status: page.t(`deliveries.status.${event.status}`, { defaultValue: event.status }),
      });
    case "document":
      return o("timeline.document", {
        name: translator(page.lang, "documents")(`items.${event.key}.name`, { defaultValue: event.key }),
        status: o(`household.document.${event.status}`),
      });
    case "enrolment":
      return o(`timeline.enrolment.${event.status}`, { course: event.course, defaultValue: event.status });
    case "attendance":
      return o(`timeline.attendance.${event.status}`, {
        course: event.course,
        hours: (event.minutes / 60).toLocaleString(page.lang, { maximumFractionDigits: 2 }),
        defaultValue: event.status,
      });
    case "memberLinked":
      return o("timeline.memberLinked", { name: event.firstName ?? o("household.member.noName") });
  }
}

function budgetSection(page: PageInfo, budget: { sharedAt: Date; summary: BudgetSummary }): SafeHtml {
  const o = translator(page.lang, "offices");
  const b = translator(page.lang, "budget");
  const month = (totals: MonthTotals) =>
    new Intl.DateTimeFormat(page.lang, { month: "long", year: "numeric", timeZone: "UTC" }).format(
      new Date(Date.UTC(totals.month.year, totals.month.month - 1, 1)),
    );
  const column = (totals: MonthTotals) => html`<section class="month"><h3>${month(totals)}</h3>
<p>${o("budget.totals", { income: formatMoney(totals.totalIncome), expenses: formatMoney(totals.totalExpenses), entries: totals.entries })}</p>
${
  totals.expenses.length > 0
    ? html`<ul>${totals.expenses.map(
        (c) =>
          html`<li>${b(`categories.expense.${c.category}`, { defaultValue: c.category })}: ${formatMoney(c.cents)}</li>`,
      )}</ul>`
    : ""
}</section>`;
  return html`<p class="muted">${o("budget.sharedSince", { date: formatCalendarDate(budget.sharedAt) })}</p>
${column(budget.summary.current)}
${column(budget.summary.previous)}`;
}

/** The rounds side by side, one row per question, in the staff member's language. */
function checkupSection(page: PageInfo, checkups: HouseholdCheckups): SafeHtml {
  const o = translator(page.lang, "offices");
  const k = translator(page.lang, "checkup");
  const rounds = checkups.rounds;
  const state = (r: HouseholdCheckups["rounds"][number]) => {
    if (r.erasedAt) return o("checkup.erased");
    if (r.completedAt) return o("checkup.completed", { date: formatCalendarDate(r.completedAt) });
    const answered = Object.keys(r.answers).length;
    if (r.startedAt || answered > 0)
      return o("checkup.inProgress", { answered, total: CHECKUP_QUESTION_COUNT });
    return o("checkup.offered", { date: formatCalendarDate(r.offeredAt) });
  };
  const table =
    rounds.length === 0
      ? html`<p>${o("checkup.none")}</p>`
      : html`<table class="checkup">
<caption class="sr">${o("checkup.title")}</caption>
<thead><tr><th scope="col">${o("checkup.question")}</th>${rounds.map(
          (r) => html`<th scope="col">${k(`export.rounds.${r.round}`)}</th>`,
        )}</tr></thead>
<tbody><tr><th scope="row">${o("checkup.state")}</th>${rounds.map(
          (r) => html`<td data-label="${k(`export.rounds.${r.round}`)}">${state(r)}</td>`,
        )}</tr>
${CHECKUP_QUESTIONS.map(
  (q) =>
    html`<tr><th scope="row">${k(`questions.${q.key}.text`)}</th>${rounds.map((r) => {
      const answer = r.answers[q.key];
      return html`<td data-label="${k(`export.rounds.${r.round}`)}">${
        answer ? k(`questions.${q.key}.options.${answer}`) : o("checkup.noAnswer")
      }</td>`;
    })}</tr>`,
)}</tbody></table>`;
  const satisfaction =
    checkups.satisfaction.length === 0
      ? html`<p>${o("checkup.satisfactionNone")}</p>`
      : html`<ul class="satisfaction">${checkups.satisfaction.map((s) => {
          if (s.erased) return html`<li>${o("checkup.satisfactionErased", { id: s.caseId })}</li>`;
          if (s.score === null) return html`<li>${o("checkup.satisfactionWaiting", { id: s.caseId })}</li>`;
          return html`<li>${o("checkup.satisfactionLine", { id: s.caseId, score: s.score })}${
            s.comment ? html`<br>${s.comment}` : ""
          }</li>`;
        })}</ul>`;
  return html`<p class="muted">${o("checkup.explain")}</p>
${table}
<h3>${o("checkup.satisfactionTitle")}</h3>
${satisfaction}`;
}

// Courses for coordinators and admins: the list, a course's form with its sessions, a session's form
// with the people enrolled, cancelling a session, and the attendance register.
import {
  COURSE_KINDS,
  COURSE_LANGUAGES,
  type CourseDetail,
  type CourseInput,
  type CourseListItem,
  type CourseProblem,
  type EnrolledPerson,
  formatHours,
  MAX_CAPACITY,
  MAX_DESCRIPTION,
  MAX_LOCATION,
  MAX_TITLE,
  type SessionInput,
  type SessionProblem,
  type SessionRow,
} from "../../core/courses/admin.ts";
import type { AttendanceSummary, MemberAttendance, RegisterLine } from "../../core/courses/attendance.ts";
import { TRANSLATION_LANGUAGES } from "../../core/courses/translations.ts";
import { translator } from "../../core/i18n.ts";
import { formatRomeDateTime } from "../../core/time.ts";
import { html, type SafeHtml } from "./html.ts";
import { languageLabel } from "./language.ts";
import { layout, type PageInfo } from "./layout.ts";

const tr = (page: PageInfo) => translator(page.lang, "coursesAdmin");

function csrfField(page: PageInfo): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${page.staff?.csrfToken ?? ""}">`;
}

function problemsBox(page: PageInfo, problems: readonly string[]): SafeHtml | string {
  const c = tr(page);
  if (problems.length === 0) return "";
  return html`<div class="error" role="alert"><p>${c("problem.intro")}</p><ul class="plain">${problems.map(
    (p) =>
      html`<li>${c(`problem.${p}`, { max: MAX_CAPACITY, title: MAX_TITLE, description: MAX_DESCRIPTION, location: MAX_LOCATION })}</li>`,
  )}</ul></div>`;
}

function notice(page: PageInfo, key: string | undefined, count?: number): SafeHtml | string {
  return key
    ? html`<p class="notice" role="status">${tr(page)(`notice.${key}`, { count: count ?? 0 })}</p>`
    : "";
}

/** "09/12/2026 09:30–12:30" (or both date-times when it spans days). */
export function sessionWhen(s: { startsAt: Date; endsAt: Date }): string {
  const start = formatRomeDateTime(s.startsAt);
  const end = formatRomeDateTime(s.endsAt);
  return start.slice(0, 10) === end.slice(0, 10) ? `${start}–${end.slice(11)}` : `${start} – ${end}`;
}

export function coursesPage(page: PageInfo, view: { courses: CourseListItem[]; notice?: string }): SafeHtml {
  const c = tr(page);
  const rows = view.courses.map(
    (course) => html`<tr>
<td data-label="${c("column.title")}"><a href="/courses/${course.id}">${course.title}</a></td>
<td data-label="${c("column.kind")}">${c(`kind.${course.kind}`)}</td>
<td data-label="${c("column.municipality")}">${course.municipality}</td>
<td data-label="${c("column.next")}">${course.nextSession ? formatRomeDateTime(course.nextSession) : c("none")}</td>
<td data-label="${c("column.sessions")}" class="num">${course.sessions}</td>
</tr>`,
  );
  return layout(page, {
    title: c("title"),
    current: "courses",
    body: html`<h1>${c("title")}</h1>
${notice(page, view.notice)}
<p class="muted">${c("intro")}</p>
<p><a class="button" href="/courses/new">${c("new")}</a></p>
${
  rows.length > 0
    ? html`<table>
<caption class="sr">${c("title")}</caption>
<thead><tr><th scope="col">${c("column.title")}</th><th scope="col">${c("column.kind")}</th><th scope="col">${c("column.municipality")}</th>
<th scope="col">${c("column.next")}</th><th scope="col" class="num">${c("column.sessions")}</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
    : html`<p class="empty">${c("empty")}</p>`
}`,
  });
}

function courseForm(
  page: PageInfo,
  view: { id?: number; value: CourseInput; municipalities: readonly string[] },
): SafeHtml {
  const c = tr(page);
  const v = view.value;
  const towns = [...new Set([...view.municipalities, ...(v.municipality ? [v.municipality] : [])])];
  const languages = COURSE_LANGUAGES.map((lang) => {
    const texts = v.texts[lang] ?? { title: "", description: "" };
    const italian = lang === "it";
    return html`<fieldset class="card">
<legend>${languageLabel(page.lang, lang)}${italian ? html` (${c("required")})` : html` (${c("optional")})`}</legend>
<label for="title_${lang}">${c("field.title")}</label>
<input type="text" id="title_${lang}" name="title_${lang}" lang="${lang}" dir="auto" maxlength="${MAX_TITLE}"${italian ? html` required` : ""} value="${texts.title}">
<label for="description_${lang}">${c("field.description")}</label>
<textarea id="description_${lang}" name="description_${lang}" lang="${lang}" dir="auto" rows="3" maxlength="${MAX_DESCRIPTION}">${texts.description}</textarea>
</fieldset>`;
  });
  return html`<form method="post" action="${view.id === undefined ? "/courses" : `/courses/${view.id}`}">
${csrfField(page)}
<div class="card">
<label for="kind">${c("field.kind")}</label>
<select id="kind" name="kind">${COURSE_KINDS.map(
    (k) => html`<option value="${k}"${v.kind === k ? html` selected` : ""}>${c(`kind.${k}`)}</option>`,
  )}</select>
<label for="municipality">${c("field.municipality")}</label>
<select id="municipality" name="municipality" required aria-describedby="municipality-hint"><option value="">${c("choose")}</option>${towns.map(
    (m) => html`<option${v.municipality === m ? html` selected` : ""}>${m}</option>`,
  )}</select>
<p class="muted" id="municipality-hint">${c("field.municipalityHint")}</p>
${
  view.id === undefined
    ? html`<label for="code">${c("field.code")}</label>
<input type="text" id="code" name="code" maxlength="40" value="${v.code}" aria-describedby="code-hint">
<p class="muted" id="code-hint">${c("field.codeHint")}</p>`
    : html`<p>${c("field.code")}: <strong>${v.code}</strong></p>`
}
</div>
${languages}
<div class="actions"><button type="submit">${c("save")}</button></div>
</form>`;
}

export function courseNewPage(
  page: PageInfo,
  view: { value: CourseInput; municipalities: readonly string[]; problems: readonly CourseProblem[] },
): SafeHtml {
  const c = tr(page);
  return layout(page, {
    title: c("new"),
    current: "courses",
    body: html`<p><a href="/courses">${c("back")}</a></p>
<h1>${c("new")}</h1>
${problemsBox(page, view.problems)}
${courseForm(page, { value: view.value, municipalities: view.municipalities })}`,
  });
}

function sessionsTable(page: PageInfo, course: CourseDetail, now: Date): SafeHtml {
  const c = tr(page);
  if (course.sessions.length === 0) return html`<p class="empty">${c("noSessions")}</p>`;
  const rows = course.sessions.map((s) => {
    const state = s.cancelledAt
      ? c("state.cancelled")
      : s.endsAt.getTime() <= now.getTime()
        ? c("state.held")
        : s.startsAt.getTime() <= now.getTime()
          ? c("state.running")
          : c("state.planned");
    return html`<tr>
<td data-label="${c("column.when")}"><a href="/courses/${course.id}/sessions/${s.id}">${sessionWhen(s)}</a></td>
<td data-label="${c("column.place")}">${s.location}</td>
<td data-label="${c("column.enrolled")}" class="num">${s.enrolled} / ${s.capacity}</td>
<td data-label="${c("column.hours")}" class="num">${formatHours(s.minutes ?? (s.endsAt.getTime() - s.startsAt.getTime()) / 60_000)}</td>
<td data-label="${c("column.state")}">${state}</td>
</tr>`;
  });
  return html`<table>
<caption class="sr">${c("sessions")}</caption>
<thead><tr><th scope="col">${c("column.when")}</th><th scope="col">${c("column.place")}</th><th scope="col" class="num">${c("column.enrolled")}</th>
<th scope="col" class="num">${c("column.hours")}</th><th scope="col">${c("column.state")}</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

export function coursePage(
  page: PageInfo,
  view: {
    course: CourseDetail;
    value: CourseInput;
    municipalities: readonly string[];
    problems: readonly CourseProblem[];
    now: Date;
    notice?: string;
    count?: number;
  },
): SafeHtml {
  const c = tr(page);
  const title = view.course.texts.it?.title ?? "";
  return layout(page, {
    title,
    current: "courses",
    body: html`<p><a href="/courses">${c("back")}</a></p>
<h1>${title}</h1>
${notice(page, view.notice, view.count)}
<h2>${c("sessions")}</h2>
<p><a class="button" href="/courses/${view.course.id}/sessions/new">${c("newSession")}</a>
<a href="/courses/${view.course.id}/attendance">${c("attendance.link")}</a></p>
${sessionsTable(page, view.course, view.now)}
<h2>${c("edit")}</h2>
${problemsBox(page, view.problems)}
${courseForm(page, { id: view.course.id, value: view.value, municipalities: view.municipalities })}`,
  });
}

function sessionForm(page: PageInfo, action: string, v: SessionInput): SafeHtml {
  const c = tr(page);
  return html`<form method="post" action="${action}" class="card">
${csrfField(page)}
<label for="date">${c("field.date")}</label>
<input type="date" id="date" name="date" required value="${v.date}">
<label for="start">${c("field.start")}</label>
<input type="time" id="start" name="start" required value="${v.start}">
<label for="end">${c("field.end")}</label>
<input type="time" id="end" name="end" required value="${v.end}">
<p class="muted">${c("field.timeHint")}</p>
<label for="location">${c("field.place")}</label>
<input type="text" id="location" name="location" required maxlength="${MAX_LOCATION}" value="${v.location}">
<fieldset>
<legend>${c("field.placeTranslations")}</legend>
<p class="muted" id="places-hint">${c("field.placeTranslationsHint")}</p>
${TRANSLATION_LANGUAGES.map(
  (lang) => html`<label for="location_${lang}">${languageLabel(page.lang, lang)}</label>
<input type="text" id="location_${lang}" name="location_${lang}" lang="${lang}" dir="auto" maxlength="${MAX_LOCATION}" aria-describedby="places-hint" value="${v.places[lang] ?? ""}">`,
)}
</fieldset>
<label for="capacity">${c("field.capacity")}</label>
<input type="number" id="capacity" name="capacity" required min="1" max="${MAX_CAPACITY}" step="1" inputmode="numeric" value="${v.capacity}">
<label for="hours">${c("field.hours")}</label>
<input type="text" id="hours" name="hours" inputmode="decimal" maxlength="5" value="${v.hours}" aria-describedby="hours-hint">
<p class="muted" id="hours-hint">${c("field.hoursHint")}</p>
<div class="actions"><button type="submit">${c("save")}</button></div>
</form>`;
}

export function sessionNewPage(
  page: PageInfo,
  view: { course: CourseDetail; value: SessionInput; problems: readonly SessionProblem[] },
): SafeHtml {
  const c = tr(page);
  return layout(page, {
    title: c("newSession"),
    current: "courses",
    body: html`<p><a href="/courses/${view.course.id}">${c("backTo", { title: view.course.texts.it?.title ?? "" })}</a></p>
<h1>${c("newSession")}</h1>
${problemsBox(page, view.problems)}
${sessionForm(page, `/courses/${view.course.id}/sessions`, view.value)}`,
  });
}

function personLabel(
  page: PageInfo,
  p: { memberId: number; household: EnrolledPerson["household"] },
): SafeHtml {
  const c = tr(page);
  return p.household
    ? html`<a href="/households/${p.household.id}">${p.household.name}</a> (${p.household.contractCode}) · ${c("memberNo", { id: p.memberId })}`
    : html`${c("memberNo", { id: p.memberId })} · ${c("otherOffice")}`;
}

export function sessionPage(
  page: PageInfo,
  view: {
    course: CourseDetail;
    session: SessionRow;
    enrolled: EnrolledPerson[];
    /** Each person's attendance across every course, for the families this person sees. */
    overall: ReadonlyMap<number, MemberAttendance>;
    value: SessionInput;
    problems: readonly SessionProblem[];
    now: Date;
    notice?: string;
    count?: number;
  },
): SafeHtml {
  const c = tr(page);
  const { course, session } = view;
  const base = `/courses/${course.id}/sessions/${session.id}`;
  const started = session.startsAt.getTime() <= view.now.getTime();
  const line = (p: EnrolledPerson) => {
    const rate = view.overall.get(p.memberId)?.overall.rate ?? null;
    return html`<li>${personLabel(page, p)} · <span class="muted">${languageLabel(page.lang, p.language)}</span>${
      p.status === "offered" ? html` · <strong>${c("offered")}</strong>` : ""
    }${rate === null ? "" : html` · ${c("overallRate", { rate: percent(rate) })}`}</li>`;
  };
  const holding = view.enrolled.filter((p) => p.status !== "waiting");
  const waiting = view.enrolled.filter((p) => p.status === "waiting");
  const people = holding.map(line);
  return layout(page, {
    title: `${course.texts.it?.title ?? ""} · ${sessionWhen(session)}`,
    current: "courses",
    body: html`<p><a href="/courses/${course.id}">${c("backTo", { title: course.texts.it?.title ?? "" })}</a></p>
<h1>${course.texts.it?.title ?? ""}: ${sessionWhen(session)}</h1>
${notice(page, view.notice, view.count)}
${problemsBox(page, view.problems)}
${session.cancelledAt ? html`<p class="warn">${c("cancelledOn", { when: formatRomeDateTime(session.cancelledAt) })}</p>` : ""}
<h2>${c("enrolledTitle", { count: holding.length, capacity: session.capacity })}</h2>
${people.length > 0 ? html`<ul>${people}</ul>` : html`<p class="empty">${c("noEnrolled")}</p>`}
${waiting.length > 0 ? html`<h2>${c("waitingTitle", { count: waiting.length })}</h2><ol>${waiting.map(line)}</ol>` : ""}
${started && !session.cancelledAt ? html`<p><a class="button" href="${base}/register">${c("register.link")}</a></p>` : ""}
${
  session.cancelledAt
    ? ""
    : html`<h2>${c("editSession")}</h2>
<p class="muted">${c("moveHint")}</p>
${sessionForm(page, base, view.value)}
${started ? "" : html`<h2>${c("cancelTitle")}</h2><p><a class="button secondary" href="${base}/cancel">${c("cancelSession")}</a></p>`}`
}`,
  });
}

/** 0.833… → "83%". */
function percent(rate: number): string {
  return `${Math.round(rate * 100)}%`;
}

export function cancelConfirmPage(
  page: PageInfo,
  view: { course: CourseDetail; session: SessionRow; waiting: number },
): SafeHtml {
  const c = tr(page);
  const base = `/courses/${view.course.id}/sessions/${view.session.id}`;
  return layout(page, {
    title: c("cancelTitle"),
    current: "courses",
    body: html`<p><a href="${base}">${c("backToSession")}</a></p>
<h1>${c("cancelTitle")}</h1>
<p>${c("cancelConfirm", { title: view.course.texts.it?.title ?? "", when: sessionWhen(view.session), count: view.session.enrolled })}</p>
${view.waiting > 0 ? html`<p>${c("cancelConfirmWaiting", { count: view.waiting })}</p>` : ""}
<form method="post" action="${base}/cancel">${csrfField(page)}
<div class="actions"><button type="submit">${c("cancelYes")}</button> <a href="${base}">${c("cancelNo")}</a></div>
</form>`,
  });
}

export function registerPage(
  page: PageInfo,
  view: {
    course: CourseDetail;
    session: SessionRow;
    lines: RegisterLine[];
    notice?: string;
    problems: readonly string[];
  },
): SafeHtml {
  const c = tr(page);
  const base = `/courses/${view.course.id}/sessions/${view.session.id}`;
  const rows = view.lines.map((line, i) => {
    const id = `m${line.memberId}`;
    return html`<fieldset class="card">
<legend>${personLabel(page, line)}</legend>
<input type="hidden" name="member_${i}" value="${line.memberId}">
<div class="choice" role="radiogroup" aria-label="${c("register.status")}">${(
      ["present", "absent", "excused"] as const
    ).map(
      (status) =>
        html`<label><input type="radio" name="status_${i}" value="${status}"${line.status === status ? html` checked` : ""}> ${c(`register.${status}`)}</label> `,
    )}</div>
<label for="${id}-hours">${c("register.hours")}</label>
<input type="text" id="${id}-hours" name="hours_${i}" inputmode="decimal" maxlength="5" value="${line.minutes === null ? "" : formatHours(line.minutes)}">
</fieldset>`;
  });
  return layout(page, {
    title: c("register.title"),
    current: "courses",
    body: html`<p><a href="${base}">${c("backToSession")}</a></p>
<h1>${c("register.title")}: ${view.course.texts.it?.title ?? ""}, ${sessionWhen(view.session)}</h1>
${notice(page, view.notice)}
${problemsBox(page, view.problems)}
<p class="muted">${c("register.hint", { hours: formatHours(view.session.minutes ?? (view.session.endsAt.getTime() - view.session.startsAt.getTime()) / 60_000) })}</p>
${
  rows.length > 0
    ? html`<form method="post" action="${base}/register">${csrfField(page)}
<input type="hidden" name="count" value="${view.lines.length}">
${rows}
<div class="actions"><button type="submit">${c("save")}</button></div>
</form>`
    : html`<p class="empty">${c("noEnrolled")}</p>`
}`,
  });
}

export function attendancePage(
  page: PageInfo,
  view: { course: CourseDetail; summary: AttendanceSummary; overall: ReadonlyMap<number, MemberAttendance> },
): SafeHtml {
  const c = tr(page);
  const { course, summary } = view;
  const pct = (rate: number | null) => (rate === null ? c("none") : `${Math.round(rate * 100)}%`);
  const months = summary.months;
  const placement = course.kind === "paid_placement";
  const rows = summary.people.map(
    (p) => html`<tr>
<td data-label="${c("column.person")}">${personLabel(page, p)}</td>
<td data-label="${c("register.present")}" class="num">${p.present}</td>
<td data-label="${c("register.absent")}" class="num">${p.absent}</td>
<td data-label="${c("register.excused")}" class="num">${p.excused}</td>
<td data-label="${c("column.rate")}" class="num">${pct(p.rate)}</td>
${placement ? months.map((m) => html`<td data-label="${c("column.hoursIn", { month: m })}" class="num">${formatHours(p.minutesByMonth[m] ?? 0)}</td>`) : ""}
<td data-label="${c("column.overallRate")}" class="num">${pct(view.overall.get(p.memberId)?.overall.rate ?? null)}</td>
</tr>`,
  );
  return layout(page, {
    title: c("attendance.title"),
    current: "courses",
    body: html`<p><a href="/courses/${course.id}">${c("backTo", { title: course.texts.it?.title ?? "" })}</a></p>
<h1>${c("attendance.title")}: ${course.texts.it?.title ?? ""}</h1>
<p>${c("attendance.courseRate", { rate: pct(summary.rate), recorded: summary.recorded })}</p>
${placement ? html`<p class="muted">${c("attendance.placementHint")}</p>` : ""}
<p class="muted">${c("attendance.overallHint")}</p>
<p><a class="button" href="/courses/${course.id}/register.csv" download>${c("attendance.csv")}</a></p>
${
  rows.length > 0
    ? html`<table>
<caption class="sr">${c("attendance.title")}</caption>
<thead><tr><th scope="col">${c("column.person")}</th><th scope="col" class="num">${c("register.present")}</th>
<th scope="col" class="num">${c("register.absent")}</th><th scope="col" class="num">${c("register.excused")}</th>
<th scope="col" class="num">${c("column.rate")}</th>
${placement ? months.map((m) => html`<th scope="col" class="num">${c("column.hoursIn", { month: m })}</th>`) : ""}
<th scope="col" class="num">${c("column.overallRate")}</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
    : html`<p class="empty">${c("attendance.empty")}</p>`
}`,
  });
}

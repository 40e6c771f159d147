// The member's data as a page a tenant can read (GDPR art. 15 asks for an intelligible copy): the
// same export as the JSON file, in the member's language, with euro amounts, dd/mm/yyyy dates and
// Rome times. A self-contained HTML page because every phone opens one, it prints, and it carries
// right-to-left text (Arabic) correctly, which a PDF without embedded fonts cannot.
import { CHECKUP_QUESTIONS } from "../checkup/questions.ts";
import type { Translate } from "../i18n.ts";
import type { MemberExport } from "../privacy.ts";
import { escapeHtml } from "../telegram-html.ts";
import { formatCalendarDate, formatRomeDateTime } from "../time.ts";

const RTL_LANGUAGES = new Set(["ar"]);

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:1rem auto;max-width:48rem;padding:0 1rem;color:#1a1a1a}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:start;vertical-align:top}
.n{text-align:end;white-space:nowrap}p.none{color:#555}`;

const esc = (text: string | number | null | undefined): string => escapeHtml(String(text ?? ""));

/** A YYYY-MM-DD date of the export → dd/mm/yyyy. */
const day = (iso: string | null): string => (iso ? formatCalendarDate(new Date(`${iso}T00:00:00Z`)) : "");
/** An ISO instant of the export → dd/mm/yyyy hh:mm in Rome. */
const when = (iso: string | null): string => (iso ? formatRomeDateTime(new Date(iso)) : "");

/** A label from the locales when one exists, else the stored key as it is. */
function label(t: Translate, key: string, fallback: string): string {
  const text = t(key, { defaultValue: "" });
  return text === "" ? fallback : text;
}

/** Emoji and markup belong to the chat; the page shows the words. */
const plain = (text: string): string =>
  text
    .replace(/<[^>]*>/g, "")
    .replace(/\p{Extended_Pictographic}\uFE0F?/gu, "")
    .trim();

function table(headers: string[], rows: string[][], numeric: number[] = []): string {
  const th = headers.map(
    (h, i) => `<th scope="col"${numeric.includes(i) ? ' class="n"' : ""}>${esc(h)}</th>`,
  );
  const trs = rows.map(
    (row) =>
      `<tr>${row.map((cell, i) => `<td${numeric.includes(i) ? ' class="n"' : ""}>${esc(cell)}</td>`).join("")}</tr>`,
  );
  return `<table><thead><tr>${th.join("")}</tr></thead><tbody>${trs.join("")}</tbody></table>`;
}

function section(title: string, intro: string, body: string | null, none: string): string {
  return `<section><h2>${esc(title)}</h2><p>${esc(intro)}</p>${body ?? `<p class="none">${esc(none)}</p>`}</section>`;
}

/** The export as an HTML page in the language `t` is fixed to. */
export function renderReadableExport(data: MemberExport, t: Translate, language: string): string {
  const r = (key: string, options?: Record<string, unknown>) => t(`privacy:readable.${key}`, options);
  const none = r("none");
  const yesNo = (value: boolean) => r(value ? "yes" : "no");
  const m = data.member;

  const about = table(
    [r("field"), r("value")],
    [
      [r("member.firstName"), m.firstName ?? ""],
      [r("member.language"), t("bot:language.name", { lng: m.language })],
      [r("member.telegramUserId"), m.telegramUserId],
      [r("member.consentAt"), when(m.consentAt)],
      [r("member.linkedAt"), when(m.linkedAt)],
      [r("member.remindersMuted"), yesNo(m.remindersMuted)],
      [r("member.unreachable"), yesNo(m.unreachableAt !== null)],
    ],
  );
  const household = data.household
    ? table(
        [r("field"), r("value")],
        [
          [r("household.contractCode"), data.household.contractCode],
          [r("household.name"), data.household.name],
          [r("household.municipality"), data.household.municipality ?? ""],
        ],
      )
    : null;
  const balances = data.balances.length
    ? table(
        [r("balances.date"), r("balances.rent"), r("balances.charges"), r("balances.total")],
        data.balances.map((b) => [day(b.balanceDate), b.rent.text, b.charges.text, b.total.text]),
        [1, 2, 3],
      )
    : null;
  const payments = data.payments.length
    ? table(
        [r("payments.date"), r("payments.amount"), r("payments.reference")],
        data.payments.map((p) => [day(p.paymentDate), p.amount.text, p.reference]),
        [1],
      )
    : null;
  const plans = data.plans.length
    ? data.plans
        .map(
          (plan) =>
            `<h3>${esc(r("plans.heading", { code: plan.planCode, status: r(`plans.status.${plan.status}`) }))}</h3>${table(
              [r("plans.number"), r("plans.dueDate"), r("plans.amount"), r("plans.paid")],
              plan.installments.map((i) => [String(i.number), day(i.dueDate), i.amount.text, i.paid.text]),
              [0, 2, 3],
            )}`,
        )
        .join("")
    : null;
  const documents = data.documents.length
    ? table(
        [r("documents.document"), r("documents.status"), r("documents.deadline")],
        data.documents.map((d) => [
          label(t, `documents:items.${d.document}.name`, d.document),
          plain(label(t, `documents:status.${d.status}`, d.status)),
          day(d.dueDate),
        ]),
      )
    : null;
  const budget = data.budgetEntries.length
    ? table(
        [r("budget.date"), r("budget.kind"), r("budget.category"), r("budget.amount"), r("budget.note")],
        data.budgetEntries.map((e) => [
          day(e.occurredOn),
          r(`budget.kinds.${e.kind}`),
          plain(label(t, `budget:categories.${e.kind}.${e.category}`, e.category)),
          e.amount.text,
          e.note ?? "",
        ]),
        [3],
      )
    : null;
  const enrolments = data.enrolments.length
    ? table(
        [
          r("enrolments.course"),
          r("enrolments.when"),
          r("enrolments.place"),
          r("enrolments.status"),
          r("enrolments.attendance"),
        ],
        data.enrolments.map((e) => [
          e.title,
          `${when(e.startsAt)} – ${when(e.endsAt).slice(-5)}`,
          e.location ?? "",
          r(`enrolments.statuses.${e.status}`),
          e.attendance
            ? r(`enrolments.attended.${e.attendance.status}`, {
                hours: (e.attendance.minutes / 60).toLocaleString(data.member.language, {
                  maximumFractionDigits: 2,
                }),
              })
            : "",
        ]),
      )
    : null;
  const messages = data.caseMessages.length
    ? table(
        [r("messages.when"), r("messages.topic"), r("messages.text")],
        data.caseMessages.map((c) => [
          when(c.createdAt),
          label(t, `operator:topic.${c.topic}`, c.topic),
          c.text,
        ]),
      )
    : null;

  const notes = data.staffNotes.length
    ? table(
        [r("notes.when"), r("notes.topic"), r("notes.role"), r("notes.text")],
        data.staffNotes.map((n) => [
          when(n.createdAt),
          n.topic === null ? r("notes.household") : label(t, `operator:topic.${n.topic}`, n.topic),
          n.role ? r(`views.roles.${n.role}`) : "",
          n.text,
        ]),
      )
    : null;

  const views = data.staffViews.length
    ? table(
        [r("views.when"), r("views.role"), r("views.what")],
        data.staffViews.map((v) => [when(v.at), r(`views.roles.${v.role}`), r(`views.whats.${v.what}`)]),
      )
    : null;

  const k = (key: string, options?: Record<string, unknown>) => t(`checkup:${key}`, options);
  const checkups = data.checkups.some((c) => Object.keys(c.answers).length > 0)
    ? data.checkups
        .filter((c) => Object.keys(c.answers).length > 0)
        .map(
          (c) =>
            `<h3>${esc(k(`export.rounds.${c.round}`))} · ${esc(c.completedAt ? `${k("export.completed")} ${when(c.completedAt)}` : k("export.not_finished"))}</h3>${table(
              [k("export.question"), k("export.answer")],
              CHECKUP_QUESTIONS.flatMap((q) => {
                const answer = c.answers[q.key];
                return answer
                  ? [[plain(k(`questions.${q.key}.text`)), plain(k(`questions.${q.key}.options.${answer}`))]]
                  : [];
              }),
            )}`,
        )
        .join("")
    : null;
  const satisfaction = data.satisfaction.some((s) => s.score !== null)
    ? table(
        [k("export.case"), k("export.score"), k("export.comment")],
        data.satisfaction
          .filter((s) => s.score !== null)
          .map((s) => [String(s.caseId), `${s.score}/5`, s.comment ?? ""]),
      )
    : null;

  const looks = data.debtViews.length
    ? table(
        [r("debtViews.month"), r("debtViews.what")],
        data.debtViews.map((v) => [v.month, r(`debtViews.kinds.${v.kind}`)]),
      )
    : null;

  const dir = RTL_LANGUAGES.has(language) ? "rtl" : "ltr";
  return `<!doctype html>
<html lang="${esc(language)}" dir="${dir}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(r("title"))}</title><style>${STYLE}</style></head>
<body>
<h1>${esc(r("title"))}</h1>
<p>${esc(r("intro", { date: when(data.exportedAt) }))}</p>
${section(r("member.title"), r("member.intro"), about, none)}
${section(r("household.title"), r("household.intro"), household, r("household.none"))}
${section(r("balances.title"), r("balances.intro"), balances, none)}
${section(r("payments.title"), r("payments.intro"), payments, none)}
${section(r("plans.title"), r("plans.intro"), plans, none)}
${section(r("documents.title"), r("documents.intro"), documents, none)}
${section(r("budget.title"), r("budget.intro"), budget, none)}
${section(r("enrolments.title"), r("enrolments.intro"), enrolments, none)}
${section(r("messages.title"), r("messages.intro"), messages, none)}
${section(r("notes.title"), r("notes.intro"), notes, r("notes.none"))}
${section(r("views.title"), r("views.intro"), views, r("views.none"))}
${section(k("export.checkups"), k("export.checkups_intro"), checkups, none)}
${section(k("export.satisfaction"), k("export.satisfaction_intro"), satisfaction, none)}
${section(r("debtViews.title"), r("debtViews.intro"), looks, none)}
<section><h2>${esc(r("rights.title"))}</h2><p>${esc(r("rights.text"))}</p></section>
</body>
</html>
`;
}

// The panel's compose form: what a coordinator or an admin fills in, read and checked into what
// createBroadcast takes (the CLI's path). Every problem is a key the panel words; nothing is saved
// until the confirm step, which checks everything again (the count is taken afresh there too).
import { type CourseListItem, listCourses } from "../courses/admin.ts";
import type { Db } from "../db/client.ts";
import { DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES } from "../i18n.ts";
import { parseAmount } from "../money.ts";
import type { StaffScope } from "../offices/scope.ts";
import type { QuietHours } from "../quiet-hours.ts";
import { readRomeDateTime } from "../time.ts";
import { type Audience, countRecipients, type LanguageCount } from "./audience.ts";
import { type BroadcastPlan, planBroadcast } from "./broadcasts.ts";
import { type ButtonSession, buttonSessions } from "./buttons.ts";
import { checkTelegramHtml, type HtmlEntity, type HtmlProblem } from "./html.ts";
import type { BroadcastTexts } from "./text-file.ts";

export const AUDIENCE_KINDS = [
  "all",
  "municipality",
  "course",
  "waiting",
  "low-attendance",
  "plan",
  "arrears-over",
] as const;
export type AudienceKind = (typeof AUDIENCE_KINDS)[number];

/** The form as typed: strings only, kept to fill the form again. */
export type ComposeValue = {
  kind: string;
  municipality: string;
  course: string;
  amount: string;
  texts: Record<string, string>;
  when: "now" | "later";
  at: string;
  button: string;
};

export type ComposeProblem =
  | { field: string; code: string; params?: Record<string, string | number> }
  | { field: string; code: "html"; language: string; html: HtmlProblem };

/** What the form may offer this person: their office's municipalities, courses and coming sessions. */
export type ComposeChoices = {
  municipalities: string[];
  courses: CourseListItem[];
  sessions: ButtonSession[];
};

export type ComposeReady = {
  audience: Audience;
  texts: BroadcastTexts;
  at: Date | null;
  officeId: number | null;
  buttonSessionId: number | null;
  /** Per language written: the text as members will see it, for the preview. */
  previews: { language: string; text: string; entities: HtmlEntity[] }[];
};

const field = (body: Record<string, unknown>, name: string): string => {
  const value = body[name];
  return typeof value === "string" ? value : "";
};

export function composeValue(body: Record<string, unknown>): ComposeValue {
  const texts: Record<string, string> = {};
  for (const lang of SUPPORTED_LANGUAGES) texts[lang] = field(body, `text_${lang}`).replaceAll("\r\n", "\n");
  return {
    kind: field(body, "kind"),
    municipality: field(body, "municipality").trim(),
    course: field(body, "course").trim(),
    amount: field(body, "amount").trim(),
    texts,
    when: field(body, "when") === "later" ? "later" : "now",
    at: field(body, "at").trim(),
    button: field(body, "button").trim(),
  };
}

export async function composeChoices(db: Db, scope: StaffScope, now: Date): Promise<ComposeChoices> {
  const courses = await listCourses(db, scope, now);
  const municipalities = await db.officeMunicipality.findMany({
    where: scope.role === "admin" ? {} : { officeId: scope.officeId ?? -1 },
    select: { name: true },
    orderBy: { key: "asc" },
  });
  return {
    municipalities: municipalities.map((m) => m.name),
    courses,
    sessions: await buttonSessions(
      db,
      courses.map((c) => c.id),
      now,
    ),
  };
}

/** The audience the form names, or the problems with it (only what this person may choose). */
export function audienceOf(
  value: ComposeValue,
  choices: ComposeChoices,
): { ok: true; audience: Audience } | { ok: false; problems: ComposeProblem[] } {
  const bad = (code: string): { ok: false; problems: ComposeProblem[] } => ({
    ok: false,
    problems: [{ field: "kind", code }],
  });
  switch (value.kind as AudienceKind) {
    case "all":
      return { ok: true, audience: { kind: "all" } };
    case "plan":
      return { ok: true, audience: { kind: "plan", status: "active" } };
    case "municipality": {
      const name = choices.municipalities.find((m) => m.toLowerCase() === value.municipality.toLowerCase());
      return name ? { ok: true, audience: { kind: "municipality", name } } : bad("municipality");
    }
    case "course":
    case "waiting":
    case "low-attendance": {
      const course = choices.courses.find((c) => String(c.id) === value.course);
      return course
        ? { ok: true, audience: { kind: value.kind as "course", code: course.code } }
        : bad("course");
    }
    case "arrears-over": {
      const amount = parseAmount(value.amount);
      return amount.ok
        ? { ok: true, audience: { kind: "arrears-over", cents: amount.cents } }
        : bad("amount");
    }
    default:
      return bad("missing");
  }
}

/** The office a broadcast of this person is kept to: a coordinator's own; an admin's, none. */
export function officeOf(scope: StaffScope): number | null {
  return scope.role === "admin" ? null : (scope.officeId ?? -1);
}

/** The live count of the compose form (and its no-script preview). */
export async function composeCount(
  db: Db,
  scope: StaffScope,
  value: ComposeValue,
  choices: ComposeChoices,
): Promise<{ ok: true; counts: LanguageCount[]; total: number } | { ok: false; problems: ComposeProblem[] }> {
  const audience = audienceOf(value, choices);
  if (!audience.ok) return audience;
  const counts = await countRecipients(db, audience.audience, officeOf(scope));
  return { ok: true, counts, total: counts.reduce((sum, c) => sum + c.recipients, 0) };
}

/** Checks the whole form; with no problem, what createBroadcast takes and the plan (count, time). */
export async function checkCompose(
  db: Db,
  scope: StaffScope,
  value: ComposeValue,
  options: { now: Date; quietHours: QuietHours; choices: ComposeChoices },
): Promise<
  { ok: true; ready: ComposeReady; plan: BroadcastPlan } | { ok: false; problems: ComposeProblem[] }
> {
  const problems: ComposeProblem[] = [];
  if (scope.role !== "admin" && scope.officeId === null) problems.push({ field: "kind", code: "noOffice" });
  const audience = audienceOf(value, options.choices);
  if (!audience.ok) problems.push(...audience.problems);

  const texts: BroadcastTexts = {};
  const previews: ComposeReady["previews"] = [];
  for (const lang of SUPPORTED_LANGUAGES) {
    const raw = (value.texts[lang] ?? "").trim();
    if (raw === "") {
      if (lang === DEFAULT_LANGUAGE) problems.push({ field: `text_${lang}`, code: "italianRequired" });
      continue;
    }
    const checked = checkTelegramHtml(raw);
    if (!checked.ok) {
      problems.push({ field: `text_${lang}`, code: "html", language: lang, html: checked.problem });
      continue;
    }
    texts[lang] = raw;
    previews.push({ language: lang, text: checked.text, entities: checked.entities });
  }

  let at: Date | null = null;
  if (value.when === "later") {
    const read = readRomeDateTime(value.at);
    if (!read.ok) {
      problems.push({ field: "at", code: read.reason === "skipped" ? "atSkipped" : "atInvalid" });
    } else if (read.instant.getTime() <= options.now.getTime()) {
      problems.push({ field: "at", code: "atPast" });
    } else {
      at = read.instant;
    }
  }

  let buttonSessionId: number | null = null;
  if (value.button !== "") {
    const session = options.choices.sessions.find((s) => String(s.id) === value.button);
    if (session) buttonSessionId = session.id;
    else problems.push({ field: "button", code: "button" });
  }

  if (problems.length > 0 || !audience.ok) return { ok: false, problems };
  const officeId = officeOf(scope);
  const planned = await planBroadcast(db, {
    audience: audience.audience,
    texts,
    at,
    now: options.now,
    quietHours: options.quietHours,
    officeId,
  });
  // The audience was chosen from what exists, so the only problem left is nobody in it.
  if (!planned.ok) return { ok: false, problems: [{ field: "kind", code: "empty" }] };
  return {
    ok: true,
    ready: { audience: audience.audience, texts, at, officeId, buttonSessionId, previews },
    plan: planned.plan,
  };
}

// Who a broadcast goes to. The spec is kept as written (Broadcast.audience) and read again when the
// broadcast goes out, so a member linked meanwhile gets it and one who blocked the bot does not.
import type { Db } from "../db/client.ts";
import { sqlOf } from "../db/sql.ts";
import { formatMoney, parseAmount, spacedAmountProblem } from "../money.ts";

export type Audience =
  | { kind: "all" }
  | { kind: "municipality"; name: string }
  | { kind: "course"; code: string }
  /** On the waiting list of a session of the course (waiting, or a place offered). */
  | { kind: "waiting"; code: string }
  /** Enrolled in the course and present at less than half of its past sessions with a mark. */
  | { kind: "low-attendance"; code: string }
  | { kind: "plan"; status: "active" }
  | { kind: "arrears-over"; cents: number };

export type AudienceResult = { ok: true; audience: Audience } | { ok: false; problem: string };

export const AUDIENCE_FORMS =
  "all, municipality:NAME, course:CODE, waiting:CODE, low-attendance:CODE, plan:active or arrears-over:AMOUNT";

/** The audiences that name a course by its code. */
export const COURSE_AUDIENCES = ["course", "waiting", "low-attendance"] as const;
export type CourseAudienceKind = (typeof COURSE_AUDIENCES)[number];

export function parseAudience(spec: string): AudienceResult {
  const trimmed = spec.trim();
  const colon = trimmed.indexOf(":");
  const kind = (colon < 0 ? trimmed : trimmed.slice(0, colon)).trim().toLowerCase();
  const value = colon < 0 ? undefined : trimmed.slice(colon + 1).trim();
  const bad = (problem: string): AudienceResult => ({ ok: false, problem: `audience: ${problem}` });
  switch (kind) {
    case "all":
      return value === undefined ? { ok: true, audience: { kind: "all" } } : bad('"all" takes no value');
    case "municipality":
      if (!value) return bad("municipality:NAME needs the municipality's name, e.g. municipality:Brescia");
      return { ok: true, audience: { kind: "municipality", name: value } };
    case "course":
    case "waiting":
    case "low-attendance":
      if (!value) return bad(`${kind}:CODE needs a course code, e.g. ${kind}:PIP-01`);
      return { ok: true, audience: { kind, code: value } };
    case "plan":
      if (value?.toLowerCase() !== "active") return bad('the only plan audience is "plan:active"');
      return { ok: true, audience: { kind: "plan", status: "active" } };
    case "arrears-over": {
      if (!value) return bad("arrears-over:AMOUNT needs an amount in euro, e.g. arrears-over:1.000,00");
      const amount = parseAmount(value);
      if (!amount.ok) {
        return bad(
          amount.reason === "negative"
            ? `arrears-over amount ${JSON.stringify(value)} must not be negative`
            : amount.reason === "too_large"
              ? `arrears-over amount ${JSON.stringify(value)} is too large`
              : amount.reason === "spaced"
                ? `arrears-over amount ${JSON.stringify(value)} ${spacedAmountProblem(amount.readings)}`
                : `arrears-over amount ${JSON.stringify(value)} is not an amount (write e.g. 1.000,00 or 1000.00)`,
        );
      }
      return { ok: true, audience: { kind: "arrears-over", cents: amount.cents } };
    }
    default:
      return bad(`unknown audience ${JSON.stringify(trimmed)}: use ${AUDIENCE_FORMS}`);
  }
}

/** The spec as stored and shown. */
export function describeAudience(audience: Audience): string {
  switch (audience.kind) {
    case "all":
      return "all";
    case "municipality":
      return `municipality:${audience.name}`;
    case "course":
    case "waiting":
    case "low-attendance":
      return `${audience.kind}:${audience.code}`;
    case "plan":
      return "plan:active";
    case "arrears-over":
      return `arrears-over:${formatMoney(audience.cents).replace(/\s*€$/, "")}`;
  }
}

/** The audience as the parameters of RECIPIENTS_WHERE: kind, text value, amount in cents. */
export function audienceParameters(audience: Audience): [string, string, number] {
  switch (audience.kind) {
    case "municipality":
      return [audience.kind, audience.name, 0];
    case "course":
    case "waiting":
    case "low-attendance":
      return [audience.kind, audience.code, 0];
    case "arrears-over":
      return [audience.kind, "", audience.cents];
    default:
      return [audience.kind, "", 0];
  }
}

// Who an audience reaches is defined once, in SQL: the function "broadcast_audience"(kind, value,
// cents, office) of migration 20261207181000_broadcasts_panel, used to count recipients and to fan
// out. The office (a coordinator's broadcast) keeps it to that office's households; null is every one.

export type LanguageCount = { language: string; recipients: number };

/** Recipients now, per member language (the language they chose, not the section they will get). */
export async function countRecipients(
  db: Db,
  audience: Audience,
  officeId: number | null = null,
): Promise<LanguageCount[]> {
  const [kind, value, cents] = audienceParameters(audience);
  const rows = await sqlOf(db).query<{ language: string; recipients: bigint }>`
    SELECT a."language", count(*) AS "recipients"
    FROM "broadcast_audience"(${kind}::text, ${value}::text, ${cents}::int, ${officeId}::int) a
    GROUP BY a."language" ORDER BY a."language"`;
  return rows.map((r) => ({ language: r.language, recipients: Number(r.recipients) }));
}

/**
 * Problems with an audience that names something: a course code or a municipality nobody has is
 * most likely a typo, better caught now than sent to nobody.
 */
export async function audienceProblems(db: Db, audience: Audience): Promise<string[]> {
  const sql = sqlOf(db);
  if (audience.kind === "course" || audience.kind === "waiting" || audience.kind === "low-attendance") {
    const found = await sql.query<{ id: number }>`SELECT "id" FROM "Course" WHERE "code" = ${audience.code}`;
    if (found.length === 0) return [`audience: no course with code ${JSON.stringify(audience.code)}`];
  }
  if (audience.kind === "municipality") {
    const found = await sql.query<{ id: number }>`
      SELECT "id" FROM "Household" WHERE lower("municipality") = lower(${audience.name}) LIMIT 1`;
    if (found.length === 0)
      return [`audience: no household in municipality ${JSON.stringify(audience.name)}`];
  }
  return [];
}

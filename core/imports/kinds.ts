// The five imports by name, for callers that pick one at run time (the admin panel's upload form):
// each reads the file and applies it (or dry-runs it) exactly as its command-line command does, and
// answers with counts by entity or every problem by line.
import type { AuditEntry } from "../audit.ts";
import type { Db } from "../db/client.ts";
import { SUPPORTED_LANGUAGES } from "../i18n.ts";
import { importCourses, parseCoursesFile } from "./courses.ts";
import { importDocumentsFile } from "./documents.ts";
import { importHouseholdsFile } from "./households.ts";
import { importPayments, parsePaymentsFile } from "./payments.ts";
import { importPlans, parsePlansFile } from "./plans.ts";
import type { CsvInput, CsvProblem } from "./rows.ts";
import type { ImportExtras } from "./transaction.ts";

export const IMPORT_KINDS = ["households", "plans", "payments", "courses", "documents"] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export function isImportKind(value: unknown): value is ImportKind {
  return IMPORT_KINDS.some((kind) => kind === value);
}

/** The audit action each import writes (`import.households`…). */
export const importAction = (kind: ImportKind) => `import.${kind}`;

/** Problems shown for one file: the first ones say what is wrong; a file of garbage has millions. */
export const MAX_SHOWN_PROBLEMS = 1000;

/** One entity's counts; `updated` and `removed` only where that import can do them. */
export type EntityCounts = {
  entity: string;
  created: number;
  updated?: number;
  unchanged: number;
  removed?: number;
};

export type KindReport =
  | {
      ok: true;
      rows: number;
      counts: EntityCounts[];
      /** Installments and plans whose paid amounts or status the new figures changed. */
      allocation?: { installments: number; plans: number };
      /** Languages households speak that the bot has no translation for yet. */
      untranslated?: string[];
    }
  | { ok: false; problems: CsvProblem[] };

type Options = { actor: Pick<AuditEntry, "actorType" | "actorId">; dryRun: boolean } & ImportExtras;

const entity = (name: string, counts: Omit<EntityCounts, "entity">): EntityCounts => ({
  entity: name,
  ...counts,
});

/** Reads and applies (or, with dryRun, checks) one file of the given kind in one transaction. */
export async function runImportKind(
  db: Db,
  kind: ImportKind,
  input: CsvInput,
  options: Options,
): Promise<KindReport> {
  switch (kind) {
    case "households": {
      const outcome = await importHouseholdsFile(db, input, options);
      if (!outcome.ok) return outcome;
      const { households, balances } = outcome.result;
      const untranslated = outcome.languages.filter((l) => !SUPPORTED_LANGUAGES.includes(l));
      return {
        ok: true,
        rows: outcome.rows,
        counts: [entity("households", households), entity("balances", balances)],
        ...(untranslated.length ? { untranslated } : {}),
      };
    }
    case "plans": {
      const parsed = await parsePlansFile(input);
      // As the command: rows with problems go on to the database check; no rows at all stop here.
      if (!parsed.ok && parsed.rows.length === 0) return { ok: false, problems: parsed.problems };
      const outcome = await importPlans(db, parsed, options);
      if (!outcome.ok) return outcome;
      const { plans, installments, allocation } = outcome.result;
      return {
        ok: true,
        rows: parsed.rows.length,
        counts: [entity("plans", plans), entity("installments", installments)],
        allocation,
      };
    }
    case "payments": {
      const parsed = await parsePaymentsFile(input);
      if (!parsed.ok && parsed.rows.length === 0) return { ok: false, problems: parsed.problems };
      const outcome = await importPayments(db, parsed, options);
      if (!outcome.ok) return outcome;
      const { payments, allocation } = outcome.result;
      return { ok: true, rows: parsed.rows.length, counts: [entity("payments", payments)], allocation };
    }
    case "courses": {
      const parsed = await parseCoursesFile(input);
      if (!parsed.ok) return { ok: false, problems: parsed.problems };
      const result = await importCourses(db, parsed.rows, options);
      if (!result.ok) return result;
      return {
        ok: true,
        rows: parsed.rows.length,
        counts: [entity("courses", result.courses), entity("sessions", result.sessions)],
      };
    }
    case "documents": {
      const outcome = await importDocumentsFile(db, input, options);
      if (!outcome.ok) return outcome;
      return { ok: true, rows: outcome.rows, counts: [entity("documents", outcome.result.documents)] };
    }
  }
}

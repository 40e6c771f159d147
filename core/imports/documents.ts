// The documents spreadsheet: one row per household and paper, with where the paper stands (missing,
// requested, received, verified) and, optionally, the date it is due. It is what fills each
// household's checklist (/documents) and the document reminders. A household's papers that the file
// does not list are left as they are. A file with any bad row is rejected whole; a good one is
// applied in one transaction, as it is read, in batches; applying it again changes nothing.
import { type AuditEntry, audit } from "../audit.ts";
import type { Db, DocumentStatus } from "../db/client.ts";
import { ensureDocumentRequirements } from "../documents.ts";
import { calendarDate, type Field, fieldCollector, type ImportCounts, quoted } from "./fields.ts";
import { contractCodeField, unknownContractProblems } from "./plans.ts";
import { type CsvInput, type CsvProblem, type CsvRow, readSpreadsheet } from "./spreadsheet.ts";
import {
  BATCH,
  emptyCounts,
  fileDetail,
  type ImportExtras,
  importTransaction,
  type Tx,
} from "./transaction.ts";

export const DOCUMENT_COLUMNS = ["contract_code", "document", "status", "deadline"] as const;
type Column = (typeof DOCUMENT_COLUMNS)[number];

export const DOCUMENT_STATUSES: readonly DocumentStatus[] = ["missing", "requested", "received", "verified"];

/** The short names DESIGN.md gives the authority for papers whose key in the programme is longer. */
const KEY_ALIASES: Readonly<Record<string, string>> = { receipts: "payment_receipts" };

const DOCUMENTS_IMPORT_LOCK = "bussola:import:documents";

type DocumentRow = {
  line: number;
  contractCode: string;
  requirementId: number;
  status: DocumentStatus;
  dueDate: Date | null;
};

type Requirements = { ids: Map<string, number>; keys: Map<number, string>; known: string };

async function loadRequirements(tx: Tx): Promise<Requirements> {
  await ensureDocumentRequirements(tx);
  const rows = await tx.documentRequirement.findMany({ orderBy: [{ sortOrder: "asc" }, { id: "asc" }] });
  const ids = new Map(rows.map((r) => [r.key, r.id]));
  const aliases = Object.entries(KEY_ALIASES).filter(([, key]) => ids.has(key));
  const known = rows
    .map((r) => {
      const alias = aliases.find(([, key]) => key === r.key)?.[0];
      return alias ? `${r.key} (or ${alias})` : r.key;
    })
    .join(", ");
  return { ids, keys: new Map(rows.map((r) => [r.id, r.key])), known };
}

function documentField(value: string, requirements: Requirements): Field<number> {
  if (value === "") return { ok: false, message: "document is required" };
  const lower = value.toLowerCase();
  const id =
    requirements.ids.get(value) ??
    requirements.ids.get(lower) ??
    requirements.ids.get(KEY_ALIASES[lower] ?? "");
  if (id !== undefined) return { ok: true, value: id };
  return {
    ok: false,
    message: `document ${quoted(value)} is not a document the programme asks for (known: ${requirements.known})`,
  };
}

function statusField(value: string): Field<DocumentStatus> {
  if (value === "") return { ok: false, message: "status is required" };
  const status = DOCUMENT_STATUSES.find((s) => s === value.toLowerCase());
  if (status) return { ok: true, value: status };
  return {
    ok: false,
    message: `status ${quoted(value)} is not one of ${DOCUMENT_STATUSES.join(", ")}`,
  };
}

/** Optional: an empty deadline means the paper has no due date (one it had is removed). */
function deadlineField(value: string): Field<Date | null> {
  return value === "" ? { ok: true, value: null } : calendarDate("deadline", value);
}

function validateRow(
  row: CsvRow<Column>,
  requirements: Requirements,
): { row: DocumentRow } | { problems: string[] } {
  const v = row.values;
  const { take, problems } = fieldCollector();
  const result = {
    line: row.line,
    contractCode: take(contractCodeField(v.contract_code)),
    requirementId: take(documentField(v.document, requirements)),
    status: take(statusField(v.status)),
    dueDate: take(deadlineField(v.deadline)),
  };
  // Every field is set when nothing was reported; the cast only restates that.
  return problems.length ? { problems } : { row: result as DocumentRow };
}

type Stored = { householdId: number; requirementId: number; status: DocumentStatus; dueDate: Date | null };

const day = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : null);
const pairKey = (householdId: number, requirementId: number) => `${householdId}:${requirementId}`;

/**
 * Writes one batch of good rows whose contract codes are known. Plain SQL with one array per column
 * (as the households import does): a 400,000-row file (four papers for 100,000 households) would
 * otherwise cost Prisma a query plan per batch.
 */
async function writeBatch(
  tx: Tx,
  rows: DocumentRow[],
  ids: Map<string, number>,
  tally: ImportCounts,
): Promise<void> {
  const wanted = rows.map((row) => ({
    householdId: ids.get(row.contractCode) as number,
    requirementId: row.requirementId,
    status: row.status,
    dueDate: day(row.dueDate),
  }));
  const existing = await tx.$queryRaw<Stored[]>`
    SELECT d."householdId", d."requirementId", d.status::text AS status, d."dueDate"
    FROM "HouseholdDocument" AS d
    JOIN unnest(${wanted.map((w) => w.householdId)}::int[], ${wanted.map((w) => w.requirementId)}::int[])
      AS w(household, requirement) ON d."householdId" = w.household AND d."requirementId" = w.requirement`;
  const stored = new Map(existing.map((d) => [pairKey(d.householdId, d.requirementId), d]));
  const toCreate: typeof wanted = [];
  const toUpdate: typeof wanted = [];
  for (const document of wanted) {
    const current = stored.get(pairKey(document.householdId, document.requirementId));
    if (!current) toCreate.push(document);
    // Unchanged papers are not written, so updatedAt keeps meaning "last changed".
    else if (current.status === document.status && day(current.dueDate) === document.dueDate)
      tally.unchanged++;
    else toUpdate.push(document);
  }
  const column = <K extends keyof (typeof wanted)[number]>(list: typeof wanted, key: K) =>
    list.map((d) => d[key]);
  if (toUpdate.length) {
    await tx.$executeRaw`
      UPDATE "HouseholdDocument" AS d SET status = v.status::"DocumentStatus", "dueDate" = v.due, "updatedAt" = now()
      FROM unnest(${column(toUpdate, "householdId")}::int[], ${column(toUpdate, "requirementId")}::int[],
        ${column(toUpdate, "status")}::text[], ${column(toUpdate, "dueDate")}::date[])
        AS v(household, requirement, status, due)
      WHERE d."householdId" = v.household AND d."requirementId" = v.requirement`;
    tally.updated += toUpdate.length;
  }
  if (toCreate.length) {
    await tx.$executeRaw`
      INSERT INTO "HouseholdDocument" ("householdId", "requirementId", status, "dueDate", "updatedAt")
      SELECT household, requirement, status::"DocumentStatus", due, now()
      FROM unnest(${column(toCreate, "householdId")}::int[], ${column(toCreate, "requirementId")}::int[],
        ${column(toCreate, "status")}::text[], ${column(toCreate, "dueDate")}::date[])
        AS v(household, requirement, status, due)`;
    tally.created += toCreate.length;
  }
}

type Actor = Pick<AuditEntry, "actorType" | "actorId">;

export type ImportDocumentsResult = { documents: ImportCounts };
export type ImportDocumentsOutcome =
  | { ok: true; rows: number; result: ImportDocumentsResult }
  | { ok: false; problems: CsvProblem[] };

/**
 * Checks and applies a documents file (CSV or .xlsx) as it is read, in one transaction: unknown
 * contract codes, unknown documents, bad statuses or deadlines and the same paper twice for a
 * household are all reported by line, and any of them changes nothing. One audit entry of counts.
 */
export async function importDocumentsFile(
  db: Db,
  input: CsvInput,
  options: { actor: Actor; dryRun?: boolean } & ImportExtras,
): Promise<ImportDocumentsOutcome> {
  return importTransaction<ImportDocumentsOutcome>(
    db,
    { locks: [DOCUMENTS_IMPORT_LOCK], dryRun: options.dryRun, claim: options.claim },
    async (tx, undo) => {
      const requirements = await loadRequirements(tx);
      const result = { documents: emptyCounts() };
      const problems: CsvProblem[] = [];
      // The same paper for the same contract twice: which status is meant? Every line is reported.
      const firstLine = new Map<string, number>();
      const repeated = new Map<string, number[]>();
      let batch: DocumentRow[] = [];
      let rows = 0;
      const flush = async () => {
        const slice = batch;
        batch = [];
        if (slice.length === 0) return;
        // Unknown contracts are looked up even once the file is known to be bad, so all are reported.
        const { ids, problems: unknown } = await unknownContractProblems(tx, slice);
        problems.push(...unknown);
        // Once the file is known to be bad, nothing more is written: it will all be rolled back.
        if (problems.length === 0) await writeBatch(tx, slice, ids, result.documents);
      };
      const read = await readSpreadsheet(input, DOCUMENT_COLUMNS, (sheetRow) => {
        const checked = validateRow(sheetRow, requirements);
        if (!("row" in checked)) {
          for (const message of checked.problems) problems.push({ line: sheetRow.line, message });
          return;
        }
        const row = checked.row;
        const key = `${row.contractCode}\n${requirements.keys.get(row.requirementId)}`;
        const first = firstLine.get(key);
        if (first === undefined) firstLine.set(key, row.line);
        else repeated.set(key, [...(repeated.get(key) ?? [first]), row.line]);
        rows++;
        batch.push(row);
        return batch.length >= BATCH ? flush() : undefined;
      });
      if (!read.ok) problems.push(...read.problems);
      await flush();
      for (const [key, lines] of repeated) {
        const [contract, document] = key.split("\n");
        for (const line of lines) {
          const others = lines.filter((other) => other !== line).join(", ");
          problems.push({
            line,
            message: `document ${quoted(document ?? "")} for contract_code ${quoted(contract ?? "")} is also on line ${others}`,
          });
        }
      }
      if (problems.length) return undo({ ok: false, problems: problems.sort((a, b) => a.line - b.line) });
      await audit(tx, {
        actorType: options.actor.actorType,
        actorId: options.actor.actorId,
        action: "import.documents",
        details: { rows, ...result, ...fileDetail(options) },
      });
      return { ok: true, rows, result };
    },
  );
}

import { importDocumentsFile } from "../../core/imports/documents.ts";
import type { Command } from "../command.ts";
import { countsLine, DRY_RUN_HELP, DRY_RUN_OPTION, FILE_FORMATS_HELP, runImport } from "../import-file.ts";

export const importDocumentsCommand: Command = {
  name: "import:documents",
  args: "FILE [--dry-run]",
  summary: "Import where each household's documents stand (CSV or Excel .xlsx): /documents and reminders",
  help: [
    "Columns: contract_code;document;status;deadline. One row per household and document.",
    "document: isee, income_declaration, payment_receipts (or receipts), contract, or a key staff added.",
    "status: missing, requested, received or verified. deadline: optional (empty: no due date).",
    "Households' /documents checklists and the document reminders follow what is imported; documents",
    "the file does not list are left as they are. Contract codes must be known households.",
    "A file with any bad row changes nothing; every problem is listed as FILE:LINE: problem.",
    "Importing the same file again changes nothing.",
    "",
    DRY_RUN_HELP,
    ...FILE_FORMATS_HELP,
  ],
  options: DRY_RUN_OPTION,
  positionals: ["FILE"],
  run: (input) =>
    // Read, checked and applied as a stream in one transaction: a bad row anywhere changes nothing.
    runImport(input, {
      async apply(db, file, options) {
        const outcome = await importDocumentsFile(db, file, options);
        if (!outcome.ok) return outcome;
        return { ok: true, rows: outcome.rows, lines: [countsLine("documents", outcome.result.documents)] };
      },
    }),
};

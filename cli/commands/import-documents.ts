import { loadConfig } from "../../core/config.ts";
import { importDocumentsFile } from "../../core/imports/documents.ts";
import { type Command, cliActor } from "../command.ts";
import { withDatabase } from "../database.ts";
import {
  countsLine,
  FILE_FORMATS_HELP,
  openSpreadsheet,
  printHeadline,
  rejectProblems,
} from "../import-file.ts";

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
    "  --dry-run   check the file and show what would change, without changing anything",
    ...FILE_FORMATS_HELP,
  ],
  options: { "dry-run": { type: "boolean" } },
  positionals: ["FILE"],
  async run({ positionals, options, env, io }) {
    const file = positionals[0] as string;
    const input = await openSpreadsheet(file, loadConfig(env).importMaxBytes);
    const dryRun = options["dry-run"] === true;
    // Read, checked and applied as a stream in one transaction: a bad row anywhere changes nothing.
    const outcome = await withDatabase(env, (db) =>
      importDocumentsFile(db, input, { actor: cliActor(env), dryRun }),
    );
    if (!outcome.ok) rejectProblems(file, outcome.problems);
    printHeadline(io, file, outcome.rows, dryRun);
    io.out(countsLine("documents", outcome.result.documents));
  },
};

import { loadConfig } from "../../core/config.ts";
import { importPayments, parsePaymentsFile } from "../../core/imports/payments.ts";
import { type Command, cliActor } from "../command.ts";
import { withDatabase } from "../database.ts";
import { FILE_FORMATS_HELP, openSpreadsheet, printHeadline, rejectProblems } from "../import-file.ts";
import { allocationLine } from "./import-plans.ts";

export const importPaymentsCommand: Command = {
  name: "import:payments",
  args: "FILE [--dry-run]",
  summary:
    "Import payments received from the authority's spreadsheet (CSV or Excel .xlsx) and allocate them to plans",
  help: [
    "Columns: contract_code;payment_date;amount;reference.",
    "reference is unique per payment: one already recorded with the same contract, date and amount is",
    "left unchanged; with different data it is a problem (a payment is never rewritten by an import).",
    "A file with any bad row changes nothing; every problem is listed as FILE:LINE: problem.",
    "Payments dated after a household's balance date lower the arrears it sees; they are allocated to",
    "its plan's installments, oldest first. Importing the same file again changes nothing.",
    "",
    "  --dry-run   check the file and show what would change, without changing anything",
    ...FILE_FORMATS_HELP,
  ],
  options: { "dry-run": { type: "boolean" } },
  positionals: ["FILE"],
  async run({ positionals, options, env, io }) {
    const file = positionals[0] as string;
    const parsed = await parsePaymentsFile(await openSpreadsheet(file, loadConfig(env).importMaxBytes));
    // A file that could not be read as rows at all is rejected without asking the database.
    if (!parsed.ok && parsed.rows.length === 0) rejectProblems(file, parsed.problems);
    const dryRun = options["dry-run"] === true;
    const outcome = await withDatabase(env, (db) =>
      importPayments(db, parsed, { actor: cliActor(env), dryRun }),
    );
    if (!outcome.ok) rejectProblems(file, outcome.problems);
    const { payments, allocation } = outcome.result;
    printHeadline(io, file, parsed.rows.length, dryRun);
    io.out(`payments: ${payments.created} created, ${payments.unchanged} unchanged`);
    io.out(allocationLine(allocation));
  },
};

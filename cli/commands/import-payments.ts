import { importPayments, parsePaymentsFile } from "../../core/imports/payments.ts";
import type { Command } from "../command.ts";
import { DRY_RUN_HELP, DRY_RUN_OPTION, FILE_FORMATS_HELP, runImport } from "../import-file.ts";
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
    DRY_RUN_HELP,
    ...FILE_FORMATS_HELP,
  ],
  options: DRY_RUN_OPTION,
  positionals: ["FILE"],
  run: (input) =>
    runImport(input, {
      async read(file) {
        const parsed = await parsePaymentsFile(file);
        // Rows with problems go on to the database check, which adds its own; no rows at all stop here.
        return { parsed, problems: !parsed.ok && parsed.rows.length === 0 ? parsed.problems : [] };
      },
      async apply(db, parsed, options) {
        const outcome = await importPayments(db, parsed, options);
        if (!outcome.ok) return outcome;
        const { payments, allocation } = outcome.result;
        return {
          ok: true,
          rows: parsed.rows.length,
          lines: [
            `payments: ${payments.created} created, ${payments.unchanged} unchanged`,
            allocationLine(allocation),
          ],
        };
      },
    }),
};

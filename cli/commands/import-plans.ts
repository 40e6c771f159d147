import { loadConfig } from "../../core/config.ts";
import { importPlans, parsePlansFile } from "../../core/imports/plans.ts";
import type { AllocationChanges } from "../../core/payments.ts";
import { type Command, cliActor } from "../command.ts";
import { withDatabase } from "../database.ts";
import { FILE_FORMATS_HELP, openSpreadsheet, printHeadline, rejectProblems } from "../import-file.ts";

export function allocationLine(allocation: AllocationChanges): string {
  return `allocation: ${allocation.installments} installment${allocation.installments === 1 ? "" : "s"} changed, ${allocation.plans} plan status${allocation.plans === 1 ? "" : "es"} changed`;
}

export const importPlansCommand: Command = {
  name: "import:plans",
  args: "FILE [--dry-run]",
  summary:
    "Import repayment plans and their installments from the authority's spreadsheet (CSV or Excel .xlsx)",
  help: [
    "Columns: contract_code;plan_code;installment_number;due_date;amount.",
    "         One row per installment; a plan's installments are numbered 1, 2, 3… without",
    "         gaps, with later due dates for later numbers, and amounts above 0.",
    "A file with any bad row changes nothing; every problem is listed as FILE:LINE: problem.",
    "Plans are matched by plan_code; a plan in the file replaces that plan's installments (changed ones",
    "are updated, ones no longer listed removed). Plans not in the file are left alone. Importing the",
    "same file again changes nothing. Payments are then allocated to installments again, oldest first.",
    "",
    "  --dry-run   check the file and show what would change, without changing anything",
    ...FILE_FORMATS_HELP,
  ],
  options: { "dry-run": { type: "boolean" } },
  positionals: ["FILE"],
  async run({ positionals, options, env, io }) {
    const file = positionals[0] as string;
    const parsed = await parsePlansFile(await openSpreadsheet(file, loadConfig(env).importMaxBytes));
    // A file that could not be read as rows at all is rejected without asking the database.
    if (!parsed.ok && parsed.rows.length === 0) rejectProblems(file, parsed.problems);
    const dryRun = options["dry-run"] === true;
    const outcome = await withDatabase(env, (db) =>
      importPlans(db, parsed, { actor: cliActor(env), dryRun }),
    );
    if (!outcome.ok) rejectProblems(file, outcome.problems);
    const { plans, installments, allocation } = outcome.result;
    printHeadline(io, file, parsed.rows.length, dryRun);
    io.out(`plans: ${plans.created} created, ${plans.updated} updated, ${plans.unchanged} unchanged`);
    io.out(
      `installments: ${installments.created} created, ${installments.updated} updated, ${installments.removed} removed, ${installments.unchanged} unchanged`,
    );
    io.out(allocationLine(allocation));
  },
};

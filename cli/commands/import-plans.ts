import { importPlans, parsePlansFile } from "../../core/imports/plans.ts";
import type { AllocationChanges } from "../../core/payments.ts";
import type { Command } from "../command.ts";
import { DRY_RUN_HELP, DRY_RUN_OPTION, FILE_FORMATS_HELP, runImport } from "../import-file.ts";

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
    DRY_RUN_HELP,
    ...FILE_FORMATS_HELP,
  ],
  options: DRY_RUN_OPTION,
  positionals: ["FILE"],
  run: (input) =>
    runImport(input, {
      async read(file) {
        const parsed = await parsePlansFile(file);
        // Rows with problems go on to the database check, which adds its own; no rows at all stop here.
        return { parsed, problems: !parsed.ok && parsed.rows.length === 0 ? parsed.problems : [] };
      },
      async apply(db, parsed, options) {
        const outcome = await importPlans(db, parsed, options);
        if (!outcome.ok) return outcome;
        const { plans, installments, allocation } = outcome.result;
        return {
          ok: true,
          rows: parsed.rows.length,
          lines: [
            `plans: ${plans.created} created, ${plans.updated} updated, ${plans.unchanged} unchanged`,
            `installments: ${installments.created} created, ${installments.updated} updated, ${installments.removed} removed, ${installments.unchanged} unchanged`,
            allocationLine(allocation),
          ],
        };
      },
    }),
};

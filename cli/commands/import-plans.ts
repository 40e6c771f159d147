import { readFile } from "node:fs/promises";
import type { CsvProblem } from "../../core/imports/csv.ts";
import { importPlans, parsePlansFile } from "../../core/imports/plans.ts";
import type { AllocationChanges } from "../../core/payments.ts";
import { type Command, cliActor, InputRejected, type Output } from "../command.ts";
import { withDatabase } from "../database.ts";

const FILE_ERRORS: Record<string, string> = {
  ENOENT: "no such file",
  EISDIR: "is a directory, not a file",
  EACCES: "permission denied",
};

/** Reads the file named on the command line; a file that cannot be read is rejected input (exit 1). */
export async function readInput(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = String((error as { code?: unknown }).code);
    throw new InputRejected([`${file}: cannot read it: ${FILE_ERRORS[code] ?? (error as Error).message}`]);
  }
}

export function rejectProblems(file: string, problems: CsvProblem[]): never {
  throw new InputRejected(problems.map((p) => `${file}:${p.line}: ${p.message}`));
}

export function printHeadline(io: Output, file: string, rows: number, dryRun: boolean): void {
  io.out(
    `${dryRun ? "Checked (nothing changed)" : "Imported"} ${file}: ${rows} row${rows === 1 ? "" : "s"}.`,
  );
}

export function allocationLine(allocation: AllocationChanges): string {
  return `allocation: ${allocation.installments} installment${allocation.installments === 1 ? "" : "s"} changed, ${allocation.plans} plan status${allocation.plans === 1 ? "" : "es"} changed`;
}

export const importPlansCommand: Command = {
  name: "import:plans",
  args: "FILE [--dry-run]",
  summary: "Import repayment plans and their installments from the authority's spreadsheet (CSV)",
  help: [
    "Columns: contract_code;plan_code;installment_number;due_date;amount (UTF-8, ';' or ',' separated,",
    "         header row). One row per installment; a plan's installments are numbered 1, 2, 3… without",
    "         gaps, with later due dates for later numbers, and amounts above 0.",
    "A file with any bad row changes nothing; every problem is listed as FILE:LINE: problem.",
    "Plans are matched by plan_code; a plan in the file replaces that plan's installments (changed ones",
    "are updated, ones no longer listed removed). Plans not in the file are left alone. Importing the",
    "same file again changes nothing. Payments are then allocated to installments again, oldest first.",
    "",
    "  --dry-run   check the file and show what would change, without changing anything",
  ],
  options: { "dry-run": { type: "boolean" } },
  positionals: ["FILE"],
  async run({ positionals, options, env, io }) {
    const file = positionals[0] as string;
    const parsed = parsePlansFile(await readInput(file));
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

// What every import command shares: reading the file named on the command line and reporting.
import { readFile } from "node:fs/promises";
import type { CsvProblem } from "../core/imports/csv.ts";
import type { ImportCounts } from "../core/imports/fields.ts";
import { InputRejected, type Output } from "./command.ts";

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

/** Every problem as FILE:LINE: message, one a line (exit 1). */
export function rejectProblems(file: string, problems: CsvProblem[]): never {
  throw new InputRejected(problems.map((p) => `${file}:${p.line}: ${p.message}`));
}

export function printHeadline(io: Output, file: string, rows: number, dryRun: boolean): void {
  io.out(
    `${dryRun ? "Checked (nothing changed)" : "Imported"} ${file}: ${rows} row${rows === 1 ? "" : "s"}.`,
  );
}

export const countsLine = (label: string, c: ImportCounts) =>
  `${label}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged`;

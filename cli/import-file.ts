// What every import command shares: opening the file named on the command line and reporting.
import { constants, type FileHandle, open } from "node:fs/promises";
import { loadConfig } from "../core/config.ts";
import type { ImportCounts } from "../core/imports/fields.ts";
import type { CsvProblem } from "../core/imports/rows.ts";
import { declaredFormatProblem, peek } from "../core/imports/spreadsheet.ts";
import { InputRejected, type Output } from "./command.ts";

const FILE_ERRORS: Record<string, string> = {
  ENOENT: "no such file",
  EISDIR: "is a directory, not a file",
  EACCES: "permission denied",
};

/** The end of every import command's help: which files it reads. */
export const FILE_FORMATS_HELP: readonly string[] = [
  "",
  "FILE: an Excel workbook (.xlsx; its first worksheet, line numbers are Excel's row numbers) or a",
  "CSV file, UTF-8 or Windows-1252 (as Excel saves \"CSV\"), ';' or ',' separated, optionally with",
  "Excel's sep=; first line. The first non-empty row names the columns, in any order.",
  "Dates: dd/mm/yyyy or yyyy-mm-dd (or a date cell in Excel); amounts: 1.234,56 or 1234.56.",
];

/** Problems printed for one file: the first ones say what is wrong; a file of garbage has millions. */
export const MAX_PRINTED_PROBLEMS = 1000;

const megabytes = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;

/**
 * Opens the file named on the command line for a streamed read: only a regular file (a device such
 * as /dev/zero never ends, a FIFO may never deliver), at most `maxBytes` (IMPORT_MAX_MB) — checked on
 * the open handle, so the file cannot be swapped between the check and the read, and again while
 * reading, in case it grows. A file that cannot be read is rejected input (exit 1).
 */
export async function openInput(
  file: string,
  maxBytes = loadConfig().importMaxBytes,
): Promise<AsyncIterable<Uint8Array>> {
  let handle: FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever before fstat could say.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = String((error as { code?: unknown }).code);
    throw new InputRejected([`${file}: cannot read it: ${FILE_ERRORS[code] ?? (error as Error).message}`]);
  }
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    const what = stats.isDirectory() ? "a directory" : "a device, pipe or socket";
    throw new InputRejected([`${file}: cannot read it: it is ${what}, not a regular file`]);
  }
  const tooLarge = () =>
    new InputRejected([
      `${file}: too large (more than ${megabytes(maxBytes)}; IMPORT_MAX_MB raises the limit, or split the file)`,
    ]);
  if (stats.size > maxBytes) {
    await handle.close();
    throw tooLarge();
  }
  return (async function* () {
    let read = 0;
    try {
      for await (const chunk of handle.createReadStream({ highWaterMark: 256 * 1024, autoClose: false })) {
        read += (chunk as Buffer).length;
        if (read > maxBytes) throw tooLarge();
        yield chunk as Buffer;
      }
    } finally {
      await handle.close();
    }
  })();
}

/**
 * Opens a spreadsheet for an import (CSV or .xlsx, told apart by content), as openInput does, and
 * refuses at once a file whose name says .xlsx but whose content is not a workbook.
 */
export async function openSpreadsheet(file: string, maxBytes: number): Promise<AsyncIterable<Uint8Array>> {
  const peeked = await peek(await openInput(file, maxBytes));
  const problem = declaredFormatProblem(file, peeked.head);
  if (problem) {
    await peeked.abandon();
    throw new InputRejected([`${file}: ${problem}`]);
  }
  return peeked.input;
}

/** The whole of a small file (a broadcast's texts), with the same checks as a spreadsheet. */
export async function readInput(file: string, maxBytes?: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await openInput(file, maxBytes)) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Every problem as FILE:LINE: message, one a line (exit 1); the first MAX_PRINTED_PROBLEMS of them. */
export function rejectProblems(file: string, problems: CsvProblem[]): never {
  const lines = problems.slice(0, MAX_PRINTED_PROBLEMS).map((p) => `${file}:${p.line}: ${p.message}`);
  if (problems.length > MAX_PRINTED_PROBLEMS) {
    lines.push(`${file}: and ${problems.length - MAX_PRINTED_PROBLEMS} more problems`);
  }
  throw new InputRejected(lines);
}

export function printHeadline(io: Output, file: string, rows: number, dryRun: boolean): void {
  io.out(
    `${dryRun ? "Checked (nothing changed)" : "Imported"} ${file}: ${rows} row${rows === 1 ? "" : "s"}.`,
  );
}

export const countsLine = (label: string, c: ImportCounts) =>
  `${label}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged`;

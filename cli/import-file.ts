// What every import command shares: opening the file named on the command line and reporting.
import { constants, type FileHandle, open } from "node:fs/promises";
import { loadConfig } from "../core/config.ts";
import type { Db } from "../core/db/client.ts";
import type { ImportCounts } from "../core/imports/fields.ts";
import { MAX_SHOWN_PROBLEMS } from "../core/imports/kinds.ts";
import type { CsvProblem } from "../core/imports/rows.ts";
import { declaredFormatProblem, peek } from "../core/imports/spreadsheet.ts";
import { type CommandInput, cliActor, InputRejected, type Output } from "./command.ts";
import { withDatabase } from "./database.ts";

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

/** Problems printed for one file: as many as the admin panel shows. */
export const MAX_PRINTED_PROBLEMS = MAX_SHOWN_PROBLEMS;

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

/** What an import did (or, in a dry run, would do), or every problem that kept it from changing anything. */
export type ImportReport =
  | { ok: true; rows: number; lines: string[] }
  | { ok: false; problems: CsvProblem[] };

/** The `--dry-run` option and its help line, the same for every import command. */
export const DRY_RUN_OPTION = { "dry-run": { type: "boolean" } } as const;
export const DRY_RUN_HELP =
  "  --dry-run   check the file and show what would change, without changing anything";

/**
 * Every import command: the file opened as a spreadsheet, read and, unless `--dry-run`, applied in
 * one transaction by `apply`; every problem printed (exit 1) or the headline and `apply`'s lines.
 * `read`, when given, reads the whole file first, so one that cannot be read as rows at all is
 * rejected without asking the database.
 */
export async function runImport<Read = AsyncIterable<Uint8Array>>(
  { positionals, options, env, io }: CommandInput,
  steps: {
    read?: (input: AsyncIterable<Uint8Array>) => Promise<{ parsed: Read; problems?: CsvProblem[] }>;
    apply: (
      db: Db,
      read: Read,
      options: { actor: ReturnType<typeof cliActor>; dryRun: boolean },
    ) => Promise<ImportReport>;
  },
): Promise<void> {
  const file = positionals[0] as string;
  const input = await openSpreadsheet(file, loadConfig(env).importMaxBytes);
  let read: Read;
  if (steps.read) {
    const { parsed, problems } = await steps.read(input);
    if (problems?.length) rejectProblems(file, problems);
    read = parsed;
  } else {
    read = input as Read;
  }
  const dryRun = options["dry-run"] === true;
  const report = await withDatabase(env, (db) => steps.apply(db, read, { actor: cliActor(env), dryRun }));
  if (!report.ok) rejectProblems(file, report.problems);
  printHeadline(io, file, report.rows, dryRun);
  for (const line of report.lines) io.out(line);
}

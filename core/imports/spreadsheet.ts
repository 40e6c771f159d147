// One reader for every import: a spreadsheet is an Excel workbook (.xlsx) or a CSV file, told apart
// by its first bytes (not by its name, which a download or a rename may have changed), and read as a
// stream either way. Files that are neither get one clear line instead of a screen of header errors.
import { readCsv } from "./csv.ts";
import { type CsvColumns, type CsvInput, type CsvResult, chunksOf, type OnRow, rejected } from "./rows.ts";
import { readXlsx } from "./xlsx.ts";

export type { CsvInput, CsvProblem, CsvResult, CsvRow } from "./rows.ts";

/** Enough of the start of a file to tell what it is (an OpenDocument's mimetype entry included). */
const HEAD_BYTES = 128;

const startsWith = (head: Uint8Array, bytes: readonly number[]) => bytes.every((byte, i) => head[i] === byte);
/** Every ZIP archive, an .xlsx included, starts with a local file header. */
const ZIP = [0x50, 0x4b, 0x03, 0x04];
/** Excel 97–2003 (.xls) and other Office binary files. */
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const UTF16_LE = [0xff, 0xfe];
const UTF16_BE = [0xfe, 0xff];

export type SpreadsheetKind = "xlsx" | "csv" | { refused: string };

/** What the first bytes of a file say it is. */
export function spreadsheetKind(head: Uint8Array): SpreadsheetKind {
  if (startsWith(head, ZIP)) {
    // LibreOffice's own format is a ZIP too, whose first entry names it.
    if (Buffer.from(head).includes("application/vnd.oasis.opendocument")) {
      return { refused: "an OpenDocument file (.ods): save it as Excel (.xlsx) or CSV" };
    }
    return "xlsx";
  }
  if (startsWith(head, OLE)) {
    return { refused: "an Excel 97-2003 workbook (.xls): save it as Excel Workbook (.xlsx) or CSV" };
  }
  if (startsWith(head, UTF16_LE) || startsWith(head, UTF16_BE)) {
    return { refused: 'UTF-16 text (Excel\'s "Unicode text"): save it as "CSV UTF-8" or as .xlsx' };
  }
  return "csv";
}

/**
 * A file named .xlsx must be a workbook: read as CSV, a damaged or mislabelled one would only give
 * confusing header errors. Null when the name and the content agree (or the name says nothing).
 */
export function declaredFormatProblem(fileName: string, head: Uint8Array): string | null {
  if (!/\.xlsx$/i.test(fileName)) return null;
  if (spreadsheetKind(head) === "xlsx") return null;
  return "the name ends in .xlsx but this is not an Excel workbook (open it in Excel and save it as .xlsx)";
}

/** The first bytes of a stream, and the whole stream again (those bytes included). */
export async function peek(
  input: CsvInput,
  size = HEAD_BYTES,
): Promise<{ head: Uint8Array; input: AsyncIterable<Uint8Array>; abandon: () => Promise<void> }> {
  const iterator = chunksOf(input)[Symbol.asyncIterator]();
  const read: Uint8Array[] = [];
  let length = 0;
  let done = false;
  while (length < size) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    read.push(next.value);
    length += next.value.length;
  }
  const head = Buffer.concat(read).subarray(0, size);
  return {
    head,
    input: (async function* () {
      yield* read;
      if (done) return;
      // The rest, from the same iterator: a file is read once.
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    })(),
    // Not read on: the source still closes its file.
    abandon: async () => {
      if (!done) await iterator.return?.();
    },
  };
}

/**
 * Reads a spreadsheet, CSV or .xlsx, whose header must name exactly `columns` (in any order): rows
 * keyed by column, trimmed, with their line (CSV) or row (Excel) number; every problem by line.
 * `onRow` takes each row as it is read instead of keeping it (see readCsv).
 */
export async function readSpreadsheet<C extends string>(
  input: CsvInput,
  columns: CsvColumns<C>,
  onRow?: OnRow<C>,
): Promise<CsvResult<C>> {
  const peeked = await peek(input);
  const kind = spreadsheetKind(peeked.head);
  if (kind === "xlsx") return readXlsx(peeked.input, columns, onRow);
  if (kind === "csv") return readCsv(peeked.input, columns, onRow);
  await peeked.abandon();
  return rejected(1, kind.refused);
}

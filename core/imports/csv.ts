// Reads the authority's spreadsheets saved as CSV (DESIGN.md, "Spreadsheets from the authority"):
// UTF-8 with or without a byte-order mark, or Windows-1252 as Excel's Italian "CSV (delimitato dal
// separatore di elenco)" saves it; `;` or `,` separated, optionally announced by a `sep=;` first line
// (Excel writes and reads it); a header row naming the columns. It checks the shape of the file only;
// each importer checks the values. Problems carry the real line number in the file, so an operator
// can open it at that line.
//
// The file is read as a stream, a line at a time: neither its bytes nor its text are ever held
// whole, so memory grows with the rows kept, not with the file (a 400,000-row file once took 2 GB).
import { parse } from "csv-parse";
import {
  type CsvColumns,
  type CsvInput,
  type CsvProblem,
  type CsvResult,
  chunksOf,
  type OnRow,
  rejected,
  rowCollector,
} from "./rows.ts";

export type { CsvColumns, CsvInput, CsvProblem, CsvResult, CsvRow } from "./rows.ts";

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = "\r";
const UTF8_BOM = [0xef, 0xbb, 0xbf];
/** Excel's optional first line naming the separator: `sep=;` (sometimes in quotes). */
const SEP_LINE = /^"?sep=(.?)"?$/i;

/** `;` unless the header line has more commas than semicolons. */
function detectDelimiter(header: string): ";" | "," {
  const count = (char: string) => header.split(char).length - 1;
  return count(",") > count(";") ? "," : ";";
}

type TextLine = { line: number; text: string };
type BadLine = { badLine: number; message: string };

/**
 * How the file's bytes become text. UTF-8 and Windows-1252 read ASCII the same, so the file is
 * "undecided" until its first line with other bytes: valid UTF-8 there means UTF-8 for the whole
 * file; invalid UTF-8 means Windows-1252 (Excel's Italian CSV: "è" is the lone byte 0xE8, never valid
 * UTF-8 before an ASCII letter) for the whole file, the lines before being the same either way. A
 * later line that is not UTF-8 in a UTF-8 file is a file mixing two encodings: rejected at that line.
 */
function lineDecoder(): (bytes: Uint8Array, line: number) => TextLine | BadLine {
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const cp1252 = new TextDecoder("windows-1252");
  let encoding: "undecided" | "utf-8" | "windows-1252" = "undecided";
  let first = true;
  return (bytes, line) => {
    if (first && UTF8_BOM.every((byte, i) => bytes[i] === byte)) encoding = "utf-8";
    first = false;
    // No text has a NUL byte; a binary file (a PDF, a picture) read as Windows-1252 would give
    // garbage "columns" instead of this.
    if (bytes.includes(0)) {
      return { badLine: line, message: "not a text file: a CSV or an Excel workbook (.xlsx) is expected" };
    }
    if (encoding === "windows-1252") return { line, text: cp1252.decode(bytes) };
    try {
      // A byte-order mark at the start is dropped by the decoder.
      const text = utf8.decode(bytes);
      if (encoding === "undecided" && bytes.some((byte) => byte > 0x7f)) encoding = "utf-8";
      return { line, text };
    } catch {
      if (encoding === "utf-8") {
        return {
          badLine: line,
          message:
            'not UTF-8 text, though the lines before it are: the file mixes two encodings (save it again as "CSV UTF-8")',
        };
      }
      encoding = "windows-1252";
      return { line, text: cp1252.decode(bytes) };
    }
  };
}

/**
 * The file's lines as text, numbered as an editor numbers them: "\r\n", "\n" and a lone "\r" each
 * end a line. Each line is decoded on its own (0x0A never occurs inside a UTF-8 multi-byte sequence,
 * and Windows-1252 has one byte per character), so a bad byte is reported on its line. A "\r\n"
 * split across two chunks is one break.
 */
async function* textLines(input: CsvInput): AsyncGenerator<TextLine | BadLine> {
  const decode = lineDecoder();
  let line = 1;
  let pending: Uint8Array[] = [];
  function* split(bytes: Uint8Array): Generator<TextLine | BadLine> {
    const decoded = decode(bytes, line);
    if ("badLine" in decoded) {
      yield decoded;
      return;
    }
    let text = decoded.text;
    if (text.endsWith(CARRIAGE_RETURN)) text = text.slice(0, -1);
    // A lone carriage return (old Mac files) ends a line too.
    for (const part of text.split(CARRIAGE_RETURN)) yield { line: line++, text: part };
  }
  for await (const chunk of chunksOf(input)) {
    let start = 0;
    for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, i);
      const bytes = pending.length ? Buffer.concat([...pending, piece]) : piece;
      pending = [];
      for (const item of split(bytes)) {
        yield item;
        if ("badLine" in item) return;
      }
      start = i + 1;
    }
    // Copied: the reader may reuse its buffer for the next chunk.
    if (start < chunk.length) pending.push(Uint8Array.prototype.slice.call(chunk, start));
  }
  const last = Buffer.concat(pending);
  if (last.length > 0) for (const item of split(last)) yield item;
}

type CsvParseError = Error & { code?: string; lines?: number };

function quoteProblem(error: CsvParseError, recordStart: number | null): CsvProblem {
  if (error.code === "CSV_QUOTE_NOT_CLOSED") {
    // The parser only notices at the end of the file; the broken field is in the record that was
    // still open, which started on the first non-empty line after the last good record.
    return {
      line: recordStart ?? error.lines ?? 1,
      message: 'a quoted field starts on this line and is never closed (a missing ")',
    };
  }
  if (error.code === "CSV_INVALID_CLOSING_QUOTE") {
    return {
      line: error.lines ?? 1,
      message: 'text after the closing quote of a field (inside quotes, write a quote as "")',
    };
  }
  if (error.code === "INVALID_OPENING_QUOTE") {
    return {
      line: error.lines ?? 1,
      message: 'a quote inside a field (put the whole field in quotes and write the quote as "")',
    };
  }
  return { line: error.lines ?? 1, message: `not a readable CSV line (${error.message})` };
}

type Parser = ReturnType<typeof parse>;

/**
 * Reads a CSV file whose header must name exactly `columns` (in any order). Rows come back keyed by
 * column, trimmed, with their line number; lines that are empty (or hold only separators) are skipped.
 */
export async function readCsv<C extends string>(
  input: CsvInput,
  columns: CsvColumns<C>,
  /**
   * Takes each row as it is read, instead of `rows`: an importer that checks rows one at a time then
   * keeps only what it made of them (a 100,000-row file need not be held twice).
   */
  onRow?: OnRow<C>,
): Promise<CsvResult<C>> {
  const collector = rowCollector(columns, "exact", onRow);
  // csv-parse says on which line a record ends, and only once it has read the next line. A record
  // starts on the first non-empty line after the one before it ended: kept here are that line and the
  // last few fed (enough for the parser's lag of one line), not every line of a long quoted field.
  let starts: number[] = [];
  const noteStart = (line: number) => {
    starts.push(line);
    if (starts.length > 4) starts.splice(1, 1);
  };

  const onRecord = (record: string[], context: { lines: number }): null => {
    const end = context.lines;
    const line = starts[0] ?? end;
    starts = starts.filter((l) => l > end);
    // Work an importer starts for a row (writing a batch) is awaited before the next line is read.
    const work = collector.add({ line, cells: record.map((cell) => cell.trim()) });
    if (work) pending.push(work);
    // Nothing goes on down the stream: the rows are kept by the collector, the parser holds no copies.
    return null;
  };

  const pending: Promise<void>[] = [];
  let parser: Parser | undefined;
  // Lines up to the first one with text: the delimiter is read from that line (the header), or
  // given by a `sep=` line before it.
  const waiting: TextLine[] = [];
  let announced: ";" | "," | undefined;
  const feed = (into: Parser, item: TextLine): void => {
    if (item.text !== "") noteStart(item.line);
    // The parser works synchronously inside write(): records are handled before write returns.
    into.write(`${item.text}\n`);
  };

  for await (const item of textLines(input)) {
    if ("badLine" in item) return rejected(item.badLine, item.message);
    if (!parser) {
      const text = item.text.trim();
      const sep =
        announced === undefined && waiting.every((w) => w.text.trim() === "") && SEP_LINE.exec(text);
      if (sep) {
        const char = sep[1];
        if (char !== ";" && char !== ",") {
          return rejected(item.line, `${text}: only ';' or ',' can separate the columns`);
        }
        announced = char;
        // Fed as an empty line, so the parser's line count stays the file's.
        waiting.push({ line: item.line, text: "" });
        continue;
      }
      waiting.push(item);
      if (text === "") continue;
      parser = parse({
        delimiter: announced ?? detectDelimiter(item.text),
        record_delimiter: "\n",
        skip_empty_lines: true,
        relax_column_count: true, // wrong field counts are reported per line, not as a crash
        on_record: onRecord,
      });
      parser.on("error", () => undefined); // read from `errored` below
      for (const early of waiting.splice(0)) feed(parser, early);
    } else {
      feed(parser, item);
    }
    if (pending.length) await Promise.all(pending.splice(0));
    if (parser.errored) {
      return { ok: false, problems: [quoteProblem(parser.errored, starts[0] ?? null)], rows: [] };
    }
    if (collector.headerProblems) return collector.finish();
  }
  if (!parser) return rejected(1, "the file is empty");
  const ended = parser;
  const error = await new Promise<CsvParseError | null>((resolve) => {
    ended.once("error", (e: CsvParseError) => resolve(e));
    ended.once("finish", () => resolve(null));
    ended.end();
    ended.resume();
  });
  if (pending.length) await Promise.all(pending.splice(0));
  if (error) return { ok: false, problems: [quoteProblem(error, starts[0] ?? null)], rows: [] };
  return collector.finish();
}

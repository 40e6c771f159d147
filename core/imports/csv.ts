// Reads the authority's spreadsheets (DESIGN.md, "Spreadsheets from the authority"): UTF-8 with or
// without a byte-order mark, `;` or `,` separated, a header row naming the columns. It checks the
// shape of the file only; each importer checks the values. Problems carry the real line number in
// the file, so an operator can open it at that line.
//
// The file is read as a stream, a line at a time: neither its bytes nor its text are ever held
// whole, so memory grows with the rows kept, not with the file (a 400,000-row file once took 2 GB).
import { parse } from "csv-parse";

export type CsvProblem = { line: number; message: string };
export type CsvRow<C extends string> = { line: number; values: Record<C, string> };
/**
 * When the file is rejected, `rows` still holds the rows that could be read, so an importer can
 * check their values too and report every problem of the file at once.
 */
export type CsvResult<C extends string> =
  | { ok: true; rows: CsvRow<C>[] }
  | { ok: false; problems: CsvProblem[]; rows: CsvRow<C>[] };
/** The whole file in memory (tests, the demo's own file), or its chunks as they are read. */
export type CsvInput = Uint8Array | AsyncIterable<Uint8Array>;

/** A file of garbage must not fill memory with its problems either: the first ones say enough. */
export const MAX_PROBLEMS = 1000;

const BOM = "\uFEFF";
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = "\r";

/** `;` unless the header line has more commas than semicolons. */
function detectDelimiter(header: string): ";" | "," {
  const count = (char: string) => header.split(char).length - 1;
  return count(",") > count(";") ? "," : ";";
}

/**
 * The file's lines as text, numbered as an editor numbers them: "\r\n", "\n" and a lone "\r" each
 * end a line. Each line is checked as UTF-8 on its own (0x0A never occurs inside a multi-byte
 * sequence), so a bad byte is reported on its line. A "\r\n" split across two chunks is one break.
 */
async function* textLines(
  input: CsvInput,
): AsyncGenerator<{ line: number; text: string } | { badLine: number }> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const chunks: AsyncIterable<Uint8Array> =
    input instanceof Uint8Array
      ? (async function* () {
          yield input;
        })()
      : input;
  let line = 1;
  let pending: Uint8Array[] = [];
  let first = true;
  function* split(bytes: Uint8Array): Generator<{ line: number; text: string } | { badLine: number }> {
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      yield { badLine: line };
      return;
    }
    if (first && text.startsWith(BOM)) text = text.slice(BOM.length);
    first = false;
    if (text.endsWith(CARRIAGE_RETURN)) text = text.slice(0, -1);
    // A lone carriage return (old Mac files) ends a line too.
    for (const part of text.split(CARRIAGE_RETURN)) yield { line: line++, text: part };
  }
  for await (const chunk of chunks) {
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

/** The columns a file must have, and those it may have (their cells read as "" when absent). */
export type CsvColumns<C extends string, O extends string = never> =
  | readonly C[]
  | { required: readonly C[]; optional: readonly O[] };

function checkHeader<C extends string>(
  header: Parsed,
  columns: readonly C[],
  optional: readonly C[],
): { ok: true; positions: Map<C, number> } | { ok: false; problems: CsvProblem[] } {
  const names = header.cells.map((cell) => cell.toLowerCase());
  const expected = new Set<string>([...columns, ...optional]);
  const seen = new Set<string>();
  const duplicate = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) duplicate.add(name);
    seen.add(name);
  }
  const missing = columns.filter((column) => !seen.has(column));
  const unknown = [...seen].filter((name) => name !== "" && !expected.has(name));
  const messages: string[] = [];
  if (names.length === 1 && columns.length > 1) {
    messages.push("the header has a single column: separate the column names with ';' or ','");
  } else {
    if (missing.length)
      messages.push(`missing column${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}`);
    if (unknown.length)
      messages.push(
        `unknown column${unknown.length > 1 ? "s" : ""}: ${unknown.map((n) => `"${n}"`).join(", ")}`,
      );
    if (seen.has("")) messages.push("a column without a name (a separator too many?)");
    if (duplicate.size)
      messages.push(`column${duplicate.size > 1 ? "s" : ""} named twice: ${[...duplicate].join(", ")}`);
  }
  if (messages.length) {
    const more = optional.length ? ` (optional: ${optional.join(";")})` : "";
    messages.push(`expected header: ${columns.join(";")}${more}`);
    return { ok: false, problems: messages.map((message) => ({ line: header.line, message })) };
  }
  const present = [...columns, ...optional].filter((column) => seen.has(column));
  return { ok: true, positions: new Map(present.map((column) => [column, names.indexOf(column)])) };
}

function rejected(line: number, message: string): { ok: false; problems: CsvProblem[]; rows: [] } {
  return { ok: false, problems: [{ line, message }], rows: [] };
}

type Parsed = { line: number; cells: string[] };
type Parser = ReturnType<typeof parse>;

/**
 * Reads a CSV file whose header must name exactly `columns` (in any order). Rows come back keyed by
 * column, trimmed, with their line number; lines that are empty (or hold only separators) are skipped.
 */
export async function readCsv<C extends string, O extends string = never>(
  input: CsvInput,
  spec: CsvColumns<C, O>,
  /**
   * Takes each row as it is read, instead of `rows`: an importer that checks rows one at a time then
   * keeps only what it made of them (a 100,000-row file need not be held twice).
   */
  onRow?: (row: CsvRow<C | O>) => void | Promise<void>,
): Promise<CsvResult<C | O>> {
  const columns: readonly (C | O)[] = "required" in spec ? spec.required : spec;
  const optional: readonly (C | O)[] = "required" in spec ? spec.optional : [];
  const problems: CsvProblem[] = [];
  const rows: CsvRow<C | O>[] = [];
  let header: Parsed | undefined;
  let positions: Map<C | O, number> | undefined;
  let headerProblems: CsvProblem[] | undefined;
  let dataRows = 0;
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
    const cells = record.map((cell) => cell.trim());
    if (!cells.some((cell) => cell !== "")) return null;
    if (!header) {
      header = { line, cells };
      const checked = checkHeader(header, columns, optional);
      if (checked.ok) positions = checked.positions;
      else headerProblems = checked.problems;
      return null;
    }
    if (!positions) return null;
    dataRows++;
    if (cells.length !== positions.size) {
      problems.push({
        line,
        message: `${cells.length} fields instead of ${positions.size} (a separator too many or missing?)`,
      });
      return null;
    }
    const values = {} as Record<C | O, string>;
    for (const column of optional) values[column] = "";
    for (const [column, position] of positions) values[column] = cells[position] ?? "";
    if (onRow) {
      // Work an importer starts for a row (writing a batch) is awaited before the next line is read.
      const work = onRow({ line, values });
      if (work) pending.push(work);
    } else {
      rows.push({ line, values });
    }
    // Nothing goes on down the stream: the rows are kept here, and the parser holds no copies.
    return null;
  };

  const pending: Promise<void>[] = [];
  let parser: Parser | undefined;
  // Lines up to the first one with text: the delimiter is read from that line, the header.
  const waiting: { line: number; text: string }[] = [];
  const feed = (into: Parser, item: { line: number; text: string }): void => {
    if (item.text !== "") noteStart(item.line);
    // The parser works synchronously inside write(): records are handled before write returns.
    into.write(`${item.text}\n`);
  };

  for await (const item of textLines(input)) {
    if ("badLine" in item) return rejected(item.badLine, 'not UTF-8 text (save the file as "CSV UTF-8")');
    if (!parser) {
      waiting.push(item);
      if (item.text.trim() === "") continue;
      parser = parse({
        delimiter: detectDelimiter(item.text),
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
    // A bad header: the rest of the file cannot be read against it, so it is not read at all.
    if (headerProblems) return { ok: false, problems: headerProblems, rows: [] };
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
  if (headerProblems) return { ok: false, problems: headerProblems, rows: [] };
  if (!header) return rejected(1, "the file is empty");
  if (dataRows === 0) return rejected(header.line, "no rows after the header");
  return problems.length ? { ok: false, problems, rows } : { ok: true, rows };
}

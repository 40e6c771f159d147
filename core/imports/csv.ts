// Reads the authority's spreadsheets (DESIGN.md, "Spreadsheets from the authority"): UTF-8 with or
// without a byte-order mark, `;` or `,` separated, a header row naming the columns. It checks the
// shape of the file only; each importer checks the values. Problems carry the real line number in
// the file, so an operator can open it at that line.
import { parse } from "csv-parse/sync";

export type CsvProblem = { line: number; message: string };
export type CsvRow<C extends string> = { line: number; values: Record<C, string> };
/**
 * When the file is rejected, `rows` still holds the rows that could be read, so an importer can
 * check their values too and report every problem of the file at once.
 */
export type CsvResult<C extends string> =
  | { ok: true; rows: CsvRow<C>[] }
  | { ok: false; problems: CsvProblem[]; rows: CsvRow<C>[] };

const BOM = "\uFEFF";
const NEWLINE = 0x0a;

/** The line of the first byte sequence that is not UTF-8, or null when the whole buffer is UTF-8. */
function firstNonUtf8Line(input: Uint8Array): number | null {
  // 0x0A never occurs inside a multi-byte UTF-8 sequence, so lines can be checked one by one.
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let line = 1;
  let start = 0;
  for (let i = 0; i <= input.length; i++) {
    if (i < input.length && input[i] !== NEWLINE) continue;
    try {
      decoder.decode(input.subarray(start, i));
    } catch {
      return line;
    }
    line++;
    start = i + 1;
  }
  return null;
}

/** `;` unless the header line has more commas than semicolons. */
function detectDelimiter(text: string): ";" | "," {
  const header = text.split("\n").find((line) => line.trim() !== "") ?? "";
  const count = (char: string) => header.split(char).length - 1;
  return count(",") > count(";") ? "," : ";";
}

type Parsed = { line: number; cells: string[] };

/**
 * csv-parse reports the line a record ends on; a quoted field may span lines, and skipped empty
 * lines are part of the next record's raw text. Count back to the line the record starts on.
 */
function startLine(endLine: number, raw: string): number {
  const body = raw.endsWith("\n") ? raw.slice(0, -1) : raw;
  const newlines = body.split("\n").length - 1;
  const leadingEmpty = body.length - body.replace(/^\n+/, "").length;
  return endLine - newlines + leadingEmpty;
}

type CsvParseError = Error & { code?: string; lines?: number };

function quoteProblem(error: CsvParseError, text: string, lastRecordEnd: number): CsvProblem {
  if (error.code === "CSV_QUOTE_NOT_CLOSED") {
    // The parser only notices at the end of the file; the broken field is in the first record after
    // the last good one, which starts on the first non-empty line after it.
    const lines = text.split("\n");
    let line = lastRecordEnd + 1;
    while (lines[line - 1] === "") line++;
    return { line, message: 'a quoted field starts on this line and is never closed (a missing ")' };
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

function parseRecords(
  text: string,
  delimiter: string,
): { ok: true; records: Parsed[] } | { ok: false; problem: CsvProblem } {
  let lastRecordEnd = 0;
  try {
    const records = parse(text, {
      delimiter,
      record_delimiter: "\n",
      info: true,
      raw: true,
      skip_empty_lines: true,
      relax_column_count: true, // wrong field counts are reported per line below, not as a crash
      on_record: (record, context) => {
        lastRecordEnd = context.lines;
        return record;
      },
    }) as unknown as { record: string[]; info: { lines: number }; raw: string }[];
    return {
      ok: true,
      records: records.map((r) => ({
        line: startLine(r.info.lines, r.raw),
        cells: r.record.map((c) => c.trim()),
      })),
    };
  } catch (error) {
    return { ok: false, problem: quoteProblem(error as CsvParseError, text, lastRecordEnd) };
  }
}

function checkHeader<C extends string>(
  header: Parsed,
  columns: readonly C[],
): { ok: true; positions: Map<C, number> } | { ok: false; problems: CsvProblem[] } {
  const names = header.cells.map((cell) => cell.toLowerCase());
  const expected = new Set<string>(columns);
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
    messages.push(`expected header: ${columns.join(";")}`);
    return { ok: false, problems: messages.map((message) => ({ line: header.line, message })) };
  }
  return { ok: true, positions: new Map(columns.map((column) => [column, names.indexOf(column)])) };
}

function rejected(line: number, message: string): { ok: false; problems: CsvProblem[]; rows: [] } {
  return { ok: false, problems: [{ line, message }], rows: [] };
}

/**
 * Reads a CSV file whose header must name exactly `columns` (in any order). Rows come back keyed by
 * column, trimmed, with their line number; lines that are empty (or hold only separators) are skipped.
 */
export function readCsv<C extends string>(input: Uint8Array, columns: readonly C[]): CsvResult<C> {
  const badLine = firstNonUtf8Line(input);
  if (badLine !== null) return rejected(badLine, 'not UTF-8 text (save the file as "CSV UTF-8")');
  let text = new TextDecoder("utf-8").decode(input);
  if (text.startsWith(BOM)) text = text.slice(BOM.length);
  // One line ending for the parser; every kind of line break still counts as one line.
  text = text.replace(/\r\n?/g, "\n");
  if (text.trim() === "") return rejected(1, "the file is empty");

  const parsed = parseRecords(text, detectDelimiter(text));
  if (!parsed.ok) return { ok: false, problems: [parsed.problem], rows: [] };
  const records = parsed.records.filter((record) => record.cells.some((cell) => cell !== ""));
  const [header, ...data] = records;
  if (!header) return rejected(1, "the file is empty");

  const checked = checkHeader(header, columns);
  if (!checked.ok) return { ok: false, problems: checked.problems, rows: [] };
  if (data.length === 0) return rejected(header.line, "no rows after the header");

  const problems: CsvProblem[] = [];
  const rows: CsvRow<C>[] = [];
  for (const record of data) {
    if (record.cells.length !== columns.length) {
      problems.push({
        line: record.line,
        message: `${record.cells.length} fields instead of ${columns.length} (a separator too many or missing?)`,
      });
      continue;
    }
    const values = {} as Record<C, string>;
    for (const [column, position] of checked.positions) values[column] = record.cells[position] ?? "";
    rows.push({ line: record.line, values });
  }
  return problems.length ? { ok: false, problems, rows } : { ok: true, rows };
}

// What every spreadsheet reader shares once a file is cells: the header must name exactly the
// expected columns (in any order, any case), and each row after it comes back keyed by column with
// its line number (the CSV file's line, the Excel sheet's row number). Empty rows are skipped.

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
/** Takes each row as it is read; work it returns is awaited before the next row is read. */
export type OnRow<C extends string> = (row: CsvRow<C>) => void | Promise<void>;

/** The columns a file must have, and those it may have (their cells read as "" when absent). */
export type CsvColumns<C extends string> = readonly C[] | { required: readonly C[]; optional: readonly C[] };

/** One line of cells as a reader found it, trimmed. */
export type Cells = { line: number; cells: string[] };

function checkHeader<C extends string>(
  header: Cells,
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

/**
 * How a reader's row that does not have one cell per column is reported. A CSV row must have exactly
 * as many fields as the header (a missing or extra separator shifts every value after it); an Excel
 * row simply leaves empty cells out, so only a value beyond the header's columns is a problem.
 */
export type CellCount = "exact" | "up-to-header";

/** A–Z, AA…: the column letters Excel shows. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let letters = "";
  while (n > 0) {
    const rest = (n - 1) % 26;
    letters = String.fromCharCode(65 + rest) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

export function rowCollector<C extends string>(spec: CsvColumns<C>, cellCount: CellCount, onRow?: OnRow<C>) {
  const columns: readonly C[] = "required" in spec ? spec.required : spec;
  const optional: readonly C[] = "required" in spec ? spec.optional : [];
  const problems: CsvProblem[] = [];
  const rows: CsvRow<C>[] = [];
  let header: Cells | undefined;
  let positions: Map<C, number> | undefined;
  let headerProblems: CsvProblem[] | undefined;
  let dataRows = 0;

  const countProblem = (cells: string[]): string | null => {
    // As many as the header names: the required columns and the optional ones the file has.
    const width = header?.cells.length ?? columns.length;
    if (cellCount === "exact") {
      return cells.length === width
        ? null
        : `${cells.length} fields instead of ${width} (a separator too many or missing?)`;
    }
    const beyond = cells.findIndex((cell, i) => i >= width && cell !== "");
    return beyond === -1
      ? null
      : `a value in column ${columnLetter(beyond)}, which has no name in the header (the header has ${width} columns)`;
  };

  return {
    /** A bad header: the rest of the file cannot be read against it, so the reader stops. */
    get headerProblems(): CsvProblem[] | undefined {
      return headerProblems;
    },
    get hasHeader(): boolean {
      return header !== undefined;
    },
    /** Returns the work `onRow` started for the row, for the reader to await before reading on. */
    add(record: Cells): void | Promise<void> {
      const cells = record.cells;
      if (!cells.some((cell) => cell !== "")) return;
      if (!header) {
        header = record;
        const checked = checkHeader(header, columns, optional);
        if (checked.ok) positions = checked.positions;
        else headerProblems = checked.problems;
        return;
      }
      if (!positions) return;
      dataRows++;
      const problem = countProblem(cells);
      if (problem) {
        problems.push({ line: record.line, message: problem });
        return;
      }
      const values = {} as Record<C, string>;
      for (const column of optional) values[column] = "";
      for (const [column, position] of positions) values[column] = cells[position] ?? "";
      if (onRow) return onRow({ line: record.line, values });
      rows.push({ line: record.line, values });
    },
    /** The outcome once every record has been added. */
    finish(): CsvResult<C> {
      if (headerProblems) return { ok: false, problems: headerProblems, rows: [] };
      if (!header) return rejected(1, "the file is empty");
      if (dataRows === 0) return rejected(header.line, "no rows after the header");
      return problems.length ? { ok: false, problems, rows } : { ok: true, rows };
    },
  };
}

export function rejected(line: number, message: string): { ok: false; problems: CsvProblem[]; rows: [] } {
  return { ok: false, problems: [{ line, message }], rows: [] };
}

/** Chunks as an async iterable, whichever way they came. */
export function chunksOf(input: CsvInput): AsyncIterable<Uint8Array> {
  return input instanceof Uint8Array
    ? (async function* () {
        yield input;
      })()
    : input;
}

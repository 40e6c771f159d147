// Reads the authority's spreadsheets saved as Excel workbooks (.xlsx): the first worksheet, its
// first non-empty row the header, each row numbered as Excel numbers it. The workbook is unzipped
// and parsed as a stream by exceljs's streaming reader (rows are never all in memory; its shared
// strings are), and each cell becomes the text the importers check, as a CSV cell would be:
// real Excel dates as yyyy-mm-dd (or yyyy-mm-dd hh:mm with a time of day), numbers as 1234.56.
import { Readable } from "node:stream";
import type ExcelJS from "exceljs";
import {
  type CsvColumns,
  type CsvInput,
  type CsvResult,
  chunksOf,
  type OnRow,
  rejected,
  rowCollector,
} from "./rows.ts";

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** Excel's day 0 of the 1900 date system, in Unix time: 30/12/1899. */
const EXCEL_EPOCH_DAYS = 25_569;

/** Excel's rule for a date format: d, m, y, h or s outside quoted text and [colour] brackets. */
function isDateFormat(format: string | undefined): boolean {
  if (!format) return false;
  return /[ymdhsb]/i.test(format.replace(/\[[^\]]*]/g, "").replace(/"[^"]*"/g, ""));
}

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * An Excel date cell is a wall-clock time with no zone, which exceljs gives as that time in UTC.
 * Rounded to the minute (a serial number's fraction of a day is rarely exact).
 */
function dateText(date: Date): string {
  const time = date.getTime();
  if (Number.isNaN(time)) return "";
  const rounded = new Date(Math.round(time / MINUTE_MS) * MINUTE_MS);
  const day = `${rounded.getUTCFullYear()}-${pad(rounded.getUTCMonth() + 1)}-${pad(rounded.getUTCDate())}`;
  const ofDay = ((rounded.getTime() % DAY_MS) + DAY_MS) % DAY_MS;
  return ofDay === 0 ? day : `${day} ${pad(rounded.getUTCHours())}:${pad(rounded.getUTCMinutes())}`;
}

/** As Excel shows a number: 15 significant digits, so 0.1+0.2 is 0.3 and 1234.56 stays 1234.56. */
function numberText(value: number): string {
  return String(Number(value.toPrecision(15)));
}

type Value = ExcelJS.CellValue | ExcelJS.CellFormulaValue["result"];

function valueText(value: Value, numFmt: string | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  // A plain date cell is already a Date; a formula's result (=TODAY()+30) is still its serial number.
  if (typeof value === "number") {
    return isDateFormat(numFmt)
      ? dateText(new Date(Math.round((value - EXCEL_EPOCH_DAYS) * DAY_MS)))
      : numberText(value);
  }
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (value instanceof Date) return dateText(value);
  if ("richText" in value) return value.richText.map((part) => part.text).join("");
  if ("error" in value) return String(value.error); // "#N/A": the importer quotes it as not valid
  if ("formula" in value || "sharedFormula" in value) return valueText(value.result, numFmt);
  if ("text" in value) return typeof value.text === "string" ? value.text : valueText(value.text, numFmt);
  return "";
}

/** A row's cells as text, one per column from A, with the empty ones Excel leaves out as "". */
function rowCells(row: ExcelJS.Row): string[] {
  const cells: string[] = [];
  row.eachCell({ includeEmpty: false }, (cell, column) => {
    cells[column - 1] = valueText(cell.value, cell.numFmt).trim();
  });
  const filled = Array.from(cells, (cell) => cell ?? "");
  // Formatted but empty cells at the end of a row are invisible in Excel: not columns.
  while (filled.length > 0 && filled.at(-1) === "") filled.pop();
  return filled;
}

const NOT_A_WORKBOOK = "not a readable Excel workbook (.xlsx): open it in Excel and save it again";

/**
 * Reads the first worksheet of an .xlsx workbook whose header must name exactly `columns` (in any
 * order), as readCsv does a CSV file: the same checks, with Excel's row numbers as line numbers.
 */
export async function readXlsx<C extends string>(
  input: CsvInput,
  columns: CsvColumns<C>,
  onRow?: OnRow<C>,
): Promise<CsvResult<C>> {
  const collector = rowCollector(columns, "up-to-header", onRow);
  // A failure of the file itself (too large, unreadable) is the caller's to report, not "not a
  // workbook". The stream exceljs reads never fails: it pipes without passing errors on, and would
  // wait forever; it ends instead, and the failure is thrown once exceljs has stopped.
  let sourceError: unknown;
  const source = Readable.from(
    (async function* () {
      try {
        for await (const chunk of chunksOf(input)) yield chunk;
      } catch (error) {
        sourceError = error;
      }
    })(),
  );
  // Loaded on the first workbook: it takes a second or two to load, which every other command
  // (and every CSV import) would otherwise pay at start-up.
  const { default: excel } = await import("exceljs");
  const reader = new excel.stream.xlsx.WorkbookReader(source, {
    worksheets: "emit",
    sharedStrings: "cache",
    styles: "cache", // which cells are dates
    hyperlinks: "ignore",
    entries: "ignore",
  });
  let sheets = 0;
  try {
    for await (const sheet of reader) {
      sheets++;
      for await (const row of sheet) {
        const work = collector.add({ line: row.number, cells: rowCells(row) });
        if (work) await work;
        if (collector.headerProblems) break;
      }
      // Only the first worksheet is the spreadsheet; others (notes, pivot tables) are not read.
      break;
    }
  } catch {
    if (sourceError) throw sourceError;
    return rejected(1, NOT_A_WORKBOOK);
  } finally {
    source.destroy();
  }
  if (sourceError) throw sourceError;
  if (sheets === 0) return rejected(1, NOT_A_WORKBOOK);
  if (!collector.hasHeader) return rejected(1, "the first worksheet is empty");
  return collector.finish();
}

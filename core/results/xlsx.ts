// The results dashboard's figures as an .xlsx workbook: the CSV's rows (core/results/csv.ts), but
// with numbers as numbers: money in euro with two decimals (from integer cents, so a sum in the sheet
// is the page's to the cent) and shares as percentages.
import type { CsvRow, CsvUnit } from "./csv.ts";

export type XlsxUnit = Exclude<CsvUnit, "cents"> | "euro";

export async function resultsXlsx(
  rows: CsvRow[],
  input: { sheet: string; headers: readonly string[]; unitLabel: (u: XlsxUnit) => string },
): Promise<Buffer> {
  // Loaded when first asked for, as the importers do: exceljs is large and most requests never need it.
  const { default: excel } = await import("exceljs");
  const book = new excel.Workbook();
  const sheet = book.addWorksheet(input.sheet.slice(0, 31));
  sheet.addRow([...input.headers]).font = { bold: true };
  for (const r of rows) {
    const unit: XlsxUnit = r.unit === "cents" ? "euro" : r.unit;
    const value =
      r.value === ""
        ? null
        : r.unit === "cents"
          ? Number(r.value) / 100
          : r.unit === "percent"
            ? Number(r.value) / 100
            : Number(r.value);
    const row = sheet.addRow([r.section, r.figure, r.month, value, input.unitLabel(unit)]);
    const cell = row.getCell(4);
    if (r.unit === "cents") cell.numFmt = "#,##0.00";
    else if (r.unit === "percent") cell.numFmt = "0.00%";
  }
  sheet.columns.forEach((column, i) => {
    column.width = [24, 36, 10, 16, 20][i] ?? 12;
  });
  return Buffer.from(await book.xlsx.writeBuffer());
}

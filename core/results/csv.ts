// The results dashboard's figures as CSV rows: the same numbers the page shows, money in integer
// cents so a spreadsheet sums them exactly. UTF-8 with a BOM, ";" separated, CRLF (as the course
// register export, core/courses/attendance.ts).
import { csvCell } from "../courses/attendance.ts";
import type { ResultsFigures } from "./figures.ts";

/** Labels in resultsAdmin.json's "unit"; "cents" becomes euro in the .xlsx, "percent" a percentage. */
export type CsvUnit =
  | "households"
  | "cents"
  | "installments"
  | "percent"
  | "documents"
  | "cases"
  | "people"
  | "hours"
  | "workingHours"
  | "answers"
  | "score"
  | "entries";
export type CsvRow = {
  section: string;
  figure: string;
  month: string;
  value: string;
  unit: CsvUnit;
  /** The figure's one-line definition, for the PDF report (the CSV and .xlsx leave it out). */
  definition?: string;
};

/** A share as "12.34" (two decimals, a dot); empty when there is nothing to divide by. */
export function percentText(part: number, whole: number): string {
  return whole === 0 ? "" : ((part * 100) / whole).toFixed(2);
}

/** The rows, with the page's own labels (`label(section, key)`). */
export function resultsRows(figures: ResultsFigures, label: (key: string) => string): CsvRow[] {
  const a = figures.awareness;
  const r = figures.arrears;
  const row = (
    section: string,
    key: string,
    value: number | string,
    unit: CsvUnit,
    month = "",
    definition = `${key}Def`,
  ): CsvRow => ({
    section: label(`${section}.title`),
    figure: label(`${section}.${key}`),
    month,
    value: String(value),
    unit,
    definition: label(`${section}.${definition}`),
  });
  return [
    row("awareness", "invited", a.invited, "households"),
    row("awareness", "linked", a.linked, "households"),
    row("awareness", "active", a.active, "households"),
    row("awareness", "balanceViewed", a.balanceViewed, "households"),
    row("awareness", "planViewed", a.planViewed, "households"),
    row("arrears", "withFigures", r.withFigures, "households"),
    row("arrears", "entry", r.entryCents, "cents"),
    row("arrears", "now", r.nowCents, "cents"),
    row("arrears", "recovered", r.recoveredCents, "cents"),
    row("arrears", "recoveredShare", percentText(r.recoveredCents, r.entryCents), "percent"),
    row("arrears", "settled", r.settled, "households"),
    row("arrears", "onTrack", r.plans.onTrack, "households"),
    row("arrears", "late", r.plans.late, "households"),
    row("arrears", "broken", r.plans.broken, "households"),
    row("arrears", "onTime", r.installmentsOnTime, "installments"),
    row("arrears", "dueAll", r.installmentsDue, "installments"),
    ...r.months.flatMap((m) => [
      row("arrears", "owed", m.owedCents, "cents", m.month),
      row("arrears", "paid", m.paidCents, "cents", m.month),
      row("arrears", "due", m.installmentsDue, "installments", m.month),
      row("arrears", "monthOnTime", m.installmentsOnTime, "installments", m.month, "onTimeDef"),
    ]),
  ];
}

export function resultsCsv(
  rows: CsvRow[],
  headers: readonly string[],
  unitLabel: (u: CsvUnit) => string,
): string {
  const lines = [headers.map(csvCell).join(";")];
  for (const r of rows)
    lines.push([r.section, r.figure, r.month, r.value, unitLabel(r.unit)].map(csvCell).join(";"));
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}

// How the results' figures read, on the page and in the PDF report alike: money through the one
// money formatter, shares with one decimal on the page (two in the exports, as the CSV has them),
// other numbers in the staff member's language.
import { formatMoney } from "../money.ts";
import type { CsvRow } from "./csv.ts";

const localeOf = (lang: string) => (lang === "it" ? "it-IT" : "en-GB");

/** A fraction (0.376…) as "37,6%" (Italian) or "37.6%"; `digits` decimals at most. */
function percent(lang: string, fraction: number, digits = 1): string {
  return new Intl.NumberFormat(localeOf(lang), { style: "percent", maximumFractionDigits: digits }).format(
    fraction,
  );
}

/** "12,5%" (Italian) or "12.5%"; "—" with nothing to divide by. */
export function shareText(lang: string, part: number, whole: number): string {
  return whole === 0 ? "—" : percent(lang, part / whole);
}

/** An export row's value as the page shows it: euro from cents, a share, or a number; "—" when empty. */
export function rowValueText(lang: string, row: CsvRow): string {
  if (row.value === "") return "—";
  const n = Number(row.value);
  if (row.unit === "cents") return formatMoney(n);
  // The row's share is already rounded to two decimals: rounding it again could move the last one.
  if (row.unit === "percent") return percent(lang, n / 100, 2);
  // Hours as the page shows them: always two decimals (the register's minutes, 8,92 for 535).
  const decimals = row.unit === "hours" || row.unit === "workingHours" ? 2 : 0;
  return new Intl.NumberFormat(localeOf(lang), {
    minimumFractionDigits: decimals,
    maximumFractionDigits: 2,
  }).format(n);
}

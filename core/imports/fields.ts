// Checks for single spreadsheet cells, shared by the importers. Messages name the column and quote
// the value, so an operator can find it: `arrears_rent "12,3,4" is not an amount`.
import { parseAmount, spacedAmountProblem } from "../money.ts";
import { formatCalendarDate, parseCalendarDate } from "../time.ts";

export type Field<T> = { ok: true; value: T } | { ok: false; message: string };

const MAX_QUOTED = 40;

/** The value as typed, cut short so one long cell cannot flood the report. */
export function quoted(value: string): string {
  const short = value.length > MAX_QUOTED ? `${value.slice(0, MAX_QUOTED)}…` : value;
  return JSON.stringify(short);
}

const ok = <T>(value: T): Field<T> => ({ ok: true, value });
const bad = (message: string): Field<never> => ({ ok: false, message });

export function requiredText(column: string, value: string, maxLength = 200): Field<string> {
  if (value === "") return bad(`${column} is required`);
  if (value.length > maxLength) return bad(`${column} is longer than ${maxLength} characters`);
  return ok(value);
}

/** Cents; zero is allowed (a spreadsheet states "nothing owed" as 0,00). */
export function amount(column: string, value: string): Field<number> {
  if (value === "") return bad(`${column} is required`);
  const parsed = parseAmount(value);
  if (parsed.ok) return ok(parsed.cents);
  if (parsed.reason === "negative") return bad(`${column} ${quoted(value)} is negative`);
  if (parsed.reason === "too_large") return bad(`${column} ${quoted(value)} is too large`);
  if (parsed.reason === "spaced")
    return bad(`${column} ${quoted(value)} ${spacedAmountProblem(parsed.readings)}`);
  return bad(`${column} ${quoted(value)} is not an amount (write 1.234,56 or 1234.56)`);
}

/** A calendar date as dd/mm/yyyy or yyyy-mm-dd, optionally no later than `latest`. */
export function calendarDate(column: string, value: string, latest?: Date): Field<Date> {
  if (value === "") return bad(`${column} is required`);
  const date = parseCalendarDate(value);
  if (!date) {
    // Right shape but no such day (31/02, month 13) deserves a different hint than a wrong shape.
    const shaped = /^\d{1,2}\/\d{1,2}\/\d{4}$|^\d{4}-\d{2}-\d{2}$/.test(value);
    return bad(
      `${column} ${quoted(value)} ${shaped ? "is not a valid date" : "is not a date (write dd/mm/yyyy or yyyy-mm-dd)"}`,
    );
  }
  if (latest && date.getTime() > latest.getTime()) {
    return bad(`${column} ${quoted(value)} is in the future (today is ${formatCalendarDate(latest)})`);
  }
  return ok(date);
}

/** What an import did to one kind of record. */
export type ImportCounts = { created: number; updated: number; unchanged: number };

/**
 * Collects the problems of one row's fields: `take(field)` gives the value, or records the message
 * and gives undefined. A row is good when `problems` stays empty.
 */
export function fieldCollector(): { take: <T>(field: Field<T>) => T | undefined; problems: string[] } {
  const problems: string[] = [];
  const take = <T>(field: Field<T>): T | undefined => {
    if (field.ok) return field.value;
    problems.push(field.message);
    return undefined;
  };
  return { take, problems };
}

/** The same key on several lines (a contract, a reference): every one of those lines is reported. */
export function duplicateLines<R extends { line: number }>(
  rows: R[],
  column: string,
  keyOf: (row: R) => string,
): { line: number; message: string }[] {
  const linesByKey = new Map<string, number[]>();
  for (const row of rows) {
    const key = keyOf(row);
    if (key !== "") linesByKey.set(key, [...(linesByKey.get(key) ?? []), row.line]);
  }
  const problems: { line: number; message: string }[] = [];
  for (const [key, lines] of linesByKey) {
    if (lines.length < 2) continue;
    for (const line of lines) {
      const others = lines.filter((other) => other !== line).join(", ");
      problems.push({ line, message: `${column} ${quoted(key)} is also on line ${others}` });
    }
  }
  return problems;
}

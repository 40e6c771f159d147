// The office-hours calendar against a well-kept holidays library (date-holidays, maintained from the
// official sources): every day of 2025–2035, so a change in the law (San Francesco, 4 October, from
// 2026) or a movable feast computed wrong is caught here rather than by a household told to wait.
import Holidays from "date-holidays";
import { describe, expect, it } from "vitest";
import { expectedAnswerBy } from "../core/cases.ts";
import { isItalianHoliday } from "../core/holidays.ts";

const FIRST_YEAR = 2025;
const LAST_YEAR = 2035;

/** "yyyy-mm-dd" of every Italian public holiday (type "public") in the year, as date-holidays knows them. */
function libraryHolidays(year: number): Set<string> {
  const italy = new Holidays("IT");
  return new Set(
    italy
      .getHolidays(year)
      .filter((holiday) => holiday.type === "public")
      .map((holiday) => holiday.date.slice(0, 10)),
  );
}

describe("Italian public holidays", () => {
  it(`agree with date-holidays on every day of ${FIRST_YEAR}–${LAST_YEAR}`, () => {
    const disagreements: string[] = [];
    for (let year = FIRST_YEAR; year <= LAST_YEAR; year++) {
      const expected = libraryHolidays(year);
      // Sanity: the library really answers for the year (11 fixed holidays from 2026, Easter and its Monday).
      expect(expected.size, `date-holidays for ${year}`).toBeGreaterThanOrEqual(12);
      for (let day = new Date(Date.UTC(year, 0, 1)); day.getUTCFullYear() === year; ) {
        const iso = day.toISOString().slice(0, 10);
        const ours = isItalianHoliday(year, day.getUTCMonth() + 1, day.getUTCDate());
        if (ours !== expected.has(iso)) disagreements.push(`${iso}: ours ${ours}, date-holidays ${!ours}`);
        day = new Date(day.getTime() + 86_400_000);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it("has San Francesco (4 October) from 2026 only, and Easter Sunday and Monday", () => {
    expect(isItalianHoliday(2025, 10, 4)).toBe(false);
    expect(isItalianHoliday(2026, 10, 4)).toBe(true);
    expect(isItalianHoliday(2027, 10, 4)).toBe(true);
    expect(isItalianHoliday(2026, 4, 5)).toBe(true); // Easter Sunday 2026
    expect(isItalianHoliday(2026, 4, 6)).toBe(true); // Easter Monday 2026
  });

  it("skips 4 October in the office hours a household is promised", () => {
    // Friday 1 October 2027 16:00 in Rome: one hour on Friday, Monday 4 October is closed, seven on Tuesday.
    const by = expectedAnswerBy(new Date("2027-10-01T14:00:00Z"));
    expect(by.toISOString()).toBe("2027-10-05T14:00:00.000Z");
  });
});

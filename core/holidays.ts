// Italy's national public holidays: the days the offices are closed, for the office-hours calendar.
// Local patron saints' days are not counted (they differ by municipality).

/** Easter Sunday (Gregorian, anonymous algorithm) as [month, day]. */
function easter(year: number): [number, number] {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

/** Fixed-date holidays (law 260/1949 and later changes) as "month-day", with the first year they hold. */
const FIXED_HOLIDAYS: ReadonlyMap<string, number> = new Map([
  ["1-1", 0], // Capodanno
  ["1-6", 0], // Epifania
  ["4-25", 0], // Liberazione
  ["5-1", 0], // Festa del lavoro
  ["6-2", 0], // Festa della Repubblica
  ["8-15", 0], // Assunzione
  // San Francesco d'Assisi, patron saint of Italy: a national holiday again from 2026 (law 151/2025).
  ["10-4", 2026],
  ["11-1", 0], // Ognissanti
  ["12-8", 0], // Immacolata
  ["12-25", 0], // Natale
  ["12-26", 0], // Santo Stefano
]);

/** Whether a calendar day (month 1–12) is a national public holiday in Italy, Easter Sunday and Monday included. */
export function isItalianHoliday(year: number, month: number, day: number): boolean {
  const since = FIXED_HOLIDAYS.get(`${month}-${day}`);
  if (since !== undefined && year >= since) return true;
  const [easterMonth, easterDay] = easter(year);
  for (const offset of [0, 1]) {
    const date = new Date(Date.UTC(year, easterMonth - 1, easterDay + offset));
    if (date.getUTCMonth() + 1 === month && date.getUTCDate() === day) return true;
  }
  return false;
}

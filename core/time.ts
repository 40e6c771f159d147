// People's times are Europe/Rome; the database stores UTC instants and calendar dates.
import { TZDate, tzOffset } from "@date-fns/tz";

export const TIME_ZONE = "Europe/Rome";

/** A calendar date (no time of day) as Prisma stores @db.Date: midnight UTC of that day. */
export function calendarDate(year: number, month: number, day: number): Date | null {
  const date = new Date(Date.UTC(year, month - 1, day));
  const valid =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return valid && year >= 1900 && year <= 2200 ? date : null;
}

/** "30/09/2026" or "2026-09-30" → calendar date, or null. */
export function parseCalendarDate(input: string): Date | null {
  const s = input.trim();
  const it = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  if (it) return calendarDate(Number(it[3]), Number(it[2]), Number(it[1]));
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (iso) return calendarDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  return null;
}

/**
 * The instants at which Rome's clocks show this wall time, earliest first: none in the hour the spring
 * change skips, two in the hour the autumn change repeats, one otherwise.
 */
function romeInstants(year: number, month: number, day: number, hour: number, minute: number): number[] {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const halfDay = 12 * 3_600_000;
  // Rome's offset half a day either side covers both offsets in force around any change.
  const offsets = new Set([
    tzOffset(TIME_ZONE, new Date(wall - halfDay)),
    tzOffset(TIME_ZONE, new Date(wall + halfDay)),
  ]);
  return [...offsets]
    .map((offset) => wall - offset * 60_000)
    .filter((instant) => instant + tzOffset(TIME_ZONE, new Date(instant)) * 60_000 === wall)
    .sort((a, b) => a - b);
}

export type RomeDateTime =
  | { ok: true; instant: Date }
  /** format: not a date and time; invalid: no such day or time; skipped: the hour the spring change skips. */
  | { ok: false; reason: "format" | "invalid" | "skipped" };

/**
 * "09/12/2026 09:30" or ISO "2026-12-10T17:00" (Europe/Rome wall time unless an offset is given)
 * → UTC instant, or why not. A wall time that does not exist (skipped by the spring change) is refused;
 * one that occurs twice (the autumn night) is its first occurrence, as RFC 5545 and calendars read it.
 */
export function readRomeDateTime(input: string): RomeDateTime {
  const s = input.trim();
  let parts: [number, number, number, number, number] | null = null;
  const it = /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ T](\d{1,2}):(\d{2})$/.exec(s);
  const iso = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::00)?$/.exec(s);
  if (it) parts = [Number(it[3]), Number(it[2]), Number(it[1]), Number(it[4]), Number(it[5])];
  else if (iso) parts = [Number(iso[1]), Number(iso[2]), Number(iso[3]), Number(iso[4]), Number(iso[5])];
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s)) {
    const d = new Date(s);
    return Number.isNaN(d.getTime()) ? { ok: false, reason: "invalid" } : { ok: true, instant: d };
  }
  if (!parts) return { ok: false, reason: "format" };
  const [year, month, day, hour, minute] = parts;
  if (!calendarDate(year, month, day) || hour > 23 || minute > 59) return { ok: false, reason: "invalid" };
  const [first] = romeInstants(year, month, day, hour, minute);
  return first === undefined ? { ok: false, reason: "skipped" } : { ok: true, instant: new Date(first) };
}

/** readRomeDateTime for callers that need no reason: the instant, or null. */
export function parseRomeDateTime(input: string): Date | null {
  const read = readRomeDateTime(input);
  return read.ok ? read.instant : null;
}

/** Calendar date → "30/09/2026". */
export function formatCalendarDate(date: Date): string {
  const dd = String(date.getUTCDate()).padStart(2, "0");
  const mm = String(date.getUTCMonth() + 1).padStart(2, "0");
  return `${dd}/${mm}/${date.getUTCFullYear()}`;
}

/** Instant → "09/12/2026 09:30" in Europe/Rome. */
export function formatRomeDateTime(instant: Date): string {
  const z = new TZDate(instant.getTime(), TIME_ZONE);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(z.getDate())}/${pad(z.getMonth() + 1)}/${z.getFullYear()} ${pad(z.getHours())}:${pad(z.getMinutes())}`;
}

/** The calendar date it is in Rome at that instant. */
export function romeToday(instant: Date): Date {
  const z = new TZDate(instant.getTime(), TIME_ZONE);
  return calendarDate(z.getFullYear(), z.getMonth() + 1, z.getDate()) as Date;
}

// Quiet hours (QUIET_HOURS, default 21:00-08:00 Europe/Rome): reminders, broadcasts and nudges wait
// for the morning. Answers to what a person just did are not held back.
import { TZDate } from "@date-fns/tz";
import { TIME_ZONE } from "./time.ts";

/** Minutes after midnight, Rome time; null when quiet hours are off. */
export type QuietHours = { startMinute: number; endMinute: number } | null;

function romeMinuteOfDay(instant: Date): number {
  const z = new TZDate(instant.getTime(), TIME_ZONE);
  return z.getHours() * 60 + z.getMinutes();
}

/** True while quiet hours hold (the window may cross midnight; null or an empty window: never). */
export function isQuiet(instant: Date, quiet: QuietHours): boolean {
  if (!quiet || quiet.startMinute === quiet.endMinute) return false;
  const m = romeMinuteOfDay(instant);
  return quiet.startMinute < quiet.endMinute
    ? m >= quiet.startMinute && m < quiet.endMinute
    : m >= quiet.startMinute || m < quiet.endMinute;
}

/** A moment inside quiet hours moves to their end (the next morning); others stay. */
export function deferForQuietHours(moment: Date, quiet: QuietHours): Date {
  if (!quiet || !isQuiet(moment, quiet)) return moment;
  const z = new TZDate(moment.getTime(), TIME_ZONE);
  const m = z.getHours() * 60 + z.getMinutes();
  const nextDay = quiet.startMinute > quiet.endMinute && m >= quiet.startMinute ? 1 : 0;
  const end = new TZDate(
    z.getFullYear(),
    z.getMonth(),
    z.getDate() + nextDay,
    Math.floor(quiet.endMinute / 60),
    quiet.endMinute % 60,
    TIME_ZONE,
  );
  return new Date(end.getTime());
}

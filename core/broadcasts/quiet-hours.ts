// QUIET_HOURS (Europe/Rome wall time, may cross midnight): no broadcast reaches a household then.
import { TZDate } from "@date-fns/tz";
import { TIME_ZONE } from "../time.ts";

export type QuietHours = { startMinute: number; endMinute: number } | null;

function minuteOfDay(instant: Date): number {
  const z = new TZDate(instant.getTime(), TIME_ZONE);
  return z.getHours() * 60 + z.getMinutes();
}

export function isQuiet(instant: Date, quiet: QuietHours): boolean {
  if (!quiet || quiet.startMinute === quiet.endMinute) return false;
  const minute = minuteOfDay(instant);
  return quiet.startMinute < quiet.endMinute
    ? minute >= quiet.startMinute && minute < quiet.endMinute
    : minute >= quiet.startMinute || minute < quiet.endMinute;
}

/** The instant itself when it is not quiet, else the end of that quiet spell (the morning). */
export function outsideQuietHours(instant: Date, quiet: QuietHours): Date {
  if (!quiet || !isQuiet(instant, quiet)) return instant;
  const z = new TZDate(instant.getTime(), TIME_ZONE);
  // Past the start in the evening of a window that crosses midnight: it ends the next day.
  const nextDay = quiet.startMinute > quiet.endMinute && minuteOfDay(instant) >= quiet.startMinute;
  const end = new TZDate(
    z.getFullYear(),
    z.getMonth(),
    z.getDate() + (nextDay ? 1 : 0),
    Math.floor(quiet.endMinute / 60),
    quiet.endMinute % 60,
    TIME_ZONE,
  );
  return new Date(end.getTime());
}

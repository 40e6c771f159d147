// When each reminder is due and until when it is still worth sending, in Europe/Rome wall time
// (TZDate, so the days when the clocks change give 09:00 and 19:00 local, not 08:00 or 10:00).
import { TZDate } from "@date-fns/tz";
import { deferForQuietHours, isQuiet, type QuietHours } from "../quiet-hours.ts";
import { TIME_ZONE } from "../time.ts";

export const REMINDER_KINDS = [
  "inst-before",
  "inst-due",
  "inst-overdue",
  "course-eve",
  "course-2h",
  "doc-7",
  "doc-1",
] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

/** Sent even to members who muted reminders: missing them costs the household money or a deadline. */
export const ESSENTIAL_KINDS: readonly ReminderKind[] = ["inst-due", "inst-overdue", "doc-1"];

export function isEssential(kind: ReminderKind): boolean {
  return ESSENTIAL_KINDS.includes(kind);
}

/** A reminder goes out once `moment ≤ now < usefulUntil` (and not during quiet hours). */
export type ReminderWindow = { kind: ReminderKind; moment: Date; usefulUntil: Date };

const HOUR_MS = 60 * 60 * 1000;

/** The instant of a Rome wall time on a calendar date (midnight UTC of the day) shifted by `days`. */
export function romeWallTime(calendarDay: Date, days: number, hour: number, minute = 0): Date {
  const zoned = new TZDate(
    calendarDay.getUTCFullYear(),
    calendarDay.getUTCMonth(),
    calendarDay.getUTCDate() + days,
    hour,
    minute,
    TIME_ZONE,
  );
  return new Date(zoned.getTime());
}

/** Installment reminders for a due date (the caller checks it is unpaid and its plan active). */
export function installmentWindows(dueDate: Date): ReminderWindow[] {
  const dueMorning = romeWallTime(dueDate, 0, 9);
  return [
    { kind: "inst-before", moment: romeWallTime(dueDate, -3, 9), usefulUntil: dueMorning },
    { kind: "inst-due", moment: dueMorning, usefulUntil: romeWallTime(dueDate, 1, 0) },
    // From day 7 the escalation rules take over (a case, a person calls).
    { kind: "inst-overdue", moment: romeWallTime(dueDate, 3, 9), usefulUntil: romeWallTime(dueDate, 7, 0) },
  ];
}

/** Document reminders for a deadline (the caller checks the document is still missing or requested). */
export function documentWindows(dueDate: Date): ReminderWindow[] {
  const dayBefore = romeWallTime(dueDate, -1, 9);
  return [
    { kind: "doc-7", moment: romeWallTime(dueDate, -7, 9), usefulUntil: dayBefore },
    { kind: "doc-1", moment: dayBefore, usefulUntil: romeWallTime(dueDate, 1, 0) },
  ];
}

/** Course reminders for a session start: the evening before (Rome calendar day) and 2 hours before. */
export function courseWindows(startsAt: Date): ReminderWindow[] {
  const start = new TZDate(startsAt.getTime(), TIME_ZONE);
  const eve = new TZDate(start.getFullYear(), start.getMonth(), start.getDate() - 1, 19, 0, TIME_ZONE);
  const twoHours = new Date(startsAt.getTime() - 2 * HOUR_MS);
  return [
    { kind: "course-eve", moment: new Date(eve.getTime()), usefulUntil: twoHours },
    { kind: "course-2h", moment: twoHours, usefulUntil: startsAt },
  ];
}

/**
 * Whether a reminder is to be recorded now. Its moment, moved out of quiet hours, must have come and
 * its useful time not passed; after downtime the missed ones still useful are sent, stale ones never.
 */
export function isDueNow(window: ReminderWindow, now: Date, quiet: QuietHours): boolean {
  if (isQuiet(now, quiet)) return false;
  const effective = deferForQuietHours(window.moment, quiet);
  return effective.getTime() <= now.getTime() && now.getTime() < window.usefulUntil.getTime();
}

// An iCalendar file (RFC 5545) of a member's course sessions, for the phone's calendar app: CRLF line
// endings, lines folded at 75 octets, text values escaped, times in UTC, a reminder the evening before.
import { TZDate } from "@date-fns/tz";
import { TIME_ZONE } from "../time.ts";

export type CalendarEvent = {
  /** Stable for the same enrolment, so importing the file again updates rather than duplicates. */
  uid: string;
  start: Date;
  end: Date;
  summary: string;
  description: string;
  location: string;
  /** Text of the reminder shown the evening before (or an hour before, when that evening is past). */
  alarm?: string;
};

export type Calendar = { name: string; events: CalendarEvent[]; now: Date };

const CRLF = "\r\n";
const MAX_OCTETS = 75;
/** When the reminder goes off on the day before a session, Rome time. */
const EVENING_HOUR = 18;

/** 2026-12-09T08:30:00.000Z → 20261209T083000Z */
export function icsDateTime(instant: Date): string {
  return `${instant.toISOString().slice(0, 19).replace(/[-:]/g, "")}Z`;
}

/** TEXT values: backslash, semicolon and comma are escaped, line breaks become \n (RFC 5545 3.3.11). */
export function escapeIcsText(text: string): string {
  return text
    .replaceAll("\\", "\\\\")
    .replaceAll(";", "\\;")
    .replaceAll(",", "\\,")
    .replace(/\r\n?|\n/g, "\\n");
}

/**
 * Splits a content line into lines of at most 75 octets (UTF-8), never inside a character; each
 * continuation starts with a space, which counts towards its 75 (RFC 5545 3.1).
 */
export function foldLine(line: string): string {
  const encoder = new TextEncoder();
  const out: string[] = [];
  let current = "";
  let octets = 0;
  for (const char of line) {
    const size = encoder.encode(char).length;
    if (octets + size > MAX_OCTETS) {
      out.push(current);
      current = " ";
      octets = 1;
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return out.join(CRLF);
}

/** 18:00 in Rome on the day before the session starts. */
export function eveningBefore(start: Date): Date {
  const local = new TZDate(start.getTime(), TIME_ZONE);
  const evening = new TZDate(
    local.getFullYear(),
    local.getMonth(),
    local.getDate() - 1,
    EVENING_HOUR,
    0,
    TIME_ZONE,
  );
  return new Date(evening.getTime());
}

function alarmLines(event: CalendarEvent, now: Date): string[] {
  if (!event.alarm) return [];
  const evening = eveningBefore(event.start);
  const trigger =
    evening.getTime() > now.getTime() ? `TRIGGER;VALUE=DATE-TIME:${icsDateTime(evening)}` : "TRIGGER:-PT1H";
  return [
    "BEGIN:VALARM",
    "ACTION:DISPLAY",
    `DESCRIPTION:${escapeIcsText(event.alarm)}`,
    trigger,
    "END:VALARM",
  ];
}

export function buildCalendar(calendar: Calendar): string {
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Bussola//Corsi//IT",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    `X-WR-CALNAME:${escapeIcsText(calendar.name)}`,
    `X-WR-TIMEZONE:${TIME_ZONE}`,
  ];
  const stamp = icsDateTime(calendar.now);
  for (const event of calendar.events) {
    lines.push(
      "BEGIN:VEVENT",
      `UID:${event.uid}`,
      `DTSTAMP:${stamp}`,
      `DTSTART:${icsDateTime(event.start)}`,
      `DTEND:${icsDateTime(event.end)}`,
      `SUMMARY:${escapeIcsText(event.summary)}`,
      ...(event.description ? [`DESCRIPTION:${escapeIcsText(event.description)}`] : []),
      `LOCATION:${escapeIcsText(event.location)}`,
      "STATUS:CONFIRMED",
      "TRANSP:OPAQUE",
      ...alarmLines(event, calendar.now),
      "END:VEVENT",
    );
  }
  lines.push("END:VCALENDAR");
  return lines.map(foldLine).join(CRLF) + CRLF;
}

/** The UID of an enrolment's event: the same enrolment row (also after re-enrolling) keeps it. */
export function enrolmentUid(enrolmentId: number): string {
  return `bussola-enrolment-${enrolmentId}@bussola`;
}

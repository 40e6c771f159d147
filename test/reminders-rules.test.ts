// Reminder moments in Rome wall time, across the daylight-saving changes, and quiet hours. Pure rules.
import { describe, expect, it } from "vitest";
import { deferForQuietHours, isQuiet } from "../core/quiet-hours.ts";
import {
  courseWindows,
  documentWindows,
  installmentWindows,
  isDueNow,
  type ReminderWindow,
} from "../core/reminders/rules.ts";
import { calendarDate } from "../core/time.ts";

const QUIET = { startMinute: 21 * 60, endMinute: 8 * 60 };
const day = (y: number, m: number, d: number) => calendarDate(y, m, d) as Date;
const iso = (windows: ReminderWindow[]) =>
  Object.fromEntries(windows.map((w) => [w.kind, [w.moment.toISOString(), w.usefulUntil.toISOString()]]));

describe("installment moments (09:00 in Rome)", () => {
  it("on the spring change (29 March 2026) and the day after", () => {
    expect(iso(installmentWindows(day(2026, 3, 29)))).toEqual({
      // 26 March is still winter time (+01:00); the 29th is summer time (+02:00).
      "inst-before": ["2026-03-26T08:00:00.000Z", "2026-03-29T07:00:00.000Z"],
      "inst-due": ["2026-03-29T07:00:00.000Z", "2026-03-29T22:00:00.000Z"],
      "inst-overdue": ["2026-04-01T07:00:00.000Z", "2026-04-04T22:00:00.000Z"],
    });
    expect(iso(installmentWindows(day(2026, 3, 30)))).toEqual({
      "inst-before": ["2026-03-27T08:00:00.000Z", "2026-03-30T07:00:00.000Z"],
      "inst-due": ["2026-03-30T07:00:00.000Z", "2026-03-30T22:00:00.000Z"],
      "inst-overdue": ["2026-04-02T07:00:00.000Z", "2026-04-05T22:00:00.000Z"],
    });
  });

  it("on the autumn change (25 October 2026) and the day after", () => {
    expect(iso(installmentWindows(day(2026, 10, 25)))).toEqual({
      "inst-before": ["2026-10-22T07:00:00.000Z", "2026-10-25T08:00:00.000Z"],
      "inst-due": ["2026-10-25T08:00:00.000Z", "2026-10-25T23:00:00.000Z"],
      "inst-overdue": ["2026-10-28T08:00:00.000Z", "2026-10-31T23:00:00.000Z"],
    });
    expect(iso(installmentWindows(day(2026, 10, 26)))).toEqual({
      "inst-before": ["2026-10-23T07:00:00.000Z", "2026-10-26T08:00:00.000Z"],
      "inst-due": ["2026-10-26T08:00:00.000Z", "2026-10-26T23:00:00.000Z"],
      "inst-overdue": ["2026-10-29T08:00:00.000Z", "2026-11-01T23:00:00.000Z"],
    });
  });

  it("across the end of a month and of a year", () => {
    expect(iso(installmentWindows(day(2027, 1, 1)))["inst-before"]).toEqual([
      "2026-12-29T08:00:00.000Z",
      "2027-01-01T08:00:00.000Z",
    ]);
  });
});

describe("document moments (09:00, 7 days and 1 day before)", () => {
  it("around both changes", () => {
    expect(iso(documentWindows(day(2026, 3, 30)))).toEqual({
      "doc-7": ["2026-03-23T08:00:00.000Z", "2026-03-29T07:00:00.000Z"],
      "doc-1": ["2026-03-29T07:00:00.000Z", "2026-03-30T22:00:00.000Z"],
    });
    expect(iso(documentWindows(day(2026, 10, 26)))).toEqual({
      "doc-7": ["2026-10-19T07:00:00.000Z", "2026-10-25T08:00:00.000Z"],
      "doc-1": ["2026-10-25T08:00:00.000Z", "2026-10-26T23:00:00.000Z"],
    });
  });
});

describe("course moments (19:00 the evening before, and 2 hours before)", () => {
  it("a session on the spring change day and the day after", () => {
    // 29 March 10:00 CEST = 08:00Z; the evening before is still winter time.
    expect(iso(courseWindows(new Date("2026-03-29T08:00:00Z")))).toEqual({
      "course-eve": ["2026-03-28T18:00:00.000Z", "2026-03-29T06:00:00.000Z"],
      "course-2h": ["2026-03-29T06:00:00.000Z", "2026-03-29T08:00:00.000Z"],
    });
    // 30 March 10:00 CEST; the evening before (the 29th) is summer time.
    expect(iso(courseWindows(new Date("2026-03-30T08:00:00Z")))["course-eve"]?.[0]).toBe(
      "2026-03-29T17:00:00.000Z",
    );
  });

  it("a session on the autumn change day and the day after", () => {
    // 25 October 10:00 CET = 09:00Z; the evening before is summer time.
    expect(iso(courseWindows(new Date("2026-10-25T09:00:00Z")))).toEqual({
      "course-eve": ["2026-10-24T17:00:00.000Z", "2026-10-25T07:00:00.000Z"],
      "course-2h": ["2026-10-25T07:00:00.000Z", "2026-10-25T09:00:00.000Z"],
    });
    expect(iso(courseWindows(new Date("2026-10-26T09:00:00Z")))["course-eve"]?.[0]).toBe(
      "2026-10-25T18:00:00.000Z",
    );
  });

  it("'2 hours before' is instant arithmetic, also across the night of the change", () => {
    // 29 March 03:30 CEST (01:30Z) is two real hours after 00:30 CET (23:30Z the day before).
    const [, twoHours] = courseWindows(new Date("2026-03-29T01:30:00Z"));
    expect(twoHours?.moment.toISOString()).toBe("2026-03-28T23:30:00.000Z");
  });
});

describe("quiet hours", () => {
  it("hold from 21:00 to 08:00 Rome time, across midnight", () => {
    expect(isQuiet(new Date("2026-12-07T19:59:00Z"), QUIET)).toBe(false); // 20:59
    expect(isQuiet(new Date("2026-12-07T20:00:00Z"), QUIET)).toBe(true); // 21:00
    expect(isQuiet(new Date("2026-12-07T23:30:00Z"), QUIET)).toBe(true); // 00:30
    expect(isQuiet(new Date("2026-12-08T06:59:00Z"), QUIET)).toBe(true); // 07:59
    expect(isQuiet(new Date("2026-12-08T07:00:00Z"), QUIET)).toBe(false); // 08:00
    // Summer time: 08:00 in Rome is 06:00Z.
    expect(isQuiet(new Date("2026-07-01T06:00:00Z"), QUIET)).toBe(false);
    expect(isQuiet(new Date("2026-07-01T05:59:00Z"), QUIET)).toBe(true);
  });

  it("a window within one day, and none when disabled", () => {
    const lunch = { startMinute: 13 * 60, endMinute: 15 * 60 };
    expect(isQuiet(new Date("2026-12-07T12:00:00Z"), lunch)).toBe(true); // 13:00
    expect(isQuiet(new Date("2026-12-07T14:00:00Z"), lunch)).toBe(false); // 15:00
    expect(isQuiet(new Date("2026-12-07T23:00:00Z"), lunch)).toBe(false);
    expect(isQuiet(new Date("2026-12-07T23:00:00Z"), null)).toBe(false);
    expect(deferForQuietHours(new Date("2026-12-07T12:30:00Z"), lunch).toISOString()).toBe(
      "2026-12-07T14:00:00.000Z",
    );
  });

  it("move a moment inside them to the morning, the same or the next day, in Rome time", () => {
    // 07:00 → 08:00 the same morning.
    expect(deferForQuietHours(new Date("2026-12-08T06:00:00Z"), QUIET).toISOString()).toBe(
      "2026-12-08T07:00:00.000Z",
    );
    // 22:00 → 08:00 the next morning.
    expect(deferForQuietHours(new Date("2026-12-07T21:00:00Z"), QUIET).toISOString()).toBe(
      "2026-12-08T07:00:00.000Z",
    );
    // 22:00 CET on 28 March → 08:00 CEST on the 29th (06:00Z), the night the clocks go forward.
    expect(deferForQuietHours(new Date("2026-03-28T21:00:00Z"), QUIET).toISOString()).toBe(
      "2026-03-29T06:00:00.000Z",
    );
    // Outside quiet hours, and with them disabled, nothing moves.
    expect(deferForQuietHours(new Date("2026-12-08T08:00:00Z"), QUIET).toISOString()).toBe(
      "2026-12-08T08:00:00.000Z",
    );
    expect(deferForQuietHours(new Date("2026-12-08T06:00:00Z"), null).toISOString()).toBe(
      "2026-12-08T06:00:00.000Z",
    );
  });

  it("a course at 09:00 gets its '2 hours before' at 08:00; one at 07:30 does not get it at all", () => {
    const [, nine] = courseWindows(new Date("2026-12-08T08:00:00Z")); // 09:00
    if (!nine) throw new Error("no window");
    expect(isDueNow(nine, new Date("2026-12-08T06:59:00Z"), QUIET)).toBe(false); // 07:59: quiet
    expect(isDueNow(nine, new Date("2026-12-08T07:00:00Z"), QUIET)).toBe(true); // 08:00
    expect(isDueNow(nine, new Date("2026-12-08T06:00:00Z"), null)).toBe(true); // 07:00, no quiet hours
    const [, early] = courseWindows(new Date("2026-12-08T06:30:00Z")); // 07:30
    if (!early) throw new Error("no window");
    expect(isDueNow(early, new Date("2026-12-08T07:00:00Z"), QUIET)).toBe(false); // 08:00: too late
  });
});

import { describe, expect, it } from "vitest";
import { formatMoney, formatTypedAmount, parseAmount, spacedAmountProblem } from "../core/money.ts";
import {
  formatCalendarDate,
  formatRomeDateTime,
  parseCalendarDate,
  parseRomeDateTime,
  readRomeDateTime,
  romeToday,
} from "../core/time.ts";

describe("money", () => {
  it("formats as Italians read it, grouping always on", () => {
    expect(formatMoney(123456)).toBe("1.234,56\u00a0€");
    expect(formatMoney(5)).toBe("0,05\u00a0€");
    expect(formatMoney(100_000_000)).toBe("1.000.000,00\u00a0€");
  });

  it.each([
    ["12,50", 1250],
    ["12.50", 1250],
    ["1.000", 100000],
    ["1.000,50", 100050],
    ["€ 12", 1200],
    ["12€", 1200],
    ["12 €", 1200],
    ["1234.56", 123456],
    ["1.234,56", 123456],
    ["2.310,40", 231040],
    ["12,5", 1250],
    ["0,00", 0],
  ])("understands %s", (input, cents) => {
    expect(parseAmount(input)).toEqual({ ok: true, cents });
  });

  it.each([
    ["-5", "negative"],
    ["abc", "format"],
    ["1e9", "format"],
    ["1,000", "format"],
    ["1.2345", "format"],
    ["12,345,67", "format"],
    ["", "format"],
    ["99999999999", "too_large"],
    ["20.000.000", "too_large"],
  ])("refuses %s", (input, reason) => {
    expect(parseAmount(input)).toEqual({ ok: false, reason });
  });

  it.each([
    ["12 50", [1250, 125_000]],
    ["12 5", [1250, 12_500]],
    ["1 234,56", [123_456]],
    ["1 234 567", [123_456_700]],
    ["12 50 €", [1250, 125_000]],
    ["€ 12 50", [1250, 125_000]],
    ["12\u00a050", [1250, 125_000]],
    ["12, 50", [1250]],
    ["1 2,3,4", []],
  ])("asks instead of guessing when digits are split by a space: %j", (input, readings) => {
    // Spaces were dropped before, so "12 50" was read as 1.250,00 €.
    expect(parseAmount(input)).toEqual({ ok: false, reason: "spaced", readings });
  });

  it("still allows a space next to the euro sign", () => {
    for (const [input, cents] of [
      ["€ 12", 1200],
      ["12 €", 1200],
      ["12,50 €", 1250],
      ["€ 12,50", 1250],
      [" 1.234,56 € ", 123_456],
      ["12 euro", 1200],
    ] as const) {
      expect(parseAmount(input), input).toEqual({ ok: true, cents });
    }
    expect(parseAmount("-12 50")).toEqual({ ok: false, reason: "negative" });
    expect(parseAmount("12 pane")).toEqual({ ok: false, reason: "format" });
  });

  it("writes an amount as a person can type it back", () => {
    expect(formatTypedAmount(1250)).toBe("12,50");
    expect(formatTypedAmount(125_000)).toBe("1250");
    expect(formatTypedAmount(123_456)).toBe("1234,56");
    expect(formatTypedAmount(5)).toBe("0,05");
  });

  it("tells staff what a spaced amount might mean", () => {
    expect(spacedAmountProblem([1250, 125_000])).toBe(
      "has a space between digits: 12,50 or 1.250,00? (write it without spaces: 1.234,56 or 1234.56)",
    );
    expect(spacedAmountProblem([])).toBe(
      "has a space between digits (write it without spaces: 1.234,56 or 1234.56)",
    );
  });
});

describe("time", () => {
  it("reads both date styles and refuses impossible dates", () => {
    expect(parseCalendarDate("30/09/2026")).toEqual(new Date("2026-09-30T00:00:00Z"));
    expect(parseCalendarDate("2026-09-30")).toEqual(new Date("2026-09-30T00:00:00Z"));
    expect(parseCalendarDate("31/02/2026")).toBeNull();
    expect(parseCalendarDate("2026-13-01")).toBeNull();
    expect(parseCalendarDate("30.09.2026")).toBeNull();
    expect(formatCalendarDate(new Date("2026-02-01T00:00:00Z"))).toBe("01/02/2026");
  });

  it("reads Europe/Rome wall times across daylight-saving changes", () => {
    expect(parseRomeDateTime("09/12/2026 09:30")).toEqual(new Date("2026-12-09T08:30:00Z")); // CET
    expect(parseRomeDateTime("2026-07-10T17:00")).toEqual(new Date("2026-07-10T15:00:00Z")); // CEST
    expect(parseRomeDateTime("29/03/2026 02:30")).toBeNull(); // skipped by the spring change
    expect(parseRomeDateTime("2026-12-10T17:00:00+01:00")).toEqual(new Date("2026-12-10T16:00:00Z"));
    expect(formatRomeDateTime(new Date("2026-10-25T00:30:00Z"))).toBe("25/10/2026 02:30");
    expect(formatRomeDateTime(new Date("2026-10-25T01:30:00Z"))).toBe("25/10/2026 02:30");
  });

  it("reads a wall time the autumn night repeats as its first occurrence (RFC 5545), refuses the spring gap", () => {
    // 25 October 2026: 03:00 CEST becomes 02:00 CET, so 02:00–02:59 happen twice; the first is UTC+2.
    expect(parseRomeDateTime("25/10/2026 02:30")).toEqual(new Date("2026-10-25T00:30:00Z"));
    expect(parseRomeDateTime("2026-10-25T02:00")).toEqual(new Date("2026-10-25T00:00:00Z"));
    expect(parseRomeDateTime("2026-10-25T02:59")).toEqual(new Date("2026-10-25T00:59:00Z"));
    expect(parseRomeDateTime("2026-10-25T01:59")).toEqual(new Date("2026-10-24T23:59:00Z"));
    expect(parseRomeDateTime("2026-10-25T03:00")).toEqual(new Date("2026-10-25T02:00:00Z"));
    // 29 March 2026: 02:00 CET becomes 03:00 CEST; 02:00–02:59 never happen.
    expect(parseRomeDateTime("2026-03-29T01:59")).toEqual(new Date("2026-03-29T00:59:00Z"));
    expect(readRomeDateTime("29/03/2026 02:00")).toEqual({ ok: false, reason: "skipped" });
    expect(readRomeDateTime("2026-03-29T02:59")).toEqual({ ok: false, reason: "skipped" });
    expect(parseRomeDateTime("2026-03-29T03:00")).toEqual(new Date("2026-03-29T01:00:00Z"));
    expect(readRomeDateTime("31/02/2026 10:00")).toEqual({ ok: false, reason: "invalid" });
    expect(readRomeDateTime("domani")).toEqual({ ok: false, reason: "format" });
  });

  it("agrees with Intl.DateTimeFormat on every quarter hour of 2025–2027", () => {
    // Independent of core/time.ts: Intl names the Rome wall time of each instant; the first instant
    // that shows a wall time is the one it must be read as, and a wall time never shown is refused.
    const rome = new Intl.DateTimeFormat("en-CA", {
      timeZone: "Europe/Rome",
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    });
    const wallOf = (instant: number) => {
      const p = Object.fromEntries(rome.formatToParts(instant).map((part) => [part.type, part.value]));
      return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
    };
    const step = 15 * 60_000;
    const firstInstant = new Map<string, number>();
    // From a day before to a day after, so both ends of the range have every wall time covered.
    for (let t = Date.UTC(2024, 11, 31); t <= Date.UTC(2028, 0, 2); t += step) {
      const wall = wallOf(t);
      if (!firstInstant.has(wall)) firstInstant.set(wall, t);
    }
    const wrong: string[] = [];
    let repeated = 0;
    let skipped = 0;
    for (let w = Date.UTC(2025, 0, 1); w < Date.UTC(2028, 0, 1); w += step) {
      const wall = new Date(w).toISOString().slice(0, 16);
      const expected = firstInstant.get(wall);
      const read = parseRomeDateTime(wall)?.getTime();
      if (expected === undefined) skipped++;
      else if (wallOf(expected + 3_600_000) === wall) repeated++;
      if (read !== expected) wrong.push(`${wall}: read ${read}, Intl ${expected}`);
    }
    expect(wrong).toEqual([]);
    // Three springs and three autumns, four quarter hours each.
    expect({ skipped, repeated }).toEqual({ skipped: 12, repeated: 12 });
  });

  it("knows which day it is in Rome", () => {
    expect(romeToday(new Date("2026-11-27T23:30:00Z"))).toEqual(new Date("2026-11-28T00:00:00Z"));
    expect(romeToday(new Date("2026-07-01T21:59:00Z"))).toEqual(new Date("2026-07-01T00:00:00Z"));
  });
});

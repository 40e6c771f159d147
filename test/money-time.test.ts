import { describe, expect, it } from "vitest";
import { formatMoney, parseAmount } from "../core/money.ts";
import {
  formatCalendarDate,
  formatRomeDateTime,
  parseCalendarDate,
  parseRomeDateTime,
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

  it("knows which day it is in Rome", () => {
    expect(romeToday(new Date("2026-11-27T23:30:00Z"))).toEqual(new Date("2026-11-28T00:00:00Z"));
    expect(romeToday(new Date("2026-07-01T21:59:00Z"))).toEqual(new Date("2026-07-01T00:00:00Z"));
  });
});

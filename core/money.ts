// Money is integer cents everywhere; this is the one place that turns it into text and back.

const euro = new Intl.NumberFormat("it-IT", {
  style: "currency",
  currency: "EUR",
  // it-IT leaves four-digit amounts ungrouped ("1234,50 €") unless told otherwise.
  useGrouping: "always",
});

/** 123456 → "1.234,56 €" (the space before € is U+00A0). */
export function formatMoney(cents: number): string {
  return euro.format(cents / 100);
}

/** Up to 10 million euro: far above any arrears, well inside integer precision. */
export const MAX_AMOUNT_CENTS = 1_000_000_000;

export type AmountResult =
  | { ok: true; cents: number }
  | { ok: false; reason: "format" | "negative" | "too_large" };

/**
 * Parses an amount as Italians and spreadsheets write it: "1.234,56", "1234.56", "12,5", "1.000",
 * "€ 12", "12€". A lone "." followed by exactly three digits is a thousands separator ("1.000");
 * otherwise the last of "." or "," is the decimal separator.
 */
export function parseAmount(input: string): AmountResult {
  let s = input
    .trim()
    .replace(/\s+/g, "")
    .replace(/€|eur(o)?$/i, "");
  s = s.replace(/^€/, "");
  if (s.startsWith("-"))
    return /\d/.test(s) ? { ok: false, reason: "negative" } : { ok: false, reason: "format" };
  if (s.startsWith("+")) s = s.slice(1);
  if (!/^\d[\d.,]*$/.test(s)) return { ok: false, reason: "format" };

  let integer: string;
  let decimals = "";
  const lastDot = s.lastIndexOf(".");
  const lastComma = s.lastIndexOf(",");
  const decimalAt = Math.max(lastDot, lastComma);
  const bothUsed = lastDot >= 0 && lastComma >= 0;
  const onlyDots = lastDot >= 0 && lastComma < 0;
  const groupedThousands = /^\d{1,3}(\.\d{3})+$/.test(s);

  if (decimalAt < 0 || (onlyDots && groupedThousands)) {
    integer = s;
  } else if (bothUsed || !onlyDots || s.indexOf(".") === lastDot) {
    integer = s.slice(0, decimalAt);
    decimals = s.slice(decimalAt + 1);
    const groupSeparator = s[decimalAt] === "," ? "." : ",";
    if (integer.includes(s[decimalAt] as string)) return { ok: false, reason: "format" };
    if (
      integer.includes(groupSeparator) &&
      !new RegExp(`^\\d{1,3}(\\${groupSeparator}\\d{3})+$`).test(integer)
    ) {
      return { ok: false, reason: "format" };
    }
  } else {
    return { ok: false, reason: "format" };
  }

  integer = integer.replace(/[.,]/g, "");
  if (!/^\d+$/.test(integer) || !/^\d{0,2}$/.test(decimals)) return { ok: false, reason: "format" };
  if (integer.length > 12) return { ok: false, reason: "too_large" };
  const cents = Number(integer) * 100 + Number(decimals.padEnd(2, "0"));
  if (cents > MAX_AMOUNT_CENTS) return { ok: false, reason: "too_large" };
  return { ok: true, cents };
}

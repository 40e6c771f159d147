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

/** "12,50", "1250", "1234,56": an amount as a person can type it back (no grouping, comma for cents). */
export function formatTypedAmount(cents: number): string {
  const euros = Math.floor(cents / 100);
  const rest = cents % 100;
  return rest === 0 ? String(euros) : `${euros},${String(rest).padStart(2, "0")}`;
}

export type AmountResult =
  | { ok: true; cents: number }
  | { ok: false; reason: "format" | "negative" | "too_large" }
  /**
   * Digits split by spaces ("12 50", "1 234,56"): 12,50 € or 1.250,00 €? Either would be a guess,
   * so the person is asked; `readings` are the amounts it might mean, smallest first (may be empty).
   */
  | { ok: false; reason: "spaced"; readings: number[] };

/** Only digits, "." and "," in groups split by whitespace: "12 50", "1 234,56". */
const SPACED_DIGITS = /^[\d.,]+(?:\s+[\d.,]+)+$/;

/**
 * Parses an amount as Italians and spreadsheets write it: "1.234,56", "1234.56", "12,5", "1.000",
 * "€ 12", "12€". A lone "." followed by exactly three digits is a thousands separator ("1.000");
 * otherwise the last of "." or "," is the decimal separator. Spaces may stand next to the euro sign
 * but never between digits: "12 50" is refused as "spaced", not read as 1.250,00 €.
 */
export function parseAmount(input: string): AmountResult {
  const bare = input
    .trim()
    .replace(/^€\s*/, "")
    .replace(/\s*(€|eur(o)?)$/i, "");
  if (!bare.startsWith("-") && SPACED_DIGITS.test(bare))
    return { ok: false, reason: "spaced", readings: readingsOf(bare) };
  return parseCompact(input);
}

/** What "12 50" might mean: 12,50 (the space as a decimal comma) and 1.250,00 (the space as grouping). */
function readingsOf(spaced: string): number[] {
  const groups = spaced.split(/\s+/);
  const candidates = [groups.join("")];
  const [whole, cents] = groups;
  if (
    groups.length === 2 &&
    whole !== undefined &&
    cents !== undefined &&
    /^[\d.]+$/.test(whole) &&
    /^\d{1,2}$/.test(cents)
  ) {
    candidates.push(`${whole},${cents}`);
  }
  const readings = new Set<number>();
  for (const candidate of candidates) {
    const parsed = parseCompact(candidate);
    if (parsed.ok) readings.add(parsed.cents);
  }
  return [...readings].sort((a, b) => a - b);
}

/**
 * Why "12 50" was refused, for staff (imports, the command line), in English as their other messages:
 * "has a space between digits: 12,50 or 1.250,00? (write it without spaces: 1.234,56 or 1234.56)".
 */
export function spacedAmountProblem(readings: readonly number[]): string {
  const plain = (cents: number) => formatMoney(cents).replace(/\s*€$/, "");
  const meanings = readings.length > 0 ? `: ${readings.map(plain).join(" or ")}?` : "";
  return `has a space between digits${meanings} (write it without spaces: 1.234,56 or 1234.56)`;
}

/** The parser proper, on text whose inner spaces carry no meaning left to ask about. */
function parseCompact(input: string): Exclude<AmountResult, { reason: "spaced" }> {
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

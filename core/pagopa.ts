// pagoPA, the national system Italian public bodies collect through. An installment may carry the
// notice the authority issued for it (numero avviso, 18 digits); with the authority's fiscal code (the
// creditor entity, 11 digits) that is all a banking app, a post office or a tobacconist needs. The
// notice's QR code holds both and the amount, in the format of pagoPA's payment notices:
// PAGOPA|002|<notice>|<creditor fiscal code>|<amount in cents>.
import QRCode from "qrcode";

export const NOTICE_DIGITS = 18;

/** An 18-digit notice number ("numero avviso" / "codice avviso"). */
export function isNoticeNumber(value: string): boolean {
  return /^\d{18}$/.test(value);
}

/**
 * The fiscal code of a legal entity (codice fiscale numerico, the same shape as a partita IVA): 11
 * digits, the last a check digit (Luhn, as the Agenzia delle Entrate computes it), so a mistyped
 * digit in the configuration is caught at start-up rather than in every household's banking app.
 */
export function isCreditorFiscalCode(value: string): boolean {
  if (!/^\d{11}$/.test(value)) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    let digit = Number(value[i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10 === Number(value[10]);
}

export type PagopaNotice = { notice: string; creditorFiscalCode: string; amountCents: number };

/** The string a pagoPA notice's QR code holds. */
export function pagopaQrPayload(n: PagopaNotice): string {
  if (!isNoticeNumber(n.notice)) throw new Error("a pagoPA notice number has 18 digits");
  if (!/^\d{11}$/.test(n.creditorFiscalCode)) throw new Error("a creditor fiscal code has 11 digits");
  if (!Number.isSafeInteger(n.amountCents) || n.amountCents <= 0)
    throw new Error("a pagoPA amount is a positive number of cents");
  return `PAGOPA|002|${n.notice}|${n.creditorFiscalCode}|${n.amountCents}`;
}

/**
 * The QR code as a PNG, large enough to scan from a phone screen held to another phone (pagoPA asks
 * for error correction level M on its notices).
 */
export async function pagopaQrPng(n: PagopaNotice): Promise<Buffer> {
  return QRCode.toBuffer(pagopaQrPayload(n), {
    type: "png",
    errorCorrectionLevel: "M",
    margin: 4,
    scale: 10,
  });
}

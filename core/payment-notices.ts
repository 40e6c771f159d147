// Which pagoPA notice to offer a household, and the QR image of an installment's notice drawn when a
// message is sent. A notice is offered for the oldest installment still owed, when nothing has been
// paid on it yet: a notice is for its full amount, and after a part payment the office sets what is
// left (the bank details and offices are shown instead, as without a notice).
import type { Db } from "./db/client.ts";
import type { InstallmentView, PlanOverview } from "./debt.ts";
import { type PagopaNotice, pagopaQrPng } from "./pagopa.ts";

export type OfferedNotice = PagopaNotice & { installment: InstallmentView };

/** The notice /plan and "how do I pay" show, or null (then the bank details and offices). */
export function noticeToPay(
  plan: PlanOverview | null,
  creditorFiscalCode: string | undefined,
): OfferedNotice | null {
  if (!plan || !creditorFiscalCode) return null;
  const installment = plan.overdue[0] ?? plan.next;
  if (!installment?.pagopaNotice || installment.paidCents > 0) return null;
  return {
    installment,
    notice: installment.pagopaNotice,
    creditorFiscalCode,
    amountCents: installment.amountCents,
  };
}

/** A message's photo reference (OutboundMessage.photo): ids only. */
export function noticePhotoRef(installmentId: number): string {
  return `pagopa:${installmentId}`;
}

/**
 * The image a photo reference stands for, drawn now from what the database says now; null when there
 * is nothing to show any more (the installment was paid or removed, its notice withdrawn).
 */
export async function drawPhoto(
  db: Db,
  ref: string,
  creditorFiscalCode: string | undefined,
): Promise<Buffer | null> {
  const match = /^pagopa:(\d+)$/.exec(ref);
  if (!match || !creditorFiscalCode) return null;
  const installment = await db.installment.findUnique({ where: { id: Number(match[1]) } });
  if (!installment?.pagopaNotice || installment.paidCents > 0) return null;
  return pagopaQrPng({
    notice: installment.pagopaNotice,
    creditorFiscalCode,
    amountCents: installment.amountCents,
  });
}

// /plan: the household's repayment plan — installments paid, still to come and overdue, the next one,
// how far along it is, and how to pay. Read-only (payments are allocated when they are imported), so
// a repeated update or an old button simply shows the plan as it is now. When the installment to pay
// carries a pagoPA notice, "how to pay" is that notice: its number and amount, and its QR code as an
// image any Italian banking app scans; otherwise the authority's payment channels and offices.
import { Composer, InlineKeyboard, InputFile } from "grammy";
import { type PlanOverview, planOverview } from "../../core/debt.ts";
import { formatMoney } from "../../core/money.ts";
import { pagopaQrPng } from "../../core/pagopa.ts";
import { noticeToPay, type OfferedNotice } from "../../core/payment-notices.ts";
import { escapeHtml } from "../../core/telegram-html.ts";
import { formatCalendarDate, romeToday } from "../../core/time.ts";
import type { BotContext } from "../context.ts";
import { BALANCE_CALLBACK, HOWTO_CALLBACK, noteDebtView, PLAN_CALLBACK } from "./balance.ts";

/** Overdue installments listed one by one; more are counted. */
const LISTED_OVERDUE = 3;
const BAR_LENGTH = 10;

/** "🟩🟩🟩⬜⬜⬜⬜⬜⬜⬜": progress at a glance, for those who read little. Some progress always shows. */
export function progressBar(paid: number, total: number): string {
  let filled = total > 0 ? Math.floor((paid / total) * BAR_LENGTH) : 0;
  if (paid > 0 && filled === 0) filled = 1;
  if (paid < total && filled === BAR_LENGTH) filled = BAR_LENGTH - 1;
  return "🟩".repeat(filled) + "⬜".repeat(BAR_LENGTH - filled);
}

/** The notice's details, in place of the general "how to pay". */
function noticeText(ctx: BotContext, offered: OfferedNotice): string {
  return ctx.t("debt:plan.pagopa", {
    number: offered.installment.number,
    notice: offered.notice,
    creditor: offered.creditorFiscalCode,
    amount: formatMoney(offered.amountCents),
  });
}

/** The notice's QR code, after the text that explains it. */
async function sendNoticeQr(ctx: BotContext, offered: OfferedNotice): Promise<void> {
  const image = await pagopaQrPng(offered);
  await ctx.replyWithPhoto(new InputFile(image, "pagopa.png"), {
    caption: ctx.t("debt:plan.pagopa_caption", {
      number: offered.installment.number,
      amount: formatMoney(offered.amountCents),
    }),
  });
}

function planText(ctx: BotContext, plan: PlanOverview, offered: OfferedNotice | null): string {
  const lines = [
    ctx.t("debt:plan.title"),
    ctx.t("debt:plan.code", { code: escapeHtml(plan.planCode) }),
    "",
    progressBar(plan.paidCount, plan.total),
    ctx.t("debt:plan.progress", { paid: plan.paidCount, total: plan.total }),
  ];
  if (plan.status === "completed" || plan.remainingCents === 0) {
    lines.push("", ctx.t("debt:plan.completed", { total: plan.total }));
    return lines.join("\n");
  }
  if (plan.status === "broken") lines.push("", ctx.t("debt:plan.broken"));
  if (plan.overdue.length > 0) {
    const count = plan.overdue.length;
    lines.push("", ctx.t("debt:plan.overdue_title", { count }));
    for (const installment of plan.overdue.slice(0, LISTED_OVERDUE)) {
      lines.push(
        ctx.t("debt:plan.overdue_line", {
          date: formatCalendarDate(installment.dueDate),
          amount: formatMoney(installment.remainingCents),
        }),
      );
    }
    if (count > LISTED_OVERDUE)
      lines.push(ctx.t("debt:plan.overdue_more", { count: count - LISTED_OVERDUE }));
    // The kind next step only when the plan still runs; a broken one already points to the operator.
    if (plan.status !== "broken") lines.push(ctx.t("debt:plan.overdue_help", { count }));
  }
  const next = plan.next;
  if (next) {
    const values = { amount: formatMoney(next.remainingCents), date: formatCalendarDate(next.dueDate) };
    lines.push(
      "",
      next.paidCents > 0
        ? ctx.t("debt:plan.next_partial", { ...values, paid: formatMoney(next.paidCents) })
        : ctx.t("debt:plan.next", values),
    );
    const after = plan.upcoming.length - 1;
    lines.push(after > 0 ? ctx.t("debt:plan.after_next", { count: after }) : ctx.t("debt:plan.last"));
  }
  lines.push("", ctx.t("debt:plan.remaining", { amount: formatMoney(plan.remainingCents) }));
  lines.push("", offered ? noticeText(ctx, offered) : ctx.t("debt:plan.howto"));
  return lines.join("\n");
}

export async function showPlan(ctx: BotContext): Promise<void> {
  const household = ctx.member?.household;
  if (!household) {
    await ctx.reply(ctx.t("link.needed"));
    return;
  }
  const today = romeToday(ctx.deps.clock.now());
  const plan = await planOverview(ctx.deps.db, household.id, today);
  // A plan the authority closed shows no way to pay, as its text says it is done.
  const settled = !plan || plan.status === "completed" || plan.remainingCents === 0;
  const offered = settled ? null : noticeToPay(plan, ctx.deps.pagopaCreditorFiscalCode);
  const keyboard = new InlineKeyboard().text(ctx.t("debt:buttons.balance"), BALANCE_CALLBACK);
  await ctx.reply(plan ? planText(ctx, plan, offered) : ctx.t("debt:plan.none"), { reply_markup: keyboard });
  if (offered) await sendNoticeQr(ctx, offered);
  await noteDebtView(ctx, household.id, "plan");
}

/** Sends the notice of the installment to pay now and its QR code, if there is one; false if not. */
export async function offerNotice(ctx: BotContext): Promise<boolean> {
  const household = ctx.member?.household;
  if (!household) return false;
  const plan = await planOverview(ctx.deps.db, household.id, romeToday(ctx.deps.clock.now()));
  const offered = noticeToPay(plan, ctx.deps.pagopaCreditorFiscalCode);
  if (!offered) return false;
  await ctx.reply(noticeText(ctx, offered));
  await sendNoticeQr(ctx, offered);
  return true;
}

/** "How do I pay": the notice of the installment to pay now, or the authority's channels and offices. */
export async function showHowToPay(ctx: BotContext): Promise<void> {
  if (!ctx.member?.household) {
    await ctx.reply(ctx.t("link.needed"));
    return;
  }
  if (!(await offerNotice(ctx))) await ctx.reply(ctx.t("debt:plan.howto"));
}

export const planFeature = new Composer<BotContext>();

const privateChats = planFeature.chatType("private");

privateChats.command("plan", showPlan);

privateChats.callbackQuery(PLAN_CALLBACK, async (ctx) => {
  await ctx.answerCallbackQuery();
  await showPlan(ctx);
});

privateChats.callbackQuery(HOWTO_CALLBACK, async (ctx) => {
  await ctx.answerCallbackQuery();
  await showHowToPay(ctx);
});

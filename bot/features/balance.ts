// /balance: the arrears in the authority's figures (rent and service charges, and their date), the
// payments recorded since, and what is left now. Read-only but for the month's look noted for the
// programme's figures (once a month), so a repeated update or an old button shows the figures as
// they are now.
import { Composer, InlineKeyboard } from "grammy";
import type { Update } from "grammy/types";
import type { DebtViewKind } from "../../core/db/client.ts";
import { balanceOverview, balanceOverviewOf, balanceOverviewSql } from "../../core/debt.ts";
import { recordDebtView } from "../../core/debt-views.ts";
import { formatMoney } from "../../core/money.ts";
import { formatCalendarDate } from "../../core/time.ts";
import { literal } from "../chat-lock.ts";
import type { BotContext } from "../context.ts";
import { type EarlyRead, earlyRows } from "../early-read.ts";
import { menuCommand } from "../menu.ts";

export const BALANCE_CALLBACK = "debt:balance";
export const PLAN_CALLBACK = "debt:plan";
export const HOWTO_CALLBACK = "debt:howto";

/** The most recent payments listed one by one; older ones are counted. */
const LISTED_PAYMENTS = 5;

/** Reply options with the keyboard, or none when it has no button (an empty keyboard is not sent). */
export function withButtons(keyboard: InlineKeyboard): { reply_markup?: InlineKeyboard } {
  return keyboard.inline_keyboard.some((row) => row.length > 0) ? { reply_markup: keyboard } : {};
}

const BALANCE_COMMAND = /^\/balance(?:@\w+)?(?:\s|$)/;

/** /balance typed or from the menu, or the balance button, in a private chat. */
function asksForBalance(update: Update): boolean {
  const message = update.message;
  if (message) {
    const text = message.text;
    if (message.chat.type !== "private" || text === undefined) return false;
    return BALANCE_COMMAND.test(text) || menuCommand(text) === "balance";
  }
  const query = update.callback_query;
  return query?.data === BALANCE_CALLBACK && query.message?.chat.type === "private";
}

/**
 * The figures /balance shows, read with the update's claim (bot/early-read.ts): the most frequent
 * update then takes one round trip to PostgreSQL less. Keyed by the sender, whose household the
 * claim is reading at the same time.
 */
export const balanceEarlyRead: EarlyRead = {
  prepare: `PREPARE bussola_balance_of_sender(bigint) AS ${balanceOverviewSql(
    `(SELECT "householdId" FROM "Member" WHERE "telegramUserId" = $1)`,
  )}`,
  statementFor(update) {
    const from = update.message?.from ?? update.callback_query?.from;
    if (!from || !asksForBalance(update)) return undefined;
    return `EXECUTE bussola_balance_of_sender(${literal(BigInt(from.id))})`;
  },
};

/** /balance, and the month noted for the programme's figures (core/debt-views.ts). */
export async function showBalance(ctx: BotContext): Promise<void> {
  await replyWithBalance(ctx);
  const household = ctx.member?.household;
  if (household) await noteDebtView(ctx, household.id, "balance");
}

/** Notes that the household looked; a failure is logged (ids only) and never shown to the person. */
export async function noteDebtView(ctx: BotContext, householdId: number, kind: DebtViewKind): Promise<void> {
  try {
    await recordDebtView(ctx.deps.db, householdId, kind, ctx.deps.clock.now());
  } catch (error) {
    ctx.logger.warn(
      { householdId, kind, error: error instanceof Error ? error.name : "unknown" },
      "debt view not recorded",
    );
  }
}

async function replyWithBalance(ctx: BotContext): Promise<void> {
  const household = ctx.member?.household;
  if (!household) {
    await ctx.reply(ctx.t("link.needed"));
    return;
  }
  // Read with the claim when this update asked for it; else (or another household's) now.
  const early = earlyRows(ctx, balanceEarlyRead);
  const { arrears, hasPlan } =
    (early && balanceOverviewOf(early, household.id)) ?? (await balanceOverview(ctx.deps.db, household.id));
  if (!arrears) {
    await ctx.reply(ctx.t("debt:balance.none"));
    return;
  }
  const date = formatCalendarDate(arrears.balanceDate);
  const keyboard = new InlineKeyboard();
  if (hasPlan) keyboard.text(ctx.t("debt:buttons.plan"), PLAN_CALLBACK);
  if (arrears.totalCents === 0) {
    await ctx.reply(ctx.t("debt:balance.zero", { date }), withButtons(keyboard));
    return;
  }
  keyboard.text(ctx.t("debt:buttons.howto"), HOWTO_CALLBACK);

  const lines = [
    ctx.t("debt:balance.title"),
    ctx.t("debt:balance.figures_date", { date }),
    ctx.t("debt:balance.rent", { amount: formatMoney(arrears.rentCents) }),
    ctx.t("debt:balance.charges", { amount: formatMoney(arrears.chargesCents) }),
  ];
  const payments = arrears.paymentsSince;
  if (payments.length === 0) {
    lines.push(ctx.t("debt:balance.total", { amount: formatMoney(arrears.totalCents) }));
  } else {
    lines.push(ctx.t("debt:balance.total_then", { amount: formatMoney(arrears.totalCents) }), "");
    lines.push(ctx.t("debt:balance.payments_title", { date, amount: formatMoney(arrears.paidSinceCents) }));
    const listed = payments.slice(-LISTED_PAYMENTS);
    for (const payment of listed) {
      lines.push(
        ctx.t("debt:balance.payment_line", {
          date: formatCalendarDate(payment.paymentDate),
          amount: formatMoney(payment.amountCents),
        }),
      );
    }
    const earlier = payments.length - listed.length;
    if (earlier > 0) lines.push(ctx.t("debt:balance.payments_earlier", { count: earlier }));
    lines.push("", ctx.t("debt:balance.now", { amount: formatMoney(arrears.nowCents) }));
    if (arrears.nowCents === 0) lines.push(ctx.t("debt:balance.settled"));
    if (arrears.overpaidCents > 0) {
      lines.push(ctx.t("debt:balance.overpaid", { amount: formatMoney(arrears.overpaidCents) }));
    }
  }
  lines.push("", ctx.t("debt:balance.recent"), "", ctx.t("debt:balance.next_steps"));
  await ctx.reply(lines.join("\n"), withButtons(keyboard));
}

export const balanceFeature = new Composer<BotContext>();

const privateChats = balanceFeature.chatType("private");

privateChats.command("balance", showBalance);

privateChats.callbackQuery(BALANCE_CALLBACK, async (ctx) => {
  await ctx.answerCallbackQuery();
  await showBalance(ctx);
});

import { Composer } from "grammy";
import { currentArrears } from "../../core/debt.ts";
import { formatMoney } from "../../core/money.ts";
import { formatCalendarDate } from "../../core/time.ts";
import type { BotContext } from "../context.ts";

export const balanceFeature = new Composer<BotContext>();

balanceFeature.chatType("private").command("balance", async (ctx) => {
  const household = ctx.member?.household;
  if (!household) return ctx.reply(ctx.t("link.needed"));
  const arrears = await currentArrears(ctx.deps.db, household.id);
  if (!arrears) return ctx.reply(ctx.t("balance.none"));
  const date = formatCalendarDate(arrears.balanceDate);
  if (arrears.totalCents === 0) return ctx.reply(ctx.t("balance.zero", { date }));
  const lines = [
    ctx.t("balance.title"),
    ctx.t("balance.figures_date", { date }),
    "",
    ctx.t("balance.rent", { amount: formatMoney(arrears.rentCents) }),
    ctx.t("balance.charges", { amount: formatMoney(arrears.chargesCents) }),
    ctx.t("balance.total", { amount: formatMoney(arrears.totalCents) }),
  ];
  return ctx.reply(lines.join("\n"));
});

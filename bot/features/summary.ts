// /summary: the household's month by category with text bars, income against expenses, the change from
// the month before, and one practical tip. Buttons page through months (callback "sum:YYYY-MM"; a
// summary is a view, so its buttons keep working on old messages).
import { Composer, InlineKeyboard } from "grammy";
import { MAX_TIP_LENGTH } from "../../core/budget/tips.ts";
import {
  type BudgetKindName,
  type BudgetSummary,
  budgetSummary,
  compareMonths,
  currentMonth,
  type Month,
  monthKey,
  parseMonthKey,
  percentOf,
  shiftMonth,
  textBar,
} from "../../core/budget.ts";
import type { Translate } from "../../core/i18n.ts";
import { formatMoney } from "../../core/money.ts";
import { escapeHtml, TELEGRAM_TEXT_LIMIT } from "../../core/telegram-html.ts";
import type { BotContext } from "../context.ts";

/** How far back the buttons go. */
export const SUMMARY_MONTHS_BACK = 24;

/** Month-name formatters by language (making one costs far more than using it). */
const monthFormats = new Map<string, Intl.DateTimeFormat>();

/** "ottobre 2026" / "October 2026". */
export function monthName(language: string, m: Month): string {
  let format = monthFormats.get(language);
  if (!format) {
    format = new Intl.DateTimeFormat(language, { month: "long", year: "numeric", timeZone: "UTC" });
    monthFormats.set(language, format);
  }
  return format.format(new Date(Date.UTC(m.year, m.month - 1, 1)));
}

function label(t: Translate, kind: BudgetKindName, category: string): string {
  // A category unknown to this version (added later) still shows, as its key.
  return t(`budget:categories.${kind}.${category}`, { defaultValue: escapeHtml(category) });
}

function comparison(t: Translate, kind: "expenses" | "income", now: number, before: number): string {
  const diff = now - before;
  if (diff === 0) return t(`budget:summary.${kind}_same`);
  return t(`budget:summary.${kind}_${diff > 0 ? "more" : "less"}`, { amount: formatMoney(Math.abs(diff)) });
}

export function renderSummary(t: Translate, language: string, summary: BudgetSummary): string {
  const { current, previous, inProgress, tip } = summary;
  const month = monthName(language, current.month);
  const previousMonth = monthName(language, previous.month);
  const lines = [t("budget:summary.title", { month }), ""];

  if (current.entries === 0) {
    lines.push(t("budget:summary.empty", { month }));
  } else {
    // Income against expenses, on one scale.
    const scale = Math.max(current.totalIncome, current.totalExpenses);
    lines.push(
      t("budget:summary.income_total", { amount: formatMoney(current.totalIncome) }),
      textBar(current.totalIncome, scale),
      t("budget:summary.expense_total", { amount: formatMoney(current.totalExpenses) }),
      textBar(current.totalExpenses, scale),
    );
    const balance = current.totalIncome - current.totalExpenses;
    if (balance > 0) lines.push(t("budget:summary.left", { amount: formatMoney(balance) }));
    else if (balance < 0) lines.push(t("budget:summary.short", { amount: formatMoney(-balance) }));
    else lines.push(t("budget:summary.even"));

    if (current.expenses.length > 0) {
      lines.push("", t("budget:summary.expenses_title"));
      for (const { category, cents } of current.expenses) {
        lines.push(
          t("budget:summary.category_line", {
            category: label(t, "expense", category),
            amount: formatMoney(cents),
            percent: percentOf(cents, current.totalExpenses),
          }),
          textBar(cents, current.totalExpenses),
        );
      }
      lines.push(
        t("budget:summary.fixed_flexible", {
          fixed: formatMoney(current.fixedExpenses),
          flexible: formatMoney(current.flexibleExpenses),
        }),
      );
    }
    if (current.income.length > 0) {
      lines.push("", t("budget:summary.income_title"));
      for (const { category, cents } of current.income) {
        lines.push(
          t("budget:summary.income_line", {
            category: label(t, "income", category),
            amount: formatMoney(cents),
          }),
        );
      }
    }

    lines.push("", t("budget:summary.compare_title", { month: previousMonth }));
    if (previous.entries === 0) {
      lines.push(t("budget:summary.previous_none", { month: previousMonth }));
    } else {
      lines.push(
        comparison(t, "expenses", current.totalExpenses, previous.totalExpenses),
        comparison(t, "income", current.totalIncome, previous.totalIncome),
      );
    }
    if (inProgress) lines.push(t("budget:summary.in_progress"));
  }

  if (tip) {
    const text = tip.text.length > MAX_TIP_LENGTH ? `${tip.text.slice(0, MAX_TIP_LENGTH - 1)}…` : tip.text;
    lines.push("", t("budget:summary.tip_title"), escapeHtml(text));
  }
  const message = lines.join("\n");
  // Cannot happen with 19 categories and a capped tip; kept so a future change fails soft, not with a 400.
  return message.length <= TELEGRAM_TEXT_LIMIT ? message : `${message.slice(0, TELEGRAM_TEXT_LIMIT - 1)}…`;
}

function navigation(t: Translate, language: string, shown: Month, now: Month): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  const before = shiftMonth(shown, -1);
  if (compareMonths(before, shiftMonth(now, -SUMMARY_MONTHS_BACK)) >= 0) {
    keyboard.text(
      t("budget:summary.previous_button", { month: monthName(language, before) }),
      `sum:${monthKey(before)}`,
    );
  }
  if (compareMonths(shown, now) < 0) {
    const after = shiftMonth(shown, 1);
    keyboard.text(
      t("budget:summary.next_button", { month: monthName(language, after) }),
      `sum:${monthKey(after)}`,
    );
  }
  return keyboard;
}

async function summaryMessage(ctx: BotContext, householdId: number, month: Month) {
  const summary = await budgetSummary(ctx.deps.db, ctx.deps.clock, householdId, month, ctx.language);
  return {
    text: renderSummary(ctx.t, ctx.language, summary),
    reply_markup: navigation(ctx.t, ctx.language, month, currentMonth(ctx.deps.clock)),
  };
}

export const summaryFeature = new Composer<BotContext>();

/** /summary: this month's budget (also a next step after a check-up). */
export async function showSummary(ctx: BotContext): Promise<unknown> {
  const household = ctx.member?.household;
  if (!household) return ctx.reply(ctx.t("link.needed"));
  const { text, reply_markup } = await summaryMessage(ctx, household.id, currentMonth(ctx.deps.clock));
  return ctx.reply(text, { reply_markup });
}

summaryFeature.chatType("private").command("summary", showSummary);

summaryFeature.callbackQuery(/^sum:(\d{4}-\d{2})$/, async (ctx) => {
  const household = ctx.member?.household;
  if (!household) return ctx.answerCallbackQuery({ text: ctx.t("budget:old.need_link") });
  const month = parseMonthKey(ctx.match[1] ?? "");
  const now = currentMonth(ctx.deps.clock);
  if (!month || compareMonths(month, now) > 0)
    return ctx.answerCallbackQuery({ text: ctx.t("budget:summary.future") });
  if (compareMonths(month, shiftMonth(now, -SUMMARY_MONTHS_BACK)) < 0)
    return ctx.answerCallbackQuery({ text: ctx.t("budget:summary.too_old") });
  await ctx.answerCallbackQuery();
  const { text, reply_markup } = await summaryMessage(ctx, household.id, month);
  // The summary changes in place; should the text be the same (a double tap), Telegram's "not modified"
  // is harmless.
  await ctx.editMessageText(text, { reply_markup }).catch(() => undefined);
});

summaryFeature.callbackQuery(/^sum:/, (ctx) =>
  ctx.answerCallbackQuery({ text: ctx.t("budget:old.question") }),
);

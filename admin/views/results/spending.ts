// The results page's "spending" section (core/results/spending.ts): the flexible share of expenses as
// one bar per month, the period's figures, and the month-by-month table. Withheld amounts (too few
// households) and months without expenses show "—", never a division by zero.
import { FLEXIBLE_EXPENSES } from "../../../core/budget/categories.ts";
import { translator } from "../../../core/i18n.ts";
import { formatMoney } from "../../../core/money.ts";
import { shareText } from "../../../core/results/format.ts";
import {
  MIN_HOUSEHOLDS_FOR_AMOUNTS,
  type Spending,
  type SpendingFigures,
} from "../../../core/results/spending.ts";
import { html, type SafeHtml } from "../html.ts";
import { figureTable } from "./figure-table.ts";
import type { SectionViewContext } from "./sections.ts";
import { shareBars } from "./share-bars.ts";

/** The flexible categories' names as the bot's buttons show them, without their emoji. */
function flexibleNames(lang: string): string {
  const b = translator(lang, "budget");
  return FLEXIBLE_EXPENSES.map((c) => b(`categories.expense.${c}`).replace(/^[^\p{L}\p{N}]+/u, "")).join(
    ", ",
  );
}

export function spendingView(s: Spending, { lang, r, filter }: SectionViewContext): SafeHtml {
  const none = r("none");
  const money = (cents: number | null) => (cents === null ? none : formatMoney(cents));
  const share = (f: SpendingFigures) =>
    f.expenseCents === null || f.flexibleCents === null
      ? none
      : shareText(lang, f.flexibleCents, f.expenseCents);
  const chart = shareBars(
    "spending-caption",
    r("spending.chart", {
      from: filter.from,
      to: filter.to,
      months: s.months.map((m) => `${m.month} ${share(m)}`).join("; "),
    }),
    [
      { label: r("spending.flexiblePart"), colour: "#004d99" },
      { label: r("spending.fixedPart"), colour: "#a6c8ec" },
    ],
    s.months.map((m) => {
      const whole = m.expenseCents ?? 0;
      const flexible = m.flexibleCents ?? 0;
      return {
        label: m.month,
        whole,
        parts: [
          { value: flexible, text: formatMoney(flexible) },
          { value: whole - flexible, text: formatMoney(whole - flexible) },
        ],
        text: share(m),
      };
    }),
  );
  const col = {
    month: r("spending.month"),
    keeping: r("spending.keeping"),
    expenses: r("spending.expenses"),
    flexible: r("spending.flexible"),
    share: r("spending.flexibleShare"),
  };
  const monthly = html`<table>
<caption>${r("spending.monthly")}</caption>
<thead><tr><th scope="col">${col.month}</th><th scope="col" class="num">${col.keeping}</th><th scope="col" class="num">${col.expenses}</th><th scope="col" class="num">${col.flexible}</th><th scope="col" class="num">${col.share}</th></tr></thead>
<tbody>${s.months.map(
    (m) =>
      html`<tr data-spending-month="${m.month}"><th scope="row">${m.month}</th><td class="num" data-label="${col.keeping}">${m.keeping}</td><td class="num" data-label="${col.expenses}">${money(m.expenseCents)}</td><td class="num" data-label="${col.flexible}">${money(m.flexibleCents)}</td><td class="num" data-label="${col.share}">${share(m)}</td></tr>`,
  )}</tbody></table>
<ul class="muted">
<li>${col.keeping}: ${r("spending.keepingDef")}</li>
<li>${col.expenses}: ${r("spending.expensesDef")}</li>
<li>${col.flexible}: ${r("spending.flexibleDef", { categories: flexibleNames(lang) })}</li>
<li>${col.share}: ${r("spending.flexibleShareDef")}</li>
<li>${r("spending.withheldDef", { min: MIN_HOUSEHOLDS_FOR_AMOUNTS })}</li>
</ul>`;
  const p = s.period;
  return html`<h2>${r("spending.title")}</h2>
${figureTable(r, "spending", [
  ["linked", String(s.linked)],
  ["keepingPeriod", `${p.keeping} (${shareText(lang, p.keeping, s.linked)})`],
  ["expensesPeriod", money(p.expenseCents)],
  ["flexiblePeriod", money(p.flexibleCents)],
  ["flexibleSharePeriod", share(p)],
])}
<h3>${r("spending.monthly")}</h3>
${s.months.some((m) => m.expenseCents !== null && m.expenseCents > 0) ? chart : html`<p class="empty">${r("spending.empty")}</p>`}
${monthly}`;
}

// The arrears over time: every balance the authority sent, as a line, with the payments marked
// below it. Drawn as inline SVG on the server (no script, no library: a few dozen points), and the
// same figures as a table for screen readers and for reading exact amounts.

import type { BalancePoint, PaymentPoint } from "../../core/household-file/history.ts";
import type { Translate } from "../../core/i18n.ts";
import { formatMoney } from "../../core/money.ts";
import { formatCalendarDate } from "../../core/time.ts";
import { html, type SafeHtml } from "./html.ts";

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { left: 12, right: 12, top: 16, bottom: 36 };

export function arrearsChart(t: Translate, balances: BalancePoint[], payments: PaymentPoint[]): SafeHtml {
  if (balances.length === 0) return html`<p>${t("chart.noBalances")}</p>`;
  const times = [...balances, ...payments].map((p) => p.date.getTime());
  const first = Math.min(...times);
  const last = Math.max(...times);
  const span = Math.max(last - first, 86_400_000);
  const top = Math.max(...balances.map((b) => b.totalCents), 1);
  const x = (date: Date) => PAD.left + ((date.getTime() - first) / span) * (WIDTH - PAD.left - PAD.right);
  const y = (cents: number) => PAD.top + (1 - cents / top) * (HEIGHT - PAD.top - PAD.bottom);
  const line = balances.map((b) => `${x(b.date).toFixed(1)},${y(b.totalCents).toFixed(1)}`).join(" ");
  const latest = balances[balances.length - 1] as BalancePoint;
  const summary = t("chart.summary", {
    count: balances.length,
    first: formatMoney((balances[0] as BalancePoint).totalCents),
    firstDate: formatCalendarDate((balances[0] as BalancePoint).date),
    last: formatMoney(latest.totalCents),
    lastDate: formatCalendarDate(latest.date),
    payments: payments.length,
  });
  const baseline = HEIGHT - PAD.bottom;
  return html`<figure class="chart">
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-labelledby="chart-summary" focusable="false">
<line x1="${PAD.left}" y1="${baseline}" x2="${WIDTH - PAD.right}" y2="${baseline}" stroke="#5c6f82" stroke-width="1"/>
<polyline points="${line}" fill="none" stroke="#0066cc" stroke-width="3"/>
${balances.map(
  (b) =>
    html`<circle cx="${x(b.date).toFixed(1)}" cy="${y(b.totalCents).toFixed(1)}" r="4" fill="#0066cc"><title>${formatCalendarDate(b.date)}: ${formatMoney(b.totalCents)}</title></circle>`,
)}
${payments.map(
  (p) =>
    html`<path d="M ${x(p.date).toFixed(1)} ${baseline + 6} l -6 12 h 12 z" fill="#008758"><title>${t("chart.payment", { date: formatCalendarDate(p.date), amount: formatMoney(p.amountCents) })}</title></path>`,
)}
</svg>
<figcaption id="chart-summary">${summary} <span class="muted">${t("chart.legend")}</span></figcaption>
</figure>
<details><summary>${t("chart.table")}</summary>
<table><caption class="sr">${t("chart.table")}</caption>
<thead><tr><th scope="col">${t("chart.date")}</th><th scope="col">${t("chart.what")}</th><th scope="col" class="num">${t("chart.amount")}</th></tr></thead>
<tbody>${[
    ...balances.map((b) => ({ date: b.date, what: t("chart.balance"), cents: b.totalCents })),
    ...payments.map((p) => ({ date: p.date, what: t("chart.paymentRow"), cents: p.amountCents })),
  ]
    .sort((a, b) => a.date.getTime() - b.date.getTime())
    .map(
      (row) =>
        html`<tr><td data-label="${t("chart.date")}">${formatCalendarDate(row.date)}</td><td data-label="${t("chart.what")}">${row.what}</td><td class="num" data-label="${t("chart.amount")}">${formatMoney(row.cents)}</td></tr>`,
    )}</tbody></table>
</details>`;
}

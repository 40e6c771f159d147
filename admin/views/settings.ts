// The settings in force (read-only, no secrets) and the queue dashboard, for admins.
import { translator } from "../../core/i18n.ts";
import { formatRomeDateTime } from "../../core/time.ts";
import { html, type SafeHtml } from "./html.ts";
import { layout, type PageInfo } from "./layout.ts";

export type SettingRow = { key: string; value: string; env: string };

export function settingsPage(page: PageInfo, rows: SettingRow[]): SafeHtml {
  const a = translator(page.lang, "accounts");
  const col = { name: a("settings.name"), value: a("settings.value"), env: a("settings.env") };
  return layout(page, {
    title: a("settings.title"),
    current: "settings",
    body: html`<h1>${a("settings.title")}</h1>
<p>${a("settings.intro")}</p>
<table>
<caption class="sr">${a("settings.title")}</caption>
<thead><tr><th scope="col">${col.name}</th><th scope="col">${col.value}</th><th scope="col">${col.env}</th></tr></thead>
<tbody>
${rows.map(
  (row) => html`<tr>
<th scope="row" data-label="${col.name}">${a(`settings.key.${row.key}`)}</th>
<td data-label="${col.value}">${row.value}</td>
<td data-label="${col.env}"><code>${row.env}</code></td>
</tr>`,
)}
</tbody>
</table>`,
  });
}

export const JOB_STATES = ["waiting", "active", "delayed", "prioritized", "failed", "completed"] as const;

export type QueueSummary = { name: string; counts: Record<string, number> };
export type FailedJob = {
  queue: string;
  id: string;
  name: string;
  ids: string;
  reason: string;
  attempts: number;
  failedAt: Date | null;
};

export function queuesPage(
  page: PageInfo,
  data: { queues: QueueSummary[]; failed: FailedJob[]; notice?: string; available: boolean },
): SafeHtml {
  const a = translator(page.lang, "accounts");
  const csrf = page.staff?.csrfToken ?? "";
  const queueLabel = a("queues.queue");
  const counts = html`<table>
<caption>${a("queues.countsCaption")}</caption>
<thead><tr><th scope="col">${queueLabel}</th>${JOB_STATES.map((s) => html`<th scope="col" class="num">${a(`queues.state.${s}`)}</th>`)}</tr></thead>
<tbody>
${data.queues.map(
  (q) =>
    html`<tr><th scope="row" data-label="${queueLabel}">${q.name}</th>${JOB_STATES.map(
      (s) => html`<td class="num" data-label="${a(`queues.state.${s}`)}">${q.counts[s] ?? 0}</td>`,
    )}</tr>`,
)}
</tbody>
</table>`;
  const col = {
    queue: queueLabel,
    job: a("queues.job"),
    ids: a("queues.ids"),
    reason: a("queues.reason"),
    attempts: a("queues.attempts"),
    when: a("queues.failedAt"),
    action: a("queues.action"),
  };
  const failed =
    data.failed.length > 0
      ? html`<table>
<caption>${a("queues.failedCaption")}</caption>
<thead><tr><th scope="col">${col.queue}</th><th scope="col">${col.job}</th><th scope="col">${col.ids}</th><th scope="col">${col.reason}</th><th scope="col" class="num">${col.attempts}</th><th scope="col" class="num">${col.when}</th><th scope="col">${col.action}</th></tr></thead>
<tbody>
${data.failed.map(
  (job) => html`<tr>
<td data-label="${col.queue}">${job.queue}</td>
<td data-label="${col.job}">${job.name} #${job.id}</td>
<td data-label="${col.ids}">${job.ids}</td>
<td data-label="${col.reason}">${job.reason}</td>
<td class="num" data-label="${col.attempts}">${job.attempts}</td>
<td class="num" data-label="${col.when}">${job.failedAt ? formatRomeDateTime(job.failedAt) : ""}</td>
<td data-label="${col.action}"><form method="post" action="/queues/${job.queue}/jobs/${encodeURIComponent(job.id)}/retry"><input type="hidden" name="_csrf" value="${csrf}"><button type="submit" aria-label="${a("queues.retryWhich", { queue: job.queue, id: job.id })}">${a("queues.retry")}</button></form></td>
</tr>`,
)}
</tbody>
</table>`
      : html`<p class="empty">${a("queues.noFailed")}</p>`;
  return layout(page, {
    title: a("queues.title"),
    current: "queues",
    body: html`<h1>${a("queues.title")}</h1>
${data.notice ? html`<p class="notice" role="status">${a(`queues.notice.${data.notice}`)}</p>` : ""}
<p>${a("queues.intro")}</p>
${data.available ? html`${counts}<h2>${a("queues.failedTitle")}</h2>${failed}` : html`<p class="empty">${a("queues.unavailable")}</p>`}`,
  });
}

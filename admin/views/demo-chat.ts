// The demo chat: staff try the bot as a household would, in a page that looks like a phone chat.
import type { Translate } from "../../core/i18n.ts";
import { normalizeCode } from "../../core/linking.ts";
import { formatRomeDateTime } from "../../core/time.ts";
import type { TranscriptEntry } from "../demo/sandbox-client.ts";
import { html, type SafeHtml } from "./html.ts";
import { layout, type PageInfo } from "./layout.ts";
import { renderTelegramText } from "./telegram.ts";

export type DemoHousehold = { contractCode: string; name: string; municipality: string };

export function demoListPage(
  page: PageInfo,
  data: { households: DemoHousehold[]; query: string; currentUserId: number | null; problem?: "unreachable" },
): SafeHtml {
  const { t } = page;
  const csrf = page.staff?.csrfToken ?? "";
  const rows = data.households.map(
    (h) => html`<tr>
<td data-label="${t("households.column.contract")}">${h.contractCode}</td>
<td data-label="${t("households.column.name")}">${h.name}</td>
<td data-label="${t("households.column.municipality")}">${h.municipality}</td>
<td><form method="post" action="/demo/chat/start">
<input type="hidden" name="_csrf" value="${csrf}">
<input type="hidden" name="contractCode" value="${h.contractCode}">
<button type="submit">${t("demo.chatAs")}</button>
</form></td>
</tr>`,
  );
  return layout(page, {
    title: t("demo.title"),
    current: "demo",
    body: html`<h1>${t("demo.title")}</h1>
<p>${t("demo.intro")}</p>
${data.problem ? html`<p class="error" role="alert">${t(`demo.problem.${data.problem}`)}</p>` : ""}
${
  data.currentUserId !== null
    ? html`<p class="notice"><a href="/demo/chat/${data.currentUserId}">${t("demo.continue")}</a></p>`
    : ""
}
<form class="search" method="get" action="/demo/chat" role="search">
<label class="sr" for="q">${t("households.searchLabel")}</label>
<input id="q" name="q" type="search" value="${data.query}" placeholder="${t("households.searchPlaceholder")}" maxlength="100">
<button type="submit">${t("households.search")}</button>
</form>
${
  data.households.length > 0
    ? html`<table class="chatlist">
<thead><tr><th scope="col">${t("households.column.contract")}</th><th scope="col">${t("households.column.name")}</th>
<th scope="col">${t("households.column.municipality")}</th><th scope="col"><span class="sr">${t("demo.action")}</span></th></tr></thead>
<tbody>${rows}</tbody>
</table>`
    : html`<p class="empty">${data.query ? t("households.emptySearch", { query: data.query }) : t("households.empty")}</p>`
}`,
  });
}

function kindLabel(t: Translate, entry: TranscriptEntry): string {
  if (entry.kind === "document") {
    return t("demo.kind.document", { name: entry.document?.file_name ?? "" });
  }
  return t(`demo.kind.${entry.kind}`, { defaultValue: t("demo.kind.other") });
}

function inlineKeyboard(
  t: Translate,
  entry: TranscriptEntry,
  userId: number,
  csrf: string,
): SafeHtml | string {
  const rows = entry.reply_markup?.inline_keyboard;
  if (!rows || rows.length === 0) return "";
  return html`<div class="keyboard">${rows.map(
    (row) =>
      html`<div class="row">${row.map((button) => {
        if (button.callback_data !== undefined) {
          return html`<form method="post" action="/demo/chat/${userId}/press">
<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="message_id" value="${entry.message_id}">
<input type="hidden" name="data" value="${button.callback_data}"><button type="submit">${button.text}</button></form>`;
        }
        if (button.url !== undefined && /^https?:\/\//i.test(button.url)) {
          return html`<a class="button" href="${button.url}" target="_blank" rel="noopener noreferrer">${button.text}</a>`;
        }
        return html`<button type="button" disabled title="${t("demo.unsupportedButton")}">${button.text}</button>`;
      })}</div>`,
  )}</div>`;
}

/**
 * The link code the page sent as the user's `/start CODE` (or one typed by hand) is never shown:
 * anyone who saw it could link a Telegram account of their own to the household.
 */
export function maskLinkCode(text: string): string {
  if (normalizeCode(text) !== null) return "••••••••";
  return text.replace(/^(\s*\/start(?:@\w+)?\s+)\S.*$/is, (_, command: string) => `${command}••••••••`);
}

/** A document the bot sent: a link that saves it, as a phone would. */
function kindOrDownload(t: Translate, entry: TranscriptEntry, userId: number): SafeHtml {
  const fileId = entry.document?.file_id;
  if (entry.kind === "document" && entry.from === "bot" && fileId) {
    const name = entry.document?.file_name ?? "";
    return html`<a class="file" href="/demo/chat/${userId}/files/${encodeURIComponent(fileId)}" download="${name}">${t("demo.download", { name })}</a>`;
  }
  return html`<em>${kindLabel(t, entry)}</em>`;
}

function message(t: Translate, entry: TranscriptEntry, userId: number, csrf: string): SafeHtml {
  const when = new Date(entry.date * 1000);
  const body =
    entry.text !== undefined
      ? // User texts are what the person typed: no entities are drawn for them except the bot's own.
        entry.from === "bot"
        ? renderTelegramText(entry.text, entry.entities)
        : renderTelegramText(maskLinkCode(entry.text))
      : html`${kindOrDownload(t, entry, userId)}${entry.caption ? html`\n${renderTelegramText(entry.caption)}` : ""}`;
  // dir="auto": each message takes its direction from its own first letters, as Telegram does, so
  // an Arabic answer reads right to left in an Italian page.
  return html`<div class="msg ${entry.from}" data-message-id="${entry.message_id}">
<span class="sr">${entry.from === "bot" ? t("demo.fromBot") : t("demo.fromYou")}:</span>
<div class="text" dir="auto">${body}</div>${
    entry.from === "bot" ? inlineKeyboard(t, entry, userId, csrf) : ""
  }<span class="meta"><time datetime="${when.toISOString()}">${formatRomeDateTime(when).slice(11)}</time>${
    entry.edited ? html` · ${t("demo.edited")}` : ""
  }</span></div>`;
}

/** The messages, as the page shows them and as the refresh script swaps them in. */
export function transcriptFragment(
  t: Translate,
  entries: TranscriptEntry[],
  userId: number,
  csrf: string,
): SafeHtml {
  const visible = entries.filter((e) => !e.deleted);
  if (visible.length === 0) return html`<p class="muted">${t("demo.noMessages")}</p>`;
  return html`${visible.map((e) => message(t, e, userId, csrf))}`;
}

/**
 * The bot's custom keyboard (ReplyKeyboardMarkup) stays under the chat until the bot removes it:
 * the latest bot message that sets or removes one decides.
 */
export function replyKeyboardFragment(
  entries: TranscriptEntry[],
  userId: number,
  csrf: string,
): SafeHtml | string {
  const latest = entries
    .filter(
      (e) => e.from === "bot" && !e.deleted && (e.reply_markup?.keyboard || e.reply_markup?.remove_keyboard),
    )
    .at(-1);
  const rows = latest?.reply_markup?.keyboard;
  if (!rows || rows.length === 0) return "";
  return html`${rows.map(
    (row) =>
      html`<div class="row">${row.map((button) => {
        const text = typeof button === "string" ? button : button.text;
        return html`<form method="post" action="/demo/chat/${userId}/send"><input type="hidden" name="_csrf" value="${csrf}">
<input type="hidden" name="text" value="${text}"><button type="submit">${text}</button></form>`;
      })}</div>`,
  )}`;
}

export type LinkedTo = { name: string; contractCode: string } | null;

/** The line under the bot's name: which household this chat is linked to, if any. */
export function chatStatus(t: Translate, linkedTo: LinkedTo): string {
  return linkedTo
    ? t("demo.linkedTo", { name: linkedTo.name, contract: linkedTo.contractCode })
    : t("demo.notLinked");
}

export function demoChatPage(
  page: PageInfo,
  data: {
    userId: number;
    linkedTo: LinkedTo;
    entries: TranscriptEntry[] | null;
    version: string;
    problem?: "send" | "press" | "unreachable";
  },
): SafeHtml {
  const { t } = page;
  const csrf = page.staff?.csrfToken ?? "";
  const transcript = data.entries ? transcriptFragment(t, data.entries, data.userId, csrf) : "";
  const keyboard = data.entries ? replyKeyboardFragment(data.entries, data.userId, csrf) : "";
  return layout(page, {
    title: t("demo.chatTitle"),
    current: "demo",
    body: html`<h1 class="sr">${t("demo.chatTitle")}</h1>
<p><a href="/demo/chat">${t("demo.back")}</a></p>
${data.problem ? html`<p class="error" role="alert">${t(`demo.problem.${data.problem}`)}</p>` : ""}
<section class="phone" aria-label="${t("demo.chatTitle")}">
<div class="head">${t("demo.botName")}<small id="chat-status" aria-live="polite">${chatStatus(t, data.linkedTo)}</small></div>
<div id="transcript" class="transcript" role="log" aria-live="polite" data-source="/demo/chat/${data.userId}/transcript.json" data-version="${data.version}">
${transcript}
</div>
<div id="reply-keyboard" class="replykb"${keyboard ? "" : html` hidden`}>${keyboard}</div>
<form class="compose" method="post" action="/demo/chat/${data.userId}/send">
<input type="hidden" name="_csrf" value="${csrf}">
<label class="sr" for="text">${t("demo.messageLabel")}</label>
<input id="text" name="text" type="text" required maxlength="4096" autocomplete="off" autofocus placeholder="${t("demo.messagePlaceholder")}">
<button type="submit">${t("demo.send")}</button>
</form>
</section>
<p class="muted">${t("demo.hint")}</p>
<script src="/assets/demo-chat.js" defer></script>`,
  });
}

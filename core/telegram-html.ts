/** Escapes text for Telegram's HTML parse mode (and for HTML pages): <, > and & must not reach it raw. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

export const TELEGRAM_TEXT_LIMIT = 4096;

// Reminder texts in the member's language (Telegram HTML; values from data are escaped here).
import { DOCUMENT_REQUIREMENTS } from "../documents.ts";
import { type Translate, translator } from "../i18n.ts";
import { formatMoney } from "../money.ts";
import type { PagopaNotice } from "../pagopa.ts";
import { escapeHtml } from "../telegram-html.ts";
import { formatCalendarDate, formatRomeDateTime } from "../time.ts";
import { fillPlaceholders } from "../variants/assign.ts";
import { isEssential, type ReminderKind } from "./rules.ts";

export const REMINDER_CALLBACKS = { mute: "rem:mute", unmute: "rem:unmute" } as const;

export type InstallmentFacts = {
  number: number;
  total: number;
  owedCents: number;
  dueDate: Date;
  /** Its pagoPA notice, when it has one to pay with (the QR code follows the text). */
  notice?: PagopaNotice | null;
};
export type CourseFacts = { title: string; startsAt: Date; location: string };
export type DocumentFacts = { key: string; dueDate: Date };

type Translators = { reminders: Translate; documents: Translate };
const cache = new Map<string, Translators>();

function translators(language: string): Translators {
  let found = cache.get(language);
  if (!found) {
    found = { reminders: translator(language, "reminders"), documents: translator(language, "documents") };
    cache.set(language, found);
  }
  return found;
}

const KNOWN_DOCUMENTS: ReadonlySet<string> = new Set(DOCUMENT_REQUIREMENTS);

/** `template`: a wording under test (core/variants) in place of the text in force, same placeholders. */
export function installmentText(
  language: string,
  kind: ReminderKind,
  f: InstallmentFacts,
  template?: string,
): string {
  const t = translators(language).reminders;
  const values = {
    number: f.number,
    total: f.total,
    amount: formatMoney(f.owedCents),
    date: formatCalendarDate(f.dueDate),
  };
  const text = template === undefined ? t(`text.${kind}`, values) : fillPlaceholders(template, values);
  if (!f.notice) return text;
  return `${text}\n\n${t("pagopa", {
    notice: f.notice.notice,
    creditor: f.notice.creditorFiscalCode,
    amount: formatMoney(f.notice.amountCents),
  })}`;
}

export function courseText(language: string, kind: ReminderKind, f: CourseFacts): string {
  return translators(language).reminders(`text.${kind}`, {
    title: escapeHtml(f.title),
    time: formatRomeDateTime(f.startsAt),
    location: escapeHtml(f.location),
  });
}

export function documentText(language: string, kind: ReminderKind, f: DocumentFacts): string {
  const t = translators(language);
  const document = KNOWN_DOCUMENTS.has(f.key) ? t.documents(`items.${f.key}.name`) : escapeHtml(f.key);
  return t.reminders(`text.${kind}`, { document, date: formatCalendarDate(f.dueDate) });
}

/** Non-essential reminders carry a button to mute them; essential ones none. */
export function reminderMarkup(language: string, kind: ReminderKind): string | null {
  if (isEssential(kind)) return null;
  const text = translators(language).reminders("buttons.mute");
  return JSON.stringify({ inline_keyboard: [[{ text, callback_data: REMINDER_CALLBACKS.mute }]] });
}

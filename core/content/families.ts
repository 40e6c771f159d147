// The texts staff may edit in the panel's content area, and only these: an allow-list by family, never
// an arbitrary key. Texts of locales/ are edited as overrides of their JSON defaults (core/content/
// store.ts); budget tips live in the BudgetTip table and are edited there. Saved replies have their own
// pages (admin/routes/saved-replies.ts) and share the history (ContentVersion).
import { DOCUMENT_REQUIREMENTS } from "../documents.ts";
import { FAQ_KEYS } from "../faq.ts";

export const CONTENT_FAMILIES = ["tips", "faq", "documents", "payment", "reminders"] as const;
export type ContentFamily = (typeof CONTENT_FAMILIES)[number];

/** The namespace budget tips are known by in ContentVersion and in item ids ("budgetTips:rent_pay_first"). */
export const TIPS_NAMESPACE = "budgetTips";
/** The namespace saved replies are known by in ContentVersion (key: the reply's id). */
export const SAVED_REPLIES_NAMESPACE = "savedReplies";

/** One editable text: `html` texts go to Telegram in HTML parse mode, `plain` ones are escaped. */
export type ContentItem = {
  /** "operator:faq.payment.answer": namespace and key, as i18next reads them. */
  id: string;
  family: ContentFamily;
  namespace: string;
  key: string;
  format: "html" | "plain";
};

function localeItem(family: ContentFamily, namespace: string, key: string): ContentItem {
  return { id: `${namespace}:${key}`, family, namespace, key, format: "html" };
}

const LOCALE_ITEMS: readonly ContentItem[] = [
  ...FAQ_KEYS.map((key) => localeItem("faq", "operator", `faq.${key}.answer`)),
  ...DOCUMENT_REQUIREMENTS.flatMap((key) => [
    localeItem("documents", "documents", `items.${key}.name`),
    localeItem("documents", "documents", `items.${key}.help`),
  ]),
  localeItem("documents", "documents", "items.other"),
  localeItem("payment", "debt", "plan.howto"),
  localeItem("payment", "debt", "plan.pagopa"),
  localeItem("payment", "reminders", "pagopa"),
  localeItem("payment", "escalation", "worry.housing.contacts"),
  ...["inst-before", "inst-due", "inst-overdue", "course-eve", "course-2h", "doc-7", "doc-1"].map((key) =>
    localeItem("reminders", "reminders", `text.${key}`),
  ),
  localeItem("reminders", "escalation", "nudge.text"),
];

export function tipItem(key: string): ContentItem {
  return { id: `${TIPS_NAMESPACE}:${key}`, family: "tips", namespace: TIPS_NAMESPACE, key, format: "plain" };
}

export function isContentFamily(value: unknown): value is ContentFamily {
  return typeof value === "string" && (CONTENT_FAMILIES as readonly string[]).includes(value);
}

/** The texts of locales/ a family has (tips come from the database: core/content/store.ts). */
export function localeItemsOf(family: ContentFamily): ContentItem[] {
  return LOCALE_ITEMS.filter((item) => item.family === family);
}

/** The locales/ item with this id, or null when it is not on the allow-list. */
export function findLocaleItem(id: string): ContentItem | null {
  return LOCALE_ITEMS.find((item) => item.id === id) ?? null;
}

export function allLocaleItems(): readonly ContentItem[] {
  return LOCALE_ITEMS;
}

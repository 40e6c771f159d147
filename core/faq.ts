// The small FAQ /operator offers before a person is involved, and the topics a case can be about.
// The texts live in locales/<lang>/operator.json (faq.<key>.question / faq.<key>.answer and
// topic.<key>); this file only says which topics exist and what values their texts need.
import { formatMoney } from "./money.ts";

/** Common questions answered at once, each with a way on to a person. */
export const FAQ_KEYS = ["payment", "isee", "declaration", "solidarity", "plan_change", "contacts"] as const;
export type FaqKey = (typeof FAQ_KEYS)[number];

/** Topics that go straight to a person. */
export const PERSON_TOPICS = ["debt", "documents", "courses", "other"] as const;
export type PersonTopic = (typeof PERSON_TOPICS)[number];

/** What a case can be about: a person topic, or the FAQ whose answer did not help. */
export const CASE_TOPICS = [...PERSON_TOPICS, ...FAQ_KEYS] as const;
export type CaseTopic = (typeof CASE_TOPICS)[number];

/** The regional contributo di solidarietà: up to about this much per household. */
export const SOLIDARITY_MAX_CENTS = 120_000;

export function isFaqKey(value: string): value is FaqKey {
  return (FAQ_KEYS as readonly string[]).includes(value);
}

export function isPersonTopic(value: string): value is PersonTopic {
  return (PERSON_TOPICS as readonly string[]).includes(value);
}

export function isCaseTopic(value: string): value is CaseTopic {
  return (CASE_TOPICS as readonly string[]).includes(value);
}

/** The values an answer's text interpolates (amounts through the one money formatter). */
export function faqValues(key: FaqKey): Record<string, string> {
  return key === "solidarity" ? { amount: formatMoney(SOLIDARITY_MAX_CENTS) } : {};
}

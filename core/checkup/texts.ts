// The check-up's messages the worker sends (the offer of a round), in the member's language.
import { type Translate, translator } from "../i18n.ts";
import { CHECKUP_QUESTION_COUNT, type CheckupRoundName } from "./questions.ts";

export const CHECKUP_NAMESPACE = "checkup";

const cache = new Map<string, Translate>();

export function checkupT(language: string): Translate {
  let t = cache.get(language);
  if (!t) {
    t = translator(language, CHECKUP_NAMESPACE);
    cache.set(language, t);
  }
  return t;
}

/** Callback data of the offer's button: the round, resolved against the presser's own household. */
export function startCallback(round: CheckupRoundName): string {
  return `chk:s:${round}`;
}

export function offerText(language: string, round: CheckupRoundName): string {
  const t = checkupT(language);
  return t(round === "entry" ? "offer.entry" : "offer.followup", { count: CHECKUP_QUESTION_COUNT });
}

export function offerMarkup(language: string, round: CheckupRoundName): string {
  const t = checkupT(language);
  return JSON.stringify({
    inline_keyboard: [[{ text: t("offer.start"), callback_data: startCallback(round) }]],
  });
}

// Callback queries made by button presses, and the bot's answers to them (bounded).

import type { CallbackQuery } from "./types.ts";

export interface CallbackAnswer {
  callback_query_id: string;
  text?: string;
  show_alert: boolean;
  url?: string;
  cache_time?: number;
  /** When the bot answered (unix seconds). */
  date: number;
}

const KEPT = 1000;

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.set(key, value);
  if (map.size > KEPT) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}

export class CallbackStore {
  readonly #open = new Map<string, CallbackQuery>();
  readonly #answers = new Map<string, CallbackAnswer>();

  add(query: CallbackQuery): void {
    remember(this.#open, query.id, query);
  }

  /** Records the answer; false when the query is unknown or already answered. */
  answer(answer: CallbackAnswer): boolean {
    if (!this.#open.delete(answer.callback_query_id)) return false;
    remember(this.#answers, answer.callback_query_id, answer);
    return true;
  }

  answerOf(id: string): CallbackAnswer | undefined {
    return this.#answers.get(id);
  }
}

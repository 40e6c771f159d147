// Reads sent with an update's claim. The claim goes to PostgreSQL in one message with the chat's lock
// (bot/middlewares/prepare.ts); a read that the most frequent updates need (the figures of /balance)
// can ride in the same message, saving the handler a round trip of its own, the costliest part of a
// short update. The read runs right after the claim, under the chat's lock, like the handler would.
import type { Update } from "grammy/types";
import type { BotContext } from "./context.ts";

export type EarlyRead = {
  /** `PREPARE name(types) AS …` (read-only): made once on every chat-lock connection. */
  prepare: string;
  /**
   * `EXECUTE name(literals)` when this update will probably want the read, else undefined. A guess:
   * sent in vain it costs a little database time; not sent, the handler reads on its own.
   */
  statementFor(update: Update): string | undefined;
};

/** The rows `read` returned with this update's claim; undefined when it was not sent with it. */
export function earlyRows(ctx: BotContext, read: EarlyRead): unknown[] | undefined {
  return ctx.earlyRows?.get(read);
}

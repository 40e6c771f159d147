// The one way an update's failure is handled, in polling and in webhook mode alike: a log line with
// ids and the error's kind (core/logger.ts serializes errors by allow-list), and the generic "something
// went wrong" to the person. grammY's own error path differs per mode (bot.catch for polling, a
// rethrown BotError carrying the whole context for webhooks), so the boundary comes first instead.
import type { Middleware } from "grammy";
import type { Update } from "grammy/types";
import { resolveLanguage, translator } from "../core/i18n.ts";
import type { BotContext } from "./context.ts";

/**
 * Updates that Telegram delivers again when we do not answer 2xx (webhook mode). The webhook route
 * adds each update object before handling it; the context carries the same object.
 */
const redeliverable = new WeakSet<Update>();

export function markRedeliverable(update: Update): void {
  redeliverable.add(update);
}

/**
 * Thrown out of the boundary when an update failed before it was claimed (the database did not
 * answer the chat lock or the claim) and Telegram will deliver it again if told so: the webhook
 * route then answers 503 instead of 200, and the person gets the real answer once it goes through.
 */
export class UpdateNotRecorded extends Error {
  constructor() {
    super("update failed before it was recorded; Telegram may deliver it again");
    this.name = "UpdateNotRecorded";
  }
}

/** What kind of update it was (message, callback_query…), never what it says. */
function updateKind(update: Update): string | undefined {
  return Object.keys(update).find((key) => key !== "update_id");
}

async function answerGeneric(ctx: BotContext): Promise<void> {
  if (ctx.chat?.type !== "private") return;
  // Before the member was read, `t` is not there yet: the person's Telegram language then.
  const t = ctx.t ?? translator(resolveLanguage(ctx.from?.language_code));
  // The failure may be the chat itself (blocked, gone): nothing more to say then.
  await ctx.reply(t("errors.generic")).catch(() => undefined);
}

/** Logs an update's failure: ids, the kind of update, and the error by allow-list. */
export function logUpdateFailure(ctx: BotContext, error: unknown): void {
  ctx.deps.logger.error(
    {
      updateId: ctx.update.update_id,
      updateKind: updateKind(ctx.update),
      memberId: ctx.member?.id,
      err: error,
    },
    "update failed",
  );
}

/** The first middleware after the per-chat ordering: no error gets past it, except UpdateNotRecorded. */
export const errorBoundary: Middleware<BotContext> = async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    logUpdateFailure(ctx, error);
    if (!ctx.updateRecorded && redeliverable.has(ctx.update)) throw new UpdateNotRecorded();
    await answerGeneric(ctx);
  }
};

import type { Middleware } from "grammy";
import type { BotContext } from "../context.ts";

/**
 * Telegram (and a webhook retry) may deliver the same update twice: handle each update id once.
 * If handling fails the mark is removed, so a redelivery gets another chance.
 */
export const dedupeUpdates: Middleware<BotContext> = async (ctx, next) => {
  const updateId = BigInt(ctx.update.update_id);
  const { db } = ctx.deps;
  const inserted = await db.$executeRaw`
    INSERT INTO "ProcessedUpdate" ("updateId", "at") VALUES (${updateId}, now()) ON CONFLICT DO NOTHING`;
  if (inserted === 0) {
    ctx.logger.info({ updateId: ctx.update.update_id }, "duplicate update ignored");
    return;
  }
  try {
    await next();
  } catch (error) {
    await db.processedUpdate.delete({ where: { updateId } }).catch(() => undefined);
    throw error;
  }
};

// Sends one OutboundMessage to Telegram. Jobs may run more than once (at-least-once queue), so the
// record in PostgreSQL decides: a message already sent, unreachable or cancelled is never sent again.
import { UnrecoverableError } from "bullmq";
import { type Api, GrammyError, HttpError } from "grammy";
import type {
  ForceReply,
  InlineKeyboardMarkup,
  ReplyKeyboardMarkup,
  ReplyKeyboardRemove,
} from "grammy/types";
import type { Clock } from "../../core/clock.ts";
import type { Db } from "../../core/db/client.ts";
import type { Logger } from "../../core/logger.ts";
import { deliveryJobSchema } from "../../core/queues/delivery.ts";

export type DeliveryDeps = {
  db: Db;
  api: Api;
  clock: Clock;
  logger: Logger;
  /** Pauses the whole queue (all worker processes) after Telegram's 429. */
  rateLimit: (ms: number) => Promise<void>;
};

type ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply;

export type DeliveryOutcome = "sent" | "skipped" | "unreachable";

/** Thrown after a 429 so BullMQ puts the job back without counting an attempt. */
export class TelegramRateLimited extends Error {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super(`Telegram asked to wait ${retryAfterMs} ms`);
    this.retryAfterMs = retryAfterMs;
  }
}

export async function processDelivery(data: unknown, deps: DeliveryDeps): Promise<DeliveryOutcome> {
  const { outboundMessageId } = deliveryJobSchema.parse(data);
  const { db, api, clock, logger } = deps;
  const message = await db.outboundMessage.findUnique({
    where: { id: outboundMessageId },
    include: { member: { select: { unreachableAt: true } } },
  });
  if (
    !message ||
    message.status === "sent" ||
    message.status === "unreachable" ||
    message.status === "cancelled"
  ) {
    return "skipped";
  }
  if (message.member.unreachableAt) {
    await db.outboundMessage.update({ where: { id: message.id }, data: { status: "unreachable" } });
    return "unreachable";
  }
  await db.outboundMessage.update({
    where: { id: message.id },
    data: { status: "sending", attempts: { increment: 1 } },
  });

  try {
    const sent = await api.sendMessage(Number(message.chatId), message.text, {
      ...(message.parseMode === "HTML" ? { parse_mode: "HTML" as const } : {}),
      // Stored by us from a grammY keyboard, so it has Telegram's ReplyMarkup shape.
      ...(message.replyMarkup ? { reply_markup: message.replyMarkup as unknown as ReplyMarkup } : {}),
    });
    await db.outboundMessage.update({
      where: { id: message.id },
      data: {
        status: "sent",
        sentAt: clock.now(),
        telegramMessageId: BigInt(sent.message_id),
        lastError: null,
      },
    });
    logger.debug({ outboundMessageId: message.id }, "message delivered");
    return "sent";
  } catch (error) {
    if (error instanceof GrammyError) {
      const lastError = `${error.error_code} ${error.description}`.slice(0, 500);
      if (error.error_code === 429) {
        const ms = (error.parameters.retry_after ?? 1) * 1000;
        await db.outboundMessage.update({ where: { id: message.id }, data: { status: "queued", lastError } });
        await deps.rateLimit(ms);
        throw new TelegramRateLimited(ms);
      }
      if (error.error_code === 403) {
        // Blocked bot or deactivated account: stop, do not retry; staff can see it.
        await db.$transaction([
          db.outboundMessage.update({
            where: { id: message.id },
            data: { status: "unreachable", lastError },
          }),
          db.member.update({ where: { id: message.memberId }, data: { unreachableAt: clock.now() } }),
        ]);
        logger.info({ outboundMessageId: message.id, memberId: message.memberId }, "member unreachable");
        return "unreachable";
      }
      if (error.error_code >= 400 && error.error_code < 500) {
        await db.outboundMessage.update({ where: { id: message.id }, data: { status: "failed", lastError } });
        logger.error(
          { outboundMessageId: message.id, errorCode: error.error_code },
          "message rejected by Telegram",
        );
        throw new UnrecoverableError(lastError);
      }
    }
    // 5xx and network errors: back to the queue with backoff.
    const lastError =
      error instanceof HttpError || error instanceof GrammyError ? error.message : String(error);
    await db.outboundMessage.update({
      where: { id: message.id },
      data: { status: "queued", lastError: lastError.slice(0, 500) },
    });
    throw error;
  }
}

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
import { splitMessage } from "./split.ts";

export type DeliveryDeps = {
  db: Db;
  api: Api;
  clock: Clock;
  logger: Logger;
  /** Pauses the whole queue (all worker processes) after Telegram's 429. */
  rateLimit: (ms: number) => Promise<void>;
  /**
   * Takes the chat's sending slot (about one message a second per chat, across all worker
   * processes): 0 when taken, else the milliseconds until it frees.
   */
  takeChatSlot: (chatId: bigint) => Promise<number>;
  /** The pause between two messages to one chat, in milliseconds. */
  chatIntervalMs: number;
};

/** What the processor may know about and do with its job. */
export type DeliveryJobControl = {
  /** Records that the parts before `nextPart` were sent, so a retry does not send them again. */
  saveNextPart: (nextPart: number) => Promise<void>;
  /** No retry follows a failure of this attempt. */
  finalAttempt: boolean;
};

const noJobControl: DeliveryJobControl = { saveNextPart: async () => {}, finalAttempt: false };

/** Only messages this recent hold up later ones to the same chat (an older one is stuck, not waiting). */
const ORDER_WINDOW_MS = 60 * 60 * 1000;

type ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply;

export type DeliveryOutcome = "sent" | "skipped" | "unreachable";

/**
 * Thrown when the chat had a message less than a second ago, or an earlier message to it is still
 * waiting: the job goes back to the queue delayed by `delayMs`, without counting an attempt.
 */
export class ChatBusy extends Error {
  readonly delayMs: number;
  constructor(delayMs: number) {
    super(`chat busy for ${delayMs} ms`);
    this.delayMs = delayMs;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Thrown after a 429 so BullMQ puts the job back without counting an attempt. */
export class TelegramRateLimited extends Error {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super(`Telegram asked to wait ${retryAfterMs} ms`);
    this.retryAfterMs = retryAfterMs;
  }
}

export async function processDelivery(
  data: unknown,
  deps: DeliveryDeps,
  job: DeliveryJobControl = noJobControl,
): Promise<DeliveryOutcome> {
  const { outboundMessageId, nextPart = 0 } = deliveryJobSchema.parse(data);
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
  if (message.member?.unreachableAt) {
    await db.outboundMessage.update({ where: { id: message.id }, data: { status: "unreachable" } });
    return "unreachable";
  }
  // Messages to one chat go out in the order they were requested: wait for earlier ones.
  const earlier = await db.outboundMessage.count({
    where: {
      chatId: message.chatId,
      id: { lt: message.id },
      status: { in: ["queued", "sending"] },
      createdAt: { gt: new Date(Date.now() - ORDER_WINDOW_MS) }, // set by PostgreSQL, so real time
    },
  });
  if (earlier > 0) throw new ChatBusy(earlier * deps.chatIntervalMs);
  const wait = await deps.takeChatSlot(message.chatId);
  if (wait > 0) throw new ChatBusy(wait);

  await db.outboundMessage.update({
    where: { id: message.id },
    data: { status: "sending", attempts: { increment: 1 } },
  });

  try {
    const parts = splitMessage(message.text, message.parseMode === "HTML" ? "HTML" : null);
    let sent: { message_id: number } | undefined;
    for (let part = nextPart; part < parts.length; part++) {
      if (part > nextPart) await waitForChatSlot(deps, message.chatId);
      const last = part === parts.length - 1;
      sent = await api.sendMessage(Number(message.chatId), parts[part] as string, {
        ...(message.parseMode === "HTML" ? { parse_mode: "HTML" as const } : {}),
        // Stored by us from a grammY keyboard, so it has Telegram's ReplyMarkup shape.
        ...(last && message.replyMarkup
          ? { reply_markup: message.replyMarkup as unknown as ReplyMarkup }
          : {}),
      });
      if (!last) await job.saveNextPart(part + 1);
    }
    await db.outboundMessage.update({
      where: { id: message.id },
      data: {
        status: "sent",
        sentAt: clock.now(),
        telegramMessageId: sent ? BigInt(sent.message_id) : message.telegramMessageId,
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
          ...(message.memberId === null
            ? []
            : [db.member.update({ where: { id: message.memberId }, data: { unreachableAt: clock.now() } })]),
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
      data: { status: job.finalAttempt ? "failed" : "queued", lastError: lastError.slice(0, 500) },
    });
    throw error;
  }
}

/** Between the parts of one long message: the chat is ours, so wait here for its next slot. */
async function waitForChatSlot(deps: DeliveryDeps, chatId: bigint): Promise<void> {
  for (let tries = 0; tries < 30; tries++) {
    const wait = await deps.takeChatSlot(chatId);
    if (wait === 0) return;
    await sleep(wait);
  }
  throw new Error(`chat ${chatId} stayed busy`);
}

// The delivery queue: every message the system starts goes through it. The job carries an id only;
// the text and the recipient live in PostgreSQL (OutboundMessage), where `purpose` is unique.
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { Db, Prisma } from "../db/client.ts";

export const DELIVERY_QUEUE = "delivery";

export const deliveryJobSchema = z.object({
  outboundMessageId: z.number().int().positive(),
  /** A text over Telegram's limit goes out in parts: the index of the next part still to send. */
  nextPart: z.number().int().nonnegative().optional(),
});
export type DeliveryJob = z.infer<typeof deliveryJobSchema>;

export type DeliveryQueue = Queue<DeliveryJob>;

export function createDeliveryQueue(connection: Redis, prefix: string): DeliveryQueue {
  return new Queue<DeliveryJob>(DELIVERY_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: 8,
      backoff: { type: "exponential", delay: 1000 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    },
  });
}

/** A household member, or a staff chat (the operators' group) given by its chat id. */
export type DeliveryRecipient =
  | { memberId: number; chatId?: undefined }
  | { memberId?: undefined; chatId: bigint };

export type DeliveryRequest = DeliveryRecipient & {
  /** Unique per purpose and recipient, e.g. "linked:42:7" — the same purpose is never sent twice. */
  purpose: string;
  text: string;
  parseMode?: "HTML";
  /** Telegram reply_markup, e.g. the main menu keyboard. */
  replyMarkup?: Prisma.InputJsonValue;
  broadcastId?: number;
  /** A post about a case in the operators' group, so a reply to it finds the case. */
  caseId?: number;
};

/**
 * Records the message and queues it. Asking twice for the same purpose changes nothing: the record
 * is kept and the job id is derived from it, so the queue does not hold it twice either.
 */
export async function requestDelivery(
  deps: { db: Db; deliveryQueue: DeliveryQueue },
  request: DeliveryRequest,
): Promise<{ outboundMessageId: number; created: boolean }> {
  const chatId =
    request.memberId === undefined
      ? request.chatId
      : (
          await deps.db.member.findUniqueOrThrow({
            where: { id: request.memberId },
            select: { chatId: true },
          })
        ).chatId;
  const existing = await deps.db.outboundMessage.findUnique({ where: { purpose: request.purpose } });
  const message =
    existing ??
    (await deps.db.outboundMessage.upsert({
      where: { purpose: request.purpose },
      create: {
        purpose: request.purpose,
        memberId: request.memberId ?? null,
        chatId,
        text: request.text,
        parseMode: request.parseMode ?? null,
        ...(request.replyMarkup === undefined ? {} : { replyMarkup: request.replyMarkup }),
        broadcastId: request.broadcastId ?? null,
        caseId: request.caseId ?? null,
      },
      update: {},
    }));
  if (message.status === "queued") await enqueueDeliveries(deps.deliveryQueue, [message.id]);
  return { outboundMessageId: message.id, created: !existing };
}

/**
 * Queues messages already recorded in OutboundMessage (e.g. inserted in bulk by a broadcast or a
 * reminder scan). The job id comes from the record, so queueing one twice while it waits is a no-op;
 * the record's status stops a second send in any case.
 */
export async function enqueueDeliveries(
  queue: DeliveryQueue,
  outboundMessageIds: readonly number[],
): Promise<void> {
  const CHUNK = 1000;
  for (let start = 0; start < outboundMessageIds.length; start += CHUNK) {
    await queue.addBulk(
      outboundMessageIds.slice(start, start + CHUNK).map((id) => ({
        name: "deliver",
        data: { outboundMessageId: id },
        opts: { jobId: `message-${id}` },
      })),
    );
  }
}

// The delivery queue: every message the system starts goes through it. The job carries an id only;
// the text and the recipient live in PostgreSQL (OutboundMessage), where `purpose` is unique.
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { Db, DeliveryStatus, Prisma } from "../db/client.ts";
import { sqlOf } from "../db/sql.ts";

export const DELIVERY_QUEUE = "delivery";

/** Every status of an OutboundMessage, in the order a message goes through them. */
export const DELIVERY_STATUSES = [
  "queued",
  "sending",
  "sent",
  "failed",
  "unreachable",
  "uncertain",
  "cancelled",
] as const satisfies readonly DeliveryStatus[];

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
 * Records the message and queues it. Asking twice for the same purpose — one after the other or at
 * the same moment, from several processes — changes nothing: one insert wins (ON CONFLICT DO
 * NOTHING), the others find its record, and the job id derived from it keeps the queue single too.
 */
export async function requestDelivery(
  deps: { db: Db; deliveryQueue: DeliveryQueue },
  request: DeliveryRequest,
): Promise<{ outboundMessageId: number; created: boolean }> {
  const sql = sqlOf(deps.db);
  const text = request.text;
  const parseMode = request.parseMode ?? null;
  const replyMarkup = request.replyMarkup === undefined ? null : JSON.stringify(request.replyMarkup);
  const broadcastId = request.broadcastId ?? null;
  const caseId = request.caseId ?? null;
  const inserted =
    request.memberId === undefined
      ? await sql.query<{ id: number }>`
          INSERT INTO "OutboundMessage" (purpose, "memberId", "chatId", text, "parseMode", "replyMarkup", "broadcastId", "caseId")
          VALUES (${request.purpose}, NULL, ${request.chatId}, ${text}, ${parseMode}, ${replyMarkup}::jsonb, ${broadcastId}::int, ${caseId}::int)
          ON CONFLICT (purpose) DO NOTHING RETURNING id`
      : await sql.query<{ id: number }>`
          INSERT INTO "OutboundMessage" (purpose, "memberId", "chatId", text, "parseMode", "replyMarkup", "broadcastId", "caseId")
          SELECT ${request.purpose}, m.id, m."chatId", ${text}, ${parseMode}, ${replyMarkup}::jsonb, ${broadcastId}::int, ${caseId}::int
            FROM "Member" m WHERE m.id = ${request.memberId}
          ON CONFLICT (purpose) DO NOTHING RETURNING id`;
  const created = inserted[0];
  if (created) {
    await enqueueDeliveries(deps.deliveryQueue, [created.id]);
    return { outboundMessageId: created.id, created: true };
  }
  const [existing] = await sql.query<{ id: number; status: string }>`
    SELECT id, status::text AS status FROM "OutboundMessage" WHERE purpose = ${request.purpose}`;
  if (!existing) throw new Error(`member ${request.memberId} not found`);
  if (existing.status === "queued") await enqueueDeliveries(deps.deliveryQueue, [existing.id]);
  return { outboundMessageId: existing.id, created: false };
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

/**
 * Queues messages sent again after an uncertain delivery (see core/uncertain-delivery.ts). Each
 * resend has a job id of its own ("message-<id>-resend-<n>"): the message's first job may still
 * exist (finished, or held by a dead worker until BullMQ takes it back), and the record's status
 * lets only one job send.
 */
export async function enqueueResend(
  queue: DeliveryQueue,
  resends: readonly { id: number; resend: number }[],
): Promise<void> {
  if (resends.length === 0) return;
  await queue.addBulk(
    resends.map(({ id, resend }) => ({
      name: "deliver",
      data: { outboundMessageId: id },
      opts: { jobId: `message-${id}-resend-${resend}` },
    })),
  );
}

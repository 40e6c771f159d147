// "Send a test to my own Telegram": the staff member gets the text of one language, with its button,
// in the private chat of the Telegram account linked to their staff account (Staff.telegramUserId),
// through the delivery queue like every message the system starts. Not linked: refused, nothing sent.
import { randomUUID } from "node:crypto";
import { audit } from "../audit.ts";
import type { Db, Prisma } from "../db/client.ts";
import { type DeliveryQueue, requestDelivery } from "../queues/delivery.ts";

export type TestSendResult = { ok: true; outboundMessageId: number } | { ok: false; reason: "notLinked" };

export async function sendBroadcastTest(
  deps: { db: Db; deliveryQueue: DeliveryQueue },
  input: { staffId: number; language: string; text: string; replyMarkup?: Prisma.InputJsonValue },
): Promise<TestSendResult> {
  const staff = await deps.db.staff.findUnique({
    where: { id: input.staffId },
    select: { telegramUserId: true },
  });
  if (!staff?.telegramUserId) return { ok: false, reason: "notLinked" };
  // A private chat's id is the person's user id. Each test is a message of its own (a new purpose).
  const sent = await requestDelivery(deps, {
    chatId: staff.telegramUserId,
    purpose: `broadcast-test:${input.staffId}:${randomUUID()}`,
    text: input.text,
    parseMode: "HTML",
    ...(input.replyMarkup === undefined ? {} : { replyMarkup: input.replyMarkup }),
  });
  await audit(deps.db, {
    actorType: "staff",
    actorId: input.staffId,
    action: "broadcast.test",
    entityType: "OutboundMessage",
    entityId: sent.outboundMessageId,
    details: { language: input.language },
  });
  return { ok: true, outboundMessageId: sent.outboundMessageId };
}

// requestDelivery for rules that may run on several workers at once. Its find-then-upsert can lose a
// race on the unique purpose (Prisma error P2002) when two runs ask for the same message together;
// the loser asks again and finds the winner's record, so the message is still recorded and queued
// once. (Reported to the lead: requestDelivery itself could use INSERT … ON CONFLICT.)
import { type DeliveryRequest, requestDelivery } from "../queues/delivery.ts";

type Deps = Parameters<typeof requestDelivery>[0];

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

export async function requestDeliveryOnce(
  deps: Deps,
  request: DeliveryRequest,
): Promise<{ outboundMessageId: number; created: boolean }> {
  try {
    return await requestDelivery(deps, request);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const again = await requestDelivery(deps, request);
    return { ...again, created: false };
  }
}

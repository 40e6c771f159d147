// PostgreSQL is the record of what must be sent; Redis only holds the jobs, and may lose them (a
// restart without persistence, a flushed instance). This sweep puts the record and the queue back in
// step: every queued message has a live job, and a message a dead worker left `sending` (it may
// have arrived) is settled by its kind: sent again, or `uncertain` (core/uncertain-delivery.ts).
import type { Db } from "../../core/db/client.ts";
import { sqlOf } from "../../core/db/sql.ts";
import { type DeliveryQueue, enqueueDeliveries, enqueueResend } from "../../core/queues/delivery.ts";
import { settleInterrupted } from "../../core/uncertain-delivery.ts";
import { SENDING_LEASE_SECONDS } from "./processor.ts";

/** A message recorded this recently may still be on its way into the queue. */
const SETTLE_SECONDS = 15;
/** At most this many queued messages are checked per sweep; the next sweep takes the rest. */
const SWEEP_LIMIT = 20_000;

export type DeliveryRecovery = { requeued: number; uncertain: number; resent: number };

export async function recoverDeliveries(deps: {
  db: Db;
  deliveryQueue: DeliveryQueue;
}): Promise<DeliveryRecovery> {
  const sql = sqlOf(deps.db);
  const settled = await settleInterrupted(deps.db, {
    leaseSeconds: SENDING_LEASE_SECONDS,
    reason: "the worker stopped while sending",
  });
  const resent = settled.filter((s) => s.resent);
  // A job of their own at once: the first job may be held by the dead worker for a while yet.
  await enqueueResend(
    deps.deliveryQueue,
    resent.map((s) => ({ id: s.id, resend: s.resends })),
  );

  const queued = await sql.query<{ id: number }>`
    SELECT id FROM "OutboundMessage"
     WHERE status = 'queued' AND "createdAt" < now() - make_interval(secs => ${SETTLE_SECONDS})
     ORDER BY id LIMIT ${SWEEP_LIMIT}`;
  const missing: number[] = [];
  const CHUNK = 500;
  for (let start = 0; start < queued.length; start += CHUNK) {
    const ids = queued.slice(start, start + CHUNK).map((row) => row.id);
    const states = await Promise.all(ids.map((id) => deps.deliveryQueue.getJobState(`message-${id}`)));
    for (const [i, state] of states.entries()) {
      const id = ids[i] as number;
      if (state === "unknown") missing.push(id);
      else if (state === "completed" || state === "failed") {
        // The job ended but the record still waits (e.g. a worker died after a failed attempt was
        // recorded): a finished job keeps its id, so remove it before queueing the message again.
        await deps.deliveryQueue.remove(`message-${id}`);
        missing.push(id);
      }
    }
  }
  await enqueueDeliveries(deps.deliveryQueue, missing);
  return { requeued: missing.length, uncertain: settled.length - resent.length, resent: resent.length };
}

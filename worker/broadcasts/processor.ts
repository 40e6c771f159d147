// Broadcast fan-out: one OutboundMessage per recipient (purpose `broadcast:<id>:<memberId>`, unique),
// then their delivery jobs. Safe to run twice or at once in two workers: the unique purpose keeps one
// message per member, and the delivery job id (from the message) keeps one job per message.
import { type Audience, audienceParameters, parseAudience } from "../../core/broadcasts/audience.ts";
import type { Clock } from "../../core/clock.ts";
import type { Db } from "../../core/db/client.ts";
import { sqlOf } from "../../core/db/sql.ts";
import type { Logger } from "../../core/logger.ts";
import { type BroadcastQueue, fanOutJobSchema, queueFanOut } from "../../core/queues/broadcasts.ts";
import { type DeliveryQueue, enqueueDeliveries } from "../../core/queues/delivery.ts";
import { isQuiet, type QuietHours } from "../../core/quiet-hours.ts";

export type BroadcastDeps = {
  db: Db;
  clock: Clock;
  logger: Logger;
  deliveryQueue: DeliveryQueue;
  quietHours: QuietHours;
};

export type FanOutOutcome =
  | {
      outcome: "skipped";
      reason: "missing" | "cancelled" | "done" | "not-due" | "quiet-hours" | "bad-audience";
    }
  | { outcome: "fanned-out"; inserted: number };

/** Recipients inserted per statement: keeps each statement (and its row locks) short. */
export const FAN_OUT_BATCH = 1000;

export async function processFanOut(data: unknown, deps: BroadcastDeps): Promise<FanOutOutcome> {
  const { broadcastId } = fanOutJobSchema.parse(data);
  const { db, clock, logger } = deps;
  const now = clock.now();
  const broadcast = await db.broadcast.findUnique({ where: { id: broadcastId } });
  if (!broadcast) return { outcome: "skipped", reason: "missing" };
  if (broadcast.status === "cancelled" || broadcast.status === "done")
    return { outcome: "skipped", reason: broadcast.status };
  // Early (a job delayed by another clock) or in quiet hours: the sweep queues it again when due.
  if (broadcast.sendAt.getTime() > now.getTime()) return { outcome: "skipped", reason: "not-due" };
  if (broadcast.fannedOutAt === null && isQuiet(now, deps.quietHours))
    return { outcome: "skipped", reason: "quiet-hours" };
  const parsed = parseAudience(broadcast.audience);
  if (!parsed.ok) {
    // Stored by createBroadcast from a parsed audience, so this is a bug or a hand-edited row.
    logger.error({ broadcastId }, "broadcast has an unreadable audience");
    return { outcome: "skipped", reason: "bad-audience" };
  }
  const sql = sqlOf(db);
  await sql.execute`
    UPDATE "Broadcast" SET "status" = 'sending' WHERE "id" = ${broadcastId} AND "status" = 'scheduled'`;

  let inserted = 0;
  if (broadcast.fannedOutAt === null) {
    let after = 0;
    for (;;) {
      const batch = await insertBatch(db, broadcastId, parsed.audience, broadcast.officeId, after);
      if (batch.stopped) return { outcome: "skipped", reason: "cancelled" };
      inserted += batch.inserted.length;
      // Sending starts while the rest is still being recorded.
      await enqueueDeliveries(deps.deliveryQueue, batch.inserted);
      if (batch.last === null) break;
      after = batch.last;
    }
  }
  // Messages an earlier run recorded but died before queueing are queued again by the worker's
  // delivery sweep (worker/delivery/recovery.ts), like any message whose job went missing.
  await sql.execute`
    UPDATE "Broadcast" SET "fannedOutAt" = ${now}
    WHERE "id" = ${broadcastId} AND "status" = 'sending' AND "fannedOutAt" IS NULL`;
  await markFinished(db, now);
  logger.info({ broadcastId, inserted }, "broadcast fanned out");
  return { outcome: "fanned-out", inserted };
}

/**
 * One batch of recipients after member id `after`. The broadcast's row is share-locked for the
 * statement, so a cancel either waits for it (and then cancels these messages too) or comes first
 * (and then this inserts nothing).
 */
async function insertBatch(
  db: Db,
  broadcastId: number,
  audience: Audience,
  officeId: number | null,
  after: number,
): Promise<{ stopped: boolean; inserted: number[]; last: number | null }> {
  const [kind, value, cents] = audienceParameters(audience);
  const rows = await sqlOf(db).query<{ live: boolean; last: number | null; inserted: number[] | null }>`
    WITH "b" AS (
      SELECT "id", "texts", "parseMode", "buttons" FROM "Broadcast" WHERE "id" = ${broadcastId} AND "status" = 'sending' FOR SHARE
    ), "batch" AS (
      SELECT a."memberId" AS "id", a."chatId", a."language"
      FROM "broadcast_audience"(${kind}::text, ${value}::text, ${cents}::int, ${officeId}::int) a
      WHERE a."memberId" > ${after}::int AND EXISTS (SELECT 1 FROM "b")
      ORDER BY a."memberId" LIMIT ${FAN_OUT_BATCH}::int
    ), "ins" AS (
      INSERT INTO "OutboundMessage"
        ("purpose", "memberId", "chatId", "text", "parseMode", "replyMarkup", "broadcastId")
      SELECT 'broadcast:' || ${broadcastId}::int || ':' || batch."id", batch."id", batch."chatId",
        COALESCE("b"."texts" ->> batch."language", "b"."texts" ->> 'it'), "b"."parseMode",
        COALESCE("b"."buttons" -> batch."language", "b"."buttons" -> 'it'), ${broadcastId}::int
      FROM "batch" CROSS JOIN "b"
      ORDER BY batch."id"
      ON CONFLICT ("purpose") DO NOTHING
      RETURNING "id"
    )
    SELECT EXISTS (SELECT 1 FROM "b") AS "live",
      (SELECT max("id") FROM "batch") AS "last",
      (SELECT array_agg("id" ORDER BY "id") FROM "ins") AS "inserted"`;
  const row = rows[0];
  if (!row?.live) return { stopped: true, inserted: [], last: null };
  const inserted = row.inserted ?? [];
  // A short batch is the last one.
  return { stopped: false, inserted, last: row.last === null ? null : row.last };
}

/** A broadcast is done once fanned out with nothing left queued or being sent. */
async function markFinished(db: Db, now: Date): Promise<number> {
  return sqlOf(db).execute`
    UPDATE "Broadcast" b SET "status" = 'done', "finishedAt" = ${now}
    WHERE b."status" = 'sending' AND b."fannedOutAt" IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM "OutboundMessage" o
      WHERE o."broadcastId" = b."id" AND o."status" IN ('queued', 'sending'))`;
}

export type SweepResult = { finished: number; fanOutsQueued: number };

/**
 * PostgreSQL is the record; Redis may lose jobs (it keeps nothing on disk here). Run by every worker
 * at start, every minute and when Redis comes back (worker/maintenance.ts): finishes broadcasts with
 * nothing left, and queues again the fan-out of every due broadcast not yet fanned out. Lost delivery
 * jobs of messages already recorded are the delivery sweep's (worker/delivery/recovery.ts).
 */
export async function sweepBroadcasts(
  deps: BroadcastDeps & { broadcastQueue: BroadcastQueue },
): Promise<SweepResult> {
  const now = deps.clock.now();
  const finished = await markFinished(deps.db, now);
  let fanOutsQueued = 0;
  if (!isQuiet(now, deps.quietHours)) {
    const due = await sqlOf(deps.db).query<{ id: number }>`
      SELECT "id" FROM "Broadcast"
      WHERE "status" IN ('scheduled', 'sending') AND "fannedOutAt" IS NULL AND "sendAt" <= ${now}
      ORDER BY "id"`;
    for (const { id } of due) {
      await queueFanOut(deps.broadcastQueue, id, now, now);
      fanOutsQueued++;
    }
  }
  return { finished, fanOutsQueued };
}

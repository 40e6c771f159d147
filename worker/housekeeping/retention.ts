// Retention: what the privacy notice promises is deleted. Case messages, staff's notes on cases and
// the record of messages sent are kept RETENTION_MONTHS (24 by default), then deleted; for a member
// who asked for erasure, whatever of their own words is still stored is removed. The authority's
// records (contract, arrears, payments, plans) are never touched here: ALER must keep them. Plain
// SQL in batches, so a first run over years of data neither holds long locks nor loads rows into
// memory; safe to run twice or at once.
import { TZDate } from "@date-fns/tz";
import { subMonths } from "date-fns";
import type { Clock } from "../../core/clock.ts";
import type { Db } from "../../core/db/client.ts";
import { sqlOf } from "../../core/db/sql.ts";
import { TIME_ZONE } from "../../core/time.ts";

const BATCH = 5000;

export type RetentionResult = {
  /** Case messages (anyone's) older than the retention period. */
  expiredCaseMessages: number;
  /** Staff's private notes on cases, older than the retention period (kept as long as the messages). */
  expiredCaseNotes: number;
  expiredHouseholdNotes: number;
  /** Outbound messages in a final state older than the retention period. */
  expiredOutboundMessages: number;
  /** Budget entries of members who asked for erasure, written before they asked. */
  erasedBudgetEntries: number;
  /** Messages to operators of members who asked for erasure, written before they asked. */
  erasedCaseMessages: number;
  /** Copies of those messages posted to staff chats, their text blanked. */
  redactedStaffPosts: number;
  /** Check-up rounds offered before the retention period, their answers erased (the row stays). */
  expiredCheckups: number;
  /** Satisfaction answers (score and comment) asked before the retention period, erased. */
  expiredSatisfaction: number;
};

/**
 * The instant before which records are expired: the same Rome wall time `months` calendar months
 * ago. A day the earlier month lacks falls on its last day (31 May − 3 months → 28/29 February).
 */
export function retentionCutoff(now: Date, months: number): Date {
  return new Date(subMonths(new TZDate(now.getTime(), TIME_ZONE), months).getTime());
}

/** Repeats a batched statement until it affects fewer rows than a batch; returns the total. */
async function inBatches(run: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const affected = await run();
    total += affected;
    if (affected < BATCH) return total;
  }
}

export async function runRetention(deps: {
  db: Db;
  clock: Clock;
  retentionMonths: number;
}): Promise<RetentionResult> {
  const sql = sqlOf(deps.db);
  const cutoff = retentionCutoff(deps.clock.now(), deps.retentionMonths);

  const expiredCaseMessages = await inBatches(
    () => sql.execute`
      DELETE FROM "CaseMessage" WHERE id IN (
        SELECT id FROM "CaseMessage" WHERE "createdAt" < ${cutoff} LIMIT ${BATCH})`,
  );
  const expiredCaseNotes = await inBatches(
    () => sql.execute`
      DELETE FROM "CaseNote" WHERE id IN (
        SELECT id FROM "CaseNote" WHERE "createdAt" < ${cutoff} LIMIT ${BATCH})`,
  );
  const expiredHouseholdNotes = await inBatches(
    () => sql.execute`
      DELETE FROM "HouseholdNote" WHERE id IN (
        SELECT id FROM "HouseholdNote" WHERE "createdAt" < ${cutoff} LIMIT ${BATCH})`,
  );
  // Only final states: a queued or sending message is still work in progress. Deleting an old
  // record frees its purpose, but every purpose names an event (an installment, a session, a
  // broadcast) long past by then, so nothing asks for it again.
  const expiredOutboundMessages = await inBatches(
    () => sql.execute`
      DELETE FROM "OutboundMessage" WHERE id IN (
        SELECT id FROM "OutboundMessage"
        WHERE "createdAt" < ${cutoff}
          AND status IN ('sent', 'failed', 'unreachable', 'cancelled', 'uncertain')
        LIMIT ${BATCH})`,
  );

  // Erasure. The bot deletes a member's own content when they ask (core/privacy.ts); this catches
  // what it could not see: an entry or message saved by an update handled at the same moment.
  // What they write after asking is theirs to keep (the bot says so), hence "before they asked".
  const erasedBudgetEntries = await sql.execute`
    DELETE FROM "BudgetEntry" b USING "Member" m
    WHERE b."memberId" = m.id AND m."erasureRequestedAt" IS NOT NULL
      AND b."createdAt" <= m."erasureRequestedAt"`;
  const erasedCaseMessages = await sql.execute`
    DELETE FROM "CaseMessage" c USING "Member" m
    WHERE c."memberId" = m.id AND c.author = 'household' AND m."erasureRequestedAt" IS NOT NULL
      AND c."createdAt" <= m."erasureRequestedAt"`;
  // Posts to staff chats about their cases quote what they wrote. The row stays (its purpose keeps
  // it sent once; replies to the post still find the case); only the text goes.
  const redactedStaffPosts = await sql.execute`
    UPDATE "OutboundMessage" o SET text = ''
    FROM "Case" c JOIN "Member" m ON m.id = c."memberId"
    WHERE o."caseId" = c.id AND o."memberId" IS NULL AND m."erasureRequestedAt" IS NOT NULL
      AND o."createdAt" <= m."erasureRequestedAt" AND o.text <> ''
      AND o.status IN ('sent', 'failed', 'unreachable', 'cancelled', 'uncertain')`;

  // Check-ups and satisfaction (issue 12): kept as long as case messages, then their answers go.
  // The rows stay, marked, so a round or a case is never asked about again.
  const now = deps.clock.now();
  const expiredCheckups = await inBatches(
    () => sql.execute`
      UPDATE "Checkup" SET answers = '{}'::jsonb, "erasedAt" = ${now}::timestamptz WHERE id IN (
        SELECT id FROM "Checkup" WHERE "offeredAt" < ${cutoff} AND "erasedAt" IS NULL LIMIT ${BATCH})`,
  );
  const expiredSatisfaction = await inBatches(
    () => sql.execute`
      UPDATE "CaseSatisfaction" SET score = NULL, comment = NULL, "erasedAt" = ${now}::timestamptz WHERE id IN (
        SELECT id FROM "CaseSatisfaction" WHERE "askedAt" < ${cutoff} AND "erasedAt" IS NULL LIMIT ${BATCH})`,
  );

  return {
    expiredCaseMessages,
    expiredCaseNotes,
    expiredHouseholdNotes,
    expiredOutboundMessages,
    erasedBudgetEntries,
    erasedCaseMessages,
    redactedStaffPosts,
    expiredCheckups,
    expiredSatisfaction,
  };
}

// Messages that may not have arrived: a worker died between asking Telegram and hearing back, or
// Telegram did not answer in time. Sending again risks a duplicate; not sending risks a family
// without the message. Which is worse depends on what the message carries, so the decision is made
// here, per kind, in one table — and nowhere else:
//
// | kind (purpose prefix)          | sent again? | why                                                    |
// |--------------------------------|-------------|--------------------------------------------------------|
// | case-reply:                    | yes         | an operator's answer the family asked for and waits on |
// | reminder:inst-due:             | yes         | the installment is due today: missing it costs money   |
// | reminder:inst-overdue:         | yes         | the installment is late: the last call before arrears  |
// | ops:case:                      | yes         | tells operators of a case — a danger or distress message, a case opened or past its answer time; a post missed leaves a family unheard, a duplicate in the staff group harms no one |
// | reminder:inst-before:, course-eve:, course-2h:, doc-7:, doc-1: | no | early reminders: a later one follows, or the date is known |
// | broadcast:                     | no          | an announcement to many: read twice is worse than once late, staff can resend |
// | nudge:, case-closed:, linked:, unlinked:, ops:summary: | no | nothing is lost without it; staff can resend |
// | anything else                  | no          | the safe default: no duplicate                         |
//
// The household's own answers to worry and danger (112, the helplines) are replies to their message
// and go out at once, not through delivery; what delivery carries of them is the operators' post.
// A message is sent again automatically at most MAX_AUTOMATIC_RESENDS times (a second death mid-send
// leaves it uncertain); staff can send any uncertain message again from the deliveries page. Every
// resend counts in OutboundMessage.uncertainResends and leaves an audit entry.

import { audit } from "./audit.ts";
import type { Db } from "./db/client.ts";
import { sqlOf } from "./db/sql.ts";
import { officeParam, type StaffScope } from "./offices/scope.ts";
import { type DeliveryQueue, enqueueResend } from "./queues/delivery.ts";

/** Purposes sent again when they may not have arrived (see the table above). */
export const RESEND_WHEN_UNCERTAIN: readonly string[] = [
  "case-reply:",
  "reminder:inst-due:",
  "reminder:inst-overdue:",
  "ops:case:",
];

/** The same rule as a PostgreSQL regular expression, for the statements that settle many at once. */
// The prefixes hold letters, "-" and ":" only, which need no escaping in a regular expression.
export const RESEND_WHEN_UNCERTAIN_PATTERN = `^(${RESEND_WHEN_UNCERTAIN.join("|")})`;

/** At most this many automatic resends per message: a rare duplicate, never a stream of them. */
export const MAX_AUTOMATIC_RESENDS = 1;

export function resendsWhenUncertain(purpose: string): boolean {
  return RESEND_WHEN_UNCERTAIN.some((prefix) => purpose.startsWith(prefix));
}

/** What the record says of a message left `sending` by a dead worker, as the rule decided it. */
export type Settled = { id: number; resent: boolean; kind: string; resends: number };

/** The purpose's kind for the audit and the panel: its first segment, with the reminder's kind. */
export function kindOf(purpose: string): string {
  const [first = "", second = ""] = purpose.split(":");
  return first === "reminder" || first === "ops" ? `${first}:${second}` : first;
}

/**
 * Settles messages a dead worker left `sending` past their lease (one, or all of them): those the
 * rule sends again go back to `queued` (counted in uncertainResends, audited), the others become
 * `uncertain`. One statement per call, so two sweeps at once settle each message once.
 */
export async function settleInterrupted(
  db: Db,
  options: { leaseSeconds: number; id?: number; reason: string },
): Promise<Settled[]> {
  const sql = sqlOf(db);
  const id = options.id ?? null;
  const rows = await sql.query<{ id: number; purpose: string; status: string; uncertainResends: number }>`
    UPDATE "OutboundMessage" o
       SET status = CASE WHEN o.purpose ~ ${RESEND_WHEN_UNCERTAIN_PATTERN}
                          AND o."uncertainResends" < ${MAX_AUTOMATIC_RESENDS}
                         THEN 'queued' ELSE 'uncertain' END::"DeliveryStatus",
           "uncertainResends" = o."uncertainResends" + CASE WHEN o.purpose ~ ${RESEND_WHEN_UNCERTAIN_PATTERN}
                          AND o."uncertainResends" < ${MAX_AUTOMATIC_RESENDS} THEN 1 ELSE 0 END,
           "lastError" = ${options.reason}
     WHERE o.status = 'sending' AND o."sendingAt" < now() - make_interval(secs => ${options.leaseSeconds})
       AND (${id}::int IS NULL OR o.id = ${id}::int)
    RETURNING o.id, o.purpose, o.status::text AS status, o."uncertainResends"`;
  const settled = rows.map((row) => ({
    id: row.id,
    resent: row.status === "queued",
    kind: kindOf(row.purpose),
    resends: row.uncertainResends,
  }));
  for (const row of rows.filter((r) => r.status === "queued")) {
    await auditResend(db, {
      id: row.id,
      kind: kindOf(row.purpose),
      resends: row.uncertainResends,
      by: "rule",
    });
  }
  return settled;
}

/**
 * A request that got no answer in time: queued again (true) when the rule sends its kind again and
 * it has not been resent automatically yet, else marked `uncertain` (false).
 */
export async function settleTimedOut(db: Db, input: { id: number; mayRetry: boolean }): Promise<boolean> {
  const sql = sqlOf(db);
  const [row] = await sql.query<{ purpose: string; status: string; uncertainResends: number }>`
    UPDATE "OutboundMessage" o
       SET status = CASE WHEN ${input.mayRetry}::boolean AND o.purpose ~ ${RESEND_WHEN_UNCERTAIN_PATTERN}
                          AND o."uncertainResends" < ${MAX_AUTOMATIC_RESENDS}
                         THEN 'queued' ELSE 'uncertain' END::"DeliveryStatus",
           "uncertainResends" = o."uncertainResends" + CASE WHEN ${input.mayRetry}::boolean
                          AND o.purpose ~ ${RESEND_WHEN_UNCERTAIN_PATTERN}
                          AND o."uncertainResends" < ${MAX_AUTOMATIC_RESENDS} THEN 1 ELSE 0 END,
           "lastError" = 'no answer from Telegram in time'
     WHERE o.id = ${input.id} AND o.status = 'sending'
    RETURNING o.purpose, o.status::text AS status, o."uncertainResends"`;
  if (row?.status !== "queued") return false;
  await auditResend(db, {
    id: input.id,
    kind: kindOf(row.purpose),
    resends: row.uncertainResends,
    by: "rule",
  });
  return true;
}

export type StaffResend = "resent" | "not_uncertain" | "not_found";

/**
 * Staff send an uncertain message of any kind again. Only an `uncertain` message is taken (one
 * conditional UPDATE): pressing the button twice, or two coordinators at once, resend it once.
 * The job id carries the resend's number, so it never collides with the message's earlier job.
 */
export async function resendUncertain(
  deps: { db: Db; deliveryQueue: DeliveryQueue },
  input: { outboundMessageId: number; scope: StaffScope },
): Promise<StaffResend> {
  const sql = sqlOf(deps.db);
  // A message to a household of another office is, for this person, not there at all.
  const office = officeParam(input.scope);
  const [row] = await sql.query<{ purpose: string; uncertainResends: number }>`
    UPDATE "OutboundMessage" o
       SET status = 'queued', "uncertainResends" = o."uncertainResends" + 1, "sendingAt" = NULL,
           "lastError" = 'sent again by staff after an uncertain delivery'
     WHERE o.id = ${input.outboundMessageId} AND o.status = 'uncertain'
       AND (${office}::int IS NULL OR o."memberId" IS NULL OR EXISTS (
         SELECT 1 FROM "Member" m LEFT JOIN "Household" h ON h.id = m."householdId"
          WHERE m.id = o."memberId" AND (m."householdId" IS NULL OR h."officeId" = ${office})))
    RETURNING o.purpose, o."uncertainResends"`;
  if (!row) {
    const [exists] = await sql.query<{ id: number }>`
      SELECT o.id FROM "OutboundMessage" o
        LEFT JOIN "Member" m ON m.id = o."memberId"
        LEFT JOIN "Household" h ON h.id = m."householdId"
       WHERE o.id = ${input.outboundMessageId} AND (${office}::int IS NULL OR o."memberId" IS NULL OR m."householdId" IS NULL OR h."officeId" = ${office})`;
    return exists ? "not_uncertain" : "not_found";
  }
  await auditResend(deps.db, {
    id: input.outboundMessageId,
    kind: kindOf(row.purpose),
    resends: row.uncertainResends,
    by: "staff",
    staffId: input.scope.staffId,
  });
  await enqueueResend(deps.deliveryQueue, [{ id: input.outboundMessageId, resend: row.uncertainResends }]);
  return "resent";
}

async function auditResend(
  db: Db,
  entry: { id: number; kind: string; resends: number; by: "rule" | "staff"; staffId?: number },
): Promise<void> {
  await audit(db, {
    actorType: entry.by === "staff" ? "staff" : "system",
    ...(entry.staffId === undefined ? {} : { actorId: entry.staffId }),
    action: "delivery.resent_after_uncertain",
    entityType: "outbound_message",
    entityId: entry.id,
    details: { kind: entry.kind, resends: entry.resends, by: entry.by },
  });
}

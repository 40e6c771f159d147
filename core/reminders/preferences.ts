// A member's choice about non-essential reminders. Muting also withdraws those already recorded but
// not yet sent (a queue held by quiet hours, say): "stop" means from now, not after the backlog. A
// check-up round's offer is withdrawn the same way (the round then counts as offered).
import type { Db } from "../db/client.ts";
import { sqlOf } from "../db/sql.ts";
import { ESSENTIAL_KINDS, REMINDER_KINDS } from "./rules.ts";

const NON_ESSENTIAL = REMINDER_KINDS.filter((kind) => !ESSENTIAL_KINDS.includes(kind));

/** Sets the preference; answers how many waiting reminders muting withdrew. */
export async function setRemindersMuted(db: Db, memberId: number, muted: boolean): Promise<number> {
  const sql = sqlOf(db);
  await sql.execute`UPDATE "Member" SET "remindersMuted" = ${muted}, "updatedAt" = now() WHERE id = ${memberId}`;
  if (!muted) return 0;
  return sql.execute`
    UPDATE "OutboundMessage" SET status = 'cancelled', "lastError" = 'reminders muted'
     WHERE "memberId" = ${memberId} AND status = 'queued'
       AND ((split_part(purpose, ':', 1) = 'reminder' AND split_part(purpose, ':', 2) = ANY(${NON_ESSENTIAL}::text[]))
            OR split_part(purpose, ':', 1) = 'checkup')`;
}

// A household silent after an operator's question: 14 days after the operator's last message with
// no answer, its members get one gentle nudge through the delivery queue. Once per operator message:
// the delivery purpose carries that message's time, and nudgedAt records it. Not during quiet hours
// (the next run after them sends it), not to members who muted reminders.
import { CLOSE_CASE_PREFIX } from "../cases.ts";
import { sqlOf } from "../db/sql.ts";
import { translator } from "../i18n.ts";
import { requestDelivery } from "../queues/delivery.ts";
import { isQuiet } from "../quiet-hours.ts";
import { formatCalendarDate, romeToday } from "../time.ts";
import type { EscalationDeps } from "./deps.ts";

export const NUDGE_AFTER_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

type SilentRow = { id: number; householdId: number; lastOperatorMessageAt: Date };
type MemberRow = { id: number; language: string };

export async function nudgeSilentHouseholds(
  deps: EscalationDeps,
): Promise<{ nudged: number; messages: number }> {
  const { db, clock } = deps;
  const now = clock.now();
  if (isQuiet(now, deps.quietHours)) return { nudged: 0, messages: 0 };
  const sql = sqlOf(db);
  const rows = await sql.query<SilentRow>`
    SELECT c."id", c."householdId", c."lastOperatorMessageAt"
    FROM "Case" c
    WHERE c."status" = 'waiting_household' AND c."lastOperatorMessageAt" <= ${new Date(now.getTime() - NUDGE_AFTER_DAYS * DAY_MS)}
      AND (c."lastHouseholdMessageAt" IS NULL OR c."lastHouseholdMessageAt" < c."lastOperatorMessageAt")
      AND (c."nudgedAt" IS NULL OR c."nudgedAt" < c."lastOperatorMessageAt")
    ORDER BY c."id"`;
  let nudged = 0;
  let messages = 0;
  for (const row of rows) {
    const members = await sql.query<MemberRow>`
      SELECT "id", "language" FROM "Member"
      WHERE "householdId" = ${row.householdId} AND "linkedAt" IS NOT NULL AND "consentAt" IS NOT NULL
        AND "unreachableAt" IS NULL AND NOT "remindersMuted"
      ORDER BY "id"`;
    const epoch = row.lastOperatorMessageAt.getTime();
    // Deliveries first (their purposes make a repeat harmless), then the mark: a crash in between
    // sends nothing twice and forgets nothing.
    for (const member of members) {
      const t = translator(member.language, "escalation");
      const sent = await requestDelivery(deps, {
        purpose: `nudge:${row.id}:${epoch}:${member.id}`,
        memberId: member.id,
        text: t("nudge.text", { date: formatCalendarDate(romeToday(row.lastOperatorMessageAt)) }),
        parseMode: "HTML",
        replyMarkup: {
          inline_keyboard: [
            [
              {
                text: translator(member.language, "operator")("case.close_button"),
                callback_data: `${CLOSE_CASE_PREFIX}${row.id}`,
              },
            ],
          ],
        },
      });
      if (sent.created) messages++;
    }
    const marked = await sql.execute`
      UPDATE "Case" SET "nudgedAt" = ${now}
      WHERE "id" = ${row.id} AND "lastOperatorMessageAt" = ${row.lastOperatorMessageAt}
        AND ("nudgedAt" IS NULL OR "nudgedAt" < "lastOperatorMessageAt")`;
    if (marked > 0) nudged++;
  }
  return { nudged, messages };
}

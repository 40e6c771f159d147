// The check-up rounds the worker offers: the entry round soon after the household's first member
// links, then 3, 9 and 15 months after that date (Rome calendar months: the schema has no programme
// entry date, so the first link is the entry). Each round is offered once per household, to its
// earliest-linked member who accepted the privacy notice, is reachable and has not muted reminders.
// One statement records the round (unique per household and round) and its message (unique purpose
// checkup:<round>:<household>) together, so two scans or two workers never offer one twice, and a
// scan that stops halfway leaves nothing half-done. Nothing happens during quiet hours; a round
// missed while the worker was down still goes out while it is useful (until the next round is due).
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import { sqlOf } from "../db/sql.ts";
import type { Logger } from "../logger.ts";
import { type DeliveryQueue, enqueueDeliveries } from "../queues/delivery.ts";
import { isQuiet, type QuietHours } from "../quiet-hours.ts";
import { TIME_ZONE } from "../time.ts";
import { CHECKUP_ROUNDS, type CheckupRoundName, isRound } from "./questions.ts";
import { offerMarkup, offerText } from "./texts.ts";

export type CheckupScanDeps = {
  db: Db;
  clock: Clock;
  deliveryQueue: DeliveryQueue;
  quietHours: QuietHours;
  logger?: Logger;
  pageSize?: number;
};

export type CheckupScanResult = {
  quiet: boolean;
  offered: number;
  byRound: Record<CheckupRoundName, number>;
};

/** The entry round waits this long after the first link: the welcome and the menu come first. */
export const ENTRY_DELAY_MINUTES = 10;
/** Months after entry of each follow-up; a round is useful until the next one is due. */
export const FOLLOW_UP_MONTHS = { m3: 3, m9: 9, m15: 15 } as const;
/** The last round stays on offer this long after it is due. */
const LAST_ROUND_MONTHS = 3;

type Candidate = { householdId: number; round: string; memberId: number; chatId: bigint; language: string };

export async function runCheckupScan(deps: CheckupScanDeps): Promise<CheckupScanResult> {
  const now = deps.clock.now();
  const byRound = Object.fromEntries(CHECKUP_ROUNDS.map((r) => [r, 0])) as Record<CheckupRoundName, number>;
  if (isQuiet(now, deps.quietHours)) return { quiet: true, offered: 0, byRound };
  const sql = sqlOf(deps.db);
  const pageSize = deps.pageSize ?? 500;
  let offered = 0;
  let after = 0;
  const { m3, m9, m15 } = FOLLOW_UP_MONTHS;
  for (;;) {
    // Rome wall time plus calendar months, so a 31st falls on the month's last day and a change of
    // the clocks does not move the hour.
    const rows = await sql.query<Candidate>`
      WITH anchor AS (
        SELECT m."householdId" AS hid, min(m."linkedAt") AS entry
          FROM "Member" m
         WHERE m."householdId" > ${after}::int AND m."linkedAt" IS NOT NULL
         GROUP BY m."householdId"
      ), moments AS (
        SELECT hid, entry,
               ((entry AT TIME ZONE ${TIME_ZONE}) + make_interval(months => ${m3}::int)) AT TIME ZONE ${TIME_ZONE} AS at3,
               ((entry AT TIME ZONE ${TIME_ZONE}) + make_interval(months => ${m9}::int)) AT TIME ZONE ${TIME_ZONE} AS at9,
               ((entry AT TIME ZONE ${TIME_ZONE}) + make_interval(months => ${m15}::int)) AT TIME ZONE ${TIME_ZONE} AS at15,
               ((entry AT TIME ZONE ${TIME_ZONE}) + make_interval(months => ${m15 + LAST_ROUND_MONTHS}::int)) AT TIME ZONE ${TIME_ZONE} AS atEnd
          FROM anchor
      ), due AS (
        SELECT x.hid, r.round
          FROM moments x
          CROSS JOIN LATERAL (VALUES
            ('entry', x.entry + make_interval(mins => ${ENTRY_DELAY_MINUTES}::int), x.at3),
            ('m3', x.at3, x.at9), ('m9', x.at9, x.at15), ('m15', x.at15, x.atEnd)
          ) AS r(round, moment, until)
         WHERE r.moment <= ${now}::timestamptz AND ${now}::timestamptz < r.until
      )
      SELECT d.hid AS "householdId", d.round, p.id AS "memberId", p."chatId", p.language
        FROM due d
        JOIN LATERAL (
          SELECT m.id, m."chatId", m.language FROM "Member" m
           WHERE m."householdId" = d.hid AND m."linkedAt" IS NOT NULL AND m."consentAt" IS NOT NULL
             AND m."unreachableAt" IS NULL AND NOT m."remindersMuted"
           ORDER BY m."linkedAt", m.id LIMIT 1) p ON true
       WHERE NOT EXISTS (SELECT 1 FROM "Checkup" c
                          WHERE c."householdId" = d.hid AND c.round = d.round::"CheckupRound")
       ORDER BY d.hid
       LIMIT ${pageSize}::int`;
    const pending = rows.filter((r) => isRound(r.round));
    if (pending.length > 0) {
      const ids = await sql.query<{ id: number; round: string }>`
        WITH x AS (
          SELECT * FROM unnest(${pending.map((p) => p.householdId)}::int[], ${pending.map((p) => p.round)}::text[],
                               ${pending.map((p) => p.memberId)}::int[], ${pending.map((p) => p.chatId.toString())}::bigint[],
                               ${pending.map((p) => offerText(p.language, p.round as CheckupRoundName))}::text[],
                               ${pending.map((p) => offerMarkup(p.language, p.round as CheckupRoundName))}::jsonb[])
                 AS x(hid, round, member, chat, text, markup)
        ), offered AS (
          INSERT INTO "Checkup" ("householdId", round, "memberId", "offeredAt")
          SELECT hid, round::"CheckupRound", member, ${now}::timestamptz FROM x
          ON CONFLICT ("householdId", round) DO NOTHING
          RETURNING "householdId", round::text AS round
        )
        INSERT INTO "OutboundMessage" (purpose, "memberId", "chatId", text, "parseMode", "replyMarkup")
        SELECT 'checkup:' || x.round || ':' || x.hid, x.member, x.chat, x.text, 'HTML', x.markup
          FROM x JOIN offered o ON o."householdId" = x.hid AND o.round = x.round
        ON CONFLICT (purpose) DO NOTHING
        RETURNING id, split_part(purpose, ':', 2) AS round`;
      for (const row of ids) if (isRound(row.round)) byRound[row.round] += 1;
      offered += ids.length;
      await enqueueDeliveries(
        deps.deliveryQueue,
        ids.map((row) => row.id),
      );
    }
    const last = rows.at(-1);
    if (!last || rows.length < pageSize) break;
    after = last.householdId;
  }
  deps.logger?.info({ offered, byRound }, "check-up scan done");
  return { quiet: false, offered, byRound };
}

// What staff see of the delivery queue: how many messages are in each state, and the ones that did
// not (or may not) reach their recipient. Never the texts: they hold names and amounts.

import type { Db, DeliveryStatus } from "./db/client.ts";
import { sqlOf } from "./db/sql.ts";
import { officeParam, type StaffScope } from "./offices/scope.ts";
import { DELIVERY_STATUSES } from "./queues/delivery.ts";

/** Messages that did not reach the person, or may not have: staff must look at these. */
export const PROBLEM_STATUSES = [
  "failed",
  "unreachable",
  "uncertain",
] as const satisfies readonly DeliveryStatus[];
export type ProblemStatus = (typeof PROBLEM_STATUSES)[number];

export function isProblemStatus(value: unknown): value is ProblemStatus {
  return PROBLEM_STATUSES.some((s) => s === value);
}

export type DeliveryCounts = Record<DeliveryStatus, { total: number; recent: number }>;

/**
 * Messages per status: all the records still kept (see retention), and those created since `since`.
 * Staff of an office count their households' messages, the operators' group's and those to people
 * linked to no household (ids only on this page); admins count all of them.
 */
export async function deliveryCounts(db: Db, scope: StaffScope, since: Date): Promise<DeliveryCounts> {
  const office = officeParam(scope);
  const rows = await sqlOf(db).query<{ status: DeliveryStatus; total: number; recent: number }>`
    SELECT o.status::text AS status, count(*)::int AS total,
           count(*) FILTER (WHERE o."createdAt" >= ${since})::int AS recent
      FROM "OutboundMessage" o
      LEFT JOIN "Member" m ON m.id = o."memberId"
      LEFT JOIN "Household" h ON h.id = m."householdId"
     WHERE (${office}::int IS NULL OR o."memberId" IS NULL OR m."householdId" IS NULL OR h."officeId" = ${office})
     GROUP BY o.status`;
  const counts = Object.fromEntries(
    DELIVERY_STATUSES.map((s) => [s, { total: 0, recent: 0 }]),
  ) as DeliveryCounts;
  for (const row of rows) counts[row.status] = { total: row.total, recent: row.recent };
  return counts;
}

export type ProblemMessage = {
  id: number;
  createdAt: Date;
  /** The purpose's first segment ("reminder", "broadcast", "case-reply", "ops"…). */
  kind: string;
  status: ProblemStatus;
  /** Telegram's short error text, or the worker's note. */
  lastError: string | null;
  /** Null for staff chats (the operators' group). */
  memberId: number | null;
  /** The member's household, when the member is (still) linked to one. */
  contractCode: string | null;
  /** Times it was already sent again after an uncertain delivery. */
  uncertainResends: number;
};

/** Messages sent again after an uncertain delivery (the person may have them twice), since `since`. */
export async function resentAfterUncertain(
  db: Db,
  scope: StaffScope,
  since: Date,
): Promise<{ total: number; recent: number }> {
  const office = officeParam(scope);
  const [row] = await sqlOf(db).query<{ total: number; recent: number }>`
    SELECT count(*)::int AS total, count(*) FILTER (WHERE o."createdAt" >= ${since})::int AS recent
      FROM "OutboundMessage" o
      LEFT JOIN "Member" m ON m.id = o."memberId"
      LEFT JOIN "Household" h ON h.id = m."householdId"
     WHERE o."uncertainResends" > 0 AND (${office}::int IS NULL OR o."memberId" IS NULL OR m."householdId" IS NULL OR h."officeId" = ${office})`;
  return row ?? { total: 0, recent: 0 };
}

/** The latest problem messages first, `limit` from `offset`, of the given statuses. */
export async function problemMessages(
  db: Db,
  scope: StaffScope,
  options: { statuses: readonly ProblemStatus[]; limit: number; offset: number },
): Promise<ProblemMessage[]> {
  const office = officeParam(scope);
  return sqlOf(db).query<ProblemMessage>`
    SELECT o.id, o."createdAt", split_part(o.purpose, ':', 1) AS kind, o.status::text AS status,
           o."lastError", o."memberId", h."contractCode", o."uncertainResends"
      FROM "OutboundMessage" o
      LEFT JOIN "Member" m ON m.id = o."memberId"
      LEFT JOIN "Household" h ON h.id = m."householdId"
     WHERE o.status = ANY(${[...options.statuses]}::"DeliveryStatus"[])
       AND (${office}::int IS NULL OR o."memberId" IS NULL OR m."householdId" IS NULL OR h."officeId" = ${office})
     ORDER BY o."createdAt" DESC, o.id DESC
     LIMIT ${options.limit} OFFSET ${options.offset}`;
}

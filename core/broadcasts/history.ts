// The panel's reading of broadcasts: the history with its counters, one broadcast's progress, and who
// may see which. A coordinator sees their office's broadcasts; an admin sees all of them (the CLI's
// too, which belong to no office). Counters come from the messages, grouped by status.
import type { Db } from "../db/client.ts";
import { sqlOf } from "../db/sql.ts";
import type { StaffScope } from "../offices/scope.ts";
import { type BroadcastStatusView, broadcastStatus } from "./broadcasts.ts";

/** What the progress bar shows: waiting = queued or being sent. */
export type Progress = {
  status: string;
  total: number;
  sent: number;
  waiting: number;
  failed: number;
  unreachable: number;
  uncertain: number;
  cancelled: number;
  /** Messages settled (sent, failed, unreachable, uncertain or cancelled), as a share of total. */
  percent: number;
  finished: boolean;
};

export function progressOf(view: BroadcastStatusView): Progress {
  const c = view.counters;
  const settled = c.sent + c.failed + c.unreachable + c.uncertain + c.cancelled;
  // Before the fan-out the messages are not there yet: the count taken at confirmation stands in.
  const total = view.fannedOutAt ? view.recipients : Math.max(view.recipients, view.plannedRecipients ?? 0);
  // Fanned out with nothing queued or being sent is done (the rule of the worker's markFinished, which
  // records it at its next sweep, up to a minute later): the page says so at once.
  const drained = view.status === "sending" && view.fannedOutAt !== null && c.queued + c.sending === 0;
  const status = drained ? "done" : view.status;
  const finished = status === "done" || status === "cancelled";
  return {
    status,
    total,
    sent: c.sent,
    waiting: c.queued + c.sending + (total - view.recipients),
    failed: c.failed,
    unreachable: c.unreachable,
    uncertain: c.uncertain,
    cancelled: c.cancelled,
    percent: total === 0 ? (finished ? 100 : 0) : Math.floor((settled * 100) / total),
    finished,
  };
}

function visibleTo(scope: StaffScope, officeId: number | null): boolean {
  if (scope.role === "admin") return true;
  return scope.role === "coordinator" && scope.officeId !== null && officeId === scope.officeId;
}

/** One broadcast if this person may see it; null otherwise (the panel answers 404 either way). */
export async function visibleBroadcast(
  db: Db,
  scope: StaffScope,
  broadcastId: number,
): Promise<BroadcastStatusView | null> {
  const view = await broadcastStatus(db, broadcastId);
  return view && visibleTo(scope, view.officeId) ? view : null;
}

export type HistoryRow = {
  id: number;
  audience: string;
  status: string;
  sendAt: Date;
  createdAt: Date;
  createdBy: string | null;
  progress: Progress;
};

export const HISTORY_LIMIT = 100;

/** The newest broadcasts this person may see, with their counters (one query for all the counters). */
export async function broadcastHistory(db: Db, scope: StaffScope): Promise<HistoryRow[]> {
  if (scope.role !== "admin" && (scope.role !== "coordinator" || scope.officeId === null)) return [];
  const broadcasts = await db.broadcast.findMany({
    where: scope.role === "admin" ? {} : { officeId: scope.officeId },
    orderBy: { id: "desc" },
    take: HISTORY_LIMIT,
    include: { createdBy: { select: { email: true } } },
  });
  if (broadcasts.length === 0) return [];
  const ids = broadcasts.map((b) => b.id);
  const rows = await sqlOf(db).query<{ broadcastId: number; status: string; count: bigint }>`
    SELECT "broadcastId", "status"::text AS "status", count(*) AS "count" FROM "OutboundMessage"
    WHERE "broadcastId" = ANY(${ids}::int[]) GROUP BY "broadcastId", "status"`;
  return broadcasts.map((b) => {
    const counters: BroadcastStatusView["counters"] = {
      queued: 0,
      sending: 0,
      sent: 0,
      failed: 0,
      unreachable: 0,
      uncertain: 0,
      cancelled: 0,
    };
    let recipients = 0;
    for (const row of rows) {
      if (row.broadcastId !== b.id) continue;
      counters[row.status as keyof typeof counters] = Number(row.count);
      recipients += Number(row.count);
    }
    const view: BroadcastStatusView = {
      id: b.id,
      status: b.status,
      audience: b.audience,
      languages: [],
      sendAt: b.sendAt,
      fannedOutAt: b.fannedOutAt,
      cancelledAt: b.cancelledAt,
      finishedAt: b.finishedAt,
      recipients,
      plannedRecipients: b.plannedRecipients,
      officeId: b.officeId,
      createdAt: b.createdAt,
      counters,
    };
    return {
      id: b.id,
      audience: b.audience,
      status: b.status,
      sendAt: b.sendAt,
      createdAt: b.createdAt,
      createdBy: b.createdBy?.email ?? null,
      progress: progressOf(view),
    };
  });
}

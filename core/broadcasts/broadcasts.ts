// Creating, cancelling and reading a broadcast: one path for the CLI and the admin panel.
import { type AuditEntry, audit } from "../audit.ts";
import type { Db, Prisma } from "../db/client.ts";
import { sqlOf } from "../db/sql.ts";
import { DEFAULT_LANGUAGE } from "../i18n.ts";
import { DELIVERY_STATUSES } from "../queues/delivery.ts";
import { deferForQuietHours, type QuietHours } from "../quiet-hours.ts";
import { type Audience, audienceProblems, countRecipients, describeAudience } from "./audience.ts";
import type { BroadcastTexts } from "./text-file.ts";

export type BroadcastPlan = {
  audience: string;
  sendAt: Date;
  /** The time asked for fell in quiet hours: sendAt is the morning after. */
  movedOutOfQuietHours: boolean;
  /** Per member language: how many, and which section they get. */
  recipients: { language: string; recipients: number; section: string }[];
  total: number;
};

export type CreateResult =
  | { ok: true; broadcastId: number | null; plan: BroadcastPlan }
  | { ok: false; problems: string[] };

export async function planBroadcast(
  db: Db,
  input: {
    audience: Audience;
    texts: BroadcastTexts;
    at: Date | null;
    now: Date;
    quietHours: QuietHours;
    /** A coordinator's office: only its households. Omitted or null: every office. */
    officeId?: number | null;
  },
): Promise<{ ok: true; plan: BroadcastPlan } | { ok: false; problems: string[] }> {
  const problems = await audienceProblems(db, input.audience);
  if (problems.length) return { ok: false, problems };
  const counts = await countRecipients(db, input.audience, input.officeId ?? null);
  const total = counts.reduce((sum, c) => sum + c.recipients, 0);
  if (total === 0) {
    return {
      ok: false,
      problems: [
        `audience: ${describeAudience(input.audience)} has no recipients now (linked members who gave consent and can be reached)`,
      ],
    };
  }
  // A time in the past means now.
  const asked = input.at && input.at.getTime() > input.now.getTime() ? input.at : input.now;
  const sendAt = deferForQuietHours(asked, input.quietHours);
  return {
    ok: true,
    plan: {
      audience: describeAudience(input.audience),
      sendAt,
      movedOutOfQuietHours: sendAt.getTime() !== asked.getTime(),
      recipients: counts.map((c) => ({
        ...c,
        section: input.texts[c.language] === undefined ? DEFAULT_LANGUAGE : c.language,
      })),
      total,
    },
  };
}

/** Records the broadcast (status scheduled); the caller queues its fan-out for plan.sendAt. */
export async function createBroadcast(
  db: Db,
  input: {
    audience: Audience;
    texts: BroadcastTexts;
    at: Date | null;
    now: Date;
    quietHours: QuietHours;
    actor: Pick<AuditEntry, "actorType" | "actorId">;
    createdByStaffId?: number;
    dryRun?: boolean;
    officeId?: number | null;
    /** "HTML": texts in Telegram's HTML, already checked (the panel); omitted: plain text (the CLI). */
    parseMode?: "HTML";
    /** reply_markup per member language (see ./buttons.ts). */
    buttons?: Prisma.InputJsonValue;
  },
): Promise<CreateResult> {
  const planned = await planBroadcast(db, input);
  if (!planned.ok) return planned;
  if (input.dryRun) return { ok: true, broadcastId: null, plan: planned.plan };
  const { plan } = planned;
  const broadcast = await db.$transaction(async (tx) => {
    const created = await tx.broadcast.create({
      data: {
        audience: plan.audience,
        texts: input.texts,
        sendAt: plan.sendAt,
        createdByStaffId: input.createdByStaffId ?? null,
        officeId: input.officeId ?? null,
        parseMode: input.parseMode ?? null,
        ...(input.buttons === undefined ? {} : { buttons: input.buttons }),
        plannedRecipients: plan.total,
      },
    });
    await audit(tx, {
      ...input.actor,
      action: "broadcast.create",
      entityType: "Broadcast",
      entityId: created.id,
      details: {
        recipients: plan.total,
        languages: Object.keys(input.texts),
        sendAt: plan.sendAt.toISOString(),
      },
    });
    return created;
  });
  return { ok: true, broadcastId: broadcast.id, plan };
}

export type CancelResult = { ok: true; cancelledMessages: number } | { ok: false; problem: string };

/**
 * Stops a broadcast: messages not yet sent are cancelled (the delivery worker skips them). A fan-out
 * running at the same time waits on the broadcast's row lock, so none of its messages slip through.
 */
export async function cancelBroadcast(
  db: Db,
  broadcastId: number,
  input: { now: Date; actor: Pick<AuditEntry, "actorType" | "actorId"> },
): Promise<CancelResult> {
  return db.$transaction(async (tx) => {
    const updated = await tx.broadcast.updateMany({
      where: { id: broadcastId, status: { in: ["scheduled", "sending"] } },
      data: { status: "cancelled", cancelledAt: input.now },
    });
    if (updated.count === 0) {
      const found = await tx.broadcast.findUnique({ where: { id: broadcastId }, select: { status: true } });
      return {
        ok: false as const,
        problem: found
          ? `broadcast ${broadcastId} is already ${found.status}: nothing to cancel`
          : `no broadcast ${broadcastId}`,
      };
    }
    const messages = await tx.outboundMessage.updateMany({
      where: { broadcastId, status: "queued" },
      data: { status: "cancelled" },
    });
    await audit(tx, {
      ...input.actor,
      action: "broadcast.cancel",
      entityType: "Broadcast",
      entityId: broadcastId,
      details: { cancelledMessages: messages.count },
    });
    return { ok: true as const, cancelledMessages: messages.count };
  });
}

export type BroadcastStatusView = {
  id: number;
  status: string;
  audience: string;
  languages: string[];
  sendAt: Date;
  fannedOutAt: Date | null;
  cancelledAt: Date | null;
  finishedAt: Date | null;
  /** Messages recorded so far (every recipient once fanned out). */
  recipients: number;
  /** Recipients counted when it was created (null for broadcasts older than the count). */
  plannedRecipients: number | null;
  officeId: number | null;
  createdAt: Date;
  counters: Record<(typeof DELIVERY_STATUSES)[number], number>;
};

/** Counters come from the messages themselves, grouped by status: nothing to drift. */
export async function broadcastStatus(db: Db, broadcastId: number): Promise<BroadcastStatusView | null> {
  const broadcast = await db.broadcast.findUnique({ where: { id: broadcastId } });
  if (!broadcast) return null;
  const rows = await sqlOf(db).query<{ status: string; count: bigint }>`
    SELECT "status"::text AS "status", count(*) AS "count" FROM "OutboundMessage"
    WHERE "broadcastId" = ${broadcastId} GROUP BY "status"`;
  const counters = Object.fromEntries(
    DELIVERY_STATUSES.map((s) => [s, 0]),
  ) as BroadcastStatusView["counters"];
  let recipients = 0;
  for (const row of rows) {
    counters[row.status as keyof typeof counters] = Number(row.count);
    recipients += Number(row.count);
  }
  return {
    id: broadcast.id,
    status: broadcast.status,
    audience: broadcast.audience,
    languages: Object.keys(broadcast.texts as BroadcastTexts),
    sendAt: broadcast.sendAt,
    fannedOutAt: broadcast.fannedOutAt,
    cancelledAt: broadcast.cancelledAt,
    finishedAt: broadcast.finishedAt,
    recipients,
    plannedRecipients: broadcast.plannedRecipients,
    officeId: broadcast.officeId,
    createdAt: broadcast.createdAt,
    counters,
  };
}

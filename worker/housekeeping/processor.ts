// Forgets records whose only purpose has passed. Idempotent: running it twice deletes nothing more.
import { FLOW_TIMEOUT_MS } from "../../bot/flows.ts";
import type { Clock } from "../../core/clock.ts";
import type { Db } from "../../core/db/client.ts";
import { ATTEMPT_WINDOW_MS } from "../../core/linking.ts";
import { type RetentionResult, runRetention } from "./retention.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Telegram keeps undelivered updates for 24 hours; a week covers any redelivery with margin. */
export const PROCESSED_UPDATE_RETENTION_MS = 7 * DAY_MS;
/** Admin login failures count for 15 minutes; a day is plenty. */
export const LOGIN_ATTEMPT_RETENTION_MS = DAY_MS;
/** Abandoned bot sessions (flows time out after 30 minutes; an empty session is only a language). */
export const IDLE_SESSION_RETENTION_MS = 90 * DAY_MS;

export type HousekeepingResult = {
  processedUpdates: number;
  linkAttempts: number;
  loginAttempts: number;
  staffSessions: number;
  botSessions: number;
  /**
   * Flows left unanswered past their time-out, taken out of the session: what they held (a note half
   * typed, the message a safety question waits on) goes with them, not 90 days later with the session.
   */
  abandonedFlows: number;
  /** Spreadsheets uploaded in the admin panel and never confirmed (they hold personal data). */
  importUploads: number;
} & RetentionResult;

export type HousekeepingDeps = {
  db: Db;
  clock: Clock;
  /** RETENTION_MONTHS: case messages and sent-message records older than this are deleted. */
  retentionMonths: number;
};

export async function runHousekeeping(deps: HousekeepingDeps): Promise<HousekeepingResult> {
  const now = deps.clock.now().getTime();
  const before = (ms: number) => new Date(now - ms);
  const { db } = deps;
  const [
    processedUpdates,
    linkAttempts,
    loginAttempts,
    staffSessions,
    botSessions,
    abandonedFlows,
    importUploads,
  ] = await db.$transaction([
    db.processedUpdate.deleteMany({ where: { at: { lt: before(PROCESSED_UPDATE_RETENTION_MS) } } }),
    db.linkAttempt.deleteMany({ where: { at: { lt: before(ATTEMPT_WINDOW_MS + DAY_MS) } } }),
    // Log-in throttle keys idle for a day (the admin panel forgets them after 15 minutes anyway).
    db.loginThrottle.deleteMany({
      where: { lastAt: { lt: before(LOGIN_ATTEMPT_RETENTION_MS) }, nextAt: { lt: new Date(now) } },
    }),
    db.staffSession.deleteMany({ where: { expiresAt: { lt: new Date(now) } } }),
    db.botSession.deleteMany({ where: { updatedAt: { lt: before(IDLE_SESSION_RETENTION_MS) } } }),
    // Any update stores its session again: untouched past the time-out, its flow has expired.
    db.$executeRaw`UPDATE "BotSession" SET "value" = "value" - 'flow'
        WHERE "value" -> 'flow' IS NOT NULL AND "updatedAt" < ${before(FLOW_TIMEOUT_MS)}`,
    db.importUpload.deleteMany({ where: { expiresAt: { lt: new Date(now) } } }),
  ]);
  const retention = await runRetention(deps);
  return {
    processedUpdates: processedUpdates.count,
    linkAttempts: linkAttempts.count,
    loginAttempts: loginAttempts.count,
    staffSessions: staffSessions.count,
    botSessions: botSessions.count,
    abandonedFlows,
    importUploads: importUploads.count,
    ...retention,
  };
}

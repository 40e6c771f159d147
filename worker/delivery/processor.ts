// Sends one OutboundMessage to Telegram, exactly once. Jobs may run more than once (duplicate jobs,
// retries, a worker restarted after a crash), so the record in PostgreSQL decides:
// - a job claims its message with one conditional UPDATE (queued → sending): of two jobs for one
//   message, only one sends;
// - after Telegram's answer the message is marked sent (or back to queued when Telegram refused it
//   with a 429 or 5xx, which means it was not delivered);
// - a message left in `sending` by a worker that died between asking Telegram and hearing back, or
//   whose request got no answer in time, may or may not have arrived. What carries weight (an
//   operator's answer, a due or late installment, a post about a case) is sent again once, a rare
//   duplicate counted in the record; the rest becomes `uncertain` — the rule is in
//   core/uncertain-delivery.ts. Staff see both, and can send any uncertain message again.
// A message sends its text (in parts when over Telegram's limit), then its photo if it has one (drawn
// now from the ids in OutboundMessage.photo); each step sent is recorded in the job, so a retry goes
// on from the next step and nothing is sent twice.
import { UnrecoverableError } from "bullmq";
import { type Api, GrammyError, HttpError, InputFile } from "grammy";
import type {
  ForceReply,
  InlineKeyboardMarkup,
  ReplyKeyboardMarkup,
  ReplyKeyboardRemove,
} from "grammy/types";
import type { Clock } from "../../core/clock.ts";
import type { Db } from "../../core/db/client.ts";
import { sqlOf } from "../../core/db/sql.ts";
import type { Logger } from "../../core/logger.ts";
import { deliveryJobSchema } from "../../core/queues/delivery.ts";
import { deferForQuietHours, isQuiet, type QuietHours } from "../../core/quiet-hours.ts";
import { settleInterrupted, settleTimedOut } from "../../core/uncertain-delivery.ts";
import type { Pacer } from "./pacer.ts";
import { splitMessage } from "./split.ts";

/**
 * How long a message may stay `sending` before its sender is taken for dead. Longer than the Bot API
 * timeout the worker sets (30 s), and refreshed before each part of a long message.
 */
export const SENDING_LEASE_SECONDS = 60;

/** Every way one attempt can end, for the metrics. */
export type DeliveryAttemptOutcome =
  | "sent"
  | "skipped"
  | "unreachable"
  | "uncertain"
  | "rate_limited"
  | "retried"
  | "failed";

export type DeliveryDeps = {
  db: Db;
  api: Api;
  clock: Clock;
  logger: Logger;
  /** Pauses the whole queue (all worker processes) after Telegram's 429. */
  rateLimit: (ms: number) => Promise<void>;
  /**
   * Takes the chat's sending slot (about one message a second per chat, one every 3 s per group,
   * across all worker processes): 0 when taken, else the milliseconds until it frees.
   */
  takeChatSlot: (chatId: bigint) => Promise<number>;
  /** The pause between two messages to one chat, in milliseconds. */
  chatIntervalMs: number;
  /**
   * The overall pace of every worker process together (Telegram's ~30 a second, evenly spaced, never
   * over the rate in any second; see pacer.ts). Absent: no overall pace (tests of one message).
   */
  pace?: Pick<Pacer, "take">;
  /** Reminders, broadcasts and nudges wait for the morning; other messages go at once. */
  quietHours?: QuietHours;
  /** Told how each attempt ended (metrics); ids and outcomes only. */
  onOutcome?: (outcome: DeliveryAttemptOutcome) => void;
  /**
   * Draws a message's photo (OutboundMessage.photo, e.g. an installment's pagoPA QR code) when it is
   * sent, from what the database says then; null: nothing to show any more, the text goes alone.
   */
  drawPhoto?: (ref: string) => Promise<Buffer | null>;
};

/** What the processor may know about and do with its job. */
export type DeliveryJobControl = {
  /** Records that the parts before `nextPart` were sent, so a retry does not send them again. */
  saveNextPart: (nextPart: number) => Promise<void>;
  /** No retry follows a failure of this attempt. */
  finalAttempt: boolean;
};

const noJobControl: DeliveryJobControl = { saveNextPart: async () => {}, finalAttempt: false };

type ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply;

export type DeliveryOutcome = "sent" | "skipped" | "unreachable" | "uncertain";

/**
 * Thrown when the chat had a message less than a second ago, an earlier message to it is still
 * waiting, or another job holds this message: the job goes back to the queue delayed by `delayMs`,
 * without counting an attempt.
 */
export class ChatBusy extends Error {
  readonly delayMs: number;
  constructor(delayMs: number) {
    super(`chat busy for ${delayMs} ms`);
    this.delayMs = delayMs;
  }
}

/** Thrown after a 429 so BullMQ puts the job back without counting an attempt. */
export class TelegramRateLimited extends Error {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super(`Telegram asked to wait ${retryAfterMs} ms`);
    this.retryAfterMs = retryAfterMs;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Messages nobody is waiting for right now, held back during quiet hours (check-up offers too). */
const HELD_IN_QUIET_HOURS = /^(reminder|broadcast|nudge|checkup):/;

type ClaimedMessage = {
  id: number;
  memberId: number | null;
  chatId: bigint;
  text: string;
  parseMode: string | null;
  replyMarkup: unknown;
  photo: string | null;
};

/** What one message sends, in order: its text (in parts when long), then its photo if it has one. */
type Step = { kind: "text"; text: string } | { kind: "photo"; ref: string };

type Unclaimed = {
  status: string;
  purpose: string;
  stale: boolean;
  leftMs: number;
  unreachable: boolean;
  earlier: bigint;
};

export async function processDelivery(
  data: unknown,
  deps: DeliveryDeps,
  job: DeliveryJobControl = noJobControl,
): Promise<DeliveryOutcome> {
  try {
    const outcome = await attempt(data, deps, job);
    deps.onOutcome?.(outcome);
    return outcome;
  } catch (error) {
    if (error instanceof TelegramRateLimited) deps.onOutcome?.("rate_limited");
    else if (error instanceof UnrecoverableError) deps.onOutcome?.("failed");
    else if (!(error instanceof ChatBusy)) deps.onOutcome?.(job.finalAttempt ? "failed" : "retried");
    throw error;
  }
}

async function attempt(data: unknown, deps: DeliveryDeps, job: DeliveryJobControl): Promise<DeliveryOutcome> {
  const { outboundMessageId, nextPart = 0 } = deliveryJobSchema.parse(data);
  const { db, api, clock, logger } = deps;
  const sql = sqlOf(db);

  // Reminders, broadcasts and nudges recorded before quiet hours began and still waiting (a long
  // queue) are not claimed now: they go in the morning.
  const quiet = isQuiet(clock.now(), deps.quietHours ?? null);

  // The overall pace first, while the message is not ours yet: a worker that dies waiting for its
  // moment leaves the message queued, never `sending`, so nothing unsent is ever taken for
  // uncertain (and then, for broadcasts and early reminders, never sent). A moment taken by a job
  // whose claim then finds nothing is simply not used.
  const later = deps.pace ? await deps.pace.take() : 0;
  if (later > 0) throw new ChatBusy(later);

  // The claim: only a queued message whose member can be reached, whose chat has no earlier message
  // still waiting (messages to one chat keep their order) and that quiet hours do not hold back
  // becomes ours. One statement, so of two jobs for one message only one can send it.
  const [message] = await sql.query<ClaimedMessage>`
    UPDATE "OutboundMessage" o
       SET status = 'sending', "sendingAt" = now(), attempts = o.attempts + 1
     WHERE o.id = ${outboundMessageId} AND o.status = 'queued'
       AND NOT (${quiet}::boolean AND o.purpose ~ ${HELD_IN_QUIET_HOURS.source})
       AND NOT EXISTS (SELECT 1 FROM "Member" m WHERE m.id = o."memberId" AND m."unreachableAt" IS NOT NULL)
       AND NOT EXISTS (
         SELECT 1 FROM "OutboundMessage" e
          WHERE e."chatId" = o."chatId" AND e.id < o.id AND e.status IN ('queued', 'sending')
            AND e."createdAt" > now() - interval '1 hour')
    RETURNING o.id, o."memberId", o."chatId", o.text, o."parseMode", o."replyMarkup", o.photo`;
  if (!message) {
    const outcome = await notClaimed(outboundMessageId, deps, quiet);
    // Its sender died and the rule sends it again: this job is the one to do it.
    return outcome === "resend" ? attempt(data, deps, job) : outcome;
  }

  // About one message a second per chat: if the chat had one just now, give the claim back.
  const wait = await deps.takeChatSlot(message.chatId);
  if (wait > 0) await giveBack(deps, message.id, wait);
  try {
    const texts = splitMessage(message.text, message.parseMode === "HTML" ? "HTML" : null);
    const steps: Step[] = texts.map((text) => ({ kind: "text", text }));
    if (message.photo) steps.push({ kind: "photo", ref: message.photo });
    const lastText = texts.length - 1;
    let sent: { message_id: number } | undefined;
    // Each step is recorded in the job once sent, so a retry goes on from the next one: nothing,
    // the photo included, is sent twice.
    for (let part = nextPart; part < steps.length; part++) {
      if (part > nextPart) {
        await waitForChatSlot(deps, message.chatId);
        await waitForPace(deps);
        await sql.execute`UPDATE "OutboundMessage" SET "sendingAt" = now() WHERE id = ${message.id}`;
      }
      const step = steps[part] as Step;
      if (step.kind === "text") {
        const answer = await api.sendMessage(Number(message.chatId), step.text, {
          ...(message.parseMode === "HTML" ? { parse_mode: "HTML" as const } : {}),
          // On the text's last part (buttons belong to the words). Stored by us from a grammY
          // keyboard, so it has Telegram's ReplyMarkup shape.
          ...(part === lastText && message.replyMarkup
            ? { reply_markup: message.replyMarkup as ReplyMarkup }
            : {}),
        });
        if (part === lastText) sent = answer;
      } else {
        const image = deps.drawPhoto ? await deps.drawPhoto(step.ref) : null;
        if (image) await api.sendPhoto(Number(message.chatId), new InputFile(image, "pagopa.png"));
      }
      if (part < steps.length - 1) await job.saveNextPart(part + 1);
    }
    await sql.execute`
      UPDATE "OutboundMessage"
         SET status = 'sent', "sentAt" = ${clock.now()}, "lastError" = NULL,
             "telegramMessageId" = COALESCE(${sent ? BigInt(sent.message_id) : null}::bigint, "telegramMessageId")
       WHERE id = ${message.id}`;
    logger.debug({ outboundMessageId: message.id }, "message delivered");
    return "sent";
  } catch (error) {
    return await handleFailure(error, message, deps, job);
  }
}

/** Gives a claimed message back to the queue, unsent and without counting the attempt, for later. */
async function giveBack(deps: DeliveryDeps, id: number, delayMs: number): Promise<never> {
  await sqlOf(deps.db).execute`
    UPDATE "OutboundMessage" SET status = 'queued', "sendingAt" = NULL, attempts = attempts - 1
     WHERE id = ${id} AND status = 'sending'`;
  throw new ChatBusy(delayMs);
}

/** Why the claim found nothing to take, and what the job does about it. */
async function notClaimed(
  id: number,
  deps: DeliveryDeps,
  quiet: boolean,
): Promise<DeliveryOutcome | "resend"> {
  const sql = sqlOf(deps.db);
  const [row] = await sql.query<Unclaimed>`
    SELECT o.status::text AS status, o.purpose,
           o."sendingAt" < now() - make_interval(secs => ${SENDING_LEASE_SECONDS}) AS stale,
           GREATEST(0, EXTRACT(EPOCH FROM (o."sendingAt" + make_interval(secs => ${SENDING_LEASE_SECONDS}) - now())) * 1000)::int AS "leftMs",
           COALESCE(m."unreachableAt" IS NOT NULL, false) AS unreachable,
           (SELECT count(*) FROM "OutboundMessage" e
             WHERE e."chatId" = o."chatId" AND e.id < o.id AND e.status IN ('queued', 'sending')
               AND e."createdAt" > now() - interval '1 hour') AS earlier
      FROM "OutboundMessage" o LEFT JOIN "Member" m ON m.id = o."memberId"
     WHERE o.id = ${id}`;
  if (!row) return "skipped";
  if (row.status === "sending") {
    if (!row.stale) throw new ChatBusy(Math.max(1000, row.leftMs + 100)); // another job holds it
    const [settled] = await settleInterrupted(deps.db, {
      leaseSeconds: SENDING_LEASE_SECONDS,
      id,
      reason: "the worker stopped while sending",
    });
    if (!settled) return "skipped";
    if (settled.resent) {
      deps.logger.warn({ outboundMessageId: id, kind: settled.kind }, "sending again after a stopped worker");
      return "resend";
    }
    deps.logger.warn({ outboundMessageId: id }, "delivery uncertain after a stopped worker");
    return "uncertain";
  }
  if (row.status !== "queued") return "skipped";
  if (quiet && HELD_IN_QUIET_HOURS.test(row.purpose)) {
    const now = deps.clock.now();
    throw new ChatBusy(deferForQuietHours(now, deps.quietHours ?? null).getTime() - now.getTime());
  }
  if (row.unreachable) {
    const marked = await sql.execute`
      UPDATE "OutboundMessage" SET status = 'unreachable' WHERE id = ${id} AND status = 'queued'`;
    return marked > 0 ? "unreachable" : "skipped";
  }
  // An earlier message to the chat is waiting (or the message changed under us): try again soon.
  throw new ChatBusy(Math.max(100, Number(row.earlier) * deps.chatIntervalMs));
}

async function handleFailure(
  error: unknown,
  message: ClaimedMessage,
  deps: DeliveryDeps,
  job: DeliveryJobControl,
): Promise<DeliveryOutcome> {
  const { db, clock, logger } = deps;
  const sql = sqlOf(db);
  if (error instanceof GrammyError) {
    const lastError = `${error.error_code} ${error.description}`.slice(0, 500);
    if (error.error_code === 429) {
      // Telegram did not take it: back to queued, and the whole queue pauses.
      const ms = (error.parameters.retry_after ?? 1) * 1000;
      await sql.execute`
        UPDATE "OutboundMessage" SET status = 'queued', "lastError" = ${lastError} WHERE id = ${message.id}`;
      await deps.rateLimit(ms);
      throw new TelegramRateLimited(ms);
    }
    if (error.error_code === 403) {
      // Blocked bot or deactivated account: stop, do not retry; staff can see it.
      await db.$transaction([
        db.outboundMessage.update({ where: { id: message.id }, data: { status: "unreachable", lastError } }),
        ...(message.memberId === null
          ? []
          : [db.member.update({ where: { id: message.memberId }, data: { unreachableAt: clock.now() } })]),
      ]);
      logger.info({ outboundMessageId: message.id, memberId: message.memberId }, "member unreachable");
      return "unreachable";
    }
    if (error.error_code >= 400 && error.error_code < 500) {
      await sql.execute`
        UPDATE "OutboundMessage" SET status = 'failed', "lastError" = ${lastError} WHERE id = ${message.id}`;
      logger.error(
        { outboundMessageId: message.id, errorCode: error.error_code },
        "message rejected by Telegram",
      );
      throw new UnrecoverableError(lastError);
    }
  }
  if (error instanceof HttpError && isTimeout(error)) {
    // The request left and no answer came: Telegram may well have delivered it. Sent again (a
    // retry of this job) only if the rule says its kind must arrive; else uncertain.
    if (await settleTimedOut(db, { id: message.id, mayRetry: !job.finalAttempt })) {
      logger.warn({ outboundMessageId: message.id }, "sending again after a time-out");
      throw error;
    }
    logger.warn({ outboundMessageId: message.id }, "delivery uncertain after a time-out");
    return "uncertain";
  }
  // 5xx and other network errors (refused, reset): back to the queue with backoff (the final
  // attempt gives up).
  const lastError = (
    error instanceof HttpError || error instanceof GrammyError ? error.message : String(error)
  ).slice(0, 500);
  const status = job.finalAttempt ? "failed" : "queued";
  await sql.execute`
    UPDATE "OutboundMessage" SET status = ${status}::"DeliveryStatus", "lastError" = ${lastError}
     WHERE id = ${message.id}`;
  throw error;
}

/** grammY's own time-out (the worker's Api sets timeoutSeconds), as opposed to a refused connection. */
function isTimeout(error: HttpError): boolean {
  return error.error instanceof Error && /timed out/.test(error.error.message);
}

/** Between the parts of one long message: the message is ours, so wait here for the overall pace. */
async function waitForPace(deps: DeliveryDeps): Promise<void> {
  if (!deps.pace) return;
  for (let tries = 0; tries < 30; tries++) {
    const later = await deps.pace.take();
    if (later === 0) return;
    await sleep(later);
  }
  throw new Error("no sending moment came");
}

/** Between the parts of one long message: the chat is ours, so wait here for its next slot. */
async function waitForChatSlot(deps: DeliveryDeps, chatId: bigint): Promise<void> {
  for (let tries = 0; tries < 30; tries++) {
    const wait = await deps.takeChatSlot(chatId);
    if (wait === 0) return;
    await sleep(wait);
  }
  throw new Error(`chat ${chatId} stayed busy`);
}

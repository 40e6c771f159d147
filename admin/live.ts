// New household messages, live, for open inbox and case pages (Server-Sent Events). The bot stores
// messages in another process, so the feed reads the database: one query a second per admin process,
// only while someone is listening, whatever the number of open pages; each message then goes to the
// streams whose staff may see its household (same rule as core/offices/scope.ts) and, for a case page,
// whose case it is. A stream ends after a few minutes and the browser reconnects, signed in again and
// with its office read again.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Db } from "../core/db/client.ts";
import { type HouseholdMessageEvent, householdMessagesAfter, lastHouseholdMessageId } from "../core/inbox.ts";
import type { Logger } from "../core/logger.ts";
import type { StaffScope } from "../core/offices/scope.ts";
import { formatRomeDateTime } from "../core/time.ts";
import { openEventStream } from "./event-stream.ts";

export const POLL_MS = 500;
const HEARTBEAT_MS = 25_000;
const STREAM_MAX_MS = 5 * 60_000;

type Listener = {
  scope: StaffScope;
  caseId: number | null;
  send(event: string, data: unknown): void;
  /** Called once per batch with new messages it could see (for the waiting counter). */
  touched(): void;
  end(): void;
};

function visibleTo(scope: StaffScope, message: HouseholdMessageEvent): boolean {
  if (scope.role === "admin") return true;
  return scope.officeId !== null && message.officeId === scope.officeId;
}

export type LiveFeed = {
  stream(
    request: FastifyRequest,
    reply: FastifyReply,
    options: { scope: StaffScope; caseId: number | null; waiting: () => Promise<number> },
  ): Promise<void>;
  close(): void;
};

export function createLiveFeed(db: Db, logger: Logger): LiveFeed {
  const listeners = new Set<Listener>();
  let lastId: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  let polling = false;

  async function poll(): Promise<void> {
    if (polling) return;
    polling = true;
    try {
      if (lastId === null) lastId = await lastHouseholdMessageId(db);
      const messages = await householdMessagesAfter(db, lastId);
      const last = messages.at(-1);
      if (last) lastId = last.messageId;
      for (const listener of listeners) {
        let any = false;
        for (const m of messages) {
          if (!visibleTo(listener.scope, m)) continue;
          if (listener.caseId !== null && listener.caseId !== m.caseId) continue;
          any = true;
          listener.send("message", {
            messageId: m.messageId,
            caseId: m.caseId,
            memberId: m.memberId,
            firstName: m.firstName,
            text: m.text,
            at: formatRomeDateTime(m.createdAt),
          });
        }
        if (any) listener.touched();
      }
    } catch (error) {
      logger.warn({ err: error }, "live feed poll failed");
    } finally {
      polling = false;
    }
  }

  function start(): void {
    if (timer) return;
    timer = setInterval(() => void poll(), POLL_MS);
    timer.unref();
  }

  function stopIfIdle(): void {
    if (listeners.size > 0 || !timer) return;
    clearInterval(timer);
    timer = null;
    // The next listener starts from the newest message then, not from what was missed meanwhile.
    lastId = null;
  }

  return {
    async stream(request, reply, options) {
      // Messages from now on: the position is taken before the headers go out.
      if (lastId === null) lastId = await lastHouseholdMessageId(db);
      const listener: Listener = {
        scope: options.scope,
        caseId: options.caseId,
        send: (event, data) => events.send(event, data),
        touched() {
          options.waiting().then(
            (count) => events.send("waiting", { count }),
            () => undefined,
          );
        },
        end: () => events.end(),
      };
      let heartbeat: NodeJS.Timeout | undefined;
      const events = openEventStream(request, reply, {
        maxMs: STREAM_MAX_MS,
        onEnd() {
          clearInterval(heartbeat);
          listeners.delete(listener);
          stopIfIdle();
        },
      });
      heartbeat = setInterval(() => events.ping(), HEARTBEAT_MS);
      heartbeat.unref();
      listeners.add(listener);
      start();
    },
    close() {
      for (const listener of [...listeners]) listener.end();
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

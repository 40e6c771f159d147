// A broadcast's progress, live, for its page (Server-Sent Events, admin/event-stream.ts): the
// worker sends in another process, so the stream reads the counters from the database, once a second
// while the page is open, sends them when they change, and ends once the broadcast is done or
// cancelled (or after a few minutes: the browser reconnects, signed in and allowed again).
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Progress } from "../core/broadcasts/history.ts";
import { type EventStream, openEventStream } from "./event-stream.ts";

export const PROGRESS_POLL_MS = 1000;
const STREAM_MAX_MS = 5 * 60_000;

export type BroadcastLive = {
  stream(request: FastifyRequest, reply: FastifyReply, read: () => Promise<Progress | null>): Promise<void>;
  close(): void;
};

export function createBroadcastLive(): BroadcastLive {
  const open = new Set<EventStream>();
  return {
    async stream(request, reply, read) {
      const first = await read();
      let last = "";
      let timer: NodeJS.Timeout | undefined;
      const events = openEventStream(request, reply, {
        maxMs: STREAM_MAX_MS,
        onEnd() {
          clearInterval(timer);
          open.delete(events);
        },
      });
      const send = (progress: Progress | null) => {
        if (progress === null) return;
        const data = JSON.stringify(progress);
        if (data !== last) events.send("progress", progress);
        last = data;
        if (progress.finished && progress.waiting === 0) events.end();
      };
      timer = setInterval(() => {
        read().then(send, () => undefined);
      }, PROGRESS_POLL_MS);
      timer.unref();
      open.add(events);
      send(first);
    },
    close() {
      for (const events of [...open]) events.end();
    },
  };
}

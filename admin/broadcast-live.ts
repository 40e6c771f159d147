// A broadcast's progress, live, for its page (Server-Sent Events), in the manner of admin/live.ts: the
// worker sends in another process, so the stream reads the counters from the database, once a second
// while the page is open, sends them when they change, and ends once the broadcast is done or
// cancelled (or after a few minutes: the browser reconnects, signed in and allowed again).
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Progress } from "../core/broadcasts/history.ts";

export const PROGRESS_POLL_MS = 1000;
const STREAM_MAX_MS = 5 * 60_000;

export type BroadcastLive = {
  stream(request: FastifyRequest, reply: FastifyReply, read: () => Promise<Progress | null>): Promise<void>;
  close(): void;
};

export function createBroadcastLive(): BroadcastLive {
  const open = new Set<() => void>();
  return {
    async stream(request, reply, read) {
      const first = await read();
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-store",
        Connection: "keep-alive",
        "X-Accel-Buffering": "no",
      });
      raw.write("retry: 2000\n\n");
      let last = "";
      let ended = false;
      const send = (progress: Progress | null) => {
        if (ended || progress === null) return;
        const data = JSON.stringify(progress);
        if (data !== last) raw.write(`event: progress\ndata: ${data}\n\n`);
        last = data;
        if (progress.finished && progress.waiting === 0) end();
      };
      const timer = setInterval(() => {
        read().then(send, () => undefined);
      }, PROGRESS_POLL_MS);
      const limit = setTimeout(() => end(), STREAM_MAX_MS);
      timer.unref();
      limit.unref();
      function end(): void {
        if (ended) return;
        ended = true;
        clearInterval(timer);
        clearTimeout(limit);
        open.delete(end);
        raw.end();
      }
      open.add(end);
      request.raw.on("close", end);
      send(first);
    },
    close() {
      for (const end of [...open]) end();
    },
  };
}

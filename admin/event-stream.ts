// One Server-Sent Events stream, as the panel's live pages open them (admin/live.ts for new household
// messages, admin/broadcast-live.ts for a broadcast's progress): the headers that keep proxies from
// buffering, the browser's reconnect delay, and an end after `maxMs` or when the browser goes away —
// the browser then reconnects, signed in and allowed again.
import type { FastifyReply, FastifyRequest } from "fastify";

export type EventStream = {
  /** An event with JSON data; nothing once the stream has ended. */
  send(event: string, data: unknown): void;
  /** A comment line, so idle connections are not dropped by proxies. */
  ping(): void;
  /** Ends the stream (once): `onEnd` runs, then the response ends. */
  end(): void;
};

export function openEventStream(
  request: FastifyRequest,
  reply: FastifyReply,
  options: { maxMs: number; onEnd(): void },
): EventStream {
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
  let ended = false;
  const stream: EventStream = {
    send(event, data) {
      if (!ended) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    ping() {
      if (!ended) raw.write(": ping\n\n");
    },
    end() {
      if (ended) return;
      ended = true;
      clearTimeout(limit);
      options.onEnd();
      raw.end();
    },
  };
  const limit = setTimeout(() => stream.end(), options.maxMs);
  limit.unref();
  request.raw.on("close", () => stream.end());
  return stream;
}

// The broadcast page's progress under a 2,000-recipient send (part of `npm run bench`): an admin
// confirms a broadcast to 2,000 linked members in the panel (over HTTP, as a browser does); the real
// worker process sends it to the sandbox at Telegram's 30 messages/s; meanwhile one client asks the
// progress endpoint (GET /broadcasts/:id/progress) every 250 ms and another follows the page's live
// stream (GET /broadcasts/:id/events). Printed: the endpoint's latency (median, 95th percentile, max),
// the longest gap between two live events, and how long after the last message was sent the stream
// said 100%. Figures, not assertions.
//
// Alone: `node bench/broadcast-panel.ts`. Knobs: BENCH_BROADCAST_RECIPIENTS (2000),
// BENCH_PANEL_RATE (30, the sandbox's limit; the worker's pacer just under it).
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { createAdminServer } from "../admin/server.ts";
import { systemClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { createDb } from "../core/db/client.ts";
import { applyMigrations, dropDatabase, ensureDatabase } from "../core/db/migrate.ts";
import { sqlOf } from "../core/db/sql.ts";
import { createLogger } from "../core/logger.ts";
import { createBroadcastQueue } from "../core/queues/broadcasts.ts";
import { createDeliveryQueue } from "../core/queues/delivery.ts";
import { upsertStaff } from "../core/staff.ts";
import { startSandbox } from "../sandbox/server.ts";
import { type BenchResult, startWorker } from "./broadcast.ts";
import { seedCrowd } from "./broadcast-crowd.ts";

const RECIPIENTS = Number(process.env.BENCH_BROADCAST_RECIPIENTS ?? 2000);
const RATE = Number(process.env.BENCH_PANEL_RATE ?? 30);
const EMAIL = "bench.broadcast@aler.example";
const PASSWORD = "bench broadcast panel password";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))] ?? 0;

function progress(message: string): void {
  process.stderr.write(`broadcast-panel bench: ${message}\n`);
}

/** Signs in as a browser does; returns the session cookie and the pages' CSRF token. */
async function signIn(base: string): Promise<{ cookie: string; csrf: string }> {
  const form = await fetch(`${base}/login`);
  const first = (form.headers.getSetCookie()[0] ?? "").split(";")[0] ?? "";
  const loginCsrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? "";
  const login = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: first, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email: EMAIL, password: PASSWORD, _csrf: loginCsrf }).toString(),
  });
  await login.arrayBuffer();
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const page = await fetch(`${base}/broadcasts/new`, { headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
  if (page.status !== 200 || !csrf) throw new Error(`sign-in failed (${login.status}, ${page.status})`);
  return { cookie, csrf };
}

/** Follows the live stream: when each progress event came, and when it first said 100%. */
function follow(url: string, cookie: string, stop: AbortSignal) {
  const arrivals: number[] = [];
  let full: number | null = null;
  const done = (async () => {
    const response = await fetch(url, { headers: { cookie, accept: "text/event-stream" }, signal: stop });
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const chunk = await reader?.read().catch(() => undefined);
      if (!chunk || chunk.done) return;
      buffer += decoder.decode(chunk.value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^data: (.*)$/m.exec(event)?.[1];
        if (data) {
          arrivals.push(Date.now());
          if (full === null && (JSON.parse(data) as { percent: number }).percent >= 100) full = Date.now();
        }
        end = buffer.indexOf("\n\n");
      }
    }
  })();
  return { arrivals, full: () => full, done };
}

export async function benchBroadcastPanel(): Promise<BenchResult[]> {
  const url = new URL(process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/bussola");
  url.pathname = `/bussola_bench_broadcast_panel_${process.pid}`;
  const databaseUrl = url.toString();
  await ensureDatabase(databaseUrl);
  await applyMigrations(databaseUrl);
  const db = createDb(databaseUrl, { poolSize: 8 });
  const sandbox = await startSandbox({
    port: 0,
    limits: { global_per_second: RATE, global_window: "bucket" },
  });
  const queuePrefix = `bussola-bench-broadcast-panel-${process.pid}`;
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  const deliveryQueue = createDeliveryQueue(redis, queuePrefix);
  const broadcastQueue = createBroadcastQueue(redis, queuePrefix);
  const app = createAdminServer({
    config: loadConfig({ DATABASE_URL: databaseUrl, QUIET_HOURS: "" }),
    logger: createLogger({ level: "silent" }),
    db,
    clock: systemClock,
    deliveryQueue,
    broadcastQueue,
  });
  let worker: { stop(): Promise<void> } | undefined;
  const stop = new AbortController();
  try {
    progress(`${RECIPIENTS} sandbox users and members`);
    await seedCrowd(db, sandbox.url, RECIPIENTS);
    await upsertStaff(db, { email: EMAIL, role: "admin", password: PASSWORD });
    worker = await startWorker({
      DATABASE_URL: databaseUrl,
      QUEUE_PREFIX: queuePrefix,
      TELEGRAM_BOT_TOKEN: sandbox.token,
      TELEGRAM_API_ROOT: sandbox.url,
      SESSION_SECRET: "bench-session-secret-bench-session-secret",
      METRICS_PORT: "0",
      QUIET_HOURS: "",
      DELIVERY_RATE_PER_SECOND: String(Math.max(1, RATE - 1)),
    });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const { cookie, csrf } = await signIn(base);

    progress(`confirming a broadcast to ${RECIPIENTS} in the panel (sandbox ${RATE}/s)`);
    const confirmStarted = performance.now();
    const created = await fetch(`${base}/broadcasts`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        _csrf: csrf,
        kind: "all",
        text_it: "<b>Avviso</b> del programma",
        text_en: "<b>Notice</b> from the programme",
        when: "now",
      }).toString(),
    });
    await created.arrayBuffer();
    const confirmMs = performance.now() - confirmStarted;
    const id = Number(/\/broadcasts\/(\d+)/.exec(created.headers.get("location") ?? "")?.[1]);
    if (created.status !== 303 || !id) throw new Error(`broadcast not created (${created.status})`);

    const live = follow(`${base}/broadcasts/${id}/events`, cookie, stop.signal);
    const latencies: number[] = [];
    const pageTimes: number[] = [];
    const deadline = Date.now() + (RECIPIENTS / Math.max(1, RATE - 1)) * 3000 + 60_000;
    let polls = 0;
    for (;;) {
      const begin = performance.now();
      const response = await fetch(`${base}/broadcasts/${id}/progress`, { headers: { cookie } });
      const body = (await response.json()) as { percent: number; finished: boolean; waiting: number };
      latencies.push(performance.now() - begin);
      // The whole page too, every few polls (it counts the same way, plus the layout).
      if (++polls % 8 === 0) {
        const pageBegin = performance.now();
        await (await fetch(`${base}/broadcasts/${id}`, { headers: { cookie } })).arrayBuffer();
        pageTimes.push(performance.now() - pageBegin);
      }
      if (body.finished && body.waiting === 0) break;
      if (Date.now() > deadline) throw new Error(`not finished in time (${body.percent}%)`);
      await sleep(250);
    }
    await Promise.race([live.done, sleep(5000)]);
    const [span] = await sqlOf(db).query<{ recorded: Date; first: Date; last: Date; sent: bigint }>`
      SELECT min("createdAt") AS "recorded", min("sentAt") AS "first", max("sentAt") AS "last",
        count("sentAt") AS "sent"
      FROM "OutboundMessage" WHERE "broadcastId" = ${id}`;
    const confirmedAt = (await db.broadcast.findUniqueOrThrow({ where: { id } })).createdAt;
    const full = live.full();
    const gaps = live.arrivals.slice(1).map((t, i) => t - (live.arrivals[i] as number));
    const seconds = (from?: Date, to?: Date) =>
      from && to ? ((to.getTime() - from.getTime()) / 1000).toFixed(1) : "?";
    const note = `${Number(span?.sent ?? 0)}/${RECIPIENTS} sent at ${RATE}/s, ${latencies.length} polls; fan-out ${seconds(confirmedAt, span?.recorded)} s after confirming, first sent ${seconds(confirmedAt, span?.first)} s, last ${seconds(confirmedAt, span?.last)} s`;
    return [
      {
        name: "broadcast page: progress endpoint during a 2,000 send (median)",
        value: quantile(latencies, 0.5),
        unit: "ms",
        note,
      },
      {
        name: "broadcast page: progress endpoint (95th percentile)",
        value: quantile(latencies, 0.95),
        unit: "ms",
      },
      { name: "broadcast page: progress endpoint (max)", value: Math.max(...latencies), unit: "ms" },
      {
        name: "broadcast page: whole page during the send (median)",
        value: quantile(pageTimes, 0.5),
        unit: "ms",
      },
      { name: "broadcast page: confirm (POST, count and record)", value: confirmMs, unit: "ms" },
      {
        name: "broadcast page: live events, longest gap",
        value: gaps.length ? Math.max(...gaps) : 0,
        unit: "ms",
        note: `${live.arrivals.length} events`,
      },
      {
        name: "broadcast page: live 100% after the last message sent",
        value: full !== null && span?.last ? full - span.last.getTime() : -1,
        unit: "ms",
        note: full === null ? "the stream never said 100%" : "",
      },
    ];
  } finally {
    stop.abort();
    await worker?.stop();
    await app.close();
    for (const queue of [deliveryQueue, broadcastQueue]) {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
    await redis.quit();
    await sandbox.close();
    await db.$disconnect();
    await dropDatabase(databaseUrl);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await benchBroadcastPanel()) {
    console.log(`${r.name}: ${r.value.toFixed(1)} ${r.unit}${r.note ? `  (${r.note})` : ""}`);
  }
}

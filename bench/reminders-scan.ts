// One reminder scan in a process of its own, so its time and peak memory are the scan's alone.
// Run by bench/reminders.ts: DATABASE_URL, QUEUE_PREFIX and BENCH_NOW (ISO) from the environment,
// BENCH_PAGE_SIZE optionally (the scan's page size, to compare); prints one JSON line.
import { fixedClock } from "../core/clock.ts";
import { createDb } from "../core/db/client.ts";
import { createDeliveryQueue } from "../core/queues/delivery.ts";
import { createRedis } from "../core/queues/redis.ts";
import { runReminderScan } from "../core/reminders/scan.ts";

const db = createDb(process.env.DATABASE_URL as string, { poolSize: 4 });
const redis = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const deliveryQueue = createDeliveryQueue(redis, process.env.QUEUE_PREFIX as string);
const clock = fixedClock(new Date(process.env.BENCH_NOW as string));
await db.$connect();
await deliveryQueue.waitUntilReady();

const baseline = process.memoryUsage().rss;
const started = performance.now();
const result = await runReminderScan({
  db,
  clock,
  deliveryQueue,
  quietHours: { startMinute: 21 * 60, endMinute: 8 * 60 },
  ...(process.env.BENCH_PAGE_SIZE ? { pageSize: Number(process.env.BENCH_PAGE_SIZE) } : {}),
});
const ms = performance.now() - started;
// maxRSS: the process's peak resident memory (kB), start-up included.
const peakRssMb = process.resourceUsage().maxRSS / 1024;
console.log(
  JSON.stringify({
    ms,
    recorded: result.recorded,
    byKind: result.byKind,
    peakRssMb,
    baselineRssMb: baseline / 2 ** 20,
  }),
);
await deliveryQueue.close();
await redis.quit();
await db.$disconnect();

// Telegram's "about 30 messages a second" overall, kept by every worker process together: sends are
// spaced evenly, one every 1/rate seconds, never in bursts. A limiter that lets `rate` through per
// fixed window (BullMQ's) can send a window's worth at the end of one second and another at the
// start of the next, twice the limit within one second, which Telegram answers with 429s.
//
// Two steps, each one Lua script on Redis's own clock (so the processes' clocks do not matter),
// atomic across every process:
// 1. reserve: a key holds the earliest moment the next reservation may have (GCRA with no burst);
//    the script hands out that moment and moves it on by one interval. The caller sleeps until then.
//    This queues the senders in order without polling.
// 2. confirm, just before the request leaves: a second key holds the earliest moment of the next
//    actual send (GCRA again, with a quarter interval of slack); the send goes only if that moment
//    has come. A process that stalled (a busy event loop, a slow query) would otherwise fire its late
//    sends together with the next ones on time; confirmed, actual sends are at least 3/4 of an
//    interval apart and any second holds at most `rate` + 1 of them (n sends span at least
//    (n - 1) intervals less the slack). Keep DELIVERY_RATE_PER_SECOND at least one under
//    Telegram's limit (the default 25 is) and no second exceeds it.
// A 429 (hold) moves both moments past retry_after, so sends already reserved wait too.
//
// Why our own script and not a library: rate-limiter-flexible's Redis limiter counts points per
// fixed window (the very bursts to avoid) and Bottleneck, which spaces sends, has had no release
// since 2019. The script is ten lines.
import type { Redis } from "ioredis";

/** Reserves the next moment (µs on Redis's clock) or says how far off it is when too far. */
const RESERVE = `
local now = redis.call('TIME')
local nowUs = tonumber(now[1]) * 1000000 + tonumber(now[2])
local interval = tonumber(ARGV[1])
local at = math.max(nowUs, tonumber(redis.call('GET', KEYS[1]) or '0'))
local wait = at - nowUs
if wait > tonumber(ARGV[2]) then return -wait end
local nextAt = at + interval
redis.call('SET', KEYS[1], string.format('%.0f', nextAt), 'PX', math.ceil((nextAt - nowUs) / 1000) + 1000)
return wait
`;

/**
 * Lets the request leave now (0) if its moment has come, give or take a quarter interval, else says
 * how long to wait. The slack absorbs a timer firing a little late: without it each late wake-up
 * would push every later send back, and the pace would fall below the rate.
 */
const CONFIRM = `
local now = redis.call('TIME')
local nowUs = tonumber(now[1]) * 1000000 + tonumber(now[2])
local interval = tonumber(ARGV[1])
local slack = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat - nowUs > slack then return tat - nowUs - slack end
local nextAt = math.max(tat, nowUs) + interval
redis.call('SET', KEYS[1], string.format('%.0f', nextAt), 'PX', math.ceil((nextAt - nowUs) / 1000) + 1000)
return 0
`;

/** Nothing may be reserved or sent before `ms` from now (Telegram said retry_after). */
const HOLD = `
local now = redis.call('TIME')
local nowUs = tonumber(now[1]) * 1000000 + tonumber(now[2])
local holdUntil = nowUs + tonumber(ARGV[1])
for _, key in ipairs(KEYS) do
  if holdUntil > tonumber(redis.call('GET', key) or '0') then
    redis.call('SET', key, string.format('%.0f', holdUntil), 'PX', math.ceil(tonumber(ARGV[1]) / 1000) + 1000)
  end
end
return 0
`;

export type Pacer = {
  /**
   * Waits for this process's next sending moment and resolves with 0 when it has come; or, without
   * reserving anything, resolves at once with the milliseconds until a moment frees when the next
   * free one is more than `maxWaitMs` away (after a 429, or with more senders than the rate).
   */
  take(): Promise<number>;
  /** No send before `ms` from now, in any process (after Telegram's 429 with retry_after). */
  hold(ms: number): Promise<void>;
};

export type PacerOptions = {
  /** Sends per second across every process. */
  ratePerSecond: number;
  /** The longest a send waits here for its moment (default 2000 ms); past that the job comes back later. */
  maxWaitMs?: number;
};

type PacerCommands = {
  paceReserve(key: string, intervalUs: number, maxWaitUs: number): Promise<number>;
  paceConfirm(key: string, intervalUs: number, slackUs: number): Promise<number>;
  paceHold(reserveKey: string, sendKey: string, holdUs: number): Promise<number>;
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createPacer(connection: Redis, prefix: string, options: PacerOptions): Pacer {
  if (!(options.ratePerSecond > 0)) throw new Error("the pacer needs a rate above 0");
  const reserveKey = `${prefix}:delivery:pace`;
  const sendKey = `${prefix}:delivery:pace:sent`;
  // Rounded up: never a hair faster than the rate.
  const intervalUs = Math.ceil(1_000_000 / options.ratePerSecond);
  const slackUs = Math.floor(intervalUs / 4);
  const maxWaitUs = (options.maxWaitMs ?? 2000) * 1000;
  const redis = connection as Redis & Partial<PacerCommands>;
  if (!redis.paceReserve) redis.defineCommand("paceReserve", { numberOfKeys: 1, lua: RESERVE });
  if (!redis.paceConfirm) redis.defineCommand("paceConfirm", { numberOfKeys: 1, lua: CONFIRM });
  if (!redis.paceHold) redis.defineCommand("paceHold", { numberOfKeys: 2, lua: HOLD });
  const commands = redis as Redis & PacerCommands;
  return {
    async take() {
      const waitUs = Number(await commands.paceReserve(reserveKey, intervalUs, maxWaitUs));
      if (waitUs < 0) return Math.ceil(-waitUs / 1000);
      if (waitUs > 0) await sleep(waitUs / 1000);
      for (;;) {
        const leftUs = Number(await commands.paceConfirm(sendKey, intervalUs, slackUs));
        if (leftUs === 0) return 0;
        // Held after a 429 for longer than a send may wait here: the job comes back later.
        if (leftUs > maxWaitUs) return Math.ceil(leftUs / 1000);
        await sleep(leftUs / 1000);
      }
    },
    async hold(ms) {
      // One interval more, so the slack does not let a send out just before retry_after ends.
      await commands.paceHold(reserveKey, sendKey, Math.round(ms * 1000) + intervalUs);
    },
  };
}

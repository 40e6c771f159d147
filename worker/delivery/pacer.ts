// Telegram's "about 30 messages a second" overall, kept by every worker process together: sends are
// spaced evenly, one every 1/rate seconds, and no sliding second ever holds more than `rate`. A
// limiter that lets `rate` through per fixed window (BullMQ's) can send a window's worth at the end
// of one second and another at the start of the next, twice the limit within one second, which
// Telegram answers with 429s.
//
// Two steps, each one Lua script on Redis's own clock (so the processes' clocks do not matter),
// atomic across every process:
// 1. reserve: a key holds the earliest moment the next reservation may have (GCRA with no burst);
//    the script hands out that moment and moves it on by one interval. The caller sleeps until then.
//    This queues the senders in order, evenly, without polling.
// 2. confirm, once the moment has come: a sorted set logs the actual sends of the last second; a send
//    goes only if that second holds fewer than `rate` and the previous send is half an interval back.
//    The log is the guarantee (no sliding second over `rate`, whatever the timers do); it does not
//    hold a late sender back the way a second GCRA would (each late wake-up there pushed every
//    later send back, and on a busy machine the pace fell 10–15% under the rate), so a sender that
//    woke late catches up at up to twice the pace while the second has room.
// A 429 (hold) moves the reservations past retry_after and holds every confirm until then.
//
// Why our own script and not a library: rate-limiter-flexible's Redis limiter counts points per
// fixed window (the very bursts to avoid) and Bottleneck, which spaces sends, has had no release
// since 2019. The scripts are a few lines each.
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
 * Lets the request leave now (0) if no hold is on, the last second's log holds fewer than the limit,
 * and the previous send is at least the gap back; else says how long to wait (µs). KEYS: the log,
 * the hold. ARGV: window (µs), limit, gap (µs), a member unique to this send.
 */
const CONFIRM = `
local now = redis.call('TIME')
local nowUs = tonumber(now[1]) * 1000000 + tonumber(now[2])
local heldUntil = tonumber(redis.call('GET', KEYS[2]) or '0')
if heldUntil > nowUs then return heldUntil - nowUs end
local windowUs = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowUs - windowUs)
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] and tonumber(last[2]) + tonumber(ARGV[3]) > nowUs then
  return tonumber(last[2]) + tonumber(ARGV[3]) - nowUs
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tonumber(oldest[2]) + windowUs - nowUs + 1
end
redis.call('ZADD', KEYS[1], nowUs, ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(windowUs / 1000) + 1000)
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
   * Waits for this process's next sending moment (reserved, then confirmed against the log) and
   * resolves with 0 when the send may go; or, without reserving anything, resolves at once with the
   * milliseconds until a moment frees when the next free one is more than `maxWaitMs` away (after a
   * 429, or with more senders than the rate).
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
  paceConfirm(
    logKey: string,
    holdKey: string,
    windowUs: number,
    limit: number,
    gapUs: number,
    member: string,
  ): Promise<number>;
  paceHold(reserveKey: string, holdKey: string, holdUs: number): Promise<number>;
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createPacer(connection: Redis, prefix: string, options: PacerOptions): Pacer {
  if (!(options.ratePerSecond > 0)) throw new Error("the pacer needs a rate above 0");
  const reserveKey = `${prefix}:delivery:pace`;
  const logKey = `${prefix}:delivery:pace:log`;
  const holdKey = `${prefix}:delivery:pace:hold`;
  // Rounded up: never a hair faster than the rate.
  const intervalUs = Math.ceil(1_000_000 / options.ratePerSecond);
  // At most `rate` sends in any second: a fractional rate allows its whole part.
  const limit = Math.max(1, Math.floor(options.ratePerSecond));
  const gapUs = Math.floor(intervalUs / 2);
  let sends = 0;
  const maxWaitUs = (options.maxWaitMs ?? 2000) * 1000;
  const redis = connection as Redis & Partial<PacerCommands>;
  if (!redis.paceReserve) redis.defineCommand("paceReserve", { numberOfKeys: 1, lua: RESERVE });
  if (!redis.paceConfirm) redis.defineCommand("paceConfirm", { numberOfKeys: 2, lua: CONFIRM });
  if (!redis.paceHold) redis.defineCommand("paceHold", { numberOfKeys: 2, lua: HOLD });
  const commands = redis as Redis & PacerCommands;
  async function reserve(): Promise<number> {
    const waitUs = Number(await commands.paceReserve(reserveKey, intervalUs, maxWaitUs));
    if (waitUs < 0) return Math.ceil(-waitUs / 1000);
    if (waitUs > 0) await sleep(waitUs / 1000);
    return 0;
  }
  async function confirm(): Promise<number> {
    for (;;) {
      // Unique per send: the process, and a count within it.
      const member = `${process.pid}:${++sends}:${Math.random().toString(36).slice(2, 8)}`;
      const leftUs = Number(await commands.paceConfirm(logKey, holdKey, 1_000_000, limit, gapUs, member));
      if (leftUs === 0) return 0;
      // Held after a 429 for longer than a send may wait here: the job comes back later.
      if (leftUs > maxWaitUs) return Math.ceil(leftUs / 1000);
      await sleep(leftUs / 1000);
    }
  }
  return {
    async take() {
      const later = await reserve();
      return later > 0 ? later : confirm();
    },
    async hold(ms) {
      // One interval more: the first send after the hold is not right on its edge.
      await commands.paceHold(reserveKey, holdKey, Math.round(ms * 1000) + intervalUs);
    },
  };
}

// The tests' Redis clean-up (test/support/redis-keys.ts, used by each file's end and by the run's
// global teardown) deletes every key of one run and nothing else: not another run's, not a running
// demo's. Checked on real BullMQ queues of a made-up run, so this run's own keys stay untouched.
import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queuePrefixesOfThisFile, testQueuePrefix } from "./support/db.ts";
import { deleteKeysStartingWith, runKeyPrefix } from "./support/redis-keys.ts";

let redis: Redis;
/** Keys made here that must survive the clean-up; deleted by this file at the end. */
const survivors: string[] = [];

beforeAll(() => {
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
});

afterAll(async () => {
  if (survivors.length > 0) await redis.unlink(...survivors);
  await redis.quit();
});

/** A queue as the worker makes them: jobs kept after completion, a schedule, events. */
async function fillQueue(prefix: string, name: string, jobs: number): Promise<void> {
  const queue = new Queue(name, { connection: redis, prefix });
  try {
    await queue.addBulk(Array.from({ length: jobs }, (_, i) => ({ name: "job", data: { i } })));
    await queue.upsertJobScheduler("daily", { pattern: "30 3 * * *", tz: "Europe/Rome" });
  } finally {
    await queue.close();
  }
}

async function keysStartingWith(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of redis.scanStream({ match: `${prefix}*`, count: 1000 }) as AsyncIterable<
    string[]
  >) {
    keys.push(...batch);
  }
  return keys;
}

describe("deleting one run's Redis keys", () => {
  it("deletes every key of the run, across scan batches, and leaves other runs and a demo alone", async () => {
    const runId = `cleanup${randomBytes(4).toString("hex")}`;
    const run = runKeyPrefix(runId);
    // Two files of the run, one with many jobs (more keys than one SCAN batch looks at).
    await fillQueue(`${run}aaaaaa`, "delivery", 1500);
    await fillQueue(`${run}bbbbbb`, "reminders", 10);
    await redis.set(`${run}bbbbbb:chat-slot:42`, "1");
    const before = await keysStartingWith(run);
    expect(before.length).toBeGreaterThan(1500);

    // Another run (one whose id starts like this one's too), and a demo on the default prefix.
    const otherRun = runKeyPrefix(`${runId}x`);
    await fillQueue(`${otherRun}cccccc`, "delivery", 3);
    const demoKey = `bussola:cleanup-test-${randomBytes(4).toString("hex")}`;
    await redis.set(demoKey, "demo");
    const others = [...(await keysStartingWith(otherRun)), demoKey];
    survivors.push(...others);

    expect(await deleteKeysStartingWith(redis, run)).toBe(before.length);
    expect(await keysStartingWith(run)).toEqual([]);
    expect(await redis.exists(...others)).toBe(others.length);
  });

  it("takes the prefix literally (glob characters match only themselves) and refuses an empty one", async () => {
    const base = `cleanup-glob-${randomBytes(4).toString("hex")}-`;
    await redis.set(`${base}*:a`, "1");
    await redis.set(`${base}[x]:b`, "1");
    await redis.set(`${base}zz:c`, "1");
    survivors.push(`${base}zz:c`, `${base}[x]:b`);
    expect(await deleteKeysStartingWith(redis, `${base}*`)).toBe(1);
    expect(await deleteKeysStartingWith(redis, `${base}[x]`)).toBe(1);
    survivors.splice(survivors.indexOf(`${base}[x]:b`), 1);
    expect(await redis.exists(`${base}zz:c`)).toBe(1);
    await expect(deleteKeysStartingWith(redis, "")).rejects.toThrow("refusing");
  });

  it("records every queue prefix a file is given, so the file's end deletes their keys", () => {
    const first = testQueuePrefix();
    const second = testQueuePrefix();
    expect(queuePrefixesOfThisFile()).toEqual(expect.arrayContaining([first, second]));
  });
});

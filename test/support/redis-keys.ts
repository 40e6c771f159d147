// The Redis keys a test run makes, and their removal. Every key a test makes starts with its queue
// prefix, and every prefix of a run starts with the run's own (`bussola-test-<runId>-`): deleting
// by that prefix leaves a running demo (`bussola:`) and any other run alone.
import type { Redis } from "ioredis";

/** The start of every queue prefix of one test run. */
export function runKeyPrefix(runId: string): string {
  return `bussola-test-${runId}-`;
}

/** A SCAN pattern that matches `prefix` literally, then anything. */
function startsWith(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`;
}

/**
 * Deletes every key that starts with `prefix`; returns how many. SCAN, never KEYS: Redis keeps
 * answering others (a demo, another run) while this walks the key space.
 */
export async function deleteKeysStartingWith(redis: Redis, prefix: string): Promise<number> {
  if (prefix === "") throw new Error("refusing to delete every key");
  let deleted = 0;
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", startsWith(prefix), "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== "0");
  return deleted;
}

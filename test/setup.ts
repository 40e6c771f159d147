// Runs in every test file before its own code: when the file ends (after its own afterAll hooks,
// which stop its workers and processes first), the Redis keys of every queue prefix it was given
// are deleted, so a long run does not pile them up. The run's global teardown catches the rest.
import { Redis } from "ioredis";
import { afterAll } from "vitest";
import { queuePrefixesOfThisFile } from "./support/db.ts";
import { deleteKeysStartingWith } from "./support/redis-keys.ts";

afterAll(async () => {
  const prefixes = queuePrefixesOfThisFile();
  if (prefixes.length === 0) return;
  const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
  try {
    for (const prefix of prefixes) await deleteKeysStartingWith(redis, `${prefix}:`);
  } finally {
    redis.disconnect();
  }
});

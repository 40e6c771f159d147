// Once per `vitest run`: a migrated template database that each test file clones, and a run id that
// keeps this run's databases and Redis keys apart from other runs and from a running demo.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { applyMigrations, dropDatabase, ensureDatabase } from "../core/db/migrate.ts";
import { deleteKeysStartingWith, runKeyPrefix } from "./support/redis-keys.ts";

const BASE_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
/** Where the tests' queues live (the tests connect to this Redis). */
const REDIS_URL = "redis://127.0.0.1:6379";

declare module "vitest" {
  export interface ProvidedContext {
    runId: string;
    templateDatabaseUrl: string;
  }
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export default async function setup(project: TestProject) {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
  const templateUrl = withDatabase(BASE_URL, `bussola_test_${runId}_template`);
  await ensureDatabase(templateUrl);
  await applyMigrations(templateUrl);
  project.provide("runId", runId);
  project.provide("templateDatabaseUrl", templateUrl);

  return async () => {
    // Drop the template and any database a crashed test file left behind.
    const client = new pg.Client({ connectionString: withDatabase(BASE_URL, "postgres") });
    await client.connect();
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE $1",
      [`bussola_test_${runId}_%`],
    );
    await client.end();
    for (const row of rows) await dropDatabase(withDatabase(BASE_URL, row.datname));
    // And every Redis key of this run: files clean up their own (setup.ts), but a process killed
    // mid-test or a file that crashed may leave some.
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      await deleteKeysStartingWith(redis, runKeyPrefix(runId));
    } finally {
      redis.disconnect();
    }
  };
}

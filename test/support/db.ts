// A fresh, migrated database for one test file, cloned from the run's template (fast).
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { createDb, type Db } from "../../core/db/client.ts";
import { dropDatabase } from "../../core/db/migrate.ts";
import { runKeyPrefix } from "./redis-keys.ts";

export type TestDatabase = { url: string; db: Db; drop(): Promise<void> };

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const templateUrl = inject("templateDatabaseUrl");
  const template = new URL(templateUrl).pathname.slice(1);
  const name = `bussola_test_${inject("runId")}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: withDatabase(templateUrl, "postgres") });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(templateUrl, name);
  const db = createDb(url, { poolSize: 4 });
  return {
    url,
    db,
    async drop() {
      await db.$disconnect();
      await dropDatabase(url);
    },
  };
}

/** The prefixes this test file was given (each file runs in a module context of its own). */
const prefixesOfThisFile = new Set<string>();

/** A Redis key prefix of its own, of this run; its keys are deleted when the file ends (setup.ts). */
export function testQueuePrefix(): string {
  const prefix = `${runKeyPrefix(inject("runId"))}${randomBytes(3).toString("hex")}`;
  prefixesOfThisFile.add(prefix);
  return prefix;
}

export function queuePrefixesOfThisFile(): string[] {
  return [...prefixesOfThisFile];
}

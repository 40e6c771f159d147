// Guards the workarounds in prisma/migration-adapter.ts. The "stock" cases pin down the bugs of
// @prisma/adapter-pg 6.19.3: when an upgrade fixes one, its test fails and the workaround can go.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MigrationPgAdapterFactory } from "../prisma/migration-adapter.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";

const ROOT = join(import.meta.dirname, "..");
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

const query = (sql: string) => ({ sql, args: [], argTypes: [] });
const FUNCTION_SCRIPT = `
  CREATE TABLE guard_a (x int);
  CREATE FUNCTION guard_f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END; $$;
  CREATE TABLE guard_b (y text DEFAULT 'a;b');`;

async function databaseExists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: t.url });
  await client.connect();
  const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
  await client.end();
  return rowCount === 1;
}

describe('bug 1: catalog columns of type name and "char"', () => {
  const sql = "SELECT datname, 'x'::\"char\" AS kind FROM pg_database WHERE datname = current_database()";

  it("stock adapter-pg cannot read them", async () => {
    const adapter = await new PrismaPg({ connectionString: t.url }).connect();
    await expect(adapter.queryRaw(query(sql))).rejects.toThrow(/UnsupportedNativeDataType/);
    await adapter.dispose();
  });

  it("ours reports them as text", async () => {
    const adapter = await new MigrationPgAdapterFactory(t.url).connect();
    const result = await adapter.queryRaw(query(sql));
    expect(result.rows).toEqual([[new URL(t.url).pathname.slice(1), "x"]]);
    expect(result.columnTypes).toHaveLength(2);
    await adapter.dispose();
  });
});

describe("bug 2: the shadow database", () => {
  it("stock adapter-pg connects to the main database instead", async () => {
    const shadow = await new PrismaPg({ connectionString: t.url }).connectToShadowDb();
    const result = await shadow.queryRaw(query("SELECT current_database()::text"));
    expect(result.rows[0]?.[0]).toBe(new URL(t.url).pathname.slice(1));
    await shadow.dispose();
  });

  it("ours connects to a real shadow and drops it on dispose", async () => {
    const shadow = await new MigrationPgAdapterFactory(t.url).connectToShadowDb();
    const result = await shadow.queryRaw(query("SELECT current_database()::text"));
    const name = String(result.rows[0]?.[0]);
    expect(name).toMatch(/^bussola_shadow_/);
    expect(await databaseExists(name)).toBe(true);
    await shadow.dispose();
    expect(await databaseExists(name)).toBe(false);
  });
});

describe("bug 3: whole migration scripts", () => {
  it("stock adapter-pg splits scripts on ';' and breaks function bodies and strings", async () => {
    const adapter = await new PrismaPg({ connectionString: t.url }).connect();
    await expect(adapter.executeScript(FUNCTION_SCRIPT)).rejects.toThrow();
    await adapter.executeScript(
      "DROP TABLE IF EXISTS guard_a; DROP TABLE IF EXISTS guard_b; DROP FUNCTION IF EXISTS guard_f",
    );
    await adapter.dispose();
  });

  it("ours runs parameterless scripts whole through the simple protocol", async () => {
    const adapter = await new MigrationPgAdapterFactory(t.url).connect();
    await adapter.executeScript(FUNCTION_SCRIPT);
    await adapter.executeRaw(query("DROP TABLE guard_a; DROP TABLE guard_b; DROP FUNCTION guard_f();"));
    const left = await adapter.queryRaw(
      query("SELECT count(*)::int FROM pg_tables WHERE tablename LIKE 'guard_%'"),
    );
    expect(left.rows).toEqual([[0]]);
    await adapter.dispose();
  });
});

describe("the Prisma CLI through our adapter", () => {
  const prisma = (args: string[]) =>
    promisify(execFile)(process.execPath, [join(ROOT, "node_modules/prisma/build/index.js"), ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: t.url },
    });

  it("agrees that our runner applied every migration, and the schema has no unmigrated change", async () => {
    const status = await prisma(["migrate", "status"]);
    expect(status.stdout).toMatch(/Database schema is up to date/);
    // Applies all migrations to a shadow database and compares with schema.prisma (exit 2 = drift).
    const diff = await prisma([
      "migrate",
      "diff",
      "--from-migrations",
      "prisma/migrations",
      "--to-schema-datamodel",
      "prisma/schema.prisma",
      "--exit-code",
    ]);
    expect(diff.stdout).toMatch(/No difference detected/);
  }, 60_000);
});

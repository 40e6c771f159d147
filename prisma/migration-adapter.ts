// The driver adapter that prisma.config.ts hands to the Prisma CLI (migrate, db push).
// @prisma/adapter-pg 6.19.3 has three bugs on the migration path; each is worked around here and
// guarded by test/migration-adapter.test.ts, so an upgrade that fixes or changes them is noticed.
//   1. catalog columns of type `name` (oid 19) and `"char"` (oid 18) cannot be deserialized
//      (prisma/orm#27403): they are reported as `text` (oid 25);
//   2. connectToShadowDb ignores the shadow database's name (so the "shadow" is the main database)
//      and drops it before closing its pool: we connect by URL and close before DROP … WITH (FORCE);
//   3. whole migration scripts go through the prepared-statement path, which takes one statement:
//      parameterless SQL runs through the simple query protocol instead.
import { randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

const OID_CHAR = 18;
const OID_NAME = 19;
const OID_TEXT = 25;

type Queryable = Awaited<ReturnType<PrismaPg["connect"]>>;
type Query = Parameters<Queryable["queryRaw"]>[0];
type PoolLike = { query: (config: unknown, values?: unknown) => Promise<pg.QueryResult> };

/** Patches one adapter instance (and the transactions it starts) in place. */
function patchQueryable<T extends Queryable>(queryable: T): T {
  // performIO is internal to adapter-pg; it is the one place both queryRaw and executeRaw go through.
  const target = queryable as unknown as {
    performIO: (query: Query) => Promise<pg.QueryResult>;
    executeRaw: (query: Query) => Promise<number>;
    client: PoolLike;
    startTransaction?: (isolation?: string) => Promise<Queryable>;
    executeScript: (script: string) => Promise<void>;
    /** Converts a pg error into the DriverAdapterError the schema engine understands. */
    onError: (error: unknown) => never;
  };
  const simple = async (sql: string) => {
    try {
      return await simpleQuery(target.client, sql);
    } catch (error) {
      return target.onError(error);
    }
  };
  const performIO = target.performIO.bind(target);
  target.performIO = async (query: Query) => {
    const result = await performIO(query);
    for (const field of result.fields ?? []) {
      if (field.dataTypeID === OID_NAME || field.dataTypeID === OID_CHAR) field.dataTypeID = OID_TEXT;
    }
    return result;
  };
  // Statements without parameters (whole migration scripts among them) take the simple protocol.
  // Only for executeRaw: queryRaw needs adapter-pg's own result parsers, which the simple path skips.
  const executeRaw = target.executeRaw.bind(target);
  target.executeRaw = async (query: Query) =>
    query.args.length === 0 ? ((await simple(query.sql)).rowCount ?? 0) : executeRaw(query);
  // adapter-pg splits scripts on ";", which breaks bodies that contain one; send the script whole.
  target.executeScript = async (script: string) => {
    await simple(script);
  };
  if (target.startTransaction) {
    const start = target.startTransaction.bind(target);
    target.startTransaction = async (isolation?: string) => patchQueryable(await start(isolation));
  }
  return queryable;
}

/** Simple query protocol: several statements allowed, rows as arrays like adapter-pg expects. */
async function simpleQuery(client: PoolLike, sql: string): Promise<pg.QueryResult> {
  const result = (await client.query({ text: sql, rowMode: "array" })) as pg.QueryResult | pg.QueryResult[];
  // A multi-statement text returns one result per statement; the last one is the answer.
  return Array.isArray(result) ? (result.at(-1) as pg.QueryResult) : result;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export class MigrationPgAdapterFactory {
  readonly provider = "postgres" as const;
  readonly adapterName = "@prisma/adapter-pg" as const;
  readonly #url: string;

  constructor(url: string) {
    this.#url = url;
  }

  async connect() {
    // allowExitOnIdle: the CLI never disposes the adapter, and idle clients would hold it open for 10 s.
    return patchQueryable(
      await new PrismaPg({ connectionString: this.#url, allowExitOnIdle: true }).connect(),
    );
  }

  async connectToShadowDb() {
    const database = `bussola_shadow_${randomUUID().replaceAll("-", "")}`;
    await adminQuery(this.#url, `CREATE DATABASE "${database}"`);
    const shadow = new PrismaPg({
      connectionString: withDatabase(this.#url, database),
      allowExitOnIdle: true,
    });
    const adapter = patchQueryable(await shadow.connect());
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await adminQuery(this.#url, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    };
    return adapter;
  }
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

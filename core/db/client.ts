import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/client.ts";

export type Db = PrismaClient;
export type * from "./generated/client.ts";
export { Prisma } from "./generated/client.ts";

/**
 * Interactive transactions (`$transaction(fn)`): how long one may wait for a connection, and how long
 * it may run. Prisma's defaults, 2 s and 5 s, fail it when the machine is busy (every pool connection
 * in use, or a CPU shared with others: the bot bench at load 10 to 15 failed links with P2028 "Unable
 * to start a transaction in the given time"), and the person is told "something went wrong" for what
 * was only slow. The hot path's queries (core/db/sql.ts) wait for a connection as long as it takes; a
 * transaction now waits about as patiently, and a bound remains for one that never ends. A call that
 * needs other bounds passes its own options.
 */
export const TRANSACTION_OPTIONS = { maxWait: 60_000, timeout: 60_000 } as const;

/** Each client's connection pool, shared with the hot-path queries of core/db/sql.ts. */
const pools = new WeakMap<object, pg.Pool>();

export function createDb(databaseUrl: string, options: { poolSize?: number } = {}): Db {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.poolSize ?? 10,
    // No JIT compilation: the dashboard's statements are costed high enough for PostgreSQL to compile
    // them, and compiling took longer than running (2.6 s of a 3.6 s statement at 5,000 households).
    options: "-c jit=off",
  });
  // An idle connection that breaks (a database restart) is dropped by the pool and replaced on demand;
  // without a listener its error would end the process.
  pool.on("error", () => undefined);
  const db = new PrismaClient({
    adapter: new PrismaPg(pool, { disposeExternalPool: true }),
    transactionOptions: TRANSACTION_OPTIONS,
  });
  pools.set(db, pool);
  return db;
}

/** The pool behind a client made by createDb (undefined for any other client, e.g. an extended one). */
export function poolOf(db: Db): pg.Pool | undefined {
  return pools.get(db);
}

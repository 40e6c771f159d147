import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/client.ts";

export type Db = PrismaClient;
export type * from "./generated/client.ts";
export { Prisma } from "./generated/client.ts";

/** Each client's connection pool, shared with the hot-path queries of core/db/sql.ts. */
const pools = new WeakMap<object, pg.Pool>();

export function createDb(databaseUrl: string, options: { poolSize?: number } = {}): Db {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.poolSize ?? 10 });
  // An idle connection that breaks (a database restart) is dropped by the pool and replaced on demand;
  // without a listener its error would end the process.
  pool.on("error", () => undefined);
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(db, pool);
  return db;
}

/** The pool behind a client made by createDb (undefined for any other client, e.g. an extended one). */
export function poolOf(db: Db): pg.Pool | undefined {
  return pools.get(db);
}

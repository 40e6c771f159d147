// The admin-panel benches' set-up: a database of their own next to DATABASE_URL's, migrated, with the
// admin server over it (inject, no listening port), and staff browsers signed in to it; the database is
// dropped at the end, whether the bench finished or failed.
import type { FastifyInstance } from "fastify";
import { createAdminServer } from "../admin/server.ts";
import { systemClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { createDb, type Db } from "../core/db/client.ts";
import { applyMigrations, dropDatabase, ensureDatabase } from "../core/db/migrate.ts";
import { createLogger } from "../core/logger.ts";
import { AdminClient } from "../test/support/admin-client.ts";

export type BenchPanel = {
  db: Db;
  app: FastifyInstance;
  /** A browser signed in as `email` (throws unless the panel answers the log-in with 303). */
  signIn(email: string, password: string): Promise<AdminClient>;
};

/**
 * Runs `work` on database `bussola_bench_<name>_<pid>` (made and migrated first) with the admin server
 * over it, then closes the server and drops the database.
 */
export async function withBenchPanel<T>(name: string, work: (bench: BenchPanel) => Promise<T>): Promise<T> {
  const url = new URL(process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/bussola");
  url.pathname = `/bussola_bench_${name}_${process.pid}`;
  const databaseUrl = url.toString();
  await ensureDatabase(databaseUrl);
  const db = createDb(databaseUrl, { poolSize: 4 });
  const app = createAdminServer({
    config: loadConfig({ DATABASE_URL: databaseUrl }),
    logger: createLogger({ level: "warn" }),
    db,
    clock: systemClock,
    deliveryQueue: undefined,
  });
  const signIn = async (email: string, password: string) => {
    const client = new AdminClient(() => app);
    if ((await client.signIn(email, password)).statusCode !== 303)
      throw new Error(`could not sign in ${email}`);
    return client;
  };
  try {
    await applyMigrations(databaseUrl);
    return await work({ db, app, signIn });
  } finally {
    await app.close();
    await db.$disconnect();
    await dropDatabase(databaseUrl);
  }
}

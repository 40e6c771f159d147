// The database connection of one CLI run, and plain-language hints for the ways it usually fails.
import { loadConfig } from "../core/config.ts";
import { createDb, type Db, poolOf } from "../core/db/client.ts";

const MIGRATE_HINT = "run `npm run db:migrate` first";

/** Opens the database named by DATABASE_URL, runs `work`, and always closes the connection. */
export async function withDatabase<T>(env: NodeJS.ProcessEnv, work: (db: Db) => Promise<T>): Promise<T> {
  const config = loadConfig(env);
  // One command at a time: a small pool is plenty and is closed promptly.
  const db = createDb(config.databaseUrl, { poolSize: 2 });
  try {
    return await work(db);
  } finally {
    await db.$disconnect();
    // Prisma ends the pool only if it used it itself; a command that ran only plain SQL (core/db/sql.ts)
    // would otherwise wait for the pool's idle timeout (10 s) before exiting.
    const pool = poolOf(db);
    if (pool && !pool.ended) await pool.end();
  }
}

type ErrorLike = { code?: unknown; meta?: unknown; message?: unknown };

/** A one-line explanation for database errors an operator can fix, or null for anything else. */
export function explainDatabaseError(error: unknown, env: NodeJS.ProcessEnv): string | null {
  if (typeof error !== "object" || error === null) return null;
  const { code, meta } = error as ErrorLike;
  // A raw query's failure (P2010) carries PostgreSQL's own code inside the driver adapter's error.
  if (code === "P2010") {
    const cause = (meta as { driverAdapterError?: { cause?: { originalCode?: unknown } } } | undefined)
      ?.driverAdapterError?.cause;
    if (cause?.originalCode !== undefined) return explainDatabaseError({ code: cause.originalCode }, env);
  }
  // Prisma's codes (P…) and PostgreSQL's or Node's (from pg, which the migration runner uses).
  switch (code) {
    case "P2021":
    case "42P01":
      return `the database has no tables yet: ${MIGRATE_HINT}`;
    // A function a migration creates (the imports call one before touching any table).
    case "42883":
      return `the database lacks this version's migrations: ${MIGRATE_HINT}`;
    case "P1003":
    case "3D000":
      return `the database does not exist: ${MIGRATE_HINT}`;
    case "P1001":
    case "ECONNREFUSED":
    case "ENOTFOUND":
      return `cannot reach PostgreSQL at ${where(env)}: is it running, and is DATABASE_URL right?`;
    case "P1000":
    case "28P01":
    case "28000":
      return `PostgreSQL refused the login at ${where(env)}: check the user and password in DATABASE_URL`;
    default:
      return null;
  }
}

/** Host and port only: the URL may carry a password. */
function where(env: NodeJS.ProcessEnv): string {
  try {
    const url = new URL(loadConfig(env).databaseUrl);
    return `${url.hostname}:${url.port || "5432"}`;
  } catch {
    return "DATABASE_URL";
  }
}

// One chat's updates one at a time across every bot process (webhook mode behind a load balancer, or
// polling): a PostgreSQL advisory lock per chat, held from before the update's state is read until
// after it is recorded as done. grammY's sequentialize orders a chat's updates inside one process
// only; this orders them between processes. The README (Operations, "Many bot processes") says why
// this and not a versioned session.
//
// The lock is a session-level lock on a connection of a small pool of its own, never the pool the
// handlers query through: an update waiting for its chat holds a lock connection and nothing else,
// so waiting updates can never take the connections the lock holder needs to finish (no deadlock),
// and a process's in-flight chats are bounded by this pool (the rest wait in memory, not in
// PostgreSQL). A process that dies loses its connections, and PostgreSQL releases their locks at once.
//
// Round trips are the hot path's main cost (each one is a socket write and a wake-up on both sides):
// the lock and the statement that reads the update's state go to PostgreSQL in one message, and so do
// the statement that records the update and the unlock. One message of several statements is the
// simple query protocol, without parameters: the statements are prepared once per lock connection
// (PREPARE, so they are planned once) and run with EXECUTE and literals that pg escapes.
import pg from "pg";
import type { Db } from "../core/db/client.ts";
import { poolOf } from "../core/db/client.ts";
import { sqlTypes } from "../core/db/sql.ts";

/** Chats one process works on at the same time (each holds one lock connection meanwhile). */
export const CHAT_LOCK_CONNECTIONS = 16;

/**
 * The first key of the two-key advisory lock space: chat locks never meet the project's other
 * advisory locks, which use the single 64-bit key space (PostgreSQL keeps the two apart).
 */
const CHAT_LOCK_SPACE = 0x42555353; // "BUSS"

/** A value as an SQL literal for EXECUTE: null, a whole number, or a quoted (escaped) string. */
export function literal(value: string | bigint | number | null | undefined): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "string") return pg.escapeLiteral(value);
  const text = value.toString();
  if (!/^-?\d+$/.test(text)) throw new Error("only whole numbers are inlined");
  return text;
}

export type LockedChat = {
  /** The rows of the statement run right after the lock was taken. */
  rows: unknown[];
  /** The rows of each of `also`'s statements, in order; an empty list when they could not run (see `lock`). */
  alsoRows: unknown[][];
  /**
   * Runs `last` (one statement, in a transaction of its own, committed before the lock goes) and
   * releases the lock, in one message. If `last` fails, `otherwise` runs in its place (the same way)
   * and `last`'s error is thrown.
   */
  release(last?: string, otherwise?: string): Promise<void>;
};

export type ChatLocks = {
  /**
   * Waits for the chat's lock, then runs `then` (one statement) on the same connection, and after it
   * the read-only statements of `also`, all in one message. `also` is an extra, never a reason for the
   * lock to fail: if the message fails, it is sent again without them.
   */
  lock(key: string, then: string, also?: readonly string[]): Promise<LockedChat>;
};

/** `prepare`: statements (PREPARE name(types) AS …) every lock connection has, for `then` and `last`. */
export function chatLocks(db: Db, prepare: readonly string[]): ChatLocks {
  const connectionString = poolOf(db)?.options.connectionString;
  const pool = new pg.Pool({
    ...(connectionString === undefined ? {} : { connectionString }),
    max: CHAT_LOCK_CONNECTIONS,
    // Idle lock connections must not keep a stopping process alive (the pool has no owner to end it).
    allowExitOnIdle: true,
  });
  // A lock connection that breaks while idle (a database restart) is replaced on demand.
  pool.on("error", () => undefined);
  // Queued before any query of the new connection: a failure shows in its first update's lock,
  // which then drops the connection.
  pool.on("connect", (client) => {
    client.query(prepare.join(";\n")).catch(() => undefined);
  });

  async function lock(key: string, then: string, also: readonly string[] = []): Promise<LockedChat> {
    const keySql = `${CHAT_LOCK_SPACE}, hashtext(${literal(key)})`;
    const client = await pool.connect();
    let rows: unknown[];
    let alsoRows: unknown[][];
    try {
      // One snapshot per statement: `then` sees what the previous holder of the lock committed.
      const results = (await client.query({
        text: [`SELECT pg_advisory_lock(${keySql})`, then, ...also].join(";\n"),
        types: sqlTypes,
      })) as unknown as pg.QueryResult[];
      rows = results[1]?.rows ?? [];
      alsoRows = also.map((_, i) => results[i + 2]?.rows ?? []);
    } catch (error) {
      // Whether the lock was taken is not known: dropping the connection releases it if it was.
      client.release(error instanceof Error ? error : true);
      // The whole message was rolled back, `then` too: once more without the extras.
      if (also.length > 0) return lock(key, then);
      throw error;
    }
    const unlock = `SELECT pg_advisory_unlock(${keySql})`;
    const inTransaction = (statement: string) => `BEGIN;\n${statement};\nCOMMIT;\n`;
    return {
      rows,
      alsoRows,
      async release(last, otherwise) {
        let failure: unknown;
        if (last !== undefined) {
          try {
            await client.query(`${inTransaction(last)}${unlock}`);
            client.release();
            return;
          } catch (error) {
            failure = error;
          }
        }
        try {
          // After a failed `last` its transaction is aborted: rolled back first.
          const instead = otherwise === undefined ? "" : inTransaction(otherwise);
          await client.query(`${failure === undefined ? "" : "ROLLBACK;\n"}${instead}${unlock}`);
          client.release();
        } catch (error) {
          // Dropping the connection releases the lock on PostgreSQL's side.
          client.release(error instanceof Error ? error : true);
        }
        if (failure !== undefined) throw failure;
      },
    };
  }

  return { lock };
}

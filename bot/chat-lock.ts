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
import type { Context, Middleware } from "grammy";
import pg from "pg";
import type { Db } from "../core/db/client.ts";
import { poolOf } from "../core/db/client.ts";
import type { BotContext } from "./context.ts";

/** Chats one process works on at the same time (each holds one lock connection meanwhile). */
export const CHAT_LOCK_CONNECTIONS = 16;

/**
 * The first key of the two-key advisory lock space: chat locks never meet the project's other
 * advisory locks, which use the single 64-bit key space (PostgreSQL keeps the two apart).
 */
const CHAT_LOCK_SPACE = 0x42555353; // "BUSS"

// Prepared once per lock connection (named statements): two of them run for every update.
const LOCK = "SELECT pg_advisory_lock($1, hashtext($2))";
const UNLOCK = "SELECT pg_advisory_unlock($1, hashtext($2))";

/** The lock key of an update: its chat, or the update itself when it has no chat. */
function lockKey(ctx: Context, chatKey: (ctx: Context) => string | undefined): string {
  return chatKey(ctx) ?? `update:${ctx.update.update_id}`;
}

export function chatLock(db: Db, chatKey: (ctx: Context) => string | undefined): Middleware<BotContext> {
  const connectionString = poolOf(db)?.options.connectionString;
  const pool = new pg.Pool({
    ...(connectionString === undefined ? {} : { connectionString }),
    max: CHAT_LOCK_CONNECTIONS,
    // Idle lock connections must not keep a stopping process alive (the pool has no owner to end it).
    allowExitOnIdle: true,
  });
  // A lock connection that breaks while idle (a database restart) is replaced on demand.
  pool.on("error", () => undefined);

  return async (ctx, next) => {
    const key = lockKey(ctx, chatKey);
    const client = await pool.connect();
    try {
      await client.query({ name: "bussola_chat_lock", text: LOCK, values: [CHAT_LOCK_SPACE, key] });
    } catch (error) {
      client.release(error instanceof Error ? error : true);
      throw error;
    }
    let broken: Error | undefined;
    try {
      await next();
    } finally {
      try {
        await client.query({ name: "bussola_chat_unlock", text: UNLOCK, values: [CHAT_LOCK_SPACE, key] });
      } catch (error) {
        // Dropping the connection releases the lock on PostgreSQL's side.
        broken = error instanceof Error ? error : new Error(String(error));
      }
      client.release(broken ?? false);
    }
  };
}

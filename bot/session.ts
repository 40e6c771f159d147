// grammY sessions kept in PostgreSQL, so multi-step flows survive restarts and span bot processes.
import type { StorageAdapter } from "grammy";
import type { Db, Prisma } from "../core/db/client.ts";
import type { Flow } from "./flows.ts";

export type SessionData = {
  /** Language chosen before the privacy notice was accepted (afterwards it lives on the Member). */
  language?: string;
  /** A code sent before the privacy notice was accepted, used once it is. */
  pendingCode?: string;
  /** The multi-step flow in progress, if any. */
  flow?: Flow;
};

export function initialSession(): SessionData {
  return {};
}

export function prismaSessionStorage(db: Db): StorageAdapter<SessionData> {
  return {
    async read(key) {
      const row = await db.botSession.findUnique({ where: { key } });
      return row ? (row.value as SessionData) : undefined;
    },
    async write(key, value) {
      const json = value as Prisma.InputJsonValue;
      await db.botSession.upsert({ where: { key }, create: { key, value: json }, update: { value: json } });
    },
    async delete(key) {
      await db.botSession.deleteMany({ where: { key } });
    },
  };
}

import type { Context, Middleware } from "grammy";
import type { Db, Household, Member } from "../../core/db/client.ts";
import { sqlOf } from "../../core/db/sql.ts";
import { resolveLanguage, translator } from "../../core/i18n.ts";
import type { Logger } from "../../core/logger.ts";
import type { BotContext } from "../context.ts";
import {
  installSession,
  type SessionChange,
  type SessionData,
  type StoredSession,
  sessionChange,
} from "../session.ts";

type Row = {
  fresh: boolean;
  sessionValue: SessionData | null;
  sessionAt: Date | null;
  id: number | null;
  telegramUserId: bigint;
  chatId: bigint;
  firstName: string | null;
  language: string;
  householdId: number | null;
  linkedAt: Date | null;
  consentAt: Date | null;
  remindersMuted: boolean;
  unreachableAt: Date | null;
  erasureRequestedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  hId: number | null;
  hContractCode: string;
  hName: string;
  hFiscalCode: string;
  hMunicipality: string;
  hAddress: string;
  hPhone: string | null;
  hLanguage: string;
  hCreatedAt: Date;
  hUpdatedAt: Date;
};

type Loaded = {
  fresh: boolean;
  session: { value: SessionData | null; at: Date | null } | null;
  member: (Member & { household: Household | null }) | null;
};

/**
 * One statement, one round trip: claims the update (false when it was handled already), and reads
 * the chat's session and the sender's member record with their household.
 *
 * Runs under the chat's lock (bot/chat-lock.ts), which the process handling an update holds until
 * it is recorded as done or failed: a row still `handling` here was left by a process that died
 * mid-update, so the update is handled again (Telegram delivered it again because it never got its
 * 200). A `failed` one is not: the person was given the generic answer already.
 */
async function load(db: Db, updateId: bigint, key: string | null, userId: bigint | null): Promise<Loaded> {
  const [row] = await sqlOf(db).query<Row>`
    WITH marked AS (
      INSERT INTO "ProcessedUpdate" ("updateId", "at", "status") VALUES (${updateId}, now(), 'handling')
      ON CONFLICT ("updateId") DO UPDATE
        SET "at" = now(), "attempts" = "ProcessedUpdate"."attempts" + 1
        WHERE "ProcessedUpdate"."status" = 'handling'
      RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM marked) AS "fresh",
      -- The claim need not wait for the disk: lost in a database crash, the update is only claimed
      -- again (the handler's own writes, and the "done" below, flush it anyway).
      set_config('synchronous_commit', 'off', true) AS "asyncCommit",
      s."value" AS "sessionValue", s."updatedAt" AS "sessionAt",
      m."id", m."telegramUserId", m."chatId", m."firstName", m."language", m."householdId", m."linkedAt",
      m."consentAt", m."remindersMuted", m."unreachableAt", m."erasureRequestedAt", m."createdAt",
      m."updatedAt",
      h."id" AS "hId", h."contractCode" AS "hContractCode", h."name" AS "hName",
      h."fiscalCode" AS "hFiscalCode", h."municipality" AS "hMunicipality", h."address" AS "hAddress",
      h."phone" AS "hPhone", h."language" AS "hLanguage", h."createdAt" AS "hCreatedAt",
      h."updatedAt" AS "hUpdatedAt"
    FROM (SELECT 1) AS "one"
    LEFT JOIN "BotSession" s ON s."key" = ${key}
    LEFT JOIN "Member" m ON m."telegramUserId" = ${userId}
    LEFT JOIN "Household" h ON h."id" = m."householdId"`;
  if (!row) throw new Error("update state query returned no row");
  const household: Household | null =
    row.hId === null
      ? null
      : {
          id: row.hId,
          contractCode: row.hContractCode,
          name: row.hName,
          fiscalCode: row.hFiscalCode,
          municipality: row.hMunicipality,
          address: row.hAddress,
          phone: row.hPhone,
          language: row.hLanguage,
          createdAt: row.hCreatedAt,
          updatedAt: row.hUpdatedAt,
        };
  const member: (Member & { household: Household | null }) | null =
    row.id === null
      ? null
      : {
          id: row.id,
          telegramUserId: row.telegramUserId,
          chatId: row.chatId,
          firstName: row.firstName,
          language: row.language,
          householdId: row.householdId,
          linkedAt: row.linkedAt,
          consentAt: row.consentAt,
          remindersMuted: row.remindersMuted,
          unreachableAt: row.unreachableAt,
          erasureRequestedAt: row.erasureRequestedAt,
          createdAt: row.createdAt,
          updatedAt: row.updatedAt,
          household,
        };
  return {
    fresh: row.fresh,
    session: row.sessionAt === null ? null : { value: row.sessionValue, at: row.sessionAt },
    member,
  };
}

/**
 * Records the update as done and stores the session's change, in one statement: both or neither, so
 * an update handled again after a crash never meets a session that already moved past it.
 */
async function finish(
  db: Db,
  updateId: bigint,
  key: string | undefined,
  change: SessionChange,
): Promise<void> {
  const sql = sqlOf(db);
  if (change.kind === "write") {
    await sql.execute`
      WITH "session" AS (
        INSERT INTO "BotSession" ("key", "value", "updatedAt") VALUES (${key}, ${change.json}::jsonb, now())
        ON CONFLICT ("key") DO UPDATE SET "value" = EXCLUDED."value", "updatedAt" = EXCLUDED."updatedAt"
      )
      UPDATE "ProcessedUpdate" SET "status" = 'done' WHERE "updateId" = ${updateId}`;
  } else if (change.kind === "delete") {
    await sql.execute`
      WITH "session" AS (DELETE FROM "BotSession" WHERE "key" = ${key})
      UPDATE "ProcessedUpdate" SET "status" = 'done' WHERE "updateId" = ${updateId}`;
  } else {
    // Nothing else to store: a "done" lost in a database crash leaves a row `handling` that nothing
    // needs (Telegram has its 200), so this commit does not wait for the disk either.
    await sql.execute`
      WITH "done" AS (UPDATE "ProcessedUpdate" SET "status" = 'done' WHERE "updateId" = ${updateId} RETURNING 1)
      SELECT set_config('synchronous_commit', 'off', true) FROM "done"`;
  }
}

/**
 * A linked member's Telegram first name, kept current so staff can tell a household's members apart
 * (admin panel, household access). Written only when it changed; not stored again after the member
 * asked for erasure, until they link again (linking stores it).
 */
async function refreshFirstName(
  db: Db,
  member: Loaded["member"],
  firstName: string | undefined,
): Promise<void> {
  if (!member?.householdId || firstName === undefined || member.firstName === firstName) return;
  if (member.erasureRequestedAt && (!member.linkedAt || member.linkedAt <= member.erasureRequestedAt)) return;
  await sqlOf(db).execute`UPDATE "Member" SET "firstName" = ${firstName} WHERE id = ${member.id}`;
  member.firstName = firstName;
}

/**
 * Everything an update needs before the features run, read in one database round trip:
 *
 * - Telegram (and a webhook retry) may deliver the same update twice: each update id is handled to
 *   its end once. It counts as handled only when its handling finished (`done`, with the session), or
 *   failed and the person got the generic answer (`failed`); one whose process died is handled again.
 * - The chat's session (`ctx.session`, as grammY's strict session), stored back after the update only
 *   if it changed; not stored when handling failed.
 * - The sender's member record with its household, and `t` fixed to their language: the member's
 *   choice, else one chosen before the privacy notice was accepted (kept in the session), else
 *   Telegram's.
 *
 * Runs under the chat's lock (after sequentialize, then bot/chat-lock.ts), so one chat's session is
 * never read and written by two updates at once, in any process.
 */
export function prepareUpdate(sessionKey: (ctx: Context) => string | undefined): Middleware<BotContext> {
  return async (ctx, next) => {
    const updateId = BigInt(ctx.update.update_id);
    const { db } = ctx.deps;
    const key = sessionKey(ctx);
    const from = ctx.from;
    const loaded = await load(db, updateId, key ?? null, from ? BigInt(from.id) : null);
    if (!loaded.fresh) {
      ctx.logger.info({ updateId: ctx.update.update_id }, "duplicate update ignored");
      return;
    }
    ctx.updateRecorded = true;
    try {
      const stored: StoredSession | undefined =
        key === undefined
          ? undefined
          : {
              key,
              value: loaded.session?.value ?? null,
              json: loaded.session ? JSON.stringify(loaded.session.value) : null,
              at: loaded.session?.at ?? null,
            };
      const session = installSession(ctx, stored);

      ctx.member = loaded.member;
      await refreshFirstName(db, ctx.member, from?.first_name);
      ctx.language =
        ctx.member?.language ??
        (stored ? ctx.session?.language : undefined) ??
        resolveLanguage(from?.language_code);
      ctx.t = translator(ctx.language);
      // Most updates log nothing: the child logger is made on first use, with the bindings of now.
      const bindings = { updateId: ctx.update.update_id, memberId: ctx.member?.id };
      let logger: Logger | undefined;
      Object.defineProperty(ctx, "logger", {
        enumerable: true,
        configurable: true,
        get: () => {
          logger ??= ctx.deps.logger.child(bindings);
          return logger;
        },
        set: (value: Logger) => {
          logger = value;
        },
      });

      await next(); // on failure the session is not stored
      await finish(db, updateId, key, sessionChange(stored, session.current(), ctx.deps.clock.now()));
    } catch (error) {
      // Recorded as failed (the boundary logs it and gives the generic answer): a redelivery must not
      // tell the person twice. If even this fails the row stays `handling`: handled again if delivered again.
      await sqlOf(db)
        .execute`UPDATE "ProcessedUpdate" SET "status" = 'failed' WHERE "updateId" = ${updateId}`.catch(
        () => undefined,
      );
      throw error;
    }
  };
}

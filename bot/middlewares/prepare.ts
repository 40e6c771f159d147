import type { Context, Middleware } from "grammy";
import type { Db, Household, Member } from "../../core/db/client.ts";
import { sqlOf } from "../../core/db/sql.ts";
import { resolveLanguage, translator } from "../../core/i18n.ts";
import type { Logger } from "../../core/logger.ts";
import { chatLocks, literal } from "../chat-lock.ts";
import type { BotContext } from "../context.ts";
import type { EarlyRead } from "../early-read.ts";
import {
  installSession,
  type SessionChange,
  type SessionData,
  type StoredSession,
  sessionChange,
} from "../session.ts";

/** Member and household come as JSON objects (two columns instead of 23: parsed much faster). */
type Row = {
  fresh: boolean;
  sessionValue: SessionData | null;
  sessionAt: Date | null;
  member: MemberJson | null;
  household: HouseholdJson | null;
};

/** A row as json_build_object gives it: instants as ISO text, bigints as text (exact). */
type Json<T> = {
  [K in keyof T]: T[K] extends Date
    ? string
    : T[K] extends Date | null
      ? string | null
      : T[K] extends bigint
        ? string
        : T[K];
};
type MemberJson = Json<Member>;
type HouseholdJson = Json<Household>;

type Loaded = {
  fresh: boolean;
  session: { value: SessionData | null; at: Date | null } | null;
  member: (Member & { household: Household | null }) | null;
};

// The update's statements, prepared on every chat-lock connection (bot/chat-lock.ts): the claim and
// read goes to PostgreSQL in one message with the chat's lock, the done (or failed) in one message with
// the unlock.
const STATEMENTS = [
  /*
   * Claims the update (false when it was handled already), and reads the chat's session and the
   * sender's member record with their household.
   *
   * Runs under the chat's lock, which the process handling an update holds until it is recorded as
   * done or failed: a row still `handling` here was left by a process that died mid-update, so the
   * update is handled again (Telegram delivered it again because it never got its 200). A `failed`
   * one is not: the person was given the generic answer already.
   */
  `PREPARE bussola_update_state(bigint, text, bigint) AS
    WITH marked AS (
      INSERT INTO "ProcessedUpdate" ("updateId", "at", "status") VALUES ($1, now(), 'handling')
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
      CASE WHEN m."id" IS NOT NULL THEN json_build_object(
        'id', m."id", 'telegramUserId', m."telegramUserId"::text, 'chatId', m."chatId"::text,
        'firstName', m."firstName", 'language', m."language", 'householdId', m."householdId",
        'linkedAt', m."linkedAt", 'consentAt', m."consentAt", 'remindersMuted', m."remindersMuted",
        'unreachableAt', m."unreachableAt", 'erasureRequestedAt', m."erasureRequestedAt",
        'createdAt', m."createdAt", 'updatedAt', m."updatedAt") END AS "member",
      CASE WHEN h."id" IS NOT NULL THEN json_build_object(
        'id', h."id", 'contractCode', h."contractCode", 'name', h."name", 'fiscalCode', h."fiscalCode",
        'municipality', h."municipality", 'address', h."address", 'phone', h."phone",
        'language', h."language", 'officeId', h."officeId", 'caseWorkerId', h."caseWorkerId", 'budgetSharedAt', h."budgetSharedAt",
        'createdAt', h."createdAt", 'updatedAt', h."updatedAt") END AS "household"
    FROM (SELECT 1) AS "one"
    LEFT JOIN "BotSession" s ON s."key" = $2
    LEFT JOIN "Member" m ON m."telegramUserId" = $3
    LEFT JOIN "Household" h ON h."id" = m."householdId"`,
  // Done, and the session's change, in one statement: both or neither, so an update handled again
  // after a crash never meets a session that already moved past it.
  `PREPARE bussola_update_done_write(bigint, text, jsonb) AS
    WITH "session" AS (
      INSERT INTO "BotSession" ("key", "value", "updatedAt") VALUES ($2, $3, now())
      ON CONFLICT ("key") DO UPDATE SET "value" = EXCLUDED."value", "updatedAt" = EXCLUDED."updatedAt"
    )
    UPDATE "ProcessedUpdate" SET "status" = 'done' WHERE "updateId" = $1`,
  `PREPARE bussola_update_done_delete(bigint, text) AS
    WITH "session" AS (DELETE FROM "BotSession" WHERE "key" = $2)
    UPDATE "ProcessedUpdate" SET "status" = 'done' WHERE "updateId" = $1`,
  // Nothing else to store: a "done" lost in a database crash leaves a row `handling` that nothing
  // needs (Telegram has its 200), so this commit does not wait for the disk either.
  `PREPARE bussola_update_done(bigint) AS
    WITH "done" AS (UPDATE "ProcessedUpdate" SET "status" = 'done' WHERE "updateId" = $1 RETURNING 1)
    SELECT set_config('synchronous_commit', 'off', true) FROM "done"`,
  `PREPARE bussola_update_failed(bigint) AS
    UPDATE "ProcessedUpdate" SET "status" = 'failed' WHERE "updateId" = $1`,
];

function loadStatement(updateId: bigint, key: string | null, userId: bigint | null): string {
  return `EXECUTE bussola_update_state(${literal(updateId)}, ${literal(key)}, ${literal(userId)})`;
}

const instant = (text: string): Date => new Date(text);
const maybeInstant = (text: string | null): Date | null => (text === null ? null : new Date(text));

function loaded(row: Row | undefined): Loaded {
  if (!row) throw new Error("update state query returned no row");
  const h = row.household;
  // Field by field, so that a field added to the schema but not to the query fails to compile.
  const household: Household | null =
    h === null
      ? null
      : {
          id: h.id,
          contractCode: h.contractCode,
          name: h.name,
          fiscalCode: h.fiscalCode,
          municipality: h.municipality,
          address: h.address,
          phone: h.phone,
          language: h.language,
          officeId: h.officeId,
          caseWorkerId: h.caseWorkerId,
          budgetSharedAt: maybeInstant(h.budgetSharedAt),
          createdAt: instant(h.createdAt),
          updatedAt: instant(h.updatedAt),
        };
  const m = row.member;
  const member: (Member & { household: Household | null }) | null =
    m === null
      ? null
      : {
          id: m.id,
          telegramUserId: BigInt(m.telegramUserId),
          chatId: BigInt(m.chatId),
          firstName: m.firstName,
          language: m.language,
          householdId: m.householdId,
          linkedAt: maybeInstant(m.linkedAt),
          consentAt: maybeInstant(m.consentAt),
          remindersMuted: m.remindersMuted,
          unreachableAt: maybeInstant(m.unreachableAt),
          erasureRequestedAt: maybeInstant(m.erasureRequestedAt),
          createdAt: instant(m.createdAt),
          updatedAt: instant(m.updatedAt),
          household,
        };
  return {
    fresh: row.fresh,
    session: row.sessionAt === null ? null : { value: row.sessionValue, at: row.sessionAt },
    member,
  };
}

/** The statement that records the update as done with the session's change. */
function doneStatement(updateId: bigint, key: string | undefined, change: SessionChange): string {
  const id = literal(updateId);
  if (change.kind === "write") {
    return `EXECUTE bussola_update_done_write(${id}, ${literal(key)}, ${literal(change.json)})`;
  }
  if (change.kind === "delete") return `EXECUTE bussola_update_done_delete(${id}, ${literal(key)})`;
  return `EXECUTE bussola_update_done(${id})`;
}

const failedStatement = (updateId: bigint) => `EXECUTE bussola_update_failed(${literal(updateId)})`;

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
export function prepareUpdate(
  db: Db,
  sessionKey: (ctx: Context) => string | undefined,
  earlyReads: readonly EarlyRead[] = [],
): Middleware<BotContext> {
  const locks = chatLocks(db, [...STATEMENTS, ...earlyReads.map((read) => read.prepare)]);
  return async (ctx, next) => {
    const updateId = BigInt(ctx.update.update_id);
    const key = sessionKey(ctx);
    const from = ctx.from;
    const early: [EarlyRead, string][] = [];
    for (const read of earlyReads) {
      const statement = read.statementFor(ctx.update);
      if (statement !== undefined) early.push([read, statement]);
    }
    // The lock key: the chat, or the update itself when it has no chat.
    const locked = await locks.lock(
      key ?? `update:${ctx.update.update_id}`,
      loadStatement(updateId, key ?? null, from ? BigInt(from.id) : null),
      early.map(([, statement]) => statement),
    );
    const state = loaded(locked.rows[0] as Row | undefined);
    if (!state.fresh) {
      await locked.release();
      ctx.logger.info({ updateId: ctx.update.update_id }, "duplicate update ignored");
      return;
    }
    ctx.updateRecorded = true;
    // None when the lock had to be taken without them (bot/chat-lock.ts): the handlers read then.
    if (early.length > 0 && locked.alsoRows.length === early.length) {
      ctx.earlyRows = new Map(early.map(([read], i) => [read, locked.alsoRows[i] ?? []]));
    }
    let session: ReturnType<typeof installSession>;
    let stored: StoredSession | undefined;
    try {
      stored =
        key === undefined
          ? undefined
          : {
              key,
              value: state.session?.value ?? null,
              json: state.session ? JSON.stringify(state.session.value) : null,
              at: state.session?.at ?? null,
            };
      session = installSession(ctx, stored);

      ctx.member = state.member;
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
    } catch (error) {
      // Recorded as failed (the boundary logs it and gives the generic answer): a redelivery must not
      // tell the person twice. If even this fails the row stays `handling`: handled again if delivered again.
      await locked.release(failedStatement(updateId)).catch(() => undefined);
      throw error;
    }
    // Done with the session's change, then unlocked; if that fails, recorded as failed instead.
    const change = sessionChange(stored, session.current(), ctx.deps.clock.now());
    await locked.release(doneStatement(updateId, key, change), failedStatement(updateId));
  };
}

// Long polling that loses nothing when the process dies. The grammY runner confirms updates to
// Telegram as it fetches them (each getUpdates' offset confirms the batch before), while they are
// still being handled: a process killed mid-update would lose it, since Telegram never sends a
// confirmed update again. So each batch is kept in PostgreSQL (`PolledUpdate`) before the runner may
// fetch the next one, and deleted once handled; at start-up, what a dead process left there is handled
// first. The update's claim (bot/middlewares/prepare.ts) sorts them out: one finished already is
// dropped, one left `handling` is handled again, as with a webhook delivered again.
//
// An update that failed before it was claimed (the database did not answer) stays in `PolledUpdate`
// and is handled again a little later, as Telegram delivers again a webhook answered 503.
import {
  createConcurrentSink,
  createRunner,
  createSource,
  createUpdateFetcher,
  type RunnerHandle,
} from "@grammyjs/runner";
import { type Bot, BotError } from "grammy";
import type { Update } from "grammy/types";
import type { Db } from "../core/db/client.ts";
import { sqlOf } from "../core/db/sql.ts";
import type { Logger } from "../core/logger.ts";
import { ALLOWED_UPDATES } from "./bot.ts";
import type { BotContext } from "./context.ts";
import { logUpdateFailure, markRedeliverable, UpdateNotRecorded } from "./errors.ts";

/** Handled updates are forgotten in batches, one statement per this many milliseconds at most. */
const FORGET_EVERY_MS = 250;
/** An update that failed before it was claimed is offered again after this long. */
const RETRY_MS = 5_000;
/** At a stop, how long updates in hand may take to finish. */
const STOP_WAIT_MS = 10_000;
/** How long to wait before trying again to keep a batch when the database does not answer. */
const KEEP_RETRY_MS = 1_000;

export type PollingOptions = { db: Db; logger: Logger };

export function pollUpdates(bot: Bot<BotContext>, { db, logger }: PollingOptions): RunnerHandle {
  const sql = sqlOf(db);
  const fetchUpdates = createUpdateFetcher(bot, { fetch: { allowed_updates: [...ALLOWED_UPDATES] } });
  /** A dead process's leftovers, offered before fetching more. */
  const leftovers: Update[] = [];
  let leftoversRead = false;
  const handled: bigint[] = [];
  let forgetting: Promise<void> | undefined;

  async function keep(updates: Update[], signal: { readonly aborted: boolean }): Promise<void> {
    for (;;) {
      try {
        await sql.execute`
          INSERT INTO "PolledUpdate" ("updateId", "update")
          SELECT * FROM unnest(${updates.map((u) => BigInt(u.update_id))}::bigint[],
                               ${updates.map((u) => JSON.stringify(u))}::jsonb[])
          ON CONFLICT ("updateId") DO NOTHING`;
        return;
      } catch (error) {
        // Not returned, the batch is not confirmed to Telegram either: nothing is lost by waiting.
        logger.error({ err: error, updates: updates.length }, "polled updates not kept; trying again");
        if (signal.aborted) throw error;
        await new Promise((resolve) => setTimeout(resolve, KEEP_RETRY_MS));
      }
    }
  }

  async function forget(): Promise<void> {
    const ids = handled.splice(0);
    if (ids.length === 0) return;
    try {
      await sql.execute`DELETE FROM "PolledUpdate" WHERE "updateId" = ANY(${ids}::bigint[])`;
    } catch (error) {
      // Left there, they are offered again at the next start, and their claim drops them.
      logger.warn({ err: error, updates: ids.length }, "handled polled updates not forgotten");
    }
  }

  function scheduleForget(): void {
    forgetting ??= new Promise<void>((resolve) => setTimeout(resolve, FORGET_EVERY_MS))
      .then(forget)
      .finally(() => {
        forgetting = undefined;
        if (handled.length > 0) scheduleForget();
      });
  }

  const source = createSource({
    async supply(batchSize, signal) {
      if (!leftoversRead) {
        const rows = await sql.query<{ update: Update }>`
          SELECT "update" FROM "PolledUpdate" ORDER BY "updateId"`;
        leftoversRead = true;
        if (rows.length > 0) logger.info({ updates: rows.length }, "handling updates a stopped process left");
        leftovers.push(...rows.map((row) => row.update));
      }
      if (leftovers.length > 0) return leftovers.splice(0, batchSize);
      const updates = await fetchUpdates(batchSize, signal);
      if (updates.length > 0) await keep(updates, signal);
      return updates;
    },
  });

  let stopped = false;
  async function handle(update: Update): Promise<void> {
    markRedeliverable(update);
    try {
      await bot.handleUpdate(update);
    } catch (error) {
      if (error instanceof BotError && error.error instanceof UpdateNotRecorded) {
        // Logged by the boundary. Still kept: tried again soon, or at the next start.
        if (!stopped) setTimeout(() => void handle(update), RETRY_MS).unref();
        return;
      }
      if (error instanceof BotError) logUpdateFailure(error.ctx, error.error);
      else logger.error({ updateId: update.update_id, err: error }, "polled update not handled");
    }
    handled.push(BigInt(update.update_id));
    scheduleForget();
  }

  const sink = createConcurrentSink<Update, unknown>({ consume: handle }, async (error) => {
    logger.error({ err: error }, "polled update not handled");
  });

  const runner = createRunner(source, sink);
  runner.start();
  return {
    ...runner,
    async stop() {
      stopped = true;
      await runner.stop();
      // Updates still in hand finish first (or stay kept, for the next start, past the deadline).
      const deadline = Date.now() + STOP_WAIT_MS;
      while (sink.size() > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await forgetting;
      await forget();
    },
  };
}

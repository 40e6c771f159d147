// Staff's texts reach running bots, workers and panels without a restart. Each process checks the
// content's version (the highest ContentVersion id: one index-only read) at most once per
// CONTENT_CHECK_MS, when a bot update or a job that writes household texts begins, and reloads the
// overrides into i18next when it moved (core/i18n.ts setTextOverrides, which also resets the fast
// path's cut texts). Chosen over LISTEN/NOTIFY or Redis pub/sub: no connection to keep open and
// re-subscribe after a drop, nothing missed while one is down, and the same in every process; the
// price is a delay of at most a second and one tiny query a second per busy process.
import type { Db } from "../db/client.ts";
import { setTextOverrides } from "../i18n.ts";

export const CONTENT_CHECK_MS = 1000;

type State = { db: Db; version: number | null; checkedAt: number; pending: Promise<void> | null };
/** One per process: i18next's texts are the process's. A test that changes databases starts over. */
let state: State | null = null;

async function load(current: State): Promise<void> {
  const [row] = await current.db.$queryRaw<{ version: number | null }[]>`
    SELECT max("id") AS "version" FROM "ContentVersion"`;
  const version = row?.version ?? null;
  if (version !== current.version) {
    const overrides = await current.db.contentText.findMany({
      select: { namespace: true, key: true, language: true, text: true },
    });
    if (state === current) {
      setTextOverrides(overrides);
      current.version = version;
    }
  }
}

/**
 * Resolves once this process's texts are at most CONTENT_CHECK_MS old (at once, mostly). A failed
 * check keeps the texts as they were and tries again on the next call after the interval.
 */
export function freshContent(db: Db, now = Date.now()): Promise<void> | undefined {
  if (!state || state.db !== db) state = { db, version: null, checkedAt: 0, pending: null };
  const current = state;
  if (current.pending) return current.pending;
  if (now - current.checkedAt < CONTENT_CHECK_MS) return undefined;
  current.checkedAt = now;
  current.pending = load(current)
    .catch(() => undefined)
    .finally(() => {
      current.pending = null;
    });
  return current.pending;
}

/** Reloads now (after this process changed a text itself). */
export async function reloadContent(db: Db): Promise<void> {
  if (state?.db === db && state.pending) await state.pending;
  if (!state || state.db !== db) state = { db, version: null, checkedAt: 0, pending: null };
  state.checkedAt = 0;
  await freshContent(db);
}

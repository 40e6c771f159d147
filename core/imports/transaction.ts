// What every import shares: one transaction, advisory locks, dry runs, and batching.
import type { Db, Prisma } from "../db/client.ts";
import { refreshResults } from "../results/precompute.ts";
import type { ImportCounts } from "./fields.ts";

export type Tx = Prisma.TransactionClient;

/** Applying a large file is well over Prisma's 5-second default for an interactive transaction. */
export const IMPORT_TRANSACTION_TIMEOUT_MS = 10 * 60_000;
/** Postgres caps the parameters of one statement; lookups and inserts go in slices of this size. */
export const BATCH = 1000;

export function batches<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH) out.push(items.slice(i, i + BATCH));
  return out;
}

export const emptyCounts = (): ImportCounts => ({ created: 0, updated: 0, unchanged: 0 });

/** What the admin panel adds to an import; the command line needs neither. */
export type ImportExtras = {
  /** The uploaded file's name, for the imports' history in the audit log. */
  file?: string | undefined;
  /**
   * Run in the import's transaction before its work: the panel deletes the kept upload here, so a
   * second confirm of the same file finds nothing to apply, and a rejected import keeps it.
   */
  claim?: ((tx: Tx) => Promise<void>) | undefined;
};

/** The file name in the audit entry's details, when there is one. */
export const fileDetail = (extras: ImportExtras): { file?: string } =>
  extras.file === undefined ? {} : { file: extras.file };

/** Thrown out of the transaction to undo it while still handing back a result. */
class Rollback extends Error {
  readonly value: unknown;
  constructor(value: unknown) {
    super("rollback");
    this.value = value;
  }
}

/**
 * Runs an import all-or-nothing in one transaction, holding the named advisory locks, so imports that
 * touch the same records wait for each other instead of racing. `undo(value)` rolls everything back
 * and returns `value` (problems found half-way); with `dryRun` the work is done and rolled back, and
 * its result still returned, so the counts say what a real import would change.
 *
 * The caseload's facts (core/priority/facts.ts) are not refreshed after each of the import's
 * statements, as the triggers otherwise do, but once for every household it touched, at the end of
 * the same transaction: a 100,000-household file refreshed each family twice, in 200 statements. A
 * dry run or an undone import rolls back, so it refreshes nothing.
 */
export async function importTransaction<T>(
  db: Db,
  options: { locks: readonly string[]; dryRun?: boolean | undefined; claim?: ImportExtras["claim"] },
  work: (tx: Tx, undo: (value: T) => never) => Promise<T>,
): Promise<T> {
  try {
    const result = await db.$transaction(
      async (tx) => {
        for (const lock of options.locks)
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${lock}))`;
        await tx.$executeRaw`SELECT "household_facts_defer"()`;
        await options.claim?.(tx);
        const value = await work(tx, (undone) => {
          throw new Rollback(undone);
        });
        if (options.dryRun) throw new Rollback(value);
        await tx.$executeRaw`SELECT "household_facts_flush"()`;
        return value;
      },
      { timeout: IMPORT_TRANSACTION_TIMEOUT_MS, maxWait: 30_000 },
    );
    // The results dashboard's figures of the households it touched, recomputed now rather than by the
    // next page: after a whole programme's payments that is seconds of work. Not awaited, so the import's
    // answer does not wait for it; if it fails or the process ends first, the marks stay and the next
    // page (or import) does it (core/results/precompute.ts).
    void refreshResults(db).catch(() => undefined);
    return result;
  } catch (error) {
    // Only our own Rollback carries a value of T; anything else is a real failure.
    if (error instanceof Rollback) return error.value as T;
    throw error;
  }
}

// The imports' history, read from the audit log: each applied import wrote one entry of counts (and,
// from the admin panel, the file's name). Dry runs are rolled back and leave none.
import type { Db } from "../db/client.ts";
import { IMPORT_KINDS, type ImportKind, importAction } from "./kinds.ts";

export type HistoryCounts = Record<string, Record<string, number>>;

export type ImportHistoryEntry = {
  at: Date;
  kind: ImportKind;
  /** A staff member's e-mail, or the command line's user name. */
  who: { staff: string } | { cli: string | null } | { other: string };
  file: string | null;
  rows: number | null;
  /** Each entity's counts as the import recorded them (created, updated, unchanged…). */
  counts: HistoryCounts;
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function countsOf(details: Record<string, unknown>): HistoryCounts {
  const counts: HistoryCounts = {};
  for (const [entity, value] of Object.entries(details)) {
    if (!isRecord(value)) continue;
    const numbers = Object.entries(value).filter((e): e is [string, number] => typeof e[1] === "number");
    if (numbers.length) counts[entity] = Object.fromEntries(numbers);
  }
  return counts;
}

/** The latest imports, newest first, whoever ran them (panel or command line). */
export async function importHistory(db: Db, limit = 50): Promise<ImportHistoryEntry[]> {
  const byAction = new Map(IMPORT_KINDS.map((kind) => [importAction(kind), kind]));
  const entries = await db.auditLog.findMany({
    where: { action: { in: [...byAction.keys()] } },
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: limit,
  });
  const staffIds = entries
    .filter((e) => e.actorType === "staff" && /^\d{1,9}$/.test(e.actorId ?? ""))
    .map((e) => Number(e.actorId));
  const staff = await db.staff.findMany({
    where: { id: { in: staffIds } },
    select: { id: true, email: true },
  });
  const emails = new Map(staff.map((s) => [String(s.id), s.email]));
  return entries.map((entry) => {
    const details = isRecord(entry.details) ? entry.details : {};
    const who: ImportHistoryEntry["who"] =
      entry.actorType === "staff"
        ? { staff: emails.get(entry.actorId ?? "") ?? `#${entry.actorId}` }
        : entry.actorType === "cli"
          ? { cli: entry.actorId }
          : { other: entry.actorType };
    return {
      at: entry.at,
      kind: byAction.get(entry.action) as ImportKind,
      who,
      file: typeof details.file === "string" ? details.file : null,
      rows: typeof details.rows === "number" ? details.rows : null,
      counts: countsOf(details),
    };
  });
}

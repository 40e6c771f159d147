import type { Db, Prisma } from "./db/client.ts";

export type AuditEntry = {
  actorType: "staff" | "member" | "cli" | "system";
  actorId?: string | number;
  action: string;
  entityType?: string;
  entityId?: string | number;
  /** Ids and counts only: never names, codes, amounts tied to a person's identity, or texts. */
  details?: Prisma.InputJsonValue;
};

type AuditWriter = Pick<Db, "auditLog">;

function row(entry: AuditEntry) {
  return {
    actorType: entry.actorType,
    actorId: entry.actorId === undefined ? null : String(entry.actorId),
    action: entry.action,
    entityType: entry.entityType ?? null,
    entityId: entry.entityId === undefined ? null : String(entry.entityId),
    details: entry.details,
  };
}

export async function audit(db: AuditWriter, entry: AuditEntry): Promise<void> {
  await db.auditLog.create({ data: row(entry) });
}

/** Many entries in one statement (a print run of invitation letters: one per household). */
export async function auditMany(db: AuditWriter, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length > 0) await db.auditLog.createMany({ data: entries.map(row) });
}

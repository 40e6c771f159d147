// Reading the audit log (core/audit.ts writes it), for admins (admin/routes/audit.ts): filters on who, what and when, newest
// first, a page at a time. Entries hold ids and counts only (core/audit.ts), so showing them shows no
// personal data; a staff actor is shown by e-mail, since admins manage the staff.
import type { Db, Prisma } from "../db/client.ts";
import { parseRomeDateTime } from "../time.ts";

export const AUDIT_PAGE_SIZE = 100;

export type AuditFilter = {
  /** An exact action ("case.viewed") or a family ending in a dot ("case."). */
  action?: string;
  /** A staff member's e-mail (exact, any case). */
  staffEmail?: string;
  entityType?: string;
  entityId?: string;
  /** Rome calendar days, both included. */
  from?: Date;
  to?: Date;
};

export type AuditRow = {
  id: number;
  at: Date;
  actorType: string;
  actorId: string | null;
  /** The staff member's e-mail when the actor is staff. */
  staffEmail: string | null;
  action: string;
  entityType: string | null;
  entityId: string | null;
  details: unknown;
};

/** The first instant of a Rome calendar day (a date at UTC midnight, as core/time.ts makes them). */
function romeDayStart(day: Date): Date {
  return parseRomeDateTime(`${day.toISOString().slice(0, 10)}T00:00`) ?? day;
}

export async function readAuditLog(
  db: Db,
  filter: AuditFilter,
  page: number,
): Promise<{ rows: AuditRow[]; total: number; actions: string[] }> {
  const where: Prisma.AuditLogWhereInput[] = [];
  if (filter.action) {
    where.push(
      filter.action.endsWith(".") ? { action: { startsWith: filter.action } } : { action: filter.action },
    );
  }
  if (filter.staffEmail) {
    const staff = await db.staff.findFirst({
      where: { email: { equals: filter.staffEmail, mode: "insensitive" } },
      select: { id: true },
    });
    // An unknown e-mail matches nothing, rather than being ignored.
    where.push({ actorType: "staff", actorId: staff ? String(staff.id) : "-" });
  }
  if (filter.entityType) where.push({ entityType: filter.entityType });
  if (filter.entityId) where.push({ entityId: filter.entityId });
  if (filter.from) where.push({ at: { gte: romeDayStart(filter.from) } });
  if (filter.to) {
    const next = new Date(filter.to.getTime() + 24 * 60 * 60 * 1000);
    where.push({ at: { lt: romeDayStart(next) } });
  }
  const condition: Prisma.AuditLogWhereInput = { AND: where };
  const [total, entries, actions] = await Promise.all([
    db.auditLog.count({ where: condition }),
    db.auditLog.findMany({
      where: condition,
      orderBy: [{ at: "desc" }, { id: "desc" }],
      skip: (page - 1) * AUDIT_PAGE_SIZE,
      take: AUDIT_PAGE_SIZE,
    }),
    db.auditLog.findMany({ distinct: ["action"], select: { action: true }, orderBy: { action: "asc" } }),
  ]);
  const staffIds = [
    ...new Set(entries.flatMap((e) => (e.actorType === "staff" && e.actorId ? [Number(e.actorId)] : []))),
  ].filter(Number.isSafeInteger);
  const staff = await db.staff.findMany({
    where: { id: { in: staffIds } },
    select: { id: true, email: true },
  });
  const emails = new Map(staff.map((s) => [String(s.id), s.email]));
  return {
    total,
    actions: actions.map((a) => a.action),
    rows: entries.map((e) => ({
      id: e.id,
      at: e.at,
      actorType: e.actorType,
      actorId: e.actorId,
      staffEmail: e.actorType === "staff" && e.actorId ? (emails.get(e.actorId) ?? null) : null,
      action: e.action,
      entityType: e.entityType,
      entityId: e.entityId,
      details: e.details,
    })),
  };
}

// /audit: the audit log for admins, filtered by action, staff member, record and days. Coordinators
// and operators get 403: the log says what every colleague did.
import type { FastifyInstance } from "fastify";
import { AUDIT_PAGE_SIZE, type AuditFilter, readAuditLog } from "../../core/audit/log.ts";
import { parseCalendarDate } from "../../core/time.ts";
import { type AdminContext, pageInfo, sendHtml } from "../context.ts";
import { type AuditQuery, auditPage } from "../views/audit.ts";

const FIELD = /^[\p{L}\p{N}._@+-]{1,120}$/u;

/** The query as typed (kept for the form), what of it is usable, and what is not. */
export function auditQuery(query: unknown): {
  typed: AuditQuery;
  filter: AuditFilter;
  page: number;
  bad: string[];
} {
  const raw = (query ?? {}) as Record<string, unknown>;
  const text = (key: string) =>
    typeof raw[key] === "string" ? (raw[key] as string).trim().slice(0, 120) : "";
  const typed: AuditQuery = {
    action: text("action"),
    staff: text("staff"),
    entityType: text("entityType"),
    entityId: text("entityId"),
    from: text("from"),
    to: text("to"),
  };
  const filter: AuditFilter = {};
  const bad: string[] = [];
  for (const [key, target] of [
    ["action", "action"],
    ["staff", "staffEmail"],
    ["entityType", "entityType"],
    ["entityId", "entityId"],
  ] as const) {
    const value = typed[key];
    if (value === "") continue;
    if (FIELD.test(value)) filter[target] = value;
    else bad.push(key);
  }
  for (const key of ["from", "to"] as const) {
    if (typed[key] === "") continue;
    const day = parseCalendarDate(typed[key]);
    if (day) filter[key] = day;
    else bad.push(key);
  }
  const pageNumber = typeof raw.page === "string" && /^\d{1,6}$/.test(raw.page) ? Number(raw.page) : 1;
  return { typed, filter, page: Math.max(1, pageNumber), bad };
}

export function auditRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { db, auth } = ctx;
  const demo = ctx.demo !== undefined;

  app.get("/audit", { preHandler: auth.requireRole("admin") }, async (request, reply) => {
    const { typed, filter, page, bad } = auditQuery(request.query);
    // A filter that cannot be read shows nothing rather than everything.
    const result =
      bad.length > 0 ? { rows: [], total: 0, actions: [] as string[] } : await readAuditLog(db, filter, page);
    const pageCount = Math.max(1, Math.ceil(result.total / AUDIT_PAGE_SIZE));
    return sendHtml(
      reply,
      auditPage(pageInfo(request, demo), {
        query: typed,
        bad,
        ...result,
        page: Math.min(page, pageCount),
        pageCount,
      }),
      bad.length > 0 ? 400 : 200,
    );
  });
}

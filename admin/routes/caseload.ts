// /caseload: who needs help first (core/priority/). Every role; each sees the households of their own
// scope (core/offices/scope.ts). Filters arrive as a plain GET form: a value that is not one of the
// form's choices answers 400 with what is wrong, lists nothing and records nothing.
import type { FastifyInstance } from "fastify";
import { audit } from "../../core/audit.ts";
import type { Db } from "../../core/db/client.ts";
import { listOffices } from "../../core/offices/offices.ts";
import type { StaffScope } from "../../core/offices/scope.ts";
import { type CaseloadFilters, rankedCaseload } from "../../core/priority/caseload.ts";
import { isReason } from "../../core/priority/rules.ts";
import { sessionOf } from "../auth.ts";
import { type AdminContext, pageInfo, sendHtml } from "../context.ts";
import { caseloadPage, type FilterProblem } from "../views/caseload.ts";

const ID = /^[1-9]\d{0,8}$/;

type Raw = Record<string, unknown>;

/** A query parameter as the form sends it: missing or empty is "no filter"; repeated is not valid. */
function field(raw: Raw, name: string): string | null | undefined {
  const value = raw[name];
  if (value === undefined || value === "") return null;
  return typeof value === "string" ? value : undefined;
}

/** The operators who may follow the households this person sees: the choices of the worker filter. */
async function workerChoices(db: Db, scope: StaffScope): Promise<{ id: number; label: string }[]> {
  if (scope.role !== "admin" && scope.officeId === null) return [];
  const staff = await db.staff.findMany({
    where: { role: "operator", ...(scope.role === "admin" ? {} : { officeId: scope.officeId }) },
    select: { id: true, firstName: true, email: true },
    orderBy: [{ firstName: "asc" }, { email: "asc" }],
  });
  return staff.map((s) => ({ id: s.id, label: s.firstName ?? s.email }));
}

type Parsed = { filters: CaseloadFilters; page: number } | { problem: FilterProblem };

function parse(
  raw: Raw,
  scope: StaffScope,
  offices: { id: number }[] | null,
  workers: { id: number }[],
): Parsed {
  const office = field(raw, "office");
  const worker = field(raw, "worker");
  const reason = field(raw, "reason");
  const pageText = field(raw, "page");
  const page = typeof pageText === "string" && /^\d{1,6}$/.test(pageText) ? Math.max(1, Number(pageText)) : 1;

  let officeFilter: CaseloadFilters["office"] = null;
  if (office === undefined) return { problem: "office" };
  if (office !== null) {
    if (!offices) {
      // Not an admin: only their own office, which is what they see anyway.
      if (!(ID.test(office) && Number(office) === scope.officeId)) return { problem: "office" };
    } else if (office === "none") officeFilter = "none";
    else if (ID.test(office) && offices.some((o) => o.id === Number(office))) officeFilter = Number(office);
    else return { problem: "office" };
  }

  let workerFilter: CaseloadFilters["worker"] = null;
  if (worker === undefined) return { problem: "worker" };
  if (worker === "unassigned") workerFilter = "unassigned";
  else if (worker !== null) {
    if (!(ID.test(worker) && workers.some((w) => w.id === Number(worker)))) return { problem: "worker" };
    workerFilter = Number(worker);
  }

  if (reason === undefined || (reason !== null && !isReason(reason))) return { problem: "reason" };
  return { filters: { office: officeFilter, worker: workerFilter, reason }, page };
}

export function caseloadRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { db, clock, auth } = ctx;
  const demo = ctx.demo !== undefined;

  app.get("/caseload", { preHandler: auth.requireRole() }, async (request, reply) => {
    const session = sessionOf(request);
    const scope: StaffScope = { staffId: session.staffId, role: session.role, officeId: session.officeId };
    const raw = (request.query ?? {}) as Raw;
    const offices = scope.role === "admin" ? await listOffices(db) : null;
    const workers = await workerChoices(db, scope);
    const parsed = parse(raw, scope, offices, workers);
    const page = pageInfo(request, demo);
    if ("problem" in parsed) {
      return sendHtml(
        reply,
        caseloadPage(page, {
          caseload: null,
          problem: parsed.problem,
          filters: { office: null, worker: null, reason: null },
          offices,
          workers,
        }),
        400,
      );
    }
    const caseload = await rankedCaseload(db, clock, scope, parsed.filters, parsed.page);
    await audit(db, {
      actorType: "staff",
      actorId: scope.staffId,
      action: "caseload.viewed",
      details: {
        page: caseload.page,
        householdIds: caseload.rows.map((r) => r.householdId),
        officeId: typeof parsed.filters.office === "number" ? parsed.filters.office : null,
        caseWorkerId: typeof parsed.filters.worker === "number" ? parsed.filters.worker : null,
        reason: parsed.filters.reason,
      },
    });
    return sendHtml(reply, caseloadPage(page, { caseload, filters: parsed.filters, offices, workers }));
  });
}

// A family's page, the reason an operator gives to open a colleague's family, and assigning the
// case worker. Who may open what is decided in core/offices/scope.ts; every view is audited.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { audit } from "../../core/audit.ts";
import { budgetSummary, currentMonth } from "../../core/budget.ts";
import { householdAttendance } from "../../core/courses/attendance.ts";
import { arrearsNowOf, planOverview } from "../../core/debt.ts";
import { householdChecklist } from "../../core/documents.ts";
import { householdCheckups } from "../../core/household-file/checkups.ts";
import { setDocumentStatusByStaff } from "../../core/household-file/documents.ts";
import { householdHistory } from "../../core/household-file/history.ts";
import {
  addHouseholdNote,
  householdNotes,
  MAX_HOUSEHOLD_NOTE_LENGTH,
} from "../../core/household-file/notes.ts";
import { assignCaseWorker, grantCover, officeOperators } from "../../core/offices/caseload.ts";
import { householdOpening } from "../../core/offices/scope.ts";
import { romeToday } from "../../core/time.ts";
import { sessionOf } from "../auth.ts";
import { type AdminContext, idOf, pageInfo, sendHtml, sendNotFound } from "../context.ts";
import {
  coverPage,
  type HouseholdFile,
  type HouseholdPageView,
  householdPage,
  STAFF_DOCUMENT_STATUSES,
} from "../views/household.ts";

const CASES_SHOWN = 20;

export function householdPageRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { db, clock, auth } = ctx;
  const demo = ctx.demo !== undefined;
  const notFound = (request: FastifyRequest, reply: FastifyReply) => sendNotFound(request, reply, demo);

  async function loadFile(
    householdId: number,
  ): Promise<(HouseholdFile & { officeId: number | null }) | null> {
    const h = await db.household.findUnique({
      where: { id: householdId },
      select: {
        id: true,
        contractCode: true,
        name: true,
        municipality: true,
        address: true,
        phone: true,
        language: true,
        budgetSharedAt: true,
        officeId: true,
        office: { select: { code: true, name: true } },
        caseWorker: { select: { id: true, email: true, firstName: true } },
        members: {
          where: { linkedAt: { not: null } },
          orderBy: { linkedAt: "asc" },
          select: {
            id: true,
            firstName: true,
            language: true,
            linkedAt: true,
            unreachableAt: true,
            remindersMuted: true,
          },
        },
        cases: {
          orderBy: { openedAt: "desc" },
          take: CASES_SHOWN,
          select: { id: true, topic: true, status: true, urgent: true, openedAt: true },
        },
      },
    });
    if (!h) return null;
    // The budget only when the family chose to show it (/privacy); its notes never.
    const budget = h.budgetSharedAt
      ? {
          sharedAt: h.budgetSharedAt,
          summary: await budgetSummary(db, clock, h.id, currentMonth(clock), "it"),
        }
      : null;
    const [arrears, plan, documents, history, notes, checkups, attendance] = await Promise.all([
      arrearsNowOf(db, [h.id]),
      planOverview(db, h.id, romeToday(clock.now())),
      householdChecklist(db, h.id, clock),
      householdHistory(db, h.id, clock.now()),
      householdNotes(db, h.id),
      householdCheckups(db, h.id),
      householdAttendance(db, h.id),
    ]);
    return {
      ...h,
      members: h.members.map((m) => ({
        id: m.id,
        firstName: m.firstName,
        language: m.language,
        linkedAt: m.linkedAt ?? new Date(0),
        unreachable: m.unreachableAt !== null,
        remindersMuted: m.remindersMuted,
      })),
      arrears: arrears.get(h.id) ?? null,
      plan,
      documents,
      history,
      budget,
      notes,
      checkups,
      attendance,
    };
  }

  /** The form where an operator states why they open a colleague's family. */
  async function showCover(
    request: FastifyRequest,
    reply: FastifyReply,
    householdId: number,
    form: { reason: string; tooShort: boolean },
    status = 200,
  ) {
    const household = await db.household.findUniqueOrThrow({
      where: { id: householdId },
      select: { contractCode: true, caseWorker: { select: { id: true, email: true, firstName: true } } },
    });
    return sendHtml(
      reply,
      coverPage(pageInfo(request, demo), {
        householdId,
        contractCode: household.contractCode,
        caseWorker: household.caseWorker,
        csrfToken: sessionOf(request).csrfToken,
        ...form,
      }),
      status,
    );
  }

  async function showHousehold(
    request: FastifyRequest,
    reply: FastifyReply,
    householdId: number,
    extra: Pick<HouseholdPageView, "notice" | "problem" | "noteDraft"> = {},
    status = 200,
  ) {
    const session = sessionOf(request);
    const opening = await householdOpening(db, clock, session, householdId);
    if (opening.kind === "hidden") return notFound(request, reply);
    if (opening.kind === "needsCover")
      return showCover(request, reply, householdId, { reason: "", tooShort: false });
    const file = await loadFile(householdId);
    if (!file) return notFound(request, reply);
    // Who opened a household's record is the household's to know (its /privacy export).
    await audit(db, {
      actorType: "staff",
      actorId: session.staffId,
      action: "household.viewed",
      entityType: "household",
      entityId: householdId,
      ...(opening.covering ? { details: { covering: true } } : {}),
    });
    const operators =
      session.role !== "operator" && file.officeId !== null ? await officeOperators(db, file.officeId) : null;
    return sendHtml(
      reply,
      householdPage(pageInfo(request, demo), {
        file,
        csrfToken: session.csrfToken,
        covering: opening.covering,
        operators,
        ...extra,
      }),
      status,
    );
  }

  app.get("/households/:id", { preHandler: auth.requireRole() }, async (request, reply) => {
    const householdId = idOf((request.params as { id?: string }).id);
    if (householdId === null) return notFound(request, reply);
    const raw = (request.query ?? {}) as Record<string, unknown>;
    const notice =
      raw.notice === "assigned" || raw.notice === "unchanged" || raw.notice === "document"
        ? raw.notice
        : undefined;
    return showHousehold(request, reply, householdId, notice ? { notice } : {});
  });

  // A paper received, verified, requested or missing: whoever may open the page may say so.
  app.post("/households/:id/documents/:key", { preHandler: auth.requireRole() }, async (request, reply) => {
    const params = request.params as { id?: string; key?: string };
    const householdId = idOf(params.id);
    if (householdId === null) return notFound(request, reply);
    const session = sessionOf(request);
    const opening = await householdOpening(db, clock, session, householdId);
    if (opening.kind !== "open") return notFound(request, reply);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const status = STAFF_DOCUMENT_STATUSES.find((s) => s === body.status);
    const key = typeof params.key === "string" && /^[a-z0-9_]{1,40}$/.test(params.key) ? params.key : null;
    if (!status || key === null) return notFound(request, reply);
    const result = await setDocumentStatusByStaff(db, { householdId, key, status, staffId: session.staffId });
    if (result === "unknown_document") return notFound(request, reply);
    return reply.redirect(
      `/households/${householdId}?notice=${result === "saved" ? "document" : "unchanged"}#documents`,
      303,
    );
  });

  // A private note on the family: whoever may open the page may write one.
  app.post("/households/:id/notes", { preHandler: auth.requireRole() }, async (request, reply) => {
    const householdId = idOf((request.params as { id?: string }).id);
    if (householdId === null) return notFound(request, reply);
    const session = sessionOf(request);
    const opening = await householdOpening(db, clock, session, householdId);
    if (opening.kind !== "open") return notFound(request, reply);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const text = typeof body.text === "string" ? body.text : "";
    const result = await addHouseholdNote(db, { householdId, staffId: session.staffId, text });
    if (result.kind !== "added") {
      return showHousehold(
        request,
        reply,
        householdId,
        {
          problem: result.kind === "empty" ? "noteEmpty" : "noteTooLong",
          noteDraft: text.slice(0, MAX_HOUSEHOLD_NOTE_LENGTH + 100),
        },
        400,
      );
    }
    return reply.redirect(`/households/${householdId}?notice=note#notes`, 303);
  });

  app.post("/households/:id/cover", { preHandler: auth.requireRole("operator") }, async (request, reply) => {
    const householdId = idOf((request.params as { id?: string }).id);
    if (householdId === null) return notFound(request, reply);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const reason = typeof body.reason === "string" ? body.reason : "";
    const session = sessionOf(request);
    const result = await grantCover(db, clock, session, { householdId, reason });
    if (result.kind === "not_found") return notFound(request, reply);
    if (result.kind === "reason_too_short") {
      return showCover(request, reply, householdId, { reason: reason.slice(0, 500), tooShort: true }, 400);
    }
    return reply.redirect(`/households/${householdId}`, 303);
  });

  app.post(
    "/households/:id/case-worker",
    { preHandler: auth.requireRole("coordinator", "admin") },
    async (request, reply) => {
      const householdId = idOf((request.params as { id?: string }).id);
      if (householdId === null) return notFound(request, reply);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const raw = typeof body.caseWorker === "string" ? body.caseWorker : "";
      const caseWorkerId = raw === "" ? null : idOf(raw);
      if (raw !== "" && caseWorkerId === null) {
        return showHousehold(request, reply, householdId, { problem: "notAnOperator" }, 400);
      }
      const result = await assignCaseWorker(db, sessionOf(request), { householdId, caseWorkerId });
      if (result === "not_found") return notFound(request, reply);
      if (result === "not_an_operator_of_the_office") {
        return showHousehold(request, reply, householdId, { problem: "notAnOperator" }, 400);
      }
      return reply.redirect(`/households/${householdId}?notice=${result}`, 303);
    },
  );
}

// The households list: search by contract code or name, 50 a page.
import type { FastifyInstance } from "fastify";
import type { Prisma } from "../../core/db/client.ts";
import { arrearsNowOf } from "../../core/debt.ts";
import { visibleHouseholds } from "../../core/offices/scope.ts";
import { sessionOf } from "../auth.ts";
import { type AdminContext, pageInfo, sendHtml } from "../context.ts";
import { householdsPage } from "../views/households.ts";

export const PAGE_SIZE = 50;
const MAX_QUERY_LENGTH = 100;

/** Whose families: the signed-in operator's ("mine"), nobody's yet ("none"), or everyone's. */
export type WorkerFilter = "mine" | "none" | "all";

/**
 * ?q= as typed (trimmed, bounded), ?page= as a whole number from 1, ?unreachable=1 for only the
 * households with a member Telegram no longer delivers to (any other value: all households), and
 * ?worker=mine|none (anything else: all).
 */
export function listQuery(query: unknown): {
  q: string;
  page: number;
  unreachable: boolean;
  worker: WorkerFilter;
} {
  const raw = (query ?? {}) as Record<string, unknown>;
  const q = typeof raw.q === "string" ? raw.q.trim().slice(0, MAX_QUERY_LENGTH) : "";
  const pageNumber = typeof raw.page === "string" && /^\d{1,6}$/.test(raw.page) ? Number(raw.page) : 1;
  const worker: WorkerFilter = raw.worker === "mine" || raw.worker === "none" ? raw.worker : "all";
  return { q, page: Math.max(1, pageNumber), unreachable: raw.unreachable === "1", worker };
}

/** Linked members who blocked the bot or deleted their account (Telegram answered 403). */
const UNREACHABLE_MEMBER = { linkedAt: { not: null }, unreachableAt: { not: null } } as const;

export function householdSearch(q: string): Prisma.HouseholdWhereInput {
  if (q === "") return {};
  return {
    OR: [
      { contractCode: { contains: q, mode: "insensitive" } },
      { name: { contains: q, mode: "insensitive" } },
    ],
  };
}

export function householdRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { db, auth } = ctx;

  app.get("/households", { preHandler: auth.requireRole() }, async (request, reply) => {
    const { q, page, unreachable, worker } = listQuery(request.query);
    const session = sessionOf(request);
    const where: Prisma.HouseholdWhereInput = {
      AND: [
        visibleHouseholds(session),
        householdSearch(q),
        unreachable ? { members: { some: UNREACHABLE_MEMBER } } : {},
        worker === "mine"
          ? { caseWorkerId: session.staffId }
          : worker === "none"
            ? { caseWorkerId: null }
            : {},
      ],
    };
    const total = await db.household.count({ where });
    const pageCount = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const current = Math.min(page, pageCount);
    const households = await db.household.findMany({
      where,
      orderBy: { contractCode: "asc" },
      skip: (current - 1) * PAGE_SIZE,
      take: PAGE_SIZE,
      // Only what the list shows: fiscal code, phone and address are not even read.
      select: {
        contractCode: true,
        name: true,
        municipality: true,
        _count: { select: { members: { where: { linkedAt: { not: null } } } } },
        caseWorker: { select: { id: true, email: true, firstName: true } },
        id: true,
      },
    });
    // Prisma counts one relation once per select, so the unreachable ones come in a second query.
    const unreachableCounts = await db.member.groupBy({
      by: ["householdId"],
      where: { householdId: { in: households.map((h) => h.id) }, ...UNREACHABLE_MEMBER },
      _count: { _all: true },
    });
    const unreachableOf = new Map(unreachableCounts.map((c) => [c.householdId, c._count._all]));
    // The same figure, worked out the same way, as the household reads with /balance.
    const arrears = await arrearsNowOf(
      db,
      households.map((h) => h.id),
    );
    const rows = households.map((h) => ({
      id: h.id,
      contractCode: h.contractCode,
      name: h.name,
      municipality: h.municipality,
      caseWorker: h.caseWorker,
      arrears: arrears.get(h.id) ?? null,
      linkedMembers: h._count.members,
      unreachableMembers: unreachableOf.get(h.id) ?? 0,
    }));
    return sendHtml(
      reply,
      householdsPage(pageInfo(request, ctx.demo !== undefined), {
        rows,
        query: q,
        unreachable,
        worker,
        page: current,
        pageCount,
        total,
      }),
    );
  });
}

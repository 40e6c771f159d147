// Invitation letters for a selection of households: a fresh link code for each (core/linking.ts:
// same alphabet, expiry and hashing as the command line's, and the household's older unused code is
// voided), then one PDF with a page each. The codes exist in clear only in that PDF: they are not
// logged, audited or returned anywhere else.
import { audit, auditMany } from "../audit.ts";
import type { Clock } from "../clock.ts";
import type { Db, Prisma } from "../db/client.ts";
import { type IssuedCode, issueLinkCodesFor } from "../linking.ts";
import { type StaffScope, visibleHouseholds } from "../offices/scope.ts";
import { type InvitationLetter, type LetterOptions, renderInvitations } from "./pdf.ts";

/** The most letters one request prints (about 2,000 pages): a larger selection is refused, not cut. */
export const MAX_INVITATIONS = 2000;

export type InvitationSelection =
  /** Every visible household of a municipality (null: all municipalities), optionally only those with no linked member. */
  | { kind: "batch"; municipality: string | null; onlyUnlinked: boolean }
  | { kind: "one"; householdId: number };

export type InvitationResult =
  | { status: "ready"; pdf: Buffer; count: number }
  /** Nothing matches (or, for one household, it is not there or not visible): nothing issued. */
  | { status: "empty" }
  | { status: "tooMany"; count: number };

/** Households whose codes are issued in one transaction. */
const CHUNK = 500;

/** No member of the household is linked in Telegram. */
const NOBODY_LINKED: Prisma.HouseholdWhereInput = { members: { none: { linkedAt: { not: null } } } };

function whereOf(scope: StaffScope, selection: InvitationSelection): Prisma.HouseholdWhereInput {
  const visible = visibleHouseholds(scope);
  if (selection.kind === "one") return { AND: [{ id: selection.householdId }, visible] };
  return {
    AND: [
      visible,
      selection.municipality === null ? {} : { municipality: selection.municipality },
      selection.onlyUnlinked ? NOBODY_LINKED : {},
    ],
  };
}

/** The municipalities of the households this person sees, with how many households (and unlinked ones) each. */
export async function invitationMunicipalities(
  db: Db,
  scope: StaffScope,
): Promise<{ municipality: string; households: number; unlinked: number }[]> {
  const visible = visibleHouseholds(scope);
  const [all, unlinked] = await Promise.all([
    db.household.groupBy({ by: ["municipality"], where: visible, _count: { _all: true } }),
    db.household.groupBy({
      by: ["municipality"],
      where: { AND: [visible, NOBODY_LINKED] },
      _count: { _all: true },
    }),
  ]);
  const unlinkedOf = new Map(unlinked.map((u) => [u.municipality, u._count._all]));
  return all
    .map((m) => ({
      municipality: m.municipality,
      households: m._count._all,
      unlinked: unlinkedOf.get(m.municipality) ?? 0,
    }))
    .sort((a, b) => a.municipality.localeCompare(b.municipality, "it"));
}

/** How many households a selection names (for the page's figures): no code is issued. */
export async function countInvitations(
  db: Db,
  scope: StaffScope,
  selection: InvitationSelection,
): Promise<number> {
  return db.household.count({ where: whereOf(scope, selection) });
}

/**
 * Issues a code for each household of the selection this staff member may see and renders the
 * letters. The audit log gets one entry per household (the code's id is not even there: only that one
 * was issued, by whom) and one for the print run (counts only).
 */
export async function issueInvitations(
  deps: { db: Db; clock: Clock },
  scope: StaffScope,
  selection: InvitationSelection,
  options: LetterOptions,
): Promise<InvitationResult> {
  const { db, clock } = deps;
  const where = whereOf(scope, selection);
  const count = await db.household.count({ where });
  if (count === 0) return { status: "empty" };
  if (count > MAX_INVITATIONS) return { status: "tooMany", count };
  const households = await db.household.findMany({
    where,
    orderBy: [{ municipality: "asc" }, { address: "asc" }, { contractCode: "asc" }],
    take: MAX_INVITATIONS,
    select: { id: true, contractCode: true, name: true, address: true, municipality: true, language: true },
  });
  const letters: InvitationLetter[] = [];
  let voided = 0;
  for (let start = 0; start < households.length; start += CHUNK) {
    const chunk = households.slice(start, start + CHUNK);
    const issued = await issueLinkCodesFor(
      db,
      chunk.map((h) => h.id),
      clock,
      (tx, codes) =>
        auditMany(
          tx,
          codes.map((c) => ({
            actorType: "staff",
            actorId: scope.staffId,
            action: "linkcode.issued",
            entityType: "household",
            entityId: c.householdId,
            details: { olderVoided: c.voided, invitation: true },
          })),
        ),
    );
    chunk.forEach((household, i) => {
      const code = issued[i] as IssuedCode;
      voided += code.voided;
      letters.push({ ...household, householdId: household.id, code: code.code, expiresAt: code.expiresAt });
    });
  }
  const pdf = await renderInvitations(letters, options);
  await audit(db, {
    actorType: "staff",
    actorId: scope.staffId,
    action: "invitations.printed",
    ...(selection.kind === "one" ? { entityType: "household", entityId: selection.householdId } : {}),
    details: {
      letters: letters.length,
      olderVoided: voided,
      ...(selection.kind === "batch" ? { onlyUnlinked: selection.onlyUnlinked } : {}),
    },
  });
  return { status: "ready", pdf, count: letters.length };
}

// Staff's private notes on a family, for a colleague to pick up the work: never sent to the
// household, but part of its own data export (GDPR art. 15), so written as if the family may read
// them. Shown on the household's page together with the notes on its conversations.
import { audit } from "../audit.ts";
import type { Db } from "../db/client.ts";

export const MAX_HOUSEHOLD_NOTE_LENGTH = 2000;

export type HouseholdNoteView = {
  at: Date;
  text: string;
  /** Who wrote it (e-mail or first name), for staff; the export shows only the role. */
  author: string | null;
  /** Set for a note on one of the household's conversations. */
  caseId: number | null;
};

export type AddNoteResult = { kind: "added"; id: number } | { kind: "empty" } | { kind: "too_long" };

export async function addHouseholdNote(
  db: Db,
  input: { householdId: number; staffId: number; text: string },
): Promise<AddNoteResult> {
  const text = input.text.replace(/\r\n?/g, "\n").trim();
  if (text === "") return { kind: "empty" };
  if (text.length > MAX_HOUSEHOLD_NOTE_LENGTH) return { kind: "too_long" };
  return db.$transaction(async (tx) => {
    const note = await tx.householdNote.create({
      data: { householdId: input.householdId, staffId: input.staffId, text },
      select: { id: true },
    });
    await audit(tx, {
      actorType: "staff",
      actorId: input.staffId,
      action: "household.noteAdded",
      entityType: "household",
      entityId: input.householdId,
      details: { householdNoteId: note.id },
    });
    return { kind: "added" as const, id: note.id };
  });
}

/** The household's notes and its conversations' notes, newest first. */
export async function householdNotes(db: Db, householdId: number, limit = 50): Promise<HouseholdNoteView[]> {
  const author = { select: { email: true, firstName: true } } as const;
  const [own, onCases] = await Promise.all([
    db.householdNote.findMany({
      where: { householdId },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: limit,
      select: { createdAt: true, text: true, staff: author },
    }),
    db.caseNote.findMany({
      where: { case: { householdId } },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: limit,
      select: { createdAt: true, text: true, caseId: true, staff: author },
    }),
  ]);
  const name = (s: { email: string; firstName: string | null } | null) =>
    s ? (s.firstName ?? s.email) : null;
  return [
    ...own.map((n) => ({ at: n.createdAt, text: n.text, author: name(n.staff), caseId: null })),
    ...onCases.map((n) => ({ at: n.createdAt, text: n.text, author: name(n.staff), caseId: n.caseId })),
  ]
    .sort((a, b) => b.at.getTime() - a.at.getTime())
    .slice(0, limit);
}

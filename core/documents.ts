// The papers the programme asks of households, and each household's checklist of them.
import type { Clock } from "./clock.ts";
import type { Db, DocumentStatus } from "./db/client.ts";
import { romeToday } from "./time.ts";

/** The requirements every installation starts with, in the order households see them. */
export const DOCUMENT_REQUIREMENTS = ["isee", "income_declaration", "payment_receipts", "contract"] as const;

/** Creates the starting requirements that are missing; safe to run any number of times, in parallel. */
export async function ensureDocumentRequirements(db: Pick<Db, "documentRequirement">): Promise<void> {
  const existing = await db.documentRequirement.count({ where: { key: { in: [...DOCUMENT_REQUIREMENTS] } } });
  if (existing === DOCUMENT_REQUIREMENTS.length) return;
  await db.documentRequirement.createMany({
    data: DOCUMENT_REQUIREMENTS.map((key, sortOrder) => ({ key, sortOrder })),
    skipDuplicates: true,
  });
}

/** "unknown": the operator has not recorded this paper for the household yet. */
export type ChecklistStatus = DocumentStatus | "unknown";

export type ChecklistItem = {
  key: string;
  status: ChecklistStatus;
  /** Shown only while the paper is still to be brought (missing or requested). */
  dueDate: Date | null;
  /** Still to be brought and its due date is before today (Europe/Rome). */
  overdue: boolean;
};

const OUTSTANDING: readonly ChecklistStatus[] = ["missing", "requested"];

/** Every requirement, in order, with this household's status and due date. */
export async function householdChecklist(
  db: Db,
  householdId: number,
  clock: Clock,
): Promise<ChecklistItem[]> {
  await ensureDocumentRequirements(db);
  const today = romeToday(clock.now());
  const requirements = await db.documentRequirement.findMany({
    orderBy: [{ sortOrder: "asc" }, { id: "asc" }],
    include: { documents: { where: { householdId } } },
  });
  return requirements.map((requirement) => {
    const row = requirement.documents[0];
    const status: ChecklistStatus = row?.status ?? "unknown";
    const dueDate = row?.dueDate && OUTSTANDING.includes(status) ? row.dueDate : null;
    return {
      key: requirement.key,
      status,
      dueDate,
      overdue: dueDate !== null && dueDate.getTime() < today.getTime(),
    };
  });
}

/** Received or verified: the household has done its part. */
export function isHandedIn(item: ChecklistItem): boolean {
  return item.status === "received" || item.status === "verified";
}

/** Records a household's status for one requirement (created if missing). */
export async function setHouseholdDocument(
  db: Db,
  input: { householdId: number; key: string; status: DocumentStatus; dueDate?: Date | null },
): Promise<void> {
  await ensureDocumentRequirements(db);
  const requirement = await db.documentRequirement.findUniqueOrThrow({ where: { key: input.key } });
  const data = { status: input.status, dueDate: input.dueDate ?? null };
  await db.householdDocument.upsert({
    where: { householdId_requirementId: { householdId: input.householdId, requirementId: requirement.id } },
    create: { householdId: input.householdId, requirementId: requirement.id, ...data },
    update: data,
  });
}

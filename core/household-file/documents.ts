// Staff marking a household's paper received, verified, requested or missing on its page. The bot's
// /documents and the document reminders read the same row, so they follow at once; the deadline the
// authority set stays.
import { audit } from "../audit.ts";
import type { Db, DocumentStatus } from "../db/client.ts";
import { ensureDocumentRequirements } from "../documents.ts";

export async function setDocumentStatusByStaff(
  db: Db,
  input: { householdId: number; key: string; status: DocumentStatus; staffId: number },
): Promise<"saved" | "unchanged" | "unknown_document"> {
  await ensureDocumentRequirements(db);
  const requirement = await db.documentRequirement.findUnique({
    where: { key: input.key },
    select: { id: true },
  });
  if (!requirement) return "unknown_document";
  return db.$transaction(async (tx) => {
    const where = {
      householdId_requirementId: { householdId: input.householdId, requirementId: requirement.id },
    };
    const current = await tx.householdDocument.findUnique({ where, select: { status: true } });
    if (current?.status === input.status) return "unchanged";
    await tx.householdDocument.upsert({
      where,
      create: { householdId: input.householdId, requirementId: requirement.id, status: input.status },
      update: { status: input.status },
    });
    await audit(tx, {
      actorType: "staff",
      actorId: input.staffId,
      action: "document.statusSet",
      entityType: "household",
      entityId: input.householdId,
      details: { requirementId: requirement.id, from: current?.status ?? null, to: input.status },
    });
    return "saved";
  });
}

// A family's choice to show its budget summary to its case worker in the panel: off by default,
// switched on or off by any linked member in /privacy, and recorded (who, when) in the audit log.
import { audit } from "../audit.ts";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";

/** Sets the choice; returns whether it changed (an old or double-pressed button changes nothing). */
export async function setBudgetShared(
  db: Db,
  clock: Clock,
  input: { memberId: number; householdId: number; shared: boolean },
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const changed = await tx.household.updateMany({
      where: { id: input.householdId, budgetSharedAt: input.shared ? null : { not: null } },
      data: { budgetSharedAt: input.shared ? clock.now() : null },
    });
    if (changed.count === 0) return false;
    await audit(tx, {
      actorType: "member",
      actorId: input.memberId,
      action: input.shared ? "budget.shared" : "budget.unshared",
      entityType: "household",
      entityId: input.householdId,
    });
    return true;
  });
}

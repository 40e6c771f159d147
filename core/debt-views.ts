// The months in which a household looked at what it owes (/balance) or at its repayment plan (/plan):
// the results dashboard's awareness figures (core/results/). One row per household, month and kind, so
// a repeated look (or a repeated update) changes nothing, and nothing says who looked or when.
import type { Db, DebtViewKind } from "./db/client.ts";
import { sqlOf } from "./db/sql.ts";
import { romeToday } from "./time.ts";

/** Rome's month of an instant: "2026-12". */
export function romeMonthOf(instant: Date): string {
  return romeToday(instant).toISOString().slice(0, 7);
}

export async function recordDebtView(
  db: Db,
  householdId: number,
  kind: DebtViewKind,
  now: Date,
): Promise<void> {
  await sqlOf(db).execute`
    INSERT INTO "DebtView" ("householdId", "month", "kind")
    VALUES (${householdId}::int, ${romeMonthOf(now)}::text, ${kind}::"DebtViewKind")
    ON CONFLICT DO NOTHING`;
}

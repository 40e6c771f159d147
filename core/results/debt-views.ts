// Awareness beyond linking: households of the selection that looked at what they owe (/balance) or at
// their repayment plan (/plan) in the period's months (core/debt-views.ts notes one row per month).
import type { Db } from "../db/client.ts";
import type { StaffScope } from "../offices/scope.ts";
import type { ResultsFilter } from "./filter.ts";
import { resultsQuery, SELECTED, selectedParams } from "./selection.ts";

export type DebtViewFigures = { balanceViewed: number; planViewed: number };

const QUERY = `${SELECTED}
SELECT count(DISTINCT v."householdId") FILTER (WHERE v."kind" = 'balance')::int AS "balanceViewed",
       count(DISTINCT v."householdId") FILTER (WHERE v."kind" = 'plan')::int AS "planViewed"
  FROM sel JOIN "DebtView" v ON v."householdId" = sel."id"
 WHERE v."month" BETWEEN $5::text AND $6::text`;

export async function debtViewFigures(
  db: Db,
  scope: StaffScope,
  filter: ResultsFilter,
): Promise<DebtViewFigures> {
  const [row] = await resultsQuery<DebtViewFigures>(db, QUERY, [
    ...selectedParams(scope, filter),
    filter.from,
    filter.to,
  ]);
  return row ?? { balanceViewed: 0, planViewed: 0 };
}

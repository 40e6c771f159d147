// The escalation rules, one after the other. Each is safe to run twice or at once on several
// workers (dedupe keys, conditional updates), so a retried job changes nothing more.
import type { EscalationDeps } from "../../core/escalation/deps.ts";
import { nudgeSilentHouseholds } from "../../core/escalation/nudge.ts";
import { markBrokenPlans, openOverdueCases } from "../../core/escalation/overdue.ts";
import { escalateLateCases } from "../../core/escalation/sla.ts";

export type EscalationResult = {
  overdueOpened: number;
  overdueNoted: number;
  plansBroken: number;
  casesEscalated: number;
  householdsNudged: number;
};

export async function runEscalation(deps: EscalationDeps): Promise<EscalationResult> {
  const overdue = await openOverdueCases(deps);
  const broken = await markBrokenPlans(deps);
  const late = await escalateLateCases(deps);
  const nudges = await nudgeSilentHouseholds(deps);
  return {
    overdueOpened: overdue.opened,
    overdueNoted: overdue.noted,
    plansBroken: broken.broken,
    casesEscalated: late.escalated,
    householdsNudged: nudges.nudged,
  };
}

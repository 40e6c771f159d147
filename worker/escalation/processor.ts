// The escalation rules, one after the other. Each is safe to run twice or at once on several
// workers (dedupe keys, conditional updates), so a retried job changes nothing more.
import type { EscalationDeps } from "../../core/escalation/deps.ts";
import { nudgeSilentHouseholds } from "../../core/escalation/nudge.ts";
import { postMissedCases } from "../../core/escalation/operators-group.ts";
import { markBrokenPlans, openOverdueCases } from "../../core/escalation/overdue.ts";
import { escalateLateCases } from "../../core/escalation/sla.ts";

export type EscalationResult = {
  overdueOpened: number;
  overdueNoted: number;
  plansBroken: number;
  casesEscalated: number;
  householdsNudged: number;
  missedPostsSent: number;
};

export async function runEscalation(deps: EscalationDeps): Promise<EscalationResult> {
  const overdue = await openOverdueCases(deps);
  const broken = await markBrokenPlans(deps);
  const late = await escalateLateCases(deps);
  const nudges = await nudgeSilentHouseholds(deps);
  const missed = await postMissedCases(deps);
  return {
    overdueOpened: overdue.opened,
    overdueNoted: overdue.noted,
    plansBroken: broken.broken,
    casesEscalated: late.escalated,
    householdsNudged: nudges.nudged,
    missedPostsSent: missed,
  };
}

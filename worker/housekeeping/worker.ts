import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "../../core/logger.ts";
import { checkHouseholdFacts } from "../../core/priority/facts.ts";
import { HOUSEKEEPING_QUEUE, type HousekeepingJob } from "../../core/queues/housekeeping.ts";
import { type HousekeepingDeps, runHousekeeping } from "./processor.ts";

export function createHousekeepingWorker(
  deps: HousekeepingDeps & { logger: Logger },
  options: { connection: Redis; prefix: string },
): Worker<HousekeepingJob> {
  return new Worker<HousekeepingJob>(
    HOUSEKEEPING_QUEUE,
    async () => {
      const { db, clock, retentionMonths } = deps;
      const result = await runHousekeeping({ db, clock, retentionMonths });
      // Counts only.
      deps.logger.info(result, "housekeeping done");
      // The caseload's facts against their tables: a difference is repaired, and never silent.
      const facts = await checkHouseholdFacts(db);
      if (facts.drifted > 0) deps.logger.warn(facts, "household facts had drifted: recomputed");
      return { ...result, householdFactsDrifted: facts.drifted };
    },
    { connection: options.connection, prefix: options.prefix, concurrency: 1 },
  );
}

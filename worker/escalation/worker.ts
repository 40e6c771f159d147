import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { freshContent } from "../../core/content/sync.ts";
import type { EscalationDeps } from "../../core/escalation/deps.ts";
import type { Logger } from "../../core/logger.ts";
import { ESCALATION_QUEUE, type EscalationJob, escalationJobSchema } from "../../core/queues/escalation.ts";
import { runEscalation } from "./processor.ts";

export function createEscalationWorker(
  deps: EscalationDeps & { logger: Logger },
  options: { connection: Redis; prefix: string },
): Worker<EscalationJob> {
  return new Worker<EscalationJob>(
    ESCALATION_QUEUE,
    async (job) => {
      escalationJobSchema.parse(job.data);
      // Nudge texts staff changed in the panel (core/content/sync.ts).
      await freshContent(deps.db);
      const result = await runEscalation(deps);
      // Counts only.
      deps.logger.info(result, "escalation rules done");
      return result;
    },
    { connection: options.connection, prefix: options.prefix, concurrency: 1 },
  );
}

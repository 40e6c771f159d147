import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Clock } from "../../core/clock.ts";
import type { Db } from "../../core/db/client.ts";
import type { Logger } from "../../core/logger.ts";
import { HOUSEKEEPING_QUEUE, type HousekeepingJob } from "../../core/queues/housekeeping.ts";
import { runHousekeeping } from "./processor.ts";

export function createHousekeepingWorker(
  deps: { db: Db; clock: Clock; logger: Logger },
  options: { connection: Redis; prefix: string },
): Worker<HousekeepingJob> {
  return new Worker<HousekeepingJob>(
    HOUSEKEEPING_QUEUE,
    async () => {
      const result = await runHousekeeping(deps);
      // Counts only.
      deps.logger.info(result, "housekeeping done");
      return result;
    },
    { connection: options.connection, prefix: options.prefix, concurrency: 1 },
  );
}

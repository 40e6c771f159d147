// One check-up scan per job: safe to run twice or in two workers at once (core/checkup/scan.ts).
import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { type CheckupScanDeps, runCheckupScan } from "../../core/checkup/scan.ts";
import { CHECKUPS_QUEUE, type CheckupJob, checkupJobSchema } from "../../core/queues/checkups.ts";

export function createCheckupsWorker(
  deps: CheckupScanDeps,
  options: { connection: Redis; prefix: string },
): Worker<CheckupJob> {
  return new Worker<CheckupJob>(
    CHECKUPS_QUEUE,
    async (job) => {
      checkupJobSchema.parse(job.data ?? {});
      const result = await runCheckupScan(deps);
      return { quiet: result.quiet, offered: result.offered };
    },
    { connection: options.connection, prefix: options.prefix, concurrency: 1 },
  );
}

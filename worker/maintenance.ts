// Every worker process, once at start and then every minute, makes sure the queues hold what
// PostgreSQL says they should: job schedulers (lost if Redis restarts without persistence) and
// the jobs of messages still waiting. Each task is idempotent, so several workers may run it at once.
import type { Logger } from "../core/logger.ts";

export type MaintenanceTask = { name: string; run: () => Promise<unknown> };

export type Maintenance = { runNow(): Promise<void>; stop(): Promise<void> };

export function startMaintenance(options: {
  tasks: MaintenanceTask[];
  intervalMs: number;
  logger: Logger;
}): Maintenance {
  let running: Promise<void> | undefined;
  const runAll = async () => {
    for (const task of options.tasks) {
      try {
        const result = await task.run();
        if (result && typeof result === "object" && Object.values(result).some((v) => v !== 0)) {
          options.logger.info({ task: task.name, result }, "maintenance");
        }
      } catch (error) {
        // Redis or PostgreSQL away for a moment: the next round tries again.
        options.logger.warn({ task: task.name, err: { message: String(error) } }, "maintenance task failed");
      }
    }
  };
  const runNow = () => {
    running ??= runAll().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => void runNow(), options.intervalMs);
  timer.unref();
  return {
    runNow,
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

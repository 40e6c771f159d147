// The bot and the delivery worker, in this test process, against the sandbox over HTTP and a test
// database: what feature tests need to drive whole flows as a household would.

import type { RunnerHandle } from "@grammyjs/runner";
import { Redis } from "ioredis";
import { createBot } from "../../bot/bot.ts";
import { startPolling } from "../../bot/run.ts";
import { type Clock, systemClock } from "../../core/clock.ts";
import type { Db } from "../../core/db/client.ts";
import { issueLinkCode } from "../../core/linking.ts";
import { createLogger } from "../../core/logger.ts";
import { municipalityKey } from "../../core/offices/offices.ts";
import { createDeliveryQueue, type DeliveryQueue } from "../../core/queues/delivery.ts";
import { type Sandbox, startSandbox } from "../../sandbox/server.ts";
import { type RunningWorker, startWorker } from "../../worker/worker.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./db.ts";
import { deleteKeysStartingWith } from "./redis-keys.ts";
import { SandboxUser, sandboxCounters } from "./sandbox-user.ts";

export type BotHarness = {
  sandbox: Sandbox;
  /** The queue prefix of this harness's worker (to add jobs to its other queues). */
  queuePrefix: string;
  redis: Redis;
  db: Db;
  database: TestDatabase;
  deliveryQueue: DeliveryQueue;
  /** A new Telegram user who has accepted the privacy notice (not linked). */
  newUser(options?: { firstName?: string; language?: "it" | "en" | string }): Promise<SandboxUser>;
  /** A new Telegram user linked to the household with this contract code (created if missing). */
  linkedUser(contractCode: string, options?: { firstName?: string; language?: string }): Promise<SandboxUser>;
  /** Creates a household with arrears; returns its id. */
  household(contractCode: string, data?: { municipality?: string; name?: string }): Promise<number>;
  /** Requests Telegram rejected with 400 so far (must stay empty). */
  badRequests(): Promise<{ method: string; error_code: number; description: string }[]>;
  close(): Promise<void>;
};

export async function startBotHarness(
  options: {
    clock?: Clock;
    /** OPERATORS_CHAT_ID for the bot and the worker (create the group in the sandbox with this id). */
    operatorsChatId?: bigint;
    /** PAGOPA_CREDITOR_FISCAL_CODE for the bot and the worker. */
    pagopaCreditorFiscalCode?: string;
  } = {},
): Promise<BotHarness> {
  const clock = options.clock ?? systemClock;
  const sandbox = await startSandbox({ port: 0 });
  const database = await createTestDatabase();
  const db = database.db;
  const prefix = testQueuePrefix();
  const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  const deliveryQueue = createDeliveryQueue(redis, prefix);
  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const telegram = { token: sandbox.token, apiRoot: sandbox.url };
  const worker: RunningWorker = await startWorker({
    db,
    logger,
    clock,
    connection: redis,
    queuePrefix: prefix,
    telegram,
    // A scheduled scan at a real 5- or 15-minute mark would act on the tests' data unannounced.
    scheduledScans: false,
    ...(options.operatorsChatId === undefined ? {} : { operatorsChatId: options.operatorsChatId.toString() }),
    pagopaCreditorFiscalCode: options.pagopaCreditorFiscalCode,
  });
  const bot = createBot({
    db,
    logger,
    clock,
    deliveryQueue,
    ...(options.operatorsChatId === undefined ? {} : { operatorsChatId: options.operatorsChatId }),
    pagopaCreditorFiscalCode: options.pagopaCreditorFiscalCode,
    ...telegram,
  });
  const runner: RunnerHandle = await startPolling(bot, { db, logger });

  const harness: BotHarness = {
    sandbox,
    queuePrefix: prefix,
    redis,
    db,
    database,
    deliveryQueue,
    async newUser(o = {}) {
      const user = await SandboxUser.create(sandbox.url, {
        first_name: o.firstName ?? "Test",
        language_code: o.language ?? "it",
      });
      await user.acceptPrivacy();
      return user;
    },
    async household(contractCode, data = {}) {
      const existing = await db.household.findUnique({ where: { contractCode } });
      if (existing) return existing.id;
      const municipality = data.municipality ?? "Brescia";
      // The office of its municipality, as the households import sets it.
      const office = await db.officeMunicipality.findUnique({
        where: { key: municipalityKey(municipality) },
      });
      const created = await db.household.create({
        data: {
          contractCode,
          name: data.name ?? `Famiglia ${contractCode}`,
          fiscalCode: "TSTFML80A01B157X",
          municipality,
          officeId: office?.officeId ?? null,
          address: "Via Roma 1",
          balances: {
            create: {
              rentCents: 150_000,
              chargesCents: 25_000,
              balanceDate: new Date("2026-09-30T00:00:00Z"),
            },
          },
        },
      });
      return created.id;
    },
    async linkedUser(contractCode, o = {}) {
      await harness.household(contractCode);
      const user = await harness.newUser(o);
      const issued = await issueLinkCode(db, contractCode, clock);
      if (!issued) throw new Error(`no household ${contractCode}`);
      await user.send({ text: issued.code });
      await user.replies(1); // "you are linked", from the worker
      return user;
    },
    async badRequests() {
      const counters = await sandboxCounters(sandbox.url);
      return counters.errors.filter((e) => e.error_code === 400);
    },
    async close() {
      if (runner.isRunning()) await runner.stop();
      await worker.close();
      await deliveryQueue.close();
      // Every queue the worker made (schedules, events, completed jobs), not only the delivery queue.
      await deleteKeysStartingWith(redis, `${prefix}:`);
      await redis.quit();
      await sandbox.close();
      await database.drop();
    },
  };
  return harness;
}

// Reminders under a misbehaving Telegram: the sandbox answers 10% of calls with 5xx and a burst of
// 429s. Every reminder is delivered, none twice (the chats' transcripts are the proof).
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import { createLogger } from "../core/logger.ts";
import { createDeliveryQueue, type DeliveryQueue } from "../core/queues/delivery.ts";
import { createRemindersQueue } from "../core/queues/reminders.ts";
import { calendarDate } from "../core/time.ts";
import { type Sandbox, startSandbox } from "../sandbox/server.ts";
import { type RunningWorker, startWorker } from "../worker/worker.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";
import { SandboxUser, sandboxControl, sandboxCounters } from "./support/sandbox-user.ts";

const HOUSEHOLDS = 30;
let sandbox: Sandbox;
let t: TestDatabase;
let redis: Redis;
let prefix: string;
let deliveryQueue: DeliveryQueue;
let worker: RunningWorker;
// 10 December 2026, 09:30 in Rome: an installment and a document deadline tomorrow are both due.
const clock = fixedClock(new Date("2026-12-10T08:30:00Z"));

const control = (path: string, body: unknown) => sandboxControl(sandbox.url, path, body);

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  t = await createTestDatabase();
  prefix = testQueuePrefix();
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  deliveryQueue = createDeliveryQueue(redis, prefix);
  worker = await startWorker({
    db: t.db,
    logger: createLogger({ level: "silent" }),
    clock,
    connection: redis,
    queuePrefix: prefix,
    telegram: { token: sandbox.token, apiRoot: sandbox.url },
    quietHours: { startMinute: 21 * 60, endMinute: 8 * 60 },
    scheduledScans: false,
  });
});

afterAll(async () => {
  await control("/control/faults", { error_rate: 0, burst_429: 0 }).catch(() => undefined);
  await worker?.close();
  await deliveryQueue?.obliterate({ force: true });
  await deliveryQueue?.close();
  await redis?.quit();
  await sandbox?.close();
  await t?.drop();
});

describe("reminders with Telegram failing", () => {
  it("10% 5xx and a burst of 429: every reminder delivered exactly once", async () => {
    const requirement = await t.db.documentRequirement.create({ data: { key: "isee" } });
    const users: SandboxUser[] = [];
    for (let i = 0; i < HOUSEHOLDS; i++) {
      const user = await SandboxUser.create(sandbox.url, { first_name: `F${i}` });
      await user.send({ text: "ciao" }); // Telegram refuses to start a conversation otherwise
      users.push(user);
      await t.db.household.create({
        data: {
          contractCode: `F-${i}`,
          name: `Famiglia ${i}`,
          fiscalCode: "X",
          municipality: "Mantova",
          address: "Via Po 1",
          members: {
            create: {
              telegramUserId: BigInt(user.id),
              chatId: BigInt(user.id),
              linkedAt: clock.now(),
              consentAt: clock.now(),
            },
          },
          plans: {
            create: {
              planCode: `PR-F-${i}`,
              installments: {
                create: { number: 1, dueDate: calendarDate(2026, 12, 10) as Date, amountCents: 9_000 },
              },
            },
          },
          documents: {
            create: { requirementId: requirement.id, dueDate: calendarDate(2026, 12, 11) },
          },
        },
      });
    }

    await control("/control/faults", { error_rate: 0.1, burst_429: 8 });
    const reminders = createRemindersQueue(redis, prefix);
    try {
      await reminders.add("scan", {});
      await expect
        .poll(() => t.db.outboundMessage.count({ where: { status: "sent" } }), {
          timeout: 90_000,
          interval: 500,
        })
        .toBe(HOUSEHOLDS * 2);
    } finally {
      await control("/control/faults", { error_rate: 0, burst_429: 0 });
      await reminders.obliterate({ force: true });
      await reminders.close();
    }
    expect(await t.db.outboundMessage.count()).toBe(HOUSEHOLDS * 2);

    for (const user of users) {
      const texts = (await user.transcript()).filter((m) => m.from === "bot").map((m) => m.text ?? "");
      expect(texts).toHaveLength(2);
      expect(texts.filter((text) => text.includes("Rata in scadenza oggi"))).toHaveLength(1);
      expect(texts.filter((text) => text.includes("Scadenza documento"))).toHaveLength(1);
    }
    // The faults did happen, and were ridden out.
    const counters = await sandboxCounters(sandbox.url);
    expect(counters.responses["429"]).toBeGreaterThanOrEqual(8);
    expect(counters.responses["5xx"] ?? 0).toBeGreaterThan(0);
  }, 120_000);
});

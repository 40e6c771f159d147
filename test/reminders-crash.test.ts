// Reminders survive a worker killed with SIGKILL in the middle of sending: real `node main.ts --role
// worker` processes, the sandbox over HTTP. Nobody gets a reminder twice; anyone without one is among
// the few `uncertain` messages staff can see (a message in flight when the process died).
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRemindersQueue } from "../core/queues/reminders.ts";
import { type Sandbox, startSandbox } from "../sandbox/server.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";
import { type RunningProcess, startProcess } from "./support/processes.ts";
import { SandboxUser } from "./support/sandbox-user.ts";

const MEMBERS = 120;
let sandbox: Sandbox;
let t: TestDatabase;
let redis: Redis;
let prefix: string;
const running: RunningProcess[] = [];

function workerEnv(): Record<string, string> {
  return {
    DATABASE_URL: t.url,
    QUEUE_PREFIX: prefix,
    TELEGRAM_BOT_TOKEN: sandbox.token,
    TELEGRAM_API_ROOT: sandbox.url,
    SESSION_SECRET: "reminders-crash-session-secret-0123",
    // The test runs at any hour: quiet hours would hold everything back at night.
    QUIET_HOURS: "",
    DELIVERY_RATE_PER_SECOND: "30",
  };
}

async function startWorkerProcess(): Promise<RunningProcess> {
  const worker = await startProcess(["main.ts", "--role", "worker"], workerEnv());
  running.push(worker);
  return worker;
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  t = await createTestDatabase();
  prefix = testQueuePrefix();
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
});

afterAll(async () => {
  for (const process of running) await process.stop("SIGKILL");
  const queue = createRemindersQueue(redis, prefix);
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  await redis?.quit();
  await sandbox?.close();
  await t?.drop();
});

describe("reminders and a crashed worker", () => {
  it("a worker killed mid-run and restarted: nobody gets a reminder twice, nothing silently lost", async () => {
    // A course session starting in an hour: its "2 hours before" reminder is due now, whatever the
    // time of day the test runs (the process uses the real clock).
    const startsAt = new Date(Date.now() + 60 * 60 * 1000);
    const course = await t.db.course.create({
      data: {
        code: "CRASH-1",
        title: "Bilancio familiare",
        description: "Come tenere i conti",
        municipality: "Mantova",
        sessions: {
          create: {
            startsAt,
            endsAt: new Date(startsAt.getTime() + 7_200_000),
            location: "Sala A",
            capacity: 500,
          },
        },
      },
      include: { sessions: true },
    });
    const session = course.sessions[0];
    if (!session) throw new Error("no session");
    const users: SandboxUser[] = [];
    for (let i = 0; i < MEMBERS; i++) {
      const user = await SandboxUser.create(sandbox.url, { first_name: `C${i}` });
      await user.send({ text: "ciao" }); // Telegram refuses to start a conversation otherwise
      users.push(user);
      await t.db.household.create({
        data: {
          contractCode: `C-${i}`,
          name: `Famiglia ${i}`,
          fiscalCode: "X",
          municipality: "Mantova",
          address: "Via Po 1",
          members: {
            create: {
              telegramUserId: BigInt(user.id),
              chatId: BigInt(user.id),
              linkedAt: new Date(),
              consentAt: new Date(),
              enrolments: { create: { sessionId: session.id } },
            },
          },
        },
      });
    }

    let worker = await startWorkerProcess();
    const scans = createRemindersQueue(redis, prefix);
    try {
      await scans.add("scan", {});
      await expect
        .poll(() => t.db.outboundMessage.count({ where: { status: "sent" } }), {
          timeout: 60_000,
          interval: 100,
        })
        .toBeGreaterThanOrEqual(30);
      await worker.stop("SIGKILL");
      const sentAtKill = await t.db.outboundMessage.count({ where: { status: "sent" } });
      expect(sentAtKill).toBeLessThan(MEMBERS);

      worker = await startWorkerProcess();
      // A second scan after the restart (as the 5-minute schedule would run) must add nothing.
      await scans.add("scan", {});
      await expect
        .poll(() => t.db.outboundMessage.count({ where: { status: { in: ["sent", "uncertain"] } } }), {
          timeout: 150_000,
          interval: 1000,
        })
        .toBe(MEMBERS);
    } finally {
      await scans.close();
      await worker.stop("SIGTERM");
    }
    expect(await t.db.outboundMessage.count()).toBe(MEMBERS);
    const uncertain = await t.db.outboundMessage.count({ where: { status: "uncertain" } });
    const received = await Promise.all(
      users.map(async (user) => (await user.transcript()).filter((m) => m.from === "bot").length),
    );
    expect(Math.max(...received)).toBe(1);
    expect(received.filter((n) => n === 0).length).toBeLessThanOrEqual(uncertain);
  }, 240_000);
});

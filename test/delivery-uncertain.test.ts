// Messages that may not have arrived, decided by what they carry (core/uncertain-delivery.ts): a
// real worker process (node main.ts --role worker) killed with SIGKILL while one message of each kind
// is in flight (a slow sandbox holds every send), then restarted. Operator replies, due and late
// installment reminders and case posts arrive again — a duplicate marked in the record and the
// audit — while broadcasts and early reminders stay uncertain, until staff send one again from the
// panel (pressed twice: sent once). Also the other ways a message becomes uncertain, in-process: a
// stale `sending` found by a job, and a Bot API call that timed out.
import { Api } from "grammy";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { fixedClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { createLogger } from "../core/logger.ts";
import { createDeliveryQueue, type DeliveryQueue, requestDelivery } from "../core/queues/delivery.ts";
import { createRedis } from "../core/queues/redis.ts";
import { upsertStaff } from "../core/staff.ts";
import { kindOf, resendsWhenUncertain } from "../core/uncertain-delivery.ts";
import { type Sandbox, startSandbox } from "../sandbox/server.ts";
import { type DeliveryDeps, processDelivery } from "../worker/delivery/processor.ts";
import { chatSlots } from "../worker/delivery/worker.ts";
import { AdminClient, csrfOf } from "./support/admin-client.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";
import { type RunningProcess, startProcess } from "./support/processes.ts";
import { SandboxUser, sandboxControl } from "./support/sandbox-user.ts";

let sandbox: Sandbox;
let t: TestDatabase;
let redis: Redis;
let prefix: string;
let queue: DeliveryQueue;
const running: RunningProcess[] = [];
const logger = createLogger({ level: "silent" });
const setFaults = (body: Record<string, unknown>) => sandboxControl(sandbox.url, "/control/faults", body);

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  t = await createTestDatabase();
  prefix = testQueuePrefix();
  redis = createRedis("redis://127.0.0.1:6379");
  queue = createDeliveryQueue(redis, prefix);
});

afterAll(async () => {
  for (const process of running) await process.stop("SIGKILL");
  await setFaults({ latency_ms: 0 }).catch(() => undefined);
  await queue?.obliterate({ force: true });
  await queue?.close();
  await redis?.quit();
  await sandbox?.close();
  await t?.drop();
});

async function member(name: string) {
  const user = await SandboxUser.create(sandbox.url, { first_name: name });
  await user.send({ text: "ciao" }); // Telegram refuses to start a conversation otherwise
  const record = await t.db.member.create({
    data: { telegramUserId: BigInt(user.id), chatId: BigInt(user.id), language: "it" },
  });
  return { user, record };
}

async function botTexts(user: SandboxUser): Promise<string[]> {
  return (await user.transcript()).filter((m) => m.from === "bot").map((m) => m.text ?? "");
}

async function startWorkerProcess(): Promise<RunningProcess> {
  const worker = await startProcess(["main.ts", "--role", "worker"], {
    DATABASE_URL: t.url,
    QUEUE_PREFIX: prefix,
    TELEGRAM_BOT_TOKEN: sandbox.token,
    TELEGRAM_API_ROOT: sandbox.url,
    SESSION_SECRET: "uncertain-delivery-session-secret-01",
    QUIET_HOURS: "", // the test runs at any hour
    DELIVERY_RATE_PER_SECOND: "30",
  });
  running.push(worker);
  return worker;
}

const resendAudits = () =>
  t.db.auditLog.findMany({ where: { action: "delivery.resent_after_uncertain" }, orderBy: { id: "asc" } });

describe("the rule", () => {
  it("sends again replies, due and late installment reminders and case posts; not broadcasts or early reminders", () => {
    const decided = Object.fromEntries(
      [
        "case-reply:9:7",
        "reminder:inst-due:1:7",
        "reminder:inst-overdue:1:7",
        "ops:case:3:distress:12",
        "ops:case:3:opened",
        "ops:case:3:escalated:1700000000000",
        "reminder:inst-before:1:7",
        "reminder:course-eve:1:7",
        "reminder:course-2h:1:7",
        "reminder:doc-7:1:7",
        "reminder:doc-1:1:7",
        "broadcast:4:7",
        "nudge:3:1:7",
        "case-closed:3:7",
        "linked:5",
        "ops:summary:overdue:1700000000000",
        "mystery:1",
      ].map((purpose) => [purpose, resendsWhenUncertain(purpose)]),
    );
    expect(Object.keys(decided).filter((p) => decided[p])).toEqual([
      "case-reply:9:7",
      "reminder:inst-due:1:7",
      "reminder:inst-overdue:1:7",
      "ops:case:3:distress:12",
      "ops:case:3:opened",
      "ops:case:3:escalated:1700000000000",
    ]);
    expect([kindOf("reminder:inst-due:1:7"), kindOf("ops:case:3:opened"), kindOf("broadcast:4:7")]).toEqual([
      "reminder:inst-due",
      "ops:case",
      "broadcast",
    ]);
  });
});

describe("a worker killed with one message of each kind in flight", () => {
  it("sends again what must arrive (a marked duplicate), leaves the rest uncertain, and staff resend one once", async () => {
    const kinds = [
      { purpose: (m: number) => `case-reply:1:${m}`, resend: true },
      { purpose: (m: number) => `reminder:inst-due:1:${m}`, resend: true },
      { purpose: (m: number) => `reminder:inst-overdue:1:${m}`, resend: true },
      // A post to the operators' chat about a danger message (a staff chat: no member).
      { purpose: () => "ops:case:1:distress:1", resend: true, staffChat: true },
      { purpose: (m: number) => `reminder:inst-before:1:${m}`, resend: false },
      { purpose: (m: number) => `reminder:course-eve:1:${m}`, resend: false },
      { purpose: (m: number) => `broadcast:1:${m}`, resend: false },
    ];
    const people = [];
    for (const [i, kind] of kinds.entries()) {
      const { user, record } = await member(`Kind${i}`);
      const purpose = kind.purpose(record.id);
      const text = `message ${i} (${purpose})`;
      const { outboundMessageId } = await requestDelivery(
        { db: t.db, deliveryQueue: queue },
        kind.staffChat ? { purpose, chatId: record.chatId, text } : { purpose, memberId: record.id, text },
      );
      people.push({ user, purpose, text, id: outboundMessageId, resend: kind.resend });
    }
    const ids = people.map((p) => p.id);

    // Every Bot API call takes 8 s: the worker dies with all seven asked of Telegram, unanswered.
    await setFaults({ latency_ms: 8000 });
    const first = await startWorkerProcess();
    await expect
      .poll(() => t.db.outboundMessage.count({ where: { id: { in: ids }, status: "sending" } }), {
        timeout: 30_000,
        interval: 50,
      })
      .toBe(ids.length);
    // "sending" is recorded just before the request leaves: on a busy machine the last request can
    // still be on its way, so give it time to reach Telegram, well inside the 8 s it takes to answer.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await first.stop("SIGKILL");
    await setFaults({ latency_ms: 0 });
    // Telegram (the sandbox) did deliver them all, late: the worst case for a resend.
    for (const p of people) await expect.poll(() => botTexts(p.user), { timeout: 20_000 }).toEqual([p.text]);

    // The sending lease (60 s) has run out, as it would have by the time anyone looks.
    await t.db
      .$executeRaw`UPDATE "OutboundMessage" SET "sendingAt" = now() - interval '2 minutes' WHERE id = ANY(${ids})`;
    const second = await startWorkerProcess();
    const settled = async () =>
      (
        await t.db.outboundMessage.findMany({
          where: { id: { in: ids } },
          select: { purpose: true, status: true, uncertainResends: true },
          orderBy: { id: "asc" },
        })
      ).map((m) => [m.purpose, m.status, m.uncertainResends]);
    await expect
      .poll(settled, { timeout: 30_000, interval: 250 })
      .toEqual(people.map((p) => [p.purpose, p.resend ? "sent" : "uncertain", p.resend ? 1 : 0]));
    // The dead worker's own jobs come back to the queue (BullMQ's stalled check) and send nothing.
    await expect
      .poll(
        async () => {
          const counts = await queue.getJobCounts("active", "waiting", "delayed", "prioritized");
          return Object.values(counts).reduce((a, b) => a + b, 0);
        },
        { timeout: 90_000, interval: 500 },
      )
      .toBe(0);
    for (const p of people)
      expect(await botTexts(p.user), p.purpose).toEqual(p.resend ? [p.text, p.text] : [p.text]);

    const audits = await resendAudits();
    expect(
      audits.map((a) => [a.actorType, a.entityId, a.details]).sort((a, b) => Number(a[1]) - Number(b[1])),
    ).toEqual(
      people
        .filter((p) => p.resend)
        .map((p) => ["system", String(p.id), { kind: kindOf(p.purpose), resends: 1, by: "rule" }]),
    );

    // Staff send the uncertain broadcast again from the panel, pressing twice: it goes once more.
    const broadcast = people.find((p) => p.purpose.startsWith("broadcast:"));
    if (!broadcast) throw new Error("no broadcast");
    await upsertStaff(t.db, {
      email: "coordinatrice@example.org",
      role: "coordinator",
      password: "una password lunga",
    });
    const app = createAdminServer({
      config: loadConfig({ DATABASE_URL: t.url }),
      logger,
      db: t.db,
      clock: fixedClock(new Date()),
      deliveryQueue: queue,
    });
    try {
      const client = new AdminClient(() => app);
      expect((await client.signIn("coordinatrice@example.org", "una password lunga")).statusCode).toBe(303);
      const token = csrfOf((await client.get("/deliveries?status=uncertain")).body);
      const presses = await Promise.all([
        client.post(`/deliveries/${broadcast.id}/resend`, { _csrf: token }),
        client.post(`/deliveries/${broadcast.id}/resend`, { _csrf: token }),
      ]);
      expect(presses.map((r) => r.headers.location).sort()).toEqual([
        "/deliveries?status=uncertain&notice=not_uncertain",
        "/deliveries?status=uncertain&notice=resent",
      ]);
      await expect
        .poll(() => t.db.outboundMessage.findUniqueOrThrow({ where: { id: broadcast.id } }), {
          timeout: 15_000,
        })
        .toMatchObject({ status: "sent", uncertainResends: 1 });
      await new Promise((r) => setTimeout(r, 1500));
      expect(await botTexts(broadcast.user)).toEqual([broadcast.text, broadcast.text]);
      expect((await resendAudits()).at(-1)).toMatchObject({
        actorType: "staff",
        entityId: String(broadcast.id),
        details: { kind: "broadcast", resends: 1, by: "staff" },
      });
    } finally {
      await app.close();
    }
    await second.stop("SIGTERM");
  }, 200_000);
});

describe("in-process", () => {
  function deps(api = new Api(sandbox.token, { apiRoot: sandbox.url })): DeliveryDeps {
    return {
      db: t.db,
      api,
      clock: fixedClock(new Date()),
      logger,
      rateLimit: async () => {},
      takeChatSlot: chatSlots(redis, `${prefix}-slots-${Math.random()}`, 1000),
      chatIntervalMs: 1000,
    };
  }

  async function recorded(memberId: number, chatId: bigint, purpose: string, uncertainResends = 0) {
    return t.db.outboundMessage.create({
      data: { purpose, memberId, chatId, text: `text of ${purpose}`, uncertainResends },
    });
  }

  const leftSending = (id: number) =>
    t.db
      .$executeRaw`UPDATE "OutboundMessage" SET status = 'sending', "sendingAt" = now() - interval '2 minutes', attempts = 1 WHERE id = ${id}`;

  it("a job that finds its message left sending by a dead worker sends a reply again itself, once at most", async () => {
    const { user, record } = await member("Stale");
    const reply = await recorded(record.id, record.chatId, `case-reply:50:${record.id}`);
    await leftSending(reply.id);
    expect(await processDelivery({ outboundMessageId: reply.id }, deps())).toBe("sent");
    expect(await botTexts(user)).toEqual([`text of case-reply:50:${record.id}`]);
    expect(await t.db.outboundMessage.findUniqueOrThrow({ where: { id: reply.id } })).toMatchObject({
      status: "sent",
      uncertainResends: 1,
      attempts: 2,
    });
    // Sent again once already, and its sender died again: now it stays uncertain.
    const twice = await recorded(record.id, record.chatId, `case-reply:51:${record.id}`, 1);
    await leftSending(twice.id);
    expect(await processDelivery({ outboundMessageId: twice.id }, deps())).toBe("uncertain");
    expect((await t.db.outboundMessage.findUniqueOrThrow({ where: { id: twice.id } })).status).toBe(
      "uncertain",
    );
    expect(await botTexts(user)).toHaveLength(1);
  });

  it("a request that timed out is retried for an installment due today, not for a broadcast", async () => {
    const { user, record } = await member("Timeout");
    const due = await recorded(record.id, record.chatId, `reminder:inst-due:60:${record.id}`);
    const news = await recorded(record.id, record.chatId, `broadcast:60:${record.id}`);
    const slow = deps(new Api(sandbox.token, { apiRoot: sandbox.url, timeoutSeconds: 1 }));
    await setFaults({ latency_ms: 1500 });
    try {
      // Thrown: BullMQ retries the job (with backoff); the record waits in the queue, marked.
      await expect(processDelivery({ outboundMessageId: due.id }, slow)).rejects.toThrow(/sendMessage/);
      expect(await t.db.outboundMessage.findUniqueOrThrow({ where: { id: due.id } })).toMatchObject({
        status: "queued",
        uncertainResends: 1,
      });
      await new Promise((r) => setTimeout(r, 1100)); // the chat's one-second slot
      await t.db.outboundMessage.update({ where: { id: due.id }, data: { status: "cancelled" } });
      expect(await processDelivery({ outboundMessageId: news.id }, slow)).toBe("uncertain");
      await t.db.outboundMessage.update({ where: { id: due.id }, data: { status: "queued" } });
    } finally {
      await setFaults({ latency_ms: 0 });
    }
    await new Promise((r) => setTimeout(r, 1100));
    expect(await processDelivery({ outboundMessageId: due.id }, deps())).toBe("sent");
    // The late first copies arrived too: the reminder twice (marked), the broadcast once.
    await expect.poll(async () => (await botTexts(user)).length, { timeout: 5000 }).toBe(3);
    expect((await botTexts(user)).sort()).toEqual(
      [
        `text of broadcast:60:${record.id}`,
        `text of reminder:inst-due:60:${record.id}`,
        `text of reminder:inst-due:60:${record.id}`,
      ].sort(),
    );
    expect(await t.db.outboundMessage.findUniqueOrThrow({ where: { id: news.id } })).toMatchObject({
      status: "uncertain",
      uncertainResends: 0,
    });
  });
});

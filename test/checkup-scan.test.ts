// The check-up rounds the worker offers, against real PostgreSQL and Redis with the injectable clock:
// the entry round after the first link, then 3, 9 and 15 months on (Rome calendar months, a 31st
// falling on a shorter month's last day), never before, not during quiet hours, not to muted or
// unreachable members, each round once — also with two workers scanning at the same moment — and a
// round missed while the worker was down sent only while it is still the current one.
import { QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCheckupScan } from "../core/checkup/scan.ts";
import { fixedClock } from "../core/clock.ts";
import { createDb } from "../core/db/client.ts";
import { CHECKUPS_SCHEDULER, createCheckupsQueue, scheduleCheckups } from "../core/queues/checkups.ts";
import { createDeliveryQueue, type DeliveryQueue } from "../core/queues/delivery.ts";
import type { QuietHours } from "../core/quiet-hours.ts";
import { setRemindersMuted } from "../core/reminders/preferences.ts";
import { createCheckupsWorker } from "../worker/checkups/worker.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";

let t: TestDatabase;
let redis: Redis;
let queue: DeliveryQueue;
const prefix = testQueuePrefix();
const QUIET: QuietHours = { startMinute: 21 * 60, endMinute: 8 * 60 };
const clock = fixedClock(new Date("2026-01-31T10:00:00Z"));

beforeAll(async () => {
  t = await createTestDatabase();
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  queue = createDeliveryQueue(redis, prefix);
});

afterAll(async () => {
  await queue?.obliterate({ force: true });
  await queue?.close();
  await redis?.quit();
  await t?.drop();
});

beforeEach(async () => {
  await t.db.outboundMessage.deleteMany();
  await t.db.checkup.deleteMany();
  await t.db.member.deleteMany();
  await t.db.household.deleteMany();
  await queue.obliterate({ force: true });
});

let serial = 0;

/** A household whose first member linked at `linkedAt` (more members may follow). */
async function household(linkedAt: string, o: { muted?: boolean; language?: string } = {}) {
  serial += 1;
  const h = await t.db.household.create({
    data: {
      contractCode: `K-${serial}`,
      name: `Famiglia ${serial}`,
      fiscalCode: "X",
      municipality: "Brescia",
      address: "Via Roma 1",
    },
  });
  const m = await member(h.id, linkedAt, o);
  return { householdId: h.id, memberId: m };
}

async function member(
  householdId: number,
  linkedAt: string,
  o: { muted?: boolean; language?: string; unreachable?: boolean } = {},
) {
  serial += 1;
  const m = await t.db.member.create({
    data: {
      telegramUserId: BigInt(500_000 + serial),
      chatId: BigInt(500_000 + serial),
      language: o.language ?? "it",
      householdId,
      linkedAt: new Date(linkedAt),
      consentAt: new Date(linkedAt),
      remindersMuted: o.muted ?? false,
      unreachableAt: o.unreachable ? new Date(linkedAt) : null,
    },
  });
  return m.id;
}

async function scan(at: string, quietHours: QuietHours = QUIET) {
  clock.set(new Date(at));
  return runCheckupScan({ db: t.db, clock, deliveryQueue: queue, quietHours, pageSize: 3 });
}

async function offers() {
  const rows = await t.db.outboundMessage.findMany({ orderBy: { id: "asc" } });
  return rows.map((r) => ({ purpose: r.purpose, memberId: r.memberId, status: r.status }));
}

describe("when each round is offered", () => {
  it("entry 10 minutes after the link, then 3, 9 and 15 months on, each once, never before", async () => {
    // 31 January, 11:00 in Rome: the months after fall on 30 April, 31 October and 30 April.
    const { householdId, memberId } = await household("2026-01-31T10:00:00Z");
    expect((await scan("2026-01-31T10:09:00Z")).offered).toBe(0);
    expect(await scan("2026-01-31T10:10:00Z")).toMatchObject({ offered: 1, byRound: { entry: 1 } });
    expect((await scan("2026-01-31T10:15:00Z")).offered).toBe(0);
    expect((await scan("2026-04-30T08:59:00Z")).offered).toBe(0); // 10:59 in Rome (summer time)
    expect(await scan("2026-04-30T09:00:00Z")).toMatchObject({ offered: 1, byRound: { m3: 1 } });
    expect((await scan("2026-07-15T09:00:00Z")).offered).toBe(0);
    expect((await scan("2026-10-31T09:59:00Z")).offered).toBe(0); // 10:59 in Rome (winter time again)
    expect(await scan("2026-10-31T10:00:00Z")).toMatchObject({ offered: 1, byRound: { m9: 1 } });
    expect(await scan("2027-04-30T09:00:00Z")).toMatchObject({ offered: 1, byRound: { m15: 1 } });
    expect((await scan("2027-05-30T09:00:00Z")).offered).toBe(0);
    expect((await scan("2028-01-01T09:00:00Z")).offered).toBe(0);
    expect(await offers()).toEqual(
      ["entry", "m3", "m9", "m15"].map((round) => ({
        purpose: `checkup:${round}:${householdId}`,
        memberId,
        status: "queued",
      })),
    );
    const rounds = await t.db.checkup.findMany({ where: { householdId }, orderBy: { round: "asc" } });
    expect(rounds.map((r) => [r.round, r.memberId, r.offeredAt.toISOString()])).toEqual([
      ["entry", memberId, "2026-01-31T10:10:00.000Z"],
      ["m3", memberId, "2026-04-30T09:00:00.000Z"],
      ["m9", memberId, "2026-10-31T10:00:00.000Z"],
      ["m15", memberId, "2027-04-30T09:00:00.000Z"],
    ]);
    // The offer in the member's language, with the start button of its round.
    const m9 = await t.db.outboundMessage.findUniqueOrThrow({
      where: { purpose: `checkup:m9:${householdId}` },
    });
    expect(m9.text).toContain("È il momento del check-up");
    expect(m9.replyMarkup).toEqual({
      inline_keyboard: [[{ text: "📋 Inizia il check-up", callback_data: "chk:s:m9" }]],
    });
  });

  it("goes to the household's earliest-linked member who can receive it, in their language", async () => {
    const { householdId } = await household("2026-01-31T10:00:00Z", { muted: true });
    const second = await member(householdId, "2026-02-10T10:00:00Z", { unreachable: true });
    const third = await member(householdId, "2026-02-20T10:00:00Z", { language: "uk" });
    // Entry is counted from the first link, even though the first member cannot receive it.
    expect(await scan("2026-04-30T09:00:00Z")).toMatchObject({ offered: 1, byRound: { m3: 1 } });
    const [offer] = await offers();
    expect(offer).toMatchObject({ purpose: `checkup:m3:${householdId}`, memberId: third });
    const row = await t.db.outboundMessage.findUniqueOrThrow({
      where: { purpose: `checkup:m3:${householdId}` },
    });
    expect(row.text).toContain("Час для перевірки");
    expect(second).not.toBe(third);
  });

  it("after downtime only the round still current goes out; the ones missed are not sent late", async () => {
    const { householdId } = await household("2026-01-31T10:00:00Z");
    // The worker was down from before the entry round until after the 9-month point.
    expect(await scan("2026-11-02T09:00:00Z")).toMatchObject({ offered: 1, byRound: { m9: 1 } });
    expect((await offers()).map((o) => o.purpose)).toEqual([`checkup:m9:${householdId}`]);
  });
});

describe("quiet hours and mute", () => {
  it("nothing during quiet hours: a link at 22:30 is offered its check-ups at 08:00", async () => {
    // 22:30 in Rome on 15 January.
    const { householdId } = await household("2026-01-15T21:30:00Z");
    expect(await scan("2026-01-15T21:45:00Z")).toMatchObject({ quiet: true, offered: 0 });
    expect(await scan("2026-01-16T06:55:00Z")).toMatchObject({ quiet: true, offered: 0 }); // 07:55
    expect(await scan("2026-01-16T07:00:00Z")).toMatchObject({ offered: 1, byRound: { entry: 1 } }); // 08:00
    // Three months on, 22:30 again: the morning after.
    expect((await scan("2026-04-15T20:30:00Z")).quiet).toBe(true);
    expect(await scan("2026-04-16T06:00:00Z")).toMatchObject({ offered: 1, byRound: { m3: 1 } }); // 08:00 CEST
    expect((await offers()).map((o) => o.purpose)).toEqual([
      `checkup:entry:${householdId}`,
      `checkup:m3:${householdId}`,
    ]);
    // Without quiet hours the same moment is not held.
    const other = await household("2026-01-15T21:30:00Z");
    expect(await scan("2026-01-15T21:45:00Z", null)).toMatchObject({ offered: 1 });
    expect((await offers()).at(-1)?.purpose).toBe(`checkup:entry:${other.householdId}`);
  });

  it("muted members get none; unmuted within the round, it goes out; muting withdraws one waiting", async () => {
    const { householdId, memberId } = await household("2026-01-31T10:00:00Z", { muted: true });
    expect((await scan("2026-01-31T11:00:00Z")).offered).toBe(0);
    await setRemindersMuted(t.db, memberId, false);
    expect(await scan("2026-02-05T09:00:00Z")).toMatchObject({ offered: 1, byRound: { entry: 1 } });
    // Muting before it was sent (held by quiet hours, say) withdraws it; the round stays offered.
    expect(await setRemindersMuted(t.db, memberId, true)).toBe(1);
    expect(await offers()).toEqual([
      { purpose: `checkup:entry:${householdId}`, memberId, status: "cancelled" },
    ]);
    await setRemindersMuted(t.db, memberId, false);
    expect((await scan("2026-02-06T09:00:00Z")).offered).toBe(0);
  });
});

describe("two workers at the same moment", () => {
  it("each round is recorded and queued once", async () => {
    const households: number[] = [];
    for (let i = 0; i < 12; i++) households.push((await household("2026-01-31T10:00:00Z")).householdId);
    clock.set(new Date("2026-04-30T09:00:00Z"));
    // Two worker processes: each its own Redis connection and database pool, on the same queue.
    const checkupsQueue = createCheckupsQueue(redis, prefix);
    const events = new QueueEvents(checkupsQueue.name, {
      connection: { host: "127.0.0.1", port: 6379 },
      prefix,
    });
    const workers = [0, 1].map(() => {
      const connection = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
      const db = createDb(t.url, { poolSize: 4 });
      const worker = createCheckupsWorker(
        { db, clock, deliveryQueue: queue, quietHours: QUIET, pageSize: 5 },
        { connection, prefix },
      );
      return { worker, connection, db };
    });
    try {
      await events.waitUntilReady();
      await Promise.all(workers.map((w) => w.worker.waitUntilReady()));
      const jobs = await Promise.all([0, 1, 2, 3].map(() => checkupsQueue.add("scan", {})));
      const results = (await Promise.all(jobs.map((job) => job.waitUntilFinished(events, 30_000)))) as {
        offered: number;
      }[];
      expect(results.reduce((sum, r) => sum + r.offered, 0)).toBe(12);
      expect(await t.db.checkup.count({ where: { round: "m3" } })).toBe(12);
      const purposes = (await offers()).map((o) => o.purpose).sort();
      expect(purposes).toEqual(households.map((id) => `checkup:m3:${id}`).sort());
      expect(await queue.count()).toBe(12);
      expect((await scan("2026-04-30T09:05:00Z")).offered).toBe(0);
    } finally {
      await Promise.all(workers.map((w) => w.worker.close()));
      await Promise.all(workers.map((w) => w.connection.quit()));
      await Promise.all(workers.map((w) => w.db.$disconnect()));
      await events.close();
      await checkupsQueue.obliterate({ force: true });
      await checkupsQueue.close();
    }
  }, 60_000);

  it("one scheduler every 5 minutes in Europe/Rome, however many workers start", async () => {
    const checkupsQueue = createCheckupsQueue(redis, testQueuePrefix());
    try {
      await scheduleCheckups(checkupsQueue);
      await scheduleCheckups(checkupsQueue);
      const schedulers = await checkupsQueue.getJobSchedulers();
      expect(schedulers.map((s) => [s.key, s.pattern, s.tz])).toEqual([
        [CHECKUPS_SCHEDULER, "*/5 * * * *", "Europe/Rome"],
      ]);
    } finally {
      await checkupsQueue.obliterate({ force: true });
      await checkupsQueue.close();
    }
  });
});

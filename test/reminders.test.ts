// The reminder scan against real PostgreSQL and Redis, with a fixed clock: each kind at its moment and
// not before, quiet hours, catch-up after downtime, who gets nothing, and running it twice or at once.
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import { createLogger } from "../core/logger.ts";
import { createDeliveryQueue, type DeliveryQueue } from "../core/queues/delivery.ts";
import { createRemindersQueue, REMINDERS_SCHEDULER, scheduleReminders } from "../core/queues/reminders.ts";
import type { QuietHours } from "../core/quiet-hours.ts";
import { setRemindersMuted } from "../core/reminders/preferences.ts";
import { runReminderScan } from "../core/reminders/scan.ts";
import { calendarDate } from "../core/time.ts";
import { recoverDeliveries } from "../worker/delivery/recovery.ts";
import { processReminderJob } from "../worker/reminders/processor.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";

let t: TestDatabase;
let redis: Redis;
let queue: DeliveryQueue;
const QUIET: QuietHours = { startMinute: 21 * 60, endMinute: 8 * 60 };
const clock = fixedClock(new Date("2026-12-01T10:00:00Z"));

beforeAll(async () => {
  t = await createTestDatabase();
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  queue = createDeliveryQueue(redis, testQueuePrefix());
});

afterAll(async () => {
  await queue?.obliterate({ force: true });
  await queue?.close();
  await redis?.quit();
  await t?.drop();
});

beforeEach(async () => {
  // Each test starts from an empty programme.
  await t.db.outboundMessage.deleteMany();
  await t.db.member.deleteMany();
  await t.db.household.deleteMany();
  await t.db.course.deleteMany();
  await queue.obliterate({ force: true });
});

let serial = 0;

async function household(): Promise<number> {
  serial += 1;
  const h = await t.db.household.create({
    data: {
      contractCode: `C-${serial}`,
      name: `Famiglia ${serial}`,
      fiscalCode: "X",
      municipality: "Brescia",
      address: "Via Roma 1",
    },
  });
  return h.id;
}

async function member(
  householdId: number | null,
  o: { language?: string; muted?: boolean; consent?: boolean; unreachable?: boolean } = {},
): Promise<number> {
  serial += 1;
  const m = await t.db.member.create({
    data: {
      telegramUserId: BigInt(100_000 + serial),
      chatId: BigInt(100_000 + serial),
      language: o.language ?? "it",
      householdId,
      linkedAt: householdId ? new Date("2026-11-01T10:00:00Z") : null,
      consentAt: o.consent === false ? null : new Date("2026-11-01T10:00:00Z"),
      remindersMuted: o.muted ?? false,
      unreachableAt: o.unreachable ? new Date("2026-11-20T10:00:00Z") : null,
    },
  });
  return m.id;
}

/** A plan of 10 monthly installments of 150 €; installment 3 falls on `due`. Returns installment 3's id. */
async function plan(
  householdId: number,
  due: [number, number, number],
  o: { status?: "active" | "cancelled"; paidCents?: number } = {},
): Promise<number> {
  serial += 1;
  const created = await t.db.repaymentPlan.create({
    data: {
      householdId,
      planCode: `PR-${serial}`,
      status: o.status ?? "active",
      installments: {
        create: Array.from({ length: 10 }, (_, i) => ({
          number: i + 1,
          dueDate: new Date(Date.UTC(due[0], due[1] - 1 + i - 2, due[2])),
          amountCents: 15_000,
          paidCents: i < 2 ? 15_000 : i === 2 ? (o.paidCents ?? 2_500) : 0,
        })),
      },
    },
    include: { installments: true },
  });
  return created.installments.find((i) => i.number === 3)?.id as number;
}

async function scan(at: string, quietHours: QuietHours = QUIET, pageSize?: number) {
  clock.set(new Date(at));
  return runReminderScan({ db: t.db, clock, deliveryQueue: queue, quietHours, pageSize });
}

async function purposes(): Promise<string[]> {
  return (await t.db.outboundMessage.findMany({ orderBy: { id: "asc" } })).map((m) => m.purpose);
}

async function queuedJobs(): Promise<number> {
  const counts = await queue.getJobCounts("waiting", "delayed", "active");
  return (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.active ?? 0);
}

describe("installments", () => {
  it("3 days before, on the day and 3 days late, each at 09:00 Rome time and not before", async () => {
    const h = await household();
    const m = await member(h);
    const inst = await plan(h, [2026, 12, 10]);

    expect((await scan("2026-12-07T07:59:00Z")).recorded).toBe(0); // 08:59 Rome
    const before = await scan("2026-12-07T08:00:00Z"); // 09:00
    expect(before.byKind["inst-before"]).toBe(1);
    expect((await scan("2026-12-07T08:05:00Z")).recorded).toBe(0); // the next scan: once only
    expect((await scan("2026-12-10T07:59:00Z")).recorded).toBe(0);
    expect((await scan("2026-12-10T08:00:00Z")).byKind["inst-due"]).toBe(1);
    expect((await scan("2026-12-13T07:59:00Z")).recorded).toBe(0);
    expect((await scan("2026-12-13T08:00:00Z")).byKind["inst-overdue"]).toBe(1);
    expect(await purposes()).toEqual([
      `reminder:inst-before:${inst}:${m}`,
      `reminder:inst-due:${inst}:${m}`,
      `reminder:inst-overdue:${inst}:${m}`,
    ]);
    expect(await queuedJobs()).toBe(3);

    const [early, today, late] = await t.db.outboundMessage.findMany({ orderBy: { id: "asc" } });
    expect(early?.text).toContain("10/12/2026");
    expect(early?.text).toContain("rata 3 di 10");
    expect(early?.text).toContain("125,00\u00a0€"); // what is left of it
    expect(early?.parseMode).toBe("HTML");
    expect(early?.memberId).toBe(m);
    // Early reminders can be muted from the message itself; essential ones carry no button.
    expect(early?.replyMarkup).toEqual({
      inline_keyboard: [[{ text: "🔕 Silenzia questi promemoria", callback_data: "rem:mute" }]],
    });
    expect(today?.replyMarkup).toBeNull();
    expect(late?.text).toContain("Rata non ancora pagata");
    expect(late?.replyMarkup).toBeNull();
  });

  it("nothing for a paid installment or a plan no longer active; overdue stops when paid", async () => {
    const h = await household();
    await member(h);
    await plan(h, [2026, 12, 10], { paidCents: 15_000 });
    const h2 = await household();
    await member(h2);
    await plan(h2, [2026, 12, 10], { status: "cancelled" });
    expect((await scan("2026-12-07T08:00:00Z")).recorded).toBe(0);
    expect((await scan("2026-12-10T08:00:00Z")).recorded).toBe(0);
    expect((await scan("2026-12-13T08:00:00Z")).recorded).toBe(0);
  });

  it("every linked member of the household, each in their language", async () => {
    const h = await household();
    const it_ = await member(h, { language: "it" });
    const en = await member(h, { language: "en" });
    const inst = await plan(h, [2026, 12, 10]);
    expect((await scan("2026-12-10T08:00:00Z")).recorded).toBe(2);
    const texts = await t.db.outboundMessage.findMany({ orderBy: { memberId: "asc" } });
    expect(texts.map((x) => x.purpose)).toEqual([
      `reminder:inst-due:${inst}:${it_}`,
      `reminder:inst-due:${inst}:${en}`,
    ]);
    expect(texts[0]?.text).toContain("Rata in scadenza oggi");
    expect(texts[1]?.text).toContain("Installment due today");
  });

  it("on the days the clocks change, at 09:00 Rome time (07:00Z in summer, 08:00Z in winter)", async () => {
    const h = await household();
    await member(h);
    await plan(h, [2026, 3, 29]);
    const h2 = await household();
    await member(h2);
    await plan(h2, [2026, 10, 25]);
    expect((await scan("2026-03-29T06:59:00Z")).byKind["inst-due"]).toBe(0);
    expect((await scan("2026-03-29T07:00:00Z")).byKind["inst-due"]).toBe(1);
    expect((await scan("2026-10-25T07:59:00Z")).byKind["inst-due"]).toBe(0); // 08:59 CET
    expect((await scan("2026-10-25T08:00:00Z")).byKind["inst-due"]).toBe(1);
  });
});

describe("documents", () => {
  it("7 days and 1 day before the deadline while missing or asked for, never once handed in", async () => {
    const h = await household();
    const m = await member(h);
    const isee = await t.db.documentRequirement.upsert({
      where: { key: "isee" },
      create: { key: "isee" },
      update: {},
    });
    const other = await t.db.documentRequirement.upsert({
      where: { key: "bollette <2025>" },
      create: { key: "bollette <2025>" },
      update: {},
    });
    const missing = await t.db.householdDocument.create({
      data: {
        householdId: h,
        requirementId: isee.id,
        status: "requested",
        dueDate: calendarDate(2026, 12, 15),
      },
    });
    const done = await t.db.householdDocument.create({
      data: {
        householdId: h,
        requirementId: other.id,
        status: "received",
        dueDate: calendarDate(2026, 12, 15),
      },
    });
    expect((await scan("2026-12-08T07:59:00Z")).recorded).toBe(0);
    expect((await scan("2026-12-08T08:00:00Z")).byKind["doc-7"]).toBe(1);
    expect((await scan("2026-12-14T07:59:00Z")).recorded).toBe(0);
    expect((await scan("2026-12-14T08:00:00Z")).byKind["doc-1"]).toBe(1);
    expect(await purposes()).toEqual([
      `reminder:doc-7:${missing.id}:${m}`,
      `reminder:doc-1:${missing.id}:${m}`,
    ]);
    const [week] = await t.db.outboundMessage.findMany({ orderBy: { id: "asc" } });
    expect(week?.text).toContain("ISEE");
    expect(week?.text).toContain("15/12/2026");

    // A document whose key has no texts shows the key, escaped.
    await t.db.householdDocument.update({ where: { id: done.id }, data: { status: "missing" } });
    expect((await scan("2026-12-14T08:10:00Z")).byKind["doc-1"]).toBe(1);
    const last = await t.db.outboundMessage.findFirstOrThrow({ orderBy: { id: "desc" } });
    expect(last.text).toContain("bollette &lt;2025&gt;");
  });
});

describe("courses", () => {
  async function session(startsAt: string, title = "Bilancio familiare") {
    serial += 1;
    const course = await t.db.course.create({
      data: {
        code: `K-${serial}`,
        title,
        description: "",
        municipality: "Brescia",
        sessions: {
          create: {
            startsAt: new Date(startsAt),
            endsAt: new Date(new Date(startsAt).getTime() + 7_200_000),
            location: "Sportello <ALER> & Co",
            capacity: 20,
          },
        },
      },
      include: { sessions: true },
    });
    return course.sessions[0]?.id as number;
  }
  async function enrol(sessionId: number, memberId: number, status: "enrolled" | "cancelled" = "enrolled") {
    await t.db.enrolment.create({ data: { sessionId, memberId, status } });
  }

  it("19:00 the evening before and 2 hours before, for enrolled members only", async () => {
    const s = await session("2026-12-09T14:00:00Z", "Corso <b>lavoro</b>"); // 15:00 Rome
    const h = await household();
    const m = await member(h, { language: "en" });
    await enrol(s, m);
    await enrol(s, await member(h), "cancelled");
    expect((await scan("2026-12-08T17:59:00Z")).recorded).toBe(0); // 18:59
    expect((await scan("2026-12-08T18:00:00Z")).byKind["course-eve"]).toBe(1); // 19:00
    expect((await scan("2026-12-09T11:59:00Z")).recorded).toBe(0);
    expect((await scan("2026-12-09T12:00:00Z")).byKind["course-2h"]).toBe(1); // 13:00
    expect((await scan("2026-12-09T13:30:00Z")).recorded).toBe(0);
    expect(await purposes()).toEqual([`reminder:course-eve:${s}:${m}`, `reminder:course-2h:${s}:${m}`]);
    const [eve] = await t.db.outboundMessage.findMany({ orderBy: { id: "asc" } });
    expect(eve?.text).toContain("Corso &lt;b&gt;lavoro&lt;/b&gt;");
    expect(eve?.text).toContain("Sportello &lt;ALER&gt; &amp; Co");
    expect(eve?.text).toContain("09/12/2026 15:00");
  });

  it("a course at 09:00 gets its '2 hours before' at 08:00 under quiet hours, at 07:00 without", async () => {
    const s = await session("2026-12-09T08:00:00Z"); // 09:00 Rome
    const h = await household();
    const m = await member(h);
    await enrol(s, m);
    expect((await scan("2026-12-09T06:00:00Z")).quiet).toBe(true); // 07:00: quiet
    expect(await purposes()).toEqual([]);
    expect((await scan("2026-12-09T07:00:00Z")).byKind["course-2h"]).toBe(1); // 08:00

    const s2 = await session("2026-12-10T08:00:00Z");
    await enrol(s2, m);
    expect((await scan("2026-12-10T06:00:00Z", null)).byKind["course-2h"]).toBe(1); // disabled: 07:00
  });

  it("a course at 07:30 gets no '2 hours before' (the morning comes too late)", async () => {
    const s = await session("2026-12-09T06:30:00Z"); // 07:30 Rome
    const h = await household();
    await enrol(s, await member(h));
    await scan("2026-12-08T18:00:00Z");
    expect((await scan("2026-12-09T07:00:00Z")).recorded).toBe(0);
    expect((await purposes()).map((p) => p.split(":")[1])).toEqual(["course-eve"]);
  });

  it("on the days the clocks change: the evening before at 19:00 Rome time", async () => {
    const spring = await session("2026-03-30T08:00:00Z"); // 30 March 10:00 CEST
    const autumn = await session("2026-10-26T09:00:00Z"); // 26 October 10:00 CET
    const h = await household();
    const m = await member(h);
    await enrol(spring, m);
    await enrol(autumn, m);
    expect((await scan("2026-03-29T16:59:00Z")).recorded).toBe(0); // 18:59 CEST
    expect((await scan("2026-03-29T17:00:00Z")).byKind["course-eve"]).toBe(1);
    expect((await scan("2026-10-25T17:59:00Z")).recorded).toBe(0); // 18:59 CET
    expect((await scan("2026-10-25T18:00:00Z")).byKind["course-eve"]).toBe(1);
  });
});

describe("muting", () => {
  it("withdraws the member's waiting non-essential reminders, keeps the essential ones", async () => {
    const h = await household();
    const m = await member(h);
    const other = await member(h);
    const inst = await plan(h, [2026, 12, 10]);
    expect((await scan("2026-12-07T08:00:00Z")).recorded).toBe(2); // 3 days before, both members
    const chatId = (await t.db.member.findUniqueOrThrow({ where: { id: m } })).chatId;
    await t.db.outboundMessage.create({
      data: { purpose: `reminder:inst-due:${inst}:${m}`, memberId: m, chatId, text: "due" },
    });
    expect(await setRemindersMuted(t.db, m, true)).toBe(1);
    const statuses = await t.db.outboundMessage.findMany({ orderBy: { id: "asc" } });
    expect(statuses.map((o) => [o.purpose, o.status])).toEqual([
      [`reminder:inst-before:${inst}:${m}`, "cancelled"],
      [`reminder:inst-before:${inst}:${other}`, "queued"],
      [`reminder:inst-due:${inst}:${m}`, "queued"],
    ]);
    expect(await setRemindersMuted(t.db, m, false)).toBe(0);
    expect((await t.db.member.findUniqueOrThrow({ where: { id: m } })).remindersMuted).toBe(false);
  });
});

describe("quiet hours", () => {
  it("record nothing while they hold; what is due goes out in the morning", async () => {
    const h = await household();
    await member(h);
    await plan(h, [2026, 12, 7]);
    // 22:00 on the third day late: the overdue reminder (due 09:00) is recorded, nothing at night.
    const night = await scan("2026-12-10T21:00:00Z");
    expect(night).toMatchObject({ quiet: true, recorded: 0 });
    expect(await purposes()).toEqual([]);
    // With quiet hours disabled the same moment is fine.
    expect((await scan("2026-12-10T21:00:00Z", null)).byKind["inst-overdue"]).toBe(1);
  });

  it("a due-day reminder missed at night (worker down all day) is not sent after its day", async () => {
    const h = await household();
    await member(h);
    await plan(h, [2026, 12, 7]);
    // Worker down from before 09:00 on the due day until the next morning: the day is over.
    expect((await scan("2026-12-08T07:00:00Z")).recorded).toBe(0);
  });
});

describe("after downtime", () => {
  it("the missed reminders still useful go out once, stale ones never", async () => {
    const h = await household();
    const m = await member(h);
    const inst = await plan(h, [2026, 12, 10]);
    // The worker was down from 6 December to the afternoon of the 10th: "3 days before" is stale,
    // "due today" is still useful.
    const back = await scan("2026-12-10T14:00:00Z");
    expect(back.recorded).toBe(1);
    expect(await purposes()).toEqual([`reminder:inst-due:${inst}:${m}`]);
    expect((await scan("2026-12-10T14:05:00Z")).recorded).toBe(0);
    // Down again until day 8: the overdue reminder's time (days 3–6) has passed; escalation has it.
    expect((await scan("2026-12-17T08:00:00Z")).recorded).toBe(0);
  });
});

describe("who gets nothing", () => {
  it("unreachable, unlinked and not-consented members; muted ones only the essential", async () => {
    const h = await household();
    await member(h, { unreachable: true });
    await member(h, { consent: false });
    const muted = await member(h, { muted: true });
    await member(null); // not linked: no household
    const inst = await plan(h, [2026, 12, 10]);
    const req = await t.db.documentRequirement.upsert({
      where: { key: "contract" },
      create: { key: "contract" },
      update: {},
    });
    const doc = await t.db.householdDocument.create({
      data: { householdId: h, requirementId: req.id, dueDate: calendarDate(2026, 12, 17) },
    });
    expect((await scan("2026-12-07T08:00:00Z")).recorded).toBe(0); // inst-before: muted
    expect((await scan("2026-12-10T08:00:00Z")).recorded).toBe(1); // doc-7 muted, inst-due sent
    // The overdue reminder (from the 13th) is essential too.
    expect((await scan("2026-12-16T08:00:00Z")).recorded).toBe(2);
    expect(await purposes()).toEqual([
      `reminder:inst-due:${inst}:${muted}`,
      `reminder:inst-overdue:${inst}:${muted}`,
      `reminder:doc-1:${doc.id}:${muted}`,
    ]);
  });
});

describe("running the scan twice or at once", () => {
  it("records and queues each reminder once, across many pages", async () => {
    for (let i = 0; i < 25; i++) {
      const h = await household();
      await member(h);
      await member(h, { language: i % 2 ? "ar" : "uk" });
      await plan(h, [2026, 12, 10]);
    }
    const at = "2026-12-10T09:00:00Z";
    clock.set(new Date(at));
    const deps = { db: t.db, clock, deliveryQueue: queue, quietHours: QUIET, pageSize: 7 };
    const results = await Promise.all([runReminderScan(deps), runReminderScan(deps), runReminderScan(deps)]);
    expect(results.reduce((sum, r) => sum + r.recorded, 0)).toBe(50);
    expect(await t.db.outboundMessage.count()).toBe(50);
    expect(new Set(await purposes()).size).toBe(50);
    expect(await queuedJobs()).toBe(50);
    expect((await scan(at, QUIET, 7)).recorded).toBe(0);
    expect(await queuedJobs()).toBe(50);
  });

  it("a reminder recorded by a scan that stopped before queueing it is queued by the worker's sweep", async () => {
    const h = await household();
    const m = await member(h);
    const inst = await plan(h, [2026, 12, 10]);
    expect((await scan("2026-12-10T08:00:00Z")).recorded).toBe(1);
    await queue.obliterate({ force: true }); // as if the worker died before queueing
    expect(await queuedJobs()).toBe(0);
    expect((await scan("2026-12-10T08:05:00Z")).recorded).toBe(0); // recorded once, whatever happens
    const sweep = { db: t.db, deliveryQueue: queue };
    expect((await recoverDeliveries(sweep)).requeued).toBe(0); // too recent: may still be on its way
    await t.db.$executeRaw`UPDATE "OutboundMessage" SET "createdAt" = now() - interval '1 minute'`;
    expect((await recoverDeliveries(sweep)).requeued).toBe(1);
    const job = (await queue.getJobs(["waiting"]))[0];
    const row = await t.db.outboundMessage.findUniqueOrThrow({
      where: { purpose: `reminder:inst-due:${inst}:${m}` },
    });
    expect(job?.data).toEqual({ outboundMessageId: row.id });
  });
});

describe("the schedule", () => {
  it("one scheduler every 5 minutes in Europe/Rome, however many workers start", async () => {
    const reminders = createRemindersQueue(redis, testQueuePrefix());
    try {
      await scheduleReminders(reminders);
      await scheduleReminders(reminders);
      const schedulers = await reminders.getJobSchedulers();
      expect(schedulers.map((s) => [s.key, s.pattern, s.tz])).toEqual([
        [REMINDERS_SCHEDULER, "*/5 * * * *", "Europe/Rome"],
      ]);
    } finally {
      await reminders.obliterate({ force: true });
      await reminders.close();
    }
  });

  it("the job carries nothing; anything else is refused", async () => {
    const deps = {
      db: t.db,
      clock,
      deliveryQueue: queue,
      quietHours: QUIET,
      logger: createLogger({ level: "silent" }),
    };
    clock.set(new Date("2026-12-10T09:00:00Z"));
    await expect(processReminderJob(deps, {})).resolves.toMatchObject({ recorded: 0, quiet: false });
    await expect(processReminderJob(deps, { memberId: 1 })).rejects.toThrow();
  });
});

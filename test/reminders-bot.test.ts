// Reminders as a household meets them: the real worker runs the scan job and delivers through the
// sandbox; the mute button, /privacy's toggle, and old buttons pressed again.
import { QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import { createRemindersQueue } from "../core/queues/reminders.ts";
import { calendarDate } from "../core/time.ts";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";
import type { SandboxUser, TranscriptEntry } from "./support/sandbox-user.ts";

// Monday 7 December 2026, 10:00 in Rome.
const clock = fixedClock(new Date("2026-12-07T09:00:00Z"));
let h: BotHarness;
let redis: Redis;
let remindersQueue: ReturnType<typeof createRemindersQueue>;
let remindersEvents: QueueEvents;
let anna: SandboxUser;
let householdId: number;

const buttons = (entry: TranscriptEntry | undefined) =>
  (entry?.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.callback_data ?? "");

/** What the 5-minute scheduler does: a scan job, run by the harness's real worker; waits for it. */
async function scanNow(): Promise<{ recorded: number }> {
  const job = await remindersQueue.add("scan", {});
  return job.waitUntilFinished(remindersEvents, 15_000);
}

async function muted(user: SandboxUser): Promise<boolean> {
  const m = await h.db.member.findUniqueOrThrow({ where: { telegramUserId: BigInt(user.id) } });
  return m.remindersMuted;
}

beforeAll(async () => {
  h = await startBotHarness({ clock });
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  remindersQueue = createRemindersQueue(redis, h.deliveryQueue.opts.prefix as string);
  remindersEvents = new QueueEvents(remindersQueue.name, {
    connection: { host: "127.0.0.1", port: 6379 }, // its own connection, closed with it
    prefix: h.deliveryQueue.opts.prefix as string,
  });
  await remindersEvents.waitUntilReady();
  anna = await h.linkedUser("REM-1", { firstName: "Anna" });
  householdId = await h.household("REM-1");
  await h.db.repaymentPlan.create({
    data: {
      householdId,
      planCode: "PR-REM-1",
      installments: {
        create: [
          { number: 1, dueDate: calendarDate(2026, 11, 10) as Date, amountCents: 20_000, paidCents: 20_000 },
          { number: 2, dueDate: calendarDate(2026, 12, 10) as Date, amountCents: 20_000 },
        ],
      },
    },
  });
}, 60_000);

afterAll(async () => {
  await remindersEvents?.close();
  await remindersQueue?.obliterate({ force: true });
  await remindersQueue?.close();
  await redis?.quit();
  await h?.close();
});

describe("reminders through the worker and the sandbox", () => {
  it("an early reminder reaches the chat once, with a button to mute; pressing it mutes", async () => {
    expect(await scanNow()).toMatchObject({ recorded: 1 });
    const [reminder] = await anna.replies(1, 15_000);
    expect(reminder?.text).toContain("Rata in arrivo");
    expect(reminder?.text).toContain("rata 2 di 2");
    expect(reminder?.text).toContain("200,00\u00a0€");
    expect(buttons(reminder)).toEqual(["rem:mute"]);
    expect(await scanNow()).toMatchObject({ recorded: 0 }); // the second scan records nothing again
    expect(await anna.quietFor(1000)).toEqual([]);

    await anna.press(reminder?.message_id ?? 0, "rem:mute");
    const [answer] = await anna.replies(1);
    expect(answer?.text).toContain("niente più promemoria in anticipo");
    expect(answer?.text).toContain("/privacy");
    expect(buttons(answer)).toEqual(["rem:unmute"]);
    expect(await muted(anna)).toBe(true);

    // The same old button again: still muted, the same answer, nothing breaks.
    await anna.press(reminder?.message_id ?? 0, "rem:mute");
    expect((await anna.replies(1))[0]?.text).toContain("niente più promemoria in anticipo");
    expect(await muted(anna)).toBe(true);
  }, 60_000);

  it("while muted only the essential ones come; /privacy shows it and turns them back on", async () => {
    const isee = await h.db.documentRequirement.upsert({
      where: { key: "isee" },
      create: { key: "isee" },
      update: {},
    });
    // Deadline on the 17th: "a week before" is due on the 10th with the installment's own day.
    await h.db.householdDocument.upsert({
      where: { householdId_requirementId: { householdId, requirementId: isee.id } },
      create: { householdId, requirementId: isee.id, status: "missing", dueDate: calendarDate(2026, 12, 17) },
      update: { status: "missing", dueDate: calendarDate(2026, 12, 17) },
    });
    clock.set(new Date("2026-12-10T08:30:00Z")); // 09:30 on the due day
    expect(await scanNow()).toMatchObject({ recorded: 1 }); // the due day's, not the document's
    const [due] = await anna.replies(1, 15_000);
    expect(due?.text).toContain("Rata in scadenza oggi");
    expect(buttons(due)).toEqual([]);
    expect(await anna.quietFor(1500)).toEqual([]); // no document reminder: muted

    const privacy = await anna.ask("/privacy");
    expect(privacy.text).toContain("Promemoria in anticipo e dei corsi: silenziati");
    expect(buttons(privacy)).toContain("rem:unmute");
    await anna.press(privacy.message_id, "rem:unmute");
    expect((await anna.replies(1))[0]?.text).toContain("I promemoria sono di nuovo attivi");
    expect(await muted(anna)).toBe(false);
    expect(buttons(await anna.ask("/privacy"))).toContain("rem:mute");

    // Unmuted, the document reminder still useful goes out at the next scan.
    clock.set(new Date("2026-12-10T08:35:00Z"));
    await scanNow();
    const [doc] = await anna.replies(1, 15_000);
    expect(doc?.text).toContain("ISEE");
    expect(doc?.text).toContain("17/12/2026");
    expect(buttons(doc)).toEqual(["rem:mute"]);
  }, 60_000);

  it("an English member gets English texts, and the mute button works for them too", async () => {
    const ed = await h.linkedUser("REM-2", { firstName: "Ed", language: "en" });
    const course = await h.db.course.create({
      data: {
        code: "REM-K1",
        title: "Job orientation",
        description: "",
        municipality: "Brescia",
        sessions: {
          create: {
            startsAt: new Date("2026-12-11T09:00:00Z"), // 10:00 Rome
            endsAt: new Date("2026-12-11T11:00:00Z"),
            location: "ALER office, Brescia",
            capacity: 10,
          },
        },
      },
      include: { sessions: true },
    });
    const member = await h.db.member.findUniqueOrThrow({ where: { telegramUserId: BigInt(ed.id) } });
    await h.db.enrolment.create({
      data: { sessionId: course.sessions[0]?.id as number, memberId: member.id },
    });
    clock.set(new Date("2026-12-10T18:00:00Z")); // 19:00 the evening before
    await scanNow();
    const [eve] = await ed.replies(1, 15_000);
    expect(eve?.text).toContain("Course reminder");
    expect(eve?.text).toContain("11/12/2026 10:00");
    expect(eve?.text).toContain("ALER office, Brescia");
    await ed.press(eve?.message_id ?? 0, "rem:mute");
    expect((await ed.replies(1))[0]?.text).toContain("no more early reminders");
    expect(await h.badRequests()).toEqual([]);
  }, 60_000);
});

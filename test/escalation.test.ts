// The escalation rules against real PostgreSQL and Redis, each at its boundary, with a fixed clock:
// overdue installments, broken plans, unanswered cases (office hours, weekends, Italian holidays)
// and silent households. Running a rule twice, or twice at once, changes nothing the second time.
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { postHouseholdMessage, replyToCase } from "../core/cases.ts";
import { fixedClock } from "../core/clock.ts";
import type { EscalationDeps } from "../core/escalation/deps.ts";
import { nudgeSilentHouseholds } from "../core/escalation/nudge.ts";
import { MAX_POSTS_PER_RUN } from "../core/escalation/operators-group.ts";
import { markBrokenPlans, openOverdueCases } from "../core/escalation/overdue.ts";
import { escalateLateCases, slaDeadline } from "../core/escalation/sla.ts";
import { recordUrgentWorry } from "../core/escalation/worry-case.ts";
import { formatMoney } from "../core/money.ts";
import { createDeliveryQueue, type DeliveryQueue } from "../core/queues/delivery.ts";
import { isQuiet } from "../core/quiet-hours.ts";
import { formatRomeDateTime } from "../core/time.ts";
import { runEscalation } from "../worker/escalation/processor.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";

const GROUP = -1_001_234_567_890n;
const DAY = 24 * 60 * 60 * 1000;

let t: TestDatabase;
let redis: Redis;
let queue: DeliveryQueue;

beforeAll(async () => {
  t = await createTestDatabase();
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  queue = createDeliveryQueue(redis, testQueuePrefix());
});
afterAll(async () => {
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
  await redis?.quit();
  await t?.drop();
});
beforeEach(async () => {
  await t.db.$executeRawUnsafe(
    `TRUNCATE "Household", "Member", "Staff", "OutboundMessage", "Alert", "AuditLog" RESTART IDENTITY CASCADE`,
  );
});

function deps(now: Date | string, over: Partial<EscalationDeps> = {}): EscalationDeps {
  return {
    db: t.db,
    clock: fixedClock(new Date(now)),
    deliveryQueue: queue,
    operatorsChatId: GROUP,
    caseSlaHours: 8,
    quietHours: null,
    ...over,
  };
}

let serial = 0;
async function household(): Promise<number> {
  serial++;
  const created = await t.db.household.create({
    data: {
      contractCode: `ESC-${serial}`,
      name: `Famiglia ${serial}`,
      fiscalCode: "TSTFML80A01B157X",
      municipality: "Brescia",
      address: "Via Roma 1",
    },
  });
  return created.id;
}

async function member(householdId: number, data: { remindersMuted?: boolean; unreachable?: boolean } = {}) {
  serial++;
  const id = BigInt(8_000_000_000 + serial);
  return t.db.member.create({
    data: {
      telegramUserId: id,
      chatId: id,
      householdId,
      language: "en",
      linkedAt: new Date("2026-01-01T00:00:00Z"),
      consentAt: new Date("2026-01-01T00:00:00Z"),
      remindersMuted: data.remindersMuted ?? false,
      unreachableAt: data.unreachable ? new Date("2026-01-01T00:00:00Z") : null,
    },
  });
}

async function plan(
  householdId: number,
  installments: { due: string; amount?: number; paid?: number }[],
  status: "active" | "completed" = "active",
) {
  serial++;
  return t.db.repaymentPlan.create({
    data: {
      householdId,
      planCode: `PR-${serial}`,
      status,
      installments: {
        create: installments.map((i, n) => ({
          number: n + 1,
          dueDate: new Date(`${i.due}T00:00:00Z`),
          amountCents: i.amount ?? 10_000,
          paidCents: i.paid ?? 0,
        })),
      },
    },
    include: { installments: { orderBy: { number: "asc" } } },
  });
}

async function groupPosts() {
  return t.db.outboundMessage.findMany({ where: { chatId: GROUP }, orderBy: { id: "asc" } });
}

describe("overdue installments", () => {
  // Due Monday 2 November 2026. Seven days later is Monday 9 November in Rome — which starts at
  // 23:00 UTC on the 8th.
  const SIX_DAYS = "2026-11-08T22:59:00Z"; // Sunday 8 November 23:59 in Rome
  const SEVEN_DAYS = "2026-11-08T23:01:00Z"; // Monday 9 November 00:01 in Rome

  it("opens a case 7 days after the due date (Rome calendar), not 6, once", async () => {
    const householdId = await household();
    const p = await plan(householdId, [{ due: "2026-11-02", amount: 12_345 }, { due: "2026-12-02" }]);
    const installment = p.installments[0];

    expect(await openOverdueCases(deps(SIX_DAYS))).toEqual({ opened: 0, noted: 0 });
    expect(await t.db.case.count()).toBe(0);

    expect(await openOverdueCases(deps(SEVEN_DAYS))).toEqual({ opened: 1, noted: 0 });
    const opened = await t.db.case.findFirstOrThrow({ include: { messages: true } });
    expect(opened).toMatchObject({
      householdId,
      source: "overdue",
      dedupeKey: `overdue:${installment?.id}`,
      status: "open",
      urgent: false,
      topic: "debt",
    });
    expect(opened.messages).toHaveLength(1);
    expect(opened.messages[0]?.author).toBe("system");
    expect(opened.messages[0]?.text).toContain(formatMoney(12_345));
    expect(opened.messages[0]?.text).toContain("02/11/2026");

    const posts = await groupPosts();
    expect(posts.map((m) => m.purpose)).toEqual([`ops:case:${opened.id}:opened`]);
    expect(posts[0]?.caseId).toBe(opened.id);
    expect(posts[0]?.memberId).toBeNull();
    expect(posts[0]?.text).toContain(`#${opened.id}`);
    expect(posts[0]?.text).not.toContain("Famiglia"); // no names

    // Again, and again a week later: nothing new.
    expect(await openOverdueCases(deps(SEVEN_DAYS))).toEqual({ opened: 0, noted: 0 });
    expect(await openOverdueCases(deps(new Date(Date.parse(SEVEN_DAYS) + 7 * DAY)))).toEqual({
      opened: 0,
      noted: 0,
    });
    expect(await t.db.case.count()).toBe(1);
    expect(await groupPosts()).toHaveLength(1);
  });

  it("a payment by the household since the due date prevents the case; one before it does not", async () => {
    const paidSince = await household();
    await plan(paidSince, [{ due: "2026-11-02" }]);
    await t.db.payment.create({
      data: {
        householdId: paidSince,
        paymentDate: new Date("2026-11-02T00:00:00Z"),
        amountCents: 5_000,
        reference: "PAY-SINCE",
      },
    });
    const paidBefore = await household();
    await plan(paidBefore, [{ due: "2026-11-02" }]);
    await t.db.payment.create({
      data: {
        householdId: paidBefore,
        paymentDate: new Date("2026-11-01T00:00:00Z"),
        amountCents: 5_000,
        reference: "PAY-BEFORE",
      },
    });
    expect(await openOverdueCases(deps(SEVEN_DAYS))).toEqual({ opened: 1, noted: 0 });
    expect((await t.db.case.findMany()).map((c) => c.householdId)).toEqual([paidBefore]);
  });

  it("ignores paid installments and plans that are not active", async () => {
    const h1 = await household();
    await plan(h1, [{ due: "2026-11-02", amount: 10_000, paid: 10_000 }]);
    const h2 = await household();
    await plan(h2, [{ due: "2026-11-02" }], "completed");
    expect(await openOverdueCases(deps(SEVEN_DAYS))).toEqual({ opened: 0, noted: 0 });
    expect(await t.db.case.count()).toBe(0);
  });

  it("notes it in the household's active case instead of opening another, once", async () => {
    const householdId = await household();
    const m = await member(householdId);
    const asked = await postHouseholdMessage(t.db, fixedClock(new Date("2026-11-05T10:00:00Z")), {
      householdId,
      memberId: m.id,
      text: "Help with the plan",
      topic: "debt",
    });
    expect(asked.status).toBe("opened");
    const p = await plan(householdId, [{ due: "2026-11-02" }]);

    expect(await openOverdueCases(deps(SEVEN_DAYS))).toEqual({ opened: 0, noted: 1 });
    expect(await openOverdueCases(deps(SEVEN_DAYS))).toEqual({ opened: 0, noted: 0 });
    const cases = await t.db.case.findMany({ include: { messages: { orderBy: { id: "asc" } } } });
    expect(cases).toHaveLength(1);
    expect(cases[0]?.messages.map((m) => m.author)).toEqual(["household", "system"]);
    const marker = await t.db.alert.findUniqueOrThrow({
      where: { dedupeKey: `overdue:${p.installments[0]?.id}` },
    });
    expect(marker.kind).toBe("overdue-noted");
    expect(marker.acknowledgedAt).not.toBeNull(); // not an alert coordinators must act on
  });

  it("two runs at once open one case", async () => {
    const householdId = await household();
    await plan(householdId, [{ due: "2026-11-02" }]);
    const results = await Promise.all([
      openOverdueCases(deps(SEVEN_DAYS)),
      openOverdueCases(deps(SEVEN_DAYS)),
    ]);
    expect(results.reduce((sum, r) => sum + r.opened + r.noted, 0)).toBe(1);
    expect(await t.db.case.count()).toBe(1);
    expect(await t.db.caseMessage.count()).toBe(1);
    expect(await groupPosts()).toHaveLength(1);
  });

  it("posts at most 10 new cases one by one per run, and one summary for the rest", async () => {
    for (let i = 0; i < 13; i++) await plan(await household(), [{ due: "2026-11-02" }]);
    expect(await openOverdueCases(deps(SEVEN_DAYS))).toEqual({ opened: 13, noted: 0 });
    const posts = await groupPosts();
    expect(posts.filter((p) => p.purpose.endsWith(":opened"))).toHaveLength(MAX_POSTS_PER_RUN);
    const summary = posts.filter((p) => p.purpose.startsWith("ops:summary:overdue:"));
    expect(summary).toHaveLength(1);
    expect(summary[0]?.caseId).toBeNull();
    expect(summary[0]?.text).toContain("E altri 3 casi (rata scaduta)");
    expect(posts).toHaveLength(MAX_POSTS_PER_RUN + 1);
  });

  it("posts nothing without an operators' group", async () => {
    const householdId = await household();
    await plan(householdId, [{ due: "2026-11-02" }]);
    expect(await openOverdueCases(deps(SEVEN_DAYS, { operatorsChatId: undefined }))).toEqual({
      opened: 1,
      noted: 0,
    });
    expect(await t.db.outboundMessage.count()).toBe(0);
  });
});

describe("broken plans", () => {
  it("one missed installment is not enough; two break the plan and alert once", async () => {
    const householdId = await household();
    const p = await plan(householdId, [{ due: "2026-10-01" }, { due: "2026-11-02" }, { due: "2026-12-01" }]);

    // 8 November in Rome: the second installment is only 6 days late.
    expect(await markBrokenPlans(deps("2026-11-08T12:00:00Z"))).toEqual({ broken: 0 });
    expect((await t.db.repaymentPlan.findUniqueOrThrow({ where: { id: p.id } })).status).toBe("active");

    const at = new Date("2026-11-09T12:00:00Z");
    expect(await markBrokenPlans(deps(at))).toEqual({ broken: 1 });
    const broken = await t.db.repaymentPlan.findUniqueOrThrow({ where: { id: p.id } });
    expect(broken.status).toBe("broken");
    expect(broken.brokenAt).toEqual(at);
    const alert = await t.db.alert.findUniqueOrThrow({ where: { dedupeKey: `plan-broken:${p.id}` } });
    expect(alert).toMatchObject({ kind: "plan-broken", planId: p.id, householdId, acknowledgedAt: null });
    const opened = await t.db.case.findFirstOrThrow();
    expect(opened).toMatchObject({ source: "plan_broken", dedupeKey: `plan-broken:${p.id}` });
    expect(alert.caseId).toBe(opened.id);
    expect((await groupPosts()).map((m) => m.purpose)).toEqual([`ops:case:${opened.id}:opened`]);

    expect(await markBrokenPlans(deps(at))).toEqual({ broken: 0 });
    expect(await t.db.alert.count()).toBe(1);
    expect(await groupPosts()).toHaveLength(1);
  });

  it("two runs at once break the plan once", async () => {
    const householdId = await household();
    await plan(householdId, [{ due: "2026-10-01" }, { due: "2026-10-15" }]);
    const results = await Promise.all([
      markBrokenPlans(deps("2026-11-09T12:00:00Z")),
      markBrokenPlans(deps("2026-11-09T12:00:00Z")),
    ]);
    expect(results.map((r) => r.broken).sort()).toEqual([0, 1]);
    expect(await t.db.alert.count()).toBe(1);
    expect(await t.db.case.count()).toBe(1);
  });

  it("the whole run: an overdue case first, then the broken plan noted in it and alerted", async () => {
    const householdId = await household();
    await plan(householdId, [{ due: "2026-10-01" }, { due: "2026-11-02" }]);
    const first = await runEscalation(deps("2026-11-09T12:00:00Z"));
    expect(first).toMatchObject({ overdueOpened: 1, overdueNoted: 1, plansBroken: 1 });
    expect(await t.db.case.count()).toBe(1);
    expect(await t.db.alert.count({ where: { kind: "plan-broken", acknowledgedAt: null } })).toBe(1);
    const again = await runEscalation(deps("2026-11-09T12:00:00Z"));
    expect(again).toEqual({
      overdueOpened: 0,
      overdueNoted: 0,
      plansBroken: 0,
      casesEscalated: 0,
      householdsNudged: 0,
      missedPostsSent: 0,
    });
  });
});

describe("cases past their answer time", () => {
  const rome = (iso: string, hours = 8) => formatRomeDateTime(slaDeadline(new Date(iso), hours));

  it("counts office hours across weekends and Italian holidays", () => {
    expect(rome("2026-12-04T15:00:00Z")).toBe("07/12/2026 16:00"); // Fri 16:00 → Mon 16:00
    expect(rome("2026-12-07T14:00:00Z")).toBe("09/12/2026 15:00"); // Mon 15:00, 8 Dec → Wed 15:00
    expect(rome("2026-12-24T15:00:00Z")).toBe("28/12/2026 16:00"); // Christmas and St Stephen's
    expect(rome("2027-03-26T09:00:00Z")).toBe("30/03/2027 10:00"); // Easter Monday 29 March 2027
    expect(rome("2026-12-07T14:00:00Z", 16)).toBe("10/12/2026 15:00"); // CASE_SLA_HOURS=16
    expect(rome("2026-12-05T10:00:00Z", 1)).toBe("07/12/2026 10:00"); // Saturday, 1 hour
  });

  async function openCase(at: string) {
    const householdId = await household();
    const m = await member(householdId);
    const result = await postHouseholdMessage(t.db, fixedClock(new Date(at)), {
      householdId,
      memberId: m.id,
      text: "Please call me about the plan",
      topic: "debt",
    });
    if (result.status !== "opened") throw new Error("no case");
    return { caseId: result.caseId, householdId, memberId: m.id };
  }

  it("posts a case whose post to the group was lost (the bot stopped before posting), once", async () => {
    const { caseId } = await openCase("2026-12-01T09:00:00Z");
    const posts = () => t.db.outboundMessage.count({ where: { chatId: GROUP, caseId } });
    // A minute later the bot may still be posting it itself: left alone.
    expect(await runEscalation(deps("2026-12-01T09:01:00Z"))).toMatchObject({ missedPostsSent: 0 });
    expect(await posts()).toBe(0);
    expect(await runEscalation(deps("2026-12-01T09:15:00Z"))).toMatchObject({ missedPostsSent: 1 });
    const post = await t.db.outboundMessage.findFirstOrThrow({ where: { chatId: GROUP, caseId } });
    expect(post.purpose).toBe(`ops:case:${caseId}:opened`);
    expect(post.text).toContain("Please call me about the plan");
    expect(await runEscalation(deps("2026-12-01T09:30:00Z"))).toMatchObject({ missedPostsSent: 0 });
    expect(await posts()).toBe(1);
    // Without an operators' group, or a day later, nothing is swept.
    const other = await openCase("2026-12-01T09:00:00Z");
    await runEscalation(deps("2026-12-01T09:15:00Z", { operatorsChatId: undefined }));
    await runEscalation(deps("2026-12-02T09:15:00Z"));
    expect(await t.db.outboundMessage.count({ where: { purpose: `ops:case:${other.caseId}:opened` } })).toBe(
      0,
    );
  });

  it("escalates at the deadline across a weekend, not a minute before, once", async () => {
    const { caseId } = await openCase("2026-12-04T15:00:00Z"); // Friday 16:00
    expect(await escalateLateCases(deps("2026-12-05T15:00:00Z"))).toEqual({ escalated: 0 }); // Saturday
    expect(await escalateLateCases(deps("2026-12-07T14:59:00Z"))).toEqual({ escalated: 0 }); // Mon 15:59
    const at = new Date("2026-12-07T15:00:00Z");
    expect(await escalateLateCases(deps(at))).toEqual({ escalated: 1 });
    expect((await t.db.case.findUniqueOrThrow({ where: { id: caseId } })).escalatedAt).toEqual(at);
    const alert = await t.db.alert.findFirstOrThrow({ where: { kind: "case-sla" } });
    expect(alert.dedupeKey).toBe(`case-sla:${caseId}:${Date.parse("2026-12-04T15:00:00Z")}`);
    expect(alert.caseId).toBe(caseId);
    const posts = await groupPosts();
    expect(posts.map((p) => p.purpose)).toEqual([
      `ops:case:${caseId}:escalated:${Date.parse("2026-12-04T15:00:00Z")}`,
    ]);
    expect(posts[0]?.text).toContain("04/12/2026 16:00");
    expect(posts[0]?.text).toContain("Please call me about the plan");

    expect(await escalateLateCases(deps("2026-12-07T16:00:00Z"))).toEqual({ escalated: 0 });
    expect(await t.db.alert.count()).toBe(1);
  });

  it("skips 8 December (Immacolata) and 25–26 December", async () => {
    await openCase("2026-12-07T14:00:00Z"); // Monday 15:00; Tuesday 8 December is a holiday
    expect(await escalateLateCases(deps("2026-12-08T16:00:00Z"))).toEqual({ escalated: 0 });
    expect(await escalateLateCases(deps("2026-12-09T13:59:00Z"))).toEqual({ escalated: 0 });
    expect(await escalateLateCases(deps("2026-12-09T14:00:00Z"))).toEqual({ escalated: 1 });

    await openCase("2026-12-24T15:00:00Z"); // Thursday 24 December 16:00
    expect(await escalateLateCases(deps("2026-12-28T14:59:00Z"))).toEqual({ escalated: 0 });
    expect(await escalateLateCases(deps("2026-12-28T15:00:00Z"))).toEqual({ escalated: 1 });
  });

  it("skips Easter Monday 2027 across the change to summer time", async () => {
    await openCase("2027-03-26T09:00:00Z"); // Friday 26 March 10:00 (UTC+1)
    expect(await escalateLateCases(deps("2027-03-29T15:00:00Z"))).toEqual({ escalated: 0 }); // Easter Monday
    expect(await escalateLateCases(deps("2027-03-30T07:59:00Z"))).toEqual({ escalated: 0 });
    expect(await escalateLateCases(deps("2027-03-30T08:00:00Z"))).toEqual({ escalated: 1 }); // 10:00 UTC+2
  });

  it("follows CASE_SLA_HOURS", async () => {
    await openCase("2026-12-07T14:00:00Z"); // Monday 15:00
    const sixteen = { caseSlaHours: 16 };
    expect(await escalateLateCases(deps("2026-12-09T14:00:00Z", sixteen))).toEqual({ escalated: 0 });
    expect(await escalateLateCases(deps("2026-12-10T13:59:00Z", sixteen))).toEqual({ escalated: 0 });
    expect(await escalateLateCases(deps("2026-12-10T14:00:00Z", sixteen))).toEqual({ escalated: 1 });
    expect((await groupPosts())[0]?.text).toContain("16");
  });

  it("counts from the first unanswered message; an answer stops it; a new message starts again", async () => {
    const { caseId, householdId, memberId } = await openCase("2026-11-30T09:00:00Z"); // Mon 10:00
    // The household writes again on Tuesday morning: the deadline stays Tuesday 10:00.
    await postHouseholdMessage(t.db, fixedClock(new Date("2026-12-01T08:30:00Z")), {
      householdId,
      memberId,
      text: "Anyone?",
    });
    expect(await escalateLateCases(deps("2026-12-01T09:00:00Z"))).toEqual({ escalated: 1 });

    // An operator answers; the case waits for the household and is not late any more.
    const staff = await t.db.staff.create({
      data: { email: "op@example.org", role: "operator", passwordHash: "x" },
    });
    const d = deps("2026-12-01T10:00:00Z");
    expect((await replyToCase(d, { caseId, staffId: staff.id, text: "Here I am" })).status).toBe("sent");
    expect(await escalateLateCases(deps("2026-12-10T10:00:00Z"))).toEqual({ escalated: 0 });

    // The household answers on Wednesday 10:00: a new deadline, a new escalation, once.
    await postHouseholdMessage(t.db, fixedClock(new Date("2026-12-02T09:00:00Z")), {
      householdId,
      memberId,
      text: "Thanks, one more question",
    });
    expect(await escalateLateCases(deps("2026-12-03T08:59:00Z"))).toEqual({ escalated: 0 });
    const both = await Promise.all([
      escalateLateCases(deps("2026-12-03T09:00:00Z")),
      escalateLateCases(deps("2026-12-03T09:00:00Z")),
    ]);
    expect(both.map((r) => r.escalated).sort()).toEqual([0, 1]);
    expect(await t.db.alert.count({ where: { kind: "case-sla", caseId } })).toBe(2);
    expect((await groupPosts()).filter((p) => p.purpose.includes(":escalated:"))).toHaveLength(2);
  });

  it("leaves closed cases and cases opened by a rule (no household message) alone", async () => {
    const { caseId } = await openCase("2026-11-30T09:00:00Z");
    await t.db.case.update({ where: { id: caseId }, data: { status: "closed", closedAt: new Date() } });
    const householdId = await household();
    await plan(householdId, [{ due: "2026-11-02" }]);
    await openOverdueCases(deps("2026-11-09T12:00:00Z"));
    expect(await escalateLateCases(deps("2026-12-31T12:00:00Z"))).toEqual({ escalated: 0 });
  });
});

describe("silent households", () => {
  async function waitingCase(operatorAt: string) {
    const householdId = await household();
    const m = await member(householdId);
    const opened = await postHouseholdMessage(t.db, fixedClock(new Date(Date.parse(operatorAt) - DAY)), {
      householdId,
      memberId: m.id,
      text: "Question",
      topic: "documents",
    });
    if (opened.status !== "opened") throw new Error("no case");
    const staff = await t.db.staff.create({
      data: { email: `op${serial}@example.org`, role: "operator", passwordHash: "x" },
    });
    const replied = await replyToCase(deps(operatorAt), {
      caseId: opened.caseId,
      staffId: staff.id,
      text: "Can you send the ISEE?",
    });
    if (replied.status !== "sent") throw new Error("no reply");
    return { caseId: opened.caseId, householdId, member: m, staffId: staff.id };
  }

  const nudges = () => t.db.outboundMessage.findMany({ where: { purpose: { startsWith: "nudge:" } } });

  it("nudges 14 days after the operator's question, not 13, and only once", async () => {
    const asked = "2026-11-02T10:00:00Z";
    const { caseId, member: m } = await waitingCase(asked);
    const none = { nudged: 0, messages: 0 };
    expect(await nudgeSilentHouseholds(deps(new Date(Date.parse(asked) + 13 * DAY)))).toEqual(none);
    expect(await nudgeSilentHouseholds(deps(new Date(Date.parse(asked) + 14 * DAY - 60_000)))).toEqual(none);
    const at = new Date(Date.parse(asked) + 14 * DAY);
    expect(await nudgeSilentHouseholds(deps(at))).toEqual({ nudged: 1, messages: 1 });
    const sent = await nudges();
    expect(sent.map((n) => n.purpose)).toEqual([`nudge:${caseId}:${Date.parse(asked)}:${m.id}`]);
    expect(sent[0]?.text).toContain("02/11/2026");
    expect(sent[0]?.memberId).toBe(m.id);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: caseId } })).nudgedAt).toEqual(at);

    expect(await nudgeSilentHouseholds(deps(new Date(at.getTime() + 7 * DAY)))).toEqual({
      nudged: 0,
      messages: 0,
    });
    expect(await nudges()).toHaveLength(1);
  });

  it("does not nudge a household that answered; nudges again after a new question", async () => {
    const asked = "2026-11-02T10:00:00Z";
    const { caseId, householdId, member: m, staffId } = await waitingCase(asked);
    await postHouseholdMessage(t.db, fixedClock(new Date("2026-11-03T10:00:00Z")), {
      householdId,
      memberId: m.id,
      text: "I will bring it",
    });
    expect(await nudgeSilentHouseholds(deps("2026-12-01T10:00:00Z"))).toEqual({ nudged: 0, messages: 0 });

    await replyToCase(deps("2026-11-04T10:00:00Z"), { caseId, staffId, text: "Thanks, and the contract?" });
    expect(await nudgeSilentHouseholds(deps("2026-11-18T10:00:00Z"))).toEqual({ nudged: 1, messages: 1 });
    expect(await nudgeSilentHouseholds(deps("2026-11-19T10:00:00Z"))).toEqual({ nudged: 0, messages: 0 });
  });

  it("reaches linked members only (not muted, not unreachable), never in quiet hours, once when run twice at once", async () => {
    const asked = "2026-11-02T10:00:00Z";
    const { householdId, member: m } = await waitingCase(asked);
    await member(householdId, { remindersMuted: true });
    await member(householdId, { unreachable: true });
    const quietHours = { startMinute: 21 * 60, endMinute: 8 * 60 };
    // 23:00 in Rome: quiet.
    expect(await nudgeSilentHouseholds(deps("2026-11-20T22:00:00Z", { quietHours }))).toEqual({
      nudged: 0,
      messages: 0,
    });
    const both = await Promise.all([
      nudgeSilentHouseholds(deps("2026-11-21T09:00:00Z", { quietHours })),
      nudgeSilentHouseholds(deps("2026-11-21T09:00:00Z", { quietHours })),
    ]);
    expect(both.reduce((sum, r) => sum + r.nudged, 0)).toBe(1);
    expect((await nudges()).map((n) => n.memberId)).toEqual([m.id]);
  });

  it("knows quiet hours that cross midnight", () => {
    const quiet = { startMinute: 21 * 60, endMinute: 8 * 60 };
    expect(isQuiet(new Date("2026-11-20T19:59:00Z"), quiet)).toBe(false); // 20:59
    expect(isQuiet(new Date("2026-11-20T20:00:00Z"), quiet)).toBe(true); // 21:00
    expect(isQuiet(new Date("2026-11-21T06:59:00Z"), quiet)).toBe(true); // 07:59
    expect(isQuiet(new Date("2026-11-21T07:00:00Z"), quiet)).toBe(false); // 08:00
    expect(isQuiet(new Date("2026-11-21T03:00:00Z"), null)).toBe(false);
  });
});

describe("urgent worry cases (core)", () => {
  it("opens an urgent case once for an update handled twice, and posts it once", async () => {
    const householdId = await household();
    const m = await member(householdId);
    const d = deps("2026-11-30T09:00:00Z");
    const input = {
      householdId,
      memberId: m.id,
      text: "We got an eviction notice",
      level: "housing" as const,
      signals: ["eviction" as const],
      sourceUpdateId: 501,
    };
    const first = await recordUrgentWorry(d, input);
    const again = await recordUrgentWorry(d, input);
    expect(first).toMatchObject({ opened: true, stored: true });
    expect(again).toEqual({ caseId: first.caseId, opened: true, stored: false });
    expect(await t.db.caseMessage.count({ where: { caseId: first.caseId, author: "household" } })).toBe(1);
    expect((await groupPosts()).map((p) => p.purpose)).toEqual([`ops:case:${first.caseId}:opened`]);

    // A second urgent message in the same case: noted, posted, still one case.
    const next = await recordUrgentWorry(d, {
      ...input,
      text: "They cut off the electricity",
      signals: ["utilities"],
      sourceUpdateId: 502,
    });
    expect(next).toMatchObject({ caseId: first.caseId, opened: false, stored: true });
    expect(await groupPosts()).toHaveLength(2);
    expect(await t.db.case.count()).toBe(1);
  });

  it("danger: a DANGER post and one alert for coordinators per message, none for the home at risk", async () => {
    const householdId = await household();
    const m = await member(householdId);
    const d = deps("2026-11-30T09:00:00Z");
    const housing = await recordUrgentWorry(d, {
      householdId,
      memberId: m.id,
      text: "They cut off the gas",
      level: "housing",
      signals: ["utilities"],
      sourceUpdateId: 601,
    });
    expect(await t.db.alert.count()).toBe(0);
    const input = {
      householdId,
      memberId: m.id,
      text: "My husband hits me",
      level: "danger" as const,
      signals: ["violence" as const],
      sourceUpdateId: 602,
    };
    const danger = await recordUrgentWorry(d, input);
    await recordUrgentWorry(d, input); // the same update, handled again
    expect(danger).toMatchObject({ caseId: housing.caseId, opened: false, stored: true });
    const alerts = await t.db.alert.findMany();
    expect(alerts).toMatchObject([{ kind: "danger", caseId: housing.caseId, householdId }]);
    const posts = await groupPosts();
    expect(posts).toHaveLength(2);
    expect(posts[0]?.text).toContain("casa a rischio");
    expect(posts[1]?.text).toContain("PERICOLO");
    const notes = await t.db.caseMessage.findMany({ where: { caseId: housing.caseId, author: "system" } });
    expect(notes.map((n) => n.text)).toEqual([
      expect.stringContaining("Casa a rischio"),
      expect.stringContaining("violenza in casa"),
    ]);
  });
});

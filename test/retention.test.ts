// Retention in the daily housekeeping: case messages and final sent-message records older than
// RETENTION_MONTHS go; erased members lose what they wrote before asking, and nobody else loses anything.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import { parseRomeDateTime } from "../core/time.ts";
import { runHousekeeping } from "../worker/housekeeping/processor.ts";
import { retentionCutoff, runRetention } from "../worker/housekeeping/retention.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

const rome = (text: string) => parseRomeDateTime(text) as Date;
let seq = 0;

async function household() {
  seq += 1;
  return t.db.household.create({
    data: {
      contractCode: `RT-${seq}`,
      name: `Famiglia ${seq}`,
      fiscalCode: `FC${seq}`,
      municipality: "Brescia",
      address: "Via Roma 1",
    },
  });
}

async function member(householdId: number, erasureRequestedAt: Date | null = null) {
  seq += 1;
  return t.db.member.create({
    data: {
      telegramUserId: BigInt(900_000 + seq),
      chatId: BigInt(900_000 + seq),
      householdId,
      consentAt: new Date("2024-01-01T00:00:00Z"),
      erasureRequestedAt,
    },
  });
}

describe("retentionCutoff", () => {
  it("goes back calendar months in Rome, month ends falling on the shorter month's last day", () => {
    expect(retentionCutoff(rome("31/05/2026 10:00"), 24)).toEqual(rome("31/05/2024 10:00"));
    expect(retentionCutoff(rome("31/05/2026 10:00"), 3)).toEqual(rome("28/02/2026 10:00"));
    expect(retentionCutoff(rome("31/03/2028 10:00"), 1)).toEqual(rome("29/02/2028 10:00"));
    // Summer time now, winter time then: the wall time stays, the UTC offset changes.
    expect(retentionCutoff(rome("31/03/2026 10:00"), 1).toISOString()).toBe("2026-02-28T09:00:00.000Z");
  });
});

describe("case messages and sent-message records", () => {
  it("deletes what is older than the retention period, keeps 23 months, and runs twice harmlessly", async () => {
    const { db } = t;
    const now = rome("31/05/2026 03:30");
    const cutoff = rome("31/05/2024 03:30");
    const h = await household();
    const m = await member(h.id);
    const kase = await db.case.create({ data: { householdId: h.id, memberId: m.id, topic: "debt" } });
    const at = {
      months25: rome("30/04/2024 12:00"),
      justBefore: new Date(cutoff.getTime() - 1),
      atCutoff: cutoff,
      months23: rome("30/06/2024 12:00"),
    };
    for (const [label, createdAt] of Object.entries(at)) {
      await db.caseMessage.create({
        data: { caseId: kase.id, author: "operator", text: `msg ${label}`, createdAt },
      });
      await db.caseNote.create({ data: { caseId: kase.id, text: `note ${label}`, createdAt } });
      await db.householdNote.create({
        data: { householdId: h.id, text: `household note ${label}`, createdAt },
      });
    }
    const statuses = [
      "sent",
      "failed",
      "unreachable",
      "cancelled",
      "uncertain",
      "queued",
      "sending",
    ] as const;
    for (const status of statuses) {
      for (const [label, createdAt] of Object.entries(at)) {
        await db.outboundMessage.create({
          data: {
            purpose: `rt:${status}:${label}`,
            memberId: m.id,
            chatId: m.chatId,
            text: "Rata di 120,00 €",
            status,
            createdAt,
          },
        });
      }
    }

    const first = await runHousekeeping({ db, clock: fixedClock(now), retentionMonths: 24 });
    expect(first).toMatchObject({
      expiredCaseMessages: 2,
      expiredCaseNotes: 2,
      expiredHouseholdNotes: 2,
      // Five final states, each with the 25-month-old one and the one just before the cutoff.
      expiredOutboundMessages: 10,
      erasedBudgetEntries: 0,
      erasedCaseMessages: 0,
      redactedStaffPosts: 0,
      expiredCheckups: 0,
      expiredSatisfaction: 0,
    });
    expect((await db.caseMessage.findMany({ orderBy: { id: "asc" } })).map((c) => c.text)).toEqual([
      "msg atCutoff",
      "msg months23",
    ]);
    expect((await db.caseNote.findMany({ orderBy: { id: "asc" } })).map((c) => c.text)).toEqual([
      "note atCutoff",
      "note months23",
    ]);
    expect((await db.householdNote.findMany({ orderBy: { id: "asc" } })).map((c) => c.text)).toEqual([
      "household note atCutoff",
      "household note months23",
    ]);
    const left = (await db.outboundMessage.findMany({ select: { purpose: true } })).map((o) => o.purpose);
    expect(left).toHaveLength(statuses.length * 4 - 10);
    // Work in progress is never expired, however old.
    expect(left).toEqual(
      expect.arrayContaining([
        "rt:queued:months25",
        "rt:sending:months25",
        "rt:sent:atCutoff",
        "rt:sent:months23",
      ]),
    );
    expect(left).not.toContain("rt:sent:justBefore");

    const second = await runHousekeeping({ db, clock: fixedClock(now), retentionMonths: 24 });
    expect(second).toMatchObject({ expiredCaseMessages: 0, expiredOutboundMessages: 0 });

    // The setting comes through the deps: a shorter period reaches further back.
    const shorter = await runRetention({ db, clock: fixedClock(now), retentionMonths: 12 });
    expect(shorter.expiredCaseMessages).toBe(2);
    expect(await db.caseMessage.count()).toBe(0);
    await db.outboundMessage.deleteMany();
  });

  it("deletes in batches when there are many", async () => {
    const { db } = t;
    const h = await household();
    const kase = await db.case.create({ data: { householdId: h.id, topic: "debt" } });
    const old = rome("01/01/2020 10:00");
    await db.caseMessage.createMany({
      data: Array.from({ length: 12_001 }, (_, i) => ({
        caseId: kase.id,
        author: "operator" as const,
        text: `old ${i}`,
        createdAt: old,
      })),
    });
    const result = await runRetention({
      db,
      clock: fixedClock(rome("01/01/2026 03:30")),
      retentionMonths: 24,
    });
    expect(result.expiredCaseMessages).toBe(12_001);
    expect(await db.caseMessage.count({ where: { caseId: kase.id } })).toBe(0);
  });
});

describe("erasure", () => {
  it("removes an erased member's own words written before they asked, and nobody else's", async () => {
    const { db } = t;
    const now = rome("27/11/2026 03:30");
    const askedAt = rome("20/11/2026 18:00");
    const before = rome("20/11/2026 17:59");
    const after = rome("21/11/2026 09:00");
    const h = await household();
    const erased = await member(h.id, askedAt);
    const other = await member(h.id);
    const otherHousehold = await household();
    const stranger = await member(otherHousehold.id);

    const entry = (memberId: number, createdAt: Date, note: string) =>
      db.budgetEntry.create({
        data: {
          householdId: h.id,
          memberId,
          kind: "expense",
          category: "food",
          amountCents: 1234,
          note,
          occurredOn: new Date("2026-11-20T00:00:00Z"),
          createdAt,
        },
      });
    await entry(erased.id, before, "slipped in while erasing");
    await entry(erased.id, after, "written after asking");
    await entry(other.id, before, "the other member's");

    const kase = await db.case.create({ data: { householdId: h.id, memberId: erased.id, topic: "debt" } });
    const strangerCase = await db.case.create({
      data: { householdId: otherHousehold.id, memberId: stranger.id, topic: "debt" },
    });
    const message = (
      caseId: number,
      author: "household" | "operator",
      memberId: number | null,
      createdAt: Date,
      text: string,
    ) => db.caseMessage.create({ data: { caseId, author, memberId, createdAt, text } });
    await message(kase.id, "household", erased.id, before, "erased: before");
    await message(kase.id, "household", erased.id, after, "erased: after");
    await message(kase.id, "household", other.id, before, "other member in the same case");
    await message(kase.id, "operator", null, before, "operator's answer");
    await message(strangerCase.id, "household", stranger.id, before, "stranger's");

    const post = (
      purpose: string,
      caseId: number,
      createdAt: Date,
      status: "sent" | "queued",
      memberId: number | null = null,
    ) =>
      db.outboundMessage.create({
        data: { purpose, caseId, memberId, chatId: -100123n, text: "«quoted words»", status, createdAt },
      });
    await post("case-post:erased:before", kase.id, before, "sent");
    await post("case-post:erased:after", kase.id, after, "sent");
    await post("case-post:erased:queued", kase.id, before, "queued");
    await post("case-post:stranger", strangerCase.id, before, "sent");
    await post("reply-to-erased", kase.id, before, "sent", erased.id);

    const clock = fixedClock(now);
    const first = await runRetention({ db, clock, retentionMonths: 24 });
    expect(first).toEqual({
      expiredCaseMessages: 0,
      expiredCaseNotes: 0,
      expiredHouseholdNotes: 0,
      expiredOutboundMessages: 0,
      erasedBudgetEntries: 1,
      erasedCaseMessages: 1,
      redactedStaffPosts: 1,
      expiredCheckups: 0,
      expiredSatisfaction: 0,
    });
    expect((await db.budgetEntry.findMany({ orderBy: { id: "asc" } })).map((e) => e.note)).toEqual([
      "written after asking",
      "the other member's",
    ]);
    expect((await db.caseMessage.findMany({ orderBy: { id: "asc" } })).map((c) => c.text)).toEqual([
      "erased: after",
      "other member in the same case",
      "operator's answer",
      "stranger's",
    ]);
    const posts = await db.outboundMessage.findMany({ orderBy: { id: "asc" } });
    expect(posts.map((p) => [p.purpose, p.text])).toEqual([
      ["case-post:erased:before", ""],
      ["case-post:erased:after", "«quoted words»"],
      ["case-post:erased:queued", "«quoted words»"],
      ["case-post:stranger", "«quoted words»"],
      // Messages the programme sent to the member are not their words: kept until retention.
      ["reply-to-erased", "«quoted words»"],
    ]);
    // The member, their link and consent stay (the privacy notice says so).
    expect(await db.member.findUniqueOrThrow({ where: { id: erased.id } })).toMatchObject({
      householdId: h.id,
      erasureRequestedAt: askedAt,
    });

    expect(await runRetention({ db, clock, retentionMonths: 24 })).toEqual({
      expiredCaseMessages: 0,
      expiredCaseNotes: 0,
      expiredHouseholdNotes: 0,
      expiredOutboundMessages: 0,
      erasedBudgetEntries: 0,
      erasedCaseMessages: 0,
      redactedStaffPosts: 0,
      expiredCheckups: 0,
      expiredSatisfaction: 0,
    });
  });

  it("is safe to run from two workers at once", async () => {
    const { db } = t;
    const h = await household();
    const kase = await db.case.create({ data: { householdId: h.id, topic: "debt" } });
    await db.caseMessage.createMany({
      data: Array.from({ length: 3000 }, (_, i) => ({
        caseId: kase.id,
        author: "operator" as const,
        text: `old ${i}`,
        createdAt: rome("01/01/2020 10:00"),
      })),
    });
    const clock = fixedClock(rome("01/01/2026 03:30"));
    const results = await Promise.all([
      runRetention({ db, clock, retentionMonths: 24 }),
      runRetention({ db, clock, retentionMonths: 24 }),
    ]);
    expect(results[0].expiredCaseMessages + results[1].expiredCaseMessages).toBe(3000);
    expect(await db.caseMessage.count({ where: { caseId: kase.id } })).toBe(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import { runHousekeeping } from "../worker/housekeeping/processor.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

const DAY = 24 * 60 * 60 * 1000;

describe("housekeeping", () => {
  it("forgets only what has outlived its purpose, and a second run deletes nothing more", async () => {
    const now = new Date("2026-11-27T03:30:00Z");
    const ago = (ms: number) => new Date(now.getTime() - ms);
    const { db } = t;
    await db.processedUpdate.createMany({
      data: [
        { updateId: 1n, at: ago(8 * DAY) },
        { updateId: 2n, at: ago(6 * DAY) },
      ],
    });
    await db.linkAttempt.createMany({
      data: [
        { telegramUserId: 5n, succeeded: false, at: ago(2 * DAY) },
        { telegramUserId: 5n, succeeded: false, at: ago(30 * 60 * 1000) },
      ],
    });
    await db.loginThrottle.createMany({
      data: [
        { keyHash: "a", attempts: 3, nextAt: ago(2 * DAY), lastAt: ago(2 * DAY) },
        { keyHash: "b", attempts: 3, nextAt: ago(60 * 1000), lastAt: ago(60 * 1000) },
      ],
    });
    const staff = await db.staff.create({
      data: { email: "h@example.org", role: "admin", passwordHash: "x" },
    });
    await db.staffSession.createMany({
      data: [
        { tokenHash: "old", staffId: staff.id, expiresAt: ago(1000) },
        { tokenHash: "new", staffId: staff.id, expiresAt: new Date(now.getTime() + DAY) },
      ],
    });

    await db.importUpload.createMany({
      data: [
        {
          tokenHash: "old",
          staffId: staff.id,
          kind: "households",
          fileName: "a.csv",
          content: new Uint8Array([1]),
          expiresAt: ago(1000),
        },
        {
          tokenHash: "new",
          staffId: staff.id,
          kind: "households",
          fileName: "b.csv",
          content: new Uint8Array([1]),
          expiresAt: new Date(now.getTime() + DAY),
        },
      ],
    });

    // A session whose flow was left unanswered (a safety question holds the message it asks about),
    // one answered a minute ago, and one with no flow.
    const flow = (at: Date) => ({
      name: "safety",
      step: "asked",
      data: { text: "un messaggio" },
      at: at.getTime(),
    });
    await db.botSession.createMany({
      data: [
        {
          key: "1",
          value: { language: "it", flow: flow(ago(2 * 60 * 60 * 1000)) },
          updatedAt: ago(2 * 60 * 60 * 1000),
        },
        { key: "2", value: { language: "it", flow: flow(ago(60 * 1000)) }, updatedAt: ago(60 * 1000) },
        { key: "3", value: { language: "en" }, updatedAt: ago(2 * DAY) },
      ],
    });

    const clock = fixedClock(now);
    expect(await runHousekeeping({ db, clock, retentionMonths: 24 })).toEqual({
      processedUpdates: 1,
      linkAttempts: 1,
      loginAttempts: 1,
      staffSessions: 1,
      botSessions: 0,
      abandonedFlows: 1,
      importUploads: 1,
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
    expect((await db.processedUpdate.findMany()).map((u) => u.updateId)).toEqual([2n]);
    expect(await db.linkAttempt.count()).toBe(1);
    expect((await db.staffSession.findMany()).map((s) => s.tokenHash)).toEqual(["new"]);
    expect((await db.importUpload.findMany()).map((u) => u.fileName)).toEqual(["b.csv"]);
    const sessions = await db.botSession.findMany({ orderBy: { key: "asc" } });
    expect(sessions.map((x) => x.value)).toEqual([
      { language: "it" },
      { language: "it", flow: flow(ago(60 * 1000)) },
      { language: "en" },
    ]);
    expect(await runHousekeeping({ db, clock, retentionMonths: 24 })).toEqual({
      processedUpdates: 0,
      linkAttempts: 0,
      loginAttempts: 0,
      staffSessions: 0,
      botSessions: 0,
      abandonedFlows: 0,
      importUploads: 0,
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
});

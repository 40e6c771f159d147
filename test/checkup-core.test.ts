// The check-up's pure parts and its personal data: the comparison with the previous round, the
// answer rules (order, once, someone else's), and the answers and satisfaction in the /privacy
// export, its readable page, erasure and retention.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkupFeedback } from "../core/checkup/compare.ts";
import { CHECKUP_QUESTIONS, cleanAnswers, nextQuestionIndex } from "../core/checkup/questions.ts";
import { recordScore } from "../core/checkup/satisfaction.ts";
import { beginCheckup, recordAnswer } from "../core/checkup/store.ts";
import { fixedClock } from "../core/clock.ts";
import { translator } from "../core/i18n.ts";
import { renderReadableExport } from "../core/privacy/readable-export.ts";
import { EXPORT_README_KEYS, type ExportReadme, eraseOwnContent, exportMemberData } from "../core/privacy.ts";
import { runRetention } from "../worker/housekeeping/retention.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";

describe("the comparison with last time", () => {
  it("a first round: a starting point, and next steps from the answers", () => {
    expect(checkupFeedback({ training: "yes", budget: "enough", confidence: "confident" }, null)).toEqual({
      sentences: ["first", "thanks"],
      steps: ["courses"],
    });
    expect(
      checkupFeedback({ confidence: "not_at_all", budget: "not_enough", training: "maybe" }, null).steps,
    ).toEqual(["operator", "budget"]);
    expect(checkupFeedback({}, null).steps).toEqual([]);
  });

  it("tells at most two improvements and one harder answer, gently; or that things held", () => {
    const before = { confidence: "not_at_all", budget: "not_enough", debt: "not_really", support: "family" };
    const after = { confidence: "fairly", budget: "just_about", debt: "exactly", support: "nobody" };
    expect(checkupFeedback(after, before).sentences).toEqual([
      "better.confidence",
      "better.budget",
      "worse.support",
      "thanks",
    ]);
    expect(checkupFeedback(before, before).sentences).toEqual(["same", "thanks"]);
    // Questions without an order (work, difficulty) are not compared.
    expect(checkupFeedback({ work: "stable" }, { work: "looking" }).sentences).toEqual(["same", "thanks"]);
  });

  it("reads stored answers defensively: unknown questions or options are dropped", () => {
    expect(cleanAnswers({ debt: "exactly", papers: "lost", hacked: "yes" })).toEqual({ debt: "exactly" });
    expect(cleanAnswers(null)).toEqual({});
    expect(cleanAnswers(["debt"])).toEqual({});
    expect(nextQuestionIndex({ debt: "exactly" })).toBe(1);
  });

  it("every feedback key and question text exists in all 8 languages", () => {
    for (const language of ["it", "en", "ar", "ro", "sq", "uk", "fr", "es"]) {
      const t = translator(language, "checkup");
      for (const q of CHECKUP_QUESTIONS) {
        expect(t(`questions.${q.key}.text`)).not.toContain("questions.");
        for (const o of q.options) expect(t(`questions.${q.key}.options.${o}`)).not.toContain("options.");
      }
      for (const key of ["confidence", "budget", "debt", "papers", "support", "care"]) {
        expect(t(`feedback.better.${key}`)).not.toContain("feedback.");
        expect(t(`feedback.worse.${key}`)).not.toContain("feedback.");
      }
    }
  });
});

let t: TestDatabase;
const clock = fixedClock(new Date("2026-12-07T10:00:00Z"));
let householdId: number;
let memberId: number;
let otherMemberId: number;
let checkupId: number;
let caseId: number;

beforeAll(async () => {
  t = await createTestDatabase();
  const household = await t.db.household.create({
    data: {
      contractCode: "KP-1",
      name: "Famiglia P",
      fiscalCode: "X",
      municipality: "Brescia",
      address: "Via 1",
    },
  });
  householdId = household.id;
  const mk = async (id: bigint) =>
    (
      await t.db.member.create({
        data: { telegramUserId: id, chatId: id, householdId, linkedAt: clock.now(), consentAt: clock.now() },
      })
    ).id;
  memberId = await mk(8_800_001n);
  otherMemberId = await mk(8_800_002n);
  checkupId = (
    await t.db.checkup.create({ data: { householdId, round: "entry", memberId, offeredAt: clock.now() } })
  ).id;
  caseId = (await t.db.case.create({ data: { householdId, memberId, topic: "debt", status: "closed" } })).id;
  await t.db.caseSatisfaction.create({ data: { caseId, householdId, memberId, askedAt: clock.now() } });
});

afterAll(() => t?.drop());

describe("answers are recorded in order, once, and only by their member", () => {
  it("refuses another member, another household, a question out of turn and an unknown option", async () => {
    const base = { id: checkupId, householdId, questionIndex: 0, option: "exactly" };
    expect(await recordAnswer(t.db, clock, { ...base, memberId: otherMemberId })).toEqual({
      status: "refused",
      refusal: "not_yours",
    });
    expect(await recordAnswer(t.db, clock, { ...base, memberId, householdId: householdId + 1 })).toEqual({
      status: "refused",
      refusal: "not_yours",
    });
    expect(
      (await recordAnswer(t.db, clock, { ...base, memberId, questionIndex: 3, option: "stable" })).status,
    ).toBe("not_current");
    expect((await recordAnswer(t.db, clock, { ...base, memberId, option: "maybe-later" })).status).toBe(
      "not_current",
    );
    expect(
      await beginCheckup(t.db, clock, { id: checkupId, memberId: otherMemberId, restart: true }),
    ).toBeNull();
    // Two presses at once: one answer.
    const both = await Promise.all([
      recordAnswer(t.db, clock, { ...base, memberId }),
      recordAnswer(t.db, clock, { ...base, memberId, option: "roughly" }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual(["already_answered", "recorded"]);
    const row = await t.db.checkup.findUniqueOrThrow({ where: { id: checkupId } });
    expect(Object.keys(row.answers as object)).toEqual(["debt"]);
  });

  it("completes with the last question, and then nothing more is recorded", async () => {
    for (let i = 1; i < CHECKUP_QUESTIONS.length; i++) {
      const q = CHECKUP_QUESTIONS[i];
      const r = await recordAnswer(t.db, clock, {
        id: checkupId,
        memberId,
        householdId,
        questionIndex: i,
        option: q?.options[0] ?? "",
      });
      expect(r.status).toBe("recorded");
    }
    const row = await t.db.checkup.findUniqueOrThrow({ where: { id: checkupId } });
    expect(row.completedAt).not.toBeNull();
    expect(
      await recordAnswer(t.db, clock, {
        id: checkupId,
        memberId,
        householdId,
        questionIndex: 0,
        option: "exactly",
      }),
    ).toEqual({ status: "refused", refusal: "done" });
    expect(await beginCheckup(t.db, clock, { id: checkupId, memberId, restart: true })).toBeNull();
    expect((await recordScore(t.db, clock, { caseId, memberId, score: 5 })).status).toBe("recorded");
    expect((await recordScore(t.db, clock, { caseId, memberId, score: 6 })).status).toBe("refused");
  });
});

describe("personal data: export, readable page, erasure, retention", () => {
  const readme = Object.fromEntries(EXPORT_README_KEYS.map((k) => [k, k])) as ExportReadme;

  it("the member's export carries the answers and the score; the readable page names them in their language", async () => {
    const data = await exportMemberData(t.db, memberId, { clock, readme });
    expect(data.checkups).toEqual([
      expect.objectContaining({ round: "entry", completedAt: clock.now().toISOString(), erasedAt: null }),
    ]);
    expect(data.checkups[0]?.answers).toMatchObject({ debt: "exactly", confidence: "confident" });
    expect(data.satisfaction).toEqual([expect.objectContaining({ caseId, score: 5, comment: null })]);
    const page = renderReadableExport(data, translator("it", "privacy"), "it");
    expect(page).toContain("<h2>Check-up</h2>");
    expect(page).toContain("All'ingresso · Completato");
    expect(page).toContain("Sai quanto deve la tua famiglia");
    expect(page).toContain("Sì, con precisione");
    expect(page).toContain("5/5");
    const other = await exportMemberData(t.db, otherMemberId, { clock, readme });
    expect([other.checkups, other.satisfaction]).toEqual([[], []]);
    const ar = renderReadableExport(data, translator("ar", "privacy"), "ar");
    expect(ar).toContain("الفحوص");
    expect(ar).not.toMatch(/checkup:|export\.rounds/);
  });

  it("erasure clears them, keeps the rounds marked, and is counted", async () => {
    const result = await eraseOwnContent(t.db, memberId, clock);
    expect(result.budgetEntries).toBe(0);
    const row = await t.db.checkup.findUniqueOrThrow({ where: { id: checkupId } });
    expect([row.answers, row.erasedAt?.getTime()]).toEqual([{}, clock.now().getTime()]);
    const sat = await t.db.caseSatisfaction.findUniqueOrThrow({ where: { caseId } });
    expect([sat.score, sat.comment, sat.erasedAt?.getTime()]).toEqual([null, null, clock.now().getTime()]);
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: "member.erasure" } });
    expect(audit.details).toMatchObject({ checkups: 1, satisfaction: 1 });
    // Nothing can be answered again for an erased round or case.
    expect((await recordScore(t.db, clock, { caseId, memberId, score: 3 })).status).toBe("refused");
  });

  it("retention erases answers older than the retention period, once", async () => {
    const old = await t.db.checkup.create({
      data: {
        householdId,
        round: "m3",
        memberId: otherMemberId,
        offeredAt: new Date("2024-01-01T10:00:00Z"),
        answers: { debt: "exactly" },
      },
    });
    const first = await runRetention({ db: t.db, clock, retentionMonths: 24 });
    expect(first).toMatchObject({ expiredCheckups: 1, expiredSatisfaction: 0 });
    expect((await t.db.checkup.findUniqueOrThrow({ where: { id: old.id } })).answers).toEqual({});
    expect(await runRetention({ db: t.db, clock, retentionMonths: 24 })).toMatchObject({
      expiredCheckups: 0,
    });
  });
});

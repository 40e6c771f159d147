// The waiting list of a full session, through the bot and the real delivery worker: joining it (the
// position in the line), a place given back offered to the first one waiting with a button, exactly
// once however many cancel or sweep at once; an offer not taken in 24 hours goes to the next one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import { expireOffers, joinWaitingList } from "../core/courses/waiting.ts";
import { enrol } from "../core/courses.ts";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";
import type { SandboxUser, TranscriptEntry } from "./support/sandbox-user.ts";

// 1 December 2026, 10:00 in Rome; the session is on the 10th.
const clock = fixedClock(new Date("2026-12-01T09:00:00Z"));
let h: BotHarness;
let sessionId: number;

beforeAll(async () => {
  h = await startBotHarness({ clock });
  const course = await h.db.course.create({
    data: {
      code: "WAIT-1",
      title: "Laboratorio di cucina",
      description: "Insieme",
      municipality: "Brescia",
      translations: { ro: { title: "Atelier de gătit" } },
    },
  });
  sessionId = (
    await h.db.courseSession.create({
      data: {
        courseId: course.id,
        startsAt: new Date("2026-12-10T08:30:00Z"),
        endsAt: new Date("2026-12-10T11:30:00Z"),
        location: "Sala civica",
        capacity: 1,
      },
    })
  ).id;
}, 60_000);
afterAll(() => h?.close());

async function callbackAnswer(id: string): Promise<{ text?: string; show_alert: boolean }> {
  for (let i = 0; i < 200; i++) {
    const response = await fetch(`${h.sandbox.url}/control/callback-answers/${id}`);
    if (response.ok) return (await response.json()) as { text?: string; show_alert: boolean };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no answer to callback ${id}`);
}

async function press(user: SandboxUser, messageId: number, data: string) {
  const pressed = (await user.press(messageId, data)) as unknown as { callback_query_id: string };
  return callbackAnswer(pressed.callback_query_id);
}

async function message(user: SandboxUser, messageId: number): Promise<TranscriptEntry> {
  const found = (await user.transcript()).find((m) => m.message_id === messageId);
  if (!found) throw new Error(`no message ${messageId}`);
  return found;
}

const memberOf = async (user: SandboxUser) =>
  (await h.db.member.findUniqueOrThrow({ where: { telegramUserId: BigInt(user.id) } })).id;
const datas = (m: TranscriptEntry) =>
  (m.reply_markup?.inline_keyboard?.flat() ?? []).map((b) => b.callback_data);

describe("the waiting list", () => {
  let first: SandboxUser;
  let ana: SandboxUser;
  let carlo: SandboxUser;

  it("offers a full session's waiting list in the bot, with each person's place in the line", {
    timeout: 60_000,
  }, async () => {
    first = await h.linkedUser("BS-800001", { language: "it" });
    ana = await h.linkedUser("BS-800002", { language: "ro" });
    carlo = await h.linkedUser("BS-800003", { language: "it" });
    expect((await enrol(h.db, { sessionId, memberId: await memberOf(first), now: clock.now() })).status).toBe(
      "enrolled",
    );

    const list = await ana.ask("/courses");
    await press(ana, list.message_id, `courses:show:${sessionId}:0`);
    await expect.poll(async () => (await message(ana, list.message_id)).text).toContain("Nu mai sunt locuri");
    const full = await message(ana, list.message_id);
    expect(datas(full)).toContain(`courses:wait:${sessionId}:0`);
    expect(datas(full)).not.toContain(`courses:enrol:${sessionId}:0`);
    const joined = await press(ana, list.message_id, `courses:wait:${sessionId}:0`);
    expect(joined.text).toBe("Ești pe lista de așteptare. Îți scriu dacă se eliberează un loc.");
    await expect
      .poll(async () => (await message(ana, list.message_id)).text)
      .toContain("Ești pe lista de așteptare (numărul 1)");
    // Joining again (an old message, another device) changes nothing.
    expect(
      await joinWaitingList(h.db, { sessionId, memberId: await memberOf(ana), now: clock.now() }),
    ).toEqual({
      status: "already_waiting",
      position: 1,
    });
    expect(await h.db.enrolment.count({ where: { sessionId, status: "waiting" } })).toBe(1);

    const second = await joinWaitingList(h.db, {
      sessionId,
      memberId: await memberOf(carlo),
      now: clock.now(),
    });
    expect(second).toEqual({ status: "waiting", position: 2 });
  });

  it("offers a place given back to the first one waiting, once, however many press at the same moment", {
    timeout: 60_000,
  }, async () => {
    const view = await first.ask("/courses");
    await press(first, view.message_id, `courses:show:${sessionId}:0`);
    await expect
      .poll(async () => datas(await message(first, view.message_id)))
      .toContain(`courses:drop:${sessionId}:0`);
    await press(first, view.message_id, `courses:drop:${sessionId}:0`);
    await expect
      .poll(async () => datas(await message(first, view.message_id)))
      .toContain(`courses:dropyes:${sessionId}:0`);
    // A double press on "yes, cancel": one cancels, the other finds nothing to cancel.
    await Promise.all([
      press(first, view.message_id, `courses:dropyes:${sessionId}:0`),
      press(first, view.message_id, `courses:dropyes:${sessionId}:0`),
    ]);
    const [offer] = await ana.replies(1, 15_000);
    expect(offer?.text).toContain("S-a eliberat un loc pentru tine");
    expect(offer?.text).toContain("Atelier de gătit");
    expect(offer?.text).toContain("02/12/2026 10:00"); // 24 hours from now, Rome time
    expect(datas(offer as TranscriptEntry)).toEqual([`courses:accept:${sessionId}:0`]);
    // The worker's sweep, in several processes at once, tells nobody again.
    await Promise.all([expireOffers({ ...h, clock }), expireOffers({ ...h, clock })]);
    expect(await ana.quietFor(800)).toEqual([]);
    expect(await carlo.quietFor(100)).toEqual([]);
    const rows = await h.db.enrolment.findMany({ where: { sessionId }, orderBy: { id: "asc" } });
    expect(rows.map((r) => r.status)).toEqual(["cancelled", "offered", "waiting"]);
    expect(await h.db.outboundMessage.count({ where: { purpose: { startsWith: "course-offer:" } } })).toBe(1);
  });

  it("gives the place to the next one when 24 hours pass, who takes it with the button", {
    timeout: 60_000,
  }, async () => {
    const [anaOffer] = (await ana.transcript()).filter((m) =>
      m.text?.includes("S-a eliberat"),
    ) as TranscriptEntry[];
    clock.advance(24 * 3_600_000 + 60_000);
    const swept = await Promise.all([expireOffers({ ...h, clock }), expireOffers({ ...h, clock })]);
    expect(swept.reduce((n, s) => n + s.lapsed, 0)).toBe(1);
    const [offer] = await carlo.replies(1, 15_000);
    expect(offer?.text).toContain("Si è liberato un posto per te");
    // Ana's button is too late now.
    const late = await press(ana, anaOffer?.message_id as number, `courses:accept:${sessionId}:0`);
    expect(late.text).toBe("Îmi pare rău, timpul pentru a lua acest loc a expirat.");
    const taken = await press(carlo, offer?.message_id as number, `courses:accept:${sessionId}:0`);
    expect(taken.text).toBe("Fatto! Hai un posto. Ti aspettiamo.");
    await expect
      .poll(async () => (await message(carlo, offer?.message_id as number)).text)
      .toContain("Hai un posto.");
    const rows = await h.db.enrolment.findMany({ where: { sessionId }, orderBy: { id: "asc" } });
    expect(rows.map((r) => r.status)).toEqual(["cancelled", "cancelled", "enrolled"]);
    const audits = await h.db.auditLog.findMany({
      where: { action: { startsWith: "course.place." } },
      orderBy: { id: "asc" },
    });
    expect(audits.map((a) => a.action)).toEqual([
      "course.place.offered",
      "course.place.offer_lapsed",
      "course.place.offered",
      "course.place.accepted",
    ]);
  });
});

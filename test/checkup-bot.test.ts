// The check-up and the satisfaction question as a household meets them, through the real worker and
// the sandbox: the offer after linking, ten button questions, text typed instead of a button, pause,
// resume and start over, duplicated and stale buttons, someone else's check-up, the comparison with
// the previous round and its next steps; the 1–5 question when staff close a case. Italian and English.
import { QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeCaseByStaff, postHouseholdMessage } from "../core/cases.ts";
import { CHECKUP_QUESTIONS } from "../core/checkup/questions.ts";
import { recordComment, recordScore } from "../core/checkup/satisfaction.ts";
import { fixedClock } from "../core/clock.ts";
import { createCheckupsQueue } from "../core/queues/checkups.ts";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";
import type { SandboxUser, TranscriptEntry } from "./support/sandbox-user.ts";

// Monday 7 December 2026, 10:00 in Rome.
const clock = fixedClock(new Date("2026-12-07T09:00:00Z"));
const MINUTE = 60_000;
let h: BotHarness;
let redis: Redis;
let queue: ReturnType<typeof createCheckupsQueue>;
let events: QueueEvents;

const buttons = (m: TranscriptEntry | undefined) => (m?.reply_markup?.inline_keyboard ?? []).flat();
const callbacks = (m: TranscriptEntry | undefined) => buttons(m).map((b) => b.callback_data ?? "");

async function scanNow(): Promise<{ offered: number }> {
  const job = await queue.add("scan", {});
  return job.waitUntilFinished(events, 15_000);
}

/** Presses a button shown on the message; returns the toast the bot answered with ("" for none). */
async function press(user: SandboxUser, message: TranscriptEntry | undefined, data: string): Promise<string> {
  expect(callbacks(message), `button ${data}`).toContain(data);
  const pressed = (await user.press(message?.message_id ?? 0, data)) as unknown as {
    callback_query_id: string;
  };
  for (let i = 0; i < 200; i++) {
    const response = await fetch(`${h.sandbox.url}/control/callback-answers/${pressed.callback_query_id}`);
    if (response.ok) return ((await response.json()) as { text?: string }).text ?? "";
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("the press was never answered");
}

async function memberOf(user: SandboxUser) {
  return h.db.member.findUniqueOrThrow({ where: { telegramUserId: BigInt(user.id) } });
}

/** Answers the question shown with its option number `option`; returns the next message. */
async function answer(user: SandboxUser, question: TranscriptEntry | undefined, option: number) {
  const data = callbacks(question).find((d) => d.startsWith("chk:a:") && d.endsWith(`:${option}`));
  expect(data, JSON.stringify(question)).toBeDefined();
  expect(await press(user, question, data ?? "")).toBe("");
  return (await user.replies(1))[0];
}

beforeAll(async () => {
  h = await startBotHarness({ clock });
  const limits = await fetch(`${h.sandbox.url}/control/limits`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ chat_per_second: 0 }),
  });
  expect(limits.ok).toBe(true);
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  queue = createCheckupsQueue(redis, h.queuePrefix);
  events = new QueueEvents(queue.name, {
    connection: { host: "127.0.0.1", port: 6379 },
    prefix: h.queuePrefix,
  });
  await events.waitUntilReady();
}, 60_000);

afterAll(async () => {
  await events?.close();
  await queue?.obliterate({ force: true });
  await queue?.close();
  await redis?.quit();
  await h?.close();
});

describe("the check-up in Italian", () => {
  let anna: SandboxUser;
  let offer: TranscriptEntry | undefined;

  it("is offered once, a few minutes after the first member links", async () => {
    clock.set(new Date("2026-12-07T09:00:00Z"));
    anna = await h.linkedUser("CHK-1", { firstName: "Anna" });
    clock.advance(5 * MINUTE);
    expect(await scanNow()).toMatchObject({ offered: 0 }); // the welcome comes first
    clock.advance(10 * MINUTE);
    expect(await scanNow()).toMatchObject({ offered: 1 });
    [offer] = await anna.replies(1, 15_000);
    expect(offer?.text).toContain("Un breve check-up");
    expect(offer?.text).toContain("10 domande");
    expect(callbacks(offer)).toEqual(["chk:s:entry"]);
    expect(await scanNow()).toMatchObject({ offered: 0 });
    expect(await anna.quietFor(800)).toEqual([]);
  }, 60_000);

  it("asks with buttons, asks again when text is typed, and records nothing twice", async () => {
    expect(await press(anna, offer, "chk:s:entry")).toBe("");
    const [intro, q1] = await anna.replies(2);
    expect(intro?.text).toContain("Non ci sono risposte giuste o sbagliate");
    expect(q1?.text).toContain("Domanda 1 di 10");
    expect(q1?.text).toContain("Sai quanto deve la tua famiglia");
    expect(buttons(q1).map((b) => b.text)).toEqual([
      "Sì, con precisione",
      "Più o meno",
      "Non proprio",
      "⏸ Continuo più tardi",
    ]);

    // Text where a button is expected: a clear word, the same question again, nothing recorded.
    await anna.send({ text: "boh, più o meno" });
    const [useButtons, q1again] = await anna.replies(2);
    expect(useButtons?.text).toContain("rispondi con i pulsanti");
    expect(q1again?.text).toContain("Domanda 1 di 10");
    const member = await memberOf(anna);
    const row = () => h.db.checkup.findFirstOrThrow({ where: { memberId: member.id, round: "entry" } });
    expect((await row()).answers).toEqual({});
    // Words of worry are never swallowed by the check-up: the worry feature answers, the round waits.
    await anna.send({ text: "non riesco proprio a pagare l'affitto" });
    expect((await anna.replies(1))[0]?.text).toContain("Grazie di avermelo detto");
    expect(await anna.quietFor(500)).toEqual([]);
    expect((await row()).answers).toEqual({});

    // The same button twice at once (a double tap): one answer, one next question.
    const data = callbacks(q1again).find((d) => d.endsWith(":0:1")) ?? "";
    const first = await anna.press(q1again?.message_id ?? 0, data);
    await anna.press(q1again?.message_id ?? 0, data).catch(() => undefined); // buttons may be gone already
    const [q2] = await anna.replies(1);
    expect(q2?.text).toContain("Domanda 2 di 10");
    expect(await anna.quietFor(800)).toEqual([]);
    expect((await row()).answers).toEqual({ debt: "roughly" });
    // Telegram delivering that update again changes nothing either.
    await anna.redeliver((first as unknown as { update_id: number }).update_id);
    expect(await anna.quietFor(800)).toEqual([]);

    // The first copy of question 1 still has its buttons: a stale answer says so and changes nothing.
    expect(await press(anna, q1, callbacks(q1)[0] ?? "")).toBe("Hai già risposto a questa domanda.");
    expect((await row()).answers).toEqual({ debt: "roughly" });
    const transcript = await anna.transcript();
    const q1edited = transcript.find((m) => m.message_id === q1again?.message_id);
    expect(q1edited?.text).toContain("✅ Più o meno");

    // Pause, then the offer's button again: resume or start over.
    expect(await press(anna, q2, callbacks(q2).at(-1) ?? "")).toBe("");
    expect((await anna.replies(1))[0]?.text).toContain("Le risposte date finora restano salvate");
    expect(await press(anna, offer, "chk:s:entry")).toBe("");
    const [choice] = await anna.replies(1);
    expect(choice?.text).toContain("Risposte date finora: 1 su 10");
    const restart = callbacks(choice).find((d) => d.startsWith("chk:n:")) ?? "";
    expect(await press(anna, choice, restart)).toBe("");
    const [fresh] = await anna.replies(1);
    expect(fresh?.text).toContain("Domanda 1 di 10");
    expect((await row()).answers).toEqual({});
  }, 60_000);

  it("completes the round and shows a kind first summary with next steps", async () => {
    const transcript = await anna.transcript();
    let question = transcript.at(-1);
    // Not really / some missing / not enough / looking / yes / mornings / some / nobody / not very / money.
    const choices = [2, 1, 2, 2, 0, 0, 1, 2, 2, 0];
    for (const option of choices) question = await answer(anna, question, option);
    const summary = question;
    expect(summary?.text).toContain("Check-up completato");
    expect(summary?.text).toContain("punto di partenza");
    expect(callbacks(summary)).toEqual(["chk:go:operator", "chk:go:budget"]);
    const member = await memberOf(anna);
    const row = await h.db.checkup.findFirstOrThrow({ where: { memberId: member.id, round: "entry" } });
    expect(row.completedAt?.getTime()).toBe(clock.now().getTime());
    expect(Object.keys(row.answers as object)).toHaveLength(CHECKUP_QUESTIONS.length);

    // The offer's button now only says it is done.
    expect(await press(anna, offer, "chk:s:entry")).toBe("Questo check-up è già completato. Grazie!");
    // A next step opens what it names.
    expect(await press(anna, summary, "chk:go:budget")).toBe("");
    expect((await anna.replies(1))[0]?.text).toMatch(/Bilancio|voce/);
  }, 90_000);

  it("a callback for someone else's check-up changes nothing", async () => {
    const bea = await h.linkedUser("CHK-1", { firstName: "Bea" });
    const member = await memberOf(anna);
    const entry = await h.db.checkup.findFirstOrThrow({ where: { memberId: member.id, round: "entry" } });
    // Bea's own chat cannot show Anna's buttons; the check is on the server side all the same: the
    // round is moved to Bea, and Anna's button of a half-done round of hers no longer belongs to her.
    const half = await h.db.checkup.create({
      data: { householdId: entry.householdId, round: "m3", memberId: member.id, offeredAt: clock.now() },
    });
    await h.db.checkup.update({ where: { id: half.id }, data: { memberId: (await memberOf(bea)).id } });
    await h.db.outboundMessage.create({
      data: {
        purpose: `test:foreign:${half.id}`,
        memberId: member.id,
        chatId: member.chatId,
        text: "Domanda",
        replyMarkup: { inline_keyboard: [[{ text: "x", callback_data: `chk:a:${half.id}:0:0` }]] },
      },
    });
    const { enqueueDeliveries } = await import("../core/queues/delivery.ts");
    const recorded = await h.db.outboundMessage.findUniqueOrThrow({
      where: { purpose: `test:foreign:${half.id}` },
    });
    await enqueueDeliveries(h.deliveryQueue, [recorded.id]);
    const [foreign] = await anna.replies(1, 15_000);
    expect(await press(anna, foreign, `chk:a:${half.id}:0:0`)).toBe(
      "Questo check-up non è il tuo: non cambia niente.",
    );
    expect((await h.db.checkup.findUniqueOrThrow({ where: { id: half.id } })).answers).toEqual({});
    await h.db.checkup.delete({ where: { id: half.id } });
    expect(await bea.quietFor(300)).toEqual([]);
  }, 60_000);

  it("three months on: compares with last time, kindly, and stale buttons of the old round say so", async () => {
    clock.set(new Date("2027-03-07T10:00:00Z")); // 11:00 in Rome, three months after the link
    const member = await memberOf(anna);
    expect(await scanNow()).toMatchObject({ offered: 1 });
    const [m3] = await anna.replies(1, 15_000);
    expect(m3?.text).toContain("È il momento del check-up");
    expect(callbacks(m3)).toEqual(["chk:s:m3"]);
    expect(await press(anna, m3, "chk:s:m3")).toBe("");
    let [, question] = await anna.replies(2);
    // Exactly / in order / just about / occasional / maybe / evenings / some / services / fairly / work.
    for (const option of [0, 0, 1, 1, 1, 2, 1, 1, 1, 3]) question = await answer(anna, question, option);
    expect(question?.text).toContain("Ti senti più in grado di pagare rispetto all'ultima volta");
    expect(question?.text).toContain("Il bilancio del mese va meglio dell'ultima volta");
    expect(question?.text).not.toContain("punto di partenza");
    expect(callbacks(question)).toEqual(["chk:go:budget", "chk:go:courses"]);
    const rows = await h.db.checkup.findMany({ where: { memberId: member.id }, orderBy: { round: "asc" } });
    expect(rows.map((r) => [r.round, r.completedAt !== null])).toEqual([
      ["entry", true],
      ["m3", true],
    ]);
  }, 90_000);
});

describe("the check-up's answers are the person's own data", () => {
  it("/privacy counts them, and erasing what one wrote erases them; the rounds are not offered again", async () => {
    const lia = await h.linkedUser("CHK-9", { firstName: "Lia" });
    const member = await memberOf(lia);
    await h.db.checkup.create({
      data: {
        householdId: member.householdId as number,
        round: "entry",
        memberId: member.id,
        offeredAt: clock.now(),
        startedAt: clock.now(),
        answers: { debt: "exactly" },
      },
    });
    const overview = await lia.ask("/privacy");
    expect(overview.text).toContain("Check-up e valutazioni a cui hai risposto: 1");
    expect(await press(lia, overview, "privacy:erase")).toBe("");
    const [confirm] = await lia.replies(1);
    expect(confirm?.text).toContain("Cancello anche le tue risposte ai check-up");
    const yes = callbacks(confirm).find((d) => d.startsWith("privacy:erase_ok:")) ?? "";
    expect(await press(lia, confirm, yes)).toBe("");
    expect((await lia.replies(1))[0]?.text).toContain(
      "Cancellate anche le risposte ai check-up e le valutazioni: 1",
    );
    const row = await h.db.checkup.findFirstOrThrow({ where: { memberId: member.id } });
    expect([row.answers, row.erasedAt !== null]).toEqual([{}, true]);
    expect((await lia.ask("/privacy")).text).not.toContain("Check-up e valutazioni");
  }, 60_000);
});

describe("the check-up in English", () => {
  it("offers, asks and sums up in English; a stale button of an old round is refused", async () => {
    clock.set(new Date("2027-04-01T08:00:00Z"));
    const ed = await h.linkedUser("CHK-2", { firstName: "Ed", language: "en" });
    clock.advance(15 * MINUTE);
    expect(await scanNow()).toMatchObject({ offered: 1 });
    const [offer] = await ed.replies(1, 15_000);
    expect(offer?.text).toContain("A short check-up");
    expect(await press(ed, offer, "chk:s:entry")).toBe("");
    const [intro, q1] = await ed.replies(2);
    expect(intro?.text).toContain("no right or wrong answers");
    expect(q1?.text).toContain("Question 1 of 10");
    await ed.send({ text: "I don't know" });
    expect((await ed.replies(2))[0]?.text).toContain("please answer with the buttons");
    let question = (await ed.transcript()).at(-1);
    question = await answer(ed, question, 0);
    expect(question?.text).toContain("Question 2 of 10");

    // Three months later, the m3 round is offered while the entry round was never finished: the
    // old round's buttons now say a newer check-up is waiting, and change nothing.
    clock.set(new Date("2027-07-01T08:00:00Z"));
    // Ed's m3, and the m3 of Lia's household (linked on 7 March); Anna's household had its own.
    expect(await scanNow()).toMatchObject({ offered: 2 });
    const member = await memberOf(ed);
    const [m3] = await ed.replies(1, 15_000);
    expect(callbacks(m3)).toEqual(["chk:s:m3"]);
    expect(await press(ed, question, callbacks(question)[0] ?? "")).toBe(
      "This check-up is closed: a more recent check-up is waiting for you.",
    );
    expect(await press(ed, q1, callbacks(q1)[1] ?? "")).toBe(
      "This check-up is closed: a more recent check-up is waiting for you.",
    );
    expect(await press(ed, offer, "chk:s:entry")).toBe(
      "This check-up is closed: a more recent check-up is waiting for you.",
    );
    const entry = await h.db.checkup.findFirstOrThrow({ where: { memberId: member.id, round: "entry" } });
    expect(entry.answers).toEqual({ debt: "exactly" });

    expect(await press(ed, m3, "chk:s:m3")).toBe("");
    let [, next] = await ed.replies(2);
    for (const option of [0, 0, 0, 0, 2, 4, 0, 0, 0, 6]) next = await answer(ed, next, option);
    // Nothing completed before to compare with: a starting point, no next step needed.
    expect(next?.text).toContain("Check-up done, thank you!");
    expect(next?.text).toContain("starting point");
    expect(callbacks(next)).toEqual([]);
    expect(await h.badRequests()).toEqual([]);
  }, 120_000);
});

describe("satisfaction when staff close a case", () => {
  it("asks one member once, 1–5 then an optional comment; other members and old buttons change nothing", async () => {
    clock.set(new Date("2027-07-02T09:00:00Z"));
    const lia = await h.linkedUser("CHK-3", { firstName: "Lia" });
    const noa = await h.linkedUser("CHK-3", { firstName: "Noa", language: "en" });
    const householdId = await h.household("CHK-3");
    const liaRow = await memberOf(lia);
    const opened = await postHouseholdMessage(h.db, clock, {
      householdId,
      memberId: liaRow.id,
      text: "Ho una domanda sul piano",
      topic: "debt",
    });
    if (opened.status !== "opened") throw new Error(opened.status);
    const staff = await h.db.staff.create({
      data: { email: "op-chk@example.org", role: "operator", passwordHash: "x" },
    });
    const deps = { db: h.db, deliveryQueue: h.deliveryQueue, clock };
    await closeCaseByStaff(deps, { caseId: opened.caseId, staffId: staff.id, outcome: "resolved" });
    const [closed] = await lia.replies(1, 15_000);
    expect(closed?.text).toContain("Com'è andata?");
    expect(callbacks(closed)).toEqual([1, 2, 3, 4, 5].map((n) => `sat:${opened.caseId}:${n}`));
    // Noa is told the case closed, without the question.
    const [noaClosed] = await noa.replies(1, 15_000);
    expect(noaClosed?.text).not.toContain("How did it go?");
    expect(callbacks(noaClosed)).toEqual([]);

    expect(await press(lia, closed, `sat:${opened.caseId}:4`)).toBe("Grazie!");
    const [ask] = await lia.replies(1);
    expect(ask?.text).toContain("Grazie per il tuo 4!");
    expect(callbacks(ask)).toEqual([`sat:skip:${opened.caseId}`]);
    await lia.send({ text: "Risposta chiara, grazie <3" });
    expect((await lia.replies(1))[0]?.text).toContain("il tuo parere ci aiuta");
    const row = await h.db.caseSatisfaction.findUniqueOrThrow({ where: { caseId: opened.caseId } });
    expect([row.score, row.comment, row.memberId]).toEqual([4, "Risposta chiara, grazie <3", liaRow.id]);

    // Once: a second score or comment, or one from another member, changes nothing.
    expect(await recordScore(h.db, clock, { caseId: opened.caseId, memberId: liaRow.id, score: 1 })).toEqual({
      status: "refused",
      refusal: "already",
    });
    const noaRow = await memberOf(noa);
    expect(await recordScore(h.db, clock, { caseId: opened.caseId, memberId: noaRow.id, score: 1 })).toEqual({
      status: "refused",
      refusal: "not_yours",
    });
    expect(
      await recordComment(h.db, { caseId: opened.caseId, memberId: liaRow.id, comment: "altro" }),
    ).toEqual({
      status: "refused",
      refusal: "already",
    });
    // Closing again (a double submit) asks nothing again.
    expect(
      await closeCaseByStaff(deps, { caseId: opened.caseId, staffId: staff.id, outcome: "resolved" }),
    ).toBe("already_closed");
    expect(await h.db.caseSatisfaction.count({ where: { caseId: opened.caseId } })).toBe(1);
    expect(await lia.quietFor(500)).toEqual([]);
  }, 60_000);

  it("in English, the score and Skip", async () => {
    const joe = await h.linkedUser("CHK-4", { firstName: "Joe", language: "en" });
    const householdId = await h.household("CHK-4");
    const joeRow = await memberOf(joe);
    const opened = await postHouseholdMessage(h.db, clock, {
      householdId,
      memberId: joeRow.id,
      text: "A question",
      topic: "other",
    });
    if (opened.status !== "opened") throw new Error(opened.status);
    const staff = await h.db.staff.findFirstOrThrow({ where: { email: "op-chk@example.org" } });
    await closeCaseByStaff(
      { db: h.db, deliveryQueue: h.deliveryQueue, clock },
      { caseId: opened.caseId, staffId: staff.id, outcome: "resolved" },
    );
    const [closed] = await joe.replies(1, 15_000);
    expect(closed?.text).toContain("How did it go?");
    expect(await press(joe, closed, `sat:${opened.caseId}:2`)).toBe("Thank you!");
    const [ask] = await joe.replies(1);
    expect(await press(joe, ask, `sat:skip:${opened.caseId}`)).toBe("");
    expect((await joe.replies(1))[0]?.text).toContain("your opinion helps us improve");
    // Text after skipping is not taken as a comment.
    const row = await h.db.caseSatisfaction.findUniqueOrThrow({ where: { caseId: opened.caseId } });
    expect([row.score, row.comment]).toEqual([2, null]);
    expect(await h.badRequests()).toEqual([]);
  }, 60_000);
});

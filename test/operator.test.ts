// /operator: FAQ, escalation to a person, messages into the case, acknowledgements, duplicates,
// closing and old buttons — through the sandbox as households use it, in Italian and English — and
// the case logic of core/cases.ts directly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ACK_QUIET_MS,
  closeCaseByHousehold,
  expectedAnswerBy,
  findActiveCase,
  MAX_REPLY_LENGTH,
  postHouseholdMessage,
  replyToCase,
  romeParts,
} from "../core/cases.ts";
import { fixedClock } from "../core/clock.ts";
import { isItalianHoliday } from "../core/holidays.ts";
import { upsertStaff } from "../core/staff.ts";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";
import type { SandboxUser, TranscriptEntry } from "./support/sandbox-user.ts";

// Monday 30 November 2026, 10:20 in Rome: a person answers by tomorrow (Tuesday) at 11:00.
const START = new Date("2026-11-30T09:20:00Z");
const clock = fixedClock(START);
let h: BotHarness;

beforeAll(async () => {
  h = await startBotHarness({ clock });
});
afterAll(() => h?.close());

type Press = { update_id: number; callback_query_id: string };

/** Presses a button and returns the short text the bot answered the press with ("" for none). */
async function press(user: SandboxUser, message: TranscriptEntry, data: string): Promise<string> {
  const buttons = message.reply_markup?.inline_keyboard?.flat().map((b) => b.callback_data) ?? [];
  expect(buttons, `button ${data}`).toContain(data);
  const pressed = (await user.press(message.message_id, data)) as Press;
  let answer: { text?: string } | undefined;
  await expect
    .poll(async () => {
      const response = await fetch(`${h.sandbox.url}/control/callback-answers/${pressed.callback_query_id}`);
      if (response.ok) answer = (await response.json()) as { text?: string };
      return response.ok;
    })
    .toBe(true);
  return answer?.text ?? "";
}

function buttonData(message: TranscriptEntry | undefined): string[] {
  return message?.reply_markup?.inline_keyboard?.flat().map((b) => b.callback_data ?? "") ?? [];
}

async function memberOf(user: SandboxUser) {
  return h.db.member.findUniqueOrThrow({ where: { telegramUserId: BigInt(user.id) } });
}

describe("expected answer time (Europe/Rome office hours)", () => {
  const rome = (iso: string) => {
    const p = romeParts(expectedAnswerBy(new Date(iso)));
    return `${p.weekday} ${p.date} ${p.time}`;
  };

  it("is one working day later, rounded up to the hour", () => {
    expect(rome("2026-11-30T09:20:00Z")).toBe("2 01/12/2026 11:00"); // Mon 10:20 → Tue 11:00
    expect(rome("2026-11-30T15:30:00Z")).toBe("2 01/12/2026 17:00"); // Mon 16:30 → Tue 17:00 (rounded)
    expect(rome("2026-11-30T06:00:00Z")).toBe("1 30/11/2026 17:00"); // Mon 07:00 → Mon 17:00
    expect(rome("2026-11-30T17:00:00Z")).toBe("2 01/12/2026 17:00"); // Mon 18:00 → Tue 17:00
  });

  it("skips weekends and Italian public holidays", () => {
    expect(rome("2026-12-04T14:00:00Z")).toBe("1 07/12/2026 15:00"); // Fri 15:00 → Mon 15:00
    expect(rome("2026-12-05T10:00:00Z")).toBe("1 07/12/2026 17:00"); // Sat → Mon 17:00
    expect(rome("2026-12-07T10:00:00Z")).toBe("3 09/12/2026 11:00"); // Mon 11:00, Tue 8 Dec holiday → Wed
    expect(rome("2026-12-24T15:00:00Z")).toBe("1 28/12/2026 16:00"); // Thu 16:00, Christmas, St Stephen's
    expect(rome("2026-04-03T11:00:00Z")).toBe("2 07/04/2026 13:00"); // Easter Monday (6 April 2026)
    expect(isItalianHoliday(2026, 4, 6)).toBe(true);
    expect(isItalianHoliday(2027, 3, 29)).toBe(true); // Easter Monday 2027
    expect(isItalianHoliday(2026, 4, 7)).toBe(false);
    expect(isItalianHoliday(2026, 6, 2)).toBe(true);
  });

  it("keeps Rome's wall time across the daylight-saving change", () => {
    // Friday 27 March 2026 16:00 (UTC+1) → Monday 30 March 16:00 (UTC+2).
    const by = expectedAnswerBy(new Date("2026-03-27T15:00:00Z"));
    expect(by.toISOString()).toBe("2026-03-30T14:00:00.000Z");
  });
});

describe("core: cases", () => {
  it("opens one case per household, stores an update once and acknowledges bursts once", async () => {
    const householdId = await h.household("CORE-000001");
    const member = await h.db.member.create({
      data: { telegramUserId: 9_100_000_001n, chatId: 9_100_000_001n, householdId, linkedAt: START },
    });
    const other = await h.db.member.create({
      data: { telegramUserId: 9_100_000_002n, chatId: 9_100_000_002n, householdId, linkedAt: START },
    });
    const c = fixedClock(START);
    const base = { householdId, memberId: member.id };

    expect(await postHouseholdMessage(h.db, c, { ...base, text: "ciao", sourceUpdateId: 1 })).toEqual({
      status: "no_case",
    });
    const opened = await postHouseholdMessage(h.db, c, {
      ...base,
      text: "aiuto",
      sourceUpdateId: 2,
      topic: "debt",
    });
    expect(opened.status).toBe("opened");
    const caseId = opened.status === "opened" ? opened.caseId : 0;
    // A second "open" (another member, at the same time) joins the same case.
    const joined = await postHouseholdMessage(h.db, c, {
      householdId,
      memberId: other.id,
      text: "anche io",
      sourceUpdateId: 3,
      topic: "other",
    });
    expect(joined).toEqual({ status: "added", caseId, stored: true, acknowledge: true });

    c.advance(60_000);
    expect(await postHouseholdMessage(h.db, c, { ...base, text: "ancora", sourceUpdateId: 4 })).toEqual({
      status: "added",
      caseId,
      stored: true,
      acknowledge: false,
    });
    // The same update again: stored once, whatever happens.
    const again = await postHouseholdMessage(h.db, c, { ...base, text: "ancora", sourceUpdateId: 4 });
    expect(again).toMatchObject({ status: "added", stored: false });
    expect(await h.db.caseMessage.count({ where: { caseId, sourceUpdateId: 4n } })).toBe(1);

    c.advance(ACK_QUIET_MS);
    expect(
      await postHouseholdMessage(h.db, c, { ...base, text: "ci sei?", sourceUpdateId: 5 }),
    ).toMatchObject({
      acknowledge: true,
    });
    const stored = await h.db.case.findUniqueOrThrow({ where: { id: caseId }, include: { messages: true } });
    expect(stored).toMatchObject({ topic: "debt", memberId: member.id, status: "open" });
    expect(stored.messages.map((m) => m.text)).toEqual(["aiuto", "anche io", "ancora", "ci sei?"]);
    expect(stored.lastHouseholdMessageAt?.getTime()).toBe(c.now().getTime());

    // Another household cannot close it; its own member can, once.
    const stranger = await h.household("CORE-000002");
    expect(await closeCaseByHousehold(h.db, c, { caseId, householdId: stranger, memberId: member.id })).toBe(
      "not_found",
    );
    expect(await closeCaseByHousehold(h.db, c, { caseId, householdId, memberId: member.id })).toBe("closed");
    expect(await closeCaseByHousehold(h.db, c, { caseId, householdId, memberId: member.id })).toBe(
      "already_closed",
    );
    expect(await findActiveCase(h.db, householdId)).toBeNull();
    const audits = await h.db.auditLog.findMany({ where: { entityType: "case", entityId: String(caseId) } });
    expect(audits.map((a) => a.action).sort()).toEqual(["case.closed", "case.opened"]);
    expect(JSON.stringify(audits)).not.toMatch(/aiuto|ancora/);
  });

  it("refuses empty and too long replies, replies to closed or missing cases, and changes nothing", async () => {
    const householdId = await h.household("CORE-000003");
    const member = await h.db.member.create({
      data: { telegramUserId: 9_100_000_003n, chatId: 9_100_000_003n, householdId, linkedAt: START },
    });
    const staff = await upsertStaff(h.db, {
      email: "core.op@example.org",
      role: "operator",
      password: "x".repeat(12),
    });
    const opened = await postHouseholdMessage(h.db, clock, {
      householdId,
      memberId: member.id,
      text: "domanda",
      topic: "other",
    });
    const caseId = opened.status === "opened" ? opened.caseId : 0;
    // Nobody reachable: the member is marked unreachable, so no delivery is even requested.
    await h.db.member.update({ where: { id: member.id }, data: { unreachableAt: START } });
    const deps = { db: h.db, deliveryQueue: h.deliveryQueue, clock };
    const reply = (text: string, id = caseId) => replyToCase(deps, { caseId: id, staffId: staff.id, text });

    expect(await reply("  \r\n ")).toEqual({ status: "invalid", problem: "empty" });
    expect(await reply("x".repeat(MAX_REPLY_LENGTH + 1))).toEqual({ status: "invalid", problem: "too_long" });
    expect(await reply("ok", 987_654)).toEqual({ status: "not_found" });
    expect(await h.db.caseMessage.count({ where: { caseId, author: "operator" } })).toBe(0);

    const sent = await reply("x".repeat(MAX_REPLY_LENGTH));
    expect(sent).toMatchObject({ status: "sent", recipients: 0, duplicate: false });
    // A double click is one reply.
    expect(await reply("x".repeat(MAX_REPLY_LENGTH))).toMatchObject({ status: "sent", duplicate: true });
    expect(await h.db.caseMessage.count({ where: { caseId, author: "operator" } })).toBe(1);
    const waiting = await h.db.case.findUniqueOrThrow({ where: { id: caseId } });
    expect(waiting).toMatchObject({ status: "waiting_household", assignedStaffId: staff.id });
    expect(await h.db.outboundMessage.count({ where: { memberId: member.id } })).toBe(0);

    await closeCaseByHousehold(h.db, clock, { caseId, householdId, memberId: member.id });
    expect(await reply("ancora?")).toEqual({ status: "closed" });
    expect(await h.db.caseMessage.count({ where: { caseId, author: "operator" } })).toBe(1);
  });
});

describe("/operator in Italian", () => {
  let maria: SandboxUser;
  let caseId: number;

  it("shows the FAQ and the topics, and answers a question at once", async () => {
    maria = await h.linkedUser("OP-000001", { firstName: "Maria", language: "it" });
    const menu = await maria.ask("🙋 Parla con una persona"); // the menu button
    expect(menu.text).toContain("Di cosa si tratta?");
    expect(buttonData(menu)).toEqual([
      "op:faq:payment",
      "op:faq:isee",
      "op:faq:declaration",
      "op:faq:solidarity",
      "op:faq:plan_change",
      "op:faq:contacts",
      "op:topic:debt",
      "op:topic:documents",
      "op:topic:courses",
      "op:topic:other",
    ]);
    for (const data of buttonData(menu)) expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);

    await press(maria, menu, "op:faq:solidarity");
    const [solidarity] = await maria.replies(1);
    expect(solidarity?.text).toContain("contributo di solidarietà");
    expect(solidarity?.text).toContain("1.200,00\u00a0€");
    expect(buttonData(solidarity)).toEqual(["op:esc:solidarity", "op:menu"]);

    await press(maria, menu, "op:faq:declaration");
    const [declaration] = await maria.replies(1);
    expect(declaration?.text).toContain("canone più alto");

    // "Other questions" shows the menu again; nothing was stored.
    await press(maria, declaration as TranscriptEntry, "op:menu");
    const [again] = await maria.replies(1);
    expect(again?.text).toContain("Di cosa si tratta?");
    expect(await h.db.case.count({ where: { household: { contractCode: "OP-000001" } } })).toBe(0);
  });

  it("escalates from an answer that did not help: asks for a message, refuses media, opens the case", async () => {
    const menu = await maria.ask("/operator");
    await press(maria, menu, "op:faq:isee");
    const [isee] = await maria.replies(1);
    expect(isee?.text).toContain("ISEE");
    await press(maria, isee as TranscriptEntry, "op:esc:isee");
    const [ask] = await maria.replies(1);
    expect(ask?.text).toContain("Scrivi qui il tuo messaggio");
    expect(buttonData(ask)).toContain("flow:cancel");

    await maria.send({ kind: "photo" });
    const [words] = await maria.replies(1);
    expect(words?.text).toContain("con le parole");
    expect(buttonData(words)).toContain("flow:cancel");

    const sent = await maria.send({ text: "Non riesco a fare l'ISEE <b>aiuto</b> & grazie" });
    const [opened] = await maria.replies(1);
    expect(opened?.text).toContain("Messaggio inviato al programma");
    expect(opened?.text).toContain("entro un giorno lavorativo");
    expect(opened?.text).toContain("domani alle 11:00");

    const member = await memberOf(maria);
    const created = await h.db.case.findFirstOrThrow({
      where: { householdId: member.householdId ?? 0 },
      include: { messages: true },
    });
    caseId = created.id;
    expect(created).toMatchObject({ topic: "isee", status: "open", memberId: member.id });
    expect(created.lastHouseholdMessageAt?.getTime()).toBe(START.getTime());
    expect(created.messages).toEqual([
      expect.objectContaining({
        author: "household",
        memberId: member.id,
        text: "Non riesco a fare l'ISEE <b>aiuto</b> & grazie",
        sourceUpdateId: BigInt(sent.update_id),
      }),
    ]);
    expect(buttonData(opened)).toEqual([`op:close:${caseId}`]);
  });

  it("puts later messages into the case, acknowledging a burst once", async () => {
    await maria.send({ text: "Ho anche una domanda sul canone" });
    expect(await maria.quietFor(800)).toEqual([]); // stored, not acknowledged again so soon
    const burst = await maria.send({ text: "e sulle spese" });
    expect(await maria.quietFor(800)).toEqual([]);
    expect(await h.db.caseMessage.count({ where: { caseId } })).toBe(3);

    // A duplicate delivery of the same update changes nothing.
    await maria.redeliver(burst.update_id);
    expect(await maria.quietFor(800)).toEqual([]);
    expect(await h.db.caseMessage.count({ where: { caseId } })).toBe(3);

    // After a quiet while, the next message is acknowledged again.
    clock.advance(ACK_QUIET_MS + 1000);
    const ack = await maria.ask("Ci siete?");
    expect(ack.text).toContain("Passato al programma");
    expect(buttonData(ack)).toEqual([`op:close:${caseId}`]);
    expect(await h.db.caseMessage.count({ where: { caseId } })).toBe(4);

    // Commands still work; photos get a kind explanation and are not stored.
    expect((await maria.ask("/balance")).text).toContain("Totale");
    await maria.send({ kind: "voice" });
    const [voice] = await maria.replies(1);
    expect(voice?.text).toContain("Non posso passare al programma foto");
    expect(await h.db.caseMessage.count({ where: { caseId } })).toBe(4);
  });

  it("shows the open case on /operator, and the topic buttons of an old menu say so", async () => {
    const summary = await maria.ask("/operator");
    expect(summary.text).toContain("Hai una conversazione aperta");
    expect(summary.text).toContain("Argomento: ISEE");
    expect(summary.text).toContain("messaggi: 4");
    expect(buttonData(summary)).toEqual([`op:close:${caseId}`]);

    const oldMenu = (await maria.transcript()).find((m) => m.text?.includes("Di cosa si tratta?"));
    expect(await press(maria, oldMenu as TranscriptEntry, "op:topic:debt")).toContain(
      "già una conversazione aperta",
    );
    const [shown] = await maria.replies(1);
    expect(shown?.text).toContain("Hai una conversazione aperta");
    expect(await h.db.case.count({ where: { household: { contractCode: "OP-000001" } } })).toBe(1);
  });

  it("takes a second member's messages into the household's case, in their language", async () => {
    const john = await h.linkedUser("OP-000001", { firstName: "John", language: "en" });
    const ack = await john.ask("Hello, I am Maria's husband");
    expect(ack.text).toContain("Passed on to your case worker");
    const member = await memberOf(john);
    expect(await h.db.caseMessage.count({ where: { caseId, memberId: member.id } })).toBe(1);
  });

  it("lets the household keep or close the conversation; old buttons then say it is closed", async () => {
    const summary = await maria.ask("/operator");
    await press(maria, summary, `op:close:${caseId}`);
    const [confirm] = await maria.replies(1);
    expect(confirm?.text).toContain("Vuoi chiudere la conversazione");
    expect(confirm?.text).toContain("🙋 Parla con una persona");
    expect(await press(maria, confirm as TranscriptEntry, `op:keep:${caseId}`)).toContain("resta aperta");
    expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).status).toBe("open");

    await press(maria, summary, `op:close:${caseId}`);
    const [confirm2] = await maria.replies(1);
    await press(maria, confirm2 as TranscriptEntry, `op:closeok:${caseId}`);
    const [done, how] = await maria.replies(2);
    expect(done?.text).toContain("Conversazione chiusa");
    // Then, once, how it went (issue 12).
    expect(how?.text).toContain("Com'è andata?");
    expect(how?.reply_markup?.inline_keyboard?.flat().map((b) => b.callback_data)).toEqual(
      [1, 2, 3, 4, 5].map((n) => `sat:${caseId}:${n}`),
    );
    expect(done?.reply_markup?.keyboard?.flat().map((b) => b.text)).toContain("🙋 Parla con una persona");
    const closed = await h.db.case.findUniqueOrThrow({ where: { id: caseId } });
    expect(closed.status).toBe("closed");
    expect(closed.closedAt?.getTime()).toBe(clock.now().getTime());
    // The confirmation's buttons are gone.
    await expect
      .poll(
        async () =>
          (await maria.transcript()).find((m) => m.message_id === confirm2?.message_id)?.reply_markup,
      )
      .toBeUndefined();

    // The close button on an older message now only explains.
    expect(await press(maria, summary, `op:close:${caseId}`)).toContain("già chiusa");
    expect(await maria.quietFor(500)).toEqual([]);

    // Free text is no longer for a person: the general fallback answers, nothing is stored.
    expect((await maria.ask("ciao")).text).toContain("Non ho capito");
    expect(await h.db.caseMessage.count({ where: { caseId } })).toBe(5);

    // A new /operator starts afresh.
    expect((await maria.ask("/operator")).text).toContain("Di cosa si tratta?");
  });

  it("cancels the question with the button or /cancel, and nothing is opened", async () => {
    const menu = await maria.ask("/operator");
    await press(maria, menu, "op:topic:other");
    const [ask] = await maria.replies(1);
    expect(ask?.text).toContain("Altro");
    await press(maria, ask as TranscriptEntry, "flow:cancel");
    const [cancelled] = await maria.replies(1);
    expect(cancelled?.text).toContain("Annullato");
    expect((await maria.ask("una domanda")).text).toContain("Non ho capito");

    await press(maria, menu, "op:topic:courses");
    await maria.replies(1);
    expect((await maria.ask("/cancel")).text).toContain("Annullato");
    expect((await maria.ask("un'altra domanda")).text).toContain("Non ho capito");
    expect(await h.db.case.count({ where: { household: { contractCode: "OP-000001" } } })).toBe(1);
  });

  it("asks people who are not linked for their code first", async () => {
    const stranger = await h.newUser({ language: "it" });
    expect((await stranger.ask("/operator")).text).toContain("codice di collegamento");
  });
});

describe("/operator in English, with the operator's reply through the delivery queue", () => {
  it("opens a case, receives the reply with its close button, and closes", async () => {
    const ana = await h.linkedUser("OP-000002", { firstName: "Ana", language: "en" });
    const menu = await ana.ask("/operator");
    expect(menu.text).toContain("What is it about?");
    await press(ana, menu, "op:faq:payment");
    const [payment] = await ana.replies(1);
    expect(payment?.text).toContain("Lost the notice?");
    expect(buttonData(payment)).toEqual(["op:esc:payment", "op:menu"]);

    await press(ana, menu, "op:topic:documents");
    const [ask] = await ana.replies(1);
    expect(ask?.text).toContain("Write your message for the case worker");
    const opened = await ana.ask("I got a letter about the income declaration");
    expect(opened.text).toContain("Message sent to your case worker");
    expect(opened.text).toContain("tomorrow at 11:00");

    const member = await memberOf(ana);
    const kase = await h.db.case.findFirstOrThrow({ where: { householdId: member.householdId ?? 0 } });
    expect(kase.topic).toBe("documents");
    const staff = await upsertStaff(h.db, {
      email: "giulia.bianchi@aler.example",
      role: "operator",
      password: "y".repeat(12),
    });
    const result = await replyToCase(
      { db: h.db, deliveryQueue: h.deliveryQueue, clock },
      { caseId: kase.id, staffId: staff.id, text: "Bring it on Tuesday <10:00> & we'll look together" },
    );
    expect(result).toMatchObject({ status: "sent", recipients: 1 });
    const [reply] = await ana.replies(1);
    expect(reply?.text).toContain("Message from your case worker:");
    expect(reply?.text).toContain("Bring it on Tuesday <10:00> & we'll look together");
    expect(reply?.text).toContain("— giulia.bianchi");
    expect(buttonData(reply)).toEqual([`op:close:${kase.id}`]);
    const outbound = await h.db.outboundMessage.findFirstOrThrow({
      where: { memberId: member.id, purpose: { startsWith: "case-reply:" } },
    });
    expect(outbound.purpose).toBe(
      `case-reply:${result.status === "sent" ? result.caseMessageId : 0}:${member.id}`,
    );

    const summary = await ana.ask("/operator");
    expect(summary.text).toContain("Your case worker answered on 30/11/2026");
    // Writing back reopens it for the operators.
    const back = await ana.ask("Thank you, Tuesday is fine");
    expect(back.text).toContain("Passed on");
    expect((await h.db.case.findUniqueOrThrow({ where: { id: kase.id } })).status).toBe("open");

    await press(ana, reply as TranscriptEntry, `op:close:${kase.id}`);
    const [confirm] = await ana.replies(1);
    expect(confirm?.text).toContain("Close the conversation with your case worker?");
    await press(ana, confirm as TranscriptEntry, `op:closeok:${kase.id}`);
    const [done, how] = await ana.replies(2);
    expect(done?.text).toContain("Conversation closed");
    expect(how?.text).toContain("How did it go?");
    expect(await press(ana, reply as TranscriptEntry, `op:close:${kase.id}`)).toContain("already closed");
  });

  it("never sent Telegram a request it rejects", async () => {
    expect(await h.badRequests()).toEqual([]);
  });
});

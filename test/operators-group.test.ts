// End to end through the sandbox (bot, delivery and escalation workers, real PostgreSQL and Redis):
// an urgent worry (the home at risk, danger) gets an urgent case and a post in the operators' group
// (each level's answers are in worry-bot.test.ts);
// in the group, only active staff linked by Telegram user id speak for the programme: their reply
// to a post reaches the household once, signed as their staff record says, and /claim assigns the
// case to them; anyone else is refused in the group and nothing reaches the household; other groups
// and other messages are ignored, and a reply to a closed case is explained.
import type { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import { saveOffice } from "../core/offices/offices.ts";
import { createEscalationQueue } from "../core/queues/escalation.ts";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";
import { testOffice } from "./support/offices.ts";
import { SandboxUser, type TranscriptEntry } from "./support/sandbox-user.ts";

// Monday 30 November 2026, 10:20 in Rome.
const START = new Date("2026-11-30T09:20:00Z");
const GROUP = -1_001_500_000_001;
const OTHER_GROUP = -1_001_500_000_002;

let h: BotHarness;

async function call<T>(url: string, body?: unknown): Promise<T> {
  const response = await fetch(url, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as T;
  if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** A group chat in the sandbox: what the bot posts there, in order. */
class Group {
  readonly id: number;
  #seen = 0;
  constructor(id: number) {
    this.id = id;
  }
  async create(title: string): Promise<void> {
    await call(`${h.sandbox.url}/control/groups`, { id: this.id, title, type: "supergroup" });
  }
  /** Waits up to 20 s: in a full test run the bot's answer once took more than 10 s to come. */
  async posts(count = 1, timeoutMs = 20_000): Promise<TranscriptEntry[]> {
    const messages = await call<TranscriptEntry[]>(
      `${h.sandbox.url}/control/chats/${this.id}/wait?after=${this.#seen}&count=${count}&timeout=${timeoutMs}`,
    );
    if (messages.length < count)
      throw new Error(`expected ${count} group post(s), got ${JSON.stringify(messages)}`);
    for (const m of messages) this.#seen = Math.max(this.#seen, m.message_id);
    return messages;
  }
  async quietFor(ms: number): Promise<TranscriptEntry[]> {
    return call(`${h.sandbox.url}/control/chats/${this.id}/wait?after=${this.#seen}&count=1&timeout=${ms}`);
  }
  /** `user` writes in the group, optionally as a reply; the sent message's id moves the cursor. */
  async say(user: SandboxUser, text: string, replyTo?: number): Promise<number> {
    const sent = await user.send({
      text,
      chat_id: this.id,
      ...(replyTo === undefined ? {} : { reply_to_message_id: replyTo }),
    });
    this.#seen = Math.max(this.#seen, sent.message_id);
    return sent.message_id;
  }
}

const group = new Group(GROUP);
const other = new Group(OTHER_GROUP);

/** The office of the test households (Brescia) and of the staff acting on their cases. */
let officeId: number;

beforeAll(async () => {
  h = await startBotHarness({ clock: fixedClock(START), operatorsChatId: BigInt(GROUP) });
  officeId = await testOffice(h.db);
  await group.create("Operatori Bussola");
  await other.create("Altro gruppo");
  // Group posts are not throttled to 20 a minute in these tests.
  await call(`${h.sandbox.url}/control/limits`, { group_per_minute: 0 });
});
afterAll(() => h?.close());

async function operator(firstName: string): Promise<SandboxUser> {
  return SandboxUser.create(h.sandbox.url, { first_name: firstName, language_code: "it" });
}

let staffCount = 0;

/** A Telegram user linked to a staff record (active unless said otherwise). */
async function staffMember(
  telegramName: string,
  record: { firstName?: string | null; active?: boolean; email?: string } = {},
): Promise<{ user: SandboxUser; staffId: number }> {
  const user = await operator(telegramName);
  staffCount += 1;
  const staff = await h.db.staff.create({
    data: {
      email: record.email ?? `staff${staffCount}@example.org`,
      role: "operator",
      passwordHash: "x",
      officeId,
      firstName: record.firstName === undefined ? telegramName : record.firstName,
      telegramUserId: BigInt(user.id),
      active: record.active ?? true,
    },
  });
  return { user, staffId: staff.id };
}

async function householdOf(user: SandboxUser): Promise<number> {
  const member = await h.db.member.findUniqueOrThrow({ where: { telegramUserId: BigInt(user.id) } });
  if (member.householdId === null) throw new Error("not linked");
  return member.householdId;
}

describe("urgent worries", () => {
  it("an eviction letter opens an urgent case, posted as URGENT, without the emergency numbers", async () => {
    const user = await h.linkedUser("GRP-000001", { firstName: "Amina" });
    const householdId = await householdOf(user);
    const answer = await user.ask("Ci è arrivata la lettera di sfratto e non ce la faccio più");
    expect(answer.text).not.toContain("112");
    expect(answer.text).not.toContain("02 2327 2327");
    expect(answer.text).toContain("urgente");

    const opened = await h.db.case.findFirstOrThrow({
      where: { householdId },
      include: { messages: { orderBy: { id: "asc" } } },
    });
    expect(opened).toMatchObject({ urgent: true, source: "distress", status: "open" });
    expect(opened.messages.map((m) => m.author)).toEqual(["system", "household"]);
    expect(opened.messages[1]?.text).toBe("Ci è arrivata la lettera di sfratto e non ce la faccio più");

    const [post] = await group.posts();
    expect(post?.text).toContain("URGENTE");
    expect(post?.text).toContain(`Caso #${opened.id}`);
    expect(post?.text).toContain(`Nucleo n. ${householdId}`);
    expect(post?.text).toContain("lettera di sfratto");
    expect(post?.text).not.toContain("Amina");
    expect(post?.text).not.toContain("Famiglia GRP-000001");
    expect(await h.badRequests()).toEqual([]);
  });

  it("puts thoughts of suicide first, and makes an existing case urgent", async () => {
    const user = await h.linkedUser("GRP-000002");
    const householdId = await householdOf(user);
    // An ordinary case first, through /operator.
    const menu = await user.ask("/operator");
    await user.press(menu.message_id, "op:topic:debt");
    await user.replies(1);
    await user.ask("Vorrei parlare della rata di dicembre");
    const [opened] = await group.posts();
    const plain = await h.db.case.findFirstOrThrow({ where: { householdId } });
    expect(plain).toMatchObject({ urgent: false, source: "household", topic: "debt" });
    expect(opened?.text).toContain(`Caso #${plain.id}`);
    expect(opened?.text).toContain("nuovo");
    expect(opened?.text).not.toContain("URGENTE");

    const answer = await user.ask("A volte penso di farla finita");
    expect(answer.text).toContain("chiama subito il 112");
    expect(answer.text?.indexOf("112")).toBeLessThan(answer.text?.indexOf("Telefono Amico") ?? 0);
    const urgent = await h.db.case.findUniqueOrThrow({ where: { id: plain.id } });
    expect(urgent.urgent).toBe(true);
    expect(await h.db.case.count({ where: { householdId } })).toBe(1);
    const [post] = await group.posts();
    expect(post?.text).toContain("URGENTE");
    expect(post?.text).toContain(`Caso #${plain.id}`);
  });

  it("gives the numbers to someone not linked, without a case", async () => {
    const user = await h.newUser({ language: "en" });
    const answer = await user.ask("I can't pay and I want to end my life");
    expect(answer.text).toContain("112");
    expect(answer.text).toContain("link code");
    expect(await group.quietFor(300)).toEqual([]);
  });

  it("leaves ordinary texts to the other features", async () => {
    const user = await h.linkedUser("GRP-000003");
    const answer = await user.ask("Quando devo pagare la prossima rata?");
    expect(answer.text).not.toContain("112");
    expect(await h.db.case.count({ where: { householdId: await householdOf(user) } })).toBe(0);
  });
});

describe("the operators' group", () => {
  async function caseWithPost(contractCode: string) {
    const user = await h.linkedUser(contractCode);
    await user.ask("Mi hanno staccato il gas");
    const [post] = await group.posts();
    const found = await h.db.case.findFirstOrThrow({ where: { householdId: await householdOf(user) } });
    if (!post) throw new Error("no post");
    return { user, post, caseId: found.id };
  }

  it("a stranger in the group is refused, whatever their name, and nothing reaches the household", async () => {
    const { user, post, caseId } = await caseWithPost("GRP-000010");
    const stranger = await operator("ALER Ufficio Legale");
    await group.say(stranger, "Paghi subito su questo IBAN: IT00X0000000000000000000000", post.message_id);
    const [refused] = await group.posts();
    expect(refused?.text).toContain("Solo il personale del programma");
    expect(refused?.text).toContain("nulla");
    expect(refused?.text).toContain(`--telegram-user-id ${stranger.id}`);
    expect(refused?.reply_to_message_id).toBeDefined();

    await group.say(stranger, "/claim", post.message_id);
    const [claimRefused] = await group.posts();
    expect(claimRefused?.text).toContain("Solo il personale del programma");
    await stranger.send({ kind: "photo", chat_id: GROUP, reply_to_message_id: post.message_id });
    expect((await group.posts())[0]?.text).toContain("Solo il personale del programma");

    expect(await user.quietFor(1500)).toEqual([]);
    expect(await h.db.caseMessage.count({ where: { caseId, author: "operator" } })).toBe(0);
    expect(
      await h.db.outboundMessage.count({ where: { purpose: { startsWith: "case-reply:" }, caseId } }),
    ).toBe(0);
    const found = await h.db.case.findUniqueOrThrow({ where: { id: caseId } });
    expect(found).toMatchObject({ status: "open", assignedStaffId: null });
    const refusals = await h.db.auditLog.findMany({
      where: { action: "case.group_reply_refused", entityId: String(caseId) },
    });
    expect(refusals).toHaveLength(3);
    expect(refusals[0]).toMatchObject({ actorType: "system", actorId: `telegram:${stranger.id}` });
    expect(refusals[0]?.details).toEqual({ reason: "unknown" });
  });

  it("a deactivated staff member is refused too, reply and /claim", async () => {
    const { user, post, caseId } = await caseWithPost("GRP-000015");
    const former = await staffMember("Paola", { active: false });
    await group.say(former.user, "La richiamo domani", post.message_id);
    const [refused] = await group.posts();
    expect(refused?.text).toContain("disattivato");
    expect(refused?.text).not.toContain("staff:add");
    await group.say(former.user, "/claim", post.message_id);
    expect((await group.posts())[0]?.text).toContain("disattivato");
    expect(await user.quietFor(1500)).toEqual([]);
    expect(await h.db.caseMessage.count({ where: { caseId, author: "operator" } })).toBe(0);
    expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).assignedStaffId).toBeNull();
    const refusals = await h.db.auditLog.findMany({
      where: { action: "case.group_reply_refused", entityId: String(caseId) },
    });
    expect(refusals.map((r) => [r.actorType, r.actorId])).toEqual([
      ["staff", String(former.staffId)],
      ["staff", String(former.staffId)],
    ]);
    expect(refusals[0]?.details).toEqual({ reason: "inactive" });
  });

  it("staff of another office can neither answer nor claim the case: nothing reaches the family", async () => {
    const { user, post, caseId } = await caseWithPost("GRP-000012");
    const elsewhere = await saveOffice(h.db, { code: "PV", name: "Pavia", municipalities: ["Pavia"] });
    const pavia = await operator("Pavia");
    await h.db.staff.create({
      data: {
        email: "operatore.pavia@example.org",
        role: "operator",
        passwordHash: "x",
        officeId: elsewhere.officeId,
        telegramUserId: BigInt(pavia.id),
      },
    });
    await group.say(pavia, "/claim", post.message_id);
    expect((await group.posts())[0]?.text).toContain("è di un nucleo di un altro ufficio");
    await group.say(pavia, "Buongiorno, la richiamo domani", post.message_id);
    expect((await group.posts())[0]?.text).toContain("Alla famiglia non è arrivato nulla");
    expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).assignedStaffId).toBeNull();
    expect(await h.db.caseMessage.count({ where: { caseId, author: "operator" } })).toBe(0);
    const refusals = await h.db.auditLog.findMany({
      where: { action: "case.group_reply_refused", entityId: String(caseId) },
    });
    expect(refusals.map((r) => r.details)).toEqual([{ reason: "other_office" }, { reason: "other_office" }]);
    const member = await h.db.member.findUniqueOrThrow({ where: { telegramUserId: BigInt(user.id) } });
    expect(
      await h.db.outboundMessage.count({
        where: { memberId: member.id, purpose: { startsWith: "case-reply:" } },
      }),
    ).toBe(0);
  });

  it("known staff sign with their first name; /claim assigns the case to them only", async () => {
    const { user, post, caseId } = await caseWithPost("GRP-000011");
    const marta = await operator("M.");
    const staff = await h.db.staff.create({
      data: {
        email: "marta.bianchi@example.org",
        role: "operator",
        passwordHash: "x",
        officeId,
        firstName: "Marta",
        telegramUserId: BigInt(marta.id),
      },
    });
    const stranger = await operator("Luca");

    await group.say(stranger, "/claim", post.message_id);
    const [refused] = await group.posts();
    expect(refused?.text).toContain("Solo il personale del programma");
    expect(refused?.text).toContain("staff:add");
    expect(refused?.text).toContain(`--telegram-user-id ${stranger.id}`);
    expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).assignedStaffId).toBeNull();

    await group.say(marta, "/claim@bussola_sandbox_bot", post.message_id);
    const [claimed] = await group.posts();
    expect(claimed?.text).toContain(`Caso #${caseId} assegnato a Marta`);
    expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).assignedStaffId).toBe(staff.id);

    await group.say(marta, "Ho chiesto all'ufficio, le scrivo domani.", post.message_id);
    const [reply] = await user.replies(1);
    expect(reply?.text).toContain("— Marta");
    expect(reply?.text).not.toContain("M.");
    await group.posts(); // the confirmation
    const stored = await h.db.caseMessage.findFirstOrThrow({ where: { caseId, author: "operator" } });
    expect(stored.staffId).toBe(staff.id);
    const replied = await h.db.auditLog.findFirstOrThrow({
      where: { action: "case.replied", entityId: String(caseId) },
    });
    expect(replied).toMatchObject({ actorType: "staff", actorId: String(staff.id) });
    expect(replied.details).toEqual({ caseMessageId: stored.id, recipients: 1 });
  });

  it("staff without a first name sign with their e-mail name, never their Telegram name", async () => {
    const { user, post } = await caseWithPost("GRP-000016");
    const nameless = await staffMember("Capo Ufficio ALER", {
      firstName: null,
      email: "g.verdi@aler.example.it",
    });
    await group.say(nameless.user, "Le mando il modulo per posta.", post.message_id);
    const [reply] = await user.replies(1);
    expect(reply?.text).toContain("— g.verdi");
    expect(reply?.text).not.toContain("Capo Ufficio");
    expect((await group.posts())[0]?.text).toContain("firmata «g.verdi»");
  });

  it("parallel replies from several staff to the same and different posts each reach the household once", async () => {
    const first = await caseWithPost("GRP-000017");
    const second = await caseWithPost("GRP-000018");
    const anna = await staffMember("Anna");
    const bruno = await staffMember("Bruno");
    const carla = await staffMember("Carla");
    const stranger = await operator("Dario");
    const replies: [SandboxUser, number, string][] = [
      [anna.user, first.post.message_id, "Anna al primo, uno"],
      [bruno.user, first.post.message_id, "Bruno al primo"],
      [anna.user, first.post.message_id, "Anna al primo, due"],
      [carla.user, second.post.message_id, "Carla al secondo"],
      [bruno.user, second.post.message_id, "Bruno al secondo"],
      [stranger, first.post.message_id, "Dario, che non è del personale"],
    ];
    const sent = await Promise.all(
      replies.map(([who, post, text]) => who.send({ text, chat_id: GROUP, reply_to_message_id: post })),
    );
    // Telegram delivers one of them twice: still one reply.
    await anna.user.redeliver(sent[0]?.update_id ?? 0);
    await group.posts(replies.length, 30_000); // five confirmations and one refusal

    const firstTexts = (await first.user.replies(3, 30_000)).map((m) => m.text ?? "");
    const secondTexts = (await second.user.replies(2, 30_000)).map((m) => m.text ?? "");
    expect(await first.user.quietFor(2500)).toEqual([]);
    expect(await second.user.quietFor(100)).toEqual([]);
    for (const [texts, expected] of [
      [firstTexts, ["Anna al primo, uno", "Bruno al primo", "Anna al primo, due"]],
      [secondTexts, ["Carla al secondo", "Bruno al secondo"]],
    ] as const) {
      for (const text of expected)
        expect(
          texts.filter((t) => t.includes(text)),
          text,
        ).toHaveLength(1);
    }
    expect([...firstTexts, ...secondTexts].join("\n")).not.toContain("Dario");
    expect(firstTexts.find((t) => t.includes("Bruno al primo"))).toContain("— Bruno");

    const stored = await h.db.caseMessage.findMany({
      where: { caseId: { in: [first.caseId, second.caseId] }, author: "operator" },
    });
    expect(stored).toHaveLength(5);
    expect(
      await h.db.auditLog.count({
        where: { action: "case.replied", entityId: { in: [String(first.caseId), String(second.caseId)] } },
      }),
    ).toBe(5);
  });

  it("ignores messages that reply to no post, and every other group", async () => {
    const { user, post } = await caseWithPost("GRP-000012");
    const giulia = await operator("Giulia");
    await group.say(giulia, "Chi se ne occupa?");
    await group.say(giulia, "/claim");
    // A reply to the operator's own message, not to a post of ours.
    const own = await group.say(giulia, "nota interna");
    await group.say(giulia, "d'accordo", own);
    await other.say(giulia, "/claim");
    await other.say(giulia, "Mi hanno staccato il gas"); // no distress handling in groups either
    expect(await group.quietFor(400)).toEqual([]);
    expect(await other.quietFor(100)).toEqual([]);
    expect(await user.quietFor(100)).toEqual([]);
    expect(post.text).toBeDefined();
  });

  it("explains that a closed case is closed, and sends nothing to the household", async () => {
    const { user, post, caseId } = await caseWithPost("GRP-000013");
    await h.db.case.update({ where: { id: caseId }, data: { status: "closed", closedAt: START } });
    const giulia = (await staffMember("Giulia")).user;
    await group.say(giulia, "Ci sono novità?", post.message_id);
    const [closed] = await group.posts();
    expect(closed?.text).toContain(`Il caso #${caseId} è chiuso`);
    await group.say(giulia, "/claim", post.message_id);
    const [claimClosed] = await group.posts();
    expect(claimClosed?.text).toContain("chiuso");
    expect(await user.quietFor(300)).toEqual([]);
    expect(await h.db.caseMessage.count({ where: { caseId, author: "operator" } })).toBe(0);
  });

  it("a photo in reply to a post gets a short explanation", async () => {
    const { post } = await caseWithPost("GRP-000014");
    const giulia = (await staffMember("Giulia")).user;
    await giulia.send({ kind: "photo", chat_id: GROUP, reply_to_message_id: post.message_id });
    const [answer] = await group.posts();
    expect(answer?.text).toContain("solo con un testo");
  });
});

describe("the escalation worker", () => {
  it("runs the rules from its queue and posts a new overdue case to the group", async () => {
    const user = await h.linkedUser("GRP-000020");
    const householdId = await householdOf(user);
    await h.db.repaymentPlan.create({
      data: {
        householdId,
        planCode: "PR-GRP-20",
        installments: {
          create: [{ number: 1, dueDate: new Date("2026-11-16T00:00:00Z"), amountCents: 20_000 }],
        },
      },
    });
    const queue: Queue = createEscalationQueue(h.redis, h.queuePrefix);
    try {
      await queue.add("escalation", {});
      const [post] = await group.posts(1, 20_000);
      const opened = await h.db.case.findFirstOrThrow({ where: { householdId, source: "overdue" } });
      expect(post?.text).toContain(`Caso #${opened.id}`);
      expect(post?.text).toContain("rata scaduta");
      expect(post?.text).toContain("PR-GRP-20");
    } finally {
      await queue.close();
    }
  });
});

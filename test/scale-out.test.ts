// Scale-out end to end: three bot processes in webhook mode behind a round-robin proxy (here in the
// test), two worker processes and two admin processes, all on one database and one Redis prefix,
// with the sandbox as Telegram. 100 households (one member each) walk a guided expense, a course
// enrolment and a conversation with an operator, whom staff answer through the admin panel over HTTP
// (log-in and CSRF token) and a worker delivers. The proxy sends each chat's updates to the bot
// processes in turn, so no two consecutive updates of a chat meet the same process. Proven: every
// flow ends right, every update is handled exactly once and in order per chat, Telegram refused
// nothing.

import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveOffice } from "../core/offices/offices.ts";
import { upsertStaff } from "../core/staff.ts";
import { type Sandbox, startSandbox } from "../sandbox/server.ts";
import { csrfOf } from "./support/admin-client.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";
import { HttpClient } from "./support/http-client.ts";
import { forwardUpdate, freePort, type RunningProcess, startProcess } from "./support/processes.ts";
import { SandboxUser, sandboxCounters, type TranscriptEntry } from "./support/sandbox-user.ts";

const HOUSEHOLDS = 100;
/** Households walking their flows at the same time (the machine has two cores). */
const AT_ONCE = 15;
const BOTS = 3;
const SECRET = "scale-out-webhook-secret-for-tests_0123456789";
const SESSION_SECRET = "scale-out-session-secret-scale-out-session";
const PATH = "/telegram/webhook";
const NBSP = "\u00a0";
const STAFF = "operatrice@aler.example";
const PASSWORD = "correct horse battery staple";
/** Generous: seven processes share two cores with whatever else runs. */
const WAIT = 60_000;

/** One request the proxy forwarded; status 0 while the backend has not answered. */
type Forwarded = { updateId: number; chatId: number | undefined; backend: number; status: number };

/** The chat an update belongs to (a message or a button press here). */
function chatOf(update: {
  message?: { chat: { id: number } };
  callback_query?: { message?: { chat: { id: number } } };
}): number | undefined {
  return update.message?.chat.id ?? update.callback_query?.message?.chat.id;
}

/**
 * A load balancer in front of the bot processes: each chat's deliveries go to the processes in turn
 * (the next delivery of a chat always to another process), so one chat's flow crosses all of them.
 */
async function startProxy(
  ports: number[],
): Promise<{ url: string; log: Forwarded[]; load: { most: number }; close(): Promise<void> }> {
  const log: Forwarded[] = [];
  const nextOfChat = new Map<number, number>();
  let next = 0;
  const load = { inFlight: 0, most: 0 };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      const body = Buffer.concat(chunks);
      const update = JSON.parse(body.toString("utf8")) as { update_id: number } & Parameters<
        typeof chatOf
      >[0];
      const chatId = chatOf(update);
      let backend: number;
      if (chatId === undefined) {
        backend = next;
        next = (next + 1) % ports.length;
      } else {
        backend = nextOfChat.get(chatId) ?? chatId % ports.length;
        nextOfChat.set(chatId, (backend + 1) % ports.length);
      }
      const entry: Forwarded = { updateId: update.update_id, chatId, backend, status: 0 };
      log.push(entry);
      load.inFlight += 1;
      load.most = Math.max(load.most, load.inFlight);
      const status = await forwardUpdate(ports[backend] as number, request, body);
      entry.status = status;
      load.inFlight -= 1;
      if (!response.destroyed) response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    load,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Runs `task` for every item, at most `limit` at a time; fails with the first failure. */
async function inBatches<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let index = 0;
  const lanes = Array.from({ length: limit }, async () => {
    while (index < items.length) {
      const item = items[index++] as T;
      await task(item);
    }
  });
  await Promise.all(lanes);
}

function buttonData(message: TranscriptEntry | undefined, text: string): string {
  const button = message?.reply_markup?.inline_keyboard?.flat().find((b) => b.text === text);
  if (!button?.callback_data) throw new Error(`no button "${text}" in ${JSON.stringify(message)}`);
  return button.callback_data;
}

/** Cents as a person types them: 1234 → "12,34". */
function typed(cents: number): string {
  return `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, "0")}`;
}

type Household = {
  index: number;
  householdId: number;
  memberId: number;
  user: SandboxUser;
  amountCents: number;
  /** The note typed, or null when the household skips it. */
  note: string | null;
  message: string;
  reply: string;
  /** Every update this household's actions made, in the order they were made. */
  updates: number[];
};

/** What the household reads, in order: one line of each bot message that must be there. */
const EXPECTED_TRANSCRIPT = [
  "Nuova spesa",
  "Quanto hai speso?",
  "Vuoi aggiungere", // the note question (checked more closely in the flow)
  "Spesa segnata",
  "Hai un posto", // the course list, edited in place into the session and then the enrolment
  "Di cosa si tratta?",
  "Scrivi qui il tuo messaggio",
  "Messaggio inviato al programma",
  "Messaggio da chi ti segue nel programma:",
];

describe("three bot, two worker and two admin processes on one database and one Redis prefix", () => {
  let sandbox: Sandbox;
  let t: TestDatabase;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  const processes: RunningProcess[] = [];
  const admins: { client: HttpClient; csrf: string }[] = [];
  let sessionId: number;
  const households: Household[] = [];

  beforeAll(async () => {
    const setUp = Date.now();
    // Like Telegram, the sandbox delivers different chats' updates at once (one chat's in order).
    // It waits 1.5 s for a webhook's answer: an update slower than that on a busy machine is
    // delivered again, to the next process, while the first is still handling it.
    sandbox = await startSandbox({
      port: 0,
      webhookRetryMs: 50,
      webhookTimeoutMs: 1500,
      webhookParallel: true,
    });
    t = await createTestDatabase();
    const course = await t.db.course.create({
      data: {
        code: "SCALE-01",
        title: "Bilancio familiare",
        description: "Come tenere il conto delle spese",
        municipality: "Brescia",
      },
    });
    const startsAt = new Date(Date.now() + 7 * 24 * 3600_000);
    const session = await t.db.courseSession.create({
      data: {
        courseId: course.id,
        startsAt,
        endsAt: new Date(startsAt.getTime() + 2 * 3600_000),
        location: "Sala civica",
        // Exactly one place per household: one too many enrolments would show.
        capacity: HOUSEHOLDS,
      },
    });
    sessionId = session.id;
    // Cases are office-scoped: the operator works for the office of Brescia, the households' one.
    const { officeId } = await saveOffice(t.db, { code: "BS", name: "Brescia", municipalities: ["Brescia"] });
    await upsertStaff(t.db, { email: STAFF, role: "operator", password: PASSWORD, officeId });

    const made: Household[] = [];
    await inBatches(
      Array.from({ length: HOUSEHOLDS }, (_, index) => index),
      10,
      async (index) => {
        const code = String(index).padStart(4, "0");
        const household = await t.db.household.create({
          data: {
            contractCode: `SO-${code}`,
            name: `Famiglia ${code}`,
            fiscalCode: `SCLFML80A01B${code}`,
            municipality: "Brescia",
            address: `Via Roma ${index + 1}`,
            language: "it",
            officeId,
          },
        });
        const user = await SandboxUser.create(sandbox.url, { first_name: `P${code}`, language_code: "it" });
        const member = await t.db.member.create({
          data: {
            telegramUserId: BigInt(user.id),
            chatId: BigInt(user.id),
            language: "it",
            householdId: household.id,
            linkedAt: new Date(),
            consentAt: new Date(),
          },
        });
        made.push({
          index,
          householdId: household.id,
          memberId: member.id,
          user,
          amountCents: 1000 + 37 * index,
          note: index % 2 === 0 ? `spesa ${code}` : null,
          message: `Vorrei parlare della rata, famiglia ${code}`,
          reply: `Ciao famiglia ${code}, ti chiamiamo domani.`,
          updates: [],
        });
      },
    );
    households.push(...made.sort((a, b) => a.index - b.index));
    const householdsMade = Date.now();

    const botPorts = await Promise.all(Array.from({ length: BOTS }, () => freePort()));
    proxy = await startProxy(botPorts);
    const common = {
      DATABASE_URL: t.url,
      QUEUE_PREFIX: testQueuePrefix(),
      SESSION_SECRET,
    };
    const telegram = { TELEGRAM_BOT_TOKEN: sandbox.token, TELEGRAM_API_ROOT: sandbox.url };
    /** Keeps every process that started (so afterAll stops it), then fails if one did not. */
    const started = async (starting: Promise<RunningProcess>[]): Promise<RunningProcess[]> => {
      const settled = await Promise.allSettled(starting);
      for (const s of settled) if (s.status === "fulfilled") processes.push(s.value);
      const failed = settled.find((s) => s.status === "rejected");
      if (failed) throw failed.reason;
      return settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    };
    // Started in two groups: seven Node processes starting together would starve two cores.
    const botsStarting = Date.now();
    await started(
      botPorts.map((port) =>
        startProcess(
          ["main.ts", "--role", "bot"],
          {
            ...common,
            ...telegram,
            BOT_MODE: "webhook",
            WEBHOOK_URL: `${proxy.url}${PATH}`,
            WEBHOOK_SECRET: SECRET,
            ADMIN_PORT: String(port),
          },
          "Bussola ready",
          120_000,
        ),
      ),
    );
    const botsReady = Date.now();
    const workers = Array.from({ length: 2 }, () =>
      startProcess(["main.ts", "--role", "worker"], { ...common, ...telegram }, "Bussola ready", 120_000),
    );
    const adminPorts = [await freePort(), await freePort()];
    const adminProcesses = adminPorts.map((port) =>
      startProcess(
        ["main.ts", "--role", "admin"],
        { ...common, ADMIN_PORT: String(port) },
        "Bussola ready",
        120_000,
      ),
    );
    const [, admins_] = await Promise.all([started(workers), started(adminProcesses)]);
    for (const admin of admins_) {
      const url = /Admin panel: (\S+)/.exec(admin.output())?.[1];
      if (!url) throw new Error(`no admin address in ${admin.output()}`);
      const client = new HttpClient(url);
      expect((await client.signIn(STAFF, PASSWORD)).status).toBe(303);
      admins.push({ client, csrf: csrfOf((await client.get("/cases")).body) });
    }
    console.log(
      `scale-out set-up: households ${Math.round((householdsMade - setUp) / 1000)} s, bots ${Math.round((botsReady - botsStarting) / 1000)} s, workers and admins ${Math.round((Date.now() - botsReady) / 1000)} s`,
    );
  }, 300_000);

  afterAll(async () => {
    const stopping = Date.now();
    await Promise.all(processes.map((running) => running.stop()));
    console.log(`scale-out: processes stopped in ${Math.round((Date.now() - stopping) / 1000)} s`);
    await proxy?.close();
    await sandbox?.close();
    await t?.drop();
  }, 120_000);

  /** /expense → category → amount → note (typed right after the amount) or ⏭ Salta. */
  async function expense(h: Household): Promise<void> {
    const { user } = h;
    const question = await user.send({ text: "/expense" });
    h.updates.push(question.update_id);
    const [categories] = await user.replies(1, WAIT);
    const category = await user.press(categories?.message_id ?? 0, buttonData(categories, "🛒 Cibo e casa"));
    h.updates.push(category.update_id);
    const [amountQuestion] = await user.replies(1, WAIT);
    expect(amountQuestion?.text).toContain("Quanto hai speso?");
    const amount = await user.send({ text: typed(h.amountCents) });
    h.updates.push(amount.update_id);
    const shown = `🛒 Cibo e casa: ${typed(h.amountCents)}${NBSP}€`;
    if (h.note !== null) {
      // Typed quickly, before the note question arrives: handled in the wrong order, the note
      // would be read as the amount. The note question may already be there, numbered before it.
      const note = await user.send({ text: h.note }, { typedAhead: true });
      h.updates.push(note.update_id);
      const [noteQuestion, saved] = await user.replies(2, WAIT);
      expect(noteQuestion?.text).toContain(shown);
      expect(saved?.text).toContain("Spesa segnata");
      expect(saved?.text).toContain(`📝 ${h.note}`);
    } else {
      const [noteQuestion] = await user.replies(1, WAIT);
      expect(noteQuestion?.text).toContain(shown);
      const skip = await user.press(noteQuestion?.message_id ?? 0, buttonData(noteQuestion, "⏭ Salta"));
      h.updates.push(skip.update_id);
      const [saved] = await user.replies(1, WAIT);
      expect(saved?.text).toContain("Spesa segnata");
      expect(saved?.text).not.toContain("📝");
    }
  }

  async function messageText(user: SandboxUser, messageId: number): Promise<string | undefined> {
    return (await user.transcript()).find((m) => m.message_id === messageId)?.text;
  }

  /** /courses → the session → ✅ Mi iscrivo; the list message turns into the session, then the place. */
  async function course(h: Household): Promise<void> {
    const { user } = h;
    const sent = await user.send({ text: "/courses" });
    h.updates.push(sent.update_id);
    const [list] = await user.replies(1, WAIT);
    expect(list?.text).toContain("Corsi e incontri in programma");
    const showData = list?.reply_markup?.inline_keyboard
      ?.flat()
      .map((b) => b.callback_data)
      .find((d) => d?.startsWith(`courses:show:${sessionId}:`));
    if (!showData) throw new Error(`no session button in ${JSON.stringify(list)}`);
    const messageId = list?.message_id ?? 0;
    const show = await user.press(messageId, showData);
    h.updates.push(show.update_id);
    await expect.poll(() => messageText(user, messageId), { timeout: WAIT }).toContain("Posti liberi");
    const detail = (await user.transcript()).find((m) => m.message_id === messageId);
    const enrol = await user.press(messageId, buttonData(detail, "✅ Mi iscrivo"));
    h.updates.push(enrol.update_id);
    await expect.poll(() => messageText(user, messageId), { timeout: WAIT }).toContain("Hai un posto");
  }

  /** /operator → a topic → the message; then staff answer in the panel and a worker delivers it. */
  async function operator(h: Household): Promise<void> {
    const { user } = h;
    const sent = await user.send({ text: "/operator" });
    h.updates.push(sent.update_id);
    const [menu] = await user.replies(1, WAIT);
    expect(menu?.text).toContain("Di cosa si tratta?");
    const topic = await user.press(menu?.message_id ?? 0, "op:topic:debt");
    h.updates.push(topic.update_id);
    const [prompt] = await user.replies(1, WAIT);
    expect(prompt?.text).toContain("Scrivi qui il tuo messaggio");
    const message = await user.send({ text: h.message });
    h.updates.push(message.update_id);
    const [opened] = await user.replies(1, WAIT);
    expect(opened?.text).toContain("Messaggio inviato al programma");

    const found = await t.db.case.findFirstOrThrow({ where: { householdId: h.householdId } });
    const admin = admins[h.index % admins.length];
    if (!admin) throw new Error("no admin process");
    const answer = await admin.client.post(`/cases/${found.id}/reply`, { _csrf: admin.csrf, text: h.reply });
    expect(answer.status).toBe(303);
    expect(answer.headers.get("location")).toBe(`/cases/${found.id}?notice=sent&n=1`);
    const [delivered] = await user.replies(1, WAIT);
    expect(delivered?.text).toContain("Messaggio da chi ti segue nel programma:");
    expect(delivered?.text).toContain(h.reply);
  }

  it("walks 100 households through expense, course and operator: each flow right, each update once, in order", async () => {
    const started = Date.now();
    await inBatches(households, AT_ONCE, async (h) => {
      await expense(h);
      await course(h);
      await operator(h);
    });
    const elapsed = Date.now() - started;

    // Nobody got anything more (a doubled answer, a reply delivered twice).
    await inBatches(households, AT_ONCE, async (h) => {
      expect(await h.user.quietFor(500), `household ${h.index}`).toEqual([]);
    });

    // Every flow ended right, in the database.
    const byMember = [...households].sort((a, b) => a.memberId - b.memberId);
    const byHousehold = [...households].sort((a, b) => a.householdId - b.householdId);
    const entries = await t.db.budgetEntry.findMany({ orderBy: { memberId: "asc" } });
    expect(
      entries.map((e) => [e.memberId, e.householdId, e.kind, e.category, e.amountCents, e.note]),
    ).toEqual(byMember.map((h) => [h.memberId, h.householdId, "expense", "food", h.amountCents, h.note]));
    const enrolments = await t.db.enrolment.findMany({ orderBy: { memberId: "asc" } });
    expect(enrolments.map((e) => [e.memberId, e.sessionId])).toEqual(
      byMember.map((h) => [h.memberId, sessionId]),
    );
    const session = await t.db.courseSession.findUniqueOrThrow({ where: { id: sessionId } });
    expect(enrolments.length).toBeLessThanOrEqual(session.capacity);
    const cases = await t.db.case.findMany({
      include: { messages: { orderBy: { id: "asc" } } },
      orderBy: { householdId: "asc" },
    });
    expect(cases.map((c) => [c.householdId, c.messages.map((m) => [m.author, m.text])])).toEqual(
      byHousehold.map((h) => [
        h.householdId,
        [
          ["household", h.message],
          ["operator", h.reply],
        ],
      ]),
    );
    const replies = await t.db.outboundMessage.findMany({
      where: { purpose: { startsWith: "case-reply:" } },
      orderBy: { memberId: "asc" },
    });
    expect(replies.map((r) => [r.memberId, r.status])).toEqual(byMember.map((h) => [h.memberId, "sent"]));

    // What each household read, in the order it happened, each message once.
    for (const h of households) {
      const read = (await h.user.transcript()).filter((m) => m.from === "bot" && !m.deleted);
      expect(read, `household ${h.index}`).toHaveLength(EXPECTED_TRANSCRIPT.length);
      read.forEach((m, n) => {
        expect(m.text, `household ${h.index}, message ${n}`).toContain(EXPECTED_TRANSCRIPT[n]);
      });
    }

    // Every update handled exactly once (one attempt, done), one after the other per chat.
    const sent = households.flatMap((h) => h.updates);
    const rows = await t.db.processedUpdate.findMany({ orderBy: [{ at: "asc" }, { updateId: "asc" }] });
    expect(rows.map((r) => Number(r.updateId)).sort((a, b) => a - b)).toEqual(
      [...sent].sort((a, b) => a - b),
    );
    expect(rows.filter((r) => r.status !== "done" || r.attempts !== 1)).toEqual([]);
    const position = new Map(rows.map((r, n) => [Number(r.updateId), n]));
    for (const h of households) {
      const started = [...h.updates].sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
      expect(started, `household ${h.index}`).toEqual(h.updates);
    }

    // Different chats' updates were handled at the same time.
    expect(proxy.load.most).toBeGreaterThan(1);
    const redelivered = proxy.log.length - new Set(proxy.log.map((f) => f.updateId)).size;
    console.log(
      `scale-out: ${sent.length} updates in ${Math.round(elapsed / 1000)} s, ${proxy.log.length} deliveries (${redelivered} again after a timeout), at most ${proxy.load.most} at once`,
    );

    // Each chat's updates went to the processes in turn: consecutive deliveries never to the same one.
    for (const h of households) {
      const deliveries = proxy.log.filter((f) => f.chatId === h.user.id);
      expect(new Set(deliveries.map((f) => f.updateId))).toEqual(new Set(h.updates));
      expect(new Set(deliveries.map((f) => f.backend)).size).toBe(BOTS);
      for (let n = 1; n < deliveries.length; n++) {
        expect(deliveries[n]?.backend).not.toBe(deliveries[n - 1]?.backend);
      }
    }

    // Telegram refused nothing.
    const counters = await sandboxCounters(sandbox.url);
    expect(counters.errors.filter((e) => e.error_code === 400)).toEqual([]);
    // And no process logged an error.
    for (const running of processes) expect(running.output()).not.toMatch(/"level":(50|60)/);
  }, 300_000);
});

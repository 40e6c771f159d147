// Several bot processes in webhook mode behind a load balancer (a small round-robin proxy, here in the
// test), as the README's "Many bot processes" describes: one chat's updates, alternating between
// processes, are handled one at a time, in order, each once, with one session; and an update whose
// process is killed mid-way is handled by another when Telegram (the sandbox) delivers it again.
import { createServer, type Server } from "node:http";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../sandbox/server.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";
import { forwardUpdate, freePort, type RunningProcess, startProcess } from "./support/processes.ts";
import {
  SandboxUser,
  sandboxControl,
  sandboxCounters,
  type TranscriptEntry,
} from "./support/sandbox-user.ts";

const SECRET = "bot-processes-secret-for-tests_0123456789";
const NBSP = "\u00a0";
const PATH = "/telegram/webhook";

/** One request the proxy forwarded; status 0 while the backend has not answered. */
type Forwarded = { updateId: number; backend: number; status: number };

/** A round-robin HTTP proxy: each request to the next backend; 502 when that one does not answer. */
async function startProxy(
  ports: number[],
): Promise<{ url: string; log: Forwarded[]; close(): Promise<void> }> {
  const log: Forwarded[] = [];
  let next = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      const body = Buffer.concat(chunks);
      const backend = next;
      next = (next + 1) % ports.length;
      const updateId = (JSON.parse(body.toString("utf8")) as { update_id: number }).update_id;
      const entry: Forwarded = { updateId, backend, status: 0 };
      log.push(entry);
      const status = await forwardUpdate(ports[backend] as number, request, body);
      entry.status = status;
      if (!response.destroyed) response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Cluster = {
  sandbox: Sandbox;
  t: TestDatabase;
  proxy: Awaited<ReturnType<typeof startProxy>>;
  bots: RunningProcess[];
  user: SandboxUser;
  memberId: number;
  close(): Promise<void>;
};

/** A test database with one household, linked by a person of the sandbox. */
async function linkedHousehold(
  sandbox: Sandbox,
): Promise<{ t: TestDatabase; user: SandboxUser; memberId: number }> {
  const t = await createTestDatabase();
  // A statement of a killed process that waits for a lock is cancelled, not run once the lock frees
  // (the README recommends the same setting for production).
  await t.db.$executeRawUnsafe(
    `ALTER DATABASE "${new URL(t.url).pathname.slice(1)}" SET client_connection_check_interval = '200ms'`,
  );
  const household = await t.db.household.create({
    data: {
      contractCode: "BS-009901",
      name: "Famiglia Processi",
      fiscalCode: "PRCFML80A01B157X",
      municipality: "Brescia",
      address: "Via Roma 1",
      language: "it",
    },
  });
  const user = await SandboxUser.create(sandbox.url, { first_name: "Pia", language_code: "it" });
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
  return { t, user, memberId: member.id };
}

/** The sandbox, a test database with a linked household, `count` bot processes behind the proxy. */
async function startCluster(
  count: number,
  webhook: { timeoutMs?: number; retryMs: number },
): Promise<Cluster> {
  const sandbox = await startSandbox({
    port: 0,
    webhookRetryMs: webhook.retryMs,
    ...(webhook.timeoutMs === undefined ? {} : { webhookTimeoutMs: webhook.timeoutMs }),
  });
  const { t, user, memberId } = await linkedHousehold(sandbox);
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const proxy = await startProxy(ports);
  const prefix = testQueuePrefix();
  const bots = await Promise.all(
    ports.map((port) =>
      startProcess(["main.ts", "--role", "bot"], {
        DATABASE_URL: t.url,
        QUEUE_PREFIX: prefix,
        TELEGRAM_BOT_TOKEN: sandbox.token,
        TELEGRAM_API_ROOT: sandbox.url,
        SESSION_SECRET: "bot-processes-session-secret-bot-processes",
        BOT_MODE: "webhook",
        WEBHOOK_URL: `${proxy.url}${PATH}`,
        WEBHOOK_SECRET: SECRET,
        ADMIN_PORT: String(port),
      }),
    ),
  );
  return {
    sandbox,
    t,
    proxy,
    bots,
    user,
    memberId,
    async close() {
      for (const bot of bots) await bot.stop();
      await proxy.close();
      await sandbox.close();
      await t.drop();
    },
  };
}

/** Backends whose insert of a budget entry waits for a lock (a test holds the table). */
async function budgetInsertsWaiting(t: TestDatabase): Promise<number[]> {
  // Seen from another connection: inside a transaction, pg_stat_activity stays as first read.
  const rows = await t.db.$queryRawUnsafe<{ pid: number }[]>(
    `SELECT pid FROM pg_stat_activity
     WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%"BudgetEntry"%'`,
  );
  return rows.map((r) => r.pid);
}

function buttonData(message: TranscriptEntry | undefined, text: string): string {
  const button = message?.reply_markup?.inline_keyboard?.flat().find((b) => b.text === text);
  if (!button?.callback_data) throw new Error(`no button "${text}" in ${JSON.stringify(message)}`);
  return button.callback_data;
}

/** /expense, then the category: the guided expense up to its amount question. */
async function startExpense(user: SandboxUser): Promise<void> {
  const question = await user.ask("/expense");
  await user.press(question.message_id, buttonData(question, "🛒 Cibo e casa"));
  const [amountQuestion] = await user.replies(1, 20_000);
  expect(amountQuestion?.text).toContain("Quanto hai speso?");
}

async function claims(t: TestDatabase, updateIds: number[]) {
  return t.db.processedUpdate.findMany({
    where: { updateId: { in: updateIds.map((id) => BigInt(id)) } },
    orderBy: { at: "asc" },
  });
}

describe("three bot processes behind a round-robin proxy, with a slow Telegram", () => {
  let cluster: Cluster;

  beforeAll(async () => {
    // Every Bot API call takes 400 ms but Telegram waits only 250 ms for the webhook's answer: each
    // update is delivered again, to the next process, while the first one is still handling it.
    cluster = await startCluster(3, { timeoutMs: 250, retryMs: 50 });
  }, 120_000);

  afterAll(async () => {
    await cluster?.close();
  });

  it("walks one chat's guided expense across the processes: in order, each update once", async () => {
    const { sandbox, t, proxy, user } = cluster;
    await sandboxControl(sandbox.url, "/control/faults", { latency_ms: 400 });
    const first = proxy.log.length;

    await startExpense(user);
    // The amount and the note typed quickly, one after the other.
    const amount = await user.send({ text: "12,50" });
    const note = await user.send({ text: "pane" }, { typedAhead: true });
    const [noteQuestion, saved] = await user.replies(2, 20_000);
    expect(noteQuestion?.text).toContain(`🛒 Cibo e casa: 12,50${NBSP}€`);
    expect(saved?.text).toContain("Spesa segnata");
    expect(saved?.text).toContain("📝 pane");
    await sandboxControl(sandbox.url, "/control/faults", { latency_ms: 0 });
    // Nothing answered twice.
    expect(await user.quietFor(1500)).toEqual([]);

    const entries = await t.db.budgetEntry.findMany({ where: { memberId: cluster.memberId } });
    expect(entries.map((e) => [e.category, e.amountCents, e.note])).toEqual([["food", 1250, "pane"]]);

    const forwarded = proxy.log.slice(first);
    const updateIds = [...new Set(forwarded.map((f) => f.updateId))].sort((a, b) => a - b);
    expect(updateIds).toHaveLength(4); // /expense, the category, the amount, the note
    expect(updateIds).toEqual(expect.arrayContaining([amount.update_id, note.update_id]));
    // The chat's updates went to every process, and each was delivered more than once meanwhile.
    expect(new Set(forwarded.map((f) => f.backend)).size).toBe(3);
    expect(forwarded.length).toBeGreaterThan(2 * updateIds.length);
    // Each handled once (one attempt, done), and one after the other in the order they were sent.
    const rows = await claims(t, updateIds);
    expect(rows.map((r) => [Number(r.updateId), r.status, r.attempts])).toEqual(
      updateIds.map((id) => [id, "done", 1]),
    );
  });
});

describe("a bot process killed in the middle of an update", () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster(2, { retryMs: 100 });
  }, 120_000);

  afterAll(async () => {
    await cluster?.close();
  });

  it("is handled once by the other process when Telegram delivers it again: nothing lost", async () => {
    const { t, proxy, user, bots } = cluster;
    await startExpense(user);
    const noteQuestion = await user.ask("12,50");
    expect(noteQuestion.text).toContain(`🛒 Cibo e casa: 12,50${NBSP}€`);

    // Holds the handler up where it writes the entry, after it claimed the update.
    const blocker = new pg.Client({ connectionString: t.url });
    await blocker.connect();
    const waitingInserts = () => budgetInsertsWaiting(t);
    try {
      await blocker.query(`BEGIN; LOCK TABLE "BudgetEntry" IN SHARE MODE`);
      const note = await user.send({ text: "pane" }, { typedAhead: true });
      await expect.poll(waitingInserts, { timeout: 15_000 }).toHaveLength(1);
      const [stuck] = await waitingInserts();
      const inFlight = proxy.log.filter((f) => f.updateId === note.update_id);
      expect(inFlight).toHaveLength(1);
      expect(inFlight[0]?.status).toBe(0); // the webhook has not answered: Telegram still waits
      const victim = inFlight[0]?.backend ?? -1;
      await bots[victim]?.stop("SIGKILL");
      // Its statement waiting for the table ends with it; Telegram delivers the update again, and
      // it reaches the other process.
      await expect
        .poll(async () => (await waitingInserts()).includes(stuck ?? -1), { timeout: 15_000 })
        .toBe(false);
      await expect
        .poll(() => proxy.log.some((f) => f.updateId === note.update_id && f.backend !== victim), {
          timeout: 15_000,
        })
        .toBe(true);
      await blocker.query("COMMIT");

      const [saved] = await user.replies(1, 20_000);
      expect(saved?.text).toContain("Spesa segnata");
      expect(saved?.text).toContain("📝 pane");
      expect(await user.quietFor(1500)).toEqual([]);
      const entries = await t.db.budgetEntry.findMany({ where: { memberId: cluster.memberId } });
      expect(entries.map((e) => [e.amountCents, e.note])).toEqual([[1250, "pane"]]);
      const done = await t.db.processedUpdate.findUniqueOrThrow({
        where: { updateId: BigInt(note.update_id) },
      });
      expect([done.status, done.attempts]).toEqual(["done", 2]);
      const deliveries = proxy.log.filter((f) => f.updateId === note.update_id);
      expect(deliveries.at(0)).toMatchObject({ backend: victim, status: 502 });
      expect(deliveries.at(-1)).toMatchObject({ status: 200 });
      expect(deliveries.at(-1)?.backend).not.toBe(victim);
    } finally {
      await blocker.end();
    }
  });
});

describe("a polling bot process killed in the middle of an update", () => {
  let sandbox: Sandbox;
  let household: Awaited<ReturnType<typeof linkedHousehold>>;
  const running: RunningProcess[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
    household = await linkedHousehold(sandbox);
  }, 120_000);

  afterAll(async () => {
    for (const bot of running) await bot.stop();
    await sandbox?.close();
    await household?.t.drop();
  });

  async function startPollingBot(): Promise<RunningProcess> {
    const bot = await startProcess(["main.ts", "--role", "bot"], {
      DATABASE_URL: household.t.url,
      QUEUE_PREFIX: testQueuePrefix(),
      TELEGRAM_BOT_TOKEN: sandbox.token,
      TELEGRAM_API_ROOT: sandbox.url,
      SESSION_SECRET: "bot-processes-session-secret-bot-processes",
      BOT_MODE: "polling",
      ADMIN_PORT: String(await freePort()),
    });
    running.push(bot);
    return bot;
  }

  it("handles it once when the process starts again, though Telegram will not deliver it again", async () => {
    const { t, user, memberId } = household;
    const first = await startPollingBot();
    await startExpense(user);
    const noteQuestion = await user.ask("12,50");
    expect(noteQuestion.text).toContain(`🛒 Cibo e casa: 12,50${NBSP}€`);

    const blocker = new pg.Client({ connectionString: t.url });
    await blocker.connect();
    try {
      await blocker.query(`BEGIN; LOCK TABLE "BudgetEntry" IN SHARE MODE`);
      const getUpdates = async () => (await sandboxCounters(sandbox.url)).requests.getUpdates ?? 0;
      // The long poll under way when the note is sent hands it out; the next one confirms it to
      // Telegram (its offset is past it), which will never hand it out again.
      const polls = await getUpdates();
      const note = await user.send({ text: "pane" }, { typedAhead: true });
      await expect.poll(() => budgetInsertsWaiting(t), { timeout: 15_000 }).toHaveLength(1);
      await expect.poll(getUpdates, { timeout: 15_000 }).toBeGreaterThan(polls);
      // Kept in PostgreSQL until handled; those handled before it are forgotten.
      const kept = async () => (await t.db.polledUpdate.findMany()).map((k) => Number(k.updateId));
      await expect.poll(kept, { timeout: 5_000 }).toEqual([note.update_id]);

      await first.stop("SIGKILL");
      await expect.poll(() => budgetInsertsWaiting(t), { timeout: 15_000 }).toEqual([]);
      await blocker.query("COMMIT");
      expect(await user.quietFor(500)).toEqual([]);

      await startPollingBot();
      const [saved] = await user.replies(1, 20_000);
      expect(saved?.text).toContain("Spesa segnata");
      expect(saved?.text).toContain("📝 pane");
      expect(await user.quietFor(1500)).toEqual([]);
      const entries = await t.db.budgetEntry.findMany({ where: { memberId } });
      expect(entries.map((e) => [e.amountCents, e.note])).toEqual([[1250, "pane"]]);
      const done = await t.db.processedUpdate.findUniqueOrThrow({
        where: { updateId: BigInt(note.update_id) },
      });
      expect([done.status, done.attempts]).toEqual(["done", 2]);
      // Handled, it is forgotten: what the person wrote is not kept.
      await expect.poll(() => t.db.polledUpdate.count(), { timeout: 5_000 }).toBe(0);

      // And the bot goes on as usual.
      const summary = await user.ask("/summary");
      expect(summary.text).toContain("12,50");
    } finally {
      await blocker.query("ROLLBACK").catch(() => undefined);
      await blocker.end();
    }
  });
});

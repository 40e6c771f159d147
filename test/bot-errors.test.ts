// When handling an update fails — a reply Telegram refuses (400, 403), a database that will not record
// the update — the real bot process, in webhook and in polling mode, gives the person the generic
// answer, answers Telegram like polling confirms (no redelivery loop), and logs ids and the error's
// kind only: none of the household's data planted below may appear anywhere in its output, at any
// log level.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../sandbox/server.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";
import { freePort, type RunningProcess, startProcess } from "./support/processes.ts";
import { SandboxUser, sandboxControl } from "./support/sandbox-user.ts";

const SECRET = "bot-errors-secret-for-tests_0123456789";
const GENERIC_IT = "Scusa, qualcosa non ha funzionato. Riprova tra poco.";

/** Values that must never reach a log: each distinctive enough to grep for. */
const PLANTED = {
  contractCode: "ZQ-771903",
  name: "Famiglia Quarzopiano",
  fiscalCode: "QRZPNA80A41B157W",
  address: "Via Nascostissima 77",
  phone: "3398877665",
  memberFirstName: "Ermenegilda",
  telegramFirstName: "Zebedea",
  marker: "MARCATORE-7Q4X",
};

function expectNothingPlanted(output: string): void {
  for (const [what, value] of Object.entries(PLANTED)) {
    expect(output.includes(value), `${what} (${value}) appears in the output`).toBe(false);
  }
}

/** The process's JSON log lines with this message. */
function logLines(output: string, msg: string): Record<string, unknown>[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.msg === msg);
}

type WebhookInfo = { pending_update_count: number; last_error_date?: number; last_error_message?: string };

async function webhookInfo(sandbox: Sandbox): Promise<WebhookInfo> {
  const answer = (await (await fetch(`${sandbox.url}/bot${sandbox.token}/getWebhookInfo`)).json()) as {
    result: WebhookInfo;
  };
  return answer.result;
}

type Setup = { mode: "webhook" | "polling"; level: "trace" | "info"; roles: string[] };

// At trace level behind the admin server, Fastify logs every request of the webhook route too.
const SETUPS: Setup[] = [
  { mode: "webhook", level: "trace", roles: ["bot", "admin"] },
  { mode: "webhook", level: "info", roles: ["bot"] },
  { mode: "polling", level: "trace", roles: ["bot"] },
];

describe.each(SETUPS)(
  "a failing update, $mode mode, LOG_LEVEL=$level, roles $roles",
  ({ mode, level, roles }) => {
    let sandbox: Sandbox;
    let t: TestDatabase;
    let bot: RunningProcess;
    let user: SandboxUser;
    let memberId: number;

    beforeAll(async () => {
      sandbox = await startSandbox({ port: 0, webhookRetryMs: 100 });
      t = await createTestDatabase();
      const household = await t.db.household.create({
        data: {
          contractCode: PLANTED.contractCode,
          name: PLANTED.name,
          fiscalCode: PLANTED.fiscalCode,
          municipality: "Brescia",
          address: PLANTED.address,
          phone: PLANTED.phone,
          language: "it",
        },
      });
      await t.db.arrearsBalance.create({
        data: {
          householdId: household.id,
          rentCents: 120_000,
          chargesCents: 3_000,
          balanceDate: new Date("2026-09-30"),
        },
      });
      user = await SandboxUser.create(sandbox.url, {
        first_name: PLANTED.telegramFirstName,
        language_code: "it",
      });
      const member = await t.db.member.create({
        data: {
          telegramUserId: BigInt(user.id),
          chatId: BigInt(user.id),
          firstName: PLANTED.memberFirstName,
          language: "it",
          householdId: household.id,
          linkedAt: new Date(),
          consentAt: new Date(),
        },
      });
      memberId = member.id;
      const port = await freePort();
      bot = await startProcess(["main.ts", ...roles.flatMap((role) => ["--role", role])], {
        DATABASE_URL: t.url,
        QUEUE_PREFIX: testQueuePrefix(),
        TELEGRAM_BOT_TOKEN: sandbox.token,
        TELEGRAM_API_ROOT: sandbox.url,
        SESSION_SECRET: "bot-errors-session-secret-bot-errors",
        LOG_LEVEL: level,
        ...(mode === "webhook"
          ? {
              BOT_MODE: "webhook",
              WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/webhook`,
              WEBHOOK_SECRET: SECRET,
              ADMIN_PORT: String(port),
            }
          : {}),
      });
      // The household's own answer works before anything fails.
      expect((await user.ask("/balance")).text).toContain("1.230,00");
    }, 90_000);

    afterAll(async () => {
      await bot?.stop();
      await sandbox?.close();
      await t?.drop();
    });

    it("a reply Telegram refuses with 400: the generic answer, 200 to Telegram, a log line with ids only", async () => {
      await sandboxControl(sandbox.url, "/control/faults", {
        chat_failure: { chat_id: user.id, status: 400, count: 1 },
      });
      const { update_id } = await user.send({ text: `/balance ${PLANTED.marker}` });
      const [answer] = await user.replies(1, 15_000);
      expect(answer?.text).toBe(GENERIC_IT);
      // Told once: the update is not delivered again.
      expect(await user.quietFor(1500)).toEqual([]);
      if (mode === "webhook") {
        const info = await webhookInfo(sandbox);
        expect(info.last_error_date).toBeUndefined();
        expect(info.pending_update_count).toBe(0);
      }
      const failed = logLines(bot.output(), "update failed").filter((entry) => entry.updateId === update_id);
      expect(failed).toHaveLength(1);
      // Recorded as failed, once: a redelivery would not tell the person again.
      const claim = await t.db.processedUpdate.findUniqueOrThrow({ where: { updateId: BigInt(update_id) } });
      expect([claim.status, claim.attempts]).toEqual(["failed", 1]);
      expect(failed[0]).toMatchObject({
        level: 50,
        updateId: update_id,
        memberId,
        updateKind: "message",
        err: { type: "GrammyError", error_code: 400, method: "sendMessage" },
      });
      const err = (failed[0]?.err ?? {}) as { message?: string };
      expect(err.message).toContain("chat not found");
      // Allow-list: nothing of the context, the payload or the update rides along.
      expect(Object.keys(err).sort()).toEqual(["error_code", "message", "method", "stack", "type"].sort());
      if (roles.includes("admin")) {
        // Fastify logged the webhook's requests too (so its serializers were in play).
        const requests = logLines(bot.output(), "incoming request");
        expect(requests.some((e) => JSON.stringify(e.req).includes("/telegram/webhook"))).toBe(true);
      }
      expectNothingPlanted(bot.output());
    });

    it("a chat that refuses every message (403): no answer possible, still 200, still nothing personal", async () => {
      await sandboxControl(sandbox.url, "/control/faults", {
        chat_failure: { chat_id: user.id, status: 403, count: 2 },
      });
      const { update_id } = await user.send({ text: `/balance ${PLANTED.marker} bis` });
      await expect
        .poll(() => logLines(bot.output(), "update failed").filter((e) => e.updateId === update_id).length, {
          timeout: 15_000,
        })
        .toBe(1);
      expect(await user.quietFor(1000)).toEqual([]);
      if (mode === "webhook") {
        const info = await webhookInfo(sandbox);
        expect(info.last_error_date).toBeUndefined();
        expect(info.pending_update_count).toBe(0);
      }
      const [failed] = logLines(bot.output(), "update failed").filter((e) => e.updateId === update_id);
      expect(failed?.err).toMatchObject({ type: "GrammyError", error_code: 403 });
      await sandboxControl(sandbox.url, "/control/faults", { chat_failure: null });
      expectNothingPlanted(bot.output());
    });

    it("a database that refuses to record the update, quoting personal data in its error", async () => {
      // A trigger stands in for a database failure whose message quotes values, as PostgreSQL's do.
      await t.db.$executeRawUnsafe(`
      CREATE FUNCTION refuse_update() RETURNS trigger AS $$
      BEGIN
        RAISE EXCEPTION 'refused for %', (SELECT "fiscalCode" || ' ' || "phone" || ' ' || "address"
          FROM "Household" WHERE "contractCode" = '${PLANTED.contractCode}');
      END $$ LANGUAGE plpgsql`);
      await t.db.$executeRawUnsafe(
        `CREATE TRIGGER refuse_update BEFORE INSERT ON "ProcessedUpdate" FOR EACH ROW EXECUTE FUNCTION refuse_update()`,
      );
      const { update_id } = await user.send({ text: `/balance ${PLANTED.marker} ter` });
      await expect
        .poll(() => logLines(bot.output(), "update failed").filter((e) => e.updateId === update_id).length, {
          timeout: 15_000,
        })
        .toBeGreaterThan(0);
      const [failed] = logLines(bot.output(), "update failed").filter((e) => e.updateId === update_id);
      expect(failed?.err).toMatchObject({ type: "DatabaseError", errorCode: "P0001" });
      expect(((failed?.err ?? {}) as { message?: string }).message).toBe("[database error: see code]");

      // Not recorded: handled again later (webhook: Telegram is answered 503 and delivers it again;
      // polling: it stays kept and is offered again), and the person is not told twice meanwhile;
      // once the database records it, the real answer comes, once.
      if (mode === "webhook") {
        await expect
          .poll(async () => (await webhookInfo(sandbox)).last_error_message, { timeout: 5000 })
          .toContain("503");
      }
      expect(await user.quietFor(500)).toEqual([]);
      await t.db.$executeRawUnsafe(`DROP TRIGGER refuse_update ON "ProcessedUpdate"`);
      const [answer] = await user.replies(1, 15_000);
      expect(answer?.text).toContain("1.230,00");
      if (mode === "webhook") {
        await expect
          .poll(async () => (await webhookInfo(sandbox)).pending_update_count, { timeout: 5000 })
          .toBe(0);
      } else {
        await expect.poll(() => t.db.polledUpdate.count(), { timeout: 5000 }).toBe(0);
      }
      expect(await user.quietFor(1000)).toEqual([]);
      await t.db.$executeRawUnsafe(`DROP FUNCTION refuse_update()`);
      expectNothingPlanted(bot.output());
    });
  },
);

// Who speaks for the programme in the operators' group, through the real processes: the bot in
// webhook mode and the worker (node main.ts --role …) against the sandbox's group over HTTP. A
// stranger and a deactivated colleague are refused in the group and reach nobody; active staff's
// replies, sent all at once, reach the household once each, signed from the staff record.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../sandbox/server.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";
import { testOffice } from "./support/offices.ts";
import { freePort, type RunningProcess, startProcess } from "./support/processes.ts";
import { SandboxUser, sandboxControl, type TranscriptEntry } from "./support/sandbox-user.ts";

const GROUP = -1_001_600_000_001;
const SECRET = "operators-group-processes-secret_0123";

let sandbox: Sandbox;
let t: TestDatabase;
const processes: RunningProcess[] = [];

/** Bot messages in the group after `after`, waiting for `count` of them. */
async function groupPosts(after: number, count: number, timeoutMs = 20_000): Promise<TranscriptEntry[]> {
  const response = await fetch(
    `${sandbox.url}/control/chats/${GROUP}/wait?after=${after}&count=${count}&timeout=${timeoutMs}`,
  );
  const posts = (await response.json()) as TranscriptEntry[];
  if (posts.length < count) throw new Error(`expected ${count} group post(s), got ${JSON.stringify(posts)}`);
  return posts;
}

let household = 0;

/** A linked household member who writes something that opens a case; returns the case's post. */
async function caseWithPost(): Promise<{ user: SandboxUser; caseId: number; postId: number }> {
  household += 1;
  const { id: householdId } = await t.db.household.create({
    data: {
      officeId: await testOffice(t.db),
      contractCode: `OGP-${household}`,
      name: `Famiglia OGP ${household}`,
      fiscalCode: "XXXXXX80A01B157X",
      municipality: "Brescia",
      address: "Via Prova 1",
      language: "it",
    },
  });
  const user = await SandboxUser.create(sandbox.url, { first_name: "Rosa", language_code: "it" });
  await t.db.member.create({
    data: {
      telegramUserId: BigInt(user.id),
      chatId: BigInt(user.id),
      language: "it",
      householdId,
      linkedAt: new Date(),
      consentAt: new Date(),
    },
  });
  const before = (await (await fetch(`${sandbox.url}/control/chats/${GROUP}/transcript`)).json()) as {
    message_id: number;
  }[];
  const last = before.at(-1)?.message_id ?? 0;
  await user.ask("Mi hanno staccato il gas");
  const [post] = await groupPosts(last, 1);
  const found = await t.db.case.findFirstOrThrow({ where: { householdId } });
  if (!post) throw new Error("no post");
  return { user, caseId: found.id, postId: post.message_id };
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  t = await createTestDatabase();
  await sandboxControl(sandbox.url, "/control/groups", { id: GROUP, title: "Operatori", type: "supergroup" });
  await sandboxControl(sandbox.url, "/control/limits", { group_per_minute: 0 });
  const port = await freePort();
  const env = {
    DATABASE_URL: t.url,
    QUEUE_PREFIX: testQueuePrefix(),
    TELEGRAM_BOT_TOKEN: sandbox.token,
    TELEGRAM_API_ROOT: sandbox.url,
    SESSION_SECRET: "operators-group-processes-session-secret",
    OPERATORS_CHAT_ID: String(GROUP),
    QUIET_HOURS: "",
  };
  processes.push(
    await startProcess(["main.ts", "--role", "bot"], {
      ...env,
      BOT_MODE: "webhook",
      WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/webhook`,
      WEBHOOK_SECRET: SECRET,
      ADMIN_PORT: String(port),
    }),
  );
  processes.push(await startProcess(["main.ts", "--role", "worker"], env));
}, 90_000);

afterAll(async () => {
  for (const p of processes) await p.stop();
  await sandbox?.close();
  await t?.drop();
});

describe("the operators' group, through the real bot (webhook) and worker", { timeout: 90_000 }, () => {
  it("refuses a stranger and a deactivated colleague; staff replies sent at once arrive once each", async () => {
    const { user, caseId, postId } = await caseWithPost();
    const stranger = await SandboxUser.create(sandbox.url, { first_name: "ALER Ufficio Legale" });
    const former = await SandboxUser.create(sandbox.url, { first_name: "Paola" });
    await t.db.staff.create({
      data: {
        email: "paola@example.org",
        role: "operator",
        passwordHash: "x",
        officeId: await testOffice(t.db),
        firstName: "Paola",
        telegramUserId: BigInt(former.id),
        active: false,
      },
    });
    const staff = [];
    for (const name of ["Anna", "Bruno"]) {
      const account = await SandboxUser.create(sandbox.url, { first_name: `${name} (Telegram)` });
      const record = await t.db.staff.create({
        data: {
          email: `${name.toLowerCase()}@example.org`,
          role: "operator",
          passwordHash: "x",
          officeId: await testOffice(t.db),
          firstName: name,
          telegramUserId: BigInt(account.id),
        },
      });
      staff.push({ account, record });
    }
    const [anna, bruno] = staff;
    if (!anna || !bruno) throw new Error("no staff");

    const sends: [SandboxUser, string][] = [
      [stranger, "Paghi su questo IBAN: IT00X0000000000000000000000"],
      [former, "La richiamo io"],
      [anna.account, "Risposta di Anna"],
      [bruno.account, "Risposta di Bruno"],
      [anna.account, "Seconda di Anna"],
    ];
    await Promise.all(
      sends.map(([who, text]) => who.send({ text, chat_id: GROUP, reply_to_message_id: postId })),
    );
    const answers = (await groupPosts(postId, sends.length)).map((m) => m.text ?? "");
    expect(answers.filter((a) => a.includes("Solo il personale del programma"))).toHaveLength(1);
    expect(answers.filter((a) => a.includes("disattivato"))).toHaveLength(1);
    expect(answers.filter((a) => a.includes("Risposta inviata"))).toHaveLength(3);

    const received = (await user.replies(3, 30_000)).map((m) => m.text ?? "");
    expect(await user.quietFor(2500)).toEqual([]);
    const expected: [string, string][] = [
      ["Risposta di Anna", "— Anna"],
      ["Risposta di Bruno", "— Bruno"],
      ["Seconda di Anna", "— Anna"],
    ];
    for (const [text, signature] of expected) {
      const matching = received.filter((r) => r.includes(text));
      expect(matching, text).toHaveLength(1);
      expect(matching[0]).toContain(signature);
    }
    const all = received.join("\n");
    expect(all).not.toContain("IBAN");
    expect(all).not.toContain("La richiamo io");
    expect(all).not.toContain("(Telegram)");

    const audits = await t.db.auditLog.findMany({
      where: { entityId: String(caseId) },
      orderBy: { id: "asc" },
    });
    const replied = audits.filter((a) => a.action === "case.replied");
    expect(replied.map((a) => [a.actorType, a.actorId]).sort()).toEqual(
      [
        ["staff", String(anna.record.id)],
        ["staff", String(anna.record.id)],
        ["staff", String(bruno.record.id)],
      ].sort(),
    );
    expect(audits.filter((a) => a.action === "case.group_reply_refused")).toHaveLength(2);
    expect(await t.db.caseMessage.count({ where: { caseId, author: "operator", staffId: null } })).toBe(0);
  });
});

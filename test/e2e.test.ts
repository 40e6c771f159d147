// The first real path through all three processes: the real bot and worker (node main.ts --role …)
// against the sandbox over HTTP, with the CLI as staff use it.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../sandbox/server.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";
import { type RunningProcess, runCli, startProcess } from "./support/processes.ts";
import { SandboxUser, sandboxCounters } from "./support/sandbox-user.ts";

const HOUSEHOLDS = `\uFEFFcontract_code;household_name;fiscal_code;municipality;address;phone;language;arrears_rent;arrears_charges;balance_date
BS-004512;Famiglia Colombo;CLMMRA75C12B157K;Brescia;Via Cremona 41, scala B;3471122334;it;2.310,40;415,75;30/09/2026
BS-004513;Oksana <Kovalenko> & co;KVLKSN88D55Z138P;Brescia;Via Cremona 41, scala C;;uk;640,00;0,00;30/09/2026
MN-000318;Famiglia Marin;MRNGRG82E10Z129T;Mantova;Strada Cipata 22;;ro;0,00;0,00;2026-09-30
`;

let sandbox: Sandbox;
let t: TestDatabase;
let env: Record<string, string>;
const processes: RunningProcess[] = [];

async function linkCode(contract: string): Promise<string> {
  const result = await runCli(["link-code", contract], env);
  expect(result.code).toBe(0);
  return result.stdout.trim().split("\n").at(-1) ?? "";
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  t = await createTestDatabase();
  env = {
    DATABASE_URL: t.url,
    QUEUE_PREFIX: testQueuePrefix(),
    TELEGRAM_BOT_TOKEN: sandbox.token,
    TELEGRAM_API_ROOT: sandbox.url,
    SESSION_SECRET: "e2e-session-secret-e2e-session-secret",
  };
  const file = join(mkdtempSync(join(tmpdir(), "bussola-e2e-")), "households.csv");
  writeFileSync(file, HOUSEHOLDS);
  const imported = await runCli(["import:households", file], env);
  expect(imported.code, imported.stderr).toBe(0);
  processes.push(await startProcess(["main.ts", "--role", "bot"], env));
  processes.push(await startProcess(["main.ts", "--role", "worker"], env));
}, 90_000);

afterAll(async () => {
  for (const p of processes) await p.stop();
  await sandbox?.close();
  await t?.drop();
});

describe("a household links its Telegram account and sees what it owes", () => {
  it("walks import → link code → link → /balance, in Italian", async () => {
    const maria = await SandboxUser.create(sandbox.url, { first_name: "Maria", language_code: "it" });

    // Nothing before the privacy notice is accepted, not even with a code in the deep link.
    const before = await maria.ask("/balance");
    expect(before.text).toContain("Prima di iniziare");
    expect(before.text).not.toMatch(/€/);
    const code = await linkCode("BS-004512");
    const notice = await maria.ask(`/start ${code.replace("-", "")}`);
    expect(notice.text).toContain("Prima di iniziare");
    expect(await t.db.member.count({ where: { telegramUserId: BigInt(maria.id) } })).toBe(0);

    // Accepting stores the member and uses the code sent earlier; the worker confirms with the menu.
    await maria.press(notice.message_id, "consent:accept");
    const [linked] = await maria.replies(1);
    expect(linked?.text).toContain("collegato a Famiglia Colombo");
    expect(linked?.reply_markup?.keyboard?.flat().map((b) => b.text)).toContain("💶 Quanto devo");

    const balance = await maria.ask("💶 Quanto devo"); // the menu button
    expect(balance.text).toContain("Canone: 2.310,40\u00a0€");
    expect(balance.text).toContain("Spese: 415,75\u00a0€");
    expect(balance.text).toContain("Totale: 2.726,15\u00a0€");
    expect(balance.text).toContain("30/09/2026");

    const start = await maria.ask("/start");
    expect(start.text).toContain("Famiglia Colombo");
  });

  it("links by typing the code, in English, and escapes names for Telegram's HTML", async () => {
    const oksana = await SandboxUser.create(sandbox.url, { first_name: "Oksana <3", language_code: "en-GB" });
    const hello = await oksana.acceptPrivacy();
    expect(hello.text).toContain("link code");
    expect((await oksana.ask("/start")).text).toContain("Hello Oksana <3!");
    const code = await linkCode("BS-004513");
    await oksana.send({ text: code.toLowerCase() });
    const [linked] = await oksana.replies(1);
    expect(linked?.text).toContain("linked to Oksana <Kovalenko> & co");
    const balance = await oksana.ask("/balance");
    expect(balance.text).toContain("Rent: 640,00\u00a0€");
    expect(balance.text).toContain("Service charges: 0,00\u00a0€");
    expect(balance.text).toContain("Total: 640,00\u00a0€");
  });

  it("tells a household with nothing owed so", async () => {
    const user = await SandboxUser.create(sandbox.url, { first_name: "Giorgio", language_code: "it" });
    await user.acceptPrivacy();
    await user.send({ text: await linkCode("MN-000318") });
    await user.replies(1);
    expect((await user.ask("/balance")).text).toContain("non risultano debiti");
  });

  it("changes language with /language and a button", async () => {
    const user = await SandboxUser.create(sandbox.url, { first_name: "Ana", language_code: "it" });
    const menu = await user.ask("/language");
    const buttons = menu.reply_markup?.inline_keyboard?.flat() ?? [];
    expect(buttons.map((b) => b.text)).toEqual(expect.arrayContaining(["Italiano", "English"]));
    await user.press(menu.message_id, "lang:en");
    // The choice message is edited in place; the next answer is in English.
    await expect
      .poll(async () => (await user.transcript()).find((m) => m.message_id === menu.message_id)?.text)
      .toContain("English");
    expect((await user.ask("/help")).text).toContain("link code");
    // Chosen before the notice, kept in the session only; accepting carries it to the member record.
    expect(await t.db.member.count({ where: { telegramUserId: BigInt(user.id) } })).toBe(0);
    expect((await user.acceptPrivacy()).text).toContain("Thank you");
    const member = await t.db.member.findUniqueOrThrow({ where: { telegramUserId: BigInt(user.id) } });
    expect(member.language).toBe("en");
    expect(member.consentAt).not.toBeNull();
  });

  it("refuses wrong codes, then even the right one for an hour after five", async () => {
    const user = await SandboxUser.create(sandbox.url, { first_name: "Luca", language_code: "it" });
    await user.acceptPrivacy();
    const left: string[] = [];
    for (let i = 0; i < 5; i++) left.push((await user.ask("ZZZZ-2222")).text ?? "");
    expect(left[0]).toContain("Tentativi rimasti: 4");
    expect(left[3]).toContain("Tentativi rimasti: 1");
    expect(left[4]).toContain("per un'ora");
    const locked = await user.ask(await linkCode("BS-004512"));
    expect(locked.text).toContain("troppi tentativi");
    expect((await user.ask("/balance")).text).toContain("codice di collegamento");
  });

  it("answers anything else briefly and helpfully", async () => {
    const user = await SandboxUser.create(sandbox.url, { first_name: "Sara", language_code: "it" });
    await user.acceptPrivacy();
    expect((await user.ask("ciao ciao")).text).toContain("codice di collegamento"); // not a code attempt
    expect(await t.db.linkAttempt.count({ where: { telegramUserId: BigInt(user.id) } })).toBe(0);
    expect((await user.ask("/frobnicate")).text).toContain("Non conosco questo comando");
    expect((await user.ask("ciao")).text).toContain("codice di collegamento");
    expect((await user.ask("x".repeat(4000))).text).toContain("troppo lungo");
    expect((await user.ask("🙂 مرحبا")).text).toContain("codice di collegamento");
    for (const kind of ["sticker", "photo", "voice", "document", "location"]) {
      await user.send({ kind });
      const [reply] = await user.replies(1);
      expect(reply?.text, kind).toContain("solo messaggi scritti");
    }
    const sent = await user.send({ text: "prima" });
    await user.replies(1);
    await user.edit(sent.message_id, "dopo");
    const [edited] = await user.replies(1);
    expect(edited?.text).toContain("modificato");
    expect((await user.ask("/help")).text).toContain("codice di collegamento");
    expect((await user.ask("/cancel")).text).toContain("niente da annullare");
  });

  it("handles an update delivered twice only once", async () => {
    const user = await SandboxUser.create(sandbox.url, { first_name: "Dino", language_code: "it" });
    await user.acceptPrivacy();
    const sent = await user.send({ text: "/help" });
    await user.replies(1);
    await user.redeliver(sent.update_id);
    expect(await user.quietFor(1500)).toEqual([]);
  });

  it("keeps a step in progress across a restart of the bot", async () => {
    const user = await SandboxUser.create(sandbox.url, { first_name: "Rita", language_code: "it" });
    await user.acceptPrivacy();
    await user.send({ text: await linkCode("BS-004512") });
    await user.replies(1);
    const question = await user.ask("12,50 spesa pane");
    const food = question.reply_markup?.inline_keyboard
      ?.flat()
      .find((b) => b.callback_data?.startsWith("bud:c:"));
    expect(food?.callback_data).toBeDefined();

    const bot = processes.shift();
    await bot?.stop();
    processes.unshift(await startProcess(["main.ts", "--role", "bot"], env));

    await user.press(question.message_id, food?.callback_data ?? "");
    const [saved] = await user.replies(1);
    expect(saved?.text).toContain("12,50\u00a0€");
    const member = await t.db.member.findUniqueOrThrow({ where: { telegramUserId: BigInt(user.id) } });
    expect(await t.db.budgetEntry.count({ where: { memberId: member.id, amountCents: 1250 } })).toBe(1);
  });

  it("registers its commands with descriptions in every language it speaks", async () => {
    const commandsIn = async (language?: string) => {
      const response = await fetch(`${sandbox.url}/bot${sandbox.token}/getMyCommands`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(language ? { language_code: language } : {}),
      });
      const body = (await response.json()) as { result: { command: string; description: string }[] };
      return new Map(body.result.map((c) => [c.command, c.description]));
    };
    const italian = await commandsIn();
    expect([...italian.keys()]).toEqual(
      expect.arrayContaining(["balance", "plan", "expense", "operator", "privacy"]),
    );
    expect(italian.get("balance")).toBe("Quanto devo");
    expect((await commandsIn("en")).get("balance")).toBe("What I owe");
    for (const language of ["ar", "ro", "sq", "uk", "fr", "es"]) {
      const described = await commandsIn(language);
      expect(described.size, language).toBe(italian.size);
      expect(described.get("balance"), language).not.toBe(italian.get("balance"));
    }
  });

  it("never sent Telegram a request it rejects", async () => {
    const counters = await sandboxCounters(sandbox.url);
    expect(counters.errors.filter((e) => e.error_code === 400)).toEqual([]);
    expect(counters.responses["400"] ?? 0).toBe(0);
    expect(counters.requests.setMyCommands).toBeGreaterThanOrEqual(2);
  });
});

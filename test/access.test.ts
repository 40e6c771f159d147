// Access that can be taken back (issue 8, item 6), through the real pieces: the CLI as child
// processes, a LISTENING admin panel over HTTP, and the bot and delivery worker against the sandbox.

import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { systemClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { createLogger } from "../core/logger.ts";
import { eraseOwnContent } from "../core/privacy.ts";
import { upsertStaff } from "../core/staff.ts";
import { csrfOf } from "./support/admin-client.ts";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";
import { HttpClient } from "./support/http-client.ts";
import { testOffice } from "./support/offices.ts";
import { runCli } from "./support/processes.ts";
import type { SandboxUser } from "./support/sandbox-user.ts";

const PASSWORD = "correct horse battery staple";
const OPERATOR = "operatore@example.org";
const COORDINATOR = "coordinatrice@example.org";
const ADMIN = "admin@example.org";
const CONTRACT = "BS-008001";
const OTHER = "BS-008002";
const SLOW = { timeout: 150_000 };

let h: BotHarness;
let app: FastifyInstance;
let base: string;
let env: Record<string, string>;
let householdId: number;
let otherHouseholdId: number;

beforeAll(async () => {
  h = await startBotHarness();
  env = { DATABASE_URL: h.database.url, USER: "access-test" };
  app = createAdminServer({
    config: loadConfig({ DATABASE_URL: h.database.url }),
    logger: createLogger({ level: "silent" }),
    db: h.db,
    clock: systemClock,
    deliveryQueue: h.deliveryQueue,
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  for (const [email, role] of [
    [OPERATOR, "operator"],
    [COORDINATOR, "coordinator"],
    [ADMIN, "admin"],
  ] as const) {
    await upsertStaff(h.db, { email, role, password: PASSWORD, officeId: await testOffice(h.db) });
  }
  householdId = await h.household(CONTRACT, { name: "Famiglia Esposito" });
  otherHouseholdId = await h.household(OTHER, { name: "Famiglia Greco" });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await h?.close();
});

async function signedIn(email: string): Promise<HttpClient> {
  const client = new HttpClient(base);
  expect((await client.signIn(email, PASSWORD)).status).toBe(303);
  return client;
}

/** The last line the CLI printed: the code of `link-code`. */
async function newCode(contract: string): Promise<{ code: string; out: string }> {
  const run = await runCli(["link-code", contract], env);
  expect(run.code, run.stderr).toBe(0);
  return { code: run.stdout.trim().split("\n").at(-1) ?? "", out: run.stdout };
}

describe("staff access from the command line", () => {
  it(
    "staff:deactivate ends a live session at its next request and keeps the person out; staff:reactivate lets them back",
    SLOW,
    async () => {
      const email = "leaving@example.org";
      await upsertStaff(h.db, {
        email,
        role: "operator",
        password: PASSWORD,
        officeId: await testOffice(h.db),
      });
      const browser = await signedIn(email);
      expect((await browser.get("/households")).status).toBe(200);

      const run = await runCli(["staff:deactivate", email.toUpperCase()], env);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/Deactivated leaving@example\.org \(id \d+\); 1 session\(s\) ended\./);
      const refused = await browser.get("/households");
      expect(refused.status).toBe(303);
      expect(refused.headers.get("location")).toMatch(/^\/login/);
      expect((await new HttpClient(base).signIn(email, PASSWORD)).status).toBe(401);
      const staff = await h.db.staff.findUniqueOrThrow({ where: { email } });
      const entry = await h.db.auditLog.findFirstOrThrow({ where: { action: "staff.deactivated" } });
      expect(entry).toMatchObject({ actorType: "cli", actorId: "access-test", entityId: String(staff.id) });

      const again = await runCli(["staff:deactivate", email], env);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain("already deactivated");

      const back = await runCli(["staff:reactivate", email], env);
      expect(back.code, back.stderr).toBe(0);
      expect(back.stdout).toContain(`Reactivated ${email}`);
      expect((await new HttpClient(base).signIn(email, PASSWORD)).status).toBe(303);
      expect(
        await h.db.auditLog.count({ where: { action: "staff.reactivated", entityId: String(staff.id) } }),
      ).toBe(1);
    },
  );

  it("exits 1 for an unknown account and 2 without an e-mail", SLOW, async () => {
    for (const command of ["staff:deactivate", "staff:reactivate", "staff:sessions"]) {
      const unknown = await runCli([command, "nobody@example.org"], env);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain("no account with the e-mail");
      const usage = await runCli([command], env);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain(`Usage: npm run cli -- ${command} EMAIL`);
    }
  });

  it("staff:sessions lists active sessions without tokens, and --revoke ends them all", SLOW, async () => {
    const email = "two-browsers@example.org";
    await upsertStaff(h.db, {
      email,
      role: "coordinator",
      password: PASSWORD,
      officeId: await testOffice(h.db),
    });
    const laptop = await signedIn(email);
    const phone = await signedIn(email);
    const list = await runCli(["staff:sessions", email], env);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain("2 active session(s)");
    expect(list.stdout.match(/session \d+: started .+, expires .+, last seen .+/g)).toHaveLength(2);
    for (const token of [laptop.cookies.get("bussola_session"), phone.cookies.get("bussola_session")]) {
      expect(token).toBeTruthy();
      expect(list.stdout).not.toContain(token as string);
    }
    // Listing changes nothing.
    expect((await laptop.get("/households")).status).toBe(200);

    const revoke = await runCli(["staff:sessions", email, "--revoke"], env);
    expect(revoke.code, revoke.stderr).toBe(0);
    expect(revoke.stdout).toContain("Ended 2 session(s).");
    expect((await laptop.get("/households")).status).toBe(303);
    expect((await phone.get("/households")).status).toBe(303);
    expect((await runCli(["staff:sessions", email], env)).stdout).toContain("0 active session(s)");
    expect(await h.db.auditLog.count({ where: { action: "staff.sessions_revoked" } })).toBe(1);
    // The account itself stays usable.
    expect((await new HttpClient(base).signIn(email, PASSWORD)).status).toBe(303);
  });

  it("staff:add on an existing account (new password or role) ends its sessions", SLOW, async () => {
    const email = "reset@example.org";
    await upsertStaff(h.db, {
      email,
      role: "operator",
      password: PASSWORD,
      officeId: await testOffice(h.db),
    });
    const stolen = await signedIn(email);
    const run = await runCli(["staff:add", "--email", email, "--role", "coordinator"], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("1 session(s) ended");
    expect((await stolen.get("/households")).status).toBe(303);
    const entry = await h.db.auditLog.findFirstOrThrow({ where: { action: "staff.updated" } });
    expect(entry.details).toMatchObject({ sessionsEnded: 1 });
  });
});

describe("link codes", () => {
  it(
    "a new code voids the household's older unused one; the bot answers it like an expired code",
    SLOW,
    async () => {
      const first = await newCode(CONTRACT);
      const second = await newCode(CONTRACT);
      expect(second.out).toContain("1 older unused code(s) of this household voided.");
      const user = await h.newUser({ firstName: "Rosa" });
      const refused = await user.ask(first.code);
      expect(refused.text).toContain("non è valido o è scaduto");
      await user.send({ text: second.code });
      const [linked] = await user.replies(1);
      expect(linked?.text).toContain("collegato a Famiglia Esposito");
    },
  );

  it("link-code --revoke voids the unused codes, and the bot then refuses them", SLOW, async () => {
    const { code } = await newCode(OTHER);
    const revoke = await runCli(["link-code", OTHER, "--revoke"], env);
    expect(revoke.code, revoke.stderr).toBe(0);
    expect(revoke.stdout).toContain(`1 unused code(s) voided for ${OTHER}.`);
    expect(await h.db.auditLog.count({ where: { action: "linkcode.revoked" } })).toBeGreaterThan(0);
    const user = await h.newUser({ firstName: "Piero" });
    expect((await user.ask(code)).text).toContain("non è valido o è scaduto");
    expect(await h.db.member.count({ where: { householdId: otherHouseholdId } })).toBe(0);
    expect((await runCli(["link-code", "XX-000000", "--revoke"], env)).code).toBe(1);
  });
});

describe("a household's access in the panel", () => {
  let maria: SandboxUser;
  let john: SandboxUser;

  beforeAll(async () => {
    maria = await h.linkedUser(CONTRACT, { firstName: "Maria", language: "it" });
    john = await h.linkedUser(CONTRACT, { firstName: "John", language: "en" });
  }, 60_000);

  const memberOf = (user: SandboxUser) =>
    h.db.member.findUniqueOrThrow({ where: { telegramUserId: BigInt(user.id) } });

  it(
    "answers every new route by role: coordinators and admins act, operators get 403, strangers log in",
    SLOW,
    async () => {
      const member = await memberOf(john);
      const clients = {
        operator: await signedIn(OPERATOR),
        coordinator: await signedIn(COORDINATOR),
        admin: await signedIn(ADMIN),
        "signed-out": new HttpClient(base),
      };
      const page = `/households/${householdId}/access`;
      const gets = [page, `${page}/unlink/${member.id}`];
      // Ids guessed across households: John is not a member of the other household.
      const guessed = [
        `/households/${otherHouseholdId}/access/unlink/${member.id}`,
        "/households/99999/access",
      ];
      for (const [role, client] of Object.entries(clients)) {
        for (const path of [...gets, ...guessed]) {
          const answer = await client.get(path);
          const expected =
            role === "signed-out" ? 303 : role === "operator" ? 403 : guessed.includes(path) ? 404 : 200;
          expect(`${role} GET ${path}: ${answer.status}`).toBe(`${role} GET ${path}: ${expected}`);
        }
        // POSTs with the person's own CSRF token (or none when signed out); guessed ids change nothing.
        const csrf = role === "signed-out" ? "" : csrfOf((await client.get("/households")).body);
        for (const path of [
          `/households/${otherHouseholdId}/access/unlink/${member.id}`,
          "/households/99999/access/revoke-codes",
          ...(role === "operator" || role === "signed-out"
            ? [`${page}/unlink/${member.id}`, `${page}/revoke-codes`]
            : []),
        ]) {
          const answer = await client.post(path, { _csrf: csrf });
          const expected = role === "signed-out" ? 303 : role === "operator" ? 403 : 404;
          expect(`${role} POST ${path}: ${answer.status}`).toBe(`${role} POST ${path}: ${expected}`);
        }
        // Without the CSRF token a coordinator's POST is refused too.
        if (role === "coordinator") {
          expect((await client.post(`${page}/unlink/${member.id}`, {})).status).toBe(403);
        }
      }
      expect((await memberOf(john)).householdId).toBe(householdId);
      // The households list links to the page for coordinators and admins only.
      expect((await clients.coordinator.get(`/households?q=${CONTRACT}`)).body).toContain(`href="${page}"`);
      expect((await clients.operator.get(`/households?q=${CONTRACT}`)).body).not.toContain(`href="${page}"`);
    },
  );

  it(
    "lists the linked members by Telegram first name, language and date; unlinking one tells them kindly and stops the household's messages",
    SLOW,
    async () => {
      const coordinator = await signedIn(COORDINATOR);
      const page = `/households/${householdId}/access`;
      const list = await coordinator.get(page);
      expect(list.status).toBe(200);
      expect(list.body).toContain("Maria");
      expect(list.body).toContain("John");
      expect(list.body).toContain('<span lang="en">English</span>');
      const member = await memberOf(maria);
      expect(member.firstName).toBe("Maria");

      // A confirmation page first; the POST does it.
      const confirm = await coordinator.get(`${page}/unlink/${member.id}`);
      expect(confirm.status).toBe(200);
      expect(confirm.body).toContain("Scollegare questa persona?");
      const done = await coordinator.post(`${page}/unlink/${member.id}`, { _csrf: csrfOf(confirm.body) });
      expect(done.status).toBe(303);
      expect(done.headers.get("location")).toBe(`${page}?done=unlinked`);

      // Maria is told, in Italian, through the delivery queue (the worker sends it).
      const [told] = await maria.replies(1, 20_000);
      expect(told?.text).toContain("non è più collegato alla pratica di Famiglia Esposito");
      // And no longer sees the household.
      expect((await maria.ask("/balance")).text).toContain("codice di collegamento");
      const after = await memberOf(maria);
      expect(after).toMatchObject({ householdId: null, linkedAt: null, firstName: null });
      // John stays linked and still sees it.
      expect((await john.ask("/balance")).text).toContain("1.500,00");
      const staff = await h.db.staff.findUniqueOrThrow({ where: { email: COORDINATOR } });
      const entry = await h.db.auditLog.findFirstOrThrow({ where: { action: "member.unlinked_by_staff" } });
      expect(entry).toMatchObject({
        actorType: "staff",
        actorId: String(staff.id),
        entityId: String(householdId),
      });
      expect(JSON.stringify(entry.details)).not.toContain("Maria");
      const listAfter = await coordinator.get(`${page}?done=unlinked`);
      expect(listAfter.body).not.toContain("Maria");
      expect(listAfter.body).toContain("riceverà un messaggio");

      // Unlinking again (a double press) changes nothing and sends nothing more.
      expect(
        (await coordinator.post(`${page}/unlink/${member.id}`, { _csrf: csrfOf(confirm.body) })).status,
      ).toBe(404);
      expect(await maria.quietFor(1500)).toEqual([]);
    },
  );

  it("voids the household's unused codes from the panel", SLOW, async () => {
    const admin = await signedIn(ADMIN);
    const { code } = await newCode(CONTRACT);
    const page = `/households/${householdId}/access`;
    const before = await admin.get(page);
    expect(before.body).toContain("1 codice non ancora usato.");
    const voided = await admin.post(`${page}/revoke-codes`, { _csrf: csrfOf(before.body) });
    expect(voided.status).toBe(303);
    expect(voided.headers.get("location")).toBe(`${page}?done=codes&n=1`);
    expect((await admin.get(`${page}?done=codes&n=1`)).body).toContain("1 codice annullato.");
    const user = await h.newUser({ firstName: "Sara" });
    expect((await user.ask(code)).text).toContain("non è valido o è scaduto");
  });

  it(
    "forgets the first name when the member asks for erasure, and keeps it current while linked",
    SLOW,
    async () => {
      const member = await memberOf(john);
      await h.db.member.update({ where: { id: member.id }, data: { firstName: "Old name" } });
      await john.ask("/help"); // any message refreshes it from Telegram
      expect((await memberOf(john)).firstName).toBe("John");
      await eraseOwnContent(h.db, member.id, systemClock);
      expect((await memberOf(john)).firstName).toBeNull();
      await john.ask("/help");
      expect((await memberOf(john)).firstName).toBeNull();
    },
  );
});

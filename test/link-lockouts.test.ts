// Staff letting back in a person the bot locked out after wrong link codes: the page is for
// coordinators and admins only, shows no name the bot did not keep, and unlocking tells the person in
// the bot, once, after which the right code links them at once.

import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { loadConfig } from "../core/config.ts";
import { issueLinkCode, MAX_WRONG_ATTEMPTS } from "../core/linking.ts";
import { createLogger } from "../core/logger.ts";
import { upsertStaff } from "../core/staff.ts";
import { AdminClient, csrfOf } from "./support/admin-client.ts";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";
import { testOffice } from "./support/offices.ts";
import type { SandboxUser } from "./support/sandbox-user.ts";

const PASSWORD = "correct horse battery staple";
const OPERATOR = "operatore.blocchi@aler.example";
const COORDINATOR = "coordinatrice.blocchi@aler.example";
const ADMIN = "admin.blocchi@aler.example";
const CONTRACT = "MN-004401";
const NAME = "Ana <script>alert(1)</script>";

let h: BotHarness;
let app: FastifyInstance;
let ana: SandboxUser;
let memberId: number;

class Client extends AdminClient {
  constructor() {
    super(() => app);
  }

  async login(email: string): Promise<string> {
    expect((await this.signIn(email, PASSWORD)).statusCode).toBe(303);
    return csrfOf((await this.get("/cases")).body);
  }
}

beforeAll(async () => {
  h = await startBotHarness();
  app = createAdminServer({
    config: loadConfig({ DATABASE_URL: h.database.url }),
    logger: createLogger({ level: "silent" }),
    db: h.db,
    clock: { now: () => new Date() },
    deliveryQueue: h.deliveryQueue,
  });
  await upsertStaff(h.db, {
    email: OPERATOR,
    role: "operator",
    password: PASSWORD,
    officeId: await testOffice(h.db),
  });
  await upsertStaff(h.db, {
    email: COORDINATOR,
    role: "coordinator",
    password: PASSWORD,
    officeId: await testOffice(h.db),
  });
  await upsertStaff(h.db, { email: ADMIN, role: "admin", password: PASSWORD });
  await h.household(CONTRACT);

  // Ana mistypes the code she was read over the phone until the bot stops her.
  ana = await h.newUser({ firstName: NAME, language: "ro" });
  for (let i = 0; i < MAX_WRONG_ATTEMPTS; i++) await ana.ask("ZZZZ-2222");
  const locked = await ana.ask("ZZZZ-2223");
  expect(locked.text).toContain("Încearcă din nou după");
  memberId = (await h.db.member.findUniqueOrThrow({ where: { telegramUserId: BigInt(ana.id) } })).id;
}, 90_000);

afterAll(async () => {
  await app?.close();
  await h?.close();
});

describe("people locked out by wrong link codes", () => {
  it("are for coordinators and admins: anonymous people sign in first, operators are refused", async () => {
    const anonymous = await new Client().get("/link-lockouts");
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe(`/login?next=${encodeURIComponent("/link-lockouts")}`);
    expect((await new Client().post(`/link-lockouts/${memberId}/unlock`, {})).statusCode).toBe(303);

    const operator = new Client();
    const csrf = await operator.login(OPERATOR);
    expect((await operator.get("/link-lockouts")).statusCode).toBe(403);
    expect((await operator.post(`/link-lockouts/${memberId}/unlock`, { _csrf: csrf })).statusCode).toBe(403);
    expect((await operator.get("/households")).body).not.toContain('href="/link-lockouts"');

    for (const email of [COORDINATOR, ADMIN]) {
      const client = new Client();
      await client.login(email);
      expect((await client.get("/households")).body).toContain('href="/link-lockouts"');
      const page = await client.get("/link-lockouts");
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`persona n. ${memberId}`);
      // Not linked: the Telegram name is not stored, so not shown (nor anything that would run).
      expect(page.body).not.toContain("Ana");
      expect(page.body).not.toContain("<script>alert(1)");
      expect(page.body).toContain('rumeno (<span lang="ro">Română</span>)');
      expect(page.body).toContain("non ancora collegata");
      // The Telegram id is never shown.
      expect(page.body).not.toContain(String(ana.id));
    }
    expect(await ana.quietFor(300)).toEqual([]);
  });

  it("refuses a forged or unknown unlock, changing nothing", async () => {
    const client = new Client();
    const csrf = await client.login(COORDINATOR);
    expect((await client.post(`/link-lockouts/${memberId}/unlock`, {})).statusCode).toBe(403);
    expect((await client.post("/link-lockouts/999999/unlock", { _csrf: csrf })).statusCode).toBe(404);
    expect((await client.post("/link-lockouts/abc/unlock", { _csrf: csrf })).statusCode).toBe(404);
    const locked = await ana.ask("ZZZZ-2224");
    expect(locked.text).toContain("Încearcă din nou după");
  });

  it("lets the person try again at once, telling them once; the right code then links them", async () => {
    const client = new Client();
    const csrf = await client.login(COORDINATOR);
    const unlocked = await client.post(`/link-lockouts/${memberId}/unlock`, { _csrf: csrf });
    expect(unlocked.statusCode).toBe(303);
    expect(unlocked.headers.location).toBe("/link-lockouts?notice=unlocked");
    const page = (await client.get(unlocked.headers.location as string)).body;
    expect(page).toContain("Persona sbloccata");
    expect(page).toContain("Nessuna persona è bloccata in questo momento.");
    const [told] = await ana.replies(1, 15_000);
    expect(told?.text).toContain("Poți scrie din nou codul de conectare");

    // A second press (another coordinator, a double click) changes nothing and tells nobody again.
    const again = await client.post(`/link-lockouts/${memberId}/unlock`, { _csrf: csrf });
    expect(again.headers.location).toBe("/link-lockouts?notice=notLocked");
    expect(await ana.quietFor(800)).toEqual([]);

    const audits = await h.db.auditLog.findMany({ where: { action: "link.unlocked" } });
    expect(audits.map((a) => [a.entityType, a.entityId])).toEqual([["member", String(memberId)]]);
    expect(JSON.stringify(audits)).not.toContain("Ana");

    const issued = await issueLinkCode(h.db, CONTRACT, { now: () => new Date() });
    const linked = await ana.ask(issued?.code ?? "");
    expect(linked.text).toContain(`Famiglia ${CONTRACT}`);
    expect((await h.db.member.findUniqueOrThrow({ where: { id: memberId } })).linkedAt).not.toBeNull();
  });
});

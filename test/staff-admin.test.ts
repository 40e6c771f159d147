// Staff accounts in the panel: who may open /staff, /settings, /queues and /account (a route × role
// matrix, ids guessed), invitations (24 h, single use, hashed), role and office rules, the last admin,
// deactivation, sessions and "log out everywhere", one's own password, the settings page without
// secrets, and the queue dashboard's failed jobs and Retry. Every change is in the audit log, ids only.
import { Queue, Worker } from "bullmq";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { loadConfig } from "../core/config.ts";
import { createLogger } from "../core/logger.ts";
import { saveOffice } from "../core/offices/offices.ts";
import { createDeliveryQueue } from "../core/queues/delivery.ts";
import { upsertStaff } from "../core/staff.ts";
import { INVITATION_TTL_MS } from "../core/staff-accounts.ts";
import { AdminClient, csrfOf } from "./support/admin-client.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";
import { testOffice } from "./support/offices.ts";

const PASSWORD = "correct horse battery staple";
const ADMIN = "admin.personale@aler.example";
const COORDINATOR = "coordinamento.personale@aler.example";
const OPERATOR = "operatore.personale@aler.example";
const SESSION_SECRET = "s3cr3t-session-value-that-is-long-enough-0123";
const BOT_TOKEN = "123456789:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ";
const DB_PASSWORD = "pg-hunter2-password";

let t: TestDatabase;
let redis: Redis;
let prefix: string;
let app: FastifyInstance;
let officeId: number;
let otherOfficeId: number;
let offsetMs = 0;
const ids: Record<string, number> = {};

class Client extends AdminClient {
  constructor() {
    super(() => app);
  }

  async login(email: string, password = PASSWORD): Promise<string> {
    expect((await this.signIn(email, password)).statusCode).toBe(303);
    return csrfOf((await this.get("/account")).body);
  }
}

beforeAll(async () => {
  t = await createTestDatabase();
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  prefix = testQueuePrefix();
  const deliveryQueue = createDeliveryQueue(redis, prefix);
  const broadcasts = new Queue("broadcasts", { connection: redis, prefix });
  officeId = await testOffice(t.db);
  otherOfficeId = (await saveOffice(t.db, { code: "CR", name: "Cremona", municipalities: ["Crema"] }))
    .officeId;
  app = createAdminServer({
    config: loadConfig({
      DATABASE_URL: `postgresql://postgres:${DB_PASSWORD}@127.0.0.1:5432/bussola`,
      SESSION_SECRET,
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      CASE_SLA_HOURS: "6",
      QUIET_HOURS: "22:00-07:30",
      RETENTION_MONTHS: "18",
    }),
    logger: createLogger({ level: "silent" }),
    db: t.db,
    clock: { now: () => new Date(Date.now() + offsetMs) },
    deliveryQueue,
    queues: [deliveryQueue, broadcasts],
  });
  ids.admin = (await upsertStaff(t.db, { email: ADMIN, role: "admin", password: PASSWORD })).id;
  ids.coordinator = (
    await upsertStaff(t.db, { email: COORDINATOR, role: "coordinator", password: PASSWORD, officeId })
  ).id;
  ids.operator = (
    await upsertStaff(t.db, {
      email: OPERATOR,
      role: "operator",
      password: PASSWORD,
      officeId,
      firstName: "<script>alert(1)</script>",
    })
  ).id;
}, 60_000);

afterAll(async () => {
  await app?.close();
  await redis?.quit();
  await t?.drop();
});

async function auditOf(action: string) {
  return t.db.auditLog.findMany({ where: { action }, orderBy: { id: "asc" } });
}

describe("who may open what", () => {
  const ADMIN_GETS = ["/staff", "/staff/ID", "/settings", "/queues"];
  const ADMIN_POSTS = [
    "/staff",
    "/staff/ID/role",
    "/staff/ID/active",
    "/staff/ID/sessions/end",
    "/staff/ID/invitation",
    "/queues/delivery/jobs/1/retry",
  ];

  it("signed out: every page sends to the log-in page, every form changes nothing", async () => {
    const anonymous = new Client();
    for (const path of [...ADMIN_GETS, "/account"]) {
      const response = await anonymous.get(path.replace("ID", String(ids.operator)));
      expect(response.statusCode, path).toBe(303);
      expect(response.headers.location).toMatch(/^\/login/);
    }
    for (const path of [...ADMIN_POSTS, "/account/password"]) {
      const response = await anonymous.post(path.replace("ID", String(ids.operator)), { role: "admin" });
      expect(response.statusCode, path).toBe(303);
      expect(response.headers.location).toBe("/login");
    }
    expect((await t.db.staff.findUniqueOrThrow({ where: { id: ids.operator } })).role).toBe("operator");
  });

  it("operators and coordinators: admin pages are refused, with or without a CSRF token; /account is theirs", async () => {
    for (const email of [OPERATOR, COORDINATOR]) {
      const client = new Client();
      const csrf = await client.login(email);
      const nav = (await client.get("/account")).body;
      expect(nav).toContain('href="/account"');
      expect(nav).not.toContain('href="/staff"');
      expect(nav).not.toContain('href="/queues"');
      expect(nav).not.toContain('href="/settings"');
      for (const path of ADMIN_GETS) {
        for (const id of [ids.operator, ids.admin, 999999]) {
          expect((await client.get(path.replace("ID", String(id)))).statusCode, `${email} ${path}`).toBe(403);
        }
      }
      for (const path of ADMIN_POSTS) {
        const response = await client.post(path.replace("ID", String(ids.admin)), {
          _csrf: csrf,
          role: "operator",
          officeId: String(officeId),
          active: "false",
          email: "nuova@aler.example",
        });
        expect(response.statusCode, `${email} ${path}`).toBe(403);
      }
    }
    const admin = await t.db.staff.findUniqueOrThrow({ where: { id: ids.admin } });
    expect(admin.role).toBe("admin");
    expect(admin.active).toBe(true);
    expect(await t.db.staff.findUnique({ where: { email: "nuova@aler.example" } })).toBeNull();
    expect(await t.db.staffSession.count({ where: { staffId: ids.admin } })).toBe(0);
  });

  it("admins: the pages open and show in the menu; guessed ids are 404; forms need the CSRF token", async () => {
    const client = new Client();
    const csrf = await client.login(ADMIN);
    for (const href of ["/staff", "/settings", "/queues", "/account"]) {
      expect((await client.get("/account")).body).toContain(`href="${href}"`);
    }
    for (const path of ADMIN_GETS) {
      expect((await client.get(path.replace("ID", String(ids.operator)))).statusCode, path).toBe(200);
    }
    for (const bad of ["999999", "abc", "0", "-1", "1e3"]) {
      expect((await client.get(`/staff/${bad}`)).statusCode).toBe(404);
      for (const action of ["role", "active", "sessions/end", "invitation"]) {
        const response = await client.post(`/staff/${bad}/${action}`, {
          _csrf: csrf,
          role: "admin",
          officeId: "",
          active: "false",
        });
        expect(response.statusCode, `${bad} ${action}`).toBe(404);
      }
    }
    expect((await client.post("/queues/nope/jobs/1/retry", { _csrf: csrf })).statusCode).toBe(404);
    expect((await client.post("/queues/delivery/jobs/424242/retry", { _csrf: csrf })).statusCode).toBe(404);
    // No CSRF token: refused, nothing changes.
    for (const path of ADMIN_POSTS) {
      const response = await client.post(path.replace("ID", String(ids.operator)), {
        role: "admin",
        active: "false",
        email: "senza.csrf@aler.example",
      });
      expect(response.statusCode, path).toBe(403);
    }
    const operator = await t.db.staff.findUniqueOrThrow({ where: { id: ids.operator } });
    expect(operator.role).toBe("operator");
    expect(operator.active).toBe(true);
    expect(await t.db.staff.findUnique({ where: { email: "senza.csrf@aler.example" } })).toBeNull();
  });
});

describe("the staff list", () => {
  it("shows e-mail, name (escaped), role, office, state and last seen", async () => {
    const client = new Client();
    await client.login(ADMIN);
    const page = (await client.get("/staff")).body;
    expect(page).toContain(OPERATOR);
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page).not.toContain("<script>alert(1)");
    expect(page).toContain("Ufficio di prova");
    expect(page).toContain("operatore");
    expect(page).toContain("attivo");
    expect(page).toMatch(/\d{2}\/\d{2}\/\d{4}/); // someone has been seen
  });
});

describe("the last active admin", () => {
  it("cannot be demoted or deactivated; with a second admin they can", async () => {
    const client = new Client();
    const csrf = await client.login(ADMIN);
    const demote = await client.post(`/staff/${ids.admin}/role`, {
      _csrf: csrf,
      role: "coordinator",
      officeId: String(officeId),
    });
    expect(demote.statusCode).toBe(409);
    expect(demote.body).toContain("unico account di amministrazione attivo");
    const off = await client.post(`/staff/${ids.admin}/active`, { _csrf: csrf, active: "false" });
    expect(off.statusCode).toBe(409);
    expect(off.body).toContain("unico account di amministrazione attivo");
    const admin = await t.db.staff.findUniqueOrThrow({ where: { id: ids.admin } });
    expect(admin.role).toBe("admin");
    expect(admin.active).toBe(true);
    expect((await client.get("/staff")).statusCode).toBe(200); // still signed in

    // A second, deactivated admin does not count.
    const second = await upsertStaff(t.db, {
      email: "admin2@aler.example",
      role: "admin",
      password: PASSWORD,
    });
    await t.db.staff.update({ where: { id: second.id }, data: { active: false } });
    expect(
      (await client.post(`/staff/${ids.admin}/active`, { _csrf: csrf, active: "false" })).statusCode,
    ).toBe(409);
    // Active, it does: the second admin may now demote the first.
    await t.db.staff.update({ where: { id: second.id }, data: { active: true } });
    const other = new Client();
    const otherCsrf = await other.login("admin2@aler.example");
    const demoted = await other.post(`/staff/${ids.admin}/role`, {
      _csrf: otherCsrf,
      role: "coordinator",
      officeId: String(officeId),
    });
    expect(demoted.statusCode).toBe(303);
    // Their session ended with the change.
    expect((await client.get("/staff")).statusCode).toBe(303);
    // And back, so the other tests keep their admin.
    expect(
      (await other.post(`/staff/${ids.admin}/role`, { _csrf: otherCsrf, role: "admin", officeId: "" }))
        .statusCode,
    ).toBe(303);
    await t.db.staff.update({ where: { id: second.id }, data: { active: false } });
    const audits = await auditOf("staff.role_changed");
    expect(audits.map((a) => a.entityId)).toEqual([String(ids.admin), String(ids.admin)]);
  });
});

describe("invitations", () => {
  let admin: Client;
  let csrf: string;

  beforeAll(async () => {
    admin = new Client();
    csrf = await admin.login(ADMIN);
  });

  async function invite(email: string, role = "operator", office: string = String(officeId)) {
    return admin.post("/staff", { _csrf: csrf, email, role, officeId: office, firstName: "Giulia" });
  }

  function tokenOf(body: string): string {
    const match = /\/invite\/([A-Za-z0-9_-]{43})"/.exec(body);
    if (!match?.[1]) throw new Error("no invitation link in the page");
    return match[1];
  }

  it("refuses a bad e-mail, an operator or coordinator without office, an existing e-mail", async () => {
    const noOffice = await invite("senza.ufficio@aler.example", "operator", "");
    expect(noOffice.statusCode).toBe(400);
    expect(noOffice.body).toContain("ha bisogno di un ufficio");
    expect(noOffice.body).toContain('value="senza.ufficio@aler.example"'); // the form keeps what was typed
    expect((await invite("senza.ufficio@aler.example", "coordinator", "")).statusCode).toBe(400);
    expect((await invite("non-una-email", "operator")).statusCode).toBe(400);
    expect((await invite("x@aler.example", "boss")).statusCode).toBe(400);
    expect((await invite("x@aler.example", "operator", "999999")).statusCode).toBe(400);
    const exists = await invite(OPERATOR.toUpperCase());
    expect(exists.statusCode).toBe(409);
    expect(exists.body).toContain("Esiste già un account");
    expect(await t.db.staff.count({ where: { email: { contains: "senza.ufficio" } } })).toBe(0);
  });

  it("creates the account without a usable password; the link, once, sets it and signs the person in", async () => {
    const created = await invite("Giulia.Nuova@aler.example");
    expect(created.statusCode).toBe(200);
    expect(created.headers["cache-control"]).toBe("no-store");
    const token = tokenOf(created.body);
    expect(created.body).toContain(`http://admin.test/invite/${token}`);
    const staff = await t.db.staff.findUniqueOrThrow({ where: { email: "giulia.nuova@aler.example" } });
    expect(staff.role).toBe("operator");
    expect(staff.officeId).toBe(officeId);
    // Stored hashed only.
    const stored = await t.db.staffInvitation.findFirstOrThrow({ where: { staffId: staff.id } });
    expect(stored.tokenHash).not.toContain(token);
    expect(stored.expiresAt.getTime() - stored.createdAt.getTime()).toBeGreaterThan(
      INVITATION_TTL_MS - 60_000,
    );
    // No password works before the link is used.
    for (const guess of ["invited", "", PASSWORD]) {
      const attempt = await new Client().signIn("giulia.nuova@aler.example", guess);
      expect(attempt.statusCode).not.toBe(303);
    }
    expect((await admin.get("/staff")).body).toContain("invito in attesa");

    const person = new Client();
    const open = await person.get(`/invite/${token}`);
    expect(open.statusCode).toBe(200);
    expect(open.body).toContain("giulia.nuova@aler.example");
    const short = await person.post(`/invite/${token}`, { password: "corta", confirm: "corta" });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain("troppo corta");
    const mismatch = await person.post(`/invite/${token}`, {
      password: "una frase lunga e mia",
      confirm: "un'altra frase lunga",
    });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.body).toContain("non coincidono");
    const done = await person.post(`/invite/${token}`, {
      password: "una frase lunga e mia",
      confirm: "una frase lunga e mia",
    });
    expect(done.statusCode).toBe(303);
    expect((await person.get("/households")).statusCode).toBe(200);
    expect((await person.get("/account")).body).toContain("giulia.nuova@aler.example");

    // Single use.
    const again = await new Client().get(`/invite/${token}`);
    expect(again.statusCode).toBe(404);
    expect(again.body).toContain("scaduto, è già stato usato");
    const reuse = await new Client().post(`/invite/${token}`, {
      password: "x".repeat(20),
      confirm: "x".repeat(20),
    });
    expect(reuse.statusCode).toBe(404);
    expect(await new Client().login("giulia.nuova@aler.example", "una frase lunga e mia")).toBeTruthy();

    const audits = await auditOf("staff.invited");
    const mine = audits.find((a) => a.entityId === String(staff.id));
    expect(mine?.details).toEqual({ role: "operator", officeId });
    expect(JSON.stringify(audits)).not.toContain("giulia");
    expect((await auditOf("staff.invitation_used")).map((a) => a.entityId)).toContain(String(staff.id));
  });

  it("expires after 24 hours; a new link voids the old; unknown or malformed tokens are refused", async () => {
    const created = await invite("tardi@aler.example", "coordinator");
    const first = tokenOf(created.body);
    const staff = await t.db.staff.findUniqueOrThrow({ where: { email: "tardi@aler.example" } });
    const page = await admin.post(`/staff/${staff.id}/invitation`, { _csrf: csrf });
    expect(page.statusCode).toBe(200);
    const second = tokenOf(page.body);
    expect(second).not.toBe(first);
    expect((await new Client().get(`/invite/${first}`)).statusCode).toBe(404);
    expect((await new Client().get(`/invite/${second}`)).statusCode).toBe(200);

    offsetMs = INVITATION_TTL_MS + 1000;
    try {
      const late = new Client();
      expect((await late.get(`/invite/${second}`)).statusCode).toBe(404);
      const posted = await late.post(`/invite/${second}`, {
        password: "x".repeat(20),
        confirm: "x".repeat(20),
      });
      expect(posted.statusCode).toBe(404);
    } finally {
      offsetMs = 0;
    }
    expect((await t.db.staff.findUniqueOrThrow({ where: { id: staff.id } })).passwordHash).toBe("invited");
    for (const bad of ["abc", "A".repeat(43), "%3Cscript%3E"]) {
      expect((await new Client().get(`/invite/${bad}`)).statusCode).toBe(404);
    }
    // An account that chose its password gets no new link.
    expect((await admin.post(`/staff/${ids.operator}/invitation`, { _csrf: csrf })).statusCode).toBe(409);
  });

  it("a password set on the command line meanwhile voids the link", async () => {
    const token = tokenOf((await invite("riga.di.comando@aler.example")).body);
    expect((await new Client().get(`/invite/${token}`)).statusCode).toBe(200);
    await upsertStaff(t.db, { email: "riga.di.comando@aler.example", role: "operator", password: PASSWORD });
    expect((await new Client().get(`/invite/${token}`)).statusCode).toBe(404);
  });

  it("a deactivated account's link no longer works", async () => {
    const token = tokenOf((await invite("fermata@aler.example")).body);
    const staff = await t.db.staff.findUniqueOrThrow({ where: { email: "fermata@aler.example" } });
    expect((await admin.post(`/staff/${staff.id}/active`, { _csrf: csrf, active: "false" })).statusCode).toBe(
      303,
    );
    expect((await new Client().get(`/invite/${token}`)).statusCode).toBe(404);
  });
});

describe("role, office, deactivation and sessions", () => {
  it("a change of role or office ends their sessions; a role without office is refused", async () => {
    const person = await upsertStaff(t.db, {
      email: "sposta@aler.example",
      role: "operator",
      password: PASSWORD,
      officeId,
    });
    const them = new Client();
    await them.login("sposta@aler.example");
    const admin = new Client();
    const csrf = await admin.login(ADMIN);

    for (const role of ["operator", "coordinator"]) {
      const refused = await admin.post(`/staff/${person.id}/role`, { _csrf: csrf, role, officeId: "" });
      expect(refused.statusCode).toBe(409);
      expect(refused.body).toContain("ha bisogno di un ufficio");
    }
    expect(
      (await admin.post(`/staff/${person.id}/role`, { _csrf: csrf, role: "chief", officeId: "" })).statusCode,
    ).toBe(400);
    expect((await them.get("/households")).statusCode).toBe(200);

    const same = await admin.post(`/staff/${person.id}/role`, {
      _csrf: csrf,
      role: "operator",
      officeId: String(officeId),
    });
    expect(same.headers.location).toBe(`/staff/${person.id}?notice=unchanged`);
    expect((await them.get("/households")).statusCode).toBe(200);

    const moved = await admin.post(`/staff/${person.id}/role`, {
      _csrf: csrf,
      role: "coordinator",
      officeId: String(otherOfficeId),
    });
    expect(moved.statusCode).toBe(303);
    expect((await admin.get(moved.headers.location as string)).body).toContain("Sessioni chiuse: 1.");
    const after = await t.db.staff.findUniqueOrThrow({ where: { id: person.id } });
    expect([after.role, after.officeId]).toEqual(["coordinator", otherOfficeId]);
    expect((await them.get("/households")).statusCode).toBe(303);
    // An admin needs no office.
    expect(
      (await admin.post(`/staff/${person.id}/role`, { _csrf: csrf, role: "admin", officeId: "" })).statusCode,
    ).toBe(303);
  });

  it("deactivating ends sessions and refuses log-in; reactivating lets them back", async () => {
    await t.db.staffSession.deleteMany({ where: { staffId: ids.coordinator } });
    const them = new Client();
    await them.login(COORDINATOR);
    const admin = new Client();
    const csrf = await admin.login(ADMIN);
    expect(
      (await admin.post(`/staff/${ids.coordinator}/active`, { _csrf: csrf, active: "maybe" })).statusCode,
    ).toBe(400);
    const off = await admin.post(`/staff/${ids.coordinator}/active`, { _csrf: csrf, active: "false" });
    expect(off.headers.location).toBe(`/staff/${ids.coordinator}?notice=deactivated&n=1`);
    expect((await them.get("/households")).statusCode).toBe(303);
    expect((await new Client().signIn(COORDINATOR, PASSWORD)).statusCode).toBe(401);
    expect((await admin.get("/staff")).body).toContain("disattivato");
    const on = await admin.post(`/staff/${ids.coordinator}/active`, { _csrf: csrf, active: "true" });
    expect(on.headers.location).toBe(`/staff/${ids.coordinator}?notice=reactivated&n=0`);
    await new Client().login(COORDINATOR);
    const audits = [...(await auditOf("staff.deactivated")), ...(await auditOf("staff.reactivated"))];
    expect(audits.some((a) => a.entityId === String(ids.coordinator))).toBe(true);
    for (const a of audits) expect(a.actorId).toBe(String(ids.admin));
  });

  it("shows the account's active sessions and logs them out everywhere", async () => {
    await t.db.staffSession.deleteMany({ where: { staffId: ids.operator } });
    const phone = new Client();
    const laptop = new Client();
    await phone.login(OPERATOR);
    await laptop.login(OPERATOR);
    const admin = new Client();
    const csrf = await admin.login(ADMIN);
    const page = (await admin.get(`/staff/${ids.operator}`)).body;
    expect(page.match(/<td class="num" data-label="Iniziata">/g)?.length).toBe(2);
    const ended = await admin.post(`/staff/${ids.operator}/sessions/end`, { _csrf: csrf });
    expect(ended.headers.location).toBe(`/staff/${ids.operator}?notice=sessionsEnded&n=2`);
    expect((await phone.get("/households")).statusCode).toBe(303);
    expect((await laptop.get("/households")).statusCode).toBe(303);
    expect((await admin.get(`/staff/${ids.operator}`)).body).toContain("Nessuna sessione attiva.");
    const audit = (await auditOf("staff.sessions_ended")).at(-1);
    expect(audit?.details).toEqual({ sessionsEnded: 2 });
  });
});

describe("one's own password", () => {
  it("needs the current password and a strong new one; the other sessions end, this one stays", async () => {
    const email = "cambia@aler.example";
    await upsertStaff(t.db, { email, role: "operator", password: PASSWORD, officeId });
    const other = new Client();
    await other.login(email);
    const me = new Client();
    const csrf = await me.login(email);
    const newPassword = "una nuova frase abbastanza lunga";

    const wrong = await me.post("/account/password", {
      _csrf: csrf,
      current: "not it at all",
      password: newPassword,
      confirm: newPassword,
    });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.body).toContain("La password attuale non è giusta.");
    const weak = await me.post("/account/password", {
      _csrf: csrf,
      current: PASSWORD,
      password: "short",
      confirm: "short",
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toContain("troppo corta");
    const mismatch = await me.post("/account/password", {
      _csrf: csrf,
      current: PASSWORD,
      password: newPassword,
      confirm: `${newPassword}!`,
    });
    expect(mismatch.statusCode).toBe(400);
    expect(
      (await me.post("/account/password", { current: PASSWORD, password: newPassword, confirm: newPassword }))
        .statusCode,
    ).toBe(403);
    expect((await other.get("/households")).statusCode).toBe(200);

    const done = await me.post("/account/password", {
      _csrf: csrf,
      current: PASSWORD,
      password: newPassword,
      confirm: newPassword,
    });
    expect(done.statusCode).toBe(303);
    expect((await me.get(done.headers.location as string)).body).toContain("Password cambiata.");
    expect((await other.get("/households")).statusCode).toBe(303);
    expect((await new Client().signIn(email, PASSWORD)).statusCode).toBe(401);
    await new Client().login(email, newPassword);
    const audit = (await auditOf("staff.password_changed")).at(-1);
    expect(audit?.details).toEqual({ sessionsEnded: 1 });
    expect(JSON.stringify(await t.db.auditLog.findMany())).not.toContain(newPassword);
  });
});

describe("settings", () => {
  it("shows SLA, quiet hours, retention, limits; never a secret", async () => {
    const client = new Client();
    await client.login(ADMIN);
    const page = await client.get("/settings");
    expect(page.statusCode).toBe(200);
    for (const expected of [
      "6 ore",
      "22:00–07:30",
      "18 mesi",
      "50 MB",
      "25 messaggi al secondo",
      "CASE_SLA_HOURS",
    ]) {
      expect(page.body).toContain(expected);
    }
    for (const secret of [SESSION_SECRET, BOT_TOKEN, DB_PASSWORD, "AAbbCCdd", "postgresql://"]) {
      expect(page.body).not.toContain(secret);
    }
    const english = await client.get("/settings?lang=en");
    expect(english.body).toContain("Quiet hours");
  });
});

describe("the queue dashboard", () => {
  it("counts jobs per queue and state, lists failed jobs with reason and ids only, and retries one", async () => {
    const broadcasts = new Queue("broadcasts", { connection: redis, prefix });
    const worker = new Worker(
      "broadcasts",
      async () => {
        throw new Error("Forbidden: bot was blocked by the user <b>");
      },
      { connection: redis.duplicate(), prefix },
    );
    const failed = new Promise<void>((resolve) => worker.on("failed", () => resolve()));
    const job = await broadcasts.add("fan-out", { broadcastId: 7, note: "Maria Rossi" } as never, {
      attempts: 1,
    });
    await failed;
    await worker.close();
    await broadcasts.add("fan-out", { broadcastId: 8 }, { delay: 60_000 });

    const client = new Client();
    const csrf = await client.login(ADMIN);
    const page = (await client.get("/queues")).body;
    expect(page).toContain("delivery");
    expect(page).toContain("broadcasts");
    expect(page).toContain("Forbidden: bot was blocked by the user &lt;b&gt;");
    expect(page).toContain("broadcastId 7");
    expect(page).not.toContain("Maria Rossi");
    expect(page).toContain(`/queues/broadcasts/jobs/${job.id}/retry`);
    expect(page).toMatch(/data-label="Falliti">1</);
    expect(page).toMatch(/data-label="Rimandati">1</);

    const retried = await client.post(`/queues/broadcasts/jobs/${job.id}/retry`, { _csrf: csrf });
    expect(retried.headers.location).toBe("/queues?notice=retried");
    expect(await (await broadcasts.getJob(job.id as string))?.getState()).toBe("waiting");
    expect((await client.get("/queues?notice=retried")).body).toContain("Lavoro rimesso in coda.");
    const twice = await client.post(`/queues/broadcasts/jobs/${job.id}/retry`, { _csrf: csrf });
    expect(twice.headers.location).toBe("/queues?notice=notFailed");
    const audit = await auditOf("queue.job_retried");
    expect(audit.map((a) => a.entityId)).toEqual([`broadcasts:${job.id}`]);
    expect(audit[0]?.actorId).toBe(String(ids.admin));
    await broadcasts.close();
  });
});

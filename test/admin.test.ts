// The admin panel over HTTP (Fastify's inject) against a real database: log-in, sessions, CSRF,
// throttling, the households list and health.

import { Writable } from "node:stream";
import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuth, hashToken, SESSION_TTL_MS } from "../admin/auth.ts";
import { BOOTSTRAP_ITALIA_BASE, BOOTSTRAP_ITALIA_CSS, FONT_FACES } from "../admin/bootstrap-italia.ts";
import { createCookieJar } from "../admin/cookies.ts";
import { createAdminServer } from "../admin/server.ts";
import { html } from "../admin/views/html.ts";
import { STYLESHEET } from "../admin/views/styles.ts";
import { renderTelegramText } from "../admin/views/telegram.ts";
import { fixedClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { createDb } from "../core/db/client.ts";
import { createLogger } from "../core/logger.ts";
import { formatMoney } from "../core/money.ts";
import { upsertStaff } from "../core/staff.ts";
import { calendarDate } from "../core/time.ts";
import { AdminClient, csrfOf } from "./support/admin-client.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { testOffice } from "./support/offices.ts";

const PASSWORD = "correct horse battery staple";
const OPERATOR = "operatrice@example.org";
const INACTIVE = "ex.operatore@example.org";
const FISCAL_CODE = "RSSMRA80A01B157Y";
const PHONE = "+39 347 1234567";

let t: TestDatabase;
let app: FastifyInstance;
const clock = fixedClock(new Date("2026-11-27T10:00:00Z"));
const logLines: string[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  await upsertStaff(t.db, {
    email: OPERATOR,
    role: "operator",
    password: PASSWORD,
    officeId: await testOffice(t.db),
  });
  const inactive = await upsertStaff(t.db, {
    email: INACTIVE,
    role: "operator",
    password: PASSWORD,
    officeId: await testOffice(t.db),
  });
  await t.db.staff.update({ where: { id: inactive.id }, data: { active: false } });

  const rossi = await t.db.household.create({
    data: {
      contractCode: "BS-000001",
      name: "Famiglia Rossi",
      fiscalCode: FISCAL_CODE,
      municipality: "Brescia",
      address: "Via Milano 12",
      phone: PHONE,
    },
  });
  // Two balances: the list shows the latest.
  await t.db.arrearsBalance.create({
    data: {
      householdId: rossi.id,
      rentCents: 99_00,
      chargesCents: 1_00,
      balanceDate: calendarDate(2026, 6, 30) as Date,
    },
  });
  await t.db.arrearsBalance.create({
    data: {
      householdId: rossi.id,
      rentCents: 123_456,
      chargesCents: 20_050,
      balanceDate: calendarDate(2026, 9, 30) as Date,
    },
  });
  await t.db.member.create({
    data: { telegramUserId: 5001n, chatId: 5001n, householdId: rossi.id, linkedAt: clock.now() },
  });
  await t.db.member.create({
    data: { telegramUserId: 5002n, chatId: 5002n, householdId: rossi.id, linkedAt: clock.now() },
  });
  // Enough others for a second page.
  await t.db.household.createMany({
    data: Array.from({ length: 55 }, (_, i) => ({
      contractCode: `CR-${String(i + 1).padStart(6, "0")}`,
      name: `Famiglia Bianchi ${i + 1}`,
      fiscalCode: `BNCGPP80A01D150${String.fromCharCode(65 + (i % 26))}`,
      municipality: "Cremona",
      address: "Via Verdi 1",
    })),
  });
  // Households made here rather than imported: the office's municipalities take them in.
  await testOffice(t.db);

  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  app = createAdminServer({
    config: loadConfig({ DATABASE_URL: t.url }),
    logger: createLogger({ level: "info", destination: sink }),
    db: t.db,
    clock,
  });
});

afterAll(async () => {
  await app?.close();
  await t?.drop();
});

/** The admin panel under test, as a browser sees it. */
class Client extends AdminClient {
  constructor(ip?: string) {
    super(() => app, ip);
  }

  login(email = OPERATOR, password = PASSWORD): Promise<LightMyRequestResponse> {
    return this.signIn(email, password);
  }
}

async function loggedIn(): Promise<{ client: Client; csrf: string }> {
  const client = new Client();
  const login = await client.login();
  expect(login.statusCode).toBe(303);
  const page = await client.get("/households");
  return { client, csrf: csrfOf(page.body) };
}

describe("log-in", () => {
  it("sends visitors who are not signed in to the log-in page", async () => {
    const client = new Client();
    const home = await client.get("/");
    expect(home.statusCode).toBe(302);
    expect(home.headers.location).toBe("/login");
    const list = await client.get("/households?q=rossi");
    expect(list.statusCode).toBe(303);
    expect(list.headers.location).toBe(`/login?next=${encodeURIComponent("/households?q=rossi")}`);
  });

  it("shows an Italian form by default and English on request", async () => {
    const client = new Client();
    const it = await client.get("/login");
    expect(it.statusCode).toBe(200);
    expect(it.body).toContain('<html lang="it">');
    expect(it.body).toContain("Accedi");
    const en = await client.get("/login?lang=en");
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain("Log in");
    // Remembered for the next page.
    expect((await client.get("/login")).body).toContain('<html lang="en">');
  });

  it("refuses a wrong password or an unknown e-mail with the same message, and audits ids only", async () => {
    const wrong = await new Client("192.0.2.20").login(OPERATOR, "not the password");
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain("E-mail o password errate.");
    const unknown = await new Client("192.0.2.20").login("nessuno@example.org", PASSWORD);
    expect(unknown.statusCode).toBe(401);
    expect(unknown.body).toContain("E-mail o password errate.");

    const staff = await t.db.staff.findUniqueOrThrow({ where: { email: OPERATOR } });
    const failures = await t.db.auditLog.findMany({ where: { action: "staff.login_failed" } });
    expect(failures.map((f) => f.actorId)).toEqual(expect.arrayContaining([String(staff.id), "unknown"]));
    const audited = JSON.stringify(failures);
    expect(audited).not.toContain("example.org");
    expect(audited).not.toContain("not the password");
  });

  it("refuses inactive staff even with the right password", async () => {
    const response = await new Client("192.0.2.21").login(INACTIVE, PASSWORD);
    expect(response.statusCode).toBe(401);
    expect(response.body).toContain("E-mail o password errate.");
  });

  it("logs in with a random HttpOnly cookie whose hash only is stored", async () => {
    const client = new Client();
    const response = await client.login(` ${OPERATOR.toUpperCase()} `);
    expect(response.statusCode).toBe(303);
    // An operator's home: the households they follow.
    expect(response.headers.location).toBe("/households?worker=mine");
    const setCookie = String(response.headers["set-cookie"]);
    expect(setCookie).toMatch(/bussola_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Lax");
    expect(setCookie).not.toContain("Secure"); // plain http here
    const token = client.cookies.get("bussola_session") ?? "";
    const session = await t.db.staffSession.findUniqueOrThrow({ where: { tokenHash: hashToken(token) } });
    expect(session.expiresAt.getTime()).toBe(clock.now().getTime() + SESSION_TTL_MS);
    expect(await t.db.staffSession.count({ where: { tokenHash: token } })).toBe(0);
    expect(
      await t.db.auditLog.count({ where: { action: "staff.login", actorId: String(session.staffId) } }),
    ).toBe(1);
  });

  it("returns to the page asked for, but never to another site", async () => {
    const client = new Client();
    const page = await client.get("/login?next=%2Fhouseholds%3Fq%3Dbianchi");
    const response = await client.post("/login", {
      email: OPERATOR,
      password: PASSWORD,
      next: "/households?q=bianchi",
      _csrf: csrfOf(page.body),
    });
    expect(response.headers.location).toBe("/households?q=bianchi");
    const other = new Client();
    const page2 = await other.get("/login");
    const evil = await other.post("/login", {
      email: OPERATOR,
      password: PASSWORD,
      next: "//evil.example/",
      _csrf: csrfOf(page2.body),
    });
    expect(evil.headers.location).toBe("/households?worker=mine");
  });

  it("refuses a log-in form that was not served to this browser", async () => {
    const client = new Client();
    await client.get("/login");
    const response = await client.post("/login", { email: OPERATOR, password: PASSWORD, _csrf: "forged" });
    expect(response.statusCode).toBe(403);
    expect(client.cookies.has("bussola_session")).toBe(false);
  });

  it("holds an address back after 5 wrong passwords for an account, even for the right one, for a growing delay", async () => {
    const attacker = new Client("198.51.100.7");
    for (let i = 0; i < 5; i++) {
      expect((await attacker.login(OPERATOR, `guess ${i}`)).statusCode).toBe(401);
    }
    const blocked = await attacker.login(OPERATOR, PASSWORD);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers["retry-after"]).toBe("1");
    expect(blocked.body).toContain("Troppi tentativi non riusciti. Riprova tra 1 secondo.");
    expect(attacker.cookies.has("bussola_session")).toBe(false);
    // The real person, from their own address, is not locked out.
    expect((await new Client("198.51.100.8").login()).statusCode).toBe(303);
    // After the delay the address may try again.
    clock.advance(1000);
    expect((await attacker.login()).statusCode).toBe(303);
  });
});

describe("sessions", () => {
  it("logs out with the form's CSRF token, and the old cookie is worthless afterwards", async () => {
    const { client, csrf } = await loggedIn();
    const token = client.cookies.get("bussola_session") ?? "";
    const response = await client.post("/logout", { _csrf: csrf });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe("/login");
    expect(await t.db.staffSession.count({ where: { tokenHash: hashToken(token) } })).toBe(0);
    expect(await t.db.auditLog.count({ where: { action: "staff.logout" } })).toBeGreaterThan(0);
    client.cookies.set("bussola_session", token);
    expect((await client.get("/households")).statusCode).toBe(303);
  });

  it("refuses a POST without the CSRF token or from another origin", async () => {
    const { client, csrf } = await loggedIn();
    const missing = await client.post("/logout", {});
    expect(missing.statusCode).toBe(403);
    const wrong = await client.post("/logout", { _csrf: `${csrf}x` });
    expect(wrong.statusCode).toBe(403);
    const crossSite = await client.post("/logout", { _csrf: csrf }, { origin: "https://evil.example" });
    expect(crossSite.statusCode).toBe(403);
    // Still signed in after all three.
    expect((await client.get("/households")).statusCode).toBe(200);
    const sameSite = await client.post("/logout", { _csrf: csrf }, { origin: "http://admin.test" });
    expect(sameSite.statusCode).toBe(303);
  });

  it("expires after 12 hours", async () => {
    const { client } = await loggedIn();
    clock.advance(SESSION_TTL_MS - 1000);
    expect((await client.get("/households")).statusCode).toBe(200);
    clock.advance(1000);
    const expired = await client.get("/households");
    expect(expired.statusCode).toBe(303);
    expect(expired.headers.location).toMatch(/^\/login/);
  });

  it("ends at the next click when the account is deactivated", async () => {
    const { client } = await loggedIn();
    await t.db.staff.update({ where: { email: OPERATOR }, data: { active: false } });
    try {
      expect((await client.get("/households")).statusCode).toBe(303);
    } finally {
      await t.db.staff.update({ where: { email: OPERATOR }, data: { active: true } });
    }
  });

  it("lets requireRole refuse other roles", async () => {
    const mini = Fastify();
    await mini.register(cookie);
    await mini.register(formbody);
    const cookies = createCookieJar(false);
    const auth = createAuth({
      db: t.db,
      clock,
      cookies,
      deny: (_request, reply, reason) => reply.code(403).send(reason),
    });
    mini.post("/session", async (request, reply) => {
      const staff = await t.db.staff.findUniqueOrThrow({ where: { email: OPERATOR } });
      await auth.startSession(request, reply, staff.id);
      return "ok";
    });
    mini.get("/admins-only", { preHandler: auth.requireRole("admin") }, async () => "secret");
    mini.get(
      "/operators",
      { preHandler: auth.requireRole("operator", "coordinator") },
      async () => "welcome",
    );
    const client = new Client();
    await client.request("POST", "/session", {}, {}, mini);
    expect((await client.request("GET", "/admins-only", undefined, {}, mini)).statusCode).toBe(403);
    expect((await client.request("GET", "/operators", undefined, {}, mini)).body).toBe("welcome");
    await mini.close();
  });
});

describe("with SESSION_SECRET", () => {
  it("signs its cookies and refuses a tampered one", async () => {
    const signed = createAdminServer({
      config: loadConfig({ DATABASE_URL: t.url, SESSION_SECRET: "s".repeat(40) }),
      logger: createLogger({ level: "silent" }),
      db: t.db,
      clock,
    });
    try {
      const client = new Client("192.0.2.30");
      const page = await client.request("GET", "/login", undefined, {}, signed);
      const login = await client.request(
        "POST",
        "/login",
        { email: OPERATOR, password: PASSWORD, _csrf: csrfOf(page.body) },
        {},
        signed,
      );
      expect(login.statusCode).toBe(303);
      const value = client.cookies.get("bussola_session") ?? "";
      expect(value).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_+/=-]+$/);
      expect((await client.request("GET", "/households", undefined, {}, signed)).statusCode).toBe(200);
      // The bare token (without its signature) is not accepted.
      client.cookies.set("bussola_session", value.split(".")[0] ?? "");
      expect((await client.request("GET", "/households", undefined, {}, signed)).statusCode).toBe(303);
    } finally {
      await signed.close();
    }
  });
});

describe("households", () => {
  it("lists households with what they owe now and linked members, 50 a page", async () => {
    const { client } = await loggedIn();
    const response = await client.get("/households");
    expect(response.statusCode).toBe(200);
    const body = response.body;
    expect(body).toContain("BS-000001");
    expect(body).toContain("Famiglia Rossi");
    expect(body).toContain("Brescia");
    // What is owed now (no payment since ALER's figures: their total), as /balance says it.
    expect(body).toContain(`data-label="Da pagare ora"><strong>${formatMoney(143_506)}</strong>`);
    expect(body).toContain("1.435,06\u00a0€");
    expect(body).toContain("30/09/2026");
    expect(body).not.toContain(formatMoney(99_00)); // the older balance
    expect(body).toMatch(/data-label="Membri Telegram">2</);
    expect(body).toContain("Nuclei familiari trovati: 56");
    expect(body).toContain("Pagina 1 di 2");
    expect(body.match(/<tr>/g)?.length).toBe(51); // header + 50
    const second = await client.get("/households?page=2");
    expect(second.body.match(/<tr>/g)?.length).toBe(7); // header + 6
    expect(second.body).toContain("CR-000055");
  });

  it("never shows fiscal code, phone or address", async () => {
    const { client } = await loggedIn();
    const body = (await client.get("/households?q=rossi")).body;
    expect(body).toContain("Famiglia Rossi");
    expect(body).not.toContain(FISCAL_CODE);
    expect(body).not.toContain(PHONE);
    expect(body).not.toContain("Via Milano");
  });

  it("searches by contract code or name, case-insensitively, and says when nothing matches", async () => {
    const { client } = await loggedIn();
    const byCode = (await client.get("/households?q=bs-000001")).body;
    expect(byCode).toContain("Famiglia Rossi");
    expect(byCode).not.toContain("Bianchi");
    expect(byCode).toContain("Nuclei familiari trovati: 1");
    const byName = (await client.get("/households?q=BIANCHI%2012")).body;
    expect(byName).toContain("CR-000012");
    expect(byName).not.toContain("Rossi");
    const none = await client.get(`/households?q=${encodeURIComponent("<script>x</script>")}`);
    expect(none.body).toContain("Nessun nucleo familiare corrisponde a «&lt;script&gt;x&lt;/script&gt;»");
    expect(none.body).not.toContain("<script>x");
  });

  it("sends security headers", async () => {
    const { client } = await loggedIn();
    const response = await client.get("/households");
    const csp = String(response.headers["content-security-policy"]);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(/style-src 'self' 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
    expect(csp).toContain("font-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toMatch(/https?:/); // nothing from another site: no CDN
    expect(response.headers["x-frame-options"]).toBe("DENY");
    expect(response.headers["referrer-policy"]).toBe("same-origin");
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.body).toContain(`<link rel="stylesheet" href="${BOOTSTRAP_ITALIA_CSS}">`);
  });

  it("serves Bootstrap Italia's stylesheet and fonts from node_modules, cached for a year, and nothing else from there", async () => {
    const css = await app.inject({ method: "GET", url: BOOTSTRAP_ITALIA_CSS });
    expect(css.statusCode).toBe(200);
    expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");
    expect(css.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(css.headers["x-content-type-options"]).toBe("nosniff");
    expect(css.body).toContain("Bootstrap Italia");
    expect(css.body).not.toContain("font-family:VideoJS;src"); // its data: font, refused by font-src
    const gzipped = await app.inject({
      method: "GET",
      url: BOOTSTRAP_ITALIA_CSS,
      headers: { "accept-encoding": "gzip, br" },
    });
    expect(gzipped.headers["content-encoding"]).toBe("gzip");
    expect(gzipped.rawPayload.length).toBeLessThan(css.rawPayload.length / 4);
    for (const [, file] of FONT_FACES) {
      const font = await app.inject({ method: "GET", url: `${BOOTSTRAP_ITALIA_BASE}/fonts/${file}` });
      expect(font.statusCode, file).toBe(200);
      expect(font.headers["content-type"]).toBe("font/woff2");
      expect(font.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(STYLESHEET).toContain(`${BOOTSTRAP_ITALIA_BASE}/fonts/${file}`);
    }
    for (const url of [
      `${BOOTSTRAP_ITALIA_BASE}/js/bootstrap-italia.bundle.min.js`,
      `${BOOTSTRAP_ITALIA_BASE}/../../package.json`,
      `${BOOTSTRAP_ITALIA_BASE}/fonts/..%2F..%2Fpackage.json`,
      "/assets/bootstrap-italia/0.0.0/css/bootstrap-italia.min.css",
    ]) {
      expect((await app.inject({ method: "GET", url })).statusCode, url).toBe(404);
    }
  });

  it("has no demo chat outside demo mode", async () => {
    const { client } = await loggedIn();
    expect((await client.get("/demo/chat")).statusCode).toBe(404);
  });
});

describe("health", () => {
  it("answers ok while the database answers", async () => {
    const response = await app.inject({ method: "GET", url: "/health" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ ok: true });
  });

  it("answers 503 when the database is down", async () => {
    const deadDb = createDb("postgresql://postgres@127.0.0.1:1/nothing", { poolSize: 1 });
    const down = createAdminServer({
      config: loadConfig({}),
      logger: createLogger({ level: "silent" }),
      db: deadDb,
      clock,
    });
    const response = await down.inject({ method: "GET", url: "/health" });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ ok: false });
    await down.close();
    await deadDb.$disconnect();
  });
});

describe("logs", () => {
  it("carry no cookies, passwords, e-mails or search terms", () => {
    const all = logLines.join("\n");
    expect(all).toContain('"url":"/households"');
    expect(all).not.toContain("bussola_session");
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(OPERATOR);
    expect(all).not.toContain("rossi");
    expect(all).not.toContain("192.0.2.");
  });
});

describe("rendering", () => {
  it("escapes every interpolated value", () => {
    expect(html`<p title="${'"x" & <y>'}">${"<b>"}</p>`.value).toBe(
      '<p title="&quot;x&quot; &amp; &lt;y&gt;">&lt;b&gt;</p>',
    );
  });

  it("turns Telegram entities into their tags only, escaping the text", () => {
    const text = "Saldo: 1.234,56 € <script> vedi sito";
    const rendered = renderTelegramText(text, [
      { type: "bold", offset: 7, length: 10 },
      { type: "italic", offset: 7, length: 5 },
      { type: "text_link", offset: 32, length: 4, url: "https://example.org/a?b=1&c=2" },
    ]).value;
    expect(rendered).toBe(
      'Saldo: <b><i>1.234</i>,56 €</b> &lt;script&gt; vedi <a href="https://example.org/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">sito</a>',
    );
    const unsafe = renderTelegramText("clic", [
      { type: "text_link", offset: 0, length: 4, url: "javascript:alert(1)" },
    ]);
    expect(unsafe.value).toBe("clic");
  });
});

// The admin panel behind a TLS proxy (TRUST_PROXY, PUBLIC_URL), over real HTTP: the client's
// address and scheme from X-Forwarded-* only when the proxy is trusted, __Host- Secure cookies and
// HSTS with an https public URL, and the Origin check against that URL rather than the Host header.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { fixedClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { createLogger } from "../core/logger.ts";
import { upsertStaff } from "../core/staff.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { csrfIn, HttpSession } from "./support/http-session.ts";
import { testOffice } from "./support/offices.ts";

const EMAIL = "operatrice@example.org";
const PASSWORD = "una password lunga abbastanza";
const PUBLIC = "https://bussola.example.org";
const HSTS = "max-age=31536000; includeSubDomains";
/** What the TLS proxy in front adds to every request. */
const PROXIED = {
  "x-forwarded-for": "203.0.113.7",
  "x-forwarded-proto": "https",
  host: "bussola.example.org",
};

let t: TestDatabase;
const servers: FastifyInstance[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  await upsertStaff(t.db, {
    email: EMAIL,
    role: "operator",
    password: PASSWORD,
    officeId: await testOffice(t.db),
  });
});

afterAll(async () => {
  for (const server of servers) await server.close();
  await t?.drop();
});

/** A listening panel with these settings, plus a route that shows what Fastify made of the request. */
async function panel(env: Record<string, string>): Promise<string> {
  const app = createAdminServer({
    config: loadConfig({ DATABASE_URL: t.url, ...env }),
    logger: createLogger({ level: "silent" }),
    db: t.db,
    clock: fixedClock(new Date("2026-11-27T10:00:00Z")),
  });
  app.get("/test/client", async (request) => ({ ip: request.ip, protocol: request.protocol }));
  servers.push(app);
  return app.listen({ host: "127.0.0.1", port: 0 });
}

/** One Set-Cookie line by cookie name, split into its attributes (lower-cased names). */
function cookieAttributes(setCookies: string[], name: string): Map<string, string> | undefined {
  const line = setCookies.find((c) => c.startsWith(`${name}=`));
  if (!line) return undefined;
  return new Map(
    line
      .split(";")
      .slice(1)
      .map((part) => {
        const [key = "", ...value] = part.trim().split("=");
        return [key.toLowerCase(), value.join("=")] as const;
      }),
  );
}

describe("behind a TLS proxy with TRUST_PROXY and an https PUBLIC_URL", () => {
  let base: string;
  beforeAll(async () => {
    base = await panel({ TRUST_PROXY: "127.0.0.1", PUBLIC_URL: PUBLIC });
  });

  it("sees the client's address and scheme from the trusted proxy", async () => {
    const seen = await new HttpSession(base).get("/test/client", PROXIED);
    expect(JSON.parse(seen.body)).toEqual({ ip: "203.0.113.7", protocol: "https" });
  });

  it("sets __Host- cookies with Secure, Path=/ and no Domain, for the login form and the session", async () => {
    const session = new HttpSession(base);
    const form = await session.get("/login", PROXIED);
    expect(form.headers["strict-transport-security"]).toBe(HSTS);
    const login = cookieAttributes(form.setCookies, "__Host-bussola_login");
    expect(login, form.setCookies.join("\n")).toBeDefined();
    expect(login?.has("secure")).toBe(true);
    expect(login?.get("path")).toBe("/");
    expect(login?.has("domain")).toBe(false);
    expect(login?.has("httponly")).toBe(true);
    expect(form.setCookies.some((c) => c.startsWith("bussola_login="))).toBe(false);

    const signedIn = await session.post(
      "/login",
      { email: EMAIL, password: PASSWORD, _csrf: csrfIn(form.body) },
      { ...PROXIED, origin: PUBLIC },
    );
    expect(signedIn.status).toBe(303);
    const cookie = cookieAttributes(signedIn.setCookies, "__Host-bussola_session");
    expect(cookie, signedIn.setCookies.join("\n")).toBeDefined();
    expect(cookie?.has("secure")).toBe(true);
    expect(cookie?.get("path")).toBe("/");
    expect(cookie?.has("domain")).toBe(false);
    expect(cookie?.get("samesite")?.toLowerCase()).toBe("lax");
    // The session works through that cookie, and a plain-named one is not taken for it.
    expect((await session.get("/households", PROXIED)).status).toBe(200);
    const forged = new HttpSession(base);
    forged.cookies.set("bussola_session", session.cookies.get("__Host-bussola_session") ?? "");
    expect((await forged.get("/households", PROXIED)).status).toBe(303);
  });

  it("takes POSTs from PUBLIC_URL's origin and refuses every other origin, whatever the Host header says", async () => {
    const session = new HttpSession(base);
    const form = await session.get("/login", PROXIED);
    const token = csrfIn(form.body);
    for (const origin of [
      "https://evil.example",
      "http://bussola.example.org",
      "https://bussola.example.org:8443",
      `http://${new URL(base).host}`,
      "null",
    ]) {
      const refused = await session.post(
        "/login",
        { email: EMAIL, password: PASSWORD, _csrf: token },
        { ...PROXIED, origin, host: new URL(origin === "null" ? base : origin).host },
      );
      expect(refused.status, origin).toBe(403);
      expect(session.cookies.has("__Host-bussola_session"), origin).toBe(false);
    }
    const accepted = await session.post(
      "/login",
      { email: EMAIL, password: PASSWORD, _csrf: token },
      { ...PROXIED, origin: PUBLIC },
    );
    expect(accepted.status).toBe(303);
  });
});

describe("without TRUST_PROXY", () => {
  it("ignores a forged X-Forwarded-For and X-Forwarded-Proto", async () => {
    const base = await panel({});
    const seen = await new HttpSession(base).get("/test/client", PROXIED);
    expect(JSON.parse(seen.body)).toEqual({ ip: "127.0.0.1", protocol: "http" });
  });

  it("ignores them from an address that is not the listed proxy", async () => {
    const base = await panel({ TRUST_PROXY: "10.0.0.0/8", PUBLIC_URL: PUBLIC });
    const seen = await new HttpSession(base).get("/test/client", PROXIED);
    expect(JSON.parse(seen.body)).toEqual({ ip: "127.0.0.1", protocol: "http" });
  });

  it("sends no HSTS and plain cookie names without an https PUBLIC_URL", async () => {
    for (const env of [{}, { PUBLIC_URL: "http://10.0.0.5:3000" }] as Record<string, string>[]) {
      const base = await panel(env);
      const form = await new HttpSession(base).get("/login");
      expect(form.headers["strict-transport-security"], JSON.stringify(env)).toBeUndefined();
      const login = cookieAttributes(form.setCookies, "bussola_login");
      expect(login?.has("secure")).toBe(false);
    }
  });

  it("with an http PUBLIC_URL, checks the Origin against it", async () => {
    const base = await panel({ PUBLIC_URL: "http://10.0.0.5:3000" });
    const session = new HttpSession(base);
    const token = csrfIn((await session.get("/login")).body);
    const form = { email: EMAIL, password: PASSWORD, _csrf: token };
    expect((await session.post("/login", form, { origin: base })).status).toBe(403);
    expect((await session.post("/login", form, { origin: "http://10.0.0.5:3000" })).status).toBe(303);
  });
});

// Where the panel sends someone after logging in (`next`): only back to a page of this site, decided
// by the URL parser as the browser will read it (a tab, a newline or a backslash can turn
// "/\t/evil.example" into "//evil.example", another site).

import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { safeNext } from "../admin/auth.ts";
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

const OFF_SITE = [
  "/\t/evil.example",
  "/\n/evil.example",
  "/\r\n/evil.example",
  "/ /evil.example".replace(" ", "\u0000"),
  "//evil.example",
  "//x",
  "/\\x",
  "/\\/evil.example",
  "\\\\evil.example",
  "/.//evil.example",
  "/x/..//evil.example",
  "https://evil",
  "http:evil.example",
  "javascript:alert(1)",
  "evil.example",
  "",
  `/${"a".repeat(2001)}`,
];

describe("safeNext", () => {
  it.each(OFF_SITE.map((value) => [JSON.stringify(value).slice(0, 40), value]))("drops %s", (_, value) => {
    expect(safeNext(value)).toBeNull();
  });

  it("drops what is not a string", () => {
    for (const value of [undefined, null, 42, ["/households"], { href: "/" }])
      expect(safeNext(value)).toBeNull();
  });

  it.each([
    ["/households", "/households"],
    ["/households?q=rossi&page=2", "/households?q=rossi&page=2"],
    ["/cases/12#reply", "/cases/12#reply"],
    ["/", "/"],
    // Encoded, a tab or a slash stays part of the path: the browser does not decode it before resolving.
    ["/%09/evil.example", "/%09/evil.example"],
    ["/%2F%2Fevil.example", "/%2F%2Fevil.example"],
    ["/a/../households", "/households"],
  ])("keeps %s as %s", (value, expected) => {
    expect(safeNext(value)).toBe(expected);
  });
});

describe("after logging in, over HTTP", () => {
  let t: TestDatabase;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    await upsertStaff(t.db, {
      email: EMAIL,
      role: "operator",
      password: PASSWORD,
      officeId: await testOffice(t.db),
    });
    app = createAdminServer({
      config: loadConfig({ DATABASE_URL: t.url }),
      logger: createLogger({ level: "silent" }),
      db: t.db,
      clock: fixedClock(new Date("2026-11-27T10:00:00Z")),
    });
    base = await app.listen({ host: "127.0.0.1", port: 0 });
  });

  afterAll(async () => {
    await app?.close();
    await t?.drop();
  });

  async function logInWith(next: string): Promise<string | undefined> {
    const session = new HttpSession(base);
    const form = await session.get(`/login?next=${encodeURIComponent(next)}`);
    const answer = await session.post("/login", {
      email: EMAIL,
      password: PASSWORD,
      _csrf: csrfIn(form.body),
      next,
    });
    expect(answer.status).toBe(303);
    return answer.headers.location;
  }

  it("never sends the browser to another site", async () => {
    for (const next of [
      "/\t/evil.example",
      "/\\/evil.example",
      "//evil.example",
      "/.//evil.example",
      "https://evil",
    ]) {
      expect(await logInWith(next), JSON.stringify(next)).toBe("/households?worker=mine");
    }
    const form = await new HttpSession(base).get(`/login?next=${encodeURIComponent("/\t/evil.example")}`);
    expect(form.body).not.toContain('name="next"');
  });

  it("returns to the page asked for on this site", async () => {
    expect(await logInWith("/cases?status=open")).toBe("/cases?status=open");
    const session = new HttpSession(base);
    const bounced = await session.get("/households?q=rossi");
    expect(bounced.headers.location).toBe(`/login?next=${encodeURIComponent("/households?q=rossi")}`);
  });
});

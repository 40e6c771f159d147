// The audit log page of the admin panel (Fastify's inject, real PostgreSQL): admins only; filters by
// action (exact or a family), staff e-mail, record and Rome days; filters that cannot be read show
// nothing and say which; whatever an entry holds is shown escaped.

import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { audit } from "../core/audit.ts";
import { fixedClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { createLogger } from "../core/logger.ts";
import { upsertStaff } from "../core/staff.ts";
import { AdminClient } from "./support/admin-client.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { testOffice } from "./support/offices.ts";

const PASSWORD = "correct horse battery staple";
const OPERATOR = "op.registro@aler.example";
const COORDINATOR = "coord.registro@aler.example";
const ADMIN = "admin.registro@aler.example";
let t: TestDatabase;
let app: FastifyInstance;
let operatorId: number;

class Client extends AdminClient {
  constructor() {
    super(() => app);
  }

  async login(email: string): Promise<void> {
    expect((await this.signIn(email, PASSWORD)).statusCode).toBe(303);
  }
}

/** The actions listed on a page, in order. */
function actionsOn(body: string): string[] {
  return [...body.matchAll(/<td data-label="Azione"><code>([^<]*)<\/code><\/td>/g)].map(
    (m) => m[1] as string,
  );
}

beforeAll(async () => {
  t = await createTestDatabase();
  app = createAdminServer({
    config: loadConfig({ DATABASE_URL: t.url }),
    logger: createLogger({ level: "silent" }),
    db: t.db,
    clock: fixedClock(new Date("2026-12-07T15:00:00Z")),
  });
  operatorId = (
    await upsertStaff(t.db, {
      email: OPERATOR,
      role: "operator",
      password: PASSWORD,
      officeId: await testOffice(t.db),
    })
  ).id;
  await upsertStaff(t.db, {
    email: COORDINATOR,
    role: "coordinator",
    password: PASSWORD,
    officeId: await testOffice(t.db),
  });
  await upsertStaff(t.db, { email: ADMIN, role: "admin", password: PASSWORD });
  const entries: [string, string, number | string, string][] = [
    ["2026-12-01T08:00:00Z", "case.viewed", 7, "case"],
    ["2026-12-02T08:00:00Z", "case.replied", 7, "case"],
    ["2026-12-03T23:30:00Z", "household.viewed", "<img src=x onerror=alert(1)>", "household"],
  ];
  for (const [at, action, entityId, entityType] of entries) {
    await audit(t.db, { actorType: "staff", actorId: operatorId, action, entityType, entityId });
    await t.db.auditLog.updateMany({ where: { action }, data: { at: new Date(at) } });
  }
  await audit(t.db, {
    actorType: "cli",
    actorId: "root",
    action: "import.households",
    details: { created: 3 },
  });
});

afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe("the audit log", () => {
  it("is for admins: others sign in first or are refused, and only admins see it in the menu", async () => {
    const anonymous = await new Client().get("/audit");
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe(`/login?next=${encodeURIComponent("/audit")}`);
    for (const email of [OPERATOR, COORDINATOR]) {
      const client = new Client();
      await client.login(email);
      expect((await client.get("/audit")).statusCode).toBe(403);
      expect((await client.get("/households")).body).not.toContain('href="/audit"');
    }
    const admin = new Client();
    await admin.login(ADMIN);
    expect((await admin.get("/households")).body).toContain('href="/audit"');
    const page = await admin.get("/audit");
    expect(page.statusCode).toBe(200);
    // Newest first; the log-ins above are audited too, so look at ours only.
    expect(actionsOn(page.body).filter((a) => !a.startsWith("staff."))).toEqual([
      "import.households",
      "household.viewed",
      "case.replied",
      "case.viewed",
    ]);
    expect(page.body).toContain(OPERATOR);
    expect(page.body).toContain("riga di comando (root)");
    expect(page.body).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(page.body).not.toContain("<img src=x");
  });

  it("filters by action, a family of actions, a staff member, a record and Rome days", async () => {
    const admin = new Client();
    await admin.login(ADMIN);
    const list = async (query: string) => actionsOn((await admin.get(`/audit?${query}`)).body);
    expect(await list("action=case.viewed")).toEqual(["case.viewed"]);
    expect(await list("action=case.")).toEqual(["case.replied", "case.viewed"]);
    // The operator's own log-ins (staff.login) are theirs too.
    const byOperator = await list(`staff=${encodeURIComponent(OPERATOR.toUpperCase())}`);
    expect(byOperator.filter((a) => !a.startsWith("staff."))).toEqual([
      "household.viewed",
      "case.replied",
      "case.viewed",
    ]);
    expect(await list("staff=nobody%40aler.example")).toEqual([]);
    expect(await list("entityType=case&entityId=7")).toEqual(["case.replied", "case.viewed"]);
    // 23:30 UTC on the 3rd is already the 4th in Rome.
    expect(await list("from=2026-12-02&to=2026-12-03&action=case.")).toEqual(["case.replied"]);
    expect(await list("from=04/12/2026&to=04/12/2026&entityType=household")).toEqual(["household.viewed"]);
  });

  it("says which filters it cannot read, and shows nothing rather than everything", async () => {
    const admin = new Client();
    await admin.login(ADMIN);
    const page = await admin.get("/audit?from=31/02/2026&action=%3Cscript%3E");
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain("Questi filtri non sono validi");
    expect(page.body).toContain('aria-invalid="true"');
    expect(actionsOn(page.body)).toEqual([]);
    expect(page.body).toContain('value="&lt;script&gt;"');
    expect(page.body).not.toContain("<script>");
  });
});

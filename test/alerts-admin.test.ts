// The alerts page of the admin panel (Fastify's inject, real PostgreSQL): coordinators and admins see
// open alerts with their case and plan and acknowledge them (a POST with the CSRF token); operators
// and strangers do not; the cases list marks escalated cases.

import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { fixedClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { createLogger } from "../core/logger.ts";
import { saveOffice } from "../core/offices/offices.ts";
import { upsertStaff } from "../core/staff.ts";
import { AdminClient, csrfOf } from "./support/admin-client.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";

const PASSWORD = "correct horse battery staple";
const NOW = new Date("2026-12-07T15:00:00Z");
let t: TestDatabase;
let app: FastifyInstance;
let planAlertId: number;
let slaAlertId: number;
let caseId: number;

/** The admin panel under test, as a browser sees it. */
class Client extends AdminClient {
  constructor() {
    super(() => app);
  }

  /** Signs in and answers the CSRF token of the next form. */
  async login(email: string): Promise<string> {
    expect((await this.signIn(email, PASSWORD)).statusCode).toBe(303);
    return csrfOf((await this.get("/cases")).body);
  }
}

beforeAll(async () => {
  t = await createTestDatabase();
  app = createAdminServer({
    config: loadConfig({ DATABASE_URL: t.url }),
    logger: createLogger({ level: "silent" }),
    db: t.db,
    clock: fixedClock(NOW),
  });
  // Cases are office-scoped: the staff work for the office of Brescia.
  const { officeId } = await saveOffice(t.db, { code: "BS", name: "Brescia", municipalities: ["Brescia"] });
  await upsertStaff(t.db, { email: "coord@aler.example", role: "coordinator", password: PASSWORD, officeId });
  await upsertStaff(t.db, { email: "op@aler.example", role: "operator", password: PASSWORD, officeId });
  const household = await t.db.household.create({
    data: {
      contractCode: "AL-000001",
      name: "Famiglia Rossi",
      fiscalCode: "X",
      municipality: "Brescia",
      address: "Via",
      officeId,
    },
  });
  const plan = await t.db.repaymentPlan.create({
    data: { householdId: household.id, planCode: "PR-AL-1", status: "broken", brokenAt: NOW },
  });
  const escalated = await t.db.case.create({
    data: {
      householdId: household.id,
      topic: "debt",
      lastHouseholdMessageAt: new Date("2026-12-04T15:00:00Z"),
      escalatedAt: NOW,
    },
  });
  caseId = escalated.id;
  planAlertId = (
    await t.db.alert.create({
      data: {
        kind: "plan-broken",
        dedupeKey: `plan-broken:${plan.id}`,
        householdId: household.id,
        planId: plan.id,
        caseId,
        createdAt: NOW,
      },
    })
  ).id;
  slaAlertId = (
    await t.db.alert.create({
      data: {
        kind: "case-sla",
        dedupeKey: `case-sla:${caseId}:1`,
        householdId: household.id,
        caseId,
        createdAt: NOW,
      },
    })
  ).id;
  // A rule's bookkeeping, born acknowledged: never listed.
  await t.db.alert.create({
    data: { kind: "overdue-noted", dedupeKey: "overdue:999", caseId, acknowledgedAt: NOW, createdAt: NOW },
  });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe("alerts page", () => {
  it("is for coordinators and admins: strangers log in first, operators are refused", async () => {
    const stranger = await new Client().request("GET", "/alerts");
    expect(stranger.statusCode).toBe(303);
    expect(stranger.headers.location).toBe(`/login?next=${encodeURIComponent("/alerts")}`);

    const operator = new Client();
    await operator.login("op@aler.example");
    expect((await operator.request("GET", "/alerts")).statusCode).toBe(403);
    expect((await operator.request("GET", "/cases")).body).not.toContain('href="/alerts"');
  });

  it("lists open alerts with their case, plan and contract code, and no names", async () => {
    const client = new Client();
    await client.login("coord@aler.example");
    const page = await client.request("GET", "/alerts?lang=en");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('href="/alerts"'); // in the navigation
    expect(page.body).toContain("Repayment plan broken · PR-AL-1");
    expect(page.body).toContain("Case not answered in time");
    expect(page.body).toContain(`href="/cases/${caseId}"`);
    expect(page.body).toContain("AL-000001");
    expect(page.body).toContain("07/12/2026 16:00");
    expect(page.body).not.toContain("overdue-noted");
    expect(page.body).not.toContain("Rossi");
    expect([...page.body.matchAll(/action="\/alerts\/(\d+)\/ack"/g)].map((m) => Number(m[1]))).toEqual([
      planAlertId,
      slaAlertId,
    ]);
  });

  it("marks escalated cases in the cases list", async () => {
    const client = new Client();
    await client.login("coord@aler.example");
    const page = await client.request("GET", "/cases?lang=en");
    expect(page.body).toContain("<strong>Escalated</strong>");
  });

  it("acknowledges with the CSRF token, once; without it nothing changes", async () => {
    const client = new Client();
    const csrf = await client.login("coord@aler.example");
    const forged = await client.request("POST", `/alerts/${planAlertId}/ack`, { _csrf: "wrong" });
    expect(forged.statusCode).toBe(403);
    expect((await t.db.alert.findUniqueOrThrow({ where: { id: planAlertId } })).acknowledgedAt).toBeNull();

    const done = await client.request("POST", `/alerts/${planAlertId}/ack`, { _csrf: csrf });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe("/alerts?notice=acknowledged");
    const coordinator = await t.db.staff.findUniqueOrThrow({ where: { email: "coord@aler.example" } });
    expect(await t.db.alert.findUniqueOrThrow({ where: { id: planAlertId } })).toMatchObject({
      acknowledgedAt: NOW,
      acknowledgedByStaffId: coordinator.id,
    });
    const again = await client.request("POST", `/alerts/${planAlertId}/ack`, { _csrf: csrf });
    expect(again.headers.location).toBe("/alerts?notice=already");
    const page = await client.request("GET", "/alerts?notice=acknowledged&lang=en");
    expect(page.body).toContain("Alert marked as seen.");
    expect(page.body).not.toContain("PR-AL-1");

    expect((await client.request("POST", "/alerts/424242/ack", { _csrf: csrf })).statusCode).toBe(404);
    expect((await client.request("POST", "/alerts/abc/ack", { _csrf: csrf })).statusCode).toBe(404);
  });
});

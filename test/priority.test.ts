// Who needs help first (core/priority/, GET /caseload) on a real database: a household for each
// reason gets that reason and the order follows the weights; the thresholds hold exactly on their
// boundary; paid installments, a closed case, a partly reachable household count for nothing; each
// person sees their own scope only; filters filter, bad ones answer 400 and change nothing; names
// render inert; the page passes axe in Chromium.
import type { FastifyInstance } from "fastify";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { officeHourMarks } from "../core/cases.ts";
import { fixedClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { createLogger } from "../core/logger.ts";
import { saveOffice } from "../core/offices/offices.ts";
import { NO_FILTERS, rankedCaseload } from "../core/priority/caseload.ts";
import { pointsOf } from "../core/priority/rules.ts";
import { upsertStaff } from "../core/staff.ts";
import { StaffClient } from "./support/admin-client.ts";
import { expectNoAxeViolations } from "./support/axe.ts";
import { CHROMIUM_PATH, chromiumAvailable, launchBrowser } from "./support/browser.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";

const PASSWORD = "una password lunga per le priorità";
const DAY = 24 * 60 * 60 * 1000;
// Wednesday 9 December 2026, 15:00 in Rome. Tuesday 8 is a public holiday (Immacolata).
const NOW = new Date("2026-12-09T14:00:00Z");
const rome = (iso: string) => new Date(`${iso}+01:00`);
const date = (iso: string) => new Date(`${iso}T00:00:00Z`);

let t: TestDatabase;
let app: FastifyInstance;
let base: string;
const clock = fixedClock(NOW);
const ids: Record<string, number> = {};
const staff: Record<string, number> = {};
let officeA: number;
let officeB: number;

class Client extends StaffClient {
  constructor() {
    super(() => app, PASSWORD);
  }
}

async function household(
  code: string,
  extra: { officeId?: number | null; caseWorkerId?: number | null; name?: string; createdAt?: Date } = {},
): Promise<number> {
  const row = await t.db.household.create({
    data: {
      contractCode: code,
      name: extra.name ?? `Famiglia ${code}`,
      fiscalCode: "XXXXXX80A01B157X",
      municipality: "Brescia",
      address: "Via Roma 1",
      officeId: extra.officeId === undefined ? officeA : extra.officeId,
      caseWorkerId: extra.caseWorkerId ?? null,
      createdAt: extra.createdAt ?? new Date(NOW.getTime() - DAY),
    },
  });
  ids[code] = row.id;
  return row.id;
}

async function plan(
  householdId: number,
  status: "active" | "broken" | "cancelled",
  installments: [string, number][],
) {
  await t.db.repaymentPlan.create({
    data: {
      householdId,
      planCode: `PR-${householdId}-${status}`,
      status,
      installments: {
        create: installments.map(([due, paidCents], i) => ({
          number: i + 1,
          dueDate: date(due),
          amountCents: 10_000,
          paidCents,
        })),
      },
    },
  });
}

async function balances(householdId: number, totals: number[]) {
  await t.db.arrearsBalance.createMany({
    data: totals.map((total, i) => ({
      householdId,
      rentCents: total,
      chargesCents: 0,
      balanceDate: date(`2026-0${i + 1}-01`),
    })),
  });
}

/** An open case whose household wrote at `since` with no answer after it. */
async function waitingCase(householdId: number, since: Date) {
  await t.db.case.create({
    data: {
      householdId,
      topic: "debt",
      status: "open",
      openedAt: since,
      lastHouseholdMessageAt: since,
      messages: { create: [{ author: "household", text: "Aiuto", createdAt: since }] },
    },
  });
}

let member = 5000n;
async function linked(householdId: number, unreachable: boolean) {
  member++;
  await t.db.member.create({
    data: {
      telegramUserId: member,
      chatId: member,
      householdId,
      linkedAt: new Date(NOW.getTime() - 2 * DAY),
      consentAt: new Date(NOW.getTime() - 2 * DAY),
      unreachableAt: unreachable ? new Date(NOW.getTime() - DAY) : null,
    },
  });
}

beforeAll(async () => {
  t = await createTestDatabase();
  officeA = (await saveOffice(t.db, { code: "BS", name: "Brescia", municipalities: ["Brescia"] })).officeId;
  officeB = (await saveOffice(t.db, { code: "CR", name: "Cremona", municipalities: ["Cremona"] })).officeId;
  for (const [key, role, officeId, firstName] of [
    ["opA", "operator", officeA, "Anna"],
    ["opA2", "operator", officeA, "Bruno"],
    ["opB", "operator", officeB, "Carla"],
    ["coordA", "coordinator", officeA, undefined],
    ["admin", "admin", null, undefined],
  ] as const) {
    staff[key] = (
      await upsertStaff(t.db, {
        email: `${key}@aler.example`,
        role,
        password: PASSWORD,
        officeId,
        ...(firstName ? { firstName } : {}),
      })
    ).id;
  }

  // One household per reason (office A).
  const urgent = await household("A-URGENT", { caseWorkerId: staff.opA });
  await t.db.case.create({
    data: {
      householdId: urgent,
      topic: "debt",
      status: "waiting_household",
      urgent: true,
      lastHouseholdMessageAt: rome("2026-12-09T10:00:00"),
      lastOperatorMessageAt: rome("2026-12-09T11:00:00"),
    },
  });
  // Monday 16:00: 1 office hour on Monday, none on the holiday, 6 on Wednesday = 7.
  await waitingCase(await household("A-WAITING", { caseWorkerId: staff.opA }), rome("2026-12-07T16:00:00"));
  await plan(await household("A-BROKEN", { caseWorkerId: staff.opA2 }), "broken", [["2026-10-01", 10_000]]);
  const unreachable = await household("A-UNREACHABLE");
  await linked(unreachable, true);
  await linked(unreachable, true);
  // Two late; one paid (not late), one due today (not yet late), one in a cancelled plan (not counted).
  const late = await household("A-LATE", { caseWorkerId: staff.opA });
  await plan(late, "active", [
    ["2026-10-01", 10_000],
    ["2026-11-01", 0],
    ["2026-12-01", 9_999],
    ["2026-12-09", 0],
  ]);
  await plan(late, "cancelled", [["2026-09-01", 0]]);
  const up = await household("A-ARREARS", { caseWorkerId: staff.opA2 });
  await balances(up, [100_000, 90_000, 118_000]);
  await household("A-NOCONTACT", { createdAt: new Date(NOW.getTime() - 60 * DAY) });

  // On the thresholds, and just short of them.
  await waitingCase(await household("EDGE-WAIT-2H"), rome("2026-12-09T13:00:00"));
  await waitingCase(await household("EDGE-WAIT-1H"), rome("2026-12-09T13:00:01"));
  await balances(await household("EDGE-UP-10"), [100_000, 110_000]);
  await balances(await household("EDGE-UP-9"), [100_000, 109_999]);
  await household("EDGE-30-DAYS", { createdAt: new Date(NOW.getTime() - 30 * DAY) });
  await household("EDGE-29-DAYS", { createdAt: new Date(NOW.getTime() - 30 * DAY + 1000) });
  // A closed urgent case counts for nothing, but its last messages are contact.
  const closed = await household("EDGE-CLOSED", { createdAt: new Date(NOW.getTime() - 100 * DAY) });
  await t.db.case.create({
    data: {
      householdId: closed,
      topic: "debt",
      status: "closed",
      urgent: true,
      closedAt: new Date(NOW.getTime() - 5 * DAY),
      lastHouseholdMessageAt: new Date(NOW.getTime() - 10 * DAY),
      messages: {
        create: [{ author: "household", text: "?", createdAt: new Date(NOW.getTime() - 10 * DAY) }],
      },
    },
  });
  const half = await household("EDGE-HALF-REACHABLE");
  await linked(half, true);
  await linked(half, false);
  // An answered open case is not waiting.
  const answered = await household("EDGE-ANSWERED");
  await t.db.case.create({
    data: {
      householdId: answered,
      topic: "debt",
      status: "open",
      lastHouseholdMessageAt: rome("2026-12-07T10:00:00"),
      lastOperatorMessageAt: rome("2026-12-07T11:00:00"),
      messages: { create: [{ author: "household", text: "?", createdAt: rome("2026-12-07T10:00:00") }] },
    },
  });
  await household("A-XSS", { name: "<script>alert(1)</script>", caseWorkerId: staff.opA });

  // Another office, and a household no office covers: both urgent, so they would top any list.
  for (const [code, officeId] of [
    ["B-URGENT", officeB],
    ["NOOFFICE-URGENT", null],
  ] as const) {
    const id = await household(code, { officeId, caseWorkerId: officeId === null ? null : staff.opB });
    await t.db.case.create({ data: { householdId: id, topic: "debt", status: "open", urgent: true } });
  }

  app = createAdminServer({
    config: loadConfig({ DATABASE_URL: t.url }),
    logger: createLogger({ level: "silent" }),
    db: t.db,
    clock,
    deliveryQueue: undefined,
  });
  base = await app.listen({ port: 0, host: "127.0.0.1" });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await t?.drop();
});

const scopeOf = (key: string, role: "admin" | "coordinator" | "operator", officeId: number | null) => ({
  staffId: staff[key] as number,
  role,
  officeId,
});

async function adminList() {
  const list = await rankedCaseload(t.db, clock, scopeOf("admin", "admin", null), NO_FILTERS, 1);
  return { list, byCode: new Map(list.rows.map((r) => [r.contractCode, r])) };
}

describe("office hours for the waiting time", () => {
  it("counts Monday to Friday 9–17 in Rome, holidays skipped", () => {
    const marks = officeHourMarks(NOW, 8);
    expect(marks[0]).toEqual(rome("2026-12-09T14:00:00"));
    expect(marks[5]).toEqual(rome("2026-12-09T09:00:00"));
    // The seventh hour back skips Tuesday 8 (a holiday) and lands on Monday.
    expect(marks[6]).toEqual(rome("2026-12-07T16:00:00"));
    expect(marks[7]).toEqual(rome("2026-12-07T15:00:00"));
  });
});

describe("reasons and their order", () => {
  it("gives each household its reason, with the figure the text shows", async () => {
    const { byCode } = await adminList();
    const reasons = (code: string) =>
      byCode.get(code)?.reasons.map((r) => (r.value === undefined ? r.reason : `${r.reason}:${r.value}`));
    expect(reasons("A-URGENT")).toEqual(["urgent_case"]);
    expect(reasons("A-WAITING")).toEqual(["message_waiting:7"]);
    expect(reasons("A-BROKEN")).toEqual(["broken_plan"]);
    expect(reasons("A-UNREACHABLE")).toEqual(["unreachable"]);
    expect(reasons("A-LATE")).toEqual(["late_installments:2"]);
    expect(reasons("A-ARREARS")).toEqual(["arrears_up:18"]);
    expect(reasons("A-NOCONTACT")).toEqual(["no_contact:60"]);
    expect(byCode.get("A-WAITING")?.score).toBe(pointsOf("message_waiting", 7));
    expect(byCode.get("A-LATE")?.score).toBe(pointsOf("late_installments", 2));
  });

  it("holds exactly on the thresholds and not just short of them", async () => {
    const { byCode } = await adminList();
    const reasons = (code: string) => byCode.get(code)?.reasons.map((r) => `${r.reason}:${r.value ?? ""}`);
    expect(reasons("EDGE-WAIT-2H")).toEqual(["message_waiting:2"]);
    expect(reasons("EDGE-WAIT-1H")).toEqual([]);
    expect(reasons("EDGE-UP-10")).toEqual(["arrears_up:10"]);
    expect(reasons("EDGE-UP-9")).toEqual([]);
    expect(reasons("EDGE-30-DAYS")).toEqual(["no_contact:30"]);
    expect(reasons("EDGE-29-DAYS")).toEqual([]);
    // Closed urgent case: not urgent; its messages 10 days ago are contact (entered 100 days ago).
    expect(reasons("EDGE-CLOSED")).toEqual([]);
    expect(reasons("EDGE-HALF-REACHABLE")).toEqual([]);
    expect(reasons("EDGE-ANSWERED")).toEqual([]);
  });

  it("orders by the weights, then by household id", async () => {
    const { list } = await adminList();
    const order = list.rows.map((r) => r.contractCode).filter((c) => c.startsWith("A-") && c !== "A-XSS");
    // urgent 50, broken 40, waiting 7 h 34, unreachable 25, late ×2 20 = arrears 20 (older id first), no contact 10.
    expect(order).toEqual([
      "A-URGENT",
      "A-BROKEN",
      "A-WAITING",
      "A-UNREACHABLE",
      "A-LATE",
      "A-ARREARS",
      "A-NOCONTACT",
    ]);
    const scores = list.rows.map((r) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(list.rows.map((r) => r.rank)).toEqual(list.rows.map((_, i) => i + 1));
    expect(list.total).toBe(list.rows.length);
  });
});

describe("who sees what", () => {
  const codes = (body: string) => [...body.matchAll(/href="\/households\/(\d+)"/g)].map((m) => Number(m[1]));

  it("shows an operator and a coordinator their office only, an admin everything", async () => {
    const officeAIds = Object.entries(ids)
      .filter(([code]) => !code.startsWith("B-") && !code.startsWith("NOOFFICE"))
      .map(([, id]) => id);
    for (const who of ["opA", "coordA"]) {
      const page = await (await new Client().login(`${who}@aler.example`)).get("/caseload");
      expect(page.statusCode).toBe(200);
      expect(codes(page.body).sort()).toEqual([...officeAIds].sort());
      expect(page.body).not.toContain("B-URGENT");
      expect(page.body).not.toContain("NOOFFICE-URGENT");
    }
    const b = await (await new Client().login("opB@aler.example")).get("/caseload");
    expect(codes(b.body)).toEqual([ids["B-URGENT"]]);
    const admin = await (await new Client().login("admin@aler.example")).get("/caseload");
    expect(codes(admin.body).sort()).toEqual(Object.values(ids).sort());
    expect(admin.body).toContain('href="/caseload" aria-current="page"');
  });

  it("filters by office (admins), case worker and reason", async () => {
    const admin = await new Client().login("admin@aler.example");
    expect(codes((await admin.get(`/caseload?office=${officeB}`)).body)).toEqual([ids["B-URGENT"]]);
    expect(codes((await admin.get("/caseload?office=none")).body)).toEqual([ids["NOOFFICE-URGENT"]]);
    const operator = await new Client().login("opA@aler.example");
    expect(codes((await operator.get(`/caseload?worker=${staff.opA2}`)).body)).toEqual([
      ids["A-BROKEN"],
      ids["A-ARREARS"],
    ]);
    const unassigned = codes((await operator.get("/caseload?worker=unassigned")).body);
    expect(unassigned).toContain(ids["A-UNREACHABLE"]);
    expect(unassigned).not.toContain(ids["A-URGENT"]);
    const late = await operator.get("/caseload?reason=late_installments&lang=en");
    expect(codes(late.body)).toEqual([ids["A-LATE"]]);
    expect(late.body).toContain("2 installments late");
    expect(late.body).toContain('<option value="late_installments" selected>');
    const italian = await operator.get("/caseload?reason=message_waiting&lang=it");
    expect(codes(italian.body)).toEqual([ids["A-WAITING"], ids["EDGE-WAIT-2H"]]);
    expect(italian.body).toContain("Messaggio in attesa da 7 ore d&#39;ufficio");
    // Their own office, named: the same list.
    expect(codes((await operator.get(`/caseload?office=${officeA}`)).body).length).toBeGreaterThan(5);
  });

  it("answers bad filter values with 400 and what is wrong, lists nothing and records nothing", async () => {
    const audits = await t.db.auditLog.count({ where: { action: "caseload.viewed" } });
    const operator = await new Client().login("opA@aler.example");
    const admin = await new Client().login("admin@aler.example");
    for (const [client, path, text] of [
      [operator, "/caseload?reason=everything", "Il motivo scelto non esiste"],
      [operator, "/caseload?reason=urgent_case&reason=no_contact", "Il motivo scelto non esiste"],
      [operator, `/caseload?worker=${staff.opB}`, "La persona scelta"],
      [operator, "/caseload?worker=1e3", "La persona scelta"],
      [operator, `/caseload?office=${officeB}`, "L&#39;ufficio scelto"],
      [admin, "/caseload?office=abc", "L&#39;ufficio scelto"],
      [admin, "/caseload?office=999999", "L&#39;ufficio scelto"],
    ] as const) {
      const page = await client.get(path);
      expect(page.statusCode, path).toBe(400);
      expect(page.body).toContain("Filtro non valido");
      expect(page.body).toContain(text);
      expect(page.body).not.toContain('href="/households/');
    }
    expect(await t.db.auditLog.count({ where: { action: "caseload.viewed" } })).toBe(audits);
    // A valid view is recorded, with ids only.
    await operator.get("/caseload?reason=broken_plan");
    const entry = await t.db.auditLog.findFirstOrThrow({
      where: { action: "caseload.viewed" },
      orderBy: { id: "desc" },
    });
    expect(entry.actorId).toBe(String(staff.opA));
    expect(entry.details).toMatchObject({ householdIds: [ids["A-BROKEN"]], reason: "broken_plan" });
  });

  it("renders a household's name as text, never as markup", async () => {
    const page = await (await new Client().login("opA@aler.example")).get("/caseload");
    expect(page.body).not.toContain("<script>alert(1)");
    expect(page.body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("pages 50 at a time and keeps the filters in the links; a page past the end gives the last", async () => {
    await t.db.household.createMany({
      data: Array.from({ length: 60 }, (_, i) => ({
        contractCode: `MANY-${i}`,
        name: `Famiglia ${i}`,
        fiscalCode: "XXXXXX80A01B157X",
        municipality: "Brescia",
        address: "Via Roma 1",
        officeId: officeA,
        createdAt: new Date(NOW.getTime() - 40 * DAY),
      })),
    });
    const operator = await new Client().login("opA@aler.example");
    const first = await operator.get("/caseload?reason=no_contact");
    expect(codes(first.body)).toHaveLength(50);
    expect(first.body).toContain('href="/caseload?reason=no_contact&amp;page=2"');
    const last = await operator.get("/caseload?reason=no_contact&page=99");
    expect(last.body).toContain("Pagina 2 di 2");
    expect(codes(last.body)).toHaveLength(62 - 50);
    // Without a reason every household of the office is listed, those with no reason last.
    const all = await operator.get("/caseload?page=99");
    expect(all.body).toContain("Pagina 2 di 2");
    expect(all.body).toContain('href="/caseload" rel="prev"');
    expect(all.body).toContain("Nessun motivo per ora");
    await t.db.household.deleteMany({ where: { contractCode: { startsWith: "MANY-" } } });
  });
});

describe("the page in Chromium", () => {
  let browser: Browser;

  beforeAll(async () => {
    if (!chromiumAvailable()) throw new Error(`Chromium not found at ${CHROMIUM_PATH}`);
    browser = await launchBrowser();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
  });

  it("passes axe, on a desktop and on a phone, with its filters and with a bad one", {
    timeout: 60_000,
  }, async () => {
    for (const viewport of [
      { width: 1280, height: 900 },
      { width: 375, height: 740 },
    ]) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      try {
        await page.goto(`${base}/login`);
        await page.getByLabel("E-mail").fill("admin@aler.example");
        await page.getByLabel("Password").fill(PASSWORD);
        await page.getByRole("button", { name: "Accedi" }).click();
        await page.waitForURL(/\/households/);
        // On a phone the navigation is folded under "Menu".
        if (viewport.width < 992) await page.getByText("Menu", { exact: true }).click();
        await page.getByRole("link", { name: "Priorità" }).click();
        await page.waitForURL(`${base}/caseload`);
        expect(await page.getByRole("table").textContent()).toContain("Conversazione urgente aperta");
        await expectNoAxeViolations(page, `caseload ${viewport.width}px`);
        await page.getByLabel("Motivo").selectOption("broken_plan");
        await page.getByRole("button", { name: "Filtra" }).click();
        await page.waitForURL(/reason=broken_plan/);
        expect(await page.getByRole("table").textContent()).toContain("A-BROKEN");
        await expectNoAxeViolations(page, `caseload filtered ${viewport.width}px`);
        await page.goto(`${base}/caseload?reason=nonsense`);
        expect(await page.getByRole("alert").textContent()).toContain("Filtro non valido");
        await expectNoAxeViolations(page, `caseload bad filter ${viewport.width}px`);
      } finally {
        await context.close();
      }
    }
  });
});

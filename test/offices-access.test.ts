// Offices and caseloads. The route × role × record matrix: staff of office A, guessing the ids of
// office B's records, read nothing and change nothing on any route (GET and POST), while the same
// routes work on office A's records (so a route that 404s everything would fail here too). Then the
// caseload: households get their office from the municipality (import and office:set), coordinators
// assign case workers within their office, an operator opens a colleague's family only with a
// stated reason, which is audited, and operators start on their own households.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { loadConfig } from "../core/config.ts";
import { importHouseholds, parseHouseholdsFile } from "../core/imports/households.ts";
import { issueLinkCode, MAX_WRONG_ATTEMPTS } from "../core/linking.ts";
import { createLogger } from "../core/logger.ts";
import { saveOffice } from "../core/offices/offices.ts";
import { upsertStaff } from "../core/staff.ts";
import { StaffClient } from "./support/admin-client.ts";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";

const PASSWORD = "correct horse battery staple";
const STAFF = {
  operatorA: "operatore.a@aler.example",
  colleagueA: "collega.a@aler.example",
  coordinatorA: "coordinamento.a@aler.example",
  operatorB: "operatore.b@aler.example",
  coordinatorB: "coordinamento.b@aler.example",
  admin: "admin.uffici@aler.example",
  noOffice: "senza.ufficio@aler.example",
} as const;

let h: BotHarness;
let app: FastifyInstance;
const ids: Record<string, number> = {};

/** One of every record a staff route can name, for a household; returns their ids. */
async function recordsOf(contractCode: string, telegramUserId: bigint) {
  const householdId = (await h.db.household.findUniqueOrThrow({ where: { contractCode } })).id;
  const member = await h.db.member.create({
    data: {
      telegramUserId,
      chatId: telegramUserId,
      firstName: `Membro ${contractCode}`,
      householdId,
      linkedAt: new Date(),
    },
  });
  // Locked out of linking (e.g. while trying a second household's code).
  for (let i = 0; i < MAX_WRONG_ATTEMPTS; i++) {
    await h.db.linkAttempt.create({ data: { telegramUserId, succeeded: false, at: new Date() } });
  }
  const kase = await h.db.case.create({
    data: { householdId, memberId: member.id, topic: "operator", lastHouseholdMessageAt: new Date() },
  });
  await h.db.caseMessage.create({
    data: { caseId: kase.id, author: "household", text: `Messaggio ${contractCode}` },
  });
  const alert = await h.db.alert.create({
    data: { kind: "plan-broken", dedupeKey: `test:${contractCode}`, householdId },
  });
  const outbound = await h.db.outboundMessage.create({
    data: {
      purpose: `reminder:test:${contractCode}`,
      memberId: member.id,
      chatId: telegramUserId,
      text: "x",
      status: "uncertain",
    },
  });
  // The household's check-up and how a closed conversation went (issue 12): on its page only.
  await h.db.checkup.create({
    data: {
      householdId,
      round: "entry",
      memberId: member.id,
      offeredAt: new Date(),
      startedAt: new Date(),
      completedAt: new Date(),
      answers: { debt: "roughly", budget: "not_enough", support: "nobody" },
    },
  });
  const closedCase = await h.db.case.create({
    data: { householdId, memberId: member.id, topic: "debt", status: "closed", closedAt: new Date() },
  });
  await h.db.caseSatisfaction.create({
    data: {
      caseId: closedCase.id,
      householdId,
      memberId: member.id,
      askedAt: new Date(),
      score: 2,
      comment: `Commento ${contractCode}`,
      answeredAt: new Date(),
    },
  });
  await issueLinkCode(h.db, contractCode, { now: () => new Date() });
  return { householdId, memberId: member.id, caseId: kase.id, alertId: alert.id, outboundId: outbound.id };
}

class Client extends StaffClient {
  constructor() {
    super(() => app, PASSWORD);
  }
}

async function as(email: string): Promise<Client> {
  return new Client().login(email);
}

beforeAll(async () => {
  h = await startBotHarness();
  app = createAdminServer({
    config: loadConfig({ DATABASE_URL: h.database.url, BOT_USERNAME: "bussola_prova_bot" }),
    logger: createLogger({ level: "silent" }),
    db: h.db,
    clock: { now: () => new Date() },
    deliveryQueue: h.deliveryQueue,
  });
  const a = await saveOffice(h.db, { code: "BS", name: "Brescia", municipalities: ["Brescia", "Salò"] });
  const b = await saveOffice(h.db, { code: "CR", name: "Cremona", municipalities: ["Cremona"] });
  ids.officeA = a.officeId;
  ids.officeB = b.officeId;
  for (const [key, email] of Object.entries(STAFF)) {
    const role =
      key.startsWith("operator") || key === "colleagueA" || key === "noOffice"
        ? "operator"
        : key.startsWith("coordinator")
          ? "coordinator"
          : "admin";
    const officeId = key.endsWith("A") ? a.officeId : key.endsWith("B") ? b.officeId : null;
    ids[key] = (await upsertStaff(h.db, { email, role, password: PASSWORD, firstName: key, officeId })).id;
  }
  // Through the households import, as the authority's file arrives: the municipality decides the office.
  const file = [
    "contract_code;household_name;fiscal_code;municipality;address;phone;language;arrears_rent;arrears_charges;balance_date",
    "BS-0001;Rossi <script>alert(1)</script>;RSSMRA80A01B157Y;Brescia;Via A 1;;it;1.000,00;100,00;30/09/2026",
    "BS-0002;Bianchi;BNCLRA80A41B157Z;  SALÒ ;Via Colle 2;;ro;500,00;0;30/09/2026",
    "BS-0003;Verdi;VRDGNN80A01B157W;Brescia;Via C 3;;it;200,00;0;30/09/2026",
    "CR-0001;Neri Segreti;NRESGR80A01D150K;Cremona;Via Segreta 9;3331234567;it;900,00;0;30/09/2026",
    "XX-0001;Nessuno;NSSNNN80A01H501U;Roma;Via Lontana 1;;it;100,00;0;30/09/2026",
  ].join("\n");
  const parsed = await parseHouseholdsFile(Buffer.from(file));
  if (!("rows" in parsed) || !parsed.rows)
    throw new Error(`households file refused: ${JSON.stringify(parsed)}`);
  await importHouseholds(h.db, parsed.rows, { actor: { actorType: "system" } });
  const byCode = async (code: string) =>
    (await h.db.household.findUniqueOrThrow({ where: { contractCode: code } })).id;
  await h.db.household.update({
    where: { id: await byCode("BS-0001") },
    data: { caseWorkerId: ids.operatorA },
  });
  await h.db.household.update({
    where: { id: await byCode("BS-0002") },
    data: { caseWorkerId: ids.colleagueA },
  });
  await h.db.household.update({
    where: { id: await byCode("CR-0001") },
    data: { caseWorkerId: ids.operatorB },
  });
  const recA = await recordsOf("BS-0001", 9_100_001n);
  const recB = await recordsOf("CR-0001", 9_100_002n);
  for (const [k, v] of Object.entries(recA)) ids[`A.${k}`] = v;
  for (const [k, v] of Object.entries(recB)) ids[`B.${k}`] = v;
  ids.colleagueHousehold = await byCode("BS-0002");
  ids.unassignedHousehold = await byCode("BS-0003");
  ids.nowhereHousehold = await byCode("XX-0001");
}, 120_000);

afterAll(async () => {
  await app?.close();
  await h?.close();
});

/** Every route that names a household's record, as [method, path, form] for records `r`. */
function routes(
  r: (key: string) => number,
): [method: "GET" | "POST", path: string, form: Record<string, string>][] {
  return [
    ["GET", `/households/${r("householdId")}`, {}],
    ["POST", `/households/${r("householdId")}/cover`, { reason: "Sostituisco la collega in ferie" }],
    ["POST", `/households/${r("householdId")}/case-worker`, { caseWorker: String(ids.operatorA) }],
    ["GET", `/households/${r("householdId")}/access`, {}],
    ["GET", `/households/${r("householdId")}/access/unlink/${r("memberId")}`, {}],
    ["POST", `/households/${r("householdId")}/access/unlink/${r("memberId")}`, {}],
    ["POST", `/households/${r("householdId")}/access/revoke-codes`, {}],
    ["POST", `/households/${r("householdId")}/documents/isee`, { status: "verified" }],
    ["POST", `/households/${r("householdId")}/invitation`, {}],
    ["GET", `/cases/${r("caseId")}`, {}],
    ["POST", `/cases/${r("caseId")}/reply`, { text: "Risposta indovinata" }],
    ["POST", `/cases/${r("caseId")}/assign`, { staffId: String(ids.operatorA) }],
    ["GET", `/cases/${r("caseId")}/close`, {}],
    ["POST", `/cases/${r("caseId")}/close`, { outcome: "resolved" }],
    ["POST", `/cases/${r("caseId")}/notes`, { text: "Nota indovinata" }],
    ["POST", `/cases/${r("caseId")}/snooze`, { until: "31/12/2026" }],
    ["POST", `/cases/${r("caseId")}/transfer`, { officeId: String(ids.officeA) }],
    ["POST", `/alerts/${r("alertId")}/ack`, {}],
    ["POST", `/deliveries/${r("outboundId")}/resend`, {}],
    ["POST", `/link-lockouts/${r("memberId")}/unlock`, {}],
  ];
}

/** What office B's records look like; must be the same after every attempt from office A. */
async function snapshotB() {
  const household = await h.db.household.findUniqueOrThrow({ where: { id: ids["B.householdId"] } });
  return {
    caseWorkerId: household.caseWorkerId,
    officeId: household.officeId,
    members: await h.db.member.count({ where: { householdId: household.id, linkedAt: { not: null } } }),
    codes: await h.db.linkCode.count({ where: { householdId: household.id, usedAt: null, revokedAt: null } }),
    kase: await h.db.case.findUniqueOrThrow({
      where: { id: ids["B.caseId"] },
      select: { status: true, assignedStaffId: true },
    }),
    messages: await h.db.caseMessage.count({ where: { caseId: ids["B.caseId"] } }),
    alert: (await h.db.alert.findUniqueOrThrow({ where: { id: ids["B.alertId"] } })).acknowledgedAt,
    outbound: (await h.db.outboundMessage.findUniqueOrThrow({ where: { id: ids["B.outboundId"] } })).status,
    attempts: await h.db.linkAttempt.count({ where: { telegramUserId: 9_100_002n } }),
    covers: await h.db.coverAccess.count({ where: { householdId: household.id } }),
    documents: await h.db.householdDocument.count({ where: { householdId: household.id } }),
    notes: await h.db.caseNote.count({ where: { caseId: ids["B.caseId"] } }),
    snoozed: (await h.db.case.findUniqueOrThrow({ where: { id: ids["B.caseId"] } })).snoozedUntil,
  };
}

describe("route × role × record: office A staff and office B's records", () => {
  it("every route answers 404 (or 403 by role) to office A's operator and coordinator, and nothing of office B changes", async () => {
    const before = await snapshotB();
    for (const email of [STAFF.operatorA, STAFF.coordinatorA, STAFF.noOffice]) {
      const client = await as(email);
      for (const [method, path, form] of routes((k) => ids[`B.${k}`] as number)) {
        const response = method === "GET" ? await client.get(path) : await client.send(path, form);
        const where = `${email} ${method} ${path}`;
        expect([403, 404], where).toContain(response.statusCode);
        expect(response.body, where).not.toContain("Neri Segreti");
        expect(response.body, where).not.toContain("Via Segreta");
        expect(response.body, where).not.toContain("CR-0001");
        expect(response.body, where).not.toContain("Commento CR-0001");
      }
      for (const list of [
        "/households",
        "/households?worker=none",
        "/cases",
        "/alerts",
        "/deliveries",
        "/link-lockouts",
      ]) {
        const page = await client.get(list);
        expect([200, 403], `${email} ${list}`).toContain(page.statusCode);
        expect(page.body, `${email} ${list}`).not.toContain("CR-0001");
        expect(page.body, `${email} ${list}`).not.toContain("Neri Segreti");
        expect(page.body, `${email} ${list}`).not.toContain(`persona n. ${ids["B.memberId"]}`);
      }
    }
    expect(await snapshotB()).toEqual(before);
  });

  it("the same routes work on office A's records for office A's coordinator (the matrix can fail)", async () => {
    const coordinator = await as(STAFF.coordinatorA);
    const readable = routes((k) => ids[`A.${k}`] as number).filter(([method]) => method === "GET");
    for (const [, path] of readable) {
      const response = await coordinator.get(path);
      expect(response.statusCode, path).toBe(200);
    }
    // The family's page shows its check-up answers and how its closed conversation went.
    const page = await coordinator.get(`/households/${ids["A.householdId"]}`);
    expect(page.body).toContain('<h2 id="checkup">Check-up</h2>');
    expect(page.body).toContain("Non ci arriviamo");
    expect(page.body).toContain("Su nessuno, per ora");
    expect(page.body).toContain("Commento BS-0001");
    expect(page.body).not.toContain("Commento CR-0001");
    const list = await coordinator.get("/households");
    expect(list.body).toContain("BS-0001");
    expect(list.body).toContain("BS-0002");
    // Names render as text, never as markup.
    expect(list.body).toContain("Rossi &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(list.body).not.toContain("<script>alert(1)");
    expect((await coordinator.get("/alerts")).body).toContain("BS-0001");
    expect((await coordinator.send(`/alerts/${ids["A.alertId"]}/ack`)).statusCode).toBe(303);
  });

  it("admins see every office, and the households no office covers", async () => {
    const admin = await as(STAFF.admin);
    const list = await admin.get("/households");
    for (const code of ["BS-0001", "CR-0001", "XX-0001"]) expect(list.body).toContain(code);
    const pageB = (await admin.get(`/households/${ids["B.householdId"]}`)).body;
    expect(pageB).toContain("Via Segreta 9");
    expect(pageB).toContain("Commento CR-0001");
    expect(pageB).not.toContain("Commento BS-0001");
    expect((await admin.get(`/households/${ids.nowhereHousehold}`)).body).toContain("Nessun ufficio copre");
  });
});

describe("caseloads", () => {
  it("a household's office follows its municipality, whatever its case and spacing, and office:set moves them", async () => {
    const colleague = await h.db.household.findUniqueOrThrow({ where: { id: ids.colleagueHousehold } });
    expect(colleague.officeId).toBe(ids.officeA);
    expect(
      (await h.db.household.findUniqueOrThrow({ where: { id: ids.nowhereHousehold } })).officeId,
    ).toBeNull();
    // Salò moves to office B: its household goes too, and leaves its case worker of office A behind.
    const moved = await saveOffice(h.db, {
      code: "CR",
      name: "Cremona",
      municipalities: ["Cremona", "salò"],
    });
    expect(moved.householdsMoved).toBe(1);
    const after = await h.db.household.findUniqueOrThrow({ where: { id: ids.colleagueHousehold } });
    expect(after.officeId).toBe(ids.officeB);
    expect(after.caseWorkerId).toBeNull();
    // And back, as it was, for the tests below.
    await saveOffice(h.db, { code: "CR", name: "Cremona", municipalities: ["Cremona"] });
    await saveOffice(h.db, { code: "BS", name: "Brescia", municipalities: ["Brescia", "Salò"] });
    await h.db.household.update({
      where: { id: ids.colleagueHousehold },
      data: { caseWorkerId: ids.colleagueA },
    });
    expect((await h.db.household.findUniqueOrThrow({ where: { id: ids.colleagueHousehold } })).officeId).toBe(
      ids.officeA,
    );
  });

  it("operators start on the households they follow", async () => {
    const operator = await as(STAFF.operatorA);
    const home = await operator.get("/");
    expect(home.headers.location).toBe("/households?worker=mine");
    const mine = await operator.get("/households?worker=mine");
    expect(mine.body).toContain("I miei nuclei");
    expect(mine.body).toContain("BS-0001");
    expect(mine.body).not.toContain("BS-0002");
    expect(mine.body).not.toContain("BS-0003");
    const none = await operator.get("/households?worker=none");
    expect(none.body).toContain("BS-0003");
    expect(none.body).not.toContain("BS-0001");
  });

  it("coordinators assign within their office only; operators cannot assign", async () => {
    const coordinator = await as(STAFF.coordinatorA);
    const household = ids.unassignedHousehold as number;
    const wrong = await coordinator.send(`/households/${household}/case-worker`, {
      caseWorker: String(ids.operatorB),
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain("Scegli una persona operatrice attiva");
    const junk = await coordinator.send(`/households/${household}/case-worker`, { caseWorker: "12abc" });
    expect(junk.statusCode).toBe(400);
    expect((await h.db.household.findUniqueOrThrow({ where: { id: household } })).caseWorkerId).toBeNull();

    const done = await coordinator.send(`/households/${household}/case-worker`, {
      caseWorker: String(ids.colleagueA),
    });
    expect(done.statusCode).toBe(303);
    expect((await coordinator.get(done.headers.location as string)).body).toContain(
      "ha una nuova persona che lo segue",
    );
    expect((await h.db.household.findUniqueOrThrow({ where: { id: household } })).caseWorkerId).toBe(
      ids.colleagueA,
    );
    const entry = await h.db.auditLog.findFirstOrThrow({
      where: { action: "household.caseWorkerAssigned", entityId: String(household) },
    });
    expect(entry.actorId).toBe(String(ids.coordinatorA));
    expect(entry.details).toEqual({ from: null, to: ids.colleagueA });

    const operator = await as(STAFF.operatorA);
    expect(
      (await operator.send(`/households/${household}/case-worker`, { caseWorker: String(ids.operatorA) }))
        .statusCode,
    ).toBe(403);
    // Back to nobody, with the empty choice.
    expect(
      (await coordinator.send(`/households/${household}/case-worker`, { caseWorker: "" })).statusCode,
    ).toBe(303);
    expect((await h.db.household.findUniqueOrThrow({ where: { id: household } })).caseWorkerId).toBeNull();
  });

  it("a colleague's family opens only with a stated reason, which is recorded", async () => {
    const operator = await as(STAFF.operatorA);
    const household = ids.colleagueHousehold as number;
    const asked = await operator.get(`/households/${household}`);
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain("Apri il nucleo di una persona collega");
    expect(asked.body).not.toContain("Via Colle 2");
    expect(asked.body).not.toContain('id="checkup"'); // no answers before the reason is given

    const short = await operator.send(`/households/${household}/cover`, { reason: "ferie" });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain("almeno 10 caratteri");
    expect(await h.db.coverAccess.count({ where: { householdId: household } })).toBe(0);

    const given = await operator.send(`/households/${household}/cover`, {
      reason: "  Sostituisco la collega in ferie  ",
    });
    expect(given.statusCode).toBe(303);
    const page = await operator.get(`/households/${household}`);
    expect(page.body).toContain("Via Colle 2");
    expect(page.body).toContain("Stai sostituendo chi segue questo nucleo");
    const cover = await h.db.coverAccess.findFirstOrThrow({ where: { householdId: household } });
    expect(cover.reason).toBe("Sostituisco la collega in ferie");
    expect(cover.staffId).toBe(ids.operatorA);
    const opened = await h.db.auditLog.findFirstOrThrow({
      where: { action: "household.coverOpened", entityId: String(household) },
    });
    // The reason is staff text: it stays in CoverAccess, not in the audit details.
    expect(JSON.stringify(opened.details)).not.toContain("ferie");
    const viewed = await h.db.auditLog.findFirstOrThrow({
      where: { action: "household.viewed", entityId: String(household), actorId: String(ids.operatorA) },
    });
    expect(viewed.details).toEqual({ covering: true });

    // Their own family and the office's unassigned ones open directly.
    expect((await operator.get(`/households/${ids["A.householdId"]}`)).body).toContain("Via A 1");
    expect((await operator.get(`/households/${ids.unassignedHousehold}`)).body).toContain("Via C 3");
  });

  it("a cover runs out, and moving someone to another office takes effect at their next click", async () => {
    const operator = await as(STAFF.operatorA);
    await h.db.coverAccess.updateMany({
      where: { staffId: ids.operatorA },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect((await operator.get(`/households/${ids.colleagueHousehold}`)).body).toContain(
      "Apri il nucleo di una persona collega",
    );
    await h.db.staff.update({ where: { id: ids.operatorA }, data: { officeId: ids.officeB } });
    try {
      expect((await operator.get(`/households/${ids["A.householdId"]}`)).statusCode).toBe(404);
      expect((await operator.get("/households")).body).toContain("CR-0001");
    } finally {
      await h.db.staff.update({ where: { id: ids.operatorA }, data: { officeId: ids.officeA } });
    }
  });
});

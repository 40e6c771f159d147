// The inbox, office by office: staff see and act on their office's cases only (another office's case
// answers 404 and nothing changes, whatever the id guessed), the office's operators share its inbox,
// cases are listed by status, urgency and time left before the office-hours deadline, with filters;
// assigning, private notes (in the household's own export), snoozing, transferring and saved replies
// with the household's figures.
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { postHouseholdMessage } from "../core/cases.ts";
import { fixedClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { translator } from "../core/i18n.ts";
import { createLogger } from "../core/logger.ts";
import { saveOffice } from "../core/offices/offices.ts";
import { renderReadableExport } from "../core/privacy/readable-export.ts";
import { EXPORT_README_KEYS, type ExportReadme, exportMemberData } from "../core/privacy.ts";
import { createDeliveryQueue, type DeliveryQueue } from "../core/queues/delivery.ts";
import { fillPlaceholders } from "../core/saved-replies.ts";
import { upsertStaff } from "../core/staff.ts";
import { StaffClient } from "./support/admin-client.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";

const PASSWORD = "una password lunga abbastanza";
const OP_A = "operatore.a@aler.example";
const OP_A2 = "collega.a@aler.example";
const COORD_A = "coordinamento.a@aler.example";
const OP_B = "operatore.b@aler.example";
const ADMIN = "admin@aler.example";
const GONE_A = "uscita.a@aler.example";
const XSS = `<script>alert(1)</script> <img src=x onerror=alert(2)>`;

/** Monday 14 December 2026, 15:45 in Rome. */
const NOW = new Date("2026-12-14T14:45:00Z");
const clock = fixedClock(NOW);

let t: TestDatabase;
let redis: Redis;
let deliveryQueue: DeliveryQueue;
let app: FastifyInstance;
let officeA: number;
let officeB: number;
const staff: Record<string, number> = {};
/** Office A: a case written to this morning, and one overdue since last Thursday. Office B: one. */
let caseA: number;
let caseLate: number;
let caseB: number;
let householdA: number;
let householdLate: number;
let householdB: number;
let memberA: number;
let memberB: number;

class Client extends StaffClient {
  constructor() {
    super(() => app, PASSWORD);
  }
}

const listed = (body: string) => [...body.matchAll(/<tr data-case="(\d+)">/g)].map((m) => Number(m[1]));
const waitingBadge = (body: string) => /<span data-count>(\d+)<\/span>/.exec(body)?.[1];

async function household(contract: string, municipality: string, officeId: number, language = "it") {
  const h = await t.db.household.create({
    data: {
      contractCode: contract,
      name: `Famiglia ${contract}`,
      fiscalCode: "XXXXXX80A01B157X",
      municipality,
      address: "Via Roma 1",
      language,
      officeId,
    },
  });
  const member = await t.db.member.create({
    data: {
      telegramUserId: BigInt(contract.replace(/\D/g, "")),
      chatId: BigInt(contract.replace(/\D/g, "")),
      firstName: "Ana",
      language,
      householdId: h.id,
      consentAt: NOW,
    },
  });
  return { householdId: h.id, memberId: member.id };
}

/** A case opened by the household's message at `at`. */
async function caseAt(householdId: number, memberId: number, at: Date, text: string): Promise<number> {
  const c = await t.db.case.create({
    data: {
      householdId,
      memberId,
      topic: "debt",
      openedAt: at,
      lastHouseholdMessageAt: at,
      messages: { create: { author: "household", memberId, text, createdAt: at } },
    },
  });
  return c.id;
}

/** What must not change when staff of another office try a case: its row, thread, notes, audit. */
async function snapshot(caseId: number) {
  const c = await t.db.case.findUniqueOrThrow({ where: { id: caseId }, include: { household: true } });
  return {
    status: c.status,
    assigned: c.assignedStaffId,
    snoozed: c.snoozedUntil,
    office: c.household.officeId,
    caseWorker: c.household.caseWorkerId,
    messages: await t.db.caseMessage.count({ where: { caseId } }),
    notes: await t.db.caseNote.count({ where: { caseId } }),
    outbound: await t.db.outboundMessage.count({ where: { caseId } }),
    audit: await t.db.auditLog.count({ where: { entityType: "case", entityId: String(caseId) } }),
  };
}

beforeAll(async () => {
  t = await createTestDatabase();
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  deliveryQueue = createDeliveryQueue(redis, testQueuePrefix());
  officeA = (await saveOffice(t.db, { code: "BS", name: "Brescia", municipalities: ["Brescia"] })).officeId;
  officeB = (await saveOffice(t.db, { code: "MN", name: "Mantova", municipalities: ["Mantova"] })).officeId;
  for (const [email, role, officeId] of [
    [OP_A, "operator", officeA],
    [OP_A2, "operator", officeA],
    [COORD_A, "coordinator", officeA],
    [OP_B, "operator", officeB],
    [ADMIN, "admin", null],
    [GONE_A, "operator", officeA],
  ] as const) {
    staff[email] = (await upsertStaff(t.db, { email, role, password: PASSWORD, officeId })).id;
  }
  await t.db.staff.update({ where: { id: staff[GONE_A] }, data: { active: false } });

  ({ householdId: householdA, memberId: memberA } = await household("BS-000101", "Brescia", officeA, "en"));
  const late = await household("BS-000102", "Brescia", officeA);
  householdLate = late.householdId;
  ({ householdId: householdB, memberId: memberB } = await household("MN-000201", "Mantova", officeB));
  // Monday 09:45 in Rome: answer due Tuesday 10:00 (8 office hours), 18 h 15 min from now.
  caseA = await caseAt(householdA, memberA, new Date("2026-12-14T08:45:00Z"), XSS);
  // Thursday 09:00: due Thursday 17:00, 94 h 45 min ago.
  caseLate = await caseAt(householdLate, late.memberId, new Date("2026-12-10T08:00:00Z"), "Aiuto");
  caseB = await caseAt(householdB, memberB, new Date("2026-12-14T09:00:00Z"), "Buongiorno da Mantova");

  app = createAdminServer({
    config: loadConfig({ DATABASE_URL: t.url }),
    logger: createLogger({ level: "silent" }),
    db: t.db,
    clock,
    deliveryQueue,
  });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await deliveryQueue?.obliterate({ force: true }).catch(() => undefined);
  await deliveryQueue?.close();
  await redis?.quit();
  await t?.drop();
});

describe("office scoping", () => {
  it("lists each office's cases to its staff only, and all to admins, with the waiting counter", async () => {
    const opA = await new Client().login(OP_A);
    const list = await opA.get("/cases");
    expect(list.statusCode).toBe(200);
    // To answer, the overdue one first (nearest deadline), then today's.
    expect(listed(list.body)).toEqual([caseLate, caseA]);
    expect(waitingBadge(list.body)).toBe("2");
    expect(list.body).not.toContain("MN-000201");

    const opB = await new Client().login(OP_B);
    const listB = await opB.get("/cases");
    expect(listed(listB.body)).toEqual([caseB]);
    expect(waitingBadge(listB.body)).toBe("1");
    // The counter is on every page, not just the inbox.
    expect(waitingBadge((await opB.get("/households")).body)).toBe("1");

    const admin = await new Client().login(ADMIN);
    const all = await admin.get("/cases");
    expect(listed(all.body).sort()).toEqual([caseA, caseLate, caseB].sort());
    expect(waitingBadge(all.body)).toBe("3");
  });

  for (const email of [OP_A, COORD_A]) {
    it(`answers 404 to ${email} for every page and action on another office's case, changing nothing`, async () => {
      const client = await new Client().login(email);
      const before = await snapshot(caseB);
      for (const url of [
        `/cases/${caseB}`,
        `/cases/${caseB}/close`,
        `/cases/${caseB}/events`,
        `/cases/${caseB}?saved=1`,
      ]) {
        const response = await client.get(url);
        expect(response.statusCode, url).toBe(404);
        expect(response.body).not.toContain("Mantova");
      }
      const posts: [string, Record<string, string>][] = [
        [`/cases/${caseB}/reply`, { text: "Ciao" }],
        [`/cases/${caseB}/assign`, {}],
        [`/cases/${caseB}/assign`, { staffId: String(staff[email]) }],
        [`/cases/${caseB}/close`, { outcome: "resolved" }],
        [`/cases/${caseB}/close`, {}],
        [`/cases/${caseB}/notes`, { text: "Nota" }],
        [`/cases/${caseB}/snooze`, { until: "2026-12-20" }],
        [`/cases/${caseB}/snooze`, { until: "" }],
        [`/cases/${caseB}/snooze`, { until: "nonsense" }],
      ];
      for (const [url, form] of posts) {
        expect((await client.send(url, form)).statusCode, url).toBe(404);
      }
      // Transfer: coordinators get the same 404; operators may not transfer at all.
      const transfer = await client.send(`/cases/${caseB}/transfer`, { officeId: String(officeA) });
      expect(transfer.statusCode).toBe(email === COORD_A ? 404 : 403);
      // Ids that do not exist answer the same.
      expect((await client.get("/cases/999999")).statusCode).toBe(404);
      expect((await client.send("/cases/999999/notes", { text: "x" })).statusCode).toBe(404);
      expect(await snapshot(caseB)).toEqual(before);
    });
  }

  it("lets admins open any office's case", async () => {
    const admin = await new Client().login(ADMIN);
    expect((await admin.get(`/cases/${caseB}`)).statusCode).toBe(200);
  });

  it("shares the office's inbox: a colleague of the same office opens and answers the case", async () => {
    const colleague = await new Client().login(OP_A2);
    const page = await colleague.get(`/cases/${caseA}`);
    expect(page.statusCode).toBe(200);
    const replied = await colleague.send(`/cases/${caseA}/reply`, { text: "Ti rispondiamo domani." });
    expect(replied.statusCode).toBe(303);
    const stored = await t.db.case.findUniqueOrThrow({ where: { id: caseA } });
    expect(stored.status).toBe("waiting_household");
    expect(stored.assignedStaffId).toBe(staff[OP_A2]);
    // The household writes again: back to the office's turn.
    await postHouseholdMessage(t.db, clock, { householdId: householdA, memberId: memberA, text: "Grazie" });
  });
});

describe("the household's text", () => {
  it("is shown as text, never as markup", async () => {
    const opA = await new Client().login(OP_A);
    const page = (await opA.get(`/cases/${caseA}`)).body;
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt;");
    expect(page).not.toContain("<script>alert(1)");
    expect(page).not.toContain("<img src=x");
  });
});

describe("the list", () => {
  it("shows the time left before the office-hours deadline, and how late an overdue case is", async () => {
    await t.db.case.update({ where: { id: caseA }, data: { lastOperatorMessageAt: null } });
    // The first unanswered household message counts: reset to the morning's only.
    await t.db.caseMessage.deleteMany({ where: { caseId: caseA, NOT: { text: XSS } } });
    const opA = await new Client().login(OP_A);
    const it_ = (await opA.get("/cases")).body;
    expect(it_).toContain("Adesso sono le <time");
    expect(it_).toContain("14/12/2026 15:45");
    expect(it_).toContain("15/12/2026 10:00");
    expect(it_).toContain("mancano 18 h 15 min");
    expect(it_).toContain('<span class="late">in ritardo di 94 h 45 min</span>');
    const en = (await opA.get("/cases?lang=en")).body;
    expect(en).toContain("18 h 15 min left");
    expect(en).toContain("overdue by 94 h 45 min");
    await opA.get("/cases?lang=it");
  });

  it("filters: mine, unassigned, urgent, waiting for us, waiting for the family", async () => {
    await t.db.case.update({ where: { id: caseLate }, data: { urgent: true, assignedStaffId: staff[OP_A] } });
    await t.db.case.update({ where: { id: caseA }, data: { assignedStaffId: null } });
    const family = await t.db.case.create({
      data: { householdId: householdA, topic: "other", status: "waiting_household" },
    });
    const opA = await new Client().login(OP_A);
    const ids = async (query: string) => listed((await opA.get(`/cases?${query}`)).body);
    expect(await ids("")).toEqual([caseLate, caseA, family.id]);
    expect(await ids("mine=1")).toEqual([caseLate]);
    expect(await ids("unassigned=1")).toEqual([caseA, family.id]);
    expect(await ids("urgent=1")).toEqual([caseLate]);
    expect(await ids("status=us")).toEqual([caseLate, caseA]);
    expect(await ids("status=family")).toEqual([family.id]);
    expect(await ids("status=family&urgent=1")).toEqual([]);
    expect(await ids("status=bogus&mine=yes")).toEqual([caseLate, caseA, family.id]);
    // The form is a plain GET form that shows what is applied.
    const page = (await opA.get("/cases?status=us&urgent=1")).body;
    expect(page).toContain('<form method="get" action="/cases"');
    expect(page).toContain('<option value="us" selected>');
    expect(page).toContain('id="filter-urgent" name="urgent" value="1" checked');
    await t.db.case.delete({ where: { id: family.id } });
    await t.db.case.update({ where: { id: caseLate }, data: { urgent: false, assignedStaffId: null } });
  });
});

describe("assigning", () => {
  it("to active staff of the household's office only; admins may also take it themselves", async () => {
    const opA = await new Client().login(OP_A);
    const toColleague = await opA.send(`/cases/${caseA}/assign`, { staffId: String(staff[OP_A2]) });
    expect(toColleague.statusCode).toBe(303);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: caseA } })).assignedStaffId).toBe(staff[OP_A2]);
    const audit = await t.db.auditLog.findFirstOrThrow({
      where: { action: "case.assigned", entityId: String(caseA) },
      orderBy: { id: "desc" },
    });
    expect(audit).toMatchObject({ actorId: String(staff[OP_A]), details: { staffId: staff[OP_A2] } });

    // The page offers the office's active staff only.
    const page = (await opA.get(`/cases/${caseA}`)).body;
    expect(page).toContain(`<option value="${staff[OP_A]}">`);
    expect(page).not.toContain(`<option value="${staff[OP_B]}">`);
    expect(page).not.toContain(`<option value="${staff[GONE_A]}">`);

    for (const who of [OP_B, GONE_A, ADMIN]) {
      const refused = await opA.send(`/cases/${caseA}/assign`, { staffId: String(staff[who]) });
      expect(refused.statusCode, who).toBe(400);
      expect(refused.body).toContain("Si può assegnare solo a chi lavora nell&#39;ufficio del nucleo");
    }
    expect((await opA.send(`/cases/${caseA}/assign`, { staffId: "abc" })).statusCode).toBe(400);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: caseA } })).assignedStaffId).toBe(staff[OP_A2]);

    const admin = await new Client().login(ADMIN);
    expect((await admin.send(`/cases/${caseA}/assign`, { staffId: String(staff[OP_B]) })).statusCode).toBe(
      400,
    );
    expect((await admin.send(`/cases/${caseA}/assign`, { staffId: String(staff[OP_A]) })).statusCode).toBe(
      303,
    );
    expect((await admin.send(`/cases/${caseA}/assign`, {})).statusCode).toBe(303);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: caseA } })).assignedStaffId).toBe(staff[ADMIN]);
  });
});

describe("private notes", () => {
  it("are in the thread, marked private, never sent, and in the household's own export", async () => {
    const opA = await new Client().login(OP_A);
    const outboundBefore = await t.db.outboundMessage.count();
    const empty = await opA.send(`/cases/${caseA}/notes`, { text: "  " });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain("La nota è vuota");
    const added = await opA.send(`/cases/${caseA}/notes`, { text: `Richiamare lunedì ${XSS}` });
    expect(added.headers.location).toBe(`/cases/${caseA}?notice=noted`);
    const page = (await opA.get(added.headers.location as string)).body;
    expect(page).toContain("Nota privata, non inviata al nucleo");
    expect(page).toContain("Richiamare lunedì &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page).not.toContain("<img src=x");
    expect(await t.db.outboundMessage.count()).toBe(outboundBefore);
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: "case.noted" } });
    expect(JSON.stringify(audit.details)).not.toContain("Richiamare");

    const readme = Object.fromEntries(EXPORT_README_KEYS.map((k) => [k, k])) as ExportReadme;
    const data = await exportMemberData(t.db, memberA, { clock, readme });
    expect(data.staffNotes).toEqual([
      expect.objectContaining({ caseId: caseA, text: `Richiamare lunedì ${XSS}`, role: "operator" }),
    ]);
    expect(JSON.stringify(data.staffNotes)).not.toContain("@");
    // The page a tenant reads, in their language, with the note as text.
    const readable = renderReadableExport(data, translator("en", "privacy"), "en");
    expect(readable).toContain("Programme notes on your conversations");
    expect(readable).toContain("Richiamare lunedì &lt;script&gt;");
    expect(readable).not.toContain("<img src=x");
    const arabic = renderReadableExport(data, translator("ar", "privacy"), "ar");
    expect(arabic).toContain("ملاحظات البرنامج على محادثاتك");
    expect(arabic).not.toMatch(/readable\.|privacy:/);
    // Another household's export has none of them.
    const other = await exportMemberData(t.db, memberB, { clock, readme });
    expect(other.staffNotes).toEqual([]);
  });
});

describe("snooze", () => {
  it("hides the case from the default view until the date, and a household message brings it back", async () => {
    const opA = await new Client().login(OP_A);
    for (const until of ["2026-12-13", "2027-06-30", "2026-02-30", "x"]) {
      const refused = await opA.send(`/cases/${caseA}/snooze`, { until });
      expect(refused.statusCode, until).toBe(400);
      expect(refused.body).toContain("Scegli un giorno futuro");
    }
    const snoozed = await opA.send(`/cases/${caseA}/snooze`, { until: "2026-12-21" });
    expect(snoozed.headers.location).toBe(`/cases/${caseA}?notice=snoozed`);
    const stored = await t.db.case.findUniqueOrThrow({ where: { id: caseA } });
    expect(stored.snoozedUntil?.toISOString()).toBe("2026-12-20T23:00:00.000Z"); // midnight in Rome
    const list = (await opA.get("/cases")).body;
    expect(listed(list)).toEqual([caseLate]);
    expect(waitingBadge(list)).toBe("1");
    expect(listed((await opA.get("/cases?status=snoozed")).body)).toEqual([caseA]);
    expect((await opA.get(`/cases/${caseA}`)).body).toContain("rimandata fino al 21/12/2026 00:00");

    await postHouseholdMessage(t.db, clock, { householdId: householdA, memberId: memberA, text: "Ci sono?" });
    expect((await t.db.case.findUniqueOrThrow({ where: { id: caseA } })).snoozedUntil).toBeNull();
    expect(listed((await opA.get("/cases")).body)).toContain(caseA);

    // Snoozed and woken by hand.
    await opA.send(`/cases/${caseA}/snooze`, { until: "2026-12-16" });
    const woken = await opA.send(`/cases/${caseA}/snooze`, { until: "" });
    expect(woken.headers.location).toBe(`/cases/${caseA}?notice=woken`);
    expect((await t.db.case.findUniqueOrThrow({ where: { id: caseA } })).snoozedUntil).toBeNull();
    const actions = await t.db.auditLog.findMany({
      where: { entityId: String(caseA), action: { in: ["case.snoozed", "case.unsnoozed"] } },
      orderBy: { id: "asc" },
    });
    expect(actions.map((a) => a.action)).toEqual(["case.snoozed", "case.snoozed", "case.unsnoozed"]);
  });
});

describe("saved replies", () => {
  it("are kept by coordinators and admins, per language, and refused to operators", async () => {
    const opA = await new Client().login(OP_A);
    expect((await opA.get("/saved-replies")).statusCode).toBe(403);
    expect((await opA.send("/saved-replies", { language: "en", title: "x", body: "y" })).statusCode).toBe(
      403,
    );
    expect((await opA.get("/cases")).body).not.toContain('href="/saved-replies"');

    const coord = await new Client().login(COORD_A);
    const bad = await coord.send("/saved-replies", { language: "de", title: "", body: "" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("Scegli una delle lingue.");
    expect(bad.body).toContain("Scrivi un titolo.");
    expect(await t.db.savedReply.count()).toBe(0);

    const created = await coord.send("/saved-replies", {
      language: "en",
      title: "Next installment <b>",
      body: "Your next installment is {{nextInstallmentAmount}}, due {{nextInstallmentDate}}. You owe {{arrears}}.",
    });
    expect(created.headers.location).toBe("/saved-replies?language=en&notice=created");
    await coord.send("/saved-replies", {
      language: "it",
      title: "Rata",
      body: "La rata è {{nextInstallmentAmount}}.",
    });
    const list = (await coord.get("/saved-replies?language=en")).body;
    expect(list).toContain("Next installment &lt;b&gt;");
    expect(list).not.toContain(">Rata<");
    const [en] = await t.db.savedReply.findMany({ where: { language: "en" } });
    expect((await coord.get(`/saved-replies/${en?.id}`)).body).toContain('<option value="en" selected>');
    const edited = await coord.send(`/saved-replies/${en?.id}`, {
      language: "en",
      title: "Next installment",
      body: en?.body ?? "",
    });
    expect(edited.statusCode).toBe(303);
    expect((await t.db.savedReply.findUniqueOrThrow({ where: { id: en?.id } })).title).toBe(
      "Next installment",
    );
    const audits = await t.db.auditLog.findMany({
      where: { entityType: "savedReply" },
      orderBy: { id: "asc" },
    });
    expect(audits.map((a) => a.action)).toEqual([
      "savedReply.created",
      "savedReply.created",
      "savedReply.updated",
    ]);
    expect((await coord.get("/saved-replies/999999")).statusCode).toBe(404);
  });

  it("fill the reply box, in the household's language, with its figures (no JS: ?saved=ID)", async () => {
    const plan = await t.db.repaymentPlan.create({ data: { householdId: householdA, planCode: "P-101" } });
    await t.db.installment.createMany({
      data: [
        {
          planId: plan.id,
          number: 1,
          dueDate: new Date("2026-11-30"),
          amountCents: 10_000,
          paidCents: 10_000,
        },
        { planId: plan.id, number: 2, dueDate: new Date("2026-12-31"), amountCents: 123_456 },
      ],
    });
    await t.db.arrearsBalance.create({
      data: {
        householdId: householdA,
        rentCents: 200_000,
        chargesCents: 5_050,
        balanceDate: new Date("2026-12-01"),
      },
    });
    const [en] = await t.db.savedReply.findMany({ where: { language: "en" } });
    const [it_] = await t.db.savedReply.findMany({ where: { language: "it" } });
    const opA = await new Client().login(OP_A);
    const page = (await opA.get(`/cases/${caseA}`)).body;
    // Household A speaks English: only the English reply is offered.
    expect(page).toContain(`<option value="${en?.id}">Next installment</option>`);
    expect(page).not.toContain(">Rata</option>");
    const filled = (await opA.get(`/cases/${caseA}?saved=${en?.id}`)).body;
    expect(filled).toContain(
      ">Your next installment is 1.234,56\u00a0€, due 31/12/2026. You owe 2.050,50\u00a0€.</textarea>",
    );
    // A reply of another language is not used on this case.
    expect((await opA.get(`/cases/${caseA}?saved=${it_?.id}`)).body).not.toContain("La rata è");

    // A household without a plan: the placeholder stays, and the page says what to fill in.
    const late = (await opA.get(`/cases/${caseLate}?saved=${it_?.id}`)).body;
    expect(late).toContain(">La rata è {{nextInstallmentAmount}}.</textarea>");
    expect(late).toContain("Alcuni dati del nucleo non ci sono ({{nextInstallmentAmount}})");
    expect(fillPlaceholders("{{ arrears }} {{unknown}}", { arrears: "1,00 €" })).toEqual({
      text: "1,00 € {{unknown}}",
      missing: ["unknown"],
    });

    const coord = await new Client().login(COORD_A);
    expect((await coord.send(`/saved-replies/${it_?.id}/delete`)).headers.location).toBe(
      "/saved-replies?notice=deleted",
    );
    expect(await t.db.savedReply.count({ where: { id: it_?.id } })).toBe(0);
    expect((await coord.send(`/saved-replies/${it_?.id}/delete`)).statusCode).toBe(404);
  });
});

describe("transfer", () => {
  it("moves the household to another office, clears its case worker and assignee, audited; operators cannot", async () => {
    await t.db.household.update({ where: { id: householdLate }, data: { caseWorkerId: staff[OP_A] } });
    await t.db.case.update({ where: { id: caseLate }, data: { assignedStaffId: staff[OP_A] } });
    const opA = await new Client().login(OP_A);
    expect((await opA.send(`/cases/${caseLate}/transfer`, { officeId: String(officeB) })).statusCode).toBe(
      403,
    );
    expect((await opA.get(`/cases/${caseLate}`)).body).not.toContain(`action="/cases/${caseLate}/transfer"`);

    const coord = await new Client().login(COORD_A);
    expect((await coord.get(`/cases/${caseLate}`)).body).toContain(
      `<option value="${officeB}">MN · Mantova</option>`,
    );
    expect((await coord.send(`/cases/${caseLate}/transfer`, { officeId: String(officeA) })).statusCode).toBe(
      400,
    );
    expect((await coord.send(`/cases/${caseLate}/transfer`, { officeId: "999999" })).statusCode).toBe(400);
    const moved = await coord.send(`/cases/${caseLate}/transfer`, { officeId: String(officeB) });
    expect(moved.headers.location).toBe("/cases?notice=transferred");
    const household = await t.db.household.findUniqueOrThrow({ where: { id: householdLate } });
    expect(household).toMatchObject({ officeId: officeB, caseWorkerId: null });
    expect((await t.db.case.findUniqueOrThrow({ where: { id: caseLate } })).assignedStaffId).toBeNull();
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: "case.transferred" } });
    expect(audit).toMatchObject({
      actorId: String(staff[COORD_A]),
      entityId: String(caseLate),
      details: { householdId: householdLate, fromOfficeId: officeA, toOfficeId: officeB },
    });
    // Now office B's: office A answers 404, office B sees it.
    expect((await coord.get(`/cases/${caseLate}`)).statusCode).toBe(404);
    expect((await opA.get(`/cases/${caseLate}`)).statusCode).toBe(404);
    const opB = await new Client().login(OP_B);
    expect(listed((await opB.get("/cases")).body)).toContain(caseLate);
  });
});

// Delivery problems in the admin panel (Fastify's inject, real PostgreSQL and Redis): the /deliveries
// page for coordinators and admins, sending an uncertain message again from it, and unreachable
// members on the households list.

import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { fixedClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import type { DeliveryStatus } from "../core/db/client.ts";
import { createLogger } from "../core/logger.ts";
import { createDeliveryQueue, type DeliveryQueue } from "../core/queues/delivery.ts";
import { createRedis } from "../core/queues/redis.ts";
import { upsertStaff } from "../core/staff.ts";
import { csrfOf, StaffClient } from "./support/admin-client.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";
import { testOffice } from "./support/offices.ts";

const PASSWORD = "correct horse battery staple";
const OPERATOR = "operatrice@example.org";
const COORDINATOR = "coordinatore@example.org";
const ADMIN = "admin@example.org";
/** In every message text: it must never reach a page. */
const SECRET = "TESTO-PERSONALE";

let t: TestDatabase;
let app: FastifyInstance;
let redis: Redis;
let deliveryQueue: DeliveryQueue;
const clock = fixedClock(new Date("2026-11-27T10:00:00Z"));
const member: Record<string, number> = {};

/** The admin panel under test, as a browser sees it. */
class Client extends StaffClient {
  constructor() {
    super(() => app, PASSWORD);
  }
}

const signedIn = (email: string) => new Client().login(email);

/** The text of a piece of markup, as a person reads it. */
function text(markup: string): string {
  return markup
    .replace(/<[^>]+>/g, "")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&amp;", "&")
    .trim();
}

/** The rows of the page's tables, each as its cells' texts. */
function rows(markup: string): string[][] {
  return [...markup.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...(row[1] ?? "").matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((cell) => text(cell[1] ?? "")),
  );
}

/** The counts table: status label → [last 7 days, all kept]. */
function counts(markup: string): Record<string, [number, number]> {
  const table = markup.slice(0, markup.indexOf("<h2>"));
  return Object.fromEntries(
    rows(table)
      .slice(1)
      .map((cells) => [cells[0], [Number(cells[1]), Number(cells[2])]]),
  );
}

/** The problem list: [when, kind, recipient, status, error] per message, in page order. */
function problems(markup: string): string[][] {
  return problemRows(markup).map((cells) => cells.slice(0, 5));
}

/** The problem list with every cell: […, message number, action]. */
function problemRows(markup: string): string[][] {
  return rows(markup.slice(markup.indexOf("<h2>"))).slice(1);
}

async function message(
  purpose: string,
  status: DeliveryStatus,
  createdAt: string,
  options: { memberId?: number | null; lastError?: string | null } = {},
): Promise<void> {
  await t.db.outboundMessage.create({
    data: {
      purpose,
      status,
      createdAt: new Date(createdAt),
      memberId: options.memberId ?? null,
      chatId: BigInt(options.memberId ?? -100_123),
      text: `${SECRET} ${purpose}`,
      lastError: options.lastError ?? null,
    },
  });
}

async function household(contractCode: string, name: string): Promise<number> {
  const row = await t.db.household.create({
    data: {
      contractCode,
      name,
      fiscalCode: `FC${contractCode}`,
      municipality: "Brescia",
      address: "Via Roma 1",
    },
  });
  await testOffice(t.db);
  return row.id;
}

async function addMember(
  key: string,
  householdId: number | null,
  state: { linked?: boolean; unreachable?: boolean },
): Promise<void> {
  const telegramUserId = BigInt(7000 + Object.keys(member).length);
  const row = await t.db.member.create({
    data: {
      telegramUserId,
      chatId: telegramUserId,
      householdId,
      linkedAt: state.linked ? new Date("2026-10-01T08:00:00Z") : null,
      consentAt: new Date("2026-10-01T08:00:00Z"),
      unreachableAt: state.unreachable ? new Date("2026-11-20T08:00:00Z") : null,
    },
  });
  member[key] = row.id;
}

beforeAll(async () => {
  t = await createTestDatabase();
  await upsertStaff(t.db, {
    email: OPERATOR,
    role: "operator",
    password: PASSWORD,
    officeId: await testOffice(t.db),
  });
  await upsertStaff(t.db, {
    email: COORDINATOR,
    role: "coordinator",
    password: PASSWORD,
    officeId: await testOffice(t.db),
  });
  await upsertStaff(t.db, { email: ADMIN, role: "admin", password: PASSWORD });

  const rossi = await household("AC-000001", "Famiglia Rossi");
  const bianchi = await household("AC-000002", "Famiglia Bianchi");
  const verdi = await household("AC-000003", "Famiglia Verdi");
  await addMember("rossiOk", rossi, { linked: true });
  await addMember("rossiBlocked", rossi, { linked: true, unreachable: true });
  // Blocked the bot but no longer linked: not one of the household's linked members.
  await addMember("rossiFormer", rossi, { unreachable: true });
  await addMember("bianchi", bianchi, { linked: true });
  await addMember("verdi1", verdi, { linked: true, unreachable: true });
  await addMember("verdi2", verdi, { linked: true, unreachable: true });
  await addMember("unlinked", null, {});

  // "Recent" is from 2026-11-20T10:00Z (7 days before the clock).
  await message("linked:1", "sent", "2026-11-26T09:00:00Z", { memberId: member.rossiOk });
  await message("linked:2", "sent", "2026-11-25T09:00:00Z", { memberId: member.bianchi });
  await message("reminder:inst-due:1:1", "sent", "2026-11-21T09:00:00Z", { memberId: member.rossiOk });
  await message("reminder:inst-due:0:1", "sent", "2026-11-01T09:00:00Z", { memberId: member.rossiOk });
  await message("broadcast:2:4", "queued", "2026-11-27T09:55:00Z", { memberId: member.bianchi });
  await message("broadcast:2:1", "sending", "2026-11-27T09:59:00Z", { memberId: member.rossiOk });
  await message("broadcast:1:4", "cancelled", "2026-11-10T09:00:00Z", { memberId: member.bianchi });
  await message("broadcast:3:2", "unreachable", "2026-11-27T09:30:00Z", {
    memberId: member.rossiBlocked,
    lastError: "403 Forbidden: bot was blocked by the user",
  });
  await message("reminder:inst-due:2:1", "failed", "2026-11-26T08:00:00Z", {
    memberId: member.rossiOk,
    lastError: "400 Bad Request: can't parse entities <b>",
  });
  await message("ops:case:1:opened", "uncertain", "2026-11-25T12:00:00Z", {
    lastError: "the worker stopped while sending",
  });
  await message("case-reply:9:7", "failed", "2026-10-01T07:00:00Z", {
    memberId: member.unlinked,
    lastError: "400 Bad Request: chat not found",
  });
  await message("linked:5", "unreachable", "2026-10-20T10:00:00Z", {
    memberId: member.verdi1,
    lastError: "403 Forbidden: user is deactivated",
  });
  await message("mystery:1:6", "uncertain", "2026-09-15T16:00:00Z", { memberId: member.verdi2 });

  redis = createRedis("redis://127.0.0.1:6379");
  deliveryQueue = createDeliveryQueue(redis, testQueuePrefix());
  app = createAdminServer({
    config: loadConfig({ DATABASE_URL: t.url }),
    logger: createLogger({ level: "silent" }),
    db: t.db,
    clock,
    deliveryQueue,
  });
});

afterAll(async () => {
  await app?.close();
  await deliveryQueue?.obliterate({ force: true });
  await deliveryQueue?.close();
  await redis?.quit();
  await t?.drop();
});

describe("the deliveries page", () => {
  it("is for coordinators and admins: visitors log in first, operators are refused", async () => {
    const visitor = await new Client().get("/deliveries");
    expect(visitor.statusCode).toBe(303);
    expect(visitor.headers.location).toBe(`/login?next=${encodeURIComponent("/deliveries")}`);

    const operator = await signedIn(OPERATOR);
    const refused = await operator.get("/deliveries");
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain("Accesso non consentito");
    expect(refused.body).not.toContain(SECRET);
    expect(refused.body).not.toContain("broadcast");
    expect((await operator.get("/deliveries?status=failed")).statusCode).toBe(403);
    // No link to a page they cannot open.
    expect((await operator.get("/households")).body).not.toContain('href="/deliveries"');

    for (const email of [COORDINATOR, ADMIN]) {
      const client = await signedIn(email);
      const page = await client.get("/deliveries");
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('href="/deliveries" aria-current="page">Invio messaggi</a>');
      expect((await client.get("/households")).body).toContain('href="/deliveries">Invio messaggi</a>');
    }
  });

  it("counts messages by status, overall and for the last 7 days", async () => {
    const page = await (await signedIn(COORDINATOR)).get("/deliveries");
    expect(counts(page.body)).toEqual({
      "In coda": [1, 1],
      "In invio": [1, 1],
      Inviato: [3, 4],
      "Non riuscito": [1, 2],
      "Non raggiungibile": [1, 2],
      "Esito incerto": [1, 2],
      Annullato: [0, 1],
    });
    expect(page.body).toContain("Ultimi 7 giorni");
  });

  it("lists the problem messages, latest first, with kind, recipient and Telegram's error, never the text", async () => {
    const page = await (await signedIn(COORDINATOR)).get("/deliveries");
    expect(problems(page.body)).toEqual([
      [
        "27/11/2026 10:30",
        "Comunicazione",
        "AC-000001",
        "Non raggiungibile",
        "403 Forbidden: bot was blocked by the user",
      ],
      [
        "26/11/2026 09:00",
        "Promemoria",
        "AC-000001",
        "Non riuscito",
        "400 Bad Request: can't parse entities <b>",
      ],
      [
        "25/11/2026 13:00",
        "Avviso al gruppo operatori",
        "Gruppo degli operatori",
        "Esito incerto",
        "the worker stopped while sending",
      ],
      [
        "20/10/2026 12:00",
        "Conferma del collegamento",
        "AC-000003",
        "Non raggiungibile",
        "403 Forbidden: user is deactivated",
      ],
      [
        "01/10/2026 09:00",
        "Risposta del personale",
        `membro n. ${member.unlinked} (non più collegato)`,
        "Non riuscito",
        "400 Bad Request: chat not found",
      ],
      // A kind without a label of its own is shown as it is.
      ["15/09/2026 18:00", "mystery", "AC-000003", "Esito incerto", "—"],
    ]);
    expect(page.body).toContain("6 messaggi");
    // Telegram's error text is escaped, the household links to its row, and no text is shown.
    expect(page.body).toContain("can&#39;t parse entities &lt;b&gt;");
    expect(page.body).toContain('<a href="/households?q=AC-000001">AC-000001</a>');
    expect(page.body).not.toContain(SECRET);
    expect(page.body).not.toContain("Famiglia");
  });

  it("narrows the list to one problem status, and ignores a status that is not one", async () => {
    const client = await signedIn(ADMIN);
    const uncertain = await client.get("/deliveries?status=uncertain");
    expect(problems(uncertain.body).map((row) => row[3])).toEqual(["Esito incerto", "Esito incerto"]);
    expect(uncertain.body).toContain(
      '<a href="/deliveries?status=uncertain" aria-current="page">Esito incerto</a>',
    );
    expect(uncertain.body).toContain("2 messaggi");

    for (const bad of ["sent", "abc", "", "failed%27%20OR%201%3D1"]) {
      const page = await client.get(`/deliveries?status=${bad}`);
      expect(page.statusCode).toBe(200);
      expect(problems(page.body)).toHaveLength(6);
      expect(page.body).toContain('<a href="/deliveries" aria-current="page">Tutti i problemi</a>');
    }
    const many = await client.get("/deliveries?status=failed&status=uncertain");
    expect(many.statusCode).toBe(200);
    expect(problems(many.body)).toHaveLength(6);
  });

  it("speaks English on request", async () => {
    const page = await (await signedIn(COORDINATOR)).get("/deliveries?lang=en");
    expect(page.body).toContain("<h1>Message delivery</h1>");
    expect(counts(page.body)).toMatchObject({ Queued: [1, 1], Unreachable: [1, 2], Uncertain: [1, 2] });
    expect(page.body).toContain("Last 7 days");
    const list = problems(page.body);
    expect(list[0]).toEqual([
      "27/11/2026 10:30",
      "Announcement",
      "AC-000001",
      "Unreachable",
      "403 Forbidden: bot was blocked by the user",
    ]);
    expect(list.map((row) => row[2])).toContain("Operators' group");
    expect(list.map((row) => row[2])).toContain(`member no. ${member.unlinked} (no longer linked)`);
    expect(page.body).toContain("6 messages");
  });

  it("shows 100 problems a page, and handles page numbers that are not pages", async () => {
    // 150 more failures, older than all the others.
    await t.db.outboundMessage.createMany({
      data: Array.from({ length: 150 }, (_, i) => ({
        purpose: `reminder:course-eve:${i}:${member.bianchi}`,
        status: "failed" as const,
        createdAt: new Date(Date.UTC(2026, 7, 1, 8, i)),
        memberId: member.bianchi,
        chatId: 1n,
        text: SECRET,
        lastError: "400 Bad Request: message is too long",
      })),
    });
    const client = await signedIn(COORDINATOR);
    const first = await client.get("/deliveries");
    expect(problems(first.body)).toHaveLength(100);
    expect(first.body).toContain("156 messaggi");
    expect(first.body).toContain("Pagina 1 di 2");
    expect(first.body).toContain('href="/deliveries?page=2" rel="next"');
    expect(problems(first.body)[0]?.[0]).toBe("27/11/2026 10:30");

    const second = await client.get("/deliveries?page=2");
    expect(problems(second.body)).toHaveLength(56);
    expect(problems(second.body).at(-1)?.[0]).toBe("01/08/2026 10:00");
    expect(second.body).toContain('href="/deliveries" rel="prev"');

    for (const bad of ["-1", "0", "abc", "1.5", "99999999999"]) {
      const page = await client.get(`/deliveries?page=${bad}`);
      expect(page.statusCode, bad).toBe(200);
      expect(page.body, bad).toContain("Pagina 1 di 2");
    }
    // Past the end: the last page.
    expect((await client.get("/deliveries?page=9")).body).toContain("Pagina 2 di 2");

    const failed = await client.get("/deliveries?status=failed&page=2");
    expect(failed.body).toContain("152 messaggi");
    expect(problems(failed.body)).toHaveLength(52);
    expect(failed.body).toContain('href="/deliveries?status=failed" rel="prev"');
    expect(failed.body).not.toContain(SECRET);
    await t.db.outboundMessage.deleteMany({ where: { purpose: { startsWith: "reminder:course-eve:" } } });
  });
});

describe("unreachable members on the households list", () => {
  /** The members cell of each household row, by contract code. */
  function membersCells(markup: string): Record<string, string> {
    return Object.fromEntries(
      rows(markup)
        .slice(1)
        .map((cells) => [cells[0], cells[6]]),
    );
  }

  it("shows, next to the linked members, how many are unreachable, with a mark", async () => {
    const client = await signedIn(OPERATOR);
    const page = await client.get("/households");
    expect(membersCells(page.body)).toEqual({
      "AC-000001": "2 · ⚠ 1 non raggiungibile",
      "AC-000002": "1",
      "AC-000003": "2 · ⚠ 2 non raggiungibili",
    });
    expect(page.body).toContain(
      '<strong class="warn"><span aria-hidden="true">⚠</span> 1 non raggiungibile</strong>',
    );
    expect(page.body).toContain('href="/households?unreachable=1"');

    const english = await client.get("/households?lang=en");
    expect(membersCells(english.body)["AC-000003"]).toBe("2 · ⚠ 2 unreachable");
    expect(english.body).toContain("Only households with members unreachable on Telegram");
  });

  it("filters to households with unreachable members, also within a search", async () => {
    const client = await signedIn(OPERATOR);
    const only = await client.get("/households?unreachable=1");
    expect(Object.keys(membersCells(only.body))).toEqual(["AC-000001", "AC-000003"]);
    expect(only.body).toContain("Nuclei familiari trovati: 2");
    // The search keeps the filter, and the way back is offered.
    expect(only.body).toContain('<input type="hidden" name="unreachable" value="1">');
    expect(only.body).toContain('<a href="/households">Mostra tutti i nuclei</a>');

    const searched = await client.get("/households?unreachable=1&q=verdi");
    expect(Object.keys(membersCells(searched.body))).toEqual(["AC-000003"]);
    expect(searched.body).toContain('<a href="/households?q=verdi">Mostra tutti i nuclei</a>');
    const none = await client.get("/households?unreachable=1&q=bianchi");
    expect(none.body).toContain("Nessun nucleo familiare corrisponde a «bianchi»");
  });

  it("treats other values of ?unreachable= and bad pages as no filter and the first page", async () => {
    const client = await signedIn(OPERATOR);
    for (const query of [
      "unreachable=abc",
      "unreachable=",
      "unreachable=0",
      "unreachable=1&page=-1",
      "page=abc",
    ]) {
      const page = await client.get(`/households?${query}`);
      expect(page.statusCode, query).toBe(200);
      const listed = Object.keys(membersCells(page.body));
      expect(listed, query).toEqual(
        query.startsWith("unreachable=1")
          ? ["AC-000001", "AC-000003"]
          : ["AC-000001", "AC-000002", "AC-000003"],
      );
    }
  });

  it("keeps the filter across pages", async () => {
    const many = 55;
    await t.db.household.createMany({
      data: Array.from({ length: many }, (_, i) => ({
        contractCode: `CR-${String(i + 1).padStart(6, "0")}`,
        name: `Famiglia Neri ${i + 1}`,
        fiscalCode: `NRI${i}`,
        municipality: "Cremona",
        address: "Via Verdi 1",
      })),
    });
    await testOffice(t.db);
    const ids = await t.db.household.findMany({
      where: { contractCode: { startsWith: "CR-" } },
      select: { id: true },
    });
    await t.db.member.createMany({
      data: ids.map((h, i) => ({
        telegramUserId: BigInt(9000 + i),
        chatId: BigInt(9000 + i),
        householdId: h.id,
        linkedAt: new Date("2026-10-01T08:00:00Z"),
        unreachableAt: new Date("2026-11-01T08:00:00Z"),
      })),
    });
    const client = await signedIn(OPERATOR);
    const first = await client.get("/households?unreachable=1");
    expect(first.body).toContain("Nuclei familiari trovati: 57");
    expect(first.body).toContain('href="/households?unreachable=1&amp;page=2" rel="next"');
    const second = await client.get("/households?unreachable=1&page=2");
    expect(Object.keys(membersCells(second.body))).toHaveLength(7);
    expect(second.body).toContain('href="/households?unreachable=1" rel="prev"');
  });
});

describe("sending an uncertain message again", () => {
  const uncertainId = async (purpose: string) =>
    (await t.db.outboundMessage.findUniqueOrThrow({ where: { purpose } })).id;
  const resendAudits = (id: number) =>
    t.db.auditLog.findMany({
      where: { action: "delivery.resent_after_uncertain", entityId: String(id) },
    });
  const jobsOf = async (id: number) =>
    (await deliveryQueue.getJobs(["waiting", "delayed", "active", "completed", "failed"]))
      .filter((job) => job.data.outboundMessageId === id)
      .map((job) => job.id);

  it("offers a button on uncertain rows only, with the message number and the CSRF token, never the text", async () => {
    const client = await signedIn(COORDINATOR);
    const page = await client.get("/deliveries");
    const id = await uncertainId("ops:case:1:opened");
    const list = problemRows(page.body);
    const uncertain = list.filter((cells) => cells[3] === "Esito incerto");
    expect(uncertain.map((cells) => cells.slice(5))).toEqual([
      [String(id), `Invia di nuovo (messaggio n. ${id})`],
      [String(await uncertainId("mystery:1:6")), expect.stringContaining("Invia di nuovo")],
    ]);
    for (const cells of list.filter((c) => c[3] !== "Esito incerto")) expect(cells[6]).toBe("");
    expect(page.body).toMatch(
      new RegExp(
        `<form method="post" action="/deliveries/${id}/resend"><input type="hidden" name="_csrf" value="[^"]+">`,
      ),
    );
    expect(page.body).toContain("Rimandati dopo un esito incerto");
    expect(page.body).not.toContain(SECRET);
  });

  it("refuses a post without the CSRF token, and operators, and changes nothing", async () => {
    const id = await uncertainId("ops:case:1:opened");
    const coordinator = await signedIn(COORDINATOR);
    const noToken = await coordinator.post(`/deliveries/${id}/resend`, {});
    expect(noToken.statusCode).toBe(403);
    const wrongToken = await coordinator.post(`/deliveries/${id}/resend`, { _csrf: "not-the-token" });
    expect(wrongToken.statusCode).toBe(403);

    const operator = await signedIn(OPERATOR);
    const operatorToken = csrfOf((await operator.get("/households")).body);
    const refused = await operator.post(`/deliveries/${id}/resend`, { _csrf: operatorToken });
    expect(refused.statusCode).toBe(403);
    const visitor = await new Client().post(`/deliveries/${id}/resend`, { _csrf: "x" });
    expect(visitor.statusCode).toBe(303);
    expect(visitor.headers.location).toBe("/login");

    const stored = await t.db.outboundMessage.findUniqueOrThrow({ where: { id } });
    expect([stored.status, stored.uncertainResends]).toEqual(["uncertain", 0]);
    expect(await resendAudits(id)).toHaveLength(0);
    expect(await jobsOf(id)).toEqual([]);
  });

  it("queues it once through the delivery queue, audited, even when the button is pressed twice", async () => {
    const id = await uncertainId("ops:case:1:opened");
    const client = await signedIn(COORDINATOR);
    const token = csrfOf((await client.get("/deliveries?status=uncertain")).body);
    // Two presses at the same moment, then a third one later.
    const [a, b] = await Promise.all([
      client.post(`/deliveries/${id}/resend`, { _csrf: token }),
      client.post(`/deliveries/${id}/resend`, { _csrf: token }),
    ]);
    const third = await client.post(`/deliveries/${id}/resend`, { _csrf: token });
    const locations = [a, b, third].map((r) => [r.statusCode, r.headers.location]);
    expect(locations.filter(([, l]) => l === "/deliveries?status=uncertain&notice=resent")).toHaveLength(1);
    expect(
      locations.filter(([, l]) => l === "/deliveries?status=uncertain&notice=not_uncertain"),
    ).toHaveLength(2);
    expect(locations.every(([code]) => code === 303)).toBe(true);

    const stored = await t.db.outboundMessage.findUniqueOrThrow({ where: { id } });
    expect([stored.status, stored.uncertainResends]).toEqual(["queued", 1]);
    expect(await jobsOf(id)).toEqual([`message-${id}-resend-1`]);
    const staff = await t.db.staff.findUniqueOrThrow({ where: { email: COORDINATOR } });
    const audits = await resendAudits(id);
    expect(audits.map((e) => [e.actorType, e.actorId, e.entityType, e.details])).toEqual([
      ["staff", String(staff.id), "outbound_message", { kind: "ops:case", resends: 1, by: "staff" }],
    ]);

    const after = await client.get("/deliveries?status=uncertain&notice=resent");
    expect(after.body).toContain("Il messaggio è di nuovo in coda");
    expect(problemRows(after.body).map((cells) => cells[5])).not.toContain(String(id));
    const again = await client.get("/deliveries?status=uncertain&notice=not_uncertain&lang=en");
    expect(again.body).toContain("The message is no longer uncertain");
  });

  it("answers a message that is not there with a clear page, for admins too", async () => {
    const client = await signedIn(ADMIN);
    const token = csrfOf((await client.get("/deliveries")).body);
    for (const id of ["999999", "abc", "0", "-1"]) {
      const answer = await client.post(`/deliveries/${id}/resend`, { _csrf: token });
      expect(answer.statusCode, id).toBe(404);
    }
    const sent = await t.db.outboundMessage.findUniqueOrThrow({ where: { purpose: "linked:1" } });
    const notUncertain = await client.post(`/deliveries/${sent.id}/resend`, { _csrf: token });
    expect(notUncertain.headers.location).toBe("/deliveries?status=uncertain&notice=not_uncertain");
    expect((await t.db.outboundMessage.findUniqueOrThrow({ where: { id: sent.id } })).status).toBe("sent");
  });
});

// The cases pages of the admin panel (Fastify's inject) against the harness's database, bot and
// delivery worker: an operator's reply reaches the household's chats through the real queue.

import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { MAX_REPLY_LENGTH } from "../core/cases.ts";
import { loadConfig } from "../core/config.ts";
import { translator } from "../core/i18n.ts";
import { createLogger } from "../core/logger.ts";
import { saveOffice } from "../core/offices/offices.ts";
import { renderReadableExport } from "../core/privacy/readable-export.ts";
import { EXPORT_README_KEYS, type ExportReadme, exportMemberData } from "../core/privacy.ts";
import { upsertStaff } from "../core/staff.ts";
import { AdminClient, csrfOf } from "./support/admin-client.ts";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";
import type { SandboxUser, TranscriptEntry } from "./support/sandbox-user.ts";

const PASSWORD = "correct horse battery staple";
const OPERATOR = "laura.verdi@aler.example";
const COORDINATOR = "coordinatore@aler.example";
const CONTRACT = "AC-000001";

let h: BotHarness;
let app: FastifyInstance;
let maria: SandboxUser;
let john: SandboxUser;
let caseId: number;
/** The office of Brescia and Cremona, where the staff of this file work. */
let officeId: number;
/** The operator's reply as Maria received it, with its close button. */
let operatorReply: TranscriptEntry;

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

/** The order in which case links appear on the list page. */
function listedCaseIds(body: string): number[] {
  return [...body.matchAll(/href="\/cases\/(\d+)"/g)].map((m) => Number(m[1]));
}

async function operatorMessages(): Promise<number> {
  return h.db.caseMessage.count({ where: { caseId, author: "operator" } });
}

beforeAll(async () => {
  h = await startBotHarness();
  app = createAdminServer({
    config: loadConfig({ DATABASE_URL: h.database.url }),
    logger: createLogger({ level: "silent" }),
    db: h.db,
    clock: { now: () => new Date() },
    deliveryQueue: h.deliveryQueue,
  });
  officeId = (await saveOffice(h.db, { code: "BS", name: "Brescia", municipalities: ["Brescia", "Cremona"] }))
    .officeId;
  await upsertStaff(h.db, {
    email: OPERATOR,
    role: "operator",
    password: PASSWORD,
    firstName: "Laura",
    officeId,
  });
  await upsertStaff(h.db, { email: COORDINATOR, role: "coordinator", password: PASSWORD, officeId });

  // A household writes to a person through the bot, as it would.
  maria = await h.linkedUser(CONTRACT, { firstName: "Maria", language: "it" });
  john = await h.linkedUser(CONTRACT, { firstName: "John", language: "en" });
  const menu = await maria.ask("/operator");
  await maria.press(menu.message_id, "op:topic:debt");
  await maria.replies(1);
  const opened = await maria.ask("Vorrei cambiare la rata <script>alert(1)</script>");
  expect(opened.text).toContain("Messaggio inviato");
  const household = await h.db.household.findUniqueOrThrow({ where: { contractCode: CONTRACT } });
  // Households made here after the office was saved: the office's, as an import would make them.
  await h.db.household.update({ where: { id: household.id }, data: { officeId } });
  caseId = (await h.db.case.findFirstOrThrow({ where: { householdId: household.id } })).id;
}, 60_000);

afterAll(async () => {
  await app?.close();
  await h?.close();
});

describe("the cases list", () => {
  it("is for signed-in staff only", async () => {
    const response = await new Client().get("/cases");
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/login?next=${encodeURIComponent("/cases")}`);
  });

  it("lists open and waiting cases, those to answer first, urgent first, then the nearest deadline, without personal data or texts", async () => {
    const other = await h.household("AC-000002");
    const third = await h.household("AC-000003");
    const closedOne = await h.household("AC-000004");
    await h.db.household.updateMany({ where: { officeId: null }, data: { officeId } });
    const older = await h.db.case.create({
      data: { householdId: other, topic: "isee", openedAt: new Date("2026-01-05T09:00:00Z") },
    });
    const urgent = await h.db.case.create({
      data: { householdId: third, topic: "other", urgent: true, status: "waiting_household" },
    });
    const closed = await h.db.case.create({
      data: { householdId: closedOne, topic: "other", status: "closed" },
    });

    const client = new Client();
    await client.login(OPERATOR);
    const page = await client.get("/cases");
    expect(page.statusCode).toBe(200);
    // To answer first (the one with a household message has a deadline), then waiting for the family.
    expect(listedCaseIds(page.body)).toEqual([caseId, older.id, urgent.id]);
    expect(listedCaseIds(page.body)).not.toContain(closed.id);
    expect(page.body).toContain(CONTRACT);
    expect(page.body).toContain("Debito e piano di rientro");
    expect(page.body).toContain("Urgente");
    expect(page.body).toContain('aria-current="page">Conversazioni');
    expect(page.body).not.toContain("TSTFML80A01B157X"); // the fiscal code
    expect(page.body).not.toContain("Vorrei cambiare la rata");

    const english = await client.get("/cases?lang=en");
    expect(english.body).toContain("Conversations with households");
    expect(english.body).toContain("Debt and repayment plan");
    await client.get("/cases?lang=it");

    // Coordinators see them too.
    const coordinator = new Client();
    await coordinator.login(COORDINATOR);
    expect((await coordinator.get("/cases")).statusCode).toBe(200);
    await h.db.case.deleteMany({ where: { id: { in: [older.id, urgent.id, closed.id] } } });
  });
});

describe("one case", () => {
  it("shows the conversation with the household's text escaped, and a reply form", async () => {
    const client = new Client();
    await client.login(OPERATOR);
    const page = await client.get(`/cases/${caseId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Vorrei cambiare la rata &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page.body).not.toContain("<script>alert(1)");
    const member = await h.db.member.findUniqueOrThrow({ where: { telegramUserId: BigInt(maria.id) } });
    expect(page.body).toContain(
      member.firstName ? `Nucleo · ${member.firstName}` : `Nucleo · membro n. ${member.id}`,
    );
    expect(page.body).toContain(`action="/cases/${caseId}/reply"`);
    expect(page.body).toContain(`maxlength="${MAX_REPLY_LENGTH}"`);
    // What the operator needs to answer well: the household's language and each member's, who
    // Telegram reaches, the contact details for another way, and the signature the household reads.
    expect(page.body).toContain("Lingua del nucleo");
    expect(page.body).toContain('Maria · <span lang="it">Italiano</span>');
    expect(page.body).toContain('John · inglese (<span lang="en">English</span>)');
    expect(page.body).toContain("Via Roma 1, Brescia");
    expect(page.body).toContain("nessun telefono nel file");
    expect(page.body).toContain("persone collegate del nucleo (2), firmata «Laura»");
    expect((await client.get("/cases/abc")).statusCode).toBe(404);
    expect((await client.get("/cases/999999")).statusCode).toBe(404);
  });

  it("refuses a reply without the CSRF token, an empty one and a too long one, changing nothing", async () => {
    const client = new Client();
    const csrf = await client.login(OPERATOR);
    expect((await client.post(`/cases/${caseId}/reply`, { text: "Buongiorno" })).statusCode).toBe(403);

    const empty = await client.post(`/cases/${caseId}/reply`, { _csrf: csrf, text: "   \r\n" });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain("La risposta è vuota");

    const long = "a".repeat(MAX_REPLY_LENGTH + 1);
    const tooLong = await client.post(`/cases/${caseId}/reply`, { _csrf: csrf, text: long });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.body).toContain(
      `al massimo ${MAX_REPLY_LENGTH} caratteri, ora sono ${MAX_REPLY_LENGTH + 1}`,
    );
    expect(tooLong.body).toContain(`>${long}</textarea>`); // what was typed is not lost

    expect(await operatorMessages()).toBe(0);
    expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).status).toBe("open");
    expect(await h.db.outboundMessage.count({ where: { purpose: { startsWith: "case-" } } })).toBe(0);
    expect(await maria.quietFor(300)).toEqual([]);
  });

  it("sends a reply to every linked member, in their language, through the delivery queue", async () => {
    const client = new Client();
    const csrf = await client.login(OPERATOR);
    const text = "Buongiorno Maria,\r\npossiamo vederci martedì <alle 10> & parlarne.";
    const response = await client.post(`/cases/${caseId}/reply`, { _csrf: csrf, text });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/cases/${caseId}?notice=sent&n=2`);

    const [it_] = await maria.replies(1);
    operatorReply = it_ as TranscriptEntry;
    expect(it_?.text).toContain("Messaggio da chi ti segue nel programma:");
    expect(it_?.text).toContain("Buongiorno Maria,\npossiamo vederci martedì <alle 10> & parlarne.");
    expect(it_?.text).toContain("— Laura");
    expect(it_?.reply_markup?.inline_keyboard?.flat().map((b) => b.callback_data)).toEqual([
      `op:close:${caseId}`,
    ]);
    const [en] = await john.replies(1);
    expect(en?.text).toContain("Message from your case worker:");
    expect(en?.text).toContain("possiamo vederci martedì <alle 10> & parlarne.");

    const page = await client.get(response.headers.location as string);
    expect(page.body).toContain("Membri del nucleo che la ricevono su Telegram: 2.");
    expect(page.body).toContain("possiamo vederci martedì &lt;alle 10&gt; &amp; parlarne.");
    expect(page.body).toContain("Operatore · Laura");

    const stored = await h.db.case.findUniqueOrThrow({ where: { id: caseId } });
    expect(stored.status).toBe("waiting_household");
    expect(stored.lastOperatorMessageAt).not.toBeNull();
    const staff = await h.db.staff.findUniqueOrThrow({ where: { email: OPERATOR } });
    expect(stored.assignedStaffId).toBe(staff.id);
    const audit = await h.db.auditLog.findFirstOrThrow({ where: { action: "case.replied" } });
    expect(audit).toMatchObject({ actorType: "staff", actorId: String(staff.id), entityId: String(caseId) });
    expect(JSON.stringify(audit)).not.toContain("martedì");

    // A double submit is one reply, and nobody gets it twice.
    await client.post(`/cases/${caseId}/reply`, { _csrf: csrf, text });
    expect(await operatorMessages()).toBe(1);
    expect(await maria.quietFor(800)).toEqual([]);

    // The household answers: the case is the operators' turn again.
    const ack = await maria.ask("Va bene martedì, grazie");
    expect(ack.text).toContain("Passato al programma");
    expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).status).toBe("open");
  });

  it("assigns to the coordinator who asks, then closes and tells the household", async () => {
    const client = new Client();
    const csrf = await client.login(COORDINATOR);
    const assigned = await client.post(`/cases/${caseId}/assign`, { _csrf: csrf });
    expect(assigned.statusCode).toBe(303);
    const coordinator = await h.db.staff.findUniqueOrThrow({ where: { email: COORDINATOR } });
    expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).assignedStaffId).toBe(
      coordinator.id,
    );
    expect((await client.get(assigned.headers.location as string)).body).toContain(
      "Ora la conversazione è in carico a te",
    );

    // Closing asks first, saying who will be told; nothing is closed by the question.
    const casePageBody = (await client.get(`/cases/${caseId}`)).body;
    expect(casePageBody).toContain(`href="/cases/${caseId}/close"`);
    const question = await client.get(`/cases/${caseId}/close`);
    expect(question.statusCode).toBe(200);
    expect(question.body).toContain(`Chiudere la conversazione n. ${caseId}?`);
    expect(question.body).toContain("Le 2 persone collegate del nucleo ricevono un avviso su Telegram.");
    expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).status).not.toBe("closed");

    // Without an outcome (or with one that does not exist): asked again, nothing closed.
    for (const outcome of [undefined, "forgotten"]) {
      const unsure = await client.post(`/cases/${caseId}/close`, {
        _csrf: csrf,
        ...(outcome ? { outcome } : {}),
      });
      expect(unsure.statusCode).toBe(400);
      expect(unsure.body).toContain("Scegli l&#39;esito della conversazione");
      expect((await h.db.case.findUniqueOrThrow({ where: { id: caseId } })).status).not.toBe("closed");
    }
    expect(await maria.quietFor(300)).toEqual([]);

    const closed = await client.post(`/cases/${caseId}/close`, { _csrf: csrf, outcome: "aler_office" });
    expect(closed.headers.location).toBe(`/cases/${caseId}?notice=closed&n=2`);
    expect((await client.get(closed.headers.location as string)).body).toContain(
      "Persone del nucleo avvisate su Telegram: 2.",
    );
    const [toMaria] = await maria.replies(1);
    expect(toMaria?.text).toContain("Chi ti segue nel programma ha chiuso la conversazione");
    const [toJohn] = await john.replies(1);
    expect(toJohn?.text).toContain("Your case worker has closed the conversation");
    const stored = await h.db.case.findUniqueOrThrow({ where: { id: caseId } });
    expect(stored.status).toBe("closed");
    expect(stored.outcome).toBe("aler_office");
    expect(stored.closedAt).not.toBeNull();

    // Closed: no form, replies refused, closing again changes nothing.
    const page = await client.get(`/cases/${caseId}`);
    expect(page.body).toContain("Conversazione chiusa il");
    expect(page.body).toContain("Esito: Passata a un ufficio ALER.");
    expect(page.body).not.toContain(`action="/cases/${caseId}/reply"`);
    const late = await client.post(`/cases/${caseId}/reply`, { _csrf: csrf, text: "Ancora una cosa" });
    expect(late.statusCode).toBe(409);
    expect(late.body).toContain("la risposta non è stata inviata");
    expect(await operatorMessages()).toBe(1);
    const again = await client.post(`/cases/${caseId}/close`, { _csrf: csrf, outcome: "resolved" });
    expect(again.headers.location).toBe(`/cases/${caseId}?notice=alreadyClosed`);
    const askedAgain = await client.get(`/cases/${caseId}/close`);
    expect(askedAgain.headers.location).toBe(`/cases/${caseId}?notice=alreadyClosed`);
    expect(await maria.quietFor(500)).toEqual([]);
    expect((await client.get("/cases")).body).not.toContain(`href="/cases/${caseId}"`);

    // The household's old button now only explains.
    const pressed = (await maria.press(operatorReply.message_id, `op:close:${caseId}`)) as unknown as {
      callback_query_id: string;
    };
    await expect
      .poll(async () => {
        const r = await fetch(`${h.sandbox.url}/control/callback-answers/${pressed.callback_query_id}`);
        return r.ok ? ((await r.json()) as { text?: string }).text : undefined;
      })
      .toContain("già chiusa");
  });

  it("with nobody on Telegram, says so before and after, and gives the household's phone and address", async () => {
    const household = await h.db.household.create({
      data: {
        contractCode: "CR-000777",
        name: "Famiglia Senza Telegram",
        fiscalCode: "SNZTLG80A01B157X",
        municipality: "Cremona",
        address: "Via Platina 3",
        phone: "0372 123456",
        language: "ar",
        officeId,
      },
    });
    const quiet = await h.db.case.create({
      data: { householdId: household.id, topic: "debt", source: "overdue", status: "open" },
    });
    const client = new Client();
    const csrf = await client.login(OPERATOR);
    const page = (await client.get(`/cases/${quiet.id}`)).body;
    expect(page).toContain("Nessuna persona del nucleo è collegata al bot.");
    expect(page).toContain("Nessuna persona del nucleo può riceverla su Telegram ora");
    expect(page).toContain('href="tel:0372123456"');
    expect(page).toContain("Via Platina 3, Cremona");
    expect(page).toContain('arabo (<span lang="ar">');

    const question = (await client.get(`/cases/${quiet.id}/close`)).body;
    expect(question).toContain("Nessuna persona del nucleo può ricevere l&#39;avviso su Telegram");
    expect(question).toContain("0372 123456");
    const closed = await client.post(`/cases/${quiet.id}/close`, { _csrf: csrf, outcome: "no_answer" });
    expect(closed.headers.location).toBe(`/cases/${quiet.id}?notice=closed&n=0`);
    const after = (await client.get(closed.headers.location as string)).body;
    expect(after).toContain("nessuna persona del nucleo ha potuto ricevere l&#39;avviso su Telegram");
    expect(after).not.toContain("Persone del nucleo avvisate");
    expect(
      await h.db.outboundMessage.count({ where: { purpose: { startsWith: `case-closed:${quiet.id}:` } } }),
    ).toBe(0);
    await h.db.household.delete({ where: { id: household.id } });
  });

  it("lists in the household's own export which staff roles opened its case, and when (GDPR art. 15)", async () => {
    const member = await h.db.member.findUniqueOrThrow({ where: { telegramUserId: BigInt(maria.id) } });
    const readme = Object.fromEntries(EXPORT_README_KEYS.map((k) => [k, k])) as ExportReadme;
    const data = await exportMemberData(h.db, member.id, { clock: { now: () => new Date() }, readme });
    const opened = await h.db.auditLog.findMany({
      where: { action: "case.viewed", entityId: String(caseId) },
    });
    // The operator and the coordinator each opened the case page above; a refused reply is no new view.
    expect(new Set(data.staffViews.map((v) => v.role))).toEqual(new Set(["operator", "coordinator"]));
    expect(data.staffViews).toHaveLength(opened.length);
    expect(data.staffViews.every((v) => v.what === "case")).toBe(true);
    // Roles, never who: no e-mail, no staff id.
    expect(JSON.stringify(data.staffViews)).not.toContain("@");
    const page = renderReadableExport(data, translator("it", "privacy"), "it");
    expect(page).toContain("Chi del programma ha aperto la tua pratica");
    expect(page).toContain("chi ti segue nel programma");
    expect(page).toContain("una conversazione con il programma");
  });

  it("never sent Telegram a request it rejects", async () => {
    expect(await h.badRequests()).toEqual([]);
  });
});

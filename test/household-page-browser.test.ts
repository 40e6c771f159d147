import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../core/clock.ts";
import { householdChecklist, setHouseholdDocument } from "../core/documents.ts";
import { saveOffice } from "../core/offices/offices.ts";
import { EXPORT_README_KEYS, type ExportReadme, exportMemberData } from "../core/privacy.ts";
import { upsertStaff } from "../core/staff.ts";
import { expectNoAxeViolations } from "./support/axe.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { type PanelInBrowser, signInPage, startPanelInBrowser } from "./support/panel-browser.ts";

const PASSWORD = "una password lunga abbastanza";
const STAFF = {
  worker: "operatrice.pagina@example.org",
  colleague: "collega.pagina@example.org",
  coordinator: "coordinamento.pagina@example.org",
  admin: "admin.pagina@example.org",
};
const XSS_NAME = `<img src=x onerror="document.title='pwned'">`;
const XSS_COURSE = "<script>document.title='pwned'</script> Cucito";

let t: TestDatabase;
let panel: PanelInBrowser;
let base: string;
let browser: Browser;
let householdId: number;
let colleaguesHousehold: number;
let memberId: number;
const staffIds: Record<string, number> = {};

beforeAll(async () => {
  t = await createTestDatabase();
  const { officeId } = await saveOffice(t.db, { code: "MN", name: "Mantova", municipalities: ["Mantova"] });
  for (const [key, email] of Object.entries(STAFF)) {
    const role = key === "coordinator" ? "coordinator" : key === "admin" ? "admin" : "operator";
    staffIds[key] = (
      await upsertStaff(t.db, {
        email,
        role,
        password: PASSWORD,
        firstName: key,
        officeId: role === "admin" ? null : officeId,
      })
    ).id;
  }
  const household = await t.db.household.create({
    data: {
      contractCode: "MN-000777",
      name: "Famiglia Gonzaga",
      fiscalCode: "GNZFBA80A01E897X",
      municipality: "Mantova",
      address: "Via Accademia 3",
      language: "ro",
      officeId,
      caseWorkerId: staffIds.worker as number,
      balances: {
        create: [
          { balanceDate: new Date("2026-03-31T00:00:00Z"), rentCents: 180_000, chargesCents: 20_000 },
          { balanceDate: new Date("2026-06-30T00:00:00Z"), rentCents: 150_000, chargesCents: 20_000 },
          { balanceDate: new Date("2026-09-30T00:00:00Z"), rentCents: 110_000, chargesCents: 10_000 },
        ],
      },
      payments: {
        create: [
          { paymentDate: new Date("2026-05-12T00:00:00Z"), amountCents: 30_000, reference: "PAG-1" },
          { paymentDate: new Date("2026-10-12T00:00:00Z"), amountCents: 25_000, reference: "PAG-2" },
        ],
      },
    },
  });
  householdId = household.id;
  colleaguesHousehold = (
    await t.db.household.create({
      data: {
        contractCode: "MN-000778",
        name: "Famiglia Collega",
        fiscalCode: "CLLFBA80A01E897X",
        municipality: "Mantova",
        address: "Via Roma 5",
        officeId,
        caseWorkerId: staffIds.colleague as number,
      },
    })
  ).id;
  const member = await t.db.member.create({
    data: {
      telegramUserId: 5551n,
      chatId: 5551n,
      firstName: XSS_NAME,
      language: "ro",
      householdId,
      linkedAt: new Date("2026-04-02T09:30:00Z"),
      consentAt: new Date("2026-04-02T09:29:00Z"),
    },
  });
  memberId = member.id;
  await t.db.outboundMessage.create({
    data: {
      purpose: "reminder:installment:1",
      memberId: member.id,
      chatId: 5551n,
      text: "TESTO-SEGRETO del promemoria",
      status: "sent",
      createdAt: new Date("2026-11-20T08:00:00Z"),
    },
  });
  const course = await t.db.course.create({
    data: { code: "CUC-1", title: XSS_COURSE, description: "x", municipality: "Mantova" },
  });
  const session = await t.db.courseSession.create({
    data: {
      courseId: course.id,
      startsAt: new Date("2026-12-20T09:00:00Z"),
      endsAt: new Date("2026-12-20T11:00:00Z"),
      location: "Sala",
      capacity: 10,
    },
  });
  await t.db.enrolment.create({
    data: { sessionId: session.id, memberId: member.id, createdAt: new Date("2026-11-25T10:00:00Z") },
  });
  // The register, written by staff after the session (the panel's courses pages).
  await t.db.attendance.create({
    data: { sessionId: session.id, memberId: member.id, status: "present", minutes: 90 },
  });
  // Two check-up rounds (one finished, one half done) and how a closed conversation went.
  await t.db.checkup.create({
    data: {
      householdId,
      round: "entry",
      memberId: member.id,
      offeredAt: new Date("2026-04-02T10:00:00Z"),
      startedAt: new Date("2026-04-02T10:05:00Z"),
      completedAt: new Date("2026-04-02T10:09:00Z"),
      answers: { debt: "not_really", budget: "not_enough", confidence: "not_very" },
    },
  });
  await t.db.checkup.create({
    data: {
      householdId,
      round: "m3",
      memberId: member.id,
      offeredAt: new Date("2026-07-02T08:00:00Z"),
      startedAt: new Date("2026-07-02T08:05:00Z"),
      answers: { debt: "exactly" },
    },
  });
  const closedCase = await t.db.case.create({
    data: {
      householdId,
      memberId: member.id,
      topic: "debt",
      status: "closed",
      openedAt: new Date("2026-05-30T10:00:00Z"),
      closedAt: new Date("2026-06-01T10:00:00Z"),
    },
  });
  await t.db.caseSatisfaction.create({
    data: {
      caseId: closedCase.id,
      householdId,
      memberId: member.id,
      askedAt: new Date("2026-06-01T10:00:00Z"),
      score: 4,
      comment: XSS_NAME,
      answeredAt: new Date("2026-06-01T10:05:00Z"),
    },
  });
  await setHouseholdDocument(t.db, {
    householdId,
    key: "isee",
    status: "requested",
    dueDate: new Date("2027-01-31T00:00:00Z"),
  });
  panel = await startPanelInBrowser(t);
  base = panel.base;
  browser = panel.browser;
}, 60_000);

afterAll(async () => {
  await panel?.close();
  await t?.drop();
});

function signIn(page: Page, email: string): Promise<void> {
  return signInPage(page, base, email, PASSWORD);
}

describe("the household page in Chromium", () => {
  for (const who of ["worker", "coordinator", "admin"] as const) {
    it(`shows the family whole to ${who}, accessibly, with what households wrote as text`, {
      timeout: 60_000,
    }, async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      try {
        await signIn(page, STAFF[who]);
        if (who !== "worker") await page.goto(`${base}/households`);
        await page.getByRole("link", { name: "MN-000777", exact: true }).click();
        await page.waitForURL(`${base}/households/${householdId}`);
        await expectNoAxeViolations(page, `household page (${who})`);
        const body = (await page.locator("main").textContent()) ?? "";
        expect(body).toContain("Famiglia Gonzaga");
        expect(body).toContain(`worker (${STAFF.worker})`);
        expect(body).toContain("rumeno");
        // The chart: three balances and two payments, summarised for screen readers.
        expect(await page.locator("figure.chart circle").count()).toBe(3);
        expect(await page.locator("figure.chart path").count()).toBe(2);
        expect(await page.locator("#chart-summary").textContent()).toContain(
          "3 saldi ALER: da 2.000,00\u00a0€ al 31/03/2026 a 1.200,00\u00a0€ al 30/09/2026. Pagamenti segnati: 2.",
        );
        // Newest first; the message's kind and fate, never its text.
        const events = await page.locator("ol.timeline li").allTextContents();
        expect(events[0]).toContain(
          "Corso «<script>document.title='pwned'</script> Cucito»: presente (1,5 h)",
        );
        expect(events[1]).toContain("ISEE: richiesto");
        expect(events[2]).toContain("Iscrizione al corso");
        expect(events[3]).toContain("Messaggio inviato (Promemoria): Inviato");
        expect(events.join("\n")).toContain("Pagamento registrato: 250,00\u00a0€");
        expect(body).not.toContain("TESTO-SEGRETO");
        // The check-up rounds side by side, and how the closed conversation went.
        const checkup = (await page.locator("table.checkup").textContent()) ?? "";
        expect(checkup).toContain("All'ingresso");
        expect(checkup).toContain("Completato il 02/04/2026");
        expect(checkup).toContain("Iniziato, risposte date: 1 su 10");
        expect(checkup).toContain("Non proprio");
        expect(checkup).toContain("Sì, con precisione");
        expect(checkup).toContain("Non ci arriviamo");
        expect(await page.locator("ul.satisfaction").textContent()).toContain(`: 4 su 5${XSS_NAME}`);
        // Markup in names and titles is shown, not run.
        expect(body).toContain(XSS_NAME);
        expect(body).toContain("<script>");
        expect(await page.title()).not.toBe("pwned");
      } finally {
        await context.close();
      }
    });
  }

  it("lets the case worker mark a paper received: the bot's checklist follows at once, the deadline stays", {
    timeout: 60_000,
  }, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await signIn(page, STAFF.worker);
      await page.goto(`${base}/households/${householdId}`);
      await page.getByLabel("Nuovo stato di ISEE").selectOption("received");
      await page.locator('form[action$="/documents/isee"] button').click();
      await page.waitForURL(new RegExp(`/households/${householdId}\\?notice=document`));
      expect(await page.getByRole("status").first().textContent()).toContain("il documento è aggiornato");
      await expectNoAxeViolations(page, "household page after marking a document");
      const isee = (await householdChecklist(t.db, householdId, systemClock)).find((d) => d.key === "isee");
      expect(isee?.status).toBe("received");
      const row = await t.db.householdDocument.findFirstOrThrow({
        where: { householdId, requirement: { key: "isee" } },
      });
      expect(row.dueDate?.toISOString().slice(0, 10)).toBe("2027-01-31");
      const entry = await t.db.auditLog.findFirstOrThrow({ where: { action: "document.statusSet" } });
      expect(entry.actorId).toBe(String(staffIds.worker));
      expect(entry.details).toMatchObject({ from: "requested", to: "received" });
    } finally {
      await context.close();
    }
  });

  it("refuses a status or a paper that is not one, and a colleague's family without a reason, changing nothing", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await signIn(page, STAFF.worker);
      await page.goto(`${base}/households/${householdId}`);
      const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
      const post = (path: string, status: string) =>
        page.request.post(`${base}${path}`, { form: { _csrf: csrf, status }, maxRedirects: 0 });
      expect((await post(`/households/${householdId}/documents/isee`, "lost")).status()).toBe(404);
      expect((await post(`/households/${householdId}/documents/passport`, "received")).status()).toBe(404);
      expect((await post(`/households/${householdId}/documents/<script>`, "received")).status()).toBe(404);
      expect((await post(`/households/${colleaguesHousehold}/documents/isee`, "verified")).status()).toBe(
        404,
      );
      expect(await t.db.householdDocument.count({ where: { householdId: colleaguesHousehold } })).toBe(0);
      expect(
        (await householdChecklist(t.db, householdId, systemClock)).find((d) => d.key === "isee")?.status,
      ).toBe("received");
    } finally {
      await context.close();
    }
  });

  it("shows the family budget's totals only once the family chose to, and never its notes", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await t.db.budgetEntry.create({
        data: {
          householdId,
          memberId,
          kind: "expense",
          category: "transport",
          amountCents: 4_550,
          note: "NOTA-PRIVATA della famiglia",
          occurredOn: new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`),
        },
      });
      await signIn(page, STAFF.worker);
      await page.goto(`${base}/households/${householdId}`);
      expect(await page.locator("main").textContent()).toContain(
        "La famiglia non ha scelto di mostrare il suo bilancio",
      );
      expect(await page.locator("main").textContent()).not.toContain("45,50");
      await t.db.household.update({ where: { id: householdId }, data: { budgetSharedAt: new Date() } });
      await page.goto(`${base}/households/${householdId}`);
      const body = (await page.locator("main").textContent()) ?? "";
      expect(body).toContain("Mostrato dalla famiglia dal");
      expect(body).toContain("45,50");
      expect(body).not.toContain("NOTA-PRIVATA");
      await expectNoAxeViolations(page, "household page with the budget");
    } finally {
      await context.close();
    }
  });

  it("keeps private notes on the family: refused empty, shown as text with the conversations' notes, in the family's own export", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await signIn(page, STAFF.worker);
      await page.goto(`${base}/households/${householdId}`);
      await page.getByLabel("Nuova nota").fill("   ");
      await page.getByRole("button", { name: "Salva la nota" }).click();
      expect(await page.locator("main").textContent()).toContain("La nota è vuota");
      expect(await t.db.householdNote.count()).toBe(0);
      const note = `Ha chiesto di essere chiamata dopo le 17 ${XSS_NAME}`;
      await page.getByLabel("Nuova nota").fill(note);
      await page.getByRole("button", { name: "Salva la nota" }).click();
      await page.waitForURL(new RegExp(`/households/${householdId}\\?notice=note`));
      expect(await page.locator("ul.notes").textContent()).toContain(note);
      expect(await page.title()).not.toBe("pwned");
      await expectNoAxeViolations(page, "household page with a note");
      const saved = await t.db.householdNote.findFirstOrThrow();
      expect(saved).toMatchObject({ householdId, staffId: staffIds.worker, text: note });
      const entry = await t.db.auditLog.findFirstOrThrow({ where: { action: "household.noteAdded" } });
      expect(JSON.stringify(entry.details)).not.toContain("17");
      const readme = Object.fromEntries(EXPORT_README_KEYS.map((k) => [k, k])) as ExportReadme;
      const data = await exportMemberData(t.db, memberId, { clock: systemClock, readme });
      // The register is the member's data too.
      expect(data.enrolments[0]?.attendance).toEqual({ status: "present", minutes: 90 });
      expect(data.staffNotes).toContainEqual(
        expect.objectContaining({ caseId: null, topic: null, text: note, role: "operator" }),
      );
    } finally {
      await context.close();
    }
  });

  it("asks an operator covering a colleague's family for the reason first, accessibly", {
    timeout: 60_000,
  }, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await signIn(page, STAFF.worker);
      await page.goto(`${base}/households/${colleaguesHousehold}`);
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(
        "Apri il nucleo di una persona collega",
      );
      await expectNoAxeViolations(page, "cover form");
      await page.getByLabel("Motivo").fill("Sostituisco la collega, oggi assente");
      await page.getByRole("button", { name: "Apri il nucleo" }).click();
      await page.waitForURL(`${base}/households/${colleaguesHousehold}`);
      expect(await page.locator("main").textContent()).toContain("Via Roma 5");
      await expectNoAxeViolations(page, "household page while covering");
    } finally {
      await context.close();
    }
  });
});

// The wording tests' pages in Chromium: a coordinator starts a test through the form (a refused text
// first, then a good one), reads a test with enough data (rates, 95% intervals, the difference with its
// p-value, a plain verdict) and stops it keeping a wording; every page passes axe as coordinator and
// admin, on a laptop and a phone; an operator is refused.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertStaff } from "../core/staff.ts";
import { expectNoAxeViolations } from "./support/axe.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { testOffice } from "./support/offices.ts";
import { type PanelInBrowser, signInPage, startPanelInBrowser } from "./support/panel-browser.ts";

const PASSWORD = "correct horse battery staple";
const LOGINS = {
  operator: "operatore.varianti.web@aler.example",
  coordinator: "coordinatrice.varianti.web@aler.example",
  admin: "admin.varianti.web@aler.example",
};
const B_IT =
  "📅 <b>Rata in scadenza oggi</b>\nOggi, {{date}}, scade la rata {{number}} di {{total}}: <b>{{amount}}</b>.\nPer pagare: bollettino ALER in posta, oggi stesso.";

let t: TestDatabase;
let panel: PanelInBrowser;
let browser: Browser;
let seeded: number;

/** A running test of inst-before with 40 reminded installments per variant, all decided. */
async function seedResults(): Promise<number> {
  const experiment = await t.db.reminderExperiment.create({
    data: { kind: "inst-before", labels: ["A", "B"], texts: { B: { it: B_IT.replace("oggi", "domani") } } },
  });
  for (let i = 0; i < 80; i++) {
    const label = i < 40 ? "A" : "B";
    const paid = label === "A" ? i % 40 < 16 : i % 40 < 27;
    const h = await t.db.household.create({
      data: {
        contractCode: `VB-${i}`,
        name: `F ${i}`,
        fiscalCode: "X",
        municipality: "Brescia",
        address: "Via Roma 1",
      },
    });
    const m = await t.db.member.create({
      data: {
        telegramUserId: BigInt(700_000 + i),
        chatId: BigInt(700_000 + i),
        language: "it",
        householdId: h.id,
      },
    });
    const plan = await t.db.repaymentPlan.create({
      data: {
        householdId: h.id,
        planCode: `PVB-${i}`,
        installments: { create: [{ number: 1, dueDate: new Date("2026-10-10"), amountCents: 10_000 }] },
      },
      include: { installments: true },
    });
    const installment = plan.installments[0]?.id as number;
    const message = await t.db.outboundMessage.create({
      data: {
        purpose: `reminder:inst-before:${installment}:${m.id}`,
        memberId: m.id,
        chatId: BigInt(700_000 + i),
        text: "x",
        status: "sent",
      },
    });
    await t.db.reminderSend.create({
      data: {
        messageId: message.id,
        experimentId: experiment.id,
        variant: label,
        installmentId: installment,
      },
    });
    if (paid)
      await t.db.payment.create({
        data: {
          householdId: h.id,
          paymentDate: new Date("2026-10-12"),
          amountCents: 10_000,
          reference: `PB-${i}`,
        },
      });
  }
  return experiment.id;
}

beforeAll(async () => {
  t = await createTestDatabase();
  const office = await testOffice(t.db);
  await upsertStaff(t.db, { email: LOGINS.operator, role: "operator", password: PASSWORD, officeId: office });
  await upsertStaff(t.db, {
    email: LOGINS.coordinator,
    role: "coordinator",
    password: PASSWORD,
    officeId: office,
  });
  await upsertStaff(t.db, { email: LOGINS.admin, role: "admin", password: PASSWORD });
  seeded = await seedResults();
  panel = await startPanelInBrowser(t);
  browser = panel.browser;
}, 120_000);

afterAll(async () => {
  await panel?.close();
  await t?.drop();
});

async function signedIn(role: keyof typeof LOGINS, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await signInPage(page, panel.base, LOGINS[role], PASSWORD);
  return page;
}

describe("wording tests in the browser", () => {
  it("shows a test's figures: rates, intervals, the difference with its p-value, a verdict", async () => {
    const page = await signedIn("coordinator");
    await page.goto(`${panel.base}/variants/${seeded}?lang=it`);
    const rows = page.locator("table tbody tr");
    const a = ((await rows.nth(0).textContent()) ?? "").replace(/\s+/g, " ");
    const b = ((await rows.nth(1).textContent()) ?? "").replace(/\s+/g, " ");
    // A: 16/40 = 40,0%, Wilson 26,3%–55,4%; B: 27/40 = 67,5%, z = 2.4666, p = 0,0136.
    expect(a).toContain("40,0%");
    expect(a).toContain("26,3%");
    expect(a).toContain("55,4%");
    expect(b).toContain("67,5%");
    expect(b).toContain("+27,5%");
    expect(b).toContain("p = 0,014");
    expect(b).toContain("Funziona meglio di A");
    await expectNoAxeViolations(page, "results with enough data");
  }, 60_000);

  it("starts a test through the form, refusing a bad text first, and stops it keeping A", async () => {
    const page = await signedIn("coordinator");
    await page.goto(`${panel.base}/variants/new?lang=it`);
    await page.getByLabel("Promemoria da provare").selectOption("inst-due");
    await page.getByLabel("Versione B in italiano (obbligatorio)").fill("Paga la rata <b>oggi");
    await page.getByRole("button", { name: "Avvia la prova" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toMatch(/segnaposto/);
    await expectNoAxeViolations(page, "new test refusing a text");
    await page.getByLabel("Versione B in italiano (obbligatorio)").fill(B_IT);
    await page.getByRole("button", { name: "Avvia la prova" }).click();
    await page.waitForURL(/\/variants\/\d+\?notice=created/);
    await expect(page.getByRole("status").textContent()).resolves.toContain("Prova avviata");
    await expectNoAxeViolations(page, "new test's results");
    await page.getByLabel("Tieni il testo in uso (A)").check();
    await page.getByRole("button", { name: "Concludi la prova" }).click();
    await page.waitForURL(/notice=stopped/);
    await expect(page.locator("main").textContent()).resolves.toContain("testo tenuto: A");
    await expectNoAxeViolations(page, "stopped test");
    expect(await t.db.contentText.count()).toBe(0);
  }, 90_000);

  it("passes axe on every page as coordinator and admin, on a laptop and a phone; operators refused", async () => {
    for (const role of ["coordinator", "admin"] as const)
      for (const viewport of [
        { width: 1280, height: 900 },
        { width: 375, height: 740 },
      ]) {
        const page = await signedIn(role, viewport);
        for (const lang of ["it", "en"])
          for (const path of ["/variants", "/variants/new", `/variants/${seeded}`]) {
            await page.goto(`${panel.base}${path}?lang=${lang}`);
            await expectNoAxeViolations(page, `${role} ${path} ${lang} at ${viewport.width}px`);
          }
        await page.context().close();
      }
    const page = await signedIn("operator");
    const answer = await page.goto(`${panel.base}/variants`);
    expect(answer?.status()).toBe(403);
    await expectNoAxeViolations(page, "operator refused");
  }, 240_000);
});

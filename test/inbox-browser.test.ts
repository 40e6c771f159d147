import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postHouseholdMessage } from "../core/cases.ts";
import { systemClock } from "../core/clock.ts";
import { saveOffice } from "../core/offices/offices.ts";
import { upsertStaff } from "../core/staff.ts";
import { expectNoAxeViolations } from "./support/axe.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { type PanelInBrowser, startPanelInBrowser } from "./support/panel-browser.ts";

const PASSWORD = "una password lunga abbastanza";
const COORD = "coordinamento@aler.example";
const XSS = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">`;

let t: TestDatabase;
let panel: PanelInBrowser;
let base: string;
let browser: Browser;
let householdId: number;
let memberId: number;
let caseId: number;
let savedId: number;

beforeAll(async () => {
  t = await createTestDatabase();
  const officeId = (await saveOffice(t.db, { code: "BS", name: "Brescia", municipalities: ["Brescia"] }))
    .officeId;
  await saveOffice(t.db, { code: "MN", name: "Mantova", municipalities: ["Mantova"] });
  await upsertStaff(t.db, { email: COORD, role: "coordinator", password: PASSWORD, officeId });
  await upsertStaff(t.db, {
    email: "collega@aler.example",
    role: "operator",
    password: PASSWORD,
    officeId,
  });
  const household = await t.db.household.create({
    data: {
      contractCode: "BS-000900",
      name: `Famiglia ${XSS}`,
      fiscalCode: "XXXXXX80A01B157X",
      municipality: "Brescia",
      address: "Via Roma 1",
      language: "ar",
      officeId,
    },
  });
  householdId = household.id;
  memberId = (
    await t.db.member.create({
      data: {
        telegramUserId: 9001n,
        chatId: 9001n,
        firstName: XSS,
        language: "ar",
        householdId,
        linkedAt: new Date(),
        consentAt: new Date(),
      },
    })
  ).id;
  const opened = await postHouseholdMessage(t.db, systemClock, {
    householdId,
    memberId,
    text: XSS,
    topic: "debt",
  });
  if (opened.status !== "opened") throw new Error("no case opened");
  caseId = opened.caseId;
  await t.db.caseNote.create({ data: { caseId, text: "Nota: richiamare" } });
  savedId = (await t.db.savedReply.create({ data: { language: "ar", title: "الدفعة", body: "{{arrears}}" } }))
    .id;
  panel = await startPanelInBrowser(t);
  base = panel.base;
  browser = panel.browser;
}, 60_000);

afterAll(async () => {
  await panel?.close();
  await t?.drop();
});

describe("the inbox in Chromium", () => {
  it("is accessible, and shows a new household message live, as text", { timeout: 60_000 }, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    try {
      await page.goto(`${base}/login`);
      await page.getByLabel("E-mail").fill(COORD);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Accedi" }).click();
      await page.waitForURL(`${base}/households`);
      await page.getByRole("link", { name: /Conversazioni/ }).click();
      await page.waitForURL(`${base}/cases`);
      expect(await page.locator("#waiting-count [data-count]").textContent()).toBe("1");
      await expectNoAxeViolations(page, "inbox");

      // The filters are a plain GET form.
      await page.getByLabel("Mostra").selectOption("us");
      await page.getByLabel("Urgenti").check();
      await page.getByRole("button", { name: "Filtra" }).click();
      await page.waitForURL(`${base}/cases?status=us&urgent=1`);
      await expectNoAxeViolations(page, "inbox, filtered");
      await page.goto(`${base}/cases`);

      await page.getByRole("link", { name: `N. ${caseId}` }).click();
      await page.waitForURL(`${base}/cases/${caseId}`);
      await expectNoAxeViolations(page, "case page");
      const thread = page.locator("#thread");
      await expect.poll(() => thread.locator(".msg").count()).toBe(2);

      // The household writes while the page is open: it appears within 2 s, as text.
      const before = Date.now();
      await postHouseholdMessage(t.db, systemClock, { householdId, memberId, text: `Ancora ${XSS}` });
      await expect.poll(() => thread.locator(".msg").count(), { timeout: 2000, interval: 50 }).toBe(3);
      expect(Date.now() - before).toBeLessThan(2000);
      expect(await thread.locator(".msg .text").last().textContent()).toBe(`Ancora ${XSS}`);
      expect(await page.locator("main img, main script:not([src])").count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(dialogs).toEqual([]);

      // A saved reply in the household's language: with the script, filled in place (the URL stays);
      // the household has no figures, so the page says what to fill in by hand.
      await page.getByLabel("Nota privata").fill("bozza della nota");
      await page.getByRole("button", { name: "Usa questa risposta" }).click();
      await expect.poll(() => page.getByLabel("La tua risposta").inputValue()).toBe("{{arrears}}");
      expect(page.url()).toBe(`${base}/cases/${caseId}`);
      expect(await page.getByLabel("Nota privata").inputValue()).toBe("bozza della nota");
      expect(await page.locator("#saved-missing").textContent()).toContain("{{arrears}}");
      await expectNoAxeViolations(page, "case page with a saved reply");
      // Without the script, the same GET form loads the page with the reply filled.
      await page.goto(`${base}/cases/${caseId}?saved=${savedId}`);
      expect(await page.getByLabel("La tua risposta").inputValue()).toBe("{{arrears}}");

      await page.goto(`${base}/saved-replies`);
      await expectNoAxeViolations(page, "saved replies");
      await page.getByRole("link", { name: "Nuova risposta pronta" }).click();
      await expectNoAxeViolations(page, "new saved reply");
    } finally {
      await context.close();
    }
  });
});

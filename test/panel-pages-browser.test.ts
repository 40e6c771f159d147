import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../core/clock.ts";
import { prepareDemoDatabase } from "../core/demo/database.ts";
import { createLogger } from "../core/logger.ts";
import { expectNoAxeViolations } from "./support/axe.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { type PanelInBrowser, signInPage, startPanelInBrowser } from "./support/panel-browser.ts";

let t: TestDatabase;
let panel: PanelInBrowser;
let base: string;
let browser: Browser;
let password: string;
const LOGINS = {
  admin: "demo@bussola.local",
  coordinator: "coordinamento.brescia@bussola.local",
  operator: "operatore.brescia@bussola.local",
  otherOperator: "operatore.cremona@bussola.local",
};
const id: Record<string, number> = {};
const XSS = {
  img: `<img src=x onerror="window.__pwned=1">`,
  script: "<script>window.__pwned=1</script>",
  link: `<a href="javascript:window.__pwned=1">clicca</a>`,
};

beforeAll(async () => {
  t = await createTestDatabase();
  const login = await prepareDemoDatabase(t.db, t.url, {
    clock: systemClock,
    logger: createLogger({ level: "silent" }),
  });
  password = login.password;
  expect(login.others.map((o) => o.email).sort()).toEqual(
    [LOGINS.coordinator, LOGINS.operator, LOGINS.otherOperator].sort(),
  );
  const household = async (code: string) =>
    (await t.db.household.findUniqueOrThrow({ where: { contractCode: code } })).id;
  id.colombo = await household("BS-004512");
  id.rossi = await household("BS-004600");
  id.haddad = await household("CR-001207");
  id.rossiCase = (await t.db.case.findFirstOrThrow({ where: { householdId: id.rossi } })).id;
  // What households, files and staff write, carrying markup: every page must show it as text.
  await t.db.household.update({ where: { id: id.colombo }, data: { name: `Famiglia Colombo ${XSS.img}` } });
  await t.db.household.update({ where: { id: id.rossi }, data: { address: `Via Milano 12 ${XSS.script}` } });
  await t.db.member.updateMany({ where: { firstName: "Mario" }, data: { firstName: `Mario${XSS.img}` } });
  await t.db.caseMessage.create({
    data: { caseId: id.rossiCase, author: "household", text: `Guarda qui ${XSS.link}` },
  });
  await t.db.caseNote.create({
    data: {
      caseId: id.rossiCase,
      staffId: (await t.db.staff.findFirstOrThrow()).id,
      text: `Nota ${XSS.script}`,
    },
  });
  id.savedReply = (
    await t.db.savedReply.create({
      data: { language: "it", title: `Saluto ${XSS.img}`, body: `Ciao ${XSS.link}` },
    })
  ).id;
  id.operatorStaff = (await t.db.staff.findUniqueOrThrow({ where: { email: LOGINS.operator } })).id;
  id.haddadCase = (await t.db.case.findFirstOrThrow({ where: { householdId: id.haddad } })).id;
  panel = await startPanelInBrowser(t, { BOT_USERNAME: "bussola_demo_bot" });
  base = panel.base;
  browser = panel.browser;
}, 120_000);

afterAll(async () => {
  await panel?.close();
  await t?.drop();
});

function signIn(page: Page, email: string): Promise<void> {
  return signInPage(page, base, email, password);
}

/** [path, text the page must show] for a role; every one is opened, checked and axe-tested. */
function pagesOf(role: "operator" | "coordinator" | "admin"): [string, string][] {
  const common: [string, string][] = [
    ["/households", "BS-004600"],
    ["/caseload", "BS-004600"],
    [`/households/${id.colombo}`, "Famiglia Colombo"],
    [`/households/${id.rossi}`, "Non raggiungibile in Telegram"],
    ["/cases", "BS-004600"],
    [`/cases/${id.rossiCase}`, "lettera di sfratto"],
    [`/cases/${id.rossiCase}/close`, "Famiglia Rossi"],
    ["/account", "password"],
  ];
  if (role === "operator") return [["/households?worker=mine", "BS-004512"], ...common];
  const staff: [string, string][] = [
    ...common,
    [`/households/${id.rossi}/access`, "Mario"],
    ["/alerts", "PR-DEMO-4513"],
    ["/deliveries", "Esito incerto"],
    ["/imports", "Importa"],
    ["/link-lockouts", "persona n."],
    ["/invitations", "Brescia"],
    ["/saved-replies", "Risposte"],
    ["/saved-replies/new", "Risposte"],
    [`/saved-replies/${id.savedReply}`, "Risposte"],
    [`/cases/${id.rossiCase}?saved=${id.savedReply}`, "Ciao"],
    ["/courses", "Corsi e incontri"],
    ["/content", "Testi per le famiglie"],
    [`/content/edit?item=${encodeURIComponent("operator:faq.payment.answer")}&language=en`, "Cronologia"],
    ["/broadcasts", "Messaggi a più famiglie"],
    ["/broadcasts/new", "Nuovo messaggio"],
  ];
  if (role === "coordinator") return staff;
  return [
    ...staff,
    [`/households/${id.haddad}`, "Famiglia Haddad"],
    [`/cases/${id.haddadCase}`, "rata di novembre"],
    ["/audit", "Registro"],
    ["/staff", LOGINS.operator],
    [`/staff/${id.operatorStaff}`, LOGINS.operator],
    ["/settings", "QUIET_HOURS"],
    ["/queues", "delivery"],
  ];
}

describe("every page of the panel, as each role, on the demo's data", () => {
  for (const role of ["operator", "coordinator", "admin"] as const) {
    it(`answers, is filled and passes axe as ${role}, on a laptop and on a phone`, {
      timeout: 240_000,
    }, async () => {
      for (const viewport of [
        { width: 1280, height: 900 },
        { width: 375, height: 740 },
      ]) {
        const context = await browser.newContext({ viewport });
        const page = await context.newPage();
        try {
          await signIn(page, LOGINS[role]);
          for (const [path, shows] of pagesOf(role)) {
            const response = await page.goto(`${base}${path}`);
            const where = `${role} ${path} at ${viewport.width}px`;
            expect(response?.status(), where).toBe(200);
            expect(await page.locator("body").textContent(), where).toContain(shows);
            await expectNoAxeViolations(page, where);
            // Stored markup stays text: no element it could have made, nothing it could have run.
            const injected = await page.evaluate(() => ({
              elements: document.querySelectorAll(
                '[onerror], a[href^="javascript:" i], img[src="x"], script:not([src])',
              ).length,
              ran: "__pwned" in window,
            }));
            expect(injected, where).toEqual({ elements: 0, ran: false });
            // No page scrolls sideways on a phone (tables reflow into cards there).
            const overflow = await page.evaluate(
              () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
            );
            const culprits =
              overflow > 1
                ? await page.evaluate(() =>
                    Array.from(document.querySelectorAll("body *"))
                      .filter(
                        (e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1,
                      )
                      .slice(0, 5)
                      .map(
                        (e) =>
                          `${e.tagName}.${e.className} at ${Math.round(e.getBoundingClientRect().left)}px, ${Math.round(e.getBoundingClientRect().width)}px wide, "${(e.textContent ?? "").slice(0, 30)}" in ${e.closest("table")?.querySelector("caption")?.textContent ?? e.parentElement?.tagName}`,
                      ),
                  )
                : [];
            expect(
              overflow,
              `${where} scrolls sideways by ${overflow}px: ${culprits.join(", ")}`,
            ).toBeLessThanOrEqual(1);
          }
        } finally {
          await context.close();
        }
      }
    });
  }

  it("shows every reason of the ranked caseload on the demo's data", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await signIn(page, LOGINS.admin);
      await page.goto(`${base}/caseload`);
      const body = (await page.locator("main").textContent()) ?? "";
      for (const reason of [
        "Conversazione urgente aperta",
        "Messaggio in attesa da",
        "Piano di rientro interrotto",
        "rate in ritardo",
        "Non raggiungibile su Telegram",
        "Morosità salita del",
        "Nessun contatto da",
      ]) {
        expect(body, reason).toContain(reason);
      }
    } finally {
      await context.close();
    }
  });

  it("is used by keyboard with no script: skip link first, the menu a bar on a laptop and folded on a phone", {
    timeout: 60_000,
  }, async () => {
    for (const viewport of [
      { width: 1280, height: 900 },
      { width: 375, height: 740 },
    ]) {
      // Scripts on (axe needs them) but the pages bring none: the menu works by HTML and CSS alone.
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      try {
        await signIn(page, LOGINS.coordinator);
        const where = `at ${viewport.width}px`;
        expect(await page.locator("script").count(), where).toBe(0);
        await page.keyboard.press("Tab");
        const skip = page.getByRole("link", { name: "Vai al contenuto" });
        await expect
          .poll(() => skip.evaluate((e) => e === document.activeElement), { message: where })
          .toBe(true);
        expect(await skip.isVisible(), where).toBe(true);
        await page.keyboard.press("Enter");
        await page.waitForURL(/#content$/);

        const menu = page.locator("nav.main summary");
        const caseload = page.getByRole("navigation", { name: "Menu principale" }).getByRole("link", {
          name: "Priorità",
        });
        if (viewport.width > 1000) {
          expect(await menu.isVisible(), where).toBe(false);
          expect(await caseload.isVisible(), where).toBe(true);
        } else {
          expect(await caseload.isVisible(), where).toBe(false);
          await menu.focus();
          await page.keyboard.press("Enter");
          await expect.poll(() => caseload.isVisible(), { message: where }).toBe(true);
          await expectNoAxeViolations(page, `the open menu ${where}`);
          expect(
            await page.evaluate(
              () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
            ),
          ).toBeLessThanOrEqual(1);
        }
        await caseload.focus();
        await page.keyboard.press("Enter");
        await page.waitForURL(/\/caseload$/);
        expect(await page.getByRole("heading", { level: 1 }).textContent(), where).toBe("Chi aiutare prima");
        expect(await page.locator("script").count(), where).toBe(0);
      } finally {
        await context.close();
      }
    }
  });

  it("keeps another office's family and case away from the demo's operator of Brescia", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await signIn(page, LOGINS.operator);
      expect((await page.goto(`${base}/households/${id.haddad}`))?.status()).toBe(404);
      expect((await page.goto(`${base}/cases/${id.haddadCase}`))?.status()).toBe(404);
      await page.goto(`${base}/cases`);
      expect(await page.locator("main").textContent()).not.toContain("Haddad");
    } finally {
      await context.close();
    }
  });
});

// Every page of the panel, as each role, in Chromium, on the demo's own data (so this also proves
// the demo fills every page): each answers, passes axe-core's WCAG 2.1 A/AA rules, and shows what the
// demo put there for that role's office — and, on a phone-sized screen, needs no sideways scrolling.
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { systemClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { prepareDemoDatabase } from "../core/demo/database.ts";
import { createLogger } from "../core/logger.ts";
import { createDeliveryQueue, type DeliveryQueue } from "../core/queues/delivery.ts";
import { expectNoAxeViolations } from "./support/axe.ts";
import { CHROMIUM_PATH, chromiumAvailable, launchBrowser } from "./support/browser.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";

let t: TestDatabase;
let redis: Redis;
let deliveryQueue: DeliveryQueue;
let app: FastifyInstance;
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

beforeAll(async () => {
  if (!chromiumAvailable())
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium`);
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
  id.haddadCase = (await t.db.case.findFirstOrThrow({ where: { householdId: id.haddad } })).id;
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  deliveryQueue = createDeliveryQueue(redis, testQueuePrefix());
  app = createAdminServer({
    config: loadConfig({ DATABASE_URL: t.url, BOT_USERNAME: "bussola_demo_bot" }),
    logger: createLogger({ level: "warn" }),
    db: t.db,
    clock: systemClock,
    deliveryQueue,
  });
  base = await app.listen({ port: 0, host: "127.0.0.1" });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await deliveryQueue?.obliterate({ force: true }).catch(() => undefined);
  await deliveryQueue?.close();
  await redis?.quit();
  await t?.drop();
});

async function signIn(page: Page, email: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Accedi" }).click();
  await page.waitForURL(/\/households/);
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
    ["/courses", "Corsi e incontri"],
  ];
  if (role === "coordinator") return staff;
  return [
    ...staff,
    [`/households/${id.haddad}`, "Famiglia Haddad"],
    [`/cases/${id.haddadCase}`, "rata di novembre"],
    ["/audit", "Registro"],
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
                        (e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().width)}px`,
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

// The staff pages in Chromium: an admin invites a new operator, the person opens the link, chooses a
// password and is signed in; /staff, an account's page, /account, /settings, /queues and the
// invitation page pass axe-core's WCAG 2.1 A/AA rules and do not scroll sideways on a phone.
import { Queue, Worker } from "bullmq";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { systemClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { createLogger } from "../core/logger.ts";
import { createDeliveryQueue } from "../core/queues/delivery.ts";
import { upsertStaff } from "../core/staff.ts";
import { expectNoAxeViolations } from "./support/axe.ts";
import { CHROMIUM_PATH, chromiumAvailable, launchBrowser } from "./support/browser.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";
import { testOffice } from "./support/offices.ts";

const PASSWORD = "una password lunga abbastanza";
const ADMIN = "admin.browser@example.org";
const NEW_PERSON = "nuova.operatrice@example.org";
const CHOSEN = "la mia frase segreta e lunga";

let t: TestDatabase;
let redis: Redis;
let prefix: string;
let app: FastifyInstance;
let base: string;
let browser: Browser;

beforeAll(async () => {
  if (!chromiumAvailable())
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium`);
  t = await createTestDatabase();
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  prefix = testQueuePrefix();
  const deliveryQueue = createDeliveryQueue(redis, prefix);
  const broadcasts = new Queue("broadcasts", { connection: redis, prefix });
  await testOffice(t.db);
  await upsertStaff(t.db, { email: ADMIN, role: "admin", password: PASSWORD });
  // A failed job, so the dashboard has a row with a Retry button.
  const worker = new Worker(
    "broadcasts",
    async () => {
      throw new Error("Too Many Requests: retry after 5");
    },
    { connection: redis.duplicate(), prefix },
  );
  const failed = new Promise<void>((resolve) => worker.on("failed", () => resolve()));
  await broadcasts.add("fan-out", { broadcastId: 3 }, { attempts: 1 });
  await failed;
  await worker.close();
  app = createAdminServer({
    config: loadConfig({ DATABASE_URL: t.url }),
    logger: createLogger({ level: "warn" }),
    db: t.db,
    clock: systemClock,
    deliveryQueue,
    queues: [deliveryQueue, broadcasts],
  });
  base = await app.listen({ port: 0, host: "127.0.0.1" });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await redis?.quit();
  await t?.drop();
});

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Accedi" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

async function expectNoSidewaysScroll(page: Page, where: string): Promise<void> {
  const overflow = await page.evaluate(() => {
    const limit = document.documentElement.clientWidth;
    const wide = Array.from(document.querySelectorAll("body *"))
      .filter((el) => el.getBoundingClientRect().right > limit + 1 || el.scrollWidth > el.clientWidth + 1)
      .map((el) => `${el.tagName}.${el.className}[${el.scrollWidth}/${el.clientWidth}]`)
      .slice(0, 5);
    return { by: document.documentElement.scrollWidth - limit, wide };
  });
  expect(overflow.by, `${where}: ${overflow.wide.join(", ")}`).toBeLessThanOrEqual(0);
}

describe("staff pages in Chromium", () => {
  it("invitation end to end: the admin adds a person, the link sets the password, the person is signed in", {
    timeout: 90_000,
  }, async () => {
    const adminContext = await browser.newContext();
    const admin = await adminContext.newPage();
    let link = "";
    try {
      await signIn(admin, ADMIN, PASSWORD);
      await admin.getByRole("link", { name: "Personale" }).click();
      await admin.waitForURL(`${base}/staff`);
      await expectNoAxeViolations(admin, "/staff");

      // Operator without an office: refused, with the reason.
      await admin.getByLabel("E-mail").fill(NEW_PERSON);
      await admin.getByLabel("Nome (firma delle risposte)").fill("Giulia");
      await admin.getByLabel("Ruolo").selectOption("operator");
      await admin.getByRole("button", { name: "Crea e genera l'invito" }).click();
      expect(await admin.getByRole("alert").textContent()).toContain("ha bisogno di un ufficio");
      await expectNoAxeViolations(admin, "/staff with a problem");

      await admin.getByLabel("Ufficio", { exact: true }).selectOption({ label: "Ufficio di prova (TEST)" });
      await admin.getByRole("button", { name: "Crea e genera l'invito" }).click();
      link = await admin.getByLabel("Link d'invito").inputValue();
      expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);
      await expectNoAxeViolations(admin, "/staff with the invitation link");
    } finally {
      await adminContext.close();
    }

    const personContext = await browser.newContext();
    const person = await personContext.newPage();
    try {
      await person.goto(link);
      expect(await person.getByRole("heading", { level: 1 }).textContent()).toBe("Scegli la tua password");
      await expectNoAxeViolations(person, "/invite");
      await person.getByLabel("Nuova password", { exact: true }).fill("corta");
      await person.getByLabel("Ripeti la nuova password").fill("corta");
      // The browser's own check (minlength) stops it first; the server says the same without it.
      await person.evaluate(() => document.querySelector("form")?.setAttribute("novalidate", ""));
      await person.getByRole("button", { name: "Salva la password ed entra" }).click();
      expect(await person.getByRole("alert").textContent()).toContain("troppo corta");
      await expectNoAxeViolations(person, "/invite with a problem");
      await person.getByLabel("Nuova password", { exact: true }).fill(CHOSEN);
      await person.getByLabel("Ripeti la nuova password").fill(CHOSEN);
      await person.getByRole("button", { name: "Salva la password ed entra" }).click();
      await person.waitForURL(`${base}/households?worker=mine`);
      expect(await person.locator(".who").textContent()).toContain(NEW_PERSON);

      await person.getByRole("link", { name: "Il tuo account" }).click();
      await person.waitForURL(`${base}/account`);
      await expectNoAxeViolations(person, "/account");
      await person.getByLabel("Password attuale").fill("sbagliata del tutto");
      await person.getByLabel("Nuova password", { exact: true }).fill(`${CHOSEN} due`);
      await person.getByLabel("Ripeti la nuova password").fill(`${CHOSEN} due`);
      await person.getByRole("button", { name: "Cambia la password" }).click();
      expect(await person.getByRole("alert").textContent()).toContain("La password attuale non è giusta.");
      await expectNoAxeViolations(person, "/account with a problem");

      // The used link is dead.
      await person.goto(link);
      expect(await person.getByRole("heading", { level: 1 }).textContent()).toBe("Invito non valido");
      await expectNoAxeViolations(person, "/invite used");
    } finally {
      await personContext.close();
    }
    const fresh = await browser.newContext();
    try {
      await signIn(await fresh.newPage(), NEW_PERSON, CHOSEN);
    } finally {
      await fresh.close();
    }
  });

  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 375, height: 740 },
  ]) {
    it(`every admin page passes axe and fits at ${viewport.width}px, in Italian and English`, {
      timeout: 90_000,
    }, async () => {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      try {
        await signIn(page, ADMIN, PASSWORD);
        const staffId = (await t.db.staff.findUniqueOrThrow({ where: { email: ADMIN } })).id;
        for (const lang of ["it", "en"]) {
          for (const path of ["/staff", `/staff/${staffId}`, "/account", "/settings", "/queues"]) {
            await page.goto(`${base}${path}?lang=${lang}`);
            const where = `${path} ${lang} at ${viewport.width}px`;
            await expectNoAxeViolations(page, where);
            await expectNoSidewaysScroll(page, where);
          }
        }
        if (viewport.width > 400) return;
        // On the phone, the Retry button works too (once: the job is then no longer failed).
        await page.goto(`${base}/queues?lang=it`);
        await page.getByRole("button", { name: /Riprova il lavoro \d+ della coda broadcasts/ }).click();
        await page.waitForURL(`${base}/queues?notice=retried`);
        expect(await page.getByRole("status").textContent()).toContain("Lavoro rimesso in coda.");
        await expectNoAxeViolations(page, "/queues after retry");
      } finally {
        await context.close();
      }
    });
  }
});

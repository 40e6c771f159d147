// The household access page in Chromium, as a coordinator and as an admin: from the households list
// to the page, unlink a member through the confirmation, void the unused codes; every page passes
// axe-core's WCAG 2.1 A/AA rules.
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { systemClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { issueLinkCode } from "../core/linking.ts";
import { createLogger } from "../core/logger.ts";
import { createDeliveryQueue, type DeliveryQueue } from "../core/queues/delivery.ts";
import { upsertStaff } from "../core/staff.ts";
import { expectNoAxeViolations } from "./support/axe.ts";
import { CHROMIUM_PATH, chromiumAvailable, launchBrowser } from "./support/browser.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";
import { testOffice } from "./support/offices.ts";

const PASSWORD = "una password lunga abbastanza";
const ROLES = [
  { role: "coordinator", email: "coordinatrice@example.org", contract: "BS-000501" },
  { role: "admin", email: "admin@example.org", contract: "BS-000502" },
] as const;

let t: TestDatabase;
let redis: Redis;
let deliveryQueue: DeliveryQueue;
let app: FastifyInstance;
let base: string;
let browser: Browser;

beforeAll(async () => {
  if (!chromiumAvailable())
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium`);
  t = await createTestDatabase();
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  deliveryQueue = createDeliveryQueue(redis, testQueuePrefix());
  let telegramId = 7000n;
  for (const { role, email, contract } of ROLES) {
    await upsertStaff(t.db, { email, role, password: PASSWORD, officeId: await testOffice(t.db) });
    const household = await t.db.household.create({
      data: {
        contractCode: contract,
        name: `Famiglia ${role}`,
        municipality: "Brescia",
        fiscalCode: "XXXXXX80A01B157X",
        address: "Via Roma 1",
      },
    });
    for (const [firstName, language] of [
      ["Maria", "it"],
      ["Amal", "ar"],
    ] as const) {
      telegramId++;
      await t.db.member.create({
        data: {
          telegramUserId: telegramId,
          chatId: telegramId,
          firstName,
          language,
          householdId: household.id,
          linkedAt: new Date("2026-11-02T09:30:00Z"),
          consentAt: new Date("2026-11-02T09:29:00Z"),
        },
      });
    }
    await issueLinkCode(t.db, contract, systemClock);
  }
  await testOffice(t.db);
  app = createAdminServer({
    config: loadConfig({ DATABASE_URL: t.url }),
    logger: createLogger({ level: "warn" }),
    db: t.db,
    clock: systemClock,
    deliveryQueue,
  });
  base = await app.listen({ port: 0, host: "127.0.0.1" });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await deliveryQueue?.obliterate({ force: true }).catch(() => undefined);
  await deliveryQueue?.close();
  await redis?.quit();
  await t?.drop();
});

describe("household access in Chromium", () => {
  it("has an axe helper that does fail on a violation", async () => {
    const page = await browser.newPage();
    try {
      await page.setContent(
        '<!doctype html><html lang="it"><title>x</title><main><img src="data:,"></main></html>',
      );
      await expect(expectNoAxeViolations(page, "bad page")).rejects.toThrow(/image-alt/);
    } finally {
      await page.close();
    }
  });

  for (const { role, email, contract } of ROLES) {
    it(`lets a person locked out by wrong codes try again, as ${role}, accessibly`, {
      timeout: 60_000,
    }, async () => {
      const locked = await t.db.member.create({
        data: {
          telegramUserId: role === "admin" ? 9102n : 9101n,
          chatId: 9100n,
          language: "ar",
          consentAt: new Date(),
        },
      });
      await t.db.linkAttempt.createMany({
        data: Array.from({ length: 5 }, (_, i) => ({
          telegramUserId: locked.telegramUserId,
          succeeded: false,
          at: new Date(Date.now() - (10 - i) * 60_000),
        })),
      });
      const context = await browser.newContext();
      const page = await context.newPage();
      try {
        await page.goto(`${base}/login`);
        await page.getByLabel("E-mail").fill(email);
        await page.getByLabel("Password").fill(PASSWORD);
        await page.getByRole("button", { name: "Accedi" }).click();
        await page.waitForURL(`${base}/households`);
        await page.getByRole("link", { name: "Persone bloccate dai codici errati" }).click();
        await page.waitForURL(`${base}/link-lockouts`);
        expect(await page.getByRole("table").textContent()).toContain(`persona n. ${locked.id}`);
        await expectNoAxeViolations(page, `lockouts (${role})`);
        await page.getByRole("button", { name: `Sblocca persona n. ${locked.id}` }).click();
        await page.waitForURL(`${base}/link-lockouts?notice=unlocked`);
        expect(await page.getByRole("status").textContent()).toContain("Persona sbloccata");
        await expectNoAxeViolations(page, `lockouts after unlocking (${role})`);
      } finally {
        await context.close();
      }
      expect(await t.db.linkAttempt.count({ where: { telegramUserId: locked.telegramUserId } })).toBe(0);
    });

    it(`takes access back as ${role}, accessibly`, { timeout: 90_000 }, async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      try {
        await page.goto(`${base}/login`);
        await page.getByLabel("E-mail").fill(email);
        await page.getByLabel("Password").fill(PASSWORD);
        await page.getByRole("button", { name: "Accedi" }).click();
        await page.waitForURL(`${base}/households`);

        await page.getByRole("link", { name: `Accesso in Telegram di ${contract}` }).click();
        await page.waitForURL(/\/households\/\d+\/access$/);
        await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toContain(contract);
        const rows = page.getByRole("table").getByRole("row");
        await expect.poll(() => rows.count()).toBe(3); // header and two members
        expect(await page.getByRole("table").textContent()).toContain("Amal");
        await expectNoAxeViolations(page, `access page (${role})`);

        await page.getByRole("link", { name: "Scollega Maria…" }).click();
        await page.waitForURL(/\/unlink\/\d+$/);
        await expectNoAxeViolations(page, `unlink confirmation (${role})`);
        await page.getByRole("button", { name: "Sì, scollega" }).click();
        await page.waitForURL(/\?done=unlinked$/);
        expect(await page.getByRole("status").textContent()).toContain("scollegata");
        await expect.poll(() => rows.count()).toBe(2);
        expect(await page.getByRole("table").textContent()).not.toContain("Maria");
        await expectNoAxeViolations(page, `access page after unlinking (${role})`);

        await page.getByRole("button", { name: "Annulla i codici non usati" }).click();
        await page.waitForURL(/\?done=codes&n=1$/);
        expect(await page.getByRole("status").textContent()).toContain("1 codice annullato.");
        await expectNoAxeViolations(page, `access page after voiding codes (${role})`);

        // In English too.
        await page.getByRole("link", { name: "English" }).click();
        await expect
          .poll(() => page.getByRole("heading", { level: 2 }).first().textContent())
          .toBe("Linked people");
        await expectNoAxeViolations(page, `access page in English (${role})`);
      } finally {
        await context.close();
      }
      const maria = await t.db.member.findFirstOrThrow({
        where: { telegramUserId: { gt: 7000n }, language: "it", linkedAt: null, household: null },
      });
      expect(maria.firstName).toBeNull();
      // Her notice waits in the delivery queue (no worker runs here).
      expect(
        await t.db.outboundMessage.count({
          where: { memberId: maria.id, purpose: { startsWith: "unlinked:" } },
        }),
      ).toBe(1);
    });
  }
});

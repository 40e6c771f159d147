// The admin panel served on a real port with its delivery queue, and Chromium to drive it: what the
// panel's browser tests start in beforeAll and stop in afterAll (the test database stays theirs).
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import type { Browser, Page } from "playwright-core";
import { createAdminServer } from "../../admin/server.ts";
import { systemClock } from "../../core/clock.ts";
import { loadConfig } from "../../core/config.ts";
import { createLogger } from "../../core/logger.ts";
import { createDeliveryQueue, type DeliveryQueue } from "../../core/queues/delivery.ts";
import { CHROMIUM_PATH, chromiumAvailable, launchBrowser } from "./browser.ts";
import { type TestDatabase, testQueuePrefix } from "./db.ts";

export type PanelInBrowser = {
  app: FastifyInstance;
  /** "http://127.0.0.1:PORT" */
  base: string;
  browser: Browser;
  deliveryQueue: DeliveryQueue;
  close(): Promise<void>;
};

/** `env` adds settings to the panel's configuration (e.g. BOT_USERNAME). */
export async function startPanelInBrowser(
  t: TestDatabase,
  env: Record<string, string> = {},
): Promise<PanelInBrowser> {
  if (!chromiumAvailable())
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium`);
  const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  const deliveryQueue = createDeliveryQueue(redis, testQueuePrefix());
  const app = createAdminServer({
    config: loadConfig({ DATABASE_URL: t.url, ...env }),
    logger: createLogger({ level: "warn" }),
    db: t.db,
    clock: systemClock,
    deliveryQueue,
  });
  const base = await app.listen({ port: 0, host: "127.0.0.1" });
  const browser = await launchBrowser();
  return {
    app,
    base,
    browser,
    deliveryQueue,
    async close() {
      await browser.close();
      await app.close();
      await deliveryQueue.obliterate({ force: true }).catch(() => undefined);
      await deliveryQueue.close();
      await redis.quit();
    },
  };
}

/** Signs in through the log-in form, as a person does, and waits for their home page. */
export async function signInPage(page: Page, base: string, email: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Accedi" }).click();
  await page.waitForURL(/\/households/);
}

// The admin panel in a real browser (Chromium): log in through the form, find households, log out;
// the deliveries page with its "send again" button; and the demo chat against the Telegram sandbox
// over HTTP.

import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { fixedClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { createLogger } from "../core/logger.ts";
import { formatMoney } from "../core/money.ts";
import { saveOffice } from "../core/offices/offices.ts";
import { createDeliveryQueue, type DeliveryQueue } from "../core/queues/delivery.ts";
import { createRedis } from "../core/queues/redis.ts";
import { upsertStaff } from "../core/staff.ts";
import { calendarDate } from "../core/time.ts";
import { type Sandbox, startSandbox } from "../sandbox/server.ts";
import { expectNoAxeViolations } from "./support/axe.ts";
import { CHROMIUM_PATH, chromiumAvailable, launchBrowser } from "./support/browser.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";

const EMAIL = "coordinatrice@example.org";
const PASSWORD = "una password lunga abbastanza";
/** The demo chat is for admins only. */
const ADMIN_EMAIL = "amministratrice@example.org";

let t: TestDatabase;
let sandbox: Sandbox;
let app: FastifyInstance;
let base: string;
let browser: Browser;
let redis: Redis;
let deliveryQueue: DeliveryQueue;

beforeAll(async () => {
  if (!chromiumAvailable())
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium`);
  t = await createTestDatabase();
  await upsertStaff(t.db, {
    email: EMAIL,
    role: "coordinator",
    password: PASSWORD,
  });
  await upsertStaff(t.db, { email: ADMIN_EMAIL, role: "admin", password: PASSWORD });
  const households = [
    ["BS-000101", "Famiglia Rossi", "Brescia", 123_456, 20_050],
    ["BS-000102", "Famiglia Esposito", "Brescia", 45_000, 0],
    ["CR-000201", "Famiglia Ahmed", "Cremona", 310_000, 42_075],
    ["MN-000301", "Famiglia Popescu", "Mantova", 88_020, 12_000],
  ] as const;
  for (const [contractCode, name, municipality, rentCents, chargesCents] of households) {
    const household = await t.db.household.create({
      data: { contractCode, name, municipality, fiscalCode: "XXXXXX80A01B157X", address: "Via Roma 1" },
    });
    await t.db.arrearsBalance.create({
      data: {
        householdId: household.id,
        rentCents,
        chargesCents,
        balanceDate: calendarDate(2026, 10, 31) as Date,
      },
    });
    if (contractCode === "BS-000101") {
      // Paid after ALER's figures: the list shows what is owed now, as /balance does.
      await t.db.payment.create({
        data: {
          householdId: household.id,
          paymentDate: calendarDate(2026, 11, 15) as Date,
          amountCents: 20_000,
          reference: "BONIFICO-101",
        },
      });
    }
  }
  // One office for all four municipalities, the coordinator's: cases are scoped to the office.
  const office = await saveOffice(t.db, {
    code: "ALER",
    name: "ALER",
    municipalities: ["Brescia", "Cremona", "Mantova"],
  });
  await t.db.staff.update({ where: { email: EMAIL }, data: { officeId: office.officeId } });
  sandbox = await startSandbox({ port: 0 });
  redis = createRedis("redis://127.0.0.1:6379");
  deliveryQueue = createDeliveryQueue(redis, testQueuePrefix());
  app = createAdminServer({
    deliveryQueue,
    config: loadConfig({ DATABASE_URL: t.url }),
    logger: createLogger({ level: "warn" }),
    db: t.db,
    clock: fixedClock(new Date("2026-11-27T10:00:00Z")),
    demo: { sandboxUrl: sandbox.url },
  });
  base = await app.listen({ port: 0, host: "127.0.0.1" });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await deliveryQueue?.obliterate({ force: true });
  await deliveryQueue?.close();
  await redis?.quit();
  await sandbox?.close();
  await t?.drop();
});

/** Fails the test on anything the Content-Security-Policy blocked or any script error. */
function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));
  return problems;
}

async function logIn(page: Page, email = EMAIL): Promise<void> {
  await page.goto(`${base}/`);
  await expect.poll(() => page.url()).toBe(`${base}/login`);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Accedi" }).click();
  await page.waitForURL(`${base}/households`);
}

describe("admin panel in Chromium", () => {
  it("logs in, lists and searches households, and logs out, without JavaScript", async () => {
    const context = await browser.newContext({
      javaScriptEnabled: false,
      viewport: { width: 1200, height: 800 },
    });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await logIn(page);

    expect(await page.locator("html").getAttribute("lang")).toBe("it");
    const rows = page.locator("tbody tr");
    expect(await rows.count()).toBe(4);
    const rossi = rows.filter({ hasText: "BS-000101" });
    expect(await rossi.locator("td").allTextContents()).toEqual([
      "BS-000101",
      "Famiglia Rossi",
      "Brescia",
      "Nessuno ancora", // no case worker yet
      `${formatMoney(123_506)}${formatMoney(143_506)} per ALER, meno ${formatMoney(20_000)} pagati dopo`,
      "31/10/2026",
      "0 · Accesso", // coordinators get the household's Telegram access page from here
    ]);
    await page.screenshot({ path: "/tmp/admin-households.png", fullPage: true });

    await page.getByRole("searchbox").fill("ahmed");
    await page.getByRole("button", { name: "Cerca" }).click();
    await page.waitForURL(/\/households\?q=ahmed$/);
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain("CR-000201");

    await page.getByRole("link", { name: "English" }).click();
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Households");
    await page.getByRole("link", { name: "Italiano" }).click();

    await page.setViewportSize({ width: 380, height: 800 });
    await page.goto(`${base}/households`);
    await page.screenshot({ path: "/tmp/admin-households-narrow.png", fullPage: true });

    await page.getByRole("button", { name: "Esci" }).click();
    await page.waitForURL(`${base}/login`);
    await page.goto(`${base}/households`);
    expect(page.url()).toBe(`${base}/login?next=%2Fhouseholds`);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("sends an uncertain message again from the deliveries page, accessibly (axe)", async () => {
    const message = await t.db.outboundMessage.create({
      data: {
        purpose: "broadcast:77:1",
        chatId: -100_77n,
        text: "TESTO-PERSONALE",
        status: "uncertain",
        lastError: "the worker stopped while sending",
        createdAt: new Date("2026-11-26T09:00:00Z"),
      },
    });
    // axe runs in the page, so JavaScript is on; the button is a plain form all the same.
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await logIn(page);
    await page.goto(`${base}/deliveries?status=uncertain`);
    await expectNoAxeViolations(page, "deliveries");
    expect(await page.content()).not.toContain("TESTO-PERSONALE");
    await page
      .getByRole("button", { name: `Invia di nuovo (messaggio n. ${message.id})` })
      .click({ timeout: 5000 });
    await page.waitForURL(`${base}/deliveries?status=uncertain&notice=resent`, { timeout: 5000 });
    expect(await page.getByRole("status").textContent()).toContain("di nuovo in coda");
    await expectNoAxeViolations(page, "deliveries after a resend");
    const stored = await t.db.outboundMessage.findUniqueOrThrow({ where: { id: message.id } });
    expect([stored.status, stored.uncertainResends]).toEqual(["queued", 1]);
    await page.setViewportSize({ width: 380, height: 800 });
    await page.screenshot({ path: "/tmp/admin-deliveries-narrow.png", fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it("answers and closes a case: the household's language and contacts shown, closing asked first (axe)", async () => {
    const household = await t.db.household.findUniqueOrThrow({ where: { contractCode: "CR-000201" } });
    const opened = await t.db.case.create({
      data: {
        householdId: household.id,
        topic: "debt",
        messages: {
          create: { author: "household", text: "Posso pagare a rate? <img src=x onerror=alert(1)>" },
        },
      },
    });
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await logIn(page);
    await page.goto(`${base}/cases/${opened.id}`);
    await expectNoAxeViolations(page, "a case");
    expect(await page.locator(".transcript").textContent()).toContain("<img src=x onerror=alert(1)>");
    expect(await page.locator("dl").textContent()).toContain(
      "Nessuna persona del nucleo è collegata al bot.",
    );

    await page.getByRole("link", { name: "Chiudi la conversazione" }).click();
    await page.waitForURL(`${base}/cases/${opened.id}/close`);
    await expectNoAxeViolations(page, "closing a case");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(
      `Chiudere la conversazione n. ${opened.id}?`,
    );
    await page.getByLabel("Il nucleo non ha più risposto").check();
    await page.getByRole("button", { name: "Sì, chiudi la conversazione" }).click();
    await page.waitForURL(`${base}/cases/${opened.id}?notice=closed&n=0`);
    expect(await page.getByRole("status").textContent()).toContain("avvisa il nucleo in un altro modo");
    await expectNoAxeViolations(page, "a closed case");
    expect(await t.db.case.findUniqueOrThrow({ where: { id: opened.id } })).toMatchObject({
      status: "closed",
      outcome: "no_answer",
    });
    await page.setViewportSize({ width: 380, height: 800 });
    await page.screenshot({ path: "/tmp/admin-case-narrow.png", fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it("browses and filters the audit log as an admin, accessibly (axe)", async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await logIn(page, ADMIN_EMAIL);
    await page.getByRole("link", { name: "Registro" }).click();
    await page.waitForURL(`${base}/audit`);
    await expectNoAxeViolations(page, "audit log");
    await page.getByLabel("Azione (per esempio case.viewed, o case. per tutte)").fill("staff.");
    await page.getByRole("button", { name: "Filtra" }).click();
    await page.waitForURL(/\/audit\?action=staff\.&/);
    expect(await page.locator("tbody").textContent()).toContain("staff.login");
    await page.getByLabel("Dal giorno", { exact: true }).fill("2026-12-08");
    await page.getByLabel("Al giorno", { exact: true }).fill("2026-12-01");
    await page.getByRole("button", { name: "Filtra" }).click();
    await expect.poll(() => page.locator("p.empty").count()).toBe(1);
    await expectNoAxeViolations(page, "audit log, nothing found");
    await page.setViewportSize({ width: 380, height: 800 });
    await page.screenshot({ path: "/tmp/admin-audit-narrow.png", fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it("chats as a demo household through the sandbox, with bot replies appearing by themselves", async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await logIn(page, ADMIN_EMAIL);

    await page.getByRole("link", { name: "Chat di prova" }).click();
    await page.waitForURL(`${base}/demo/chat`);
    const row = page.locator("tbody tr").filter({ hasText: "BS-000101" });
    await row.getByRole("button", { name: "Chatta come questo nucleo" }).click();
    await page.waitForURL(/\/demo\/chat\/\d+$/);
    const userId = Number(new URL(page.url()).pathname.split("/").at(-1));

    // The link command went out as the user, and the page masks its code.
    const messages = page.locator("#transcript .msg");
    await expect.poll(() => messages.first().textContent()).toContain("/start ••••••••");
    expect(await page.content()).not.toMatch(/\/start [A-Z2-9]{8}/);

    await page.getByLabel("Messaggio").fill("Ciao, quanto devo pagare? <b>non grassetto</b>");
    await page.getByRole("button", { name: "Invia" }).click();
    await page.waitForURL(`${base}/demo/chat/${userId}`);
    const mine = page.locator("#transcript .msg.user").last();
    expect(await mine.locator(".text").textContent()).toBe("Ciao, quanto devo pagare? <b>non grassetto</b>");
    expect(await mine.locator("b").count()).toBe(0);

    // What the bot would do: sendMessage on the sandbox's Bot API, in HTML parse mode.
    const sent = await fetch(`${sandbox.url}/bot${sandbox.token}/sendMessage`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        chat_id: userId,
        parse_mode: "HTML",
        text: "Il tuo debito è <b>1.435,06 €</b>.\nScrivi &lt;piano&gt; o premi un pulsante.",
        reply_markup: { inline_keyboard: [[{ text: "Vedi il piano", callback_data: "plan:show" }]] },
      }),
    });
    expect(sent.ok).toBe(true);
    // No reload: the page's script fetches the transcript every second.
    const reply = page.locator("#transcript .msg.bot").last();
    await expect.poll(() => reply.count(), { timeout: 5000 }).toBe(1);
    expect(await reply.locator("b").textContent()).toBe("1.435,06 €");
    expect(await reply.locator(".text").textContent()).toBe(
      "Il tuo debito è 1.435,06 €.\nScrivi <piano> o premi un pulsante.",
    );
    await page.screenshot({ path: "/tmp/admin-demo-chat.png", fullPage: true });

    // The inline button presses through the sandbox: the bot would receive the callback query.
    await reply.getByRole("button", { name: "Vedi il piano" }).click();
    await page.waitForURL(`${base}/demo/chat/${userId}`);
    expect(await page.locator(".error").count()).toBe(0);
    const updates = (await (await fetch(`${sandbox.url}/bot${sandbox.token}/getUpdates`)).json()) as {
      result: { callback_query?: { data?: string; from: { id: number } } }[];
    };
    const presses = updates.result.filter((u) => u.callback_query?.data === "plan:show");
    expect(presses.map((u) => u.callback_query?.from.id)).toEqual([userId]);

    expect(problems).toEqual([]);
    await context.close();
  });

  it("shows the chat as a phone would: its own scroll, Arabic right to left, files to download, the header following linking", async () => {
    const context = await browser.newContext({
      viewport: { width: 400, height: 740 },
      acceptDownloads: true,
    });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await logIn(page, ADMIN_EMAIL);
    await page.goto(`${base}/demo/chat`);
    const row = page.locator("tbody tr").filter({ hasText: "CR-000201" });
    await row.getByRole("button", { name: "Chatta come questo nucleo" }).click();
    await page.waitForURL(/\/demo\/chat\/\d+$/);
    const userId = Number(new URL(page.url()).pathname.split("/").at(-1));
    const status = page.locator("#chat-status");
    expect(await status.textContent()).toBe("Nessun nucleo collegato per ora");

    // The bot links the chat a moment later: the header follows, with no reload of the page.
    await page.evaluate(() => {
      (window as unknown as { stayed: boolean }).stayed = true;
    });
    const household = await t.db.household.findUniqueOrThrow({ where: { contractCode: "CR-000201" } });
    await t.db.member.create({
      data: {
        telegramUserId: BigInt(userId),
        chatId: BigInt(userId),
        householdId: household.id,
        consentAt: new Date(),
        linkedAt: new Date(),
      },
    });
    await expect
      .poll(() => status.textContent(), { timeout: 5000 })
      .toBe("Collegamento: Famiglia Ahmed (CR-000201)");
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);

    // What the bot would send: an Arabic answer, an Italian one, and two documents.
    const api = (method: string, init: RequestInit) =>
      fetch(`${sandbox.url}/bot${sandbox.token}/${method}`, init);
    const json = (body: unknown): RequestInit => ({
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(
      (await api("sendMessage", json({ chat_id: userId, text: "مرحبا! هذا ما عليك دفعه: 1.435,06 €" }))).ok,
    ).toBe(true);
    expect((await api("sendMessage", json({ chat_id: userId, text: "Ciao! Ecco cosa devi." }))).ok).toBe(
      true,
    );
    const exported = { readme: { about: "Questi sono i tuoi dati" }, note: "caffè <e> latte €" };
    const ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nEND:VCALENDAR\r\n";
    for (const [name, type, content] of [
      ["bussola-dati.json", "application/json", JSON.stringify(exported)],
      ["corso.ics", "text/calendar", ics],
    ] as const) {
      const form = new FormData();
      form.set("chat_id", String(userId));
      form.set("document", new Blob([content], { type }), name);
      expect((await api("sendDocument", { method: "POST", body: form })).ok).toBe(true);
    }
    const bot = page.locator("#transcript .msg.bot");
    await expect.poll(() => bot.count(), { timeout: 5000 }).toBe(4);
    const direction = (index: number) =>
      bot
        .nth(index)
        .locator(".text")
        .evaluate((el) => (el.matches(":dir(rtl)") ? "rtl" : "ltr"));
    expect([await direction(0), await direction(1)]).toEqual(["rtl", "ltr"]);

    // Each document downloads as the bot sent it, and parses.
    const download = async (name: string): Promise<string> => {
      const [file] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("link", { name: `Scarica ${name}` }).click(),
      ]);
      expect(file.suggestedFilename()).toBe(name);
      const chunks: Buffer[] = [];
      for await (const chunk of await file.createReadStream()) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    };
    expect(JSON.parse(await download("bussola-dati.json"))).toEqual(exported);
    expect(await download("corso.ics")).toBe(ics);
    // Only this chat's files, and only for admins' sessions of this page.
    const fileId = new URL(
      (await page.getByRole("link", { name: "Scarica corso.ics" }).getAttribute("href")) ?? "",
      base,
    ).pathname
      .split("/")
      .at(-1);
    const other = await page.request.get(`${base}/demo/chat/${userId + 1}/files/${fileId}`, {
      maxRedirects: 0,
    });
    expect(other.status()).toBe(404);

    // A long chat scrolls inside the phone; the box keeps its height and the message field stays in view.
    const phoneHeight = await page.locator(".phone").evaluate((el) => el.getBoundingClientRect().height);
    // Written by the person (the bot would be held to Telegram's one message a second per chat).
    for (let i = 1; i <= 30; i++) {
      const sent = await fetch(
        `${sandbox.url}/control/users/${userId}/send`,
        json({ text: `Messaggio ${i}` }),
      );
      expect(sent.ok).toBe(true);
    }
    await expect.poll(() => page.locator("#transcript .msg.user").count(), { timeout: 5000 }).toBe(31);
    const box = await page.locator("#transcript").evaluate((el) => ({
      scrolls: el.scrollHeight > el.clientHeight,
      atEnd: el.scrollHeight - el.scrollTop - el.clientHeight < 80,
    }));
    expect(box.scrolls).toBe(true);
    expect(await page.locator(".phone").evaluate((el) => el.getBoundingClientRect().height)).toBe(
      phoneHeight,
    );
    const field = await page.getByLabel("Messaggio").boundingBox();
    expect(field && field.y + field.height <= 740).toBe(true);
    await page.screenshot({ path: "/tmp/admin-demo-chat-phone.png" });
    await expectNoAxeViolations(page, "demo chat");

    // Another household: a phone of its own, not this member asked to move households.
    await page.goto(`${base}/demo/chat`);
    const next = page.locator("tbody tr").filter({ hasText: "BS-000102" });
    await next.getByRole("button", { name: "Chatta come questo nucleo" }).click();
    await page.waitForURL(/\/demo\/chat\/\d+$/);
    expect(Number(new URL(page.url()).pathname.split("/").at(-1))).not.toBe(userId);
    expect(problems).toEqual([]);
    await context.close();
  });
});

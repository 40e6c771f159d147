// The content area in Chromium, and end to end: a bot process already running in polling mode against
// the sandbox; a coordinator edits the /operator FAQ answer in the panel (preview as Telegram shows it,
// then save); the household's next /operator FAQ shows the new text, with no restart of the bot. Bad
// texts (an unclosed tag, a lost placeholder) are refused with the reason and change nothing; undo
// gives the old text back to the bot; every page passes axe as each role, on a laptop and a phone.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTENT_CHECK_MS } from "../core/content/sync.ts";
import { defaultText } from "../core/i18n.ts";
import { upsertStaff } from "../core/staff.ts";
import { type Sandbox, startSandbox } from "../sandbox/server.ts";
import type { TranscriptEntry } from "../sandbox/transcript.ts";
import { expectNoAxeViolations } from "./support/axe.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";
import { testOffice } from "./support/offices.ts";
import { type PanelInBrowser, signInPage, startPanelInBrowser } from "./support/panel-browser.ts";
import { type RunningProcess, startProcess } from "./support/processes.ts";
import { SandboxUser } from "./support/sandbox-user.ts";

const PASSWORD = "correct horse battery staple";
const LOGINS = {
  operator: "operatore.contenuti@aler.example",
  coordinator: "coordinatrice.contenuti@aler.example",
  admin: "admin.contenuti@aler.example",
};
const PAYMENT = "operator:faq.payment.answer";
const NEW_ANSWER =
  "💶 <b>Come pagare</b>\n\nPaga allo sportello di Via Cefalonia 10, dal lunedì al venerdì dalle 9 alle 12, oppure con pagoPA.";

let sandbox: Sandbox;
let t: TestDatabase;
let bot: RunningProcess;
let panel: PanelInBrowser;
let browser: Browser;
let household: SandboxUser;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
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
  const home = await t.db.household.create({
    data: {
      contractCode: "BS-008801",
      name: "Famiglia Testi",
      fiscalCode: "TSTFML80A01B157X",
      municipality: "Brescia",
      address: "Via Roma 1",
      language: "it",
    },
  });
  household = await SandboxUser.create(sandbox.url, { first_name: "Lia", language_code: "it" });
  await t.db.member.create({
    data: {
      telegramUserId: BigInt(household.id),
      chatId: BigInt(household.id),
      language: "it",
      householdId: home.id,
      linkedAt: new Date(),
      consentAt: new Date(),
    },
  });
  // The bot runs in a process of its own, started before any text is edited.
  bot = await startProcess(["main.ts", "--role", "bot"], {
    DATABASE_URL: t.url,
    QUEUE_PREFIX: testQueuePrefix(),
    TELEGRAM_BOT_TOKEN: sandbox.token,
    TELEGRAM_API_ROOT: sandbox.url,
    SESSION_SECRET: "content-browser-session-secret-content",
    BOT_MODE: "polling",
    QUIET_HOURS: "",
  });
  panel = await startPanelInBrowser(t);
  browser = panel.browser;
}, 120_000);

afterAll(async () => {
  await bot?.stop();
  await panel?.close();
  await sandbox?.close();
  await t?.drop();
});

/** /operator, then the payment question: the answer the household reads now. */
async function paymentAnswer(): Promise<TranscriptEntry> {
  const menu = await household.ask("/operator");
  expect(menu.text).toContain("Di cosa si tratta?");
  await household.press(menu.message_id, "op:faq:payment");
  const [answer] = await household.replies(1, 20_000);
  if (!answer) throw new Error("no answer");
  return answer as TranscriptEntry;
}

/** Telegram's plain text for one of our HTML texts (tags gone, entities decoded). */
function shown(htmlText: string): string {
  return htmlText
    .replace(/<[^>]*>/g, "")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

async function signedIn(role: keyof typeof LOGINS, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await signInPage(page, panel.base, LOGINS[role], PASSWORD);
  return page;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, CONTENT_CHECK_MS + 200));

describe("texts staff own, from the panel to the running bot", () => {
  it("shows an edited FAQ answer in the bot's next /operator, previewed first, without restarting the bot", {
    timeout: 120_000,
  }, async () => {
    const pid = bot.child.pid;
    const before = await paymentAnswer();
    expect(before.text).toBe(shown(defaultText("it", "operator", "faq.payment.answer") ?? ""));

    const page = await signedIn("coordinator");
    try {
      await page
        .getByRole("navigation", { name: "Menu principale" })
        .getByRole("link", { name: "Testi" })
        .click();
      await page.getByRole("link", { name: "Risposte alle domande frequenti (/operator)" }).click();
      await page.getByRole("link", { name: "Come pago? Ho perso il bollettino" }).click();
      await page.waitForURL(/\/content\/edit\?item=/);
      expect(new URL(page.url()).searchParams.get("item")).toBe(PAYMENT);
      const field = page.getByLabel("Il testo in italiano");
      expect(await field.inputValue()).toBe(defaultText("it", "operator", "faq.payment.answer"));

      // Preview: shown as Telegram would, not saved.
      await field.fill(NEW_ANSWER);
      await page.getByRole("button", { name: "Anteprima" }).click();
      const preview = page.locator(".tg-preview .msg");
      expect(await preview.textContent()).toBe(shown(NEW_ANSWER));
      expect(await preview.locator("b").textContent()).toBe("Come pagare");
      expect(await t.db.contentText.count()).toBe(0);
      expect((await paymentAnswer()).text).toBe(before.text);

      await page.getByLabel("Il testo in italiano").fill(NEW_ANSWER);
      await page.getByRole("button", { name: "Salva" }).click();
      await page.waitForURL(/notice=saved/);
      expect(await page.getByRole("status").textContent()).toContain("Testo salvato");
      await expectNoAxeViolations(page, "edit page after saving");
    } finally {
      await page.context().close();
    }

    await settle();
    const after = await paymentAnswer();
    expect(after.text).toBe(shown(NEW_ANSWER));
    expect(after.entities?.some((e) => e.type === "bold")).toBe(true);
    // Same process: nothing was restarted.
    expect(bot.child.pid).toBe(pid);
    expect(bot.child.exitCode).toBeNull();
  });

  it("refuses a text with an unclosed tag or a lost placeholder, says why, keeps what was typed, changes nothing", {
    timeout: 60_000,
  }, async () => {
    const versions = await t.db.contentVersion.count();
    const page = await signedIn("admin");
    try {
      await page.goto(`${panel.base}/content/edit?item=${encodeURIComponent(PAYMENT)}&language=it`);
      const unclosed = "💶 <b>Come pagare\n\nPaga allo sportello.";
      await page.getByLabel("Il testo in italiano").fill(unclosed);
      await page.getByRole("button", { name: "Salva" }).click();
      // Telegram's own error is in English: the panel says it in the staff's language.
      expect(await page.getByRole("alert").textContent()).toContain(
        "Telegram non accetta la formattazione: il tag <b> è aperto ma non chiuso: aggiungi </b>.",
      );
      expect(await page.getByLabel("Il testo in italiano").inputValue()).toBe(unclosed);
      await expectNoAxeViolations(page, "edit page refusing a text");

      // The preview refuses it too, with the same reason.
      await page.getByRole("button", { name: "Anteprima" }).click();
      const refused = (await page.getByRole("alert").textContent()) ?? "";
      expect(refused).toContain("il tag <b> è aperto ma non chiuso");
      expect(refused).not.toContain("Can't find end tag");
      expect(await page.locator(".tg-preview").count()).toBe(0);

      await page.goto(
        `${panel.base}/content/edit?item=${encodeURIComponent("operator:faq.solidarity.answer")}&language=en`,
      );
      await page.getByLabel("Il testo in inglese").fill("Up to 1,200 euros.");
      await page.getByRole("button", { name: "Salva" }).click();
      expect(await page.getByRole("alert").textContent()).toContain("Mancano questi segnaposto: {{amount}}");

      await page.getByLabel("Il testo in inglese").fill("Up to {{amount}} for {{household}}.");
      await page.getByRole("button", { name: "Salva" }).click();
      expect(await page.getByRole("alert").textContent()).toContain("{{household}}");
    } finally {
      await page.context().close();
    }
    expect(await t.db.contentVersion.count()).toBe(versions);
    await settle();
    expect((await paymentAnswer()).text).toBe(shown(NEW_ANSWER));
  });

  it("undoes: a restored version and the default reach the bot again", { timeout: 90_000 }, async () => {
    const page = await signedIn("coordinator");
    try {
      await page.goto(`${panel.base}/content/edit?item=${encodeURIComponent(PAYMENT)}&language=it`);
      await page.getByLabel("Il testo in italiano").fill("💶 Paga con pagoPA.");
      await page.getByRole("button", { name: "Salva" }).click();
      await page.waitForURL(/notice=saved/);
      await settle();
      expect((await paymentAnswer()).text).toBe("💶 Paga con pagoPA.");

      const first = await t.db.contentVersion.findFirstOrThrow({ where: { text: NEW_ANSWER } });
      await page.getByRole("button", { name: `Ripristina la versione n. ${first.id}` }).click();
      await page.waitForURL(/notice=restored/);
      await settle();
      expect((await paymentAnswer()).text).toBe(shown(NEW_ANSWER));

      await page.getByRole("button", { name: "Torna al testo predefinito" }).click();
      await page.waitForURL(/notice=reset/);
      expect(await page.getByRole("row").count()).toBe(5); // header + four versions
      await settle();
      expect((await paymentAnswer()).text).toBe(
        shown(defaultText("it", "operator", "faq.payment.answer") ?? ""),
      );
    } finally {
      await page.context().close();
    }
    const actions = await t.db.auditLog.findMany({
      where: { entityType: "content" },
      orderBy: { id: "asc" },
    });
    expect(actions.map((a) => a.action)).toEqual([
      "content.changed",
      "content.changed",
      "content.restored",
      "content.reset",
    ]);
  });

  it("passes axe on every page as each role, on a laptop and on a phone; operators are refused", {
    timeout: 240_000,
  }, async () => {
    const edit = (item: string, language: string) =>
      `/content/edit?item=${encodeURIComponent(item)}&language=${language}`;
    const pages: [string, string][] = [
      ["/content", "Testi per le famiglie"],
      ["/content/tips", "Consigli sul bilancio"],
      ["/content/faq", "Come pago?"],
      ["/content/documents", "ISEE"],
      ["/content/payment", "pagoPA"],
      ["/content/reminders", "Rata in arrivo"],
      ["/content/missing", "Traduzioni mancanti"],
      [edit(PAYMENT, "it"), "Cronologia"],
      [edit(PAYMENT, "ar"), "Il testo in italiano"],
      [edit("reminders:text.inst-before", "uk"), "{{amount}}"],
      [edit("budgetTips:rent_pay_first", "fr"), "Testo semplice"],
    ];
    for (const role of ["coordinator", "admin"] as const) {
      for (const viewport of [
        { width: 1280, height: 900 },
        { width: 375, height: 740 },
      ]) {
        const page = await signedIn(role, viewport);
        try {
          for (const [path, shows] of pages) {
            const where = `${role} ${path} at ${viewport.width}px`;
            const response = await page.goto(`${panel.base}${path}`);
            expect(response?.status(), where).toBe(200);
            expect(await page.locator("main").textContent(), where).toContain(shows);
            await expectNoAxeViolations(page, where);
            const overflow = await page.evaluate(
              () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
            );
            expect(overflow, `${where} scrolls sideways`).toBeLessThanOrEqual(1);
            expect(await page.locator("script").count(), where).toBe(0);
          }
        } finally {
          await page.context().close();
        }
      }
    }
    const page = await signedIn("operator");
    try {
      expect(await page.getByRole("link", { name: "Testi" }).count()).toBe(0);
      for (const [path] of pages) {
        expect((await page.goto(`${panel.base}${path}`))?.status(), path).toBe(403);
      }
      await expectNoAxeViolations(page, "operator refused");
    } finally {
      await page.context().close();
    }
  });
});

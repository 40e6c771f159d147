// The imports page in Chromium, as a coordinator: from the navigation to the page, a file with
// problems, then a good file uploaded through the form, checked and confirmed; every page passes
// axe-core's WCAG 2.1 A/AA rules.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ExcelJS from "exceljs";
import type { FastifyInstance } from "fastify";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { systemClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { createLogger } from "../core/logger.ts";
import { upsertStaff } from "../core/staff.ts";
import { expectNoAxeViolations } from "./support/axe.ts";
import { CHROMIUM_PATH, chromiumAvailable, launchBrowser } from "./support/browser.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { testOffice } from "./support/offices.ts";

const PASSWORD = "una password lunga abbastanza";
const EMAIL = "coordinatrice@example.org";
const GOOD = fileURLToPath(new URL("./fixtures/example-households.csv", import.meta.url));

let t: TestDatabase;
let app: FastifyInstance;
let base: string;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  if (!chromiumAvailable())
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium`);
  t = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), "bussola-imports-browser-"));
  await upsertStaff(t.db, {
    email: EMAIL,
    role: "coordinator",
    password: PASSWORD,
    officeId: await testOffice(t.db),
  });
  app = createAdminServer({
    config: loadConfig({ DATABASE_URL: t.url }),
    logger: createLogger({ level: "warn" }),
    db: t.db,
    clock: systemClock,
  });
  base = await app.listen({ port: 0, host: "127.0.0.1" });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await t?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function signIn(page: Page): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel("E-mail").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Accedi" }).click();
  await page.waitForURL(`${base}/households`);
}

describe("imports in Chromium", () => {
  it("checks a bad file, then uploads, checks and imports a good one, accessibly", {
    timeout: 90_000,
  }, async () => {
    const bad = join(dir, "piani-sbagliati.csv");
    await writeFile(
      bad,
      "contract_code;plan_code;installment_number;due_date;amount\nBS-1;P1;uno;31/02/2026;10\n",
    );
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${base}/login`);
      await page.getByLabel("E-mail").fill(EMAIL);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Accedi" }).click();
      await page.waitForURL(`${base}/households`);

      await page.getByRole("link", { name: "Importazioni" }).click();
      await page.waitForURL(`${base}/imports`);
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Importazioni");
      await expectNoAxeViolations(page, "imports page");

      // A file with problems: listed by line, nothing to confirm.
      await page.getByLabel("Piani di rientro").check();
      await page.getByLabel(/^File \(CSV o Excel/).setInputFiles(bad);
      await page.getByRole("button", { name: "Controlla il file" }).click();
      await expect.poll(() => page.getByRole("alert").textContent()).toContain("Riga 2");
      expect(await page.getByRole("alert").textContent()).toContain(
        "piani-sbagliati.csv non si può importare",
      );
      expect(await page.getByRole("button", { name: "Conferma e importa" }).count()).toBe(0);
      await expectNoAxeViolations(page, "imports page with problems");

      // A good file, through the same form.
      await page.getByLabel("Nuclei e morosità").check();
      await page.getByLabel(/^File \(CSV o Excel/).setInputFiles(GOOD);
      await page.getByRole("button", { name: "Controlla il file" }).click();
      const confirm = page.getByRole("button", { name: "Conferma e importa" });
      await confirm.waitFor();
      expect(await page.getByRole("status").textContent()).toContain("nessun problema");
      expect(await t.db.household.count()).toBe(0);
      await expectNoAxeViolations(page, "imports page after the dry run");

      await confirm.click();
      await page.waitForURL(`${base}/imports?notice=imported`);
      expect(await page.getByRole("status").textContent()).toContain("Importazione fatta");
      expect(await t.db.household.count()).toBeGreaterThan(0);
      const history = page.getByRole("table");
      expect(await history.textContent()).toContain("example-households.csv");
      expect(await history.textContent()).toContain(EMAIL);
      await expectNoAxeViolations(page, "imports page with its history");

      // In English too.
      await page.getByRole("link", { name: "English" }).click();
      await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Imports");
      await expectNoAxeViolations(page, "imports page in English");
    } finally {
      await context.close();
    }
  });

  it("lists an .xlsx file's broken row by row and column, imports nothing, then takes the file once mended", {
    timeout: 90_000,
  }, async () => {
    const header =
      "contract_code;household_name;fiscal_code;municipality;address;phone;language;arrears_rent;arrears_charges;balance_date".split(
        ";",
      );
    const good = [
      "XL-000001",
      "Famiglia Bianchi",
      "BNCMRA80A01B157Y",
      "Brescia",
      "Via Milano 3",
      "",
      "it",
      120.5,
      0,
    ];
    const sheetWith = async (name: string, second: (string | number | Date)[]): Promise<string> => {
      const book = new ExcelJS.Workbook();
      const sheet = book.addWorksheet("Foglio1");
      sheet.addRow(header);
      sheet.addRow([...good, new Date(Date.UTC(2026, 8, 30))]).getCell(10).numFmt = "dd/mm/yyyy";
      sheet.addRow(second);
      const path = join(dir, name);
      await book.xlsx.writeFile(path);
      return path;
    };
    // Row 3: an amount in words and a day that does not exist.
    const broken = await sheetWith("nuclei-rotti.xlsx", [
      "XL-000002",
      "Famiglia Verdi",
      "VRDLGU70B02B157Z",
      "Brescia",
      "Via Roma 1",
      "",
      "it",
      "dodici",
      0,
      "31/02/2026",
    ]);
    const mended = await sheetWith("nuclei.xlsx", [
      "XL-000002",
      "Famiglia Verdi",
      "VRDLGU70B02B157Z",
      "Brescia",
      "Via Roma 1",
      "",
      "it",
      12,
      0,
      "28/02/2026",
    ]);
    const before = await t.db.household.count();
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await signIn(page);
      await page.goto(`${base}/imports`);
      await page.getByLabel("Nuclei e morosità").check();
      await page.getByLabel(/^File \(CSV o Excel/).setInputFiles(broken);
      await page.getByRole("button", { name: "Controlla il file" }).click();
      await expect.poll(() => page.getByRole("alert").textContent()).toContain("Riga 3");
      const problems = (await page.getByRole("alert").textContent()) ?? "";
      expect(problems).toContain("nuclei-rotti.xlsx non si può importare");
      expect(problems).toContain("arrears_rent");
      expect(problems).toContain("balance_date");
      expect(problems).not.toContain("Riga 2");
      expect(await page.getByRole("button", { name: "Conferma e importa" }).count()).toBe(0);
      expect(await t.db.household.count()).toBe(before);
      await expectNoAxeViolations(page, "imports page, .xlsx with a broken row");

      await page.getByLabel("Nuclei e morosità").check();
      await page.getByLabel(/^File \(CSV o Excel/).setInputFiles(mended);
      await page.getByRole("button", { name: "Controlla il file" }).click();
      const confirm = page.getByRole("button", { name: "Conferma e importa" });
      await confirm.waitFor();
      expect(await t.db.household.count()).toBe(before);
      await confirm.click();
      await page.waitForURL(`${base}/imports?notice=imported`);
      const rows = await t.db.household.findMany({
        where: { contractCode: { startsWith: "XL-" } },
        select: { contractCode: true },
        orderBy: { contractCode: "asc" },
      });
      expect(rows.map((r) => r.contractCode)).toEqual(["XL-000001", "XL-000002"]);
    } finally {
      await context.close();
    }
  });

  it("says how far a large upload has gone, and works without JavaScript too", {
    timeout: 120_000,
  }, async () => {
    // 20,000 households (about 2.5 MB): long enough to check that the page says what is happening.
    const large = join(dir, "grande.csv");
    const header =
      "contract_code;household_name;fiscal_code;municipality;address;phone;language;arrears_rent;arrears_charges;balance_date";
    const rows = Array.from(
      { length: 20_000 },
      (_, i) =>
        `GR-${String(i).padStart(6, "0")};Famiglia di prova con un nome lungo;RSSMRA80A01B157X;Brescia;Via Roma ${i}, scala B;;it;1.234,56;0,00;30/09/2026`,
    );
    await writeFile(large, `${header}\n${rows.join("\n")}\n`);
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await signIn(page);
      await page.goto(`${base}/imports`);
      await page.getByLabel("Nuclei e morosità").check();
      await page.getByLabel(/^File \(CSV o Excel/).setInputFiles(large);
      await page.getByRole("button", { name: "Controlla il file" }).click();
      await expect
        .poll(() => page.locator("#upload-progress").textContent(), { timeout: 10_000, interval: 20 })
        .toMatch(/Caricamento del file: \d+%|Controllo in corso/);
      await page.getByRole("button", { name: "Conferma e importa" }).waitFor({ timeout: 90_000 });
      expect(await page.getByRole("status").first().textContent()).toContain("20000 righe");
      await expectNoAxeViolations(page, "imports page after a large dry run");
    } finally {
      await context.close();
    }

    const plain = await browser.newContext({ javaScriptEnabled: false });
    const noScript = await plain.newPage();
    try {
      await signIn(noScript);
      await noScript.goto(`${base}/imports`);
      await noScript.getByLabel("Pagamenti").check();
      await noScript.getByRole("button", { name: "Controlla il file" }).click();
      await noScript.waitForURL(`${base}/imports`);
      expect(await noScript.getByRole("alert").textContent()).toContain("Scegli un file da caricare.");
    } finally {
      await plain.close();
    }
  });
});

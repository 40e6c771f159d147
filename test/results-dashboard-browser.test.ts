// /results in Chromium on the demo's data: the filters as a plain GET form, the charts and tables,
// axe-core at laptop and phone widths, no sideways scrolling, and the page with scripts off.
import { readFile } from "node:fs/promises";
import ExcelJS from "exceljs";
import * as mupdf from "mupdf";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resultsSections } from "../admin/views/results/sections.ts";
import { systemClock } from "../core/clock.ts";
import { prepareDemoDatabase } from "../core/demo/database.ts";
import { createLogger } from "../core/logger.ts";
import { expectNoAxeViolations } from "./support/axe.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { type PanelInBrowser, signInPage, startPanelInBrowser } from "./support/panel-browser.ts";

/** Each section after awareness and arrears draws one chart, or says it has nothing to draw. */
const SECTIONS = resultsSections({ caseSlaHours: 8 }).length;
const chartsOrEmpty = async (page: Page) =>
  (await page.locator("figure.chart svg").count()) + (await page.locator("p.empty").count());
let t: TestDatabase;
let panel: PanelInBrowser;
let browser: Browser;
let password: string;
const LOGINS = {
  admin: "demo@bussola.local",
  coordinator: "coordinamento.brescia@bussola.local",
  operator: "operatore.brescia@bussola.local",
} as const;

beforeAll(async () => {
  t = await createTestDatabase();
  password = (
    await prepareDemoDatabase(t.db, t.url, { clock: systemClock, logger: createLogger({ level: "silent" }) })
  ).password;
  panel = await startPanelInBrowser(t);
  browser = panel.browser;
}, 120_000);

afterAll(async () => {
  await panel?.close();
  await t?.drop();
});

describe("/results in Chromium", () => {
  for (const role of ["operator", "coordinator", "admin"] as const) {
    it(`as ${role}: filters by GET, charts and tables, axe on a laptop and a phone`, {
      timeout: 120_000,
    }, async () => {
      for (const viewport of [
        { width: 1280, height: 900 },
        { width: 375, height: 740 },
      ]) {
        const context = await browser.newContext({ viewport });
        const page = await context.newPage();
        const where = `${role} at ${viewport.width}px`;
        try {
          await signInPage(page, panel.base, LOGINS[role], password);
          await page.goto(`${panel.base}/results`);
          expect(await page.locator("h1").textContent()).toBe("Risultati del programma");
          // Awareness's and arrears' three charts, then one per section (admin/views/results/sections.ts).
          expect(await chartsOrEmpty(page), where).toBe(3 + SECTIONS);
          expect(
            await page.locator('tr[data-figure^="awareness."], tr[data-figure^="arrears."]').count(),
            where,
          ).toBe(16);
          expect(await page.locator('tr[data-figure^="offices."]').count(), where).toBe(8);
          await expectNoAxeViolations(page, where);
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
          );
          expect(overflow, where).toBeLessThanOrEqual(1);
          // The form sends a plain GET: choose a municipality and a period, press Show.
          const municipality =
            (await page.locator("#municipality option").nth(1).getAttribute("value")) ?? "";
          await page.selectOption("#municipality", municipality);
          await page.fill("#from", "2026-01");
          await page.fill("#to", "2026-06");
          await page.getByRole("button", { name: "Mostra" }).click();
          await page.waitForURL(/\/results\?/);
          const url = new URL(page.url());
          expect(url.searchParams.get("municipality"), where).toBe(municipality);
          expect(await page.locator("tr[data-month]").count(), where).toBe(6);
          expect(await page.locator("#municipality").inputValue(), where).toBe(municipality);
          await expectNoAxeViolations(page, `${where}, filtered`);
          // The CSV link keeps the filter.
          const csvHref =
            (await page.getByRole("link", { name: "Scarica le cifre (CSV)" }).getAttribute("href")) ?? "";
          expect(csvHref).toContain("from=2026-01");
          expect(csvHref).toContain(`municipality=${encodeURIComponent(municipality).replace(/%20/g, "+")}`);
        } finally {
          await context.close();
        }
      }
    });
  }

  it("works with scripts off, in English and printed", { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await signInPage(page, panel.base, LOGINS.admin, password);
      await page.goto(`${panel.base}/results?lang=en`);
      expect(await page.locator("h1").textContent()).toBe("Programme results");
      expect(await chartsOrEmpty(page)).toBe(3 + SECTIONS);
      expect(await page.locator("#office option").count()).toBeGreaterThan(1);
      // Printed: the figures and charts, without the menu, the form or the download links.
      await page.emulateMedia({ media: "print" });
      expect(await page.locator("form.filters").isVisible()).toBe(false);
      expect(await page.locator("header").isVisible()).toBe(false);
      expect(await page.locator('tr[data-figure="arrears.now"]').isVisible()).toBe(true);
      expect(await page.locator("figure.chart svg").first().isVisible()).toBe(true);
    } finally {
      await context.close();
    }
  });

  it("the CSV, .xlsx and PDF downloaded from the page carry the page's figures", {
    timeout: 180_000,
  }, async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    try {
      await signInPage(page, panel.base, LOGINS.coordinator, password);
      await page.goto(`${panel.base}/results?from=2026-01&to=2026-06`);
      // The page's figures: label → value as shown ("3.716,72 €", "12", "37,6%").
      const shown = new Map<string, string>();
      for (const row of await page.locator("tr[data-figure]").all()) {
        const label = ((await row.locator("th").textContent()) ?? "").trim();
        shown.set(label, ((await row.locator("td").first().textContent()) ?? "").replace(/\s+/g, " ").trim());
      }
      expect(shown.size).toBeGreaterThan(10);
      const download = async (name: string) => {
        const [file] = await Promise.all([
          page.waitForEvent("download", { timeout: 60_000 }),
          page.getByRole("link", { name }).click(),
        ]);
        return readFile((await file.path()) as string);
      };
      const csv = new Map(
        (await download("Scarica le cifre (CSV)"))
          .toString("utf8")
          .replace(/^\uFEFF/, "")
          .trim()
          .split("\r\n")
          .slice(1)
          .map((line) => line.split(";"))
          .filter((cells) => cells[2] === "")
          .map((cells) => [cells[1] ?? "", { value: cells[3] ?? "", unit: cells[4] ?? "" }]),
      );
      const book = new ExcelJS.Workbook();
      await book.xlsx.load((await download("Scarica le cifre (Excel)")) as unknown as ArrayBuffer);
      const xlsx = new Map<string, ExcelJS.CellValue>();
      book.worksheets[0]?.eachRow((row, n) => {
        if (n > 1 && !row.getCell(3).value) xlsx.set(String(row.getCell(2).value), row.getCell(4).value);
      });
      const pdf = await download("Scarica il rapporto stampabile (PDF)");
      const doc = mupdf.Document.openDocument(pdf, "application/pdf");
      let text = "";
      for (let i = 0; i < doc.countPages(); i++)
        text += ` ${doc.loadPage(i).toStructuredText("preserve-whitespace").asText()}`;
      text = text.replace(/\s+/g, " ");
      // Euro written independently of the project's formatter: Intl's Italian grouping, two decimals.
      const euro = (cents: number) =>
        `${(cents / 100).toLocaleString("it-IT", { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: "always" })} €`;
      let compared = 0;
      for (const [label, value] of shown) {
        const row = csv.get(label);
        expect(row, label).toBeDefined();
        if (!row || value.includes("(")) continue;
        if (row.value === "") {
          // Nothing to divide by, or held back: a dash everywhere, an empty cell in the CSV.
          expect(value, label).toBe("—");
          expect(xlsx.get(label) ?? null, label).toBeNull();
          expect(text, label).toContain(`${label} —`);
          compared++;
          continue;
        }
        if (row.unit === "centesimi di euro") {
          expect(value, label).toBe(euro(Number(row.value)));
          expect(xlsx.get(label), label).toBe(Number(row.value) / 100);
        } else if (row.unit === "percentuale") {
          // The page rounds to one decimal; the exports keep the CSV's two.
          expect(xlsx.get(label), label).toBeCloseTo(Number(row.value) / 100, 6);
          expect(text, label).toContain(`${label} ${Number(row.value).toLocaleString("it-IT")}%`);
          compared++;
          continue;
        } else if (row.unit === "ore lavorative") {
          // Shown as hours and minutes on the page; hours with two decimals in the exports.
          const hours = `${Number(row.value).toLocaleString("it-IT", { minimumFractionDigits: 2 })} ore lavorative`;
          expect(text, label).toContain(`${label} ${hours}`);
          compared++;
          continue;
        } else {
          const decimals = row.unit === "ore" ? 2 : 0;
          expect(value, label).toBe(
            Number(row.value).toLocaleString("it-IT", { minimumFractionDigits: decimals }),
          );
          expect(xlsx.get(label), label).toBe(Number(row.value));
        }
        expect(text, label).toContain(`${label} ${value}${row.unit === "ore" ? " ore" : ""}`);
        compared++;
      }
      expect(compared).toBeGreaterThan(10);
    } finally {
      await context.close();
    }
  });
});

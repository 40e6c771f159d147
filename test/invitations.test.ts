// Invitation letters (core/invitations, admin/routes/invitations.ts), read back with third-party
// tools: MuPDF (WebAssembly, from npm) extracts each page's text and renders it, jsQR decodes the QR
// code of the rendered page. Each household's page has the Italian text and its own language's, its
// code once, the expiry date, and a QR code that is exactly the bot's deep link with that code. The
// routes, over Fastify's inject on a real database: coordinators and admins only, within their
// office (another office's household is a 404 and gets no code), bad choices answered in the page's
// language with nothing issued, and the codes in no audit entry and no server log line.
import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import jsqr from "jsqr";
import * as mupdf from "mupdf";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { fixedClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { translator } from "../core/i18n.ts";
import { MAX_INVITATIONS } from "../core/invitations/issue.ts";
import { deepLink, renderInvitations } from "../core/invitations/pdf.ts";
import { redeemLinkCode } from "../core/linking.ts";
import { createLogger } from "../core/logger.ts";
import { saveOffice } from "../core/offices/offices.ts";
import { upsertStaff } from "../core/staff.ts";
import { AdminClient, csrfOf } from "./support/admin-client.ts";
import { expectNoAxeViolations } from "./support/axe.ts";
import { CHROMIUM_PATH, chromiumAvailable, launchBrowser } from "./support/browser.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";

// jsqr is CommonJS with an ES-style default export: under NodeNext its function is `.default`.
const jsQR = jsqr.default;

const PASSWORD = "correct horse battery staple";
const BOT = "aler_bussola_bot";
const CONTACT = "ALER Brescia, Ufficio morosità, tel. 030 0000000 (lun-ven 9-12)";
const COORDINATOR_A = "coord.a@aler.example";
const COORDINATOR_B = "coord.b@aler.example";
const OPERATOR_A = "op.a@aler.example";
const ADMIN = "admin.inviti@aler.example";
const NOW = new Date("2026-12-07T15:00:00Z");
const EXPIRY = "21/12/2026";
const ODD_TOWN = "Gardone <script>alert(1)</script>";
/** Household codes: 8 of the alphabet, shown with a dash. */
const CODE = /\b[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}\b/g;

/** Office A's households in Brescia, one per language; the Romanian one has a linked member. */
const BRESCIA: { contract: string; language: string }[] = [
  { contract: "BS-100001", language: "it" },
  { contract: "BS-100002", language: "en" },
  { contract: "BS-100003", language: "ar" },
  { contract: "BS-100004", language: "fr" },
  { contract: "BS-100005", language: "es" },
  { contract: "BS-100006", language: "ro" },
  { contract: "BS-100007", language: "sq" },
  { contract: "BS-100008", language: "uk" },
];
const LINKED = "BS-100006";

let t: TestDatabase;
let app: FastifyInstance;
const logLines: string[] = [];
const ids = new Map<string, number>();
/** Every code seen in a PDF, to look for in the audit log and the server log. */
const seenCodes: string[] = [];

class Client extends AdminClient {
  constructor() {
    super(() => app);
  }

  async login(email: string): Promise<string> {
    expect((await this.signIn(email, PASSWORD)).statusCode).toBe(303);
    return csrfOf((await this.get("/cases")).body);
  }
}

async function household(contract: string, municipality: string, language: string): Promise<number> {
  const row = await t.db.household.create({
    data: {
      contractCode: contract,
      name: `Famiglia ${contract}`,
      fiscalCode: "RSSMRA80A01B157X",
      municipality,
      address: `Via Roma ${contract.slice(-2)}`,
      language,
    },
  });
  ids.set(contract, row.id);
  return row.id;
}

beforeAll(async () => {
  t = await createTestDatabase();
  for (const h of BRESCIA) await household(h.contract, "Brescia", h.language);
  await household("CR-200001", ODD_TOWN, "uk");
  await household("MN-300001", "Mantova", "en");
  await t.db.member.create({
    data: {
      telegramUserId: 9100n,
      chatId: 9100n,
      language: "ro",
      householdId: ids.get(LINKED) as number,
      linkedAt: NOW,
      consentAt: NOW,
    },
  });
  const a = await saveOffice(t.db, { code: "BS", name: "Brescia", municipalities: ["Brescia", ODD_TOWN] });
  const b = await saveOffice(t.db, { code: "MN", name: "Mantova", municipalities: ["Mantova"] });
  await upsertStaff(t.db, {
    email: COORDINATOR_A,
    role: "coordinator",
    password: PASSWORD,
    officeId: a.officeId,
  });
  await upsertStaff(t.db, { email: OPERATOR_A, role: "operator", password: PASSWORD, officeId: a.officeId });
  await upsertStaff(t.db, {
    email: COORDINATOR_B,
    role: "coordinator",
    password: PASSWORD,
    officeId: b.officeId,
  });
  await upsertStaff(t.db, { email: ADMIN, role: "admin", password: PASSWORD });
  const destination = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  app = createAdminServer({
    config: loadConfig({ DATABASE_URL: t.url, BOT_USERNAME: `@${BOT}`, AUTHORITY_CONTACT: CONTACT }),
    logger: createLogger({ level: "trace", destination }),
    db: t.db,
    clock: fixedClock(NOW),
  });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await t?.drop();
});

type Page = { text: string; qr: string | null };

/** Each page's text (whitespace folded) and its QR code, decoded from the page rendered at 2×. */
function readPdf(pdf: Buffer): Page[] {
  const doc = mupdf.Document.openDocument(pdf, "application/pdf");
  const pages: Page[] = [];
  for (let i = 0; i < doc.countPages(); i++) {
    const page = doc.loadPage(i);
    const text = page.toStructuredText("preserve-whitespace").asText().replace(/\s+/g, " ");
    const pixmap = page.toPixmap(mupdf.Matrix.scale(2, 2), mupdf.ColorSpace.DeviceRGB, false, true);
    const [width, height, rgb] = [pixmap.getWidth(), pixmap.getHeight(), pixmap.getPixels()];
    const rgba = new Uint8ClampedArray(width * height * 4);
    for (let p = 0; p < width * height; p++) {
      rgba[p * 4] = rgb[p * 3] as number;
      rgba[p * 4 + 1] = rgb[p * 3 + 1] as number;
      rgba[p * 4 + 2] = rgb[p * 3 + 2] as number;
      rgba[p * 4 + 3] = 255;
    }
    pages.push({ text, qr: jsQR(rgba, width, height)?.data ?? null });
  }
  return pages;
}

const fold = (text: string) => text.replace(/\s+/g, " ").trim();

function codesOn(page: Page): string[] {
  return page.text.match(CODE) ?? [];
}

function expectLetter(page: Page, language: string): string {
  const it = translator("it", "invitations");
  for (const key of ["title", "intro", "stepsTitle", "step1", "step3", "helpTitle"]) {
    expect(page.text).toContain(fold(it(key)));
  }
  expect(page.text).toContain(fold(it("step2", { bot: `@${BOT}` })));
  expect(page.text).toContain(fold(it("expiry", { date: EXPIRY })));
  expect(page.text).toContain(`Valido fino al ${EXPIRY}`);
  expect(page.text).toContain(fold(CONTACT));
  const codes = codesOn(page);
  // The code once, and nowhere else in the text (the link is only in the QR code).
  expect(codes).toHaveLength(1);
  const code = codes[0] as string;
  expect(page.text).not.toContain(code.replace("-", ""));
  expect(page.qr).toBe(`https://t.me/${BOT}?start=${code.replace("-", "")}`);
  const other = translator(language, "invitations");
  if (language === "ar") {
    // MuPDF puts right-to-left lines back in reading order; a word with a lam-alef ligature may come
    // out with those two letters swapped (the ligature is one glyph), so most words, not all.
    const words = ["title", "intro", "step1", "step2", "expiry", "codeLabel"]
      .flatMap((key) => other(key, { bot: "", date: "" }).match(/[\u0621-\u064A]+/g) ?? [])
      .filter((w) => w.length > 2);
    const flat = page.text.replace(/[\s\u064B-\u0652]/g, "");
    const found = words.filter((w) => flat.includes(w));
    expect(found.length / words.length).toBeGreaterThan(0.9);
    expect(page.text).toContain(other("codeLabel"));
  } else if (language !== "it") {
    for (const key of ["title", "intro", "stepsTitle", "step1", "step3", "codeLabel", "helpTitle"]) {
      expect(page.text).toContain(fold(other(key)));
    }
    expect(page.text).toContain(fold(other("expiry", { date: EXPIRY })));
    expect(page.text).toContain(other("validUntil", { date: EXPIRY }));
    expect(page.text).toContain(fold(other("step2", { bot: `@${BOT}` })));
  } else {
    // Italian only: no second section.
    expect(page.text).not.toContain(translator("en", "invitations")("title"));
  }
  seenCodes.push(code);
  return code;
}

describe("the letters", () => {
  it("are one page per household: Italian and the household's language, the code once, its expiry and a QR code of the deep link", async () => {
    const client = new Client();
    const csrf = await client.login(COORDINATOR_A);
    const before = await t.db.linkCode.count();
    const response = await client.post("/invitations", { _csrf: csrf, municipality: "Brescia" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("application/pdf");
    expect(response.headers["content-disposition"]).toBe(
      'attachment; filename="bussola-inviti-2026-12-07.pdf"',
    );
    expect(response.headers["cache-control"]).toBe("no-store");
    const pages = readPdf(response.rawPayload);
    expect(pages).toHaveLength(BRESCIA.length);
    expect(await t.db.linkCode.count()).toBe(before + BRESCIA.length);
    for (const h of BRESCIA) {
      const page = pages.find((p) => p.text.includes(`Contratto ${h.contract}`));
      expect(page, h.contract).toBeDefined();
      expectLetter(page as Page, h.language);
    }
    // Every code works once, for its own household: the Arabic-speaking family's links that family.
    const arabic = pages.find((p) => p.text.includes("Contratto BS-100003")) as Page;
    const linked = await redeemLinkCode(
      t.db,
      { telegramUserId: 9200, chatId: 9200, language: "ar" },
      codesOn(arabic)[0] as string,
      fixedClock(NOW),
    );
    expect(linked).toMatchObject({ status: "linked", householdId: ids.get("BS-100003") });
  });

  it("are filtered to households with nobody linked, and a new letter voids the older unused code", async () => {
    const client = new Client();
    const csrf = await client.login(COORDINATOR_A);
    const household = ids.get("BS-100002") as number;
    const response = await client.post("/invitations", {
      _csrf: csrf,
      municipality: "Brescia",
      onlyUnlinked: "1",
    });
    expect(response.statusCode).toBe(200);
    const pages = readPdf(response.rawPayload);
    // The Romanian family (a member linked) and the Arabic one (linked in the test before) are left out.
    expect(pages).toHaveLength(BRESCIA.length - 2);
    expect(pages.some((p) => p.text.includes(LINKED))).toBe(false);
    expect(pages.some((p) => p.text.includes("BS-100003"))).toBe(false);
    for (const page of pages) expect(codesOn(page)).toHaveLength(1);
    // One code outstanding per household: the first letter's code no longer works.
    const unused = await t.db.linkCode.count({
      where: { householdId: household, usedAt: null, revokedAt: null, expiresAt: { gt: NOW } },
    });
    expect(unused).toBe(1);
  });

  it("print any household's language: Italian-only, unknown language and a long contact still fit one page", async () => {
    const letters = ["it", "xx", "uk", "ar"].map((language, i) => ({
      householdId: i + 1,
      contractCode: `T-${i}`,
      name: "Famiglia con un nome molto lungo ".repeat(3),
      address: "Via della Stazione Vecchia 123, scala B, interno 45",
      municipality: "San Zeno Naviglio",
      language,
      code: "ABCD-2345",
      expiresAt: NOW,
    }));
    const pdf = await renderInvitations(letters, { botUsername: BOT, authorityContact: "x ".repeat(150) });
    const pages = readPdf(pdf);
    expect(pages).toHaveLength(4);
    for (const page of pages) expect(page.qr).toBe(deepLink(BOT, "ABCD-2345"));
    expect(pages[1]?.text).not.toContain("Bussola: the ALER programme");
    expect(pages[1]?.text).toContain("Bussola: il programma ALER su Telegram");
  });
});

describe("the invitations routes", () => {
  it("are for coordinators and admins: operators are refused and nothing is issued", async () => {
    const before = await t.db.linkCode.count();
    const operator = new Client();
    const csrf = await operator.login(OPERATOR_A);
    expect((await operator.get("/invitations")).statusCode).toBe(403);
    expect((await operator.post("/invitations", { _csrf: csrf, municipality: "Brescia" })).statusCode).toBe(
      403,
    );
    const one = await operator.post(`/households/${ids.get("BS-100001")}/invitation`, { _csrf: csrf });
    expect(one.statusCode).toBe(403);
    // Without the form's CSRF token, nobody.
    const coordinator = new Client();
    await coordinator.login(COORDINATOR_A);
    expect((await coordinator.post("/invitations", { municipality: "Brescia" })).statusCode).toBe(403);
    expect(await t.db.linkCode.count()).toBe(before);
  });

  it("offer the municipalities of the person's office, escaped", async () => {
    const client = new Client();
    await client.login(COORDINATOR_A);
    const page = await client.get("/invitations");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<option value="Brescia">');
    expect(page.body).not.toContain("Mantova");
    expect(page.body).not.toContain("<script>alert(1)");
    expect(page.body).toContain("Gardone &lt;script&gt;alert(1)&lt;/script&gt;");
    expect((await client.get("/households")).body).toContain('href="/invitations"');
  });

  it("answer 404 for another office's household (or none) and issue nothing; an admin prints it", async () => {
    const mantova = ids.get("MN-300001") as number;
    const client = new Client();
    const csrf = await client.login(COORDINATOR_A);
    const before = await t.db.linkCode.count();
    for (const path of [
      `/households/${mantova}/invitation`,
      "/households/999999/invitation",
      "/households/x/invitation",
    ]) {
      const response = await client.post(path, { _csrf: csrf });
      expect(response.statusCode, path).toBe(404);
      expect(response.headers["content-type"]).toContain("text/html");
    }
    expect(await t.db.linkCode.count()).toBe(before);

    const admin = new Client();
    const adminCsrf = await admin.login(ADMIN);
    const response = await admin.post(`/households/${mantova}/invitation`, { _csrf: adminCsrf });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-disposition"]).toBe(
      `attachment; filename="bussola-invito-${mantova}-2026-12-07.pdf"`,
    );
    const [page] = readPdf(response.rawPayload);
    expectLetter(page as Page, "en");
    // Their own coordinator too.
    const b = new Client();
    const bCsrf = await b.login(COORDINATOR_B);
    expect((await b.post(`/households/${mantova}/invitation`, { _csrf: bCsrf })).statusCode).toBe(200);
  });

  it("refuse a municipality the person does not see, an empty choice and too many, in the page's language, issuing nothing", async () => {
    const client = new Client();
    const csrf = await client.login(COORDINATOR_A);
    const before = await t.db.linkCode.count();
    for (const municipality of ["Mantova", "Atlantide"]) {
      const response = await client.post("/invitations", { _csrf: csrf, municipality });
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain("Questo comune non è tra quelli dei nuclei che vedi");
    }
    // Every Romanian-speaking… every household of Brescia linked? The odd town's one is linked now.
    await t.db.member.create({
      data: {
        telegramUserId: 9300n,
        chatId: 9300n,
        language: "uk",
        householdId: ids.get("CR-200001") as number,
        linkedAt: NOW,
      },
    });
    const empty = await client.post("/invitations?lang=en", {
      _csrf: csrf,
      municipality: ODD_TOWN,
      onlyUnlinked: "1",
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain("No household matches the choice: no letter prepared, no code issued.");
    expect(empty.body).toContain('<option value="Gardone &lt;script&gt;alert(1)&lt;/script&gt;" selected>');
    expect(empty.body).toContain('name="onlyUnlinked" value="1" checked');

    const officeId = (await t.db.office.findFirstOrThrow({ where: { code: "BS" } })).id;
    await t.db.household.createMany({
      data: Array.from({ length: MAX_INVITATIONS + 1 }, (_, i) => ({
        contractCode: `BS-9${String(i).padStart(5, "0")}`,
        name: `Famiglia ${i}`,
        fiscalCode: "RSSMRA80A01B157X",
        municipality: "Brescia",
        address: "Via Lunga 1",
        officeId,
      })),
    });
    const tooMany = await client.post("/invitations?lang=it", { _csrf: csrf, municipality: "" });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.body).toContain(`La scelta comprende ${BRESCIA.length + 1 + MAX_INVITATIONS + 1} nuclei`);
    expect(await t.db.linkCode.count()).toBe(before);
  });

  it("keep the codes out of the audit log and the server log; the audit has ids and counts", async () => {
    expect(seenCodes.length).toBeGreaterThan(8);
    const entries = await t.db.auditLog.findMany({
      where: { action: { in: ["linkcode.issued", "invitations.printed"] } },
    });
    const printed = entries.filter((e) => e.action === "invitations.printed");
    expect(printed.length).toBeGreaterThanOrEqual(4);
    expect(printed[0]?.details).toEqual({ letters: BRESCIA.length, olderVoided: 0, onlyUnlinked: false });
    expect(entries.filter((e) => e.action === "linkcode.issued").length).toBeGreaterThanOrEqual(
      seenCodes.length,
    );
    const audited = JSON.stringify(await t.db.auditLog.findMany());
    const logged = logLines.join("");
    expect(logged).toContain("/invitations");
    for (const code of seenCodes) {
      for (const form of [code, code.replace("-", "")]) {
        expect(audited).not.toContain(form);
        expect(logged).not.toContain(form);
      }
    }
  });
});

describe("the invitations page in Chromium", () => {
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
  });

  it("passes axe and downloads the letters with no script", async () => {
    if (!chromiumAvailable()) throw new Error(`Chromium not found at ${CHROMIUM_PATH}`);
    const base = await app.listen({ port: 0, host: "127.0.0.1" });
    browser = await launchBrowser();
    const context = await browser.newContext({ javaScriptEnabled: false, acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill("#email", COORDINATOR_A);
    await page.fill("#password", PASSWORD);
    await Promise.all([page.waitForURL(/\/(cases|households|)$/), page.click("button[type=submit]")]);
    await page.goto(`${base}/invitations`);
    const axePage = await (await browser.newContext()).newPage();
    await axePage.setContent(await page.content());
    await expectNoAxeViolations(axePage, "/invitations");
    await page.selectOption("#municipality", ODD_TOWN);
    await page.uncheck("#onlyUnlinked");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click("form[action='/invitations'] button"),
    ]);
    expect(download.suggestedFilename()).toBe("bussola-inviti-2026-12-07.pdf");
  }, 60_000);
});

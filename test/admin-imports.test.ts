// Imports from the admin panel (Fastify's inject, real PostgreSQL): who may use the page, the dry run
// and the confirm of a good CSV and of an .xlsx with a broken row, the kept file applied once and only
// by its uploader, and bad input answered in the staff's language with nothing changed.
import { readFile } from "node:fs/promises";
import ExcelJS from "exceljs";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { systemClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { HOUSEHOLD_COLUMNS } from "../core/imports/households.ts";
import { createLogger } from "../core/logger.ts";
import { upsertStaff } from "../core/staff.ts";
import { StaffClient } from "./support/admin-client.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";

const PASSWORD = "correct horse battery staple";
const OPERATOR = "operatrice@example.org";
const COORDINATOR = "coordinatore@example.org";
const ADMIN = "admin@example.org";
const FISCAL = "RSSMRA80A01B157X";

let t: TestDatabase;
let app: FastifyInstance;
let goodCsv: Buffer;

class Client extends StaffClient {
  constructor() {
    super(() => app, PASSWORD);
  }
  check(kind: string | null, file?: { name: string; content: Buffer | string }) {
    return this.upload("/imports", { _csrf: this.csrf, ...(kind ? { kind } : {}) }, file);
  }
  confirm(token: string) {
    return this.post("/imports/confirm", { _csrf: this.csrf, token });
  }
}
const signedIn = (email: string) => new Client().login(email);

const tokenOf = (body: string) => {
  const match = /name="token" value="([^"]+)"/.exec(body);
  if (!match?.[1]) throw new Error("no confirm form in the page");
  return match[1];
};
/** The page's text, as a person reads it. */
const text = (markup: string) =>
  markup
    .replace(/<[^>]+>/g, "")
    .replaceAll("&#39;", "'")
    .replaceAll("&quot;", '"');

async function workbook(rows: ExcelJS.CellValue[][]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet("Foglio1");
  rows.forEach((cells, i) => {
    cells.forEach((value, c) => {
      sheet.getRow(i + 1).getCell(c + 1).value = value;
    });
  });
  return Buffer.from(await book.xlsx.writeBuffer());
}
const householdRow = (code: string, rent: ExcelJS.CellValue = 10): ExcelJS.CellValue[] => [
  code,
  "Famiglia",
  FISCAL,
  "Brescia",
  "Via Roma 1",
  null,
  "it",
  rent,
  0,
  "30/09/2026",
];

beforeAll(async () => {
  t = await createTestDatabase();
  // The smallest limit there is, so "too large" costs little to send.
  app = createAdminServer({
    config: loadConfig({ DATABASE_URL: t.url, IMPORT_MAX_MB: "1" }),
    logger: createLogger({ level: "silent" }),
    db: t.db,
    clock: systemClock,
  });
  await app.ready();
  for (const [email, role] of [
    [OPERATOR, "operator"],
    [COORDINATOR, "coordinator"],
    [ADMIN, "admin"],
  ] as const) {
    await upsertStaff(t.db, { email, role, password: PASSWORD });
  }
  goodCsv = await readFile(new URL("./fixtures/example-households.csv", import.meta.url));
}, 60_000);

afterAll(async () => {
  await app?.close();
  await t?.drop();
});

const householdCount = () => t.db.household.count();
const importAudits = () => t.db.auditLog.count({ where: { action: { startsWith: "import." } } });

describe("who may import", () => {
  it("GET /imports: visitors log in first, operators are refused, coordinators and admins see it", async () => {
    const visitor = await new Client().get("/imports");
    expect(visitor.statusCode).toBe(303);
    expect(visitor.headers.location).toBe(`/login?next=${encodeURIComponent("/imports")}`);
    const operator = await signedIn(OPERATOR);
    expect((await operator.get("/imports")).statusCode).toBe(403);
    expect((await operator.get("/households")).body).not.toContain('href="/imports"');
    for (const email of [COORDINATOR, ADMIN]) {
      const staff = await signedIn(email);
      const page = await staff.get("/imports");
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('enctype="multipart/form-data"');
      expect((await staff.get("/households")).body).toContain('href="/imports"');
    }
  });

  it("POST /imports and /imports/confirm: visitors to the log-in, operators refused, nothing changed", async () => {
    const visitor = new Client();
    const upload = await visitor.upload(
      "/imports",
      { kind: "households" },
      { name: "a.csv", content: goodCsv },
    );
    expect(upload.statusCode).toBe(303);
    expect(upload.headers.location).toBe("/login");
    const confirm = await visitor.post("/imports/confirm", { token: "x" });
    expect(confirm.statusCode).toBe(303);
    expect(confirm.headers.location).toBe("/login");

    const operator = await signedIn(OPERATOR);
    expect((await operator.check("households", { name: "a.csv", content: goodCsv })).statusCode).toBe(403);
    const coordinator = await signedIn(COORDINATOR);
    const token = tokenOf((await coordinator.check("households", { name: "a.csv", content: goodCsv })).body);
    expect((await operator.confirm(token)).statusCode).toBe(403);
    expect(await householdCount()).toBe(0);
    expect(await t.db.importUpload.count()).toBe(1);
    await t.db.importUpload.deleteMany();
  });

  for (const email of [COORDINATOR, ADMIN]) {
    it(`${email.split("@")[0]}: dry run then confirm of a good CSV, applied once`, async () => {
      await t.db.household.deleteMany();
      const staff = await signedIn(email);
      const checked = await staff.check("households", { name: "famiglie-settembre.csv", content: goodCsv });
      expect(checked.statusCode).toBe(200);
      const page = text(checked.body);
      expect(page).toContain("famiglie-settembre.csv: controllo riuscito");
      expect(page).toMatch(/Nuclei e morosità: \d+ righe, nessun problema/);
      expect(checked.body).toContain("Conferma e importa");
      const rows = goodCsv.toString("utf8").trim().split("\n").length - 1;
      // The counts: every household new.
      expect(page).toMatch(new RegExp(`Nuclei\\s*${rows}\\s*0\\s*0`));
      expect(await householdCount()).toBe(0);
      const before = await importAudits();

      const token = tokenOf(checked.body);
      const applied = await staff.confirm(token);
      expect(applied.statusCode).toBe(303);
      expect(applied.headers.location).toBe("/imports?notice=imported");
      expect(await householdCount()).toBe(rows);
      expect(await t.db.importUpload.count()).toBe(0);
      expect(await importAudits()).toBe(before + 1);
      const entry = await t.db.auditLog.findFirstOrThrow({ orderBy: { id: "desc" } });
      expect(entry.action).toBe("import.households");
      expect(entry.details).toMatchObject({ file: "famiglie-settembre.csv", rows });
      const history = text((await staff.get("/imports?notice=imported")).body);
      expect(history).toContain("Importazione fatta");
      expect(history).toContain(email);
      expect(history).toContain("famiglie-settembre.csv");

      // The same confirm again (a reload, a second click): nothing happens twice.
      const again = await staff.confirm(token);
      expect(again.statusCode).toBe(410);
      expect(text(again.body)).toContain("non è più disponibile");
      expect(await importAudits()).toBe(before + 1);
      expect(await householdCount()).toBe(rows);
    });
  }
});

describe("the kept file", () => {
  it("two confirms at once apply it once", async () => {
    await t.db.household.deleteMany();
    const staff = await signedIn(ADMIN);
    const token = tokenOf((await staff.check("households", { name: "a.csv", content: goodCsv })).body);
    const before = await importAudits();
    const answers = await Promise.all([staff.confirm(token), staff.confirm(token), staff.confirm(token)]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([303, 410, 410]);
    expect(await importAudits()).toBe(before + 1);
  });

  it("refuses another staff member's token, an expired one and a made-up one, changing nothing", async () => {
    await t.db.household.deleteMany();
    const coordinator = await signedIn(COORDINATOR);
    const admin = await signedIn(ADMIN);
    const token = tokenOf((await coordinator.check("households", { name: "a.csv", content: goodCsv })).body);
    const other = await admin.confirm(token);
    expect(other.statusCode).toBe(403);
    expect(text(other.body)).toContain("un'altra persona");
    expect(await householdCount()).toBe(0);
    expect(await t.db.importUpload.count()).toBe(1);

    // One character changed (never to itself), none, and far too many.
    const changed = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    for (const tampered of [changed, "", "x".repeat(5000)]) {
      const answer = await coordinator.confirm(tampered);
      expect(answer.statusCode).toBe(410);
    }
    await t.db.importUpload.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await coordinator.confirm(token);
    expect(expired.statusCode).toBe(410);
    expect(text(expired.body)).toContain("scaduta");
    expect(await householdCount()).toBe(0);

    // The uploader's own, fresh token still works.
    const fresh = tokenOf((await coordinator.check("households", { name: "a.csv", content: goodCsv })).body);
    expect((await coordinator.confirm(fresh)).statusCode).toBe(303);
    expect(await householdCount()).toBeGreaterThan(0);
    // The expired file went when the next one came.
    expect(await t.db.importUpload.count()).toBe(0);
  });
});

describe("bad input, answered and changing nothing", () => {
  it("an .xlsx with broken rows: every problem by its row number, nothing kept", async () => {
    await t.db.household.deleteMany();
    const staff = await signedIn(COORDINATOR);
    const xlsx = await workbook([
      [...HOUSEHOLD_COLUMNS],
      householdRow("XB-1"),
      householdRow("XB-2", "dodici"),
      householdRow("XB-3"),
      [...householdRow("XB-4").slice(0, 9), "31/02/2026"],
    ]);
    const answer = await staff.check("households", { name: "rotto.xlsx", content: xlsx });
    expect(answer.statusCode).toBe(422);
    const page = text(answer.body);
    expect(page).toContain("rotto.xlsx non si può importare");
    expect(page).toContain("Ci sono 2 problemi");
    expect(page).toContain('Riga 3: arrears_rent "dodici" is not an amount (write 1.234,56 or 1234.56)');
    expect(page).toContain('Riga 5: balance_date "31/02/2026" is not a valid date');
    expect(answer.body).not.toContain("Conferma e importa");
    expect(await householdCount()).toBe(0);
    expect(await t.db.importUpload.count()).toBe(0);
  });

  it("caps the list as the command line does", async () => {
    const staff = await signedIn(ADMIN);
    const lines = [
      "contract_code;household_name;fiscal_code;municipality;address;phone;language;arrears_rent;arrears_charges;balance_date",
    ];
    for (let i = 0; i < 1005; i++) lines.push(`C-${i};F;${FISCAL};Brescia;Via;;it;x;0;30/09/2026`);
    const answer = await staff.check("households", { name: "molti.csv", content: lines.join("\n") });
    expect(answer.statusCode).toBe(422);
    expect(answer.body.match(/<li>/g)?.length).toBe(1000);
    expect(text(answer.body)).toContain("… e ancora 5 problemi.");
  });

  it("not a spreadsheet, an empty file, no file, no kind, too large, no CSRF token", async () => {
    const staff = await signedIn(COORDINATOR);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    const notXlsx = await staff.check("households", { name: "foto.xlsx", content: png });
    expect(notXlsx.statusCode).toBe(422);
    expect(text(notXlsx.body)).toContain("the name ends in .xlsx but this is not an Excel workbook");
    const old = await staff.check("plans", {
      name: "vecchio.xls",
      content: Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]),
    });
    expect(old.statusCode).toBe(422);
    expect(text(old.body)).toContain("Riga 1: an Excel 97-2003 workbook (.xls)");
    const empty = await staff.check("payments", { name: "vuoto.csv", content: "" });
    expect(empty.statusCode).toBe(422);
    expect(text(empty.body)).toContain("Riga 1: the file is empty");

    const noFile = await staff.check("households", { name: "", content: "" });
    expect(noFile.statusCode).toBe(400);
    expect(text(noFile.body)).toContain("Scegli un file da caricare.");
    const noKind = await staff.check(null, { name: "a.csv", content: goodCsv });
    expect(noKind.statusCode).toBe(400);
    expect(text(noKind.body)).toContain("Scegli che file è");
    const badKind = await staff.check("staff", { name: "a.csv", content: goodCsv });
    expect(badKind.statusCode).toBe(400);
    const tooLarge = await staff.check("households", {
      name: "enorme.csv",
      content: Buffer.alloc(1024 * 1024 + 1, 0x41),
    });
    expect(tooLarge.statusCode).toBe(413);
    expect(text(tooLarge.body)).toContain("al massimo 1 MB");
    const noCsrf = await staff.upload(
      "/imports",
      { kind: "households" },
      { name: "a.csv", content: goodCsv },
    );
    expect(noCsrf.statusCode).toBe(403);
    expect(await t.db.importUpload.count()).toBe(0);
  });

  it("answers in English for staff who chose it", async () => {
    const staff = await signedIn(ADMIN);
    await staff.get("/imports?lang=en");
    const noKind = await staff.check(null, { name: "a.csv", content: goodCsv });
    expect(text(noKind.body)).toContain("Choose what file it is");
    const gone = await staff.confirm("A".repeat(43));
    expect(text(gone.body)).toContain("This import is no longer available");
    const broken = await staff.check("courses", { name: "corsi.csv", content: "course_code;title\nX;Y\n" });
    expect(broken.statusCode).toBe(422);
    expect(text(broken.body)).toContain("corsi.csv cannot be imported");
    expect(text(broken.body)).toContain("Line 1: missing columns");
  });
});

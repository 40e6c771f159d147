// Spreadsheets as Excel and Excel-Italian users save them (issue 11): .xlsx workbooks for every
// import, CSV in Windows-1252, Excel's `sep=;` line. Through the real command line; workbooks are
// written here with exceljs (the library the reader uses) and read back by a second library,
// read-excel-file, to check that both see the same cells.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { readSheet } from "read-excel-file/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOUSEHOLD_COLUMNS } from "../core/imports/households.ts";
import { readSpreadsheet } from "../core/imports/spreadsheet.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { runCli } from "./support/processes.ts";

const SLOW = { timeout: 120_000 };
const FISCAL = "RSSMRA80A01H501U";

let t: TestDatabase;
let dir: string;

beforeAll(async () => {
  t = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), "bussola-import-xlsx-"));
});
afterAll(async () => {
  await t?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function cli(args: string[]) {
  const run = await runCli(args, { DATABASE_URL: t.url });
  const lines = (text: string) => text.split("\n").filter((line) => line !== "");
  return { code: run.code, out: lines(run.stdout), err: lines(run.stderr) };
}

type Cell = ExcelJS.CellValue;
/** A workbook whose first sheet holds `rows` from row 1 (null: an empty row); dates shown dd/mm/yyyy. */
async function workbook(name: string, rows: (Cell[] | null)[], dateFormat = "dd/mm/yyyy"): Promise<string> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet("Foglio1");
  rows.forEach((cells, i) => {
    if (!cells) return;
    const row = sheet.getRow(i + 1);
    cells.forEach((value, c) => {
      const cell = row.getCell(c + 1);
      cell.value = value;
      const isDateFormula =
        typeof value === "object" &&
        value !== null &&
        "formula" in value &&
        String(value.formula).startsWith("DATE");
      if (value instanceof Date || isDateFormula) cell.numFmt = dateFormat;
    });
  });
  // A second sheet (notes): only the first one is the spreadsheet.
  book.addWorksheet("Note").getCell("A1").value = "contract_code";
  const path = join(dir, name);
  await book.xlsx.writeFile(path);
  return path;
}

/** Excel's serial day number (1900 system) of a calendar date. */
const serial = (y: number, m: number, d: number) =>
  (Date.UTC(y, m - 1, d) - Date.UTC(1899, 11, 30)) / 86_400_000;
const utcDay = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));

const HEADER_CELLS: Cell[] = [...HOUSEHOLD_COLUMNS];

describe(".xlsx", () => {
  it(
    "imports households with dates and amounts as Excel cells or as text, on Excel's row numbers, once",
    SLOW,
    async () => {
      const path = await workbook("households.xlsx", [
        HEADER_CELLS.map((c) => String(c).toUpperCase()),
        [
          "XL-1",
          "Famiglia Città",
          FISCAL,
          "Brescia",
          "Via Roma 1",
          "+39 333 1234567",
          "it",
          1234.56,
          0,
          utcDay(2026, 9, 30),
        ],
        null,
        [
          "XL-2",
          "Famiglia Perché",
          FISCAL,
          "Brescia",
          "Via Po 2",
          393331112223,
          "EN",
          "1.234,56",
          "10,5",
          "30/09/2026",
        ],
        [
          "XL-3",
          { richText: [{ text: "Famiglia " }, { text: "Ricca", font: { bold: true } }] },
          FISCAL,
          "Mantova",
          "Via Verdi 3",
          null,
          null,
          { formula: "100+0.1+0.2", result: 100.30000000000001 },
          { formula: "2+3", result: 5 },
          { formula: "DATE(2026,9,30)", result: serial(2026, 9, 30) },
        ],
      ]);
      const run = await cli(["import:households", path]);
      expect(run.err).toEqual([]);
      expect(run.out).toEqual([
        `Imported ${path}: 3 rows.`,
        "households: 3 created, 0 updated, 0 unchanged",
        "balances: 3 created, 0 updated, 0 unchanged",
      ]);
      const stored = await t.db.household.findMany({
        where: { contractCode: { startsWith: "XL-" } },
        orderBy: { contractCode: "asc" },
        include: { balances: true },
      });
      expect(
        stored.map((h) => [
          h.contractCode,
          h.name,
          h.phone,
          h.language,
          h.balances.map((b) => [b.rentCents, b.chargesCents, b.balanceDate.toISOString().slice(0, 10)]),
        ]),
      ).toEqual([
        ["XL-1", "Famiglia Città", "+393331234567", "it", [[123456, 0, "2026-09-30"]]],
        ["XL-2", "Famiglia Perché", "393331112223", "en", [[123456, 1050, "2026-09-30"]]],
        ["XL-3", "Famiglia Ricca", null, "it", [[10030, 500, "2026-09-30"]]],
      ]);
      const again = await cli(["import:households", path, "--dry-run"]);
      expect(again.out.slice(1)).toEqual([
        "households: 0 created, 0 updated, 3 unchanged",
        "balances: 0 created, 0 updated, 3 unchanged",
      ]);

      // A second reader of the same workbook sees the same cells.
      const ours = await readSpreadsheet(
        await import("node:fs").then((fs) => fs.readFileSync(path)),
        HOUSEHOLD_COLUMNS,
      );
      if (!ours.ok) throw new Error("expected the workbook to read");
      const theirs = (await readSheet(path)).slice(1).filter((row) => row.some((cell) => cell !== null));
      const asText = (cell: unknown) =>
        cell === null || cell === undefined
          ? ""
          : cell instanceof Date
            ? cell.toISOString().slice(0, 10)
            : typeof cell === "number"
              ? String(Number(cell.toPrecision(15)))
              : String(cell);
      expect(theirs.map((row) => HOUSEHOLD_COLUMNS.map((_, i) => asText(row[i])))).toEqual(
        ours.rows.map((row) => HOUSEHOLD_COLUMNS.map((column) => row.values[column])),
      );
      expect(ours.rows.map((row) => row.line)).toEqual([2, 4, 5]);
    },
  );

  it(
    "rejects a workbook with broken rows, every problem on its Excel row, changing nothing",
    SLOW,
    async () => {
      const good = (code: string): Cell[] => [
        code,
        "Famiglia",
        FISCAL,
        "Brescia",
        "Via Roma 1",
        null,
        "it",
        10,
        0,
        utcDay(2026, 9, 30),
      ];
      const path = await workbook("broken.xlsx", [
        null,
        HEADER_CELLS,
        good("XB-1"),
        null,
        ["XB-2", "Famiglia", FISCAL, "Brescia", "Via Roma 1", null, "it", "dodici", 0, utcDay(2026, 9, 30)],
        good("XB-3"),
        ["XB-4", "Famiglia", FISCAL, "Brescia", "Via Roma 1", null, "it", 10, 0, "31/02/2026"],
        [...good("XB-5"), null, "nota a margine"],
        [
          "XB-6",
          "Famiglia",
          FISCAL,
          "Brescia",
          "Via Roma 1",
          null,
          "it",
          10,
          { error: "#N/A" },
          utcDay(2026, 9, 30),
        ],
      ]);
      const run = await cli(["import:households", path]);
      expect(run.code).toBe(1);
      expect(run.out).toEqual([]);
      expect(run.err).toEqual([
        `${path}:5: arrears_rent "dodici" is not an amount (write 1.234,56 or 1234.56)`,
        `${path}:7: balance_date "31/02/2026" is not a valid date`,
        `${path}:8: a value in column L, which has no name in the header (the header has 10 columns)`,
        `${path}:9: arrears_charges "#N/A" is not an amount (write 1.234,56 or 1234.56)`,
      ]);
      expect(await t.db.household.count({ where: { contractCode: { startsWith: "XB-" } } })).toBe(0);
    },
  );

  it(
    "refuses a file that says .xlsx but is not, a damaged workbook, and an old .xls, in one line",
    SLOW,
    async () => {
      const csv = join(dir, "not-really.xlsx");
      await writeFile(
        csv,
        `${HOUSEHOLD_COLUMNS.join(";")}\nXN-1;Famiglia;${FISCAL};Brescia;Via Roma 1;;it;10;0;30/09/2026\n`,
      );
      const named = await cli(["import:households", csv]);
      expect(named.code).toBe(1);
      expect(named.err).toEqual([
        `${csv}: the name ends in .xlsx but this is not an Excel workbook (open it in Excel and save it as .xlsx)`,
      ]);

      const whole = await import("node:fs").then((fs) => fs.readFileSync(join(dir, "households.xlsx")));
      const cut = join(dir, "cut.xlsx");
      await writeFile(cut, whole.subarray(0, Math.floor(whole.length / 2)));
      const damaged = await cli(["import:payments", cut]);
      expect(damaged.code).toBe(1);
      expect(damaged.err).toEqual([
        `${cut}:1: not a readable Excel workbook (.xlsx): open it in Excel and save it again`,
      ]);

      const xls = join(dir, "old.xls");
      await writeFile(
        xls,
        Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(600)]),
      );
      const old = await cli(["import:plans", xls]);
      expect(old.code).toBe(1);
      expect(old.err).toEqual([
        `${xls}:1: an Excel 97-2003 workbook (.xls): save it as Excel Workbook (.xlsx) or CSV`,
      ]);
      expect(await t.db.household.count({ where: { contractCode: "XN-1" } })).toBe(0);
    },
  );

  it("imports plans, payments, courses and documents from workbooks too", SLOW, async () => {
    const plans = await workbook("plans.xlsx", [
      ["contract_code", "plan_code", "installment_number", "due_date", "amount"],
      ["XL-1", "PX-1", 1, utcDay(2026, 10, 31), 100],
      ["XL-1", "PX-1", 2, utcDay(2026, 11, 30), "100,50"],
    ]);
    const planRun = await cli(["import:plans", plans]);
    expect(planRun.err).toEqual([]);
    expect(planRun.code).toBe(0);
    const installments = await t.db.installment.findMany({ orderBy: { number: "asc" } });
    expect(installments.map((i) => [i.number, i.dueDate.toISOString().slice(0, 10), i.amountCents])).toEqual([
      [1, "2026-10-31", 10000],
      [2, "2026-11-30", 10050],
    ]);

    const payments = await workbook("payments.xlsx", [
      ["contract_code", "payment_date", "amount", "reference"],
      ["XL-1", utcDay(2026, 10, 20), 100, 2026001],
    ]);
    const paymentRun = await cli(["import:payments", payments]);
    expect(paymentRun.err).toEqual([]);
    expect(await t.db.payment.findMany({ select: { reference: true, amountCents: true } })).toEqual([
      { reference: "2026001", amountCents: 10000 },
    ]);

    // A date with a time of day is Rome's wall-clock time: 09:30 on 09/12/2026 is 08:30 UTC.
    const courses = await workbook(
      "courses.xlsx",
      [
        [
          "course_code",
          "title",
          "description",
          "municipality",
          "session_start",
          "session_end",
          "location",
          "capacity",
        ],
        [
          "CX-1",
          "Cucina",
          "Corso di cucina",
          "Brescia",
          new Date(Date.UTC(2026, 11, 9, 9, 30)),
          "09/12/2026 11:30",
          "Via Roma 1",
          12,
        ],
      ],
      "dd/mm/yyyy hh:mm",
    );
    const courseRun = await cli(["import:courses", courses]);
    expect(courseRun.err).toEqual([]);
    const session = await t.db.courseSession.findFirstOrThrow();
    expect([session.startsAt.toISOString(), session.endsAt.toISOString(), session.capacity]).toEqual([
      "2026-12-09T08:30:00.000Z",
      "2026-12-09T10:30:00.000Z",
      12,
    ]);

    const documents = await workbook("documents.xlsx", [
      ["contract_code", "document", "status", "deadline"],
      ["XL-1", "isee", "requested", utcDay(2026, 11, 15)],
      ["XL-2", "contract", "verified", null],
    ]);
    const documentRun = await cli(["import:documents", documents]);
    expect(documentRun.err).toEqual([]);
    expect(documentRun.out[1]).toBe("documents: 2 created, 0 updated, 0 unchanged");
    const isee = await t.db.householdDocument.findFirstOrThrow({ where: { requirement: { key: "isee" } } });
    expect([isee.status, isee.dueDate?.toISOString().slice(0, 10)]).toEqual(["requested", "2026-11-15"]);
  });
});

/** Text as Windows-1252 bytes: Latin-1 letters are one byte each, and € and ’ have their own. */
function cp1252(text: string): Buffer {
  const special: Record<string, number> = { "€": 0x80, "’": 0x92 };
  return Buffer.from([...text].map((char) => special[char] ?? (char.codePointAt(0) as number)));
}

describe("CSV as Excel-Italian saves it", () => {
  it(
    "reads Windows-1252 with accents and €, after a sep=; line, on the file's own line numbers",
    SLOW,
    async () => {
      const text = [
        "sep=;",
        HOUSEHOLD_COLUMNS.join(";"),
        `CP-1;Famiglia Città;${FISCAL};Forlì;Via dell’Università 1;;it;1.234,56 €;€ 10,00;30/09/2026`,
        `CP-2;Famiglia Perchè;${FISCAL};Brescia;Via Po 2;;it;12,00;0;2026-09-30`,
      ].join("\r\n");
      const bytes = cp1252(text);
      // The bytes really are what Excel writes: not UTF-8, and Windows-1252 gives the text back.
      expect(() => new TextDecoder("utf-8", { fatal: true }).decode(bytes)).toThrow();
      expect(new TextDecoder("windows-1252").decode(bytes)).toBe(text);
      const path = join(dir, "excel-italiano.csv");
      await writeFile(path, bytes);
      const run = await cli(["import:households", path]);
      expect(run.err).toEqual([]);
      expect(run.out[1]).toBe("households: 2 created, 0 updated, 0 unchanged");
      const stored = await t.db.household.findMany({
        where: { contractCode: { startsWith: "CP-" } },
        orderBy: { contractCode: "asc" },
        include: { balances: true },
      });
      expect(
        stored.map((h) => [
          h.name,
          h.municipality,
          h.address,
          h.balances[0]?.rentCents,
          h.balances[0]?.chargesCents,
        ]),
      ).toEqual([
        ["Famiglia Città", "Forlì", "Via dell’Università 1", 123456, 1000],
        ["Famiglia Perchè", "Brescia", "Via Po 2", 1200, 0],
      ]);

      // A bad row is reported on the file's line (the sep= line is line 1).
      const bad = join(dir, "excel-italiano-bad.csv");
      await writeFile(bad, cp1252(text.replace("12,00;0;2026", "dodici;0;2026")));
      const rejected = await cli(["import:households", bad]);
      expect(rejected.err).toEqual([
        `${bad}:4: arrears_rent "dodici" is not an amount (write 1.234,56 or 1234.56)`,
      ]);
    },
  );
});

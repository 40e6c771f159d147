// The streamed import of 100,000 households through the real command (`npm run cli --
// import:households`, with the V8 settings of its npm script), on a database of its own: time and
// peak memory of a first import (all new) and of the same file again (all unchanged); and the same
// households as an Excel workbook (.xlsx, shared strings, real date and number cells, as Excel
// writes them): a dry run and an import.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import ExcelJS from "exceljs";
import { applyMigrations, dropDatabase, ensureDatabase } from "../core/db/migrate.ts";

const ROOT = join(import.meta.dirname, "..");
const HOUSEHOLDS = Number(process.env.BENCH_IMPORT_HOUSEHOLDS ?? 100_000);
const HEADER =
  "contract_code;household_name;fiscal_code;municipality;address;phone;language;arrears_rent;arrears_charges;balance_date";

type BenchResult = { name: string; value: number; unit: string; note?: string };

/** The node options of the `cli` npm script, so the figures are those of what people run. */
async function cliNodeOptions(): Promise<string[]> {
  const script: string = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")).scripts.cli;
  const words = script.split(/\s+/);
  return words.slice(1, words.indexOf("cli/index.ts"));
}

async function run(
  file: string,
  databaseUrl: string,
  extra: string[] = [],
): Promise<{ seconds: number; peakMb: number; out: string }> {
  const options = await cliNodeOptions();
  const begin = performance.now();
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [...options, "--import", "./bench/peak-rss.ts", "cli/index.ts", "import:households", file, ...extra],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "warn" }, maxBuffer: 1 << 24 },
  );
  const seconds = (performance.now() - begin) / 1000;
  const peak = /peak-rss-kb (\d+)/.exec(stderr);
  if (!peak?.[1]) throw new Error(`no peak memory reported: ${stderr}`);
  return { seconds, peakMb: Number(peak[1]) / 1024, out: stdout.trim() };
}

function benchDatabaseUrl(name: string): string {
  const url = new URL(process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/bussola");
  url.pathname = `/bussola_bench_${name}_${process.pid}`;
  return url.toString();
}

/** Household i's cells, as the CSV's line and as Excel cells. */
function household(i: number) {
  const n = String(i).padStart(7, "0");
  return {
    code: `BS-${n}`,
    name: `Famiglia ${i}`,
    address: `Via Roma ${i % 300}, 25100 Brescia`,
    phone: `+39 333 ${n}`,
    charges: i % 1000,
  };
}

export async function benchImport(): Promise<BenchResult[]> {
  const databaseUrl = benchDatabaseUrl("import");
  const dir = await mkdtemp(join(tmpdir(), "bussola-bench-import-"));
  await ensureDatabase(databaseUrl);
  try {
    await applyMigrations(databaseUrl);
    const lines = [HEADER];
    for (let i = 0; i < HOUSEHOLDS; i++) {
      const h = household(i);
      lines.push(
        `${h.code};${h.name};RSSMRA80A01H501U;Brescia;${h.address};${h.phone};it;1.234,56;${h.charges},00;15/11/2026`,
      );
    }
    const file = join(dir, "households.csv");
    await writeFile(file, `${lines.join("\r\n")}\r\n`);
    const megabytes = (Buffer.byteLength(lines.join("\r\n")) / (1024 * 1024)).toFixed(1);
    const first = await run(file, databaseUrl);
    const again = await run(file, databaseUrl);
    const label = `import ${HOUSEHOLDS.toLocaleString("en")} households`;
    const note = `${megabytes} MB CSV; aim < 300 MB`;
    return [
      { name: `${label}: time, all new`, value: first.seconds, unit: "s" },
      { name: `${label}: peak RSS, all new`, value: first.peakMb, unit: "MB", note },
      { name: `${label}: time, again (unchanged)`, value: again.seconds, unit: "s" },
      { name: `${label}: peak RSS, again`, value: again.peakMb, unit: "MB", note },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
    await dropDatabase(databaseUrl);
  }
}

/** The workbook written a row at a time, as the import reads it: the bench itself stays small. */
async function writeWorkbook(file: string): Promise<void> {
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: file,
    useSharedStrings: true,
    useStyles: true,
  });
  const sheet = book.addWorksheet("Foglio1");
  sheet.addRow(HEADER.split(";")).commit();
  const balanceDate = new Date(Date.UTC(2026, 10, 15));
  for (let i = 0; i < HOUSEHOLDS; i++) {
    const h = household(i);
    const row = sheet.addRow([
      h.code,
      h.name,
      "RSSMRA80A01H501U",
      "Brescia",
      h.address,
      h.phone,
      "it",
      1234.56,
      h.charges,
      balanceDate,
    ]);
    row.getCell(10).numFmt = "dd/mm/yyyy";
    row.commit();
  }
  sheet.commit();
  await book.commit();
}

export async function benchImportXlsx(): Promise<BenchResult[]> {
  const databaseUrl = benchDatabaseUrl("import_xlsx");
  const dir = await mkdtemp(join(tmpdir(), "bussola-bench-import-xlsx-"));
  await ensureDatabase(databaseUrl);
  try {
    await applyMigrations(databaseUrl);
    const file = join(dir, "households.xlsx");
    await writeWorkbook(file);
    const megabytes = ((await stat(file)).size / (1024 * 1024)).toFixed(1);
    const dry = await run(file, databaseUrl, ["--dry-run"]);
    const imported = await run(file, databaseUrl);
    if (!imported.out.includes(`households: ${HOUSEHOLDS} created`)) throw new Error(imported.out);
    const label = `import ${HOUSEHOLDS.toLocaleString("en")} households (.xlsx)`;
    const note = `${megabytes} MB workbook; aim < 30 s, < 400 MB`;
    return [
      { name: `${label}: time, dry run`, value: dry.seconds, unit: "s" },
      { name: `${label}: peak RSS, dry run`, value: dry.peakMb, unit: "MB", note },
      { name: `${label}: time, all new`, value: imported.seconds, unit: "s" },
      { name: `${label}: peak RSS, all new`, value: imported.peakMb, unit: "MB", note },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
    await dropDatabase(databaseUrl);
  }
}

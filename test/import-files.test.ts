// What an import reads (issue 8): only a regular file, at most IMPORT_MAX_MB, streamed, so a device
// that never ends, a pipe that never delivers or a huge file cannot exhaust the process; and a bad
// row deep in a large file still rejects the whole file, every problem by line, changing nothing.
import { execFileSync, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";

const ROOT = join(import.meta.dirname, "..");
const HEADER =
  "contract_code;household_name;fiscal_code;municipality;address;phone;language;arrears_rent;arrears_charges;balance_date";
/** A command that has not exited by then is hanging (the FIFO case). */
const HANG_MS = 20_000;

let t: TestDatabase;
let dir: string;

beforeAll(async () => {
  t = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), "bussola-import-files-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await t?.drop();
});

type Run = { code: number | null; out: string[]; err: string[]; hung: boolean };

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["cli/index.ts", ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: t.url, LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill("SIGKILL");
    }, HANG_MS);
    child.once("exit", (code) => {
      clearTimeout(timer);
      const lines = (text: string) => text.split("\n").filter((line) => line !== "");
      resolve({ code, out: lines(stdout), err: lines(stderr), hung });
    });
  });
}

function row(i: number, fields: { code?: string; rent?: string } = {}): string {
  const code = fields.code ?? `BS-${String(i).padStart(7, "0")}`;
  return `${code};Famiglia ${i};RSSMRA80A01H501U;Brescia;Via Roma ${i};;it;${fields.rent ?? "1.234,56"};10,00;15/11/2026`;
}

async function households(): Promise<number> {
  return t.db.household.count();
}

describe("what an import reads", () => {
  it("refuses a device that never ends, at once, with one line", async () => {
    const run = await cli(["import:households", "/dev/zero"]);
    expect(run.hung).toBe(false);
    expect(run.code).toBe(1);
    expect(run.err).toEqual([
      "/dev/zero: cannot read it: it is a device, pipe or socket, not a regular file",
    ]);
  });

  it("refuses a directory and a pipe without waiting for a writer", async () => {
    const run = await cli(["import:households", dir]);
    expect(run.code).toBe(1);
    expect(run.err).toEqual([`${dir}: cannot read it: it is a directory, not a regular file`]);

    const fifo = join(dir, "households.fifo");
    execFileSync("mkfifo", [fifo]);
    const piped = await cli(["import:payments", fifo]);
    expect(piped.hung).toBe(false);
    expect(piped.code).toBe(1);
    expect(piped.err).toEqual([
      `${fifo}: cannot read it: it is a device, pipe or socket, not a regular file`,
    ]);
  });

  it("refuses a file over IMPORT_MAX_MB before reading it, and a bad IMPORT_MAX_MB", async () => {
    const file = join(dir, "big.csv");
    const lines = [HEADER];
    for (let i = 0; i < 12_000; i++) lines.push(row(i));
    await writeFile(file, `${lines.join("\n")}\n`); // about 1.5 MB
    const run = await cli(["import:households", file], { IMPORT_MAX_MB: "1" });
    expect(run.code).toBe(1);
    expect(run.err).toEqual([
      `${file}: too large (more than 1 MB; IMPORT_MAX_MB raises the limit, or split the file)`,
    ]);
    expect(await households()).toBe(0);

    const bad = await cli(["import:households", file], { IMPORT_MAX_MB: "lots" });
    expect(bad.code).toBe(1);
    expect(bad.err).toEqual(["IMPORT_MAX_MB must be a whole number of megabytes, from 1 to 1000"]);
  });

  it("rejects a large file whole for bad rows deep inside, then imports the good one once", {
    timeout: 120_000,
  }, async () => {
    const count = 20_000;
    const lines = [HEADER];
    for (let i = 0; i < count; i++) {
      if (i === 15_000) lines.push(row(i, { rent: "dodici" }));
      else if (i === count - 1) lines.push(row(i, { code: "BS-0000003" }));
      else lines.push(row(i));
    }
    const badFile = join(dir, "deep-bad.csv");
    await writeFile(badFile, `${lines.join("\r\n")}\r\n`);
    const rejected = await cli(["import:households", badFile]);
    expect(rejected.code).toBe(1);
    // Line numbers are the file's: the header is line 1, row i is line i + 2.
    expect(rejected.err).toEqual([
      `${badFile}:5: contract_code "BS-0000003" is also on line ${count + 1}`,
      `${badFile}:15002: arrears_rent "dodici" is not an amount (write 1.234,56 or 1234.56)`,
      `${badFile}:${count + 1}: contract_code "BS-0000003" is also on line 5`,
    ]);
    expect(await households()).toBe(0);

    const good = [HEADER, ...Array.from({ length: count }, (_, i) => row(i))];
    const goodFile = join(dir, "good.csv");
    await writeFile(goodFile, `${good.join("\r\n")}\r\n`);
    const first = await cli(["import:households", goodFile]);
    expect(first.err).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.out).toEqual([
      `Imported ${goodFile}: ${count} rows.`,
      `households: ${count} created, 0 updated, 0 unchanged`,
      `balances: ${count} created, 0 updated, 0 unchanged`,
    ]);
    const again = await cli(["import:households", goodFile]);
    expect(again.code).toBe(0);
    expect(again.out.slice(1)).toEqual([
      `households: 0 created, 0 updated, ${count} unchanged`,
      `balances: 0 created, 0 updated, ${count} unchanged`,
    ]);
    expect(await households()).toBe(count);
    expect(await t.db.arrearsBalance.count()).toBe(count);
  });
});

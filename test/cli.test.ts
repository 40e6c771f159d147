// The command line as operators use it: a child process per run, against a real database, checking
// exit codes, stdout and stderr (DESIGN.md, "Stable interfaces").
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../core/clock.ts";
import { dropDatabase, ensureDatabase } from "../core/db/migrate.ts";
import { redeemLinkCode } from "../core/linking.ts";
import { verifyPassword } from "../core/staff.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";

const ROOT = join(import.meta.dirname, "..");
// A copy of ../shared/examples/households.csv: a clone of the repository must test on its own.
const EXAMPLE = join(ROOT, "test", "fixtures", "example-households.csv");
const HEADER =
  "contract_code;household_name;fiscal_code;municipality;address;phone;language;arrears_rent;arrears_charges;balance_date";
/** Long enough for a slow machine; a CLI that leaves a handle open hangs until this kills it. */
const HANG_MS = 20_000;
/** Each test spawns several processes (and staff:add hashes with scrypt): more than the default. */
const SLOW = { timeout: 60_000 };

let t: TestDatabase;
let dir: string;

beforeAll(async () => {
  t = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), "bussola-cli-"));
});
afterAll(async () => {
  await t.drop();
  await rm(dir, { recursive: true, force: true });
});

type Run = { code: number | null; stdout: string; stderr: string; out: string[]; err: string[] };

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["cli/index.ts", ...args], {
      cwd: ROOT,
      // A clean environment, so a developer's own variables cannot change the outcome.
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        USER: "cli-test",
        DATABASE_URL: t.url,
        ...env,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), HANG_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const lines = (text: string) => text.split("\n").filter((line) => line !== "");
      resolve({ code, stdout, stderr, out: lines(stdout), err: lines(stderr) });
    });
  });
}

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

function databaseUrl(name: string): string {
  const url = new URL(t.url);
  url.pathname = `/${new URL(t.url).pathname.slice(1)}_${name}`;
  return url.toString();
}

async function snapshot() {
  return {
    households: await t.db.household.findMany({ orderBy: { id: "asc" } }),
    balances: await t.db.arrearsBalance.findMany({ orderBy: { id: "asc" } }),
  };
}

describe("usage", SLOW, () => {
  it("lists the commands on help", async () => {
    for (const args of [["help"], ["--help"]]) {
      const run = await cli(args);
      expect(run.code).toBe(0);
      for (const name of [
        "db:migrate",
        "import:households FILE",
        "link-code CONTRACT_CODE",
        "staff:add --email E",
        "staff:deactivate EMAIL",
        "staff:reactivate EMAIL",
        "staff:sessions EMAIL [--revoke]",
      ]) {
        expect(run.stdout).toContain(name);
      }
    }
    const one = await cli(["link-code", "--help"]);
    expect(one.code).toBe(0);
    expect(one.out[0]).toBe("Usage: npm run cli -- link-code CONTRACT_CODE [--revoke]");
  });

  it("exits 2 with a usage line on wrong usage", async () => {
    const cases: [string[], string][] = [
      [[], "missing command"],
      [["frobnicate"], 'unknown command "frobnicate"'],
      [["import:households"], "import:households: missing FILE"],
      [["import:households", "a.csv", "b.csv"], 'import:households: unexpected argument "b.csv"'],
      [["import:households", "--force", "a.csv"], "import:households: Unknown option '--force'"],
      [["link-code"], "link-code: missing CONTRACT_CODE"],
      [["staff:add", "--role", "admin"], "staff:add: missing --email"],
      [["staff:add", "--email", "a@b.it"], "staff:add: missing --role"],
      [["staff:add", "--email"], "staff:add: Option '--email <value>' argument missing"],
    ];
    const runs = await Promise.all(cases.map(([args]) => cli(args)));
    runs.forEach((run, i) => {
      const [args, message] = cases[i] as [string[], string];
      expect({ args, code: run.code, first: run.err[0] }).toEqual({ args, code: 2, first: message });
      expect(run.stderr).toMatch(/^Usage: npm run cli -- /m);
      expect(run.stdout).toBe("");
    });
  });

  it("reports a bad environment variable by name and exits 1", async () => {
    const run = await cli(["link-code", "BS-1"], { DATABASE_URL: "mysql://localhost/x" });
    expect(run.code).toBe(1);
    expect(run.err).toEqual(["DATABASE_URL must be a URL starting with postgresql:// or postgres://"]);
  });
});

describe("db:migrate", SLOW, () => {
  it("creates the database, applies the migrations once, and import:households hints at it before", async () => {
    const missing = databaseUrl("missing");
    const empty = databaseUrl("empty");
    try {
      const before = await cli(["import:households", EXAMPLE], { DATABASE_URL: missing });
      expect(before.code).toBe(1);
      expect(before.err).toEqual(["the database does not exist: run `npm run db:migrate` first"]);

      await ensureDatabase(empty);
      const noTables = await cli(["import:households", EXAMPLE], { DATABASE_URL: empty });
      expect(noTables.code).toBe(1);
      expect(noTables.err).toEqual([
        "the database lacks this version's migrations: run `npm run db:migrate` first",
      ]);

      const first = await cli(["db:migrate"], { DATABASE_URL: missing });
      expect(first.code).toBe(0);
      expect(first.out[0]).toMatch(/^Applied \d+ migrations?:$/);
      expect(first.stdout).toContain("_init");
      const again = await cli(["db:migrate"], { DATABASE_URL: missing });
      expect(again.out).toEqual(["The database is up to date: no migration to apply."]);
      expect((await cli(["import:households", EXAMPLE], { DATABASE_URL: missing })).code).toBe(0);
    } finally {
      await dropDatabase(missing);
      await dropDatabase(empty);
    }
  });

  it("says plainly when PostgreSQL cannot be reached", async () => {
    const run = await cli(["db:migrate"], { DATABASE_URL: "postgresql://postgres@127.0.0.1:1/bussola" });
    expect(run.code).toBe(1);
    expect(run.err).toEqual([
      "cannot reach PostgreSQL at 127.0.0.1:1: is it running, and is DATABASE_URL right?",
    ]);
  });
});

describe("import:households", SLOW, () => {
  it("imports the example, and a second import changes nothing", async () => {
    const first = await cli(["import:households", EXAMPLE]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.out.slice(0, 3)).toEqual([
      `Imported ${EXAMPLE}: 4 rows.`,
      "households: 4 created, 0 updated, 0 unchanged",
      "balances: 4 created, 0 updated, 0 unchanged",
    ]);
    const before = await snapshot();
    expect(before.households).toHaveLength(4);

    const second = await cli(["import:households", EXAMPLE]);
    expect(second.code).toBe(0);
    expect(second.out.slice(1, 3)).toEqual([
      "households: 0 created, 0 updated, 4 unchanged",
      "balances: 0 created, 0 updated, 4 unchanged",
    ]);
    expect(await snapshot()).toEqual(before);
    // Counts only on stdout: no names, fiscal codes or amounts of a person.
    expect(first.stdout + second.stdout).not.toMatch(/Colombo|CLMMRA75C12B157K|2\.310,40/);
  });

  it("rejects a file with bad rows whole, listing every problem as FILE:LINE", async () => {
    const before = await snapshot();
    const path = "test/fixtures/households-bad.csv";
    const run = await cli(["import:households", path]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.err.map((line) => line.split(": ")[0])).toEqual(
      [2, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((line) => `${path}:${line}`),
    );
    expect(run.err[0]).toBe(`${path}:2: arrears_rent "12,3,4" is not an amount (write 1.234,56 or 1234.56)`);
    expect(run.err).toContain(`${path}:4: balance_date "31/02/2026" is not a valid date`);
    expect(run.err).toContain(`${path}:6: household_name is required`);
    expect(await snapshot()).toEqual(before);
    expect(await t.db.household.count({ where: { contractCode: { startsWith: "BS-00000" } } })).toBe(0);
  });

  it("imports a comma-separated file with 1234.56 amounts and ISO dates", async () => {
    const run = await cli(["import:households", "test/fixtures/households-comma.csv"]);
    expect(run.code).toBe(0);
    expect(run.out[1]).toBe("households: 2 created, 0 updated, 0 unchanged");
    const sala = await t.db.household.findUniqueOrThrow({
      where: { contractCode: "BS-100001" },
      include: { balances: true },
    });
    expect(sala).toMatchObject({ address: "Via Roma 10, int. 3", phone: "+393471112233", language: "en" });
    expect(sala.balances.map((b) => [b.rentCents, b.chargesCents, b.balanceDate.toISOString()])).toEqual([
      [123456, 50, "2026-09-30T00:00:00.000Z"],
    ]);
  });

  it("checks without changing anything on --dry-run", async () => {
    const path = await file(
      "dry.csv",
      `${HEADER}\nDR-1;Famiglia Prova;TSTFML80A01B157X;Brescia;Via Roma 1;;;1,00;0;01/01/2026\n`,
    );
    const run = await cli(["import:households", path, "--dry-run"]);
    expect(run.code).toBe(0);
    expect(run.out.slice(0, 2)).toEqual([
      `Checked (nothing changed) ${path}: 1 row.`,
      "households: 1 created, 0 updated, 0 unchanged",
    ]);
    expect(await t.db.household.count({ where: { contractCode: "DR-1" } })).toBe(0);
  });

  it("rejects header problems, empty files, mixed encodings and missing files", async () => {
    const cases: [string, string | Buffer, string[]][] = [
      [
        "header.csv",
        `${HEADER.replace(";phone", "").replace("language", "lingua")}\n`,
        [
          "1: missing columns: phone, language",
          '1: unknown column: "lingua"',
          `1: expected header: ${HEADER}`,
        ],
      ],
      ["empty.csv", "", ["1: the file is empty"]],
      ["bom-only.csv", Buffer.from([0xef, 0xbb, 0xbf]), ["1: the file is empty"]],
      [
        // UTF-8 on line 2, Latin-1 on line 3: Windows-1252 is read, but not half a file of it.
        "mixed.csv",
        Buffer.concat([
          Buffer.from(
            `${HEADER}\nBS-1;Famiglia Città;TSTFML80A01B157X;Brescia;Via Roma 1;;;1,00;0;01/01/2026\n`,
          ),
          Buffer.from(
            "BS-2;Famiglia Citt\xe0;TSTFML80A01B157X;Brescia;Via Roma 1;;;1,00;0;01/01/2026\n",
            "latin1",
          ),
        ]),
        [
          '3: not UTF-8 text, though the lines before it are: the file mixes two encodings (save it again as "CSV UTF-8")',
        ],
      ],
    ];
    for (const [name, content, expected] of cases) {
      const path = await file(name, content);
      const run = await cli(["import:households", path]);
      expect({ name, code: run.code, err: run.err }).toEqual({
        name,
        code: 1,
        err: expected.map((problem) => `${path}:${problem}`),
      });
    }
    const missing = await cli(["import:households", "no-such-file.csv"]);
    expect(missing.code).toBe(1);
    expect(missing.err).toEqual(["no-such-file.csv: cannot read it: no such file"]);
  });
});

describe("link-code", SLOW, () => {
  it("prints a redeemable single-use code as the last line, and audits without the code", async () => {
    await cli(["import:households", EXAMPLE]);
    const household = await t.db.household.findUniqueOrThrow({ where: { contractCode: "CR-001207" } });
    const run = await cli(["link-code", "CR-001207"]);
    expect(run.code).toBe(0);
    expect(run.out).toHaveLength(2);
    expect(run.out[0]).toMatch(/^Single-use code, valid until \d\d\/\d\d\/\d{4} \d\d:\d\d \(Europe\/Rome\)/);
    const code = run.out.at(-1) ?? "";
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);

    const who = { telegramUserId: 4242, chatId: 4242, firstName: "Y", language: "ar" };
    expect(await redeemLinkCode(t.db, who, code, systemClock)).toMatchObject({
      status: "linked",
      householdId: household.id,
    });
    expect((await redeemLinkCode(t.db, { ...who, telegramUserId: 4343 }, code, systemClock)).status).toBe(
      "invalid",
    );

    const entry = await t.db.auditLog.findFirstOrThrow({ where: { action: "linkcode.issued" } });
    expect(entry).toMatchObject({ actorType: "cli", actorId: "cli-test", entityType: "household" });
    expect(entry.entityId).toBe(String(household.id));
    expect(JSON.stringify(entry)).not.toContain(code.replace("-", ""));
    expect(JSON.stringify(entry)).not.toContain(code);
  });

  it("exits 1 for an unknown contract code", async () => {
    const run = await cli(["link-code", "XX-404"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.err).toEqual(['unknown contract code "XX-404"']);
  });
});

describe("staff:add", SLOW, () => {
  it("creates an account with a generated password shown once", async () => {
    const run = await cli(["staff:add", "--email", " Ada@Example.IT ", "--role", "coordinator"]);
    expect(run.code).toBe(0);
    expect(run.out[0]).toMatch(/^Created coordinator account ada@example\.it \(id \d+\)\.$/);
    const password = run.out.at(-1) ?? "";
    const staff = await t.db.staff.findUniqueOrThrow({ where: { email: "ada@example.it" } });
    expect(staff.role).toBe("coordinator");
    expect(await verifyPassword(password, staff.passwordHash)).toBe(true);
    const entry = await t.db.auditLog.findFirstOrThrow({ where: { action: "staff.created" } });
    expect(entry).toMatchObject({
      entityType: "staff",
      entityId: String(staff.id),
      details: { role: "coordinator" },
    });
    expect(JSON.stringify(entry)).not.toContain(password);
  });

  it("updates role and password of an existing e-mail, and says so", async () => {
    const first = await cli([
      "staff:add",
      "--email",
      "bob@example.it",
      "--role",
      "operator",
      "--password",
      "correct horse 1",
    ]);
    expect(first.code).toBe(0);
    expect(first.out).toHaveLength(1);
    const again = await cli([
      "staff:add",
      "--email",
      "BOB@example.it",
      "--role",
      "admin",
      "--password",
      "battery staple 2",
    ]);
    expect(again.code).toBe(0);
    expect(again.out[0]).toMatch(/^bob@example\.it already had an account \(id \d+\): role set to admin/);
    const staff = await t.db.staff.findUniqueOrThrow({ where: { email: "bob@example.it" } });
    expect(staff.role).toBe("admin");
    expect(await verifyPassword("battery staple 2", staff.passwordHash)).toBe(true);
    expect(await t.db.staff.count({ where: { email: { contains: "bob@" } } })).toBe(1);
  });

  it("rejects a bad e-mail, an unknown role and a short password, creating nothing", async () => {
    const before = await t.db.staff.count();
    const cases: [string[], string[]][] = [
      [["--email", "not-an-address", "--role", "admin"], ['"not-an-address" is not an e-mail address']],
      [
        ["--email", "c@example.it", "--role", "boss"],
        ['unknown role "boss": use one of admin, coordinator, operator'],
      ],
      [
        ["--email", "c@example.it", "--role", "admin", "--password", "short"],
        ["the password must have at least 12 characters"],
      ],
    ];
    for (const [args, err] of cases) {
      const run = await cli(["staff:add", ...args]);
      expect({ args, code: run.code, err: run.err, out: run.stdout }).toEqual({
        args,
        code: 1,
        err,
        out: "",
      });
    }
    expect(await t.db.staff.count()).toBe(before);
  });
});

// The demo never leaks into production, through the real entry point (node main.ts): `npm start`
// without a token runs the demo on a database of its own (DATABASE_URL's name + "_demo"), marked as
// a demo one, with a random admin password printed at every start; a production process (a token,
// NODE_ENV=production, or any --role) refuses a demo database in one line; an admin-only process
// without a token is production; a worker or bot without one refuses; the demo chat is for admins
// and never shows a link code.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import { createDb, type Db } from "../core/db/client.ts";
import { dropDatabase } from "../core/db/migrate.ts";
import { demoTrace } from "../core/demo/database.ts";
import { loadDemoData } from "../core/demo/seed.ts";
import { importHouseholds, parseHouseholdsFile } from "../core/imports/households.ts";
import { createLogger } from "../core/logger.ts";
import { upsertStaff } from "../core/staff.ts";
import { type Sandbox, startSandbox } from "../sandbox/server.ts";
import { createTestDatabase, testQueuePrefix } from "./support/db.ts";
import { HttpSession } from "./support/http-session.ts";
import { freePort, type RunningProcess, startProcess } from "./support/processes.ts";

const ROOT = join(import.meta.dirname, "..");
const SESSION_SECRET = "demo-separation-session-secret-0123456789";
const OPERATOR = { email: "operatrice@example.org", password: "una password da operatrice" };

const created: string[] = [];
/** Processes expected to exit by themselves; any still running when the file ends is killed. */
const children = new Set<ReturnType<typeof spawn>>();
let sandbox: Sandbox;

function databaseUrl(name: string): string {
  const u = new URL(inject("templateDatabaseUrl"));
  u.pathname = `/${name}`;
  return u.toString();
}

/** A database name of this run that nothing else uses (the demo's is this + "_demo"). */
function freshBase(): string {
  const name = `bussola_test_${inject("runId")}_${randomBytes(4).toString("hex")}`;
  created.push(name, `${name}_demo`);
  return name;
}

async function databaseExists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl("postgres") });
  await client.connect();
  try {
    return ((await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

/** Everything a process needs, with no token, no NODE_ENV and free ports unless the test sets them. */
async function baseEnv(extra: Record<string, string>): Promise<Record<string, string>> {
  return {
    TELEGRAM_BOT_TOKEN: "",
    NODE_ENV: "",
    PUBLIC_URL: "",
    DEMO_DATABASE_URL: "",
    QUEUE_PREFIX: testQueuePrefix(),
    ADMIN_PORT: String(await freePort()),
    SANDBOX_PORT: String(await freePort()),
    ...extra,
  };
}

/** Runs `node main.ts …` expecting it to stop by itself; its exit code and everything it printed. */
async function runToExit(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["main.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "warn", METRICS_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  children.add(child);
  const timer = setTimeout(() => child.kill("SIGKILL"), 50_000);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  clearTimeout(timer);
  children.delete(child);
  return { code, output };
}

function loginOf(output: string): { email: string; password: string } {
  const match = /^Demo login: (\S+) \/ (\S+)$/m.exec(output);
  if (!match?.[1] || !match[2]) throw new Error(`no demo login printed:\n${output}`);
  return { email: match[1], password: match[2] };
}

function adminUrlOf(output: string): string {
  const match = /^Admin panel: (\S+)$/m.exec(output);
  if (!match?.[1]) throw new Error(`no admin URL printed:\n${output}`);
  return match[1];
}

/** The refusals are one line on stderr and no stack trace. */
function expectOneLine(output: string, pattern: RegExp): void {
  const lines = output.split("\n").filter((line) => line.trim() !== "");
  expect(lines, output).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await sandbox?.close();
  for (const name of created) await dropDatabase(databaseUrl(name));
});

describe("the demo (npm start with no token)", () => {
  const base = freshBase();
  const demoUrl = databaseUrl(`${base}_demo`);
  let demo: RunningProcess | undefined;
  let demoDb: Db | undefined;
  let login: { email: string; password: string };
  let panel: string;

  afterAll(async () => {
    await demo?.stop();
    await demoDb?.$disconnect();
  });

  it("runs on DATABASE_URL's name + _demo, marked as a demo, and prints a random password that logs in", async () => {
    demo = await startProcess(
      ["main.ts"],
      await baseEnv({ DATABASE_URL: databaseUrl(base) }),
      "Bussola ready",
      90_000,
    );
    const output = demo.output();
    expect(output).toContain("Bussola ready (bot, worker, admin, demo mode)");
    expect(output).toContain(`Demo database: ${base}_demo`);
    login = loginOf(output);
    panel = adminUrlOf(output);
    expect(login.email).toBe("demo@bussola.local");
    expect(login.password).not.toBe("bussola-demo");
    expect(login.password).toMatch(/^[A-Za-z0-9_-]{16}$/);

    // Production's database was not even created; the demo's holds the marker and the demo data.
    expect(await databaseExists(base)).toBe(false);
    demoDb = createDb(demoUrl, { poolSize: 2 });
    expect(await demoDb.demoMarker.count()).toBe(1);
    expect(await demoDb.household.count()).toBeGreaterThan(0);

    const session = new HttpSession(panel);
    expect((await session.signIn(login.email, "bussola-demo")).status).toBe(401);
    const signedIn = await session.signIn(login.email, login.password);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.location).toBe("/households");
  }, 120_000);

  it("keeps the password of its database and prints it again at the next start", async () => {
    await demo?.stop();
    demo = await startProcess(
      ["main.ts"],
      await baseEnv({ DATABASE_URL: databaseUrl(base) }),
      "Bussola ready",
      90_000,
    );
    expect(loginOf(demo.output())).toEqual(login);
    panel = adminUrlOf(demo.output());
  }, 120_000);

  it("is for admins only, links the household server-side and never shows the link code", async () => {
    if (!demoDb) throw new Error("the demo did not start");
    await upsertStaff(demoDb, { ...OPERATOR, role: "operator" });
    const operator = new HttpSession(panel);
    expect((await operator.signIn(OPERATOR.email, OPERATOR.password)).status).toBe(303);
    expect((await operator.get("/demo/chat")).status).toBe(403);
    expect((await operator.get("/households")).body).not.toContain('href="/demo/chat"');

    const admin = new HttpSession(panel);
    expect((await admin.signIn(login.email, login.password)).status).toBe(303);
    const list = await admin.get("/demo/chat");
    expect(list.status).toBe(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(list.body)?.[1] ?? "";
    // An operator cannot start a chat either (it would issue a code).
    const operatorPage = await operator.get("/households");
    const operatorCsrf = /name="_csrf" value="([^"]+)"/.exec(operatorPage.body)?.[1] ?? "";
    const refused = await operator.post("/demo/chat/start", {
      _csrf: operatorCsrf,
      contractCode: "BS-004512",
    });
    expect(refused.status).toBe(403);

    const started = await admin.post("/demo/chat/start", { _csrf: csrf, contractCode: "BS-004512" });
    expect(started.status).toBe(303);
    const userId = Number(String(started.headers.location).split("/").at(-1));
    expect(userId).toBeGreaterThan(0);
    // The chat's own routes are admins' too: the files route hands out the bot's documents.
    for (const path of [
      `/demo/chat/${userId}`,
      `/demo/chat/${userId}/transcript.json`,
      `/demo/chat/${userId}/files/BQADBAADexample`,
    ]) {
      expect((await operator.get(path)).status, path).toBe(403);
    }

    // What the sandbox user really sent: /start and the code, which linked the member.
    const demoSandbox = /^Telegram sandbox: (\S+)$/m.exec(demo?.output() ?? "")?.[1] ?? "";
    const sent = (await (await fetch(`${demoSandbox}/control/chats/${userId}/transcript`)).json()) as unknown;
    const entries = (Array.isArray(sent) ? sent : ((sent as { messages?: unknown[] }).messages ?? [])) as {
      text?: string;
      from: string;
    }[];
    const command = entries.find((e) => e.from === "user" && e.text?.startsWith("/start "))?.text ?? "";
    const code = command.slice("/start ".length);
    expect(code).toMatch(/^[A-Z2-9]{8}$/);

    // The page and its refresh never show it, in either spelling.
    const shown = `${code.slice(0, 4)}-${code.slice(4)}`;
    for (const path of [`/demo/chat/${userId}`, `/demo/chat/${userId}/transcript.json`]) {
      const page = await admin.request("GET", path, undefined, { accept: "application/json, text/html" });
      expect(page.status, path).toBe(200);
      expect(page.body).not.toContain(code);
      expect(page.body).not.toContain(shown);
      expect(page.body).toContain("/start ••••••••");
    }
    // The person accepts the privacy notice in the page; the code waiting in the session links them.
    let notice: { message_id: number; from: string; reply_markup?: unknown } | undefined;
    await expect
      .poll(
        async () => {
          const all = (await (await fetch(`${demoSandbox}/control/chats/${userId}/transcript`)).json()) as {
            message_id: number;
            from: string;
            reply_markup?: unknown;
          }[];
          notice = all.find(
            (e) => e.from === "bot" && JSON.stringify(e.reply_markup ?? "").includes("consent:accept"),
          );
          return notice !== undefined;
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    const pressed = await admin.post(`/demo/chat/${userId}/press`, {
      _csrf: csrf,
      message_id: String(notice?.message_id),
      data: "consent:accept",
    });
    expect(pressed.status).toBe(303);
    await expect
      .poll(
        () => demoDb?.member.count({ where: { telegramUserId: BigInt(userId), householdId: { not: null } } }),
        { timeout: 20_000 },
      )
      .toBe(1);
    const afterLink = await admin.get(`/demo/chat/${userId}`);
    expect(afterLink.body).not.toContain(code);
    expect(afterLink.body).not.toContain(shown);
    const member = await demoDb.member.findUnique({
      where: { telegramUserId: BigInt(userId) },
      select: { household: { select: { contractCode: true } } },
    });
    expect(member?.household?.contractCode).toBe("BS-004512");
  }, 60_000);

  it("is refused by a process with a real token, in one line", async () => {
    const result = await runToExit(
      [],
      await baseEnv({
        DATABASE_URL: demoUrl,
        TELEGRAM_BOT_TOKEN: sandbox.token,
        TELEGRAM_API_ROOT: sandbox.url,
        SESSION_SECRET,
      }),
    );
    expect(result.code).toBe(1);
    expectOneLine(
      result.output,
      new RegExp(`^Refusing to start: database "${base}_demo" is marked as a demo database.*DATABASE_URL`),
    );
  }, 60_000);

  it("is refused with NODE_ENV=production, even by an admin-only process", async () => {
    const result = await runToExit(
      ["--role", "admin"],
      await baseEnv({
        DATABASE_URL: demoUrl,
        NODE_ENV: "production",
        PUBLIC_URL: "https://bussola.example.org",
      }),
    );
    expect(result.code).toBe(1);
    expectOneLine(result.output, /^Refusing to start: database ".*_demo" is marked as a demo database/);
  }, 60_000);
});

describe("production processes", () => {
  it("refuse a database that holds the demo account, as today's demo left it", async () => {
    const t = await createTestDatabase();
    try {
      await upsertStaff(t.db, { email: "demo@bussola.local", role: "admin", password: "bussola-demo" });
      const result = await runToExit(
        ["--role", "admin"],
        await baseEnv({ DATABASE_URL: t.url, TELEGRAM_BOT_TOKEN: sandbox.token, SESSION_SECRET }),
      );
      expect(result.code).toBe(1);
      expectOneLine(
        result.output,
        /^Refusing to start: database ".*" holds the demo account demo@bussola\.local/,
      );
    } finally {
      await t.drop();
    }
  }, 60_000);

  it("refuse a database the demo loaded its households into; the authority's example file is fine", async () => {
    const example = await createTestDatabase();
    const t = await createTestDatabase();
    try {
      // The example spreadsheet holds the same households as the demo: importing it is not the demo.
      const clock = fixedClock(new Date("2026-11-27T10:00:00Z"));
      const parsed = await parseHouseholdsFile(
        readFileSync(join(ROOT, "test", "fixtures", "example-households.csv")),
        {
          clock,
        },
      );
      if (!parsed.ok) throw new Error("the example file does not parse");
      await importHouseholds(example.db, parsed.rows, { actor: { actorType: "cli", actorId: "it" }, clock });
      expect(await demoTrace(example.db)).toBeNull();

      await loadDemoData(t.db, clock, createLogger({ level: "silent" }));
      const result = await runToExit(
        ["--role", "admin"],
        await baseEnv({ DATABASE_URL: t.url, TELEGRAM_BOT_TOKEN: sandbox.token, SESSION_SECRET }),
      );
      expect(result.code).toBe(1);
      expectOneLine(result.output, /^Refusing to start: database ".*" holds the demo households/);
    } finally {
      await example.drop();
      await t.drop();
    }
  }, 60_000);

  it("run an admin-only process without a token as production: no demo, no sandbox, no demo data", async () => {
    const base = freshBase();
    const env = await baseEnv({ DATABASE_URL: databaseUrl(base) });
    const admin = await startProcess(["main.ts", "--role", "admin"], env, "Bussola ready", 60_000);
    try {
      const output = admin.output();
      expect(output).toContain("Bussola ready (admin)");
      expect(output).not.toContain("demo");
      const db = createDb(databaseUrl(base), { poolSize: 2 });
      try {
        expect(await db.demoMarker.count()).toBe(0);
        expect(await db.staff.count()).toBe(0);
        expect(await db.household.count()).toBe(0);
      } finally {
        await db.$disconnect();
      }
      expect(await databaseExists(`${base}_demo`)).toBe(false);
      await expect(fetch(`http://127.0.0.1:${env.SANDBOX_PORT}/control/health`)).rejects.toThrow();
      const panel = new HttpSession(adminUrlOf(output));
      expect((await panel.get("/demo/chat")).status).toBe(404);
    } finally {
      await admin.stop();
    }
  }, 90_000);

  it.each([
    [
      ["--role", "worker"],
      {},
      /^TELEGRAM_BOT_TOKEN is not set: the worker needs the bot's token from @BotFather/,
    ],
    [["--role", "bot"], {}, /^TELEGRAM_BOT_TOKEN is not set: the bot needs the bot's token from @BotFather/],
    [[], { NODE_ENV: "production" }, /^TELEGRAM_BOT_TOKEN is not set: the bot and the worker need/],
    [
      ["--demo"],
      { TELEGRAM_BOT_TOKEN: "1000001:SANDBOX-token", SESSION_SECRET },
      /^--demo runs with the built-in Telegram sandbox/,
    ],
  ])(
    "refuse to start %o %o without what they need, in one line",
    async (args, extra, pattern) => {
      const result = await runToExit(
        args,
        await baseEnv({ DATABASE_URL: databaseUrl(freshBase()), ...extra }),
      );
      expect(result.code).toBe(1);
      expectOneLine(result.output, pattern);
    },
    60_000,
  );

  it("need PUBLIC_URL for the panel with NODE_ENV=production", async () => {
    const result = await runToExit(
      ["--role", "admin"],
      await baseEnv({ DATABASE_URL: databaseUrl(freshBase()), NODE_ENV: "production" }),
    );
    expect(result.code).toBe(1);
    expectOneLine(result.output, /^PUBLIC_URL is not set: with NODE_ENV=production/);
  }, 60_000);
});

describe("the demo on a database that is not its own", () => {
  it("refuses to load demo data into a database that already holds data", async () => {
    const t = await createTestDatabase();
    try {
      await upsertStaff(t.db, { ...OPERATOR, role: "operator" });
      const result = await runToExit(
        [],
        await baseEnv({ DATABASE_URL: databaseUrl(freshBase()), DEMO_DATABASE_URL: t.url }),
      );
      expect(result.code).toBe(1);
      expectOneLine(
        result.output,
        /^Refusing to load demo data: database ".*" is not a demo database and already holds data/,
      );
      expect(await t.db.household.count()).toBe(0);
      expect(await t.db.staff.count({ where: { email: "demo@bussola.local" } })).toBe(0);
    } finally {
      await t.drop();
    }
  }, 60_000);
});

// The check of a large file shows its progress (core/imports/checks.ts, /imports/check): an upload
// whose check takes longer than the wait is answered with a page saying how much of the file has
// been read, which a plain refresh brings up to date (no script needed) and the page's script polls;
// the answer appears when the check is done. Who may see a check, and a check that stopped, are
// covered too; in Chromium with and without JavaScript, with axe on the progress page.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import pg from "pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { systemClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { createLogger } from "../core/logger.ts";
import { upsertStaff } from "../core/staff.ts";
import { StaffClient } from "./support/admin-client.ts";
import { expectNoAxeViolations } from "./support/axe.ts";
import { CHROMIUM_PATH, chromiumAvailable, launchBrowser } from "./support/browser.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { testOffice } from "./support/offices.ts";

const PASSWORD = "una password lunga abbastanza";
const COORDINATOR = "coordinatrice.import@example.org";
const OTHER = "altro.coordinatore@example.org";
const OPERATOR = "operatore.import@example.org";
const ADMIN = "admin.import@example.org";
const HEADER =
  "contract_code;household_name;fiscal_code;municipality;address;phone;language;arrears_rent;arrears_charges;balance_date";
/** The households import takes this advisory lock first: held here, a check waits at 0%. */
const HOUSEHOLDS_LOCK = "bussola:import:households";

let t: TestDatabase;
let app: FastifyInstance;
let base: string;
let browser: Browser;
let dir: string;

class Client extends StaffClient {
  constructor() {
    super(() => app, PASSWORD);
  }
  check(kind: string, file: { name: string; content: Buffer | string }) {
    return this.upload("/imports", { _csrf: this.csrf, kind }, file);
  }
}
const signedIn = (email: string) => new Client().login(email);

const households = (count: number, prefix = "PG") =>
  `${HEADER}\n${Array.from(
    { length: count },
    (_, i) =>
      `${prefix}-${String(i).padStart(6, "0")};Famiglia di prova;RSSMRA80A01B157X;Brescia;Via Roma ${i};;it;1.234,56;0,00;30/09/2026`,
  ).join("\n")}\n`;
const text = (markup: string) => markup.replace(/<[^>]+>/g, "").replaceAll("&#39;", "'");
const tokenIn = (location: string) => new URL(location, "http://x").searchParams.get("token") ?? "";

/** Holds the households import's lock on a connection of its own until `release()`. */
async function holdHouseholdsLock(): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: t.url });
  await client.connect();
  await client.query("SELECT pg_advisory_lock(hashtext($1))", [HOUSEHOLDS_LOCK]);
  return {
    async release() {
      await client.query("SELECT pg_advisory_unlock(hashtext($1))", [HOUSEHOLDS_LOCK]);
      await client.end();
    },
  };
}

async function untilDone(client: Client, token: string): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < 1200; i++) {
    const answer = await client.get(`/imports/check?token=${token}&format=json`);
    const state = JSON.parse(answer.body) as { state: string; percent: number };
    if (state.state !== "checking") return seen;
    seen.push(state.percent);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the check never ended");
}

beforeAll(async () => {
  if (!chromiumAvailable())
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium`);
  t = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), "bussola-import-progress-"));
  const office = await testOffice(t.db);
  await upsertStaff(t.db, { email: COORDINATOR, role: "coordinator", password: PASSWORD, officeId: office });
  await upsertStaff(t.db, { email: OTHER, role: "coordinator", password: PASSWORD, officeId: office });
  await upsertStaff(t.db, { email: OPERATOR, role: "operator", password: PASSWORD, officeId: office });
  await upsertStaff(t.db, { email: ADMIN, role: "admin", password: PASSWORD });
  app = createAdminServer({
    config: loadConfig({ DATABASE_URL: t.url }),
    logger: createLogger({ level: "silent" }),
    db: t.db,
    clock: systemClock,
    // Every upload answers at once with its check's page, however small the file.
    importCheckWaitMs: 0,
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

describe("the progress of a file's check", () => {
  it("answers with the check's page, a refresh shows how far it got, then the result to confirm", {
    timeout: 120_000,
  }, async () => {
    const coordinator = await signedIn(COORDINATOR);
    const lock = await holdHouseholdsLock();
    let token = "";
    try {
      const upload = await coordinator.check("households", {
        name: "grande.csv",
        content: households(30_000),
      });
      expect(upload.statusCode).toBe(303);
      expect(upload.headers.location).toMatch(/^\/imports\/check\?token=[A-Za-z0-9_-]{43}$/);
      token = tokenIn(upload.headers.location as string);
      const page = await coordinator.get(upload.headers.location as string);
      expect(page.statusCode).toBe(200);
      expect(text(page.body)).toContain("Controllo di grande.csv in corso");
      expect(page.body).toContain('<progress max="100" value="0"');
      expect(text(page.body)).toContain("0% del file controllato.");
      expect(page.body).toContain(`href="/imports/check?token=${token}"`);
      expect(page.body).not.toContain("Conferma e importa");
      // Not yet checked: it cannot be applied.
      const early = await coordinator.post("/imports/confirm", { _csrf: coordinator.csrf, token });
      expect(early.statusCode).toBe(410);
      expect(await t.db.household.count()).toBe(0);
    } finally {
      await lock.release();
    }
    const seen = await untilDone(coordinator, token);
    // It moved forward, never back, and was seen part-way.
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.some((percent) => percent > 0 && percent < 100)).toBe(true);
    const done = await coordinator.get(`/imports/check?token=${token}`);
    expect(done.statusCode).toBe(200);
    expect(text(done.body)).toContain("grande.csv: controllo riuscito");
    expect(text(done.body)).toMatch(/30000 righe, nessun problema/);
    expect(await t.db.household.count()).toBe(0);
    const applied = await coordinator.post("/imports/confirm", { _csrf: coordinator.csrf, token });
    expect(applied.headers.location).toBe("/imports?notice=imported");
    expect(await t.db.household.count()).toBe(30_000);
    // Applied: the check's page is gone, and says so.
    expect((await coordinator.get(`/imports/check?token=${token}`)).statusCode).toBe(410);
  });

  it("shows the problems a background check found, and drops the file", { timeout: 60_000 }, async () => {
    const coordinator = await signedIn(COORDINATOR);
    const lines = households(1500, "PR").split("\n");
    for (let i = 1; i <= 1005; i++) lines[i] = `PR-X${i};F;RSSMRA80A01B157X;Brescia;Via;;it;x;0;30/09/2026`;
    const upload = await coordinator.check("households", { name: "rotto.csv", content: lines.join("\n") });
    const token = tokenIn(upload.headers.location as string);
    await untilDone(coordinator, token);
    const page = await coordinator.get(`/imports/check?token=${token}`);
    expect(page.statusCode).toBe(422);
    expect(text(page.body)).toContain("rotto.csv non si può importare");
    expect(text(page.body)).toContain("Ci sono 1005 problemi");
    expect(page.body.match(/<li>/g)?.length).toBe(1000);
    expect(text(page.body)).toContain("… e ancora 5 problemi.");
    const row = await t.db.importUpload.findFirstOrThrow({ where: { fileName: "rotto.csv" } });
    expect(row.state).toBe("problems");
    expect(row.content.length).toBe(0);
    expect((await coordinator.post("/imports/confirm", { _csrf: coordinator.csrf, token })).statusCode).toBe(
      410,
    );
  });

  it("shows a check only to its uploader, coordinators and admins; a stopped one says so", {
    timeout: 60_000,
  }, async () => {
    const coordinator = await signedIn(COORDINATOR);
    const upload = await coordinator.check("households", {
      name: "piccolo.csv",
      content: households(3, "PS"),
    });
    const url = upload.headers.location as string;
    const token = tokenIn(url);
    await untilDone(coordinator, token);
    // Not signed in: to the log-in page, and back here after.
    const visitor = await new Client().get(url);
    expect(visitor.statusCode).toBe(303);
    expect(visitor.headers.location).toBe(`/login?next=${encodeURIComponent(url)}`);
    expect((await (await signedIn(OPERATOR)).get(url)).statusCode).toBe(403);
    for (const email of [OTHER, ADMIN]) {
      const someoneElse = await signedIn(email);
      const answer = await someoneElse.get(url);
      expect(answer.statusCode, email).toBe(403);
      expect(text(answer.body)).toContain("l'ha caricata un'altra persona");
      expect((await someoneElse.get(`${url}&format=json`)).statusCode).toBe(403);
    }
    for (const bad of ["", "abc", `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`]) {
      expect((await coordinator.get(`/imports/check?token=${bad}`)).statusCode, bad).toBe(410);
    }
    expect((await coordinator.get("/imports/check")).statusCode).toBe(410);
    // An admin's own upload works the same way.
    const admin = await signedIn(ADMIN);
    const own = await admin.check("households", { name: "admin.csv", content: households(2, "PA") });
    await untilDone(admin, tokenIn(own.headers.location as string));
    expect((await admin.get(own.headers.location as string)).statusCode).toBe(200);

    // A check that stopped saying how far it got (its process ended) is reported, not waited for.
    await t.db.importUpload.updateMany({
      where: { fileName: "piccolo.csv" },
      data: { state: "checking", progressAt: new Date(Date.now() - 10 * 60_000) },
    });
    const stopped = await coordinator.get(url);
    expect(stopped.statusCode).toBe(500);
    expect(text(stopped.body)).toContain("Il controllo del file si è interrotto");
    expect(JSON.parse((await coordinator.get(`${url}&format=json`)).body)).toMatchObject({ state: "failed" });
    expect((await coordinator.post("/imports/confirm", { _csrf: coordinator.csrf, token })).statusCode).toBe(
      410,
    );
    await t.db.importUpload.deleteMany();
  });

  it("in Chromium: the bar follows the check with JavaScript; without it a refresh does; axe passes", {
    timeout: 120_000,
  }, async () => {
    await t.db.household.deleteMany();
    const file = join(dir, "famiglie.csv");
    await writeFile(file, households(20_000, "PB"));
    const signIn = async (page: Page) => {
      await page.goto(`${base}/login`);
      await page.getByLabel("E-mail").fill(COORDINATOR);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Accedi" }).click();
      await page.waitForURL(`${base}/households`);
    };
    for (const javaScriptEnabled of [true, false]) {
      const context = await browser.newContext({ javaScriptEnabled });
      const page = await context.newPage();
      const lock = await holdHouseholdsLock();
      try {
        await signIn(page);
        await page.goto(`${base}/imports`);
        await page.getByLabel("Nuclei e morosità").check();
        await page.getByLabel(/^File \(CSV o Excel/).setInputFiles(file);
        await page.getByRole("button", { name: "Controlla il file" }).click();
        await page.waitForURL(/\/imports\/check\?token=/);
        const bar = page.getByRole("progressbar", { name: "Avanzamento del controllo" });
        await bar.waitFor();
        expect(await page.getByRole("heading", { name: "Controllo di famiglie.csv in corso" }).count()).toBe(
          1,
        );
        // axe runs as a script in the page: with JavaScript on (the markup is the same without).
        if (javaScriptEnabled) await expectNoAxeViolations(page, "check in progress");
      } finally {
        await lock.release();
      }
      const confirm = page.getByRole("button", { name: "Conferma e importa" });
      if (javaScriptEnabled) {
        // The script polls, and shows the result by itself.
        await confirm.waitFor({ timeout: 90_000 });
      } else {
        // Without a script the page stays as it was sent; each refresh shows how far it got.
        for (let i = 0; i < 600 && (await confirm.count()) === 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          await page.getByRole("link", { name: "Aggiorna" }).click();
          await page.waitForLoadState();
        }
      }
      expect(await page.getByRole("status").first().textContent()).toContain("20000 righe");
      if (javaScriptEnabled) await expectNoAxeViolations(page, "check done");
      await context.close();
    }
    expect(await t.db.household.count()).toBe(0);
  });
});

// The documents spreadsheet (issue 11): `import:documents` through the real command line against the
// bot harness's database, then /documents through the sandbox and the reminder scan through the real
// worker show what was imported. Checks by line, all-or-nothing, idempotent, audited.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import { createRemindersQueue } from "../core/queues/reminders.ts";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";
import { runCli } from "./support/processes.ts";
import type { SandboxUser } from "./support/sandbox-user.ts";

// Thursday 15 October 2026, 12:00 in Rome: a deadline tomorrow has its "one day before" reminder due.
const clock = fixedClock(new Date("2026-10-15T10:00:00Z"));
const HEADER = "contract_code;document;status;deadline";
const GOOD = [
  HEADER,
  "DI-000001;isee;verified;01/09/2026",
  "DI-000001;income_declaration;requested;10/10/2026",
  "DI-000001;receipts;missing;2026-10-31", // DESIGN.md's short name for payment_receipts
  "DI-000001;CONTRACT;Missing;16/10/2026", // keys and statuses in any case
  "DI-000002;isee;requested;",
].join("\r\n");

let h: BotHarness;
let dir: string;
let redis: Redis;
let remindersQueue: ReturnType<typeof createRemindersQueue>;
let remindersEvents: QueueEvents;
let rosa: SandboxUser;

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function cli(args: string[]) {
  const run = await runCli(args, { DATABASE_URL: h.database.url, USER: "import-test" });
  const lines = (text: string) => text.split("\n").filter((line) => line !== "");
  return { code: run.code, out: lines(run.stdout), err: lines(run.stderr) };
}

const documents = () =>
  h.db.householdDocument.findMany({
    orderBy: { id: "asc" },
    include: { household: { select: { contractCode: true } }, requirement: { select: { key: true } } },
  });

beforeAll(async () => {
  h = await startBotHarness({ clock });
  dir = await mkdtemp(join(tmpdir(), "bussola-import-documents-"));
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  remindersQueue = createRemindersQueue(redis, h.deliveryQueue.opts.prefix as string);
  remindersEvents = new QueueEvents(remindersQueue.name, {
    connection: { host: "127.0.0.1", port: 6379 },
    prefix: h.deliveryQueue.opts.prefix as string,
  });
  await remindersEvents.waitUntilReady();
  await h.household("DI-000002");
  rosa = await h.linkedUser("DI-000001", { firstName: "Rosa", language: "it" });
}, 60_000);

afterAll(async () => {
  await remindersEvents?.close();
  await remindersQueue?.obliterate({ force: true });
  await remindersQueue?.close();
  await redis?.quit();
  await h?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("import:documents", () => {
  it("refuses unknown contracts, unknown documents, bad statuses and dates, and repeats, by line, changing nothing", async () => {
    const path = await file(
      "bad.csv",
      [
        HEADER,
        "DI-000001;isee;verified;01/09/2026",
        "XX-999999;isee;missing;",
        "DI-000001;tessera;missing;",
        "DI-000001;contract;lost;31/02/2026",
        "DI-000001;ISEE;requested;",
        "DI-000002;;missing;tomorrow",
      ].join("\n"),
    );
    const run = await cli(["import:documents", path]);
    expect(run.code).toBe(1);
    expect(run.out).toEqual([]);
    expect(run.err).toEqual([
      `${path}:2: document "isee" for contract_code "DI-000001" is also on line 6`,
      `${path}:3: contract_code "XX-999999" is not a known household (import the households file first)`,
      `${path}:4: document "tessera" is not a document the programme asks for (known: isee, income_declaration, payment_receipts (or receipts), contract)`,
      `${path}:5: status "lost" is not one of missing, requested, received, verified`,
      `${path}:5: deadline "31/02/2026" is not a valid date`,
      `${path}:6: document "isee" for contract_code "DI-000001" is also on line 2`,
      `${path}:7: document is required`,
      `${path}:7: deadline "tomorrow" is not a date (write dd/mm/yyyy or yyyy-mm-dd)`,
    ]);
    expect(await documents()).toEqual([]);
    expect(await h.db.auditLog.count({ where: { action: "import.documents" } })).toBe(0);

    const header = await cli([
      "import:documents",
      await file("header.csv", "contract_code;doc;status\nX;y;z\n"),
    ]);
    expect(header.code).toBe(1);
    expect(header.err.at(-1)).toContain(`expected header: ${HEADER}`);
    const usage = await cli(["import:documents"]);
    expect(usage.code).toBe(2);
    expect(usage.err).toContain("Usage: npm run cli -- import:documents FILE [--dry-run]");
  }, 60_000);

  it("checks on --dry-run, imports once, and changes nothing the second time", async () => {
    const path = await file("documents.csv", GOOD);
    const dry = await cli(["import:documents", path, "--dry-run"]);
    expect(dry.err).toEqual([]);
    expect(dry.out).toEqual([
      `Checked (nothing changed) ${path}: 5 rows.`,
      "documents: 5 created, 0 updated, 0 unchanged",
    ]);
    expect(await documents()).toEqual([]);

    const first = await cli(["import:documents", path]);
    expect(first.code).toBe(0);
    expect(first.out).toEqual([`Imported ${path}: 5 rows.`, "documents: 5 created, 0 updated, 0 unchanged"]);
    const stored = await documents();
    expect(
      stored.map((d) => [
        d.household.contractCode,
        d.requirement.key,
        d.status,
        d.dueDate?.toISOString().slice(0, 10) ?? null,
      ]),
    ).toEqual([
      ["DI-000001", "isee", "verified", "2026-09-01"],
      ["DI-000001", "income_declaration", "requested", "2026-10-10"],
      ["DI-000001", "payment_receipts", "missing", "2026-10-31"],
      ["DI-000001", "contract", "missing", "2026-10-16"],
      ["DI-000002", "isee", "requested", null],
    ]);

    const again = await cli(["import:documents", path]);
    expect(again.out[1]).toBe("documents: 0 created, 0 updated, 5 unchanged");
    // Nothing rewritten: updatedAt still says when each paper last changed.
    expect(await documents()).toEqual(stored);
    const audits = await h.db.auditLog.findMany({
      where: { action: "import.documents" },
      orderBy: { id: "asc" },
    });
    expect(audits.map((a) => [a.actorType, a.actorId, a.details])).toEqual([
      ["cli", "import-test", { rows: 5, documents: { created: 5, updated: 0, unchanged: 0 } }],
      ["cli", "import-test", { rows: 5, documents: { created: 0, updated: 0, unchanged: 5 } }],
    ]);
  }, 60_000);

  it("shows in /documents through the sandbox, and the document reminder follows the deadline", async () => {
    const text = (await rosa.ask("/documents")).text ?? "";
    expect(text).toContain("Consegnati: 1 su 4");
    expect(text).toContain("✅ A posto");
    expect(text).toContain("⏰ Era da portare entro il 10/10/2026");
    expect(text).toContain("📅 Da portare entro il 31/10/2026");
    expect(text).toContain("📅 Da portare entro il 16/10/2026");
    expect(text).not.toContain("❔ Da controllare con il tuo operatore");

    const job = await remindersQueue.add("scan", {});
    expect(await job.waitUntilFinished(remindersEvents, 15_000)).toMatchObject({ recorded: 1 });
    const [reminder] = await rosa.replies(1, 15_000);
    expect(reminder?.text).toContain("Contratto di affitto");
    expect(reminder?.text).toContain("16/10/2026");

    // The contract handed in: an updated row, the checklist follows, and no reminder is left for it.
    const path = await file(
      "received.csv",
      GOOD.replace("DI-000001;CONTRACT;Missing;16/10/2026", "DI-000001;contract;received;16/10/2026"),
    );
    const update = await cli(["import:documents", path]);
    expect(update.out[1]).toBe("documents: 0 created, 1 updated, 4 unchanged");
    const after = (await rosa.ask("/documents")).text ?? "";
    expect(after).toContain("Consegnati: 2 su 4");
    expect(after).toContain("📥 Consegnato, in controllo");
    expect(after).not.toContain("16/10/2026");
  }, 60_000);
});

it("never sent Telegram a request it rejects", async () => {
  expect(await h.badRequests()).toEqual([]);
});

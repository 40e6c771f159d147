// Broadcasts: audience and text files, the fan-out against real PostgreSQL and Redis, the CLI as a
// real process, and one broadcast delivered through the sandbox.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAudience } from "../core/broadcasts/audience.ts";
import { broadcastStatus, cancelBroadcast, createBroadcast } from "../core/broadcasts/broadcasts.ts";
import { parseTextFile } from "../core/broadcasts/text-file.ts";
import { fixedClock } from "../core/clock.ts";
import { createLogger } from "../core/logger.ts";
import { type BroadcastQueue, createBroadcastQueue } from "../core/queues/broadcasts.ts";
import { createDeliveryQueue, type DeliveryQueue } from "../core/queues/delivery.ts";
import { deferForQuietHours, isQuiet } from "../core/quiet-hours.ts";
import { startSandbox } from "../sandbox/server.ts";
import { processFanOut, sweepBroadcasts } from "../worker/broadcasts/processor.ts";
import { startWorker } from "../worker/worker.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";
import { runCli } from "./support/processes.ts";
import { SandboxUser } from "./support/sandbox-user.ts";

let t: TestDatabase;
let redis: Redis;
let prefix: string;
let deliveryQueue: DeliveryQueue;
let broadcastQueue: BroadcastQueue;
const dir = mkdtempSync(join(tmpdir(), "bussola-broadcasts-"));
const logger = createLogger({ level: "silent" });
const QUIET = { startMinute: 21 * 60, endMinute: 8 * 60 };
const actor = { actorType: "cli" as const, actorId: "test" };
// Friday 27/11/2026 11:00 in Rome.
const NOON = new Date("2026-11-27T10:00:00Z");

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const env = (extra: Record<string, string> = {}) => ({
  DATABASE_URL: t.url,
  REDIS_URL: "redis://127.0.0.1:6379",
  QUEUE_PREFIX: prefix,
  QUIET_HOURS: "",
  ...extra,
});

let nextUserId = 900_000_000;
let nextContract = 1;

type MemberOptions = {
  language?: string;
  municipality?: string;
  linked?: boolean;
  consent?: boolean;
  unreachable?: boolean;
  telegramUserId?: number;
};

/** A household with one member; linked and consenting unless told otherwise. */
async function household(options: MemberOptions = {}) {
  const h = await t.db.household.create({
    data: {
      contractCode: `C${nextContract++}`,
      name: "Famiglia",
      fiscalCode: "RSSMRA80A01H501U",
      municipality: options.municipality ?? "Brescia",
      address: "Via Roma 1",
    },
  });
  const userId = options.telegramUserId ?? nextUserId++;
  const m = await t.db.member.create({
    data: {
      telegramUserId: BigInt(userId),
      chatId: BigInt(userId),
      language: options.language ?? "it",
      householdId: options.linked === false ? null : h.id,
      linkedAt: options.linked === false ? null : NOON,
      consentAt: options.consent === false ? null : NOON,
      unreachableAt: options.unreachable ? NOON : null,
    },
  });
  return { household: h, member: m };
}

async function messagesOf(broadcastId: number) {
  return t.db.outboundMessage.findMany({ where: { broadcastId }, orderBy: { memberId: "asc" } });
}

const deps = (clock = fixedClock(NOON)) => ({ db: t.db, clock, logger, deliveryQueue, quietHours: QUIET });

async function newBroadcast(audience: string, texts: Record<string, string>, at: Date | null = null) {
  const parsed = parseAudience(audience);
  if (!parsed.ok) throw new Error(parsed.problem);
  const result = await createBroadcast(t.db, {
    audience: parsed.audience,
    texts,
    at,
    now: NOON,
    quietHours: QUIET,
    actor,
  });
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return result.broadcastId as number;
}

beforeAll(async () => {
  t = await createTestDatabase();
  prefix = testQueuePrefix();
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  deliveryQueue = createDeliveryQueue(redis, prefix);
  broadcastQueue = createBroadcastQueue(redis, prefix);
});

afterAll(async () => {
  await deliveryQueue?.obliterate({ force: true });
  await broadcastQueue?.obliterate({ force: true });
  await deliveryQueue?.close();
  await broadcastQueue?.close();
  await redis?.quit();
  await t?.drop();
});

describe("audience specs", () => {
  it("reads every form", () => {
    expect(parseAudience("all")).toEqual({ ok: true, audience: { kind: "all" } });
    expect(parseAudience(" Municipality: San Zeno Naviglio ")).toEqual({
      ok: true,
      audience: { kind: "municipality", name: "San Zeno Naviglio" },
    });
    expect(parseAudience("course:PIP-01")).toEqual({
      ok: true,
      audience: { kind: "course", code: "PIP-01" },
    });
    expect(parseAudience("plan:active")).toEqual({ ok: true, audience: { kind: "plan", status: "active" } });
    expect(parseAudience("arrears-over:1.500,50")).toEqual({
      ok: true,
      audience: { kind: "arrears-over", cents: 150050 },
    });
    expect(parseAudience("arrears-over:2000")).toEqual({
      ok: true,
      audience: { kind: "arrears-over", cents: 200000 },
    });
  });

  it("says what is wrong with a bad one", () => {
    const problem = (spec: string) => {
      const r = parseAudience(spec);
      return r.ok ? null : r.problem;
    };
    expect(problem("everyone")).toMatch(/unknown audience "everyone": use all, municipality:NAME/);
    expect(problem("")).toMatch(/unknown audience/);
    expect(problem("all:x")).toMatch(/"all" takes no value/);
    expect(problem("municipality:")).toMatch(/needs the municipality's name/);
    expect(problem("course")).toMatch(/needs a course code/);
    expect(problem("plan:broken")).toMatch(/only plan audience is "plan:active"/);
    expect(problem("arrears-over:")).toMatch(/needs an amount/);
    expect(problem("arrears-over:-5")).toMatch(/must not be negative/);
    expect(problem("arrears-over:lots")).toMatch(/is not an amount/);
    expect(problem("arrears-over:99999999999")).toMatch(/too large/);
    expect(problem("arrears-over:1 000")).toBe(
      'audience: arrears-over amount "1 000" has a space between digits: 1.000,00? (write it without spaces: 1.234,56 or 1234.56)',
    );
  });
});

describe("text files", () => {
  it("reads sections per language, Italian first without a header", () => {
    const r = parseTextFile("\uFEFFCiao a tutti\r\n\r\n[en]\r\nHello all\r\n[AR]\r\nمرحبا\r\n");
    expect(r).toEqual({ ok: true, texts: { it: "Ciao a tutti", en: "Hello all", ar: "مرحبا" } });
    expect(parseTextFile("[it]\nCiao\n\nsecond line\n[uk]\nПривіт")).toEqual({
      ok: true,
      texts: { it: "Ciao\n\nsecond line", uk: "Привіт" },
    });
  });

  it("lists every problem with its line number", () => {
    const r = parseTextFile(`[it]\nCiao\n[xx]\nfoo\n[en]\n\n[en]\nHello\n[fr]\n${"a".repeat(5000)}`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([
      { line: 3, message: expect.stringMatching(/^unknown language "\[xx\]": use one of .*\[it\]/) },
      { line: 7, message: "[en] appears twice (first on line 5)" },
      { line: 5, message: "[en] has no text" },
      { line: 9, message: "[fr] is 5000 characters long: at most 4096 (one Telegram message)" },
    ]);
  });

  it("requires Italian, refuses an empty file and Italian given twice", () => {
    expect(parseTextFile("")).toEqual({
      ok: false,
      problems: [{ line: 1, message: "the file has no text" }],
    });
    expect(parseTextFile("  \n\n")).toEqual({
      ok: false,
      problems: [{ line: 1, message: "the file has no text" }],
    });
    const noItalian = parseTextFile("[en]\nHello");
    expect(noItalian.ok ? [] : noItalian.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^no Italian text/),
    ]);
    const twice = parseTextFile("Ciao\n[it]\nCiao ancora");
    expect(twice.ok ? [] : twice.problems).toEqual([
      { line: 2, message: expect.stringMatching(/Italian text before it too/) },
    ]);
    const emptyOnly = parseTextFile("[it]\n\n");
    expect(emptyOnly.ok ? [] : emptyOnly.problems).toEqual([{ line: 1, message: "[it] has no text" }]);
  });
});

describe("quiet hours", () => {
  it("moves a time in quiet hours to their end, across midnight and DST", () => {
    const rome = (iso: string) => new Date(iso);
    // 22:30 Rome (winter, UTC+1) → 08:00 the next day.
    expect(deferForQuietHours(rome("2026-11-27T21:30:00Z"), QUIET)).toEqual(rome("2026-11-28T07:00:00Z"));
    // 06:00 Rome → 08:00 the same day.
    expect(deferForQuietHours(rome("2026-11-28T05:00:00Z"), QUIET)).toEqual(rome("2026-11-28T07:00:00Z"));
    // The night the clocks go forward (29/03/2026): 08:00 is UTC+2.
    expect(deferForQuietHours(rome("2026-03-28T22:00:00Z"), QUIET)).toEqual(rome("2026-03-29T06:00:00Z"));
    expect(isQuiet(rome("2026-11-27T10:00:00Z"), QUIET)).toBe(false);
    expect(deferForQuietHours(NOON, QUIET)).toBe(NOON);
    expect(deferForQuietHours(rome("2026-11-27T21:30:00Z"), null)).toEqual(rome("2026-11-27T21:30:00Z"));
    // A window within one day.
    const lunch = { startMinute: 13 * 60, endMinute: 14 * 60 };
    expect(deferForQuietHours(rome("2026-11-27T12:30:00Z"), lunch)).toEqual(rome("2026-11-27T13:00:00Z"));
  });
});

describe("recipients and fan-out", () => {
  it("picks the audience's linked, consenting, reachable members, each once, in their language", async () => {
    const ar = await household({ language: "ar", municipality: "Mantova" });
    const uk = await household({ language: "uk", municipality: "MANTOVA" });
    const it_ = await household({ municipality: "Brescia" });
    await household({ municipality: "Mantova", linked: false });
    await household({ municipality: "Mantova", consent: false });
    await household({ municipality: "Mantova", unreachable: true });
    // A course with one enrolled and one cancelled enrolment.
    const course = await t.db.course.create({
      data: { code: "PIP-01", title: "PIP", description: "", municipality: "Brescia" },
    });
    const session = await t.db.courseSession.create({
      data: { courseId: course.id, startsAt: NOON, endsAt: NOON, location: "Sala", capacity: 10 },
    });
    await t.db.enrolment.create({ data: { sessionId: session.id, memberId: it_.member.id } });
    await t.db.enrolment.create({
      data: { sessionId: session.id, memberId: ar.member.id, status: "cancelled" },
    });
    // An active plan for the Arabic speaker's household, a completed one for the Ukrainian's.
    await t.db.repaymentPlan.create({ data: { householdId: ar.household.id, planCode: "P1" } });
    await t.db.repaymentPlan.create({
      data: { householdId: uk.household.id, planCode: "P2", status: "completed" },
    });
    // Arrears: 1.000 € less 300 € paid since (700 € now), and 600 € with an older payment that
    // the figures already include.
    const day = (d: string) => new Date(`${d}T00:00:00Z`);
    await t.db.arrearsBalance.createMany({
      data: [
        {
          householdId: ar.household.id,
          rentCents: 80000,
          chargesCents: 20000,
          balanceDate: day("2026-10-31"),
        },
        { householdId: ar.household.id, rentCents: 1, chargesCents: 0, balanceDate: day("2026-01-31") },
        { householdId: uk.household.id, rentCents: 60000, chargesCents: 0, balanceDate: day("2026-10-31") },
      ],
    });
    await t.db.payment.createMany({
      data: [
        { householdId: ar.household.id, paymentDate: day("2026-11-10"), amountCents: 30000, reference: "R1" },
        { householdId: uk.household.id, paymentDate: day("2026-10-01"), amountCents: 50000, reference: "R2" },
      ],
    });

    const recipients = async (spec: string) => {
      const id = await newBroadcast(spec, { it: "Ciao", ar: "مرحبا" });
      await processFanOut({ broadcastId: id }, deps());
      return (await messagesOf(id)).map((m) => m.memberId);
    };
    expect(await recipients("municipality:mantova")).toEqual([ar.member.id, uk.member.id]);
    expect(await recipients("course:PIP-01")).toEqual([it_.member.id]);
    expect(await recipients("plan:active")).toEqual([ar.member.id]);
    expect(await recipients("arrears-over:650")).toEqual([ar.member.id]);
    expect(await recipients("arrears-over:550")).toEqual([ar.member.id, uk.member.id]);
    await expect(recipients("arrears-over:700")).rejects.toThrow(/no recipients now/);

    const id = await newBroadcast("municipality:Mantova", { it: "Ciao <tutti> & voi", ar: "مرحبا" });
    await processFanOut({ broadcastId: id }, deps());
    const messages = await messagesOf(id);
    expect(messages.map((m) => [m.memberId, m.text, m.purpose, m.status, m.parseMode])).toEqual([
      [ar.member.id, "مرحبا", `broadcast:${id}:${ar.member.id}`, "queued", null],
      // No Ukrainian section: Italian, as written (sent as plain text, so nothing to escape).
      [uk.member.id, "Ciao <tutti> & voi", `broadcast:${id}:${uk.member.id}`, "queued", null],
    ]);
    // Their delivery jobs are waiting in the queue.
    for (const m of messages) expect(await deliveryQueue.getJob(`message-${m.id}`)).toBeDefined();
  });

  it("refuses an audience nobody is in, an unknown course, an unknown municipality", async () => {
    const attempt = async (spec: string) => {
      const parsed = parseAudience(spec);
      if (!parsed.ok) throw new Error(parsed.problem);
      const r = await createBroadcast(t.db, {
        audience: parsed.audience,
        texts: { it: "Ciao" },
        at: null,
        now: NOON,
        quietHours: null,
        actor,
      });
      return r.ok ? [] : r.problems;
    };
    expect(await attempt("course:NOPE")).toEqual(['audience: no course with code "NOPE"']);
    expect(await attempt("municipality:Atlantide")).toEqual([
      'audience: no household in municipality "Atlantide"',
    ]);
    expect(await attempt("arrears-over:1000000")).toEqual([
      expect.stringMatching(/^audience: arrears-over:1\.000\.000,00 has no recipients now/),
    ]);
  });

  it("runs the fan-out twice, or twice at once, without a second message to anyone", async () => {
    const id = await newBroadcast("all", { it: "Una volta sola" });
    const [a, b] = await Promise.all([
      processFanOut({ broadcastId: id }, deps()),
      processFanOut({ broadcastId: id }, deps()),
    ]);
    const again = await processFanOut({ broadcastId: id }, deps());
    const members = await t.db.member.count({
      where: { householdId: { not: null }, consentAt: { not: null }, unreachableAt: null },
    });
    const messages = await messagesOf(id);
    expect(messages).toHaveLength(members);
    expect(new Set(messages.map((m) => m.memberId)).size).toBe(members);
    expect(a.outcome === "fanned-out" && b.outcome === "fanned-out").toBe(true);
    expect(
      (a.outcome === "fanned-out" ? a.inserted : 0) + (b.outcome === "fanned-out" ? b.inserted : 0),
    ).toBe(members);
    expect(again).toMatchObject({ outcome: "fanned-out", inserted: 0 });
    const broadcast = await t.db.broadcast.findUniqueOrThrow({ where: { id } });
    expect(broadcast.status).toBe("sending");
    expect(broadcast.fannedOutAt).toEqual(NOON);
  });

  it("cancels: what is not sent yet stays unsent, counters add up, and a later fan-out does nothing", async () => {
    for (let i = 0; i < 5; i++) await household();
    const id = await newBroadcast("all", { it: "Annullato" });
    await processFanOut({ broadcastId: id }, deps());
    const messages = await messagesOf(id);
    expect(messages.length).toBeGreaterThan(3);
    // Two went out before the cancel, one failed, one was being sent.
    const [first, second, third, fourth] = messages.map((m) => m.id) as [number, number, number, number];
    await t.db.outboundMessage.updateMany({
      where: { id: { in: [first, second] } },
      data: { status: "sent" },
    });
    await t.db.outboundMessage.update({ where: { id: third }, data: { status: "failed" } });
    await t.db.outboundMessage.update({ where: { id: fourth }, data: { status: "sending" } });
    const cancelled = await cancelBroadcast(t.db, id, { now: NOON, actor });
    expect(cancelled).toEqual({ ok: true, cancelledMessages: messages.length - 4 });
    const view = await broadcastStatus(t.db, id);
    expect(view).toMatchObject({
      status: "cancelled",
      recipients: messages.length,
      counters: {
        queued: 0,
        sending: 1,
        sent: 2,
        failed: 1,
        unreachable: 0,
        uncertain: 0,
        cancelled: messages.length - 4,
      },
    });
    expect(await processFanOut({ broadcastId: id }, deps())).toEqual({
      outcome: "skipped",
      reason: "cancelled",
    });
    expect(await cancelBroadcast(t.db, id, { now: NOON, actor })).toEqual({
      ok: false,
      problem: `broadcast ${id} is already cancelled: nothing to cancel`,
    });
    expect(await cancelBroadcast(t.db, 999999, { now: NOON, actor })).toEqual({
      ok: false,
      problem: "no broadcast 999999",
    });
    const log = await t.db.auditLog.findFirst({
      where: { action: "broadcast.cancel", entityId: String(id) },
    });
    expect(log?.details).toEqual({ cancelledMessages: messages.length - 4 });
  });

  it("cancelled before its time: nothing is ever recorded", async () => {
    const id = await newBroadcast("all", { it: "Mai" }, new Date("2026-11-28T10:00:00Z"));
    await cancelBroadcast(t.db, id, { now: NOON, actor });
    expect(
      await processFanOut({ broadcastId: id }, deps(fixedClock(new Date("2026-11-28T10:00:00Z")))),
    ).toEqual({ outcome: "skipped", reason: "cancelled" });
    expect(await messagesOf(id)).toEqual([]);
  });

  it("does not go out before its time, nor in quiet hours", async () => {
    const at = new Date("2026-11-28T10:00:00Z");
    const id = await newBroadcast("all", { it: "Domani" }, at);
    const clock = fixedClock(new Date(at.getTime() - 60_000));
    expect(await processFanOut({ broadcastId: id }, deps(clock))).toEqual({
      outcome: "skipped",
      reason: "not-due",
    });
    expect(await messagesOf(id)).toEqual([]);
    // The sweep leaves it alone too until it is due.
    await sweepBroadcasts({ ...deps(clock), broadcastQueue });
    expect(await broadcastQueue.getJob(`broadcast-${id}`)).toBeUndefined();
    // Due, but the worker was down and comes back at 23:00: it waits for the morning.
    const night = fixedClock(new Date("2026-11-28T22:00:00Z"));
    expect(await processFanOut({ broadcastId: id }, deps(night))).toEqual({
      outcome: "skipped",
      reason: "quiet-hours",
    });
    await sweepBroadcasts({ ...deps(night), broadcastQueue });
    expect(await broadcastQueue.getJob(`broadcast-${id}`)).toBeUndefined();
    // Morning: the sweep queues the fan-out that Redis never had.
    const morning = fixedClock(new Date("2026-11-29T07:01:00Z"));
    const swept = await sweepBroadcasts({ ...deps(morning), broadcastQueue });
    expect(swept.fanOutsQueued).toBeGreaterThanOrEqual(1);
    const job = await broadcastQueue.getJob(`broadcast-${id}`);
    expect(job?.data).toEqual({ broadcastId: id });
    await job?.remove();
    expect(await processFanOut({ broadcastId: id }, deps(morning))).toMatchObject({ outcome: "fanned-out" });
    expect((await messagesOf(id)).length).toBeGreaterThan(0);
  });

  it("the sweep finishes a broadcast once nothing is left to send", async () => {
    const id = await newBroadcast("all", { it: "Fine" });
    await processFanOut({ broadcastId: id }, deps());
    await sweepBroadcasts({ ...deps(), broadcastQueue });
    expect((await t.db.broadcast.findUniqueOrThrow({ where: { id } })).status).toBe("sending");
    await t.db.outboundMessage.updateMany({ where: { broadcastId: id }, data: { status: "sent" } });
    await sweepBroadcasts({ ...deps(), broadcastQueue });
    const done = await t.db.broadcast.findUniqueOrThrow({ where: { id } });
    expect(done.status).toBe("done");
    expect(done.finishedAt).toEqual(NOON);
  });
});

describe("broadcast CLI", () => {
  it("rejects wrong usage with exit 2", async () => {
    const text = file("usage.txt", "Ciao");
    const noAudience = await runCli(["broadcast", "--text-file", text], env());
    expect(noAudience.code).toBe(2);
    expect(noAudience.stderr).toMatch(
      /broadcast: missing --audience\nUsage: npm run cli -- broadcast --audience A/,
    );
    expect((await runCli(["broadcast", "--audience", "all"], env())).code).toBe(2);
    expect(
      (await runCli(["broadcast", "--audience", "all", "--text-file", text, "--bogus"], env())).code,
    ).toBe(2);
    expect((await runCli(["broadcast:cancel"], env())).code).toBe(2);
    expect((await runCli(["broadcast:status", "1", "2"], env())).code).toBe(2);
  });

  it("rejects bad input with exit 1, every problem on its own line, and records nothing", async () => {
    const before = await t.db.broadcast.count();
    const bad = file("bad.txt", "Ciao\n[klingon]\nnuqneH\n[en]\n");
    const r = await runCli(
      ["broadcast", "--audience", "arrears-over:tanti", "--text-file", bad, "--at", "domani"],
      env(),
    );
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      'audience: arrears-over amount "tanti" is not an amount (write e.g. 1.000,00 or 1000.00)',
      '--at "domani" is not a time: write 2026-12-10T09:30 or 10/12/2026 09:30 (Europe/Rome)',
      expect.stringMatching(new RegExp(`^${bad}:2: unknown language "\\[klingon\\]"`)),
      `${bad}:4: [en] has no text`,
    ]);
    // A time the spring change skips is named as such, not as "not a time".
    const skipped = await runCli(
      ["broadcast", "--audience", "all", "--text-file", file("ok.txt", "Ciao\n"), "--at", "28/03/2027 02:30"],
      env(),
    );
    expect(skipped.code).toBe(1);
    expect(skipped.stderr.trim().split("\n")).toEqual([
      '--at "28/03/2027 02:30" does not exist in Italy (the clocks go forward that night)',
    ]);
    const missing = await runCli(
      ["broadcast", "--audience", "all", "--text-file", join(dir, "none.txt")],
      env(),
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/none\.txt: cannot read it: no such file/);
    const nobody = await runCli(
      ["broadcast", "--audience", "course:NOPE", "--text-file", file("ok.txt", "Ciao")],
      env(),
    );
    expect(nobody.code).toBe(1);
    expect(nobody.stderr.trim()).toBe('audience: no course with code "NOPE"');
    expect((await runCli(["broadcast:status", "abc"], env())).stderr.trim()).toBe(
      '"abc" is not a broadcast id',
    );
    const unknown = await runCli(["broadcast:status", "424242"], env());
    expect([unknown.code, unknown.stderr.trim()]).toEqual([1, "no broadcast 424242"]);
    const cancelUnknown = await runCli(["broadcast:cancel", "424242"], env());
    expect([cancelUnknown.code, cancelUnknown.stderr.trim()]).toEqual([1, "no broadcast 424242"]);
    expect(await t.db.broadcast.count()).toBe(before);
  });

  it("--dry-run shows recipients per language and changes nothing", async () => {
    const before = await t.db.broadcast.count();
    const audits = await t.db.auditLog.count();
    const r = await runCli(
      [
        "broadcast",
        "--audience",
        "municipality:mantova",
        "--text-file",
        file("dry.txt", "Ciao\n[ar]\nمرحبا"),
        "--dry-run",
      ],
      env(),
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")).toEqual([
      "Dry run: nothing recorded, nothing sent.",
      "audience: municipality:mantova, 2 recipients now",
      "  ar: 1",
      "  uk: 1 (no [uk] section: they get it)",
      "sends: now",
      "",
    ]);
    expect(await t.db.broadcast.count()).toBe(before);
    expect(await t.db.auditLog.count()).toBe(audits);
  });

  it("records a broadcast for later, moves it out of quiet hours, queues its delayed fan-out, and shows its status", async () => {
    // Tomorrow at 23:30 in Rome, which is in the default quiet hours (21:00-08:00).
    const tomorrow = new Date(Date.now() + 24 * 3600_000);
    const day = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Rome" }).format(tomorrow);
    const r = await runCli(
      [
        "broadcast",
        "--audience",
        "all",
        "--text-file",
        file("later.txt", "Buonanotte"),
        "--at",
        `${day}T23:30`,
      ],
      env({ QUIET_HOURS: "21:00-08:00" }),
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const id = Number(/^Broadcast (\d+) recorded\.$/m.exec(r.stdout)?.[1]);
    const broadcast = await t.db.broadcast.findUniqueOrThrow({ where: { id } });
    const [y, mo, d] = day.split("-");
    const next = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d) + 1));
    const dd = String(next.getUTCDate()).padStart(2, "0");
    const mm = String(next.getUTCMonth() + 1).padStart(2, "0");
    expect(r.stdout).toContain(
      `note: the time asked is in quiet hours (21:00-08:00, QUIET_HOURS): moved to ${dd}/${mm}/${next.getUTCFullYear()} 08:00`,
    );
    expect(r.stdout).toContain(`sends: ${dd}/${mm}/${next.getUTCFullYear()} 08:00 (Europe/Rome)`);
    const job = await broadcastQueue.getJob(`broadcast-${id}`);
    expect(await job?.getState()).toBe("delayed");
    // Delayed until sendAt (within the time the command took).
    const dueAt = (job?.timestamp ?? 0) + (job?.opts.delay ?? 0);
    expect(Math.abs(dueAt - broadcast.sendAt.getTime())).toBeLessThan(5000);
    expect(broadcast.texts).toEqual({ it: "Buonanotte" });

    const status = await runCli(["broadcast:status", String(id)], env());
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`broadcast ${id}: scheduled\naudience: all\nlanguages: it\n`);
    expect(status.stdout).toContain(
      "recipients: 0 (so far: not fanned out yet)\nqueued: 0\nsending: 0\nsent: 0",
    );

    const cancel = await runCli(["broadcast:cancel", String(id)], env());
    expect([cancel.code, cancel.stdout.trim()]).toEqual([
      0,
      `Broadcast ${id} cancelled: 0 messages not sent.`,
    ]);
    const again = await runCli(["broadcast:cancel", String(id)], env());
    expect([again.code, again.stderr.trim()]).toEqual([
      1,
      `broadcast ${id} is already cancelled: nothing to cancel`,
    ]);
    await job?.remove();
  });
});

describe("broadcast CLI without Redis", () => {
  it("records the broadcast, warns, and exits 0: a worker's sweep queues it", async () => {
    await household();
    const r = await runCli(
      ["broadcast", "--audience", "all", "--text-file", file("noredis.txt", "Ciao")],
      env({ REDIS_URL: "redis://127.0.0.1:1" }),
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: could not queue the sending in Redis \(.+\); it is recorded/);
    const id = Number(/^Broadcast (\d+) recorded\.$/m.exec(r.stdout)?.[1]);
    const recorded = await t.db.broadcast.findUniqueOrThrow({ where: { id } });
    expect(recorded.status).toBe("scheduled");
    // The sweep runs at the first moment the broadcast may go out: the command ran without quiet
    // hours (env() disables them), the sweep keeps QUIET, so a run at 21:30 in Rome is swept at 08:00.
    const sweptAt = deferForQuietHours(recorded.sendAt, QUIET);
    await sweepBroadcasts({ ...deps(fixedClock(sweptAt)), broadcastQueue });
    expect((await broadcastQueue.getJob(`broadcast-${id}`))?.data).toEqual({ broadcastId: id });
    await cancelBroadcast(t.db, id, { now: new Date(), actor });
    await (await broadcastQueue.getJob(`broadcast-${id}`))?.remove();
  });
});

describe("a broadcast through the worker and the sandbox", () => {
  it("reaches every member once, in their language, and finishes", async () => {
    const sandbox = await startSandbox({ port: 0 });
    const db2 = await createTestDatabase();
    const prefix2 = testQueuePrefix();
    const connection = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
    const worker = await startWorker({
      db: db2.db,
      logger,
      clock: { now: () => new Date() },
      connection,
      queuePrefix: prefix2,
      telegram: { token: sandbox.token, apiRoot: sandbox.url },
      maintenanceIntervalMs: 300,
    });
    try {
      const users: { user: SandboxUser; language: string }[] = [];
      for (const [i, language] of ["it", "ar", "uk", "en"].entries()) {
        const user = await SandboxUser.create(sandbox.url, { first_name: `U${i}` });
        await user.send({ text: "ciao" });
        const h = await db2.db.household.create({
          data: { contractCode: `S${i}`, name: "F", fiscalCode: "X", municipality: "Cremona", address: "A" },
        });
        await db2.db.member.create({
          data: {
            telegramUserId: BigInt(user.id),
            chatId: BigInt(user.id),
            language,
            householdId: h.id,
            linkedAt: new Date(),
            consentAt: new Date(),
          },
        });
        users.push({ user, language });
      }
      const r = await runCli(
        [
          "broadcast",
          "--audience",
          "all",
          "--text-file",
          file("live.txt", "Ciao <a tutti>\n[ar]\nمرحبا\n[en]\nHello & welcome"),
        ],
        {
          DATABASE_URL: db2.url,
          REDIS_URL: "redis://127.0.0.1:6379",
          QUEUE_PREFIX: prefix2,
          QUIET_HOURS: "",
        },
      );
      expect(r.code).toBe(0);
      const id = Number(/^Broadcast (\d+) recorded\.$/m.exec(r.stdout)?.[1]);
      const expected: Record<string, string> = {
        it: "Ciao <a tutti>",
        ar: "مرحبا",
        uk: "Ciao <a tutti>",
        en: "Hello & welcome",
      };
      for (const { user, language } of users) {
        const [reply] = await user.replies(1, 15_000);
        expect(reply?.text).toBe(expected[language]);
      }
      await expect
        .poll(async () => (await db2.db.broadcast.findUniqueOrThrow({ where: { id } })).status, {
          timeout: 15_000,
        })
        .toBe("done");
      const view = await broadcastStatus(db2.db, id);
      expect(view?.counters).toMatchObject({ sent: 4, queued: 0, sending: 0, failed: 0 });
      for (const { user } of users) expect((await user.quietFor(300)).length).toBe(0);
    } finally {
      await worker.close();
      await createDeliveryQueue(connection, prefix2).obliterate({ force: true });
      await createBroadcastQueue(connection, prefix2).obliterate({ force: true });
      await connection.quit();
      await sandbox.close();
      await db2.drop();
    }
  });
});

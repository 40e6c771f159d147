// `broadcast`, `broadcast:cancel`, `broadcast:status`: announcements to groups of households.
import { Redis } from "ioredis";
import { parseAudience } from "../../core/broadcasts/audience.ts";
import { broadcastStatus, cancelBroadcast, createBroadcast } from "../../core/broadcasts/broadcasts.ts";
import { parseTextFile } from "../../core/broadcasts/text-file.ts";
import { systemClock } from "../../core/clock.ts";
import { loadConfig } from "../../core/config.ts";
import { createBroadcastQueue, queueFanOut } from "../../core/queues/broadcasts.ts";
import { formatRomeDateTime, readRomeDateTime } from "../../core/time.ts";
import { type Command, cliActor, InputRejected, stringOption, UsageError } from "../command.ts";
import { withDatabase } from "../database.ts";
import { readInput } from "../import-file.ts";

const hhmm = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;

/** Queues the fan-out; the reason when Redis cannot be reached in a few seconds. */
async function queueInRedis(
  env: NodeJS.ProcessEnv,
  broadcastId: number,
  sendAt: Date,
): Promise<string | null> {
  const config = loadConfig(env);
  // Not the workers' settings: a command should give up on an unreachable Redis, not wait forever.
  const redis = new Redis(config.redisUrl, {
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
    retryStrategy: (times) => (times > 2 ? null : 200),
  });
  redis.on("error", () => {});
  const queue = createBroadcastQueue(redis, config.queuePrefix);
  // The failure is reported once, below; BullMQ would print every reconnection attempt.
  queue.on("error", () => {});
  try {
    await queueFanOut(queue, broadcastId, sendAt, systemClock.now());
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await queue.close().catch(() => {});
    redis.disconnect();
  }
}

export const broadcastCommand: Command = {
  name: "broadcast",
  args: "--audience A --text-file FILE [--at TIME] [--dry-run]",
  summary: "Send an announcement to a group of households, now or at a given time",
  help: [
    "Audience: all | municipality:NAME | course:CODE | waiting:CODE | low-attendance:CODE | plan:active",
    "  | arrears-over:AMOUNT. Only linked members who gave consent and can be reached get it.",
    "  municipality matches any case; course: members enrolled in a session of the course; waiting:",
    "  on a session's waiting list; low-attendance: enrolled, and present at less than half of the",
    "  course's past sessions with a mark; plan:active: households with an active",
    "  repayment plan; arrears-over: households whose arrears now exceed AMOUNT (e.g. 1.000,00).",
    "Text file (UTF-8, plain text): one section per language, each after a line such as [en] or [ar];",
    "  text before any such line is Italian. Italian is required: members whose language has no",
    "  section get it. At most 4096 characters per section.",
    "--at: when to send, Europe/Rome (2026-12-10T09:30, 10/12/2026 09:30, or ISO with an offset);",
    "  a time in the past means now. Broadcasts never go out in QUIET_HOURS: a time in them is",
    "  moved to their end (the morning), and the command says so.",
    "--dry-run: check everything and show the recipients, without recording or sending anything.",
    "Needs Redis (REDIS_URL) to queue the sending; if it is down, the broadcast is recorded and a",
    "worker queues it within a minute.",
  ],
  options: {
    audience: { type: "string" },
    "text-file": { type: "string" },
    at: { type: "string" },
    "dry-run": { type: "boolean" },
  },
  async run({ options, env, io }) {
    const audienceSpec = stringOption(options, "audience");
    const file = stringOption(options, "text-file");
    const atText = stringOption(options, "at");
    const dryRun = options["dry-run"] === true;
    if (audienceSpec === undefined) throw new UsageError("missing --audience");
    if (file === undefined) throw new UsageError("missing --text-file");
    const config = loadConfig(env);

    const problems: string[] = [];
    const audience = parseAudience(audienceSpec);
    if (!audience.ok) problems.push(audience.problem);
    let at: Date | null = null;
    if (atText !== undefined) {
      const read = readRomeDateTime(atText);
      if (read.ok) at = read.instant;
      else if (read.reason === "skipped")
        problems.push(
          `--at ${JSON.stringify(atText)} does not exist in Italy (the clocks go forward that night)`,
        );
      else
        problems.push(
          `--at ${JSON.stringify(atText)} is not a time: write 2026-12-10T09:30 or 10/12/2026 09:30 (Europe/Rome)`,
        );
    }
    const parsed = parseTextFile(await readInput(file));
    if (!parsed.ok) problems.push(...parsed.problems.map((p) => `${file}:${p.line}: ${p.message}`));
    if (problems.length || !audience.ok || !parsed.ok) throw new InputRejected(problems);

    const now = systemClock.now();
    const result = await withDatabase(env, (db) =>
      createBroadcast(db, {
        audience: audience.audience,
        texts: parsed.texts,
        at,
        now,
        quietHours: config.quietHours,
        actor: cliActor(env),
        dryRun,
      }),
    );
    if (!result.ok) throw new InputRejected(result.problems);
    const { plan, broadcastId } = result;
    io.out(
      broadcastId === null
        ? "Dry run: nothing recorded, nothing sent."
        : `Broadcast ${broadcastId} recorded.`,
    );
    io.out(`audience: ${plan.audience}, ${plan.total} recipient${plan.total === 1 ? "" : "s"} now`);
    for (const r of plan.recipients) {
      io.out(
        `  ${r.language}: ${r.recipients}${r.section === r.language ? "" : ` (no [${r.language}] section: they get ${r.section})`}`,
      );
    }
    const immediate = plan.sendAt.getTime() <= now.getTime();
    io.out(`sends: ${immediate ? "now" : `${formatRomeDateTime(plan.sendAt)} (Europe/Rome)`}`);
    if (plan.movedOutOfQuietHours && config.quietHours) {
      io.out(
        `note: ${atText === undefined || (at && at.getTime() <= now.getTime()) ? "now" : "the time asked"} is in quiet hours (${hhmm(config.quietHours.startMinute)}-${hhmm(config.quietHours.endMinute)}, QUIET_HOURS): moved to ${formatRomeDateTime(plan.sendAt)}`,
      );
    }
    if (broadcastId === null) return;
    const redisProblem = await queueInRedis(env, broadcastId, plan.sendAt);
    if (redisProblem !== null) {
      io.err(
        `warning: could not queue the sending in Redis (${redisProblem}); it is recorded, and a worker queues it within a minute of it being due once Redis is reachable`,
      );
    }
  },
};

function broadcastId(text: string): number {
  if (!/^\d{1,9}$/.test(text) || Number(text) < 1)
    throw new InputRejected([`${JSON.stringify(text)} is not a broadcast id`]);
  return Number(text);
}

export const broadcastCancelCommand: Command = {
  name: "broadcast:cancel",
  args: "ID",
  summary: "Stop a broadcast: messages not yet sent are not sent",
  positionals: ["ID"],
  async run({ positionals, env, io }) {
    const id = broadcastId(positionals[0] as string);
    const result = await withDatabase(env, (db) =>
      cancelBroadcast(db, id, { now: systemClock.now(), actor: cliActor(env) }),
    );
    if (!result.ok) throw new InputRejected([result.problem]);
    io.out(
      `Broadcast ${id} cancelled: ${result.cancelledMessages} message${result.cancelledMessages === 1 ? "" : "s"} not sent.`,
    );
  },
};

export const broadcastStatusCommand: Command = {
  name: "broadcast:status",
  args: "ID",
  summary: "A broadcast's state and counters",
  positionals: ["ID"],
  async run({ positionals, env, io }) {
    const id = broadcastId(positionals[0] as string);
    const view = await withDatabase(env, (db) => broadcastStatus(db, id));
    if (!view) throw new InputRejected([`no broadcast ${id}`]);
    io.out(`broadcast ${view.id}: ${view.status}`);
    io.out(`audience: ${view.audience}`);
    io.out(`languages: ${view.languages.join(" ")}`);
    io.out(`send at: ${formatRomeDateTime(view.sendAt)} (Europe/Rome)`);
    if (view.fannedOutAt) io.out(`fanned out: ${formatRomeDateTime(view.fannedOutAt)}`);
    if (view.finishedAt) io.out(`finished: ${formatRomeDateTime(view.finishedAt)}`);
    if (view.cancelledAt) io.out(`cancelled: ${formatRomeDateTime(view.cancelledAt)}`);
    io.out(`recipients: ${view.recipients}${view.fannedOutAt ? "" : " (so far: not fanned out yet)"}`);
    for (const [status, count] of Object.entries(view.counters)) io.out(`${status}: ${count}`);
  },
};

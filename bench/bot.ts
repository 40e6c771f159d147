// Bot benchmark (part of `npm run bench`), in two parts.
//
// The throughput comparison (bench/bot-light.ts): Bussola, a bare grammY echo bot (bench/echo-bot.ts)
// and a conventional grammY bot (bench/conventional-bot.ts: the session plugin on a PostgreSQL storage
// adapter, one Prisma query per /balance) each answer `/balance` at saturation against a light
// Telegram stand-in (bench/light-telegram.ts) whose CPU per update is measured against each bot's. The
// headline ratios (Bussola / echo, Bussola / conventional) come from there.
//
// The human-pace part, below: simulated households doing mixed flows against the full sandbox, for
// the real Bussola bot (`node main.ts --role bot` and `--role worker`, long polling, a fresh database,
// households linked through the privacy notice and a link code) and for the echo bot on a sandbox of
// its own, with the same client load. Reports updates handled per second and the time from update to
// reply. The sandbox answers the households' control calls too, so its CPU per update is about the
// echo bot's: fine for latencies at human pace, not for a bot's ceiling.
//
// Latency: from the control-API send (or press) call returning to the bot's reply appearing, read with
// GET /control/chats/:id/wait (a press: the bot's next message, or its answerCallbackQuery when no
// message follows). Three loads per bot: one household alone, steps back to back (the time a reply
// takes with no queue); "steady" (every household thinks 0.5–1.5 s between steps: concurrent but
// realistic; its latencies are the headline figures); and "saturation" (no think time: each household
// sends its next update as soon as it has the reply). The sandbox's flood limits are turned off so the
// bots, not its throttling, are measured.
//
// Flows that do not exist (yet) answer "unknown command" or "not understood": they are counted as
// "other", never as failures. Errors are time-outs, the bot's "something went wrong" reply, rejected
// button presses, and every Bot API call the sandbox answered with a status other than 200.
//
// Then, on the same sandbox and database, the conventional bot with the same people.
// BENCH_BOT_MIX: "balance" (default: every step is /balance, the side-by-side comparison) or "mixed".
//
// Alone: `node bench/bot.ts`. Knobs: BENCH_BOT_PARTS (all, light: the throughput comparison alone, or
// sandbox), BENCH_BOT_HOUSEHOLDS (200), BENCH_BOT_SECONDS (steady load, 10), BENCH_BOT_THINK_MS
// (500-1500), BENCH_BOT_LIGHT_SECONDS (each bot's window on the light stand-in, 10),
// BENCH_BOT_LIGHT_WARMUP (3), BENCH_BOT_PROFILE=<dir> (a CPU profile of Bussola's bot process).
import { Agent, request } from "node:http";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { systemClock } from "../core/clock.ts";
import type { Db } from "../core/db/client.ts";
import { translator } from "../core/i18n.ts";
import { issueLinkCode } from "../core/linking.ts";
import { type LightFigures, measureLight } from "./bot-light.ts";
import {
  benchDatabase,
  benchQueuePrefix,
  bussolaEnv,
  type Child,
  Cleanup,
  envNumber,
  killChildren,
  mapLimit,
  processCpuMs,
  progress,
  restartProgress,
  sleep,
  startBussolaBot,
  startChild,
} from "./bot-support.ts";
import type { BenchHousehold } from "./households.ts";

export type BenchResult = { name: string; value: number; unit: string; note?: string };

/** "500-1500" → [500, 1500] (milliseconds). */
function thinkRange(raw: string): readonly [number, number] {
  const match = /^(\d+)-(\d+)$/.exec(raw.trim());
  const range = match ? ([Number(match[1]), Number(match[2])] as const) : undefined;
  if (!range || range[0] > range[1]) throw new Error("BENCH_BOT_THINK_MS must look like 500-1500");
  return range;
}

function mixOf(raw: string): "balance" | "mixed" {
  if (raw !== "balance" && raw !== "mixed") throw new Error("BENCH_BOT_MIX must be balance or mixed");
  return raw;
}

const CONFIG = {
  households: Math.round(envNumber("BENCH_BOT_HOUSEHOLDS", 200)),
  steadyMs: envNumber("BENCH_BOT_SECONDS", 10) * 1000,
  saturationMs: 5_000,
  /** One household alone, steps back to back: the time a reply takes without any queue. */
  soloMs: 3_000,
  /** Think time between two steps of one household in the steady load, uniformly in [min, max]. */
  thinkMs: thinkRange(process.env.BENCH_BOT_THINK_MS ?? "500-1500"),
  /** "balance" (every step is /balance: the side-by-side comparison) or "mixed" (the flows below). */
  mix: mixOf(process.env.BENCH_BOT_MIX ?? "balance"),
  replyTimeoutMs: 10_000,
  /** After a press is answered, how long a message may still follow and count as its reply. */
  pressGraceMs: 3_000,
  /** Households linked at once during set-up, and the most set-up may take (the rest are left out). */
  setupConcurrency: 50,
  setupMs: 60_000,
};

// ─── The sandbox's control API, over keep-alive HTTP ────────────────────────────────────────────

type BotMessage = {
  message_id: number;
  text?: string;
  reply_markup?: { inline_keyboard?: { text: string; callback_data?: string }[][] };
};

class StaleSocket extends Error {}

class Control {
  readonly #agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  readonly #host: string;
  readonly #port: number;

  constructor(url: string) {
    const u = new URL(url);
    this.#host = u.hostname;
    this.#port = Number(u.port);
  }

  async call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<{ status: number; body: T }> {
    for (;;) {
      try {
        return await this.#once<T>(method, path, body);
      } catch (error) {
        // A kept-alive socket the sandbox closed as idle just as this request went out (Node's own
        // advice): the request never reached it, so sending it again is safe.
        if (!(error instanceof StaleSocket)) throw error;
      }
    }
  }

  #once<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const payload = method === "POST" ? JSON.stringify(body ?? {}) : undefined;
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.#host,
          port: this.#port,
          path,
          method,
          agent: this.#agent,
          headers: payload
            ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
            : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", reject);
          res.on("end", () => {
            try {
              const text = Buffer.concat(chunks).toString("utf8");
              resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : null) as T });
            } catch (error) {
              reject(error);
            }
          });
        },
      );
      req.on("error", (error: NodeJS.ErrnoException) => {
        reject(req.reusedSocket && error.code === "ECONNRESET" ? new StaleSocket() : error);
      });
      req.end(payload);
    });
  }

  async ok<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const answer = await this.call<T>(method, path, body);
    if (answer.status !== 200) {
      throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return answer.body;
  }

  close(): void {
    this.#agent.destroy();
  }
}

// ─── Simulated households ───────────────────────────────────────────────────────────────────────

type Language = "it" | "en";
type SimUser = { id: number; language: Language; name: string; seen: number };

const STEPS = ["balance", "help", "plan", "expense", "category", "summary", "courses", "text"] as const;
type Step = (typeof STEPS)[number];
/** How often each step is chosen; "category" follows an expense whenever the bot offers buttons. */
const MIX: [Exclude<Step, "category">, number][] = [
  ["balance", 20],
  ["help", 10],
  ["plan", 15],
  ["expense", 20],
  ["summary", 15],
  ["courses", 10],
  ["text", 10],
];
const MIX_TOTAL = MIX.reduce((sum, [, weight]) => sum + weight, 0);

/** answered: by the flow; other: "no such flow"; timeout: no answer in time; failed: the bot's "something
 * went wrong", a press the sandbox refused, or a broken control-API call. */
type Outcome = "answered" | "other" | "timeout" | "failed";
const isError = (outcome: Outcome) => outcome === "timeout" || outcome === "failed";
type Sample = { step: Step; ms: number; outcome: Outcome; doneAt: number };

function plain(html: string): string {
  return html
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

/** What each language's person sends, and the bot's answers that mean "no such flow here". */
const PEOPLE = Object.fromEntries(
  (["it", "en"] as const).map((language) => {
    const t = translator(language);
    return [
      language,
      {
        // Menu buttons where the menu has one: that is how people ask.
        balance: t("menu.balance"),
        plan: t("menu.plan"),
        summary: t("menu.summary"),
        courses: t("menu.courses"),
        help: "/help",
        expense: (cents: number) =>
          language === "it"
            ? `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, "0")} spesa`
            : `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")} expense`,
        text: language === "it" ? "grazie mille" : "thank you",
        missing: new Set([t("fallback.unknown_command"), t("intents:fallback"), t("link.needed")].map(plain)),
        failed: plain(t("errors.generic")),
      },
    ];
  }),
) as Record<
  Language,
  Record<"balance" | "plan" | "summary" | "courses" | "help" | "text", string> & {
    expense: (cents: number) => string;
    missing: Set<string>;
    failed: string;
  }
>;

function pickStep(): Exclude<Step, "category"> {
  if (CONFIG.mix === "balance") return "balance";
  let roll = Math.random() * MIX_TOTAL;
  for (const [step, weight] of MIX) {
    roll -= weight;
    if (roll < 0) return step;
  }
  return "balance";
}

function classify(step: Step, user: SimUser, replies: BotMessage[]): Outcome {
  const first = replies[0];
  if (!first) return "timeout";
  const text = first.text ?? "";
  const person = PEOPLE[user.language];
  if (text === person.failed) return "failed";
  if (step !== "text" && person.missing.has(text)) return "other";
  return "answered";
}

function remember(user: SimUser, messages: BotMessage[]): void {
  for (const m of messages) user.seen = Math.max(user.seen, m.message_id);
}

async function sendAndWait(
  c: Control,
  user: SimUser,
  text: string,
  timeoutMs = CONFIG.replyTimeoutMs,
): Promise<{ ms: number; replies: BotMessage[] }> {
  const sent = await c.ok<{ message_id: number }>("POST", `/control/users/${user.id}/send`, { text });
  const t0 = performance.now();
  user.seen = Math.max(user.seen, sent.message_id);
  // Bot messages after the person's own message are its answers (the bot handles a chat in order).
  const replies = await c.ok<BotMessage[]>(
    "GET",
    `/control/chats/${user.id}/wait?after=${sent.message_id}&count=1&timeout=${timeoutMs}`,
  );
  const ms = performance.now() - t0;
  remember(user, replies);
  return { ms, replies };
}

/**
 * Presses a button. Done when the bot sends a message (Bussola answers the callback query first,
 * then saves and replies: the reply is what the person waits for); a press answered without any
 * message is done at its answerCallbackQuery, once no message has followed for a while.
 */
async function pressAndWait(
  c: Control,
  user: SimUser,
  messageId: number,
  data: string,
): Promise<{ ms: number; outcome: Outcome }> {
  const pressed = await c.call<{ callback_query_id?: string }>("POST", `/control/users/${user.id}/press`, {
    message_id: messageId,
    data,
  });
  const t0 = performance.now();
  const queryId = pressed.body?.callback_query_id;
  if (pressed.status !== 200 || !queryId) return { ms: 0, outcome: "failed" };
  let answeredAt: number | undefined;
  for (;;) {
    const elapsed = performance.now() - t0;
    if (answeredAt === undefined && elapsed >= CONFIG.replyTimeoutMs)
      return { ms: elapsed, outcome: "timeout" };
    // A message is seen as soon as it exists (long poll); the callback answer is looked up between
    // polls, more rarely as the wait grows, so a slow bot is not flooded with look-ups (a press
    // answered without a message is timed to within a quarter of its time).
    const pollMs =
      answeredAt === undefined
        ? Math.min(250, Math.max(5, Math.round(elapsed / 4)))
        : Math.max(1, Math.round(answeredAt + CONFIG.pressGraceMs - performance.now()));
    const news = await c.ok<BotMessage[]>(
      "GET",
      `/control/chats/${user.id}/wait?after=${user.seen}&count=1&timeout=${pollMs}`,
    );
    if (news.length > 0) {
      remember(user, news);
      return { ms: performance.now() - t0, outcome: classify("category", user, news) };
    }
    if (answeredAt === undefined) {
      const answer = await c.call("GET", `/control/callback-answers/${encodeURIComponent(queryId)}`);
      if (answer.status === 200) answeredAt = performance.now();
    } else if (performance.now() >= answeredAt + CONFIG.pressGraceMs) {
      return { ms: answeredAt - t0, outcome: "answered" };
    }
  }
}

function firstChoice(replies: BotMessage[]): { messageId: number; data: string } | undefined {
  for (const m of replies) {
    for (const row of m.reply_markup?.inline_keyboard ?? []) {
      for (const button of row) {
        // The first choice that is not "Cancel": for a quick expense, a category.
        if (button.callback_data && button.callback_data !== "flow:cancel") {
          return { messageId: m.message_id, data: button.callback_data };
        }
      }
    }
  }
  return undefined;
}

async function runStep(c: Control, user: SimUser, step: Exclude<Step, "category">, samples: Sample[]) {
  const person = PEOPLE[user.language];
  const text =
    step === "expense"
      ? person.expense(100 + Math.floor(Math.random() * 8_000))
      : step === "balance" && CONFIG.mix === "balance"
        ? "/balance"
        : person[step];
  const { ms, replies } = await sendAndWait(c, user, text);
  const outcome = classify(step, user, replies);
  samples.push({ step, ms, outcome, doneAt: performance.now() });
  if (step !== "expense" || outcome !== "answered") return;
  const choice = firstChoice(replies);
  if (!choice) return;
  const pressed = await pressAndWait(c, user, choice.messageId, choice.data);
  samples.push({ step: "category", ms: pressed.ms, outcome: pressed.outcome, doneAt: performance.now() });
}

type LoadResult = {
  updates: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  samples: Sample[];
};

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

/** Every household loops over mixed steps until the time is up; the steps in flight then finish. */
async function runLoad(
  c: Control,
  users: SimUser[],
  durationMs: number,
  think: readonly [number, number],
): Promise<LoadResult> {
  const samples: Sample[] = [];
  const started = performance.now();
  const deadline = started + durationMs;
  const pause = () => sleep(think[0] + Math.random() * (think[1] - think[0]));
  await Promise.all(
    users.map(async (user) => {
      if (think[1] > 0) await sleep(Math.random() * think[1]); // not all at the same instant
      while (performance.now() < deadline) {
        const step = pickStep();
        try {
          await runStep(c, user, step, samples);
        } catch {
          samples.push({ step, ms: 0, outcome: "failed", doneAt: performance.now() });
          await sleep(100);
        }
        if (think[1] > 0) await pause();
      }
    }),
  );
  const inTime = samples.filter((s) => s.doneAt <= deadline);
  const latencies = samples
    .filter((s) => !isError(s.outcome))
    .map((s) => s.ms)
    .sort((a, b) => a - b);
  return {
    updates: inTime.length,
    perSecond: inTime.length / (durationMs / 1000),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    samples,
  };
}

/**
 * The sandbox in a process of its own (sandbox/main.ts), so that its CPU per call is measured apart
 * from the simulated households': the check that the stand-in is not what limits the bots.
 */
async function startBenchSandbox(
  cleanup: Cleanup,
): Promise<{ sandbox: { url: string; token: string }; c: Control; standIn: Child }> {
  const standIn = await startChild(["sandbox/main.ts"], { SANDBOX_PORT: "0" }, "TELEGRAM_BOT_TOKEN=");
  cleanup.defer("sandbox", () => standIn.stop());
  const url = /TELEGRAM_API_ROOT=(\S+)/.exec(standIn.output())?.[1];
  const token = /TELEGRAM_BOT_TOKEN=(\S+)/.exec(standIn.output())?.[1];
  if (!url || !token) throw new Error(`the sandbox did not say where it listens:\n${standIn.output()}`);
  const c = new Control(url);
  cleanup.defer("control client", () => c.close());
  await c.ok("POST", "/control/limits", { global_per_second: 0, chat_per_second: 0, group_per_minute: 0 });
  return { sandbox: { url, token }, c, standIn };
}

type Counters = {
  requests: Record<string, number>;
  responses: Record<string, number>;
  errors: { method: string; description: string }[];
};

type BotFigures = {
  users: number;
  languages: Language[];
  solo: LoadResult;
  steady: LoadResult;
  saturation: LoadResult;
  /** Bot API calls answered with another status than 200, by status. */
  apiErrors: Record<string, number>;
  apiErrorTexts: string[];
  /** CPU ms per update handled: of the bot's process, and of this one (sandbox and households). */
  cpuPerUpdate: { bot: number | undefined; standIn: number | undefined; harness: number | undefined };
  /** CPU ms of the stand-in per Bot API call it answered. */
  standInCpuPerCall: number | undefined;
  /** PostgreSQL transactions (each statement outside a transaction is one) per update handled. */
  transactionsPerUpdate: number | undefined;
  /** The bot's process ended during the run (a crash). */
  botStopped: boolean;
};

async function measure(
  c: Control,
  users: SimUser[],
  label: string,
  bot: Child,
  standIn: Child,
  databaseTransactions?: () => Promise<number>,
): Promise<Omit<BotFigures, "users" | "languages">> {
  // No separate warm-up: the set-up (privacy notice and linking for Bussola, a /start each for the
  // echo bot) has already run a few hundred updates through each bot.
  await c.ok("POST", "/control/reset-counters");
  const transactionsBefore = await databaseTransactions?.();
  const botCpuBefore = processCpuMs(bot.child.pid);
  const standInCpuBefore = processCpuMs(standIn.child.pid);
  const ownCpuBefore = process.cpuUsage();
  progress(`${label}: one household alone ${CONFIG.soloMs / 1000} s`);
  const solo = await runLoad(c, users.slice(0, 1), CONFIG.soloMs, [0, 0]);
  progress(`${label}: steady load ${CONFIG.steadyMs / 1000} s`);
  const steady = await runLoad(c, users, CONFIG.steadyMs, CONFIG.thinkMs);
  progress(`${label}: saturation ${CONFIG.saturationMs / 1000} s`);
  const saturation = await runLoad(c, users, CONFIG.saturationMs, [0, 0]);
  const botCpuAfter = processCpuMs(bot.child.pid);
  const standInCpuAfter = processCpuMs(standIn.child.pid);
  const standInCpu =
    standInCpuBefore !== undefined && standInCpuAfter !== undefined
      ? standInCpuAfter - standInCpuBefore
      : undefined;
  const botStopped = bot.child.exitCode !== null || bot.child.signalCode !== null;
  const ownCpu = process.cpuUsage(ownCpuBefore);
  const transactionsAfter = await databaseTransactions?.();
  const updates = solo.samples.length + steady.samples.length + saturation.samples.length;
  const cpuPerUpdate = {
    bot:
      botCpuBefore !== undefined && botCpuAfter !== undefined && updates
        ? (botCpuAfter - botCpuBefore) / updates
        : undefined,
    standIn: standInCpu !== undefined && updates ? standInCpu / updates : undefined,
    harness: updates ? (ownCpu.user + ownCpu.system) / 1000 / updates : undefined,
  };
  const transactionsPerUpdate =
    transactionsBefore !== undefined && transactionsAfter !== undefined && updates
      ? (transactionsAfter - transactionsBefore) / updates
      : undefined;
  const counters = await c.ok<Counters>("GET", "/control/counters");
  const apiCalls = Object.values(counters.requests).reduce((sum, n) => sum + n, 0);
  const apiErrors = Object.fromEntries(
    Object.entries(counters.responses).filter(([status, n]) => status !== "200" && n > 0),
  );
  const apiErrorTexts = [...new Set(counters.errors.map((e) => `${e.method}: ${e.description}`))].slice(0, 3);
  return {
    solo,
    steady,
    saturation,
    apiErrors,
    apiErrorTexts,
    cpuPerUpdate,
    // All its CPU (the households' control calls too) over the Bot API calls alone: an upper bound.
    standInCpuPerCall: standInCpu !== undefined && apiCalls ? standInCpu / apiCalls : undefined,
    transactionsPerUpdate,
    botStopped,
  };
}

/** Milliseconds left until the deadline (at least 1), or 0 when it has passed. */
const left = (deadline: number) =>
  performance.now() < deadline ? Math.max(1, Math.round(deadline - performance.now())) : 0;

async function linkHousehold(
  c: Control,
  db: Db,
  household: BenchHousehold,
  deadline: number,
): Promise<SimUser | null> {
  if (!left(deadline)) return null;
  const created = await c.ok<{ id: number }>("POST", "/control/users", {
    first_name: "Bench",
    language_code: household.language,
  });
  const user: SimUser = { id: created.id, language: household.language, name: household.name, seen: 0 };
  // On a busy machine the transaction waits for a connection (core/db/client.ts) instead of failing.
  const issued = await issueLinkCode(db, household.contractCode, systemClock);
  if (!issued) return null;
  // The deep link t.me/<bot>?start=CODE: the privacy notice first, the code is used on "I agree".
  const start = await sendAndWait(c, user, `/start ${issued.code.replace("-", "")}`, left(deadline) || 1);
  const notice = start.replies.find((m) =>
    m.reply_markup?.inline_keyboard?.flat().some((b) => b.callback_data === "consent:accept"),
  );
  if (!notice) return null;
  await c.ok("POST", `/control/users/${user.id}/press`, {
    message_id: notice.message_id,
    data: "consent:accept",
  });
  // "Linked to …" comes from the worker, through the delivery queue.
  const linked = await c.ok<BotMessage[]>(
    "GET",
    `/control/chats/${user.id}/wait?after=${user.seen}&count=1&timeout=${left(deadline) || 1}`,
  );
  remember(user, linked);
  return linked.some((m) => m.text?.includes(household.name)) ? user : null;
}

async function measureBussola(cleanup: Cleanup): Promise<{ bussola: BotFigures; conventional: BotFigures }> {
  progress(`Bussola: database, ${CONFIG.households} households`);
  const { databaseUrl, db, households } = await benchDatabase(cleanup, "", CONFIG.households);
  const queuePrefix = benchQueuePrefix(cleanup);
  const { sandbox, c, standIn } = await startBenchSandbox(cleanup);
  const env = bussolaEnv(databaseUrl, queuePrefix, sandbox);
  progress("Bussola: starting bot and worker");
  const [bot, worker] = await Promise.all([
    startBussolaBot(env),
    startChild(["main.ts", "--role", "worker"], env, "Bussola ready"),
  ]);
  cleanup.defer("bot process", () => bot.stop());
  cleanup.defer("worker process", () => worker.stop());

  progress("Bussola: households accept the privacy notice and link");
  const deadline = performance.now() + CONFIG.setupMs;
  const linked = await mapLimit(households, CONFIG.setupConcurrency, (h) =>
    linkHousehold(c, db, h, deadline),
  );
  const users = linked.filter((u): u is SimUser => u !== null);
  if (users.length === 0) throw new Error(`no household could link; bot output:\n${bot.output()}`);
  const languages = users.map((u) => u.language);
  // Read from PostgreSQL's statistics, which backends report about once a second: close enough.
  const transactions = async () => {
    const [row] = await db.$queryRaw<{ n: bigint }[]>`
      SELECT (xact_commit + xact_rollback)::bigint AS n FROM pg_stat_database WHERE datname = current_database()`;
    return Number(row?.n ?? 0);
  };
  const bussola = {
    users: users.length,
    languages,
    ...(await measure(c, users, "Bussola", bot, standIn, transactions)),
  };
  await Promise.all([bot.stop(), worker.stop()]);
  for (const [name, child] of [
    ["bot", bot],
    ["worker", worker],
  ] as const) {
    for (const line of child.errorLines()) progress(`Bussola ${name} logged: ${line}`);
  }

  // The conventional bot on the same sandbox and database: the same people, already linked.
  progress("conventional bot: starting");
  const conventional = await startChild(
    ["bench/conventional-bot.ts"],
    { TELEGRAM_BOT_TOKEN: sandbox.token, TELEGRAM_API_ROOT: sandbox.url, DATABASE_URL: databaseUrl },
    "conventional bot ready",
  );
  cleanup.defer("conventional bot process", () => conventional.stop());
  // Its warm-up (Bussola's had the linking): a /balance from every household.
  await mapLimit(users, CONFIG.setupConcurrency, (user) => sendAndWait(c, user, "/balance"));
  return {
    bussola,
    conventional: {
      users: users.length,
      languages,
      ...(await measure(c, users, "conventional bot", conventional, standIn, transactions)),
    },
  };
}

async function measureEcho(cleanup: Cleanup, languages: Language[]): Promise<BotFigures> {
  const { sandbox, c, standIn } = await startBenchSandbox(cleanup);
  progress("echo bot: starting");
  const echo = await startChild(
    ["bench/echo-bot.ts"],
    { TELEGRAM_BOT_TOKEN: sandbox.token, TELEGRAM_API_ROOT: sandbox.url },
    "echo bot ready",
  );
  cleanup.defer("echo bot process", () => echo.stop());
  const deadline = performance.now() + CONFIG.setupMs;
  const users = await mapLimit(languages, CONFIG.setupConcurrency, async (language) => {
    const created = await c.ok<{ id: number }>("POST", "/control/users", {
      first_name: "Bench",
      language_code: language,
    });
    const user: SimUser = { id: created.id, language, name: "Bench", seen: 0 };
    if (left(deadline)) await sendAndWait(c, user, "/start", left(deadline) || 1);
    return user;
  });
  return { users: users.length, languages, ...(await measure(c, users, "echo bot", echo, standIn)) };
}

// ─── Report ─────────────────────────────────────────────────────────────────────────────────────

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

function errorCount(figures: BotFigures): { total: number; note: string } {
  const samples = [figures.solo, figures.steady, figures.saturation].flatMap((load) => load.samples);
  const timeouts = samples.filter((s) => s.outcome === "timeout").length;
  const failed = samples.filter((s) => s.outcome === "failed").length;
  const api = Object.values(figures.apiErrors).reduce((sum, n) => sum + n, 0);
  const statuses = Object.entries(figures.apiErrors).map(([status, n]) => `${status}×${n}`);
  const note = [
    `no answer in ${CONFIG.replyTimeoutMs / 1000} s: ${timeouts}`,
    `failed: ${failed}`,
    `Bot API answers other than 200: ${statuses.length ? statuses.join(", ") : "none"}`,
    ...figures.apiErrorTexts,
    ...(figures.botStopped ? ["the bot's process stopped during the run"] : []),
  ].join("; ");
  return { total: timeouts + failed + api + (figures.botStopped ? 1 : 0), note };
}

/** Per step: how many a flow answered (the rest: "other" when the flow is missing, or errors), and
 * the median time to reply with one household alone (no queue), which shows the costly flows. */
function flowNote(figures: BotFigures): { answeredShare: number; note: string } {
  const samples = [figures.solo, figures.steady, figures.saturation].flatMap((load) => load.samples);
  const parts: string[] = [];
  let answered = 0;
  for (const step of STEPS) {
    const of = samples.filter((s) => s.step === step);
    if (of.length === 0) continue;
    const ok = of.filter((s) => s.outcome === "answered").length;
    const other = of.filter((s) => s.outcome === "other").length;
    answered += ok;
    const alone = figures.solo.samples
      .filter((s) => s.step === step && !isError(s.outcome))
      .map((s) => s.ms)
      .sort((a, b) => a - b);
    const median = alone.length ? `, alone p50 ${round(percentile(alone, 50))} ms` : "";
    parts.push(other === of.length ? `${step}: other (missing)` : `${step}: ${ok}/${of.length}${median}`);
  }
  return { answeredShare: samples.length ? (100 * answered) / samples.length : 0, note: parts.join("; ") };
}

type SandboxFigures = { bussola: BotFigures; echo: BotFigures; conventional: BotFigures };
type Light = Awaited<ReturnType<typeof measureLight>>;

/** The full sandbox's figures: latency at human pace (the headline latencies), and its saturation. */
function sandboxRows({ bussola, echo, conventional }: SandboxFigures, households: number, machine: string) {
  const think = `think time ${CONFIG.thinkMs[0] / 1000}–${CONFIG.thinkMs[1] / 1000} s`;
  const rows: BenchResult[] = [
    {
      name: "bot: households linked",
      value: bussola.users,
      unit: "households",
      note: `of ${households}; half Italian, half English; ${machine}`,
    },
  ];
  for (const [label, figures] of [
    ["bussola", bussola],
    ["echo bot", echo],
    ["conventional bot", conventional],
  ] as const) {
    const { solo, steady, saturation } = figures;
    rows.push(
      {
        name: `${label}: update to reply p95, one household`,
        value: round(solo.p95),
        unit: "ms",
        note: `alone, ${solo.samples.length} steps back to back: no queue; p50 ${round(solo.p50)} ms`,
      },
      {
        name: `${label}: updates handled`,
        value: steady.updates,
        unit: "updates",
        note: `${CONFIG.steadyMs / 1000} s, ${figures.users} households, ${think}`,
      },
      { name: `${label}: updates/s`, value: round(steady.perSecond), unit: "updates/s", note: think },
      { name: `${label}: update to reply p50`, value: round(steady.p50), unit: "ms" },
      {
        name: `${label}: update to reply p95`,
        value: round(steady.p95),
        unit: "ms",
        ...(label === "bussola" ? { note: "aim < 100" } : {}),
      },
      { name: `${label}: update to reply p99`, value: round(steady.p99), unit: "ms" },
      {
        name: `${label}: max updates/s, full sandbox`,
        value: round(saturation.perSecond),
        unit: "updates/s",
        note: `no think time, ${CONFIG.saturationMs / 1000} s; p50 ${Math.round(saturation.p50)} ms, p95 ${Math.round(saturation.p95)} ms; the sandbox is not light enough for this: see the light stand-in's`,
      },
    );
    const cpu = figures.cpuPerUpdate;
    if (cpu.bot !== undefined) {
      rows.push({
        name: `${label}: CPU per update, full sandbox`,
        value: round(cpu.bot, 2),
        unit: "ms",
        note: [
          "the bot's process",
          ...(figures.transactionsPerUpdate !== undefined
            ? [
                `not PostgreSQL's; ${figures.transactionsPerUpdate.toFixed(1)} database transactions per update`,
              ]
            : []),
          `the sandbox: ${cpu.standIn?.toFixed(2)} ms (${figures.standInCpuPerCall?.toFixed(2)} ms per Bot API call)`,
          `simulated households: ${cpu.harness?.toFixed(2)} ms`,
        ].join("; "),
      });
    }
    const errors = errorCount(figures);
    rows.push({ name: `${label}: errors`, value: errors.total, unit: "errors", note: errors.note });
  }
  const flows = flowNote(bussola);
  rows.push({
    name: "bussola: steps answered by a flow",
    value: round(flows.answeredShare),
    unit: "%",
    note: `answered/sent per step, the rest "other" (flow missing) or errors: ${flows.note}`,
  });
  return rows;
}

/** The stand-in's CPU per update against the bot's, in %. */
function standInShare(standIn: number | undefined, bot: number | undefined): number {
  return standIn !== undefined && bot ? (100 * standIn) / bot : Number.POSITIVE_INFINITY;
}

const LIGHT_NAME = "light stand-in (bench/light-telegram.ts)";

/** Saturation on the light stand-in: the throughput figures. */
function lightRows(light: Light, machine: string): BenchResult[] {
  const rows: BenchResult[] = [];
  for (const [label, figures] of [
    ["bussola", light.bussola],
    ["echo bot", light.echo],
    ["conventional bot", light.conventional],
  ] as const) {
    rows.push(
      {
        name: `${label}: max updates/s`,
        value: round(figures.perSecond),
        unit: "updates/s",
        note: `${LIGHT_NAME}, ${figures.chats} chats each with one /balance outstanding, ${round(figures.seconds)} s after a warm-up; update to reply p50 ${Math.round(figures.p50)} ms, p95 ${Math.round(figures.p95)} ms; ${machine}`,
      },
      {
        name: `${label}: CPU per update`,
        value: round(figures.botCpu ?? Number.NaN, 3),
        unit: "ms",
        note: [
          "the bot's process at saturation (/proc)",
          ...(figures.databaseCpu !== undefined
            ? [`the PostgreSQL backends serving its database: ${figures.databaseCpu.toFixed(3)} ms`]
            : []),
          `the light stand-in's own: ${figures.standInCpu.toFixed(3)} ms, ${Math.round(standInShare(figures.standInCpu, figures.botCpu))} % of the bot's`,
        ].join("; "),
      },
      {
        name: `${label}: wrong answers, light stand-in`,
        value: figures.wrong + figures.extra + (figures.botStopped ? 1 : 0),
        unit: "errors",
        note: [
          `not the balance (echo: not the text sent): ${figures.wrong}${figures.wrongSample ? ` (first: ${JSON.stringify(figures.wrongSample)})` : ""}`,
          `messages beyond one per update: ${figures.extra}`,
          `Bot API calls: ${Object.entries(figures.calls)
            .map(([method, n]) => `${method} ${n}`)
            .join(", ")}`,
          ...(figures.botStopped ? ["the bot's process stopped during the run"] : []),
        ].join("; "),
      },
    );
  }
  return rows;
}

/** Bussola against the two baselines: from the light stand-in when it ran, else the full sandbox. */
function ratioRows(sandbox: SandboxFigures | undefined, light: Light | undefined): BenchResult[] {
  const rate = (figures: BotFigures) => figures.saturation.perSecond;
  const ratio = (a: number, b: number) => (b ? a / b : 0);
  const onSandbox = sandbox && {
    echo: 100 * ratio(rate(sandbox.bussola), rate(sandbox.echo)),
    steady: 100 * ratio(sandbox.bussola.steady.perSecond, sandbox.echo.steady.perSecond),
    conventional: ratio(rate(sandbox.bussola), rate(sandbox.conventional)),
    standIn: Math.max(
      ...[sandbox.bussola, sandbox.echo, sandbox.conventional].map((f) =>
        standInShare(f.cpuPerUpdate.standIn, f.cpuPerUpdate.bot),
      ),
    ),
  };
  const sandboxNote = (what: string) => (onSandbox ? `; on the full sandbox: ${what}` : "");
  const source = light ? LIGHT_NAME : "the full sandbox (not light enough: see the last row)";
  const echoRatio = light
    ? 100 * ratio(light.bussola.perSecond, light.echo.perSecond)
    : (onSandbox?.echo ?? 0);
  const conventionalRatio = light
    ? ratio(light.bussola.perSecond, light.conventional.perSecond)
    : (onSandbox?.conventional ?? 0);
  // On a shared machine the bots' rates move with the others' load; their own CPU per update much less.
  const cpuNote = (other: LightFigures, show: (r: number) => string) =>
    light?.bussola.botCpu && other.botCpu
      ? `; by the bots' own CPU per update (steadier on a busy machine): ${show(other.botCpu / light.bussola.botCpu)}`
      : "";
  const rows: BenchResult[] = [
    {
      name: "bussola / echo bot throughput",
      value: round(echoRatio),
      unit: "%",
      note: `max updates/s on ${source}; aim ≥ 40${light ? cpuNote(light.echo, (r) => `${Math.round(100 * r)} %`) : ""}${sandboxNote(`${Math.round(onSandbox?.echo ?? 0)} %, with human think time ${Math.round(onSandbox?.steady ?? 0)} %`)}`,
    },
    {
      name: "bussola / conventional bot throughput",
      value: round(conventionalRatio, 2),
      unit: "×",
      note: `max updates/s on ${source}; aim ≥ 2${light ? cpuNote(light.conventional, (r) => `${round(r, 2)}×`) : ""}${sandboxNote(`${round(onSandbox?.conventional ?? 0, 2)}×`)}`,
    },
  ];
  if (light) {
    const shares = [light.bussola, light.echo, light.conventional].map(
      (f) => `${f.label} ${Math.round(standInShare(f.standInCpu, f.botCpu))} %`,
    );
    rows.push({
      name: "light stand-in CPU per update / bot's, at most",
      value: round(
        Math.max(
          ...[light.bussola, light.echo, light.conventional].map((f) => standInShare(f.standInCpu, f.botCpu)),
        ),
      ),
      unit: "%",
      note: `aim < 33 (well below the lightest bot's); its own process.cpuUsage against each bot's /proc, same window: ${shares.join(", ")}`,
    });
  }
  if (onSandbox) {
    rows.push({
      name: "full sandbox CPU per update / bot's, at most",
      value: round(onSandbox.standIn),
      unit: "%",
      note: "the sandbox's own process (/proc), measured per bot; its CPU includes the households' control calls",
    });
  }
  return rows;
}

/** BENCH_BOT_PARTS: "all" (default), "light" (the throughput comparison alone) or "sandbox". */
function partsOf(raw: string): { sandbox: boolean; light: boolean } {
  if (raw !== "all" && raw !== "light" && raw !== "sandbox") {
    throw new Error("BENCH_BOT_PARTS must be all, light or sandbox");
  }
  return { sandbox: raw !== "light", light: raw !== "sandbox" };
}

export async function benchBot(): Promise<BenchResult[]> {
  const parts = partsOf(process.env.BENCH_BOT_PARTS ?? "all");
  const cleanup = new Cleanup();
  const interrupted = (signal: NodeJS.Signals) => {
    console.error(`bot bench: ${signal}, cleaning up`);
    void cleanup.run().finally(() => process.exit(130));
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  process.once("exit", killChildren);
  restartProgress();
  // Everything (bots, PostgreSQL, the stand-ins and the simulated households) shares this machine.
  const machine = () => `${cpus().length} CPUs, load average ${loadavg()[0]?.toFixed(1)} at start`;
  try {
    const rows: BenchResult[] = [];
    let sandbox: SandboxFigures | undefined;
    let light: Light | undefined;
    if (parts.sandbox) {
      const startedOn = machine();
      const { bussola, conventional } = await measureBussola(cleanup);
      await cleanup.run(); // Bussola's processes, sandbox and database go before the echo bot runs
      // The same households (as many, same languages) for the echo bot.
      const echo = await measureEcho(cleanup, bussola.languages);
      await cleanup.run();
      sandbox = { bussola, echo, conventional };
      rows.push(...sandboxRows(sandbox, CONFIG.households, startedOn));
    }
    if (parts.light) {
      const startedOn = machine();
      light = await measureLight(cleanup, CONFIG.households);
      rows.push(...lightRows(light, startedOn));
    }
    progress("done");
    return [...rows, ...ratioRows(sandbox, light)];
  } finally {
    await cleanup.run();
    process.off("SIGINT", interrupted);
    process.off("SIGTERM", interrupted);
    process.off("exit", killChildren);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const row of await benchBot()) {
    console.log(`${row.name}: ${row.value} ${row.unit}${row.note ? `  (${row.note})` : ""}`);
  }
}

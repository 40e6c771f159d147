// The bot bench's throughput comparison (bench/bot.ts reports it): Bussola (`node main.ts --role bot`),
// the bare grammY echo bot and the conventional grammY bot each answer `/balance` as fast as they can
// against bench/light-telegram.ts, a Telegram stand-in that simulates the people itself and costs a
// fraction of a bot's CPU per update (the full sandbox, answering the households' control calls too,
// cost more than the echo bot). Each bot gets a stand-in of its own, warms up, then is measured for a
// fixed time: updates answered per second, and the CPU per update of the bot's process (/proc) and of
// the stand-in's (its own process.cpuUsage).
//
// Bussola's members are written straight to the database as linked with consent (the linking flow is
// the full sandbox part's business), so every /balance answers with the household's figures; a reply
// that does not start with the balance's title (the echo bot: the text it was sent) counts as wrong.
import { request } from "node:http";
import { translator } from "../core/i18n.ts";
import {
  benchDatabase,
  benchQueuePrefix,
  bussolaEnv,
  type Child,
  type Cleanup,
  envNumber,
  processCpuMs,
  progress,
  sleep,
  startBussolaBot,
  startChild,
} from "./bot-support.ts";

export type LightFigures = {
  label: string;
  chats: number;
  seconds: number;
  answered: number;
  perSecond: number;
  /** Replies that were not the expected answer, and messages beyond one per update. */
  wrong: number;
  extra: number;
  wrongSample: string;
  /** CPU ms per answered update: the bot's process, and the PostgreSQL backends serving its database. */
  botCpu: number | undefined;
  databaseCpu: number | undefined;
  standInCpu: number;
  /** From queueing the update to the reply's sendMessage; at saturation, mostly waiting in line. */
  p50: number;
  p95: number;
  calls: Record<string, number>;
  botStopped: boolean;
};

type StandInStats = {
  elapsedMs: number;
  cpuMs: number;
  answered: number;
  wrong: number;
  extra: number;
  calls: Record<string, number>;
  p50: number;
  p95: number;
  wrongSample: string;
};

const LIGHT = {
  warmUpMs: envNumber("BENCH_BOT_LIGHT_WARMUP", 3) * 1000,
  windowMs: envNumber("BENCH_BOT_LIGHT_SECONDS", 10) * 1000,
};
const TOKEN = "1000001:LIGHT-bench-token";
/** Chat (and user) ids of the simulated people: the n-th household's member is FIRST_CHAT + n. */
const FIRST_CHAT = 700_000_000;

function call<T>(url: string, method: "GET" | "POST"): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () => resolve(JSON.parse(text) as T));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

type Person = [chatId: number, language: "it" | "en"];

async function startStandIn(people: Person[], expect: string[]): Promise<{ child: Child; url: string }> {
  const child = await startChild(
    ["bench/light-telegram.ts"],
    { LIGHT_CHATS: JSON.stringify(people), LIGHT_EXPECT: JSON.stringify(expect) },
    "LIGHT_TELEGRAM_API_ROOT=",
  );
  const url = /LIGHT_TELEGRAM_API_ROOT=(\S+)/.exec(child.output())?.[1];
  if (!url) throw new Error(`the light stand-in did not say where it listens:\n${child.output()}`);
  return { child, url };
}

/** One bot against a stand-in of its own: warm-up, then the measuring window. */
async function saturate(
  cleanup: Cleanup,
  label: string,
  people: Person[],
  expect: string[],
  startBot: (telegram: { url: string; token: string }) => Promise<Child>,
  backends?: () => Promise<number[]>,
): Promise<LightFigures> {
  const standIn = await startStandIn(people, expect);
  cleanup.defer(`${label}: light stand-in`, () => standIn.child.stop());
  progress(`${label}: starting against the light stand-in`);
  const bot = await startBot({ url: standIn.url, token: TOKEN });
  cleanup.defer(`${label} process`, () => bot.stop());
  await sleep(LIGHT.warmUpMs);
  progress(`${label}: saturation ${LIGHT.windowMs / 1000} s (light stand-in)`);
  await call(`${standIn.url}/bench/reset`, "POST");
  const cpuBefore = processCpuMs(bot.child.pid);
  const databaseBefore = backends && (await backendsCpu(backends));
  await sleep(LIGHT.windowMs);
  const stats = await call<StandInStats>(`${standIn.url}/bench/stats`, "GET");
  const cpuAfter = processCpuMs(bot.child.pid);
  const databaseAfter = backends && (await backendsCpu(backends));
  const botStopped = bot.child.exitCode !== null || bot.child.signalCode !== null;
  await bot.stop();
  await standIn.child.stop();
  const per = (ms: number) => (stats.answered ? ms / stats.answered : Number.POSITIVE_INFINITY);
  return {
    label,
    chats: people.length,
    seconds: stats.elapsedMs / 1000,
    answered: stats.answered,
    perSecond: stats.answered / (stats.elapsedMs / 1000),
    wrong: stats.wrong,
    extra: stats.extra,
    wrongSample: stats.wrongSample,
    botCpu: cpuBefore !== undefined && cpuAfter !== undefined ? per(cpuAfter - cpuBefore) : undefined,
    databaseCpu:
      databaseBefore && databaseAfter
        ? per([...databaseAfter].reduce((sum, [pid, ms]) => sum + ms - (databaseBefore.get(pid) ?? 0), 0))
        : undefined,
    standInCpu: per(stats.cpuMs),
    p50: stats.p50,
    p95: stats.p95,
    calls: stats.calls,
    botStopped,
  };
}

/** CPU ms so far of each PostgreSQL backend listed (a backend that starts in the window counts whole). */
async function backendsCpu(backends: () => Promise<number[]>): Promise<Map<number, number>> {
  const cpu = new Map<number, number>();
  for (const pid of await backends()) cpu.set(pid, processCpuMs(pid) ?? 0);
  return cpu;
}

export async function measureLight(
  cleanup: Cleanup,
  count: number,
): Promise<{ bussola: LightFigures; echo: LightFigures; conventional: LightFigures }> {
  progress(`light stand-in: database, ${count} households linked with consent`);
  const { databaseUrl, db, households } = await benchDatabase(cleanup, "_light", count);
  const rows = await db.household.findMany({
    where: { contractCode: { in: households.map((h) => h.contractCode) } },
    select: { id: true, contractCode: true },
  });
  const idOf = new Map(rows.map((row) => [row.contractCode, row.id]));
  const now = new Date();
  const people: Person[] = households.map((h, i) => [FIRST_CHAT + i, h.language]);
  await db.member.createMany({
    data: households.map((h, i) => ({
      telegramUserId: BigInt(FIRST_CHAT + i),
      chatId: BigInt(FIRST_CHAT + i),
      firstName: "Bench",
      language: h.language,
      householdId: idOf.get(h.contractCode) ?? null,
      linkedAt: now,
      consentAt: now,
    })),
  });
  const balanceTitles = [
    ...new Set(people.map(([, language]) => translator(language)("debt:balance.title"))),
  ];

  // The bots' connections to the bench database (PostgreSQL runs on this machine), not this one's.
  const backends = async () =>
    (
      await db.$queryRaw<{ pid: number }[]>`
        SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`
    ).map((row) => row.pid);
  const queuePrefix = benchQueuePrefix(cleanup, "_light");
  const bussola = await saturate(
    cleanup,
    "Bussola",
    people,
    balanceTitles,
    (telegram) => startBussolaBot(bussolaEnv(databaseUrl, queuePrefix, telegram)),
    backends,
  );
  const conventional = await saturate(
    cleanup,
    "conventional bot",
    people,
    balanceTitles,
    (telegram) =>
      startChild(
        ["bench/conventional-bot.ts"],
        { TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.url, DATABASE_URL: databaseUrl },
        "conventional bot ready",
      ),
    backends,
  );
  const echo = await saturate(cleanup, "echo bot", people, ["/balance"], (telegram) =>
    startChild(
      ["bench/echo-bot.ts"],
      { TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.url },
      "echo bot ready",
    ),
  );
  return { bussola, echo, conventional };
}

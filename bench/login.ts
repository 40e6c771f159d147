// A legitimate log-in while 50 bogus log-in clients hammer the admin panel: a listening admin server
// on a database of its own, on loopback only. The bogus clients (bench/login-flood.ts, in a thread
// of their own) cycle random e-mails from one attacker address (the panel trusts its proxy here, so
// X-Forwarded-For stands for the address); the member of staff logs in from their own, a few times,
// form and POST timed together. Bounded in time and in requests.
import type { AddressInfo } from "node:net";
import { Worker } from "node:worker_threads";
import { createAdminServer } from "../admin/server.ts";
import { systemClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { createDb } from "../core/db/client.ts";
import { applyMigrations, dropDatabase, ensureDatabase } from "../core/db/migrate.ts";
import { createLogger } from "../core/logger.ts";
import { upsertStaff, verifyPassword } from "../core/staff.ts";

type BenchResult = { name: string; value: number; unit: string; note?: string };

const BOGUS_CLIENTS = Number(process.env.BENCH_LOGIN_CLIENTS ?? 50);
const MAX_BOGUS_REQUESTS = 20_000;
const TRIES = 5;
const PASSWORD = "bench password for one member of staff";
const EMAIL = "staff@bench.example";

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The log-in form's cookie and token, as a browser gets them. */
async function loginForm(base: string, ip: string): Promise<{ cookie: string; csrf: string }> {
  const page = await fetch(`${base}/login`, { headers: { "x-forwarded-for": ip } });
  const cookie = (page.headers.getSetCookie()[0] ?? "").split(";")[0] ?? "";
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
  return { cookie, csrf };
}

async function postLogin(
  base: string,
  ip: string,
  form: { cookie: string; csrf: string },
  email: string,
  password: string,
): Promise<number> {
  const response = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "x-forwarded-for": ip,
      cookie: form.cookie,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ email, password, _csrf: form.csrf }).toString(),
  });
  await response.arrayBuffer();
  return response.status;
}

export async function benchLogin(): Promise<BenchResult[]> {
  const url = new URL(process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/bussola");
  url.pathname = `/bussola_bench_login_${process.pid}`;
  const databaseUrl = url.toString();
  await ensureDatabase(databaseUrl);
  await applyMigrations(databaseUrl);
  const db = createDb(databaseUrl, { poolSize: 8 });
  const app = createAdminServer({
    config: loadConfig({ DATABASE_URL: databaseUrl, TRUST_PROXY: "true" }),
    logger: createLogger({ level: "silent" }),
    db,
    clock: systemClock,
  });
  try {
    await upsertStaff(db, { email: EMAIL, role: "operator", password: PASSWORD });
    // What one password check costs on this machine right now, for scale: a log-in cannot be faster.
    const stored = (await db.staff.findUniqueOrThrow({ where: { email: EMAIL } })).passwordHash;
    const checkTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const begin = performance.now();
      await verifyPassword(PASSWORD, stored);
      checkTimes.push(performance.now() - begin);
    }
    await app.listen({ host: "127.0.0.1", port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    /** One log-in from its own address, form and POST: how long, and whether it worked. */
    const logIn = async (office: string): Promise<{ ms: number; ok: boolean }> => {
      const begin = performance.now();
      const status = await postLogin(base, office, await loginForm(base, office), EMAIL, PASSWORD);
      return { ms: performance.now() - begin, ok: status === 303 };
    };
    const quiet: number[] = [];
    for (let i = 0; i < 3; i++) quiet.push((await logIn(`198.51.100.${200 + i}`)).ms);

    const flood = new Worker(new URL("./login-flood.ts", import.meta.url), {
      workerData: { base, attacker: "203.0.113.66", clients: BOGUS_CLIENTS, maxRequests: MAX_BOGUS_REQUESTS },
    });
    const flooded = new Promise<{ sent: number; statuses: Record<string, number> }>((resolve, reject) => {
      flood.once("message", resolve);
      flood.once("error", reject);
    });
    await sleep(1000); // the flood is under way
    const times: number[] = [];
    const outcomes: number[] = [];
    const started = performance.now();
    for (let i = 0; i < TRIES; i++) {
      const { ms, ok } = await logIn(`198.51.100.${10 + i}`);
      times.push(ms);
      outcomes.push(ok ? 303 : 0);
      await sleep(500);
    }
    flood.postMessage("stop");
    const { sent, statuses } = await flooded;
    await flood.terminate();
    const seconds = (performance.now() - started + 1000) / 1000;
    const ok = outcomes.filter((s) => s === 303).length;
    const summary = Object.entries(statuses)
      .map(([status, count]) => `${count}×${status}`)
      .join(", ");
    return [
      {
        name: "login under 50 bogus clients (median)",
        value: median(times),
        unit: "ms",
        note: `${ok}/${TRIES} logged in; form + POST`,
      },
      { name: "login under 50 bogus clients (max)", value: Math.max(...times), unit: "ms" },
      { name: "login, no flood (median)", value: median(quiet), unit: "ms" },
      {
        name: "one password check alone (median)",
        value: median(checkTimes),
        unit: "ms",
        note: "scrypt N=2^17, before the flood",
      },
      {
        name: "bogus log-ins answered",
        value: Math.round(sent / seconds),
        unit: "req/s",
        note: summary,
      },
    ];
  } finally {
    await app.close();
    await db.$disconnect();
    await dropDatabase(databaseUrl);
  }
}

// Time from `npm start` (node main.ts, demo mode, on its own demo database) to ready: the admin panel answers and the bot
// answers a person's /start through the sandbox. Measured on a new database (created, migrated, demo data loaded) and again on
// the same database (the everyday restart).
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { demoDatabaseUrlFor } from "../core/config.ts";
import { dropDatabase } from "../core/db/migrate.ts";

const ROOT = join(import.meta.dirname, "..");

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

async function poll(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("not ready in time");
}

async function startOnce(databaseUrl: string): Promise<number> {
  const [adminPort, sandboxPort] = [await freePort(), await freePort()];
  const started = performance.now();
  const child = spawn(process.execPath, ["main.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      ADMIN_PORT: String(adminPort),
      SANDBOX_PORT: String(sandboxPort),
      QUEUE_PREFIX: `bussola-bench-${process.pid}`,
      METRICS_PORT: "0",
      LOG_LEVEL: "warn",
      TELEGRAM_BOT_TOKEN: "",
      NODE_ENV: "",
      DEMO_DATABASE_URL: "",
    },
    stdio: "ignore",
  });
  try {
    const sandbox = `http://127.0.0.1:${sandboxPort}`;
    await poll(async () => (await fetch(`http://127.0.0.1:${adminPort}/health`)).ok, 60_000);
    // Polling proven the only honest way: a person writes and the bot answers. (The sandbox counts a
    // getUpdates call when it returns, which for an idle long poll is 30 s later.)
    await poll(async () => (await fetch(`${sandbox}/control/health`)).ok, 60_000);
    const user = (await (
      await fetch(`${sandbox}/control/users`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ first_name: "Bench", language_code: "it" }),
      })
    ).json()) as { id: number };
    await fetch(`${sandbox}/control/users/${user.id}/send`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "/start" }),
    });
    const replies = (await (
      await fetch(`${sandbox}/control/chats/${user.id}/wait?count=1&timeout=60000`)
    ).json()) as unknown[];
    if (replies.length === 0) throw new Error("the bot did not answer");
    return performance.now() - started;
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
}

export async function benchStartup() {
  const databaseUrl = `postgresql://postgres@127.0.0.1:5432/bussola_bench_${process.pid}`;
  try {
    const fresh = await startOnce(databaseUrl);
    const warm: number[] = [];
    for (let i = 0; i < 3; i++) warm.push(await startOnce(databaseUrl));
    warm.sort((a, b) => a - b);
    return [
      {
        name: "start to ready, new database",
        value: fresh,
        unit: "ms",
        note: "creates, migrates, loads demo data",
      },
      {
        name: "start to ready, existing database",
        value: warm[1] ?? 0,
        unit: "ms",
        note: "median of 3; aim < 10000",
      },
    ];
  } finally {
    // The demo runs on DATABASE_URL's name + "_demo"; the other is never created, dropped in case.
    await dropDatabase(demoDatabaseUrlFor(databaseUrl));
    await dropDatabase(databaseUrl);
  }
}

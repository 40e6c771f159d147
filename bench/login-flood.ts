// The bogus clients of bench/login.ts, in a thread of their own: attackers are other machines, so
// their own work must not share the admin server's event loop. Each client cycles random e-mails
// from one attacker address until told to stop or the request budget is spent.
import { parentPort, workerData } from "node:worker_threads";

type Job = { base: string; attacker: string; clients: number; maxRequests: number };
const { base, attacker, clients, maxRequests } = workerData as Job;

let stop = false;
let sent = 0;
const statuses: Record<string, number> = {};
parentPort?.on("message", () => {
  stop = true;
});

async function client(n: number): Promise<void> {
  const page = await fetch(`${base}/login`, { headers: { "x-forwarded-for": attacker } });
  const cookie = (page.headers.getSetCookie()[0] ?? "").split(";")[0] ?? "";
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
  while (!stop && sent < maxRequests) {
    sent++;
    const response = await fetch(`${base}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "x-forwarded-for": attacker, cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email: `x${n}-${sent}@bench.example`, password: "bogus", _csrf: csrf }),
    });
    await response.arrayBuffer();
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
  }
}

await Promise.all(Array.from({ length: clients }, (_, n) => client(n)));
parentPort?.postMessage({ sent, statuses });

// Runs the sandbox alone: `npm run sandbox`. SANDBOX_HOST (default 127.0.0.1), SANDBOX_PORT (default
// 8081), SANDBOX_TOKEN (default the demo token). Stops on SIGINT or SIGTERM.

import { startSandbox } from "./server.ts";

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const rawPort = process.env.SANDBOX_PORT ?? "8081";
if (!/^\d{1,5}$/.test(rawPort) || Number(rawPort) > 65535) {
  fail(`SANDBOX_PORT must be a port number from 0 to 65535, got "${rawPort}"`);
}
const host = process.env.SANDBOX_HOST || "127.0.0.1";
const token = process.env.SANDBOX_TOKEN || undefined;
if (token !== undefined && !/^\d{1,15}:[A-Za-z0-9_-]+$/.test(token)) {
  fail("SANDBOX_TOKEN must look like a bot token: <bot id>:<secret>");
}

let sandbox: Awaited<ReturnType<typeof startSandbox>>;
try {
  sandbox = await startSandbox({ host, port: Number(rawPort), ...(token ? { token } : {}) });
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") fail(`SANDBOX_PORT: port ${rawPort} is already in use`);
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") fail(`SANDBOX_HOST: cannot listen on "${host}"`);
  fail(`cannot start the sandbox: ${(error as Error).message}`);
}

console.log(`Telegram sandbox listening on ${sandbox.url}`);
console.log(`TELEGRAM_API_ROOT=${sandbox.url}`);
console.log(`TELEGRAM_BOT_TOKEN=${sandbox.token}`);
console.log(`Control API: ${sandbox.url}/control/health`);

const stop = (signal: string): void => {
  console.log(`${signal}: stopping the sandbox`);
  void sandbox.close().then(() => console.log("sandbox stopped"));
};
process.once("SIGINT", () => stop("SIGINT"));
process.once("SIGTERM", () => stop("SIGTERM"));

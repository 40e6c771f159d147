// Starts Bussola's real processes (node main.ts --role …) for end-to-end tests and stops them.
import { type ChildProcess, spawn } from "node:child_process";
import type { IncomingMessage } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");

export type RunningProcess = {
  child: ChildProcess;
  /** stdout and stderr, as they came. */
  output(): string;
  /** stderr alone. */
  errors(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
};

/** Spawns a Node script of the project and resolves once `readyLine` appears on stdout. */
export async function startProcess(
  args: string[],
  env: Record<string, string>,
  readyLine = "Bussola ready",
  timeoutMs = 60_000,
): Promise<RunningProcess> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "warn", METRICS_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let errors = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    errors += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${args.join(" ")} not ready in time:\n${output}`)),
      timeoutMs,
    );
    const check = () => {
      if (output.includes(readyLine)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(" ")} exited with ${code}:\n${output}`));
    });
  });
  return {
    child,
    output: () => output,
    errors: () => errors,
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}

export type Finished = { code: number | null; stdout: string; stderr: string };

/** Runs a Node script of the project to its end (killed after `timeoutMs` if given), e.g. `main.ts`. */
export async function runToExit(
  args: string[],
  env: Record<string, string>,
  options: { uid?: number; gid?: number; timeoutMs?: number } = {},
): Promise<Finished> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "warn", METRICS_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.gid === undefined ? {} : { gid: options.gid }),
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer =
    options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Runs a project command to completion: `npm run cli -- …` without npm. */
export async function runCli(args: string[], env: Record<string, string>): Promise<Finished> {
  return runToExit(["cli/index.ts", ...args], env);
}

/** A TCP port free on 127.0.0.1 right now, for a process the test starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * Passes one webhook update on to a bot process, as a load balancer in front of several would, and
 * says what Telegram would see: the bot's status, or 502 when it did not answer (killed, or too slow
 * for the sandbox), after which Telegram delivers the update again.
 */
export async function forwardUpdate(
  port: number,
  request: IncomingMessage,
  body: Buffer<ArrayBuffer>,
): Promise<number> {
  try {
    const answer = await fetch(`http://127.0.0.1:${port}${request.url ?? "/"}`, {
      method: "POST",
      headers: {
        "content-type": request.headers["content-type"] ?? "application/json",
        "x-telegram-bot-api-secret-token": String(request.headers["x-telegram-bot-api-secret-token"] ?? ""),
      },
      body,
    });
    await answer.arrayBuffer();
    return answer.status;
  } catch {
    return 502;
  }
}

// The ports a process listens on (ADMIN_PORT, SANDBOX_PORT, METRICS_PORT): when one cannot be used,
// start-up stops with one line that names the variable to change, never a stack trace. The entry
// point checks them all before it touches the database, and the real listens translate their errors
// the same way (another program may take a port in between).
import { createServer } from "node:net";

/** A port this process listens on, and the settings a person changes to move it. */
export type PortSetting = {
  /** The environment variable of the port, e.g. "ADMIN_PORT". */
  variable: string;
  port: number;
  host: string;
  /** The environment variable of the address, e.g. "ADMIN_HOST"; absent when the address is fixed. */
  hostVariable?: string;
};

/** A port (or its address) that cannot be used. The message is the one line to show: reason: fix. */
export class PortUnusable extends Error {
  readonly setting: PortSetting;
  readonly reason: string;
  readonly fix: string;
  constructor(setting: PortSetting, reason: string, fix: string) {
    super(`${reason}: ${fix}`);
    this.name = "PortUnusable";
    this.setting = setting;
    this.reason = reason;
    this.fix = fix;
  }
}

/** What a listen error means for this setting, or undefined when it is not about the port or address. */
export function explainListenError(error: unknown, setting: PortSetting): PortUnusable | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const { variable, port, host } = setting;
  const address = setting.hostVariable ?? variable;
  switch (code) {
    case "EADDRINUSE":
      return new PortUnusable(
        setting,
        `${variable} ${port} is already in use by another program`,
        `stop it or set ${variable} to a free port`,
      );
    case "EACCES":
    case "EPERM":
      return new PortUnusable(
        setting,
        `${variable} ${port} needs privileges this process does not have (ports below 1024 usually do)`,
        `set ${variable} to a free port from 1024 up`,
      );
    case "EADDRNOTAVAIL":
      return new PortUnusable(
        setting,
        `${address} ${host} is not an address of this machine`,
        `set ${address} to one of its addresses, e.g. 127.0.0.1`,
      );
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_FAIL":
      return new PortUnusable(
        setting,
        `${address} ${host} is not a host name this machine can resolve`,
        `set ${address} to an address, e.g. 127.0.0.1`,
      );
    default:
      return undefined;
  }
}

/** Runs a listen; a port problem comes back as PortUnusable. */
export async function listenOn<T>(setting: PortSetting, listen: () => Promise<T>): Promise<T> {
  try {
    return await listen();
  } catch (error) {
    throw explainListenError(error, setting) ?? error;
  }
}

/** Binds the port for a moment and lets it go: PortUnusable if it cannot be used now. */
async function checkPort(setting: PortSetting): Promise<PortUnusable | undefined> {
  const probe = createServer();
  try {
    await listenOn(
      setting,
      () =>
        new Promise<void>((resolve, reject) => {
          probe.once("error", reject);
          probe.listen({ port: setting.port, host: setting.host }, () => resolve());
        }),
    );
    return undefined;
  } catch (error) {
    if (error instanceof PortUnusable) return error;
    throw error;
  } finally {
    if (probe.listening) await new Promise((resolve) => probe.close(resolve));
  }
}

const ANY_ADDRESS = new Set(["", "0.0.0.0", "::"]);

/** Two settings of this process on one port: the second would find it "in use" by ourselves. */
function clash(earlier: PortSetting, later: PortSetting): boolean {
  if (earlier.port !== later.port) return false;
  return earlier.host === later.host || ANY_ADDRESS.has(earlier.host) || ANY_ADDRESS.has(later.host);
}

/** Every port of this process that cannot be used, in the order given (each one line). */
export async function checkPorts(settings: PortSetting[]): Promise<PortUnusable[]> {
  const problems: PortUnusable[] = [];
  for (const [index, setting] of settings.entries()) {
    const earlier = settings.slice(0, index).find((other) => clash(other, setting));
    if (earlier) {
      problems.push(
        new PortUnusable(
          setting,
          `${setting.variable} ${setting.port} is also ${earlier.variable}`,
          `give ${setting.variable} a port of its own`,
        ),
      );
      continue;
    }
    const problem = await checkPort(setting);
    if (problem) problems.push(problem);
  }
  return problems;
}

// What every command of `npm run cli` is made of, and the errors that map to its exit codes
// (DESIGN.md, "Stable interfaces": 0 success, 1 input rejected, 2 wrong usage).
import { userInfo } from "node:os";
import type { ParseArgsOptionsConfig } from "node:util";
import type { AuditEntry } from "../core/audit.ts";

export const EXIT_OK = 0;
export const EXIT_REJECTED = 1;
export const EXIT_USAGE = 2;

export type Output = { out(line: string): void; err(line: string): void };

export type CommandInput = {
  positionals: string[];
  options: Record<string, string | boolean | (string | boolean)[] | undefined>;
  env: NodeJS.ProcessEnv;
  io: Output;
};

export type Command = {
  name: string;
  /** What follows the name in the usage line: "FILE", "--email E --role R [--password P]". */
  args: string;
  summary: string;
  /** More lines for `<command> --help`. */
  help?: string[];
  options?: ParseArgsOptionsConfig;
  /** Names of the positional arguments, all required, in order. */
  positionals?: string[];
  run(input: CommandInput): Promise<void>;
};

/** Wrong usage: exit 2 with the command's usage line. */
export class UsageError extends Error {}

/** Input rejected: exit 1, every problem on its own line of stderr. */
export class InputRejected extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join("\n"));
    this.problems = problems;
  }
}

/** Who ran the command, for the audit log: the operating-system account. */
export function cliActor(env: NodeJS.ProcessEnv): Pick<AuditEntry, "actorType" | "actorId"> {
  let name = env.USER ?? env.LOGNAME;
  try {
    name ??= userInfo().username;
  } catch {
    // A container user without a passwd entry has no name; the entry still says it came from the CLI.
  }
  return { actorType: "cli", actorId: name };
}

export function stringOption(options: CommandInput["options"], name: string): string | undefined {
  const value = options[name];
  return typeof value === "string" ? value : undefined;
}

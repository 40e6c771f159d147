// `npm run cli -- <command> [options]`: operations for admins. Exit 0 on success, 1 when the input
// is rejected (every problem on stderr, one a line), 2 on wrong usage (DESIGN.md, "Stable interfaces").
import { parseArgs } from "node:util";
import { ConfigError } from "../core/config.ts";
import {
  type Command,
  EXIT_OK,
  EXIT_REJECTED,
  EXIT_USAGE,
  InputRejected,
  type Output,
  UsageError,
} from "./command.ts";
import { broadcastCancelCommand, broadcastCommand, broadcastStatusCommand } from "./commands/broadcast.ts";
import { dbMigrate } from "./commands/db-migrate.ts";
import { importCoursesCommand } from "./commands/import-courses.ts";
import { importDocumentsCommand } from "./commands/import-documents.ts";
import { importHouseholdsCommand } from "./commands/import-households.ts";
import { importPaymentsCommand } from "./commands/import-payments.ts";
import { importPlansCommand } from "./commands/import-plans.ts";
import { linkCode } from "./commands/link-code.ts";
import { officeSet } from "./commands/office-set.ts";
import { staffAdd } from "./commands/staff-add.ts";
import { staffDeactivate } from "./commands/staff-deactivate.ts";
import { staffReactivate } from "./commands/staff-reactivate.ts";
import { staffSessions } from "./commands/staff-sessions.ts";
import { explainDatabaseError } from "./database.ts";

const COMMANDS: readonly Command[] = [
  dbMigrate,
  importHouseholdsCommand,
  importPlansCommand,
  importPaymentsCommand,
  importCoursesCommand,
  importDocumentsCommand,
  linkCode,
  officeSet,
  staffAdd,
  staffDeactivate,
  staffReactivate,
  staffSessions,
  broadcastCommand,
  broadcastCancelCommand,
  broadcastStatusCommand,
];

const PROGRAM = "npm run cli --";

function usageLine(command?: Command): string {
  if (!command) return `Usage: ${PROGRAM} <command> [options]   (${PROGRAM} help lists the commands)`;
  return `Usage: ${PROGRAM} ${command.name}${command.args ? ` ${command.args}` : ""}`;
}

function overview(): string[] {
  return [
    `Usage: ${PROGRAM} <command> [options]`,
    "",
    "Commands:",
    ...COMMANDS.flatMap((c) => [`  ${c.name}${c.args ? ` ${c.args}` : ""}`, `      ${c.summary}`]),
    "  help [COMMAND]",
    "      This list, or one command's details (also: COMMAND --help)",
    "",
    "Exit codes: 0 done, 1 input rejected (every problem on stderr), 2 wrong usage.",
    "The database is the one in DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/bussola).",
  ];
}

function commandHelp(command: Command): string[] {
  return [usageLine(command), "", command.summary, ...(command.help?.length ? ["", ...command.help] : [])];
}

/** node:util's messages are long and Node-specific; keep the first sentence. */
function shortParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split(/\.\s/)[0] ?? message;
}

async function runCommand(
  command: Command,
  args: string[],
  io: Output,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      options: { ...command.options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(shortParseError(error));
  }
  if (parsed.values.help) {
    for (const line of commandHelp(command)) io.out(line);
    return EXIT_OK;
  }
  const expected = command.positionals ?? [];
  const missing = expected.slice(parsed.positionals.length);
  if (missing.length) throw new UsageError(`missing ${missing.join(" ")}`);
  const extra = parsed.positionals.slice(expected.length);
  if (extra.length) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  await command.run({ positionals: parsed.positionals, options: parsed.values, env, io });
  return EXIT_OK;
}

export async function main(argv: string[], io: Output, env: NodeJS.ProcessEnv): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err("missing command");
    for (const line of overview()) io.err(line);
    return EXIT_USAGE;
  }
  if (name === "help" || name === "--help" || name === "-h") {
    const topic = rest[0] === undefined ? undefined : COMMANDS.find((c) => c.name === rest[0]);
    if (rest[0] !== undefined && !topic) {
      io.err(`unknown command ${JSON.stringify(rest[0])}`);
      io.err(usageLine());
      return EXIT_USAGE;
    }
    for (const line of topic ? commandHelp(topic) : overview()) io.out(line);
    return EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`unknown command ${JSON.stringify(name)}`);
    io.err(usageLine());
    return EXIT_USAGE;
  }
  try {
    return await runCommand(command, rest, io, env);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${command.name}: ${error.message}`);
      io.err(usageLine(command));
      return EXIT_USAGE;
    }
    if (error instanceof InputRejected) {
      for (const problem of error.problems) io.err(problem);
      return EXIT_REJECTED;
    }
    if (error instanceof ConfigError) {
      for (const problem of error.problems) io.err(problem);
      return EXIT_REJECTED;
    }
    const hint = explainDatabaseError(error, env);
    // Anything else is a fault, not the operator's input: say so, with the message for whoever debugs it.
    io.err(
      hint ?? `${command.name} failed: ${error instanceof Error ? error.message.trim() : String(error)}`,
    );
    return EXIT_REJECTED;
  }
}

const io: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
// exitCode rather than exit(): pending output is flushed, and any handle left open would show up
// as a hang in the tests instead of being hidden.
process.exitCode = await main(process.argv.slice(2), io, process.env);

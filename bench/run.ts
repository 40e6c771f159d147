// `npm run bench`: prints a table and writes bench/results.json. Figures, not assertions.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { benchBot } from "./bot.ts";
import { benchBroadcast } from "./broadcast.ts";
import { benchBroadcastPanel } from "./broadcast-panel.ts";
import { benchCaseload } from "./caseload.ts";
import { benchEscalation } from "./escalation.ts";
import { benchImport, benchImportXlsx } from "./import.ts";
import { benchIntents } from "./intents.ts";
import { benchInvitations } from "./invitations.ts";
import { benchLogin } from "./login.ts";
import { benchOperations } from "./operations.ts";
import { benchReminders } from "./reminders.ts";
import { benchResults } from "./results.ts";
import { benchStartup } from "./startup.ts";
import { benchWorry } from "./worry.ts";

type Result = { name: string; value: number; unit: string; note?: string };

/** Each benchmark in turn; `npm run bench -- NAME…` runs only those named. */
const BENCHES: [string, () => Promise<Result[]>][] = [
  ["startup", benchStartup],
  ["bot", benchBot],
  ["operations", benchOperations],
  ["reminders", benchReminders],
  ["escalation", benchEscalation],
  ["caseload", benchCaseload],
  ["results", benchResults],
  ["broadcast", benchBroadcast],
  ["broadcast-panel", benchBroadcastPanel],
  ["login", benchLogin],
  ["import", benchImport],
  ["import-xlsx", benchImportXlsx],
  ["worry", benchWorry],
  ["intents", () => benchIntents()],
  ["invitations", benchInvitations],
];

const wanted = process.argv.slice(2);
const results: Result[] = [];
for (const [name, bench] of BENCHES) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  try {
    results.push(...(await bench()));
  } catch (error) {
    // The other figures are still worth printing and keeping; the exit code tells CI.
    console.error(
      `${name} benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exitCode = 1;
  }
}

function show(r: Result): string {
  if (Number.isInteger(r.value)) return String(r.value);
  if (r.unit === "ms") return r.value.toFixed(r.value < 100 ? 1 : 0);
  return r.value.toFixed(1);
}

const width = Math.max(...results.map((r) => r.name.length));
console.log(`\n${"benchmark".padEnd(width)}  value`);
for (const r of results) {
  console.log(`${r.name.padEnd(width)}  ${show(r)} ${r.unit}${r.note ? `  (${r.note})` : ""}`);
}
const file = join(import.meta.dirname, "results.json");
writeFileSync(
  file,
  `${JSON.stringify({ at: new Date().toISOString(), node: process.version, results }, null, 2)}\n`,
);
console.log(`\nwritten to ${file}`);

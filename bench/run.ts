// `npm run bench`: prints a table and writes bench/results.json. Figures, not assertions.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { benchStartup } from "./startup.ts";

type Result = { name: string; value: number; unit: string; note?: string };

const results: Result[] = [];
results.push(...(await benchStartup()));

const width = Math.max(...results.map((r) => r.name.length));
console.log(`\n${"benchmark".padEnd(width)}  value`);
for (const r of results) {
  console.log(
    `${r.name.padEnd(width)}  ${r.value.toFixed(r.unit === "ms" ? 0 : 2)} ${r.unit}${r.note ? `  (${r.note})` : ""}`,
  );
}
const file = join(import.meta.dirname, "results.json");
writeFileSync(
  file,
  `${JSON.stringify({ at: new Date().toISOString(), node: process.version, results }, null, 2)}\n`,
);
console.log(`\nwritten to ${file}`);

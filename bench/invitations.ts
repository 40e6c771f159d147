// Invitation letters for 1,000 households as one PDF (core/invitations): a fresh link code each (a
// transaction and an audit entry per household), then the letters, in the household languages
// mixed (an eighth each, Arabic and Ukrainian included). Run in a process of its own
// (bench/invitations-run.ts) so its peak memory is the work's, start-up included.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { createDb } from "../core/db/client.ts";
import { applyMigrations, dropDatabase, ensureDatabase } from "../core/db/migrate.ts";

const ROOT = join(import.meta.dirname, "..");
const LETTERS = Number(process.env.BENCH_INVITATIONS ?? 1000);
const LANGUAGES = ["it", "en", "ar", "fr", "es", "ro", "sq", "uk"];

type BenchResult = { name: string; value: number; unit: string; note?: string };

function benchDatabaseUrl(): string {
  const url = new URL(process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/bussola");
  url.pathname = `/bussola_bench_invitations_${process.pid}`;
  return url.toString();
}

export async function benchInvitations(): Promise<BenchResult[]> {
  const databaseUrl = benchDatabaseUrl();
  await ensureDatabase(databaseUrl);
  try {
    await applyMigrations(databaseUrl);
    const db = createDb(databaseUrl);
    try {
      await db.household.createMany({
        data: Array.from({ length: LETTERS }, (_, i) => ({
          contractCode: `BS-${String(i).padStart(7, "0")}`,
          name: `Famiglia ${i}`,
          fiscalCode: "RSSMRA80A01B157X",
          municipality: "Brescia",
          address: `Via Roma ${i % 300}, 25100 Brescia`,
          language: LANGUAGES[i % LANGUAGES.length] as string,
        })),
      });
    } finally {
      await db.$disconnect();
    }
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["--import", "./bench/peak-rss.ts", "bench/invitations-run.ts"],
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "warn" },
        maxBuffer: 1 << 24,
      },
    );
    const peak = /peak-rss-kb (\d+)/.exec(stderr);
    if (!peak?.[1]) throw new Error(`no peak memory reported: ${stderr}`);
    const run = JSON.parse(stdout.trim().split("\n").pop() as string) as {
      seconds: number;
      letters: number;
      megabytes: number;
    };
    if (run.letters !== LETTERS) throw new Error(`${run.letters} letters instead of ${LETTERS}`);
    const label = `invitations: ${LETTERS.toLocaleString("en")} letters as one PDF`;
    const note = `${run.megabytes.toFixed(1)} MB PDF; aim < 30 s, < 400 MB`;
    return [
      { name: `${label}: time`, value: run.seconds, unit: "s", note: "codes, audit and PDF" },
      { name: `${label}: peak RSS`, value: Number(peak[1]) / 1024, unit: "MB", note },
    ];
  } finally {
    await dropDatabase(databaseUrl);
  }
}

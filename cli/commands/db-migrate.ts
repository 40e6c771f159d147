import { loadConfig } from "../../core/config.ts";
import { migrateDatabase } from "../../core/db/migrate.ts";
import type { Command } from "../command.ts";

export const dbMigrate: Command = {
  name: "db:migrate",
  args: "",
  summary: "Create the database if it is missing and apply pending migrations",
  help: ["Safe to run any time, and from several machines at once: applied migrations are skipped."],
  async run({ env, io }) {
    const applied = await migrateDatabase(loadConfig(env).databaseUrl);
    if (applied.length === 0) {
      io.out("The database is up to date: no migration to apply.");
      return;
    }
    io.out(`Applied ${applied.length} migration${applied.length > 1 ? "s" : ""}:`);
    for (const name of applied) io.out(`  ${name}`);
  },
};

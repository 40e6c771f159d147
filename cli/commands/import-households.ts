import { loadConfig } from "../../core/config.ts";
import { SUPPORTED_LANGUAGES } from "../../core/i18n.ts";
import { importHouseholdsFile } from "../../core/imports/households.ts";
import { type Command, cliActor } from "../command.ts";
import { withDatabase } from "../database.ts";
import {
  countsLine,
  FILE_FORMATS_HELP,
  openSpreadsheet,
  printHeadline,
  rejectProblems,
} from "../import-file.ts";

export const importHouseholdsCommand: Command = {
  name: "import:households",
  args: "FILE [--dry-run]",
  summary: "Import households and their arrears from the authority's spreadsheet (CSV or Excel .xlsx)",
  help: [
    "Columns: contract_code;household_name;fiscal_code;municipality;address;phone;language;",
    "         arrears_rent;arrears_charges;balance_date.",
    "A file with any bad row changes nothing; every problem is listed as FILE:LINE: problem.",
    "Households are matched by contract_code; importing the same file again changes nothing.",
    "An empty phone or language keeps what an existing household already has.",
    "",
    "  --dry-run   check the file and show what would change, without changing anything",
    ...FILE_FORMATS_HELP,
  ],
  options: { "dry-run": { type: "boolean" } },
  positionals: ["FILE"],
  async run({ positionals, options, env, io }) {
    const file = positionals[0] as string;
    const input = await openSpreadsheet(file, loadConfig(env).importMaxBytes);
    const dryRun = options["dry-run"] === true;
    // Read, checked and applied as a stream in one transaction: a bad row anywhere changes nothing.
    const outcome = await withDatabase(env, (db) =>
      importHouseholdsFile(db, input, { actor: cliActor(env), dryRun }),
    );
    if (!outcome.ok) rejectProblems(file, outcome.problems);
    printHeadline(io, file, outcome.rows, dryRun);
    io.out(countsLine("households", outcome.result.households));
    io.out(countsLine("balances", outcome.result.balances));

    // Languages only, no people: tells the team which translations households are waiting for.
    const waiting = outcome.languages.filter((l) => !SUPPORTED_LANGUAGES.includes(l));
    if (waiting.length) {
      io.out(`Note: the bot has no translation yet for ${waiting.join(", ")}.`);
    }
  },
};

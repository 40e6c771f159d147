import { SUPPORTED_LANGUAGES } from "../../core/i18n.ts";
import { importHouseholdsFile } from "../../core/imports/households.ts";
import type { Command } from "../command.ts";
import { countsLine, DRY_RUN_HELP, DRY_RUN_OPTION, FILE_FORMATS_HELP, runImport } from "../import-file.ts";

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
    DRY_RUN_HELP,
    ...FILE_FORMATS_HELP,
  ],
  options: DRY_RUN_OPTION,
  positionals: ["FILE"],
  run: (input) =>
    // Read, checked and applied as a stream in one transaction: a bad row anywhere changes nothing.
    runImport(input, {
      async apply(db, file, options) {
        const outcome = await importHouseholdsFile(db, file, options);
        if (!outcome.ok) return outcome;
        const lines = [
          countsLine("households", outcome.result.households),
          countsLine("balances", outcome.result.balances),
        ];
        // Languages only, no people: tells the team which translations households are waiting for.
        const waiting = outcome.languages.filter((l) => !SUPPORTED_LANGUAGES.includes(l));
        if (waiting.length) lines.push(`Note: the bot has no translation yet for ${waiting.join(", ")}.`);
        return { ok: true, rows: outcome.rows, lines };
      },
    }),
};

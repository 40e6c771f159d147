import { loadConfig } from "../../core/config.ts";
import { importCourses, parseCoursesFile } from "../../core/imports/courses.ts";
import { type Command, cliActor } from "../command.ts";
import { withDatabase } from "../database.ts";
import {
  countsLine,
  FILE_FORMATS_HELP,
  openSpreadsheet,
  printHeadline,
  rejectProblems,
} from "../import-file.ts";

export const importCoursesCommand: Command = {
  name: "import:courses",
  args: "FILE [--dry-run]",
  summary: "Import courses and their sessions from a spreadsheet (CSV or Excel .xlsx)",
  help: [
    "Columns: course_code;title;description;municipality;session_start;session_end;location;capacity",
    "         (one row per session).",
    "session_start and session_end: dd/mm/yyyy hh:mm or yyyy-mm-ddThh:mm, Europe/Rome time.",
    "Every row of a course must have the same title, description and municipality.",
    "A session is its course and its start: a new start is a new session; end, location and",
    "capacity of an existing session are updated. Sessions not in the file are left as they are.",
    "A capacity below the people already enrolled in a session rejects the file.",
    "A file with any bad row changes nothing; every problem is listed as FILE:LINE: problem.",
    "Importing the same file again changes nothing.",
    "",
    "  --dry-run   check the file and show what would change, without changing anything",
    ...FILE_FORMATS_HELP,
  ],
  options: { "dry-run": { type: "boolean" } },
  positionals: ["FILE"],
  async run({ positionals, options, env, io }) {
    const file = positionals[0] as string;
    const parsed = await parseCoursesFile(await openSpreadsheet(file, loadConfig(env).importMaxBytes));
    if (!parsed.ok) rejectProblems(file, parsed.problems);

    const dryRun = options["dry-run"] === true;
    const result = await withDatabase(env, (db) =>
      importCourses(db, parsed.rows, { actor: cliActor(env), dryRun }),
    );
    if (!result.ok) rejectProblems(file, result.problems);
    printHeadline(io, file, parsed.rows.length, dryRun);
    io.out(countsLine("courses", result.courses));
    io.out(countsLine("sessions", result.sessions));
  },
};

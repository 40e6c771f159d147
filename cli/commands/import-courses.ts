import { importCourses, parseCoursesFile } from "../../core/imports/courses.ts";
import type { Command } from "../command.ts";
import { countsLine, DRY_RUN_HELP, DRY_RUN_OPTION, FILE_FORMATS_HELP, runImport } from "../import-file.ts";

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
    DRY_RUN_HELP,
    ...FILE_FORMATS_HELP,
  ],
  options: DRY_RUN_OPTION,
  positionals: ["FILE"],
  run: (input) =>
    runImport(input, {
      async read(file) {
        const parsed = await parseCoursesFile(file);
        return parsed.ok ? { parsed: parsed.rows } : { parsed: [], problems: parsed.problems };
      },
      async apply(db, rows, options) {
        const result = await importCourses(db, rows, options);
        if (!result.ok) return result;
        return {
          ok: true,
          rows: rows.length,
          lines: [countsLine("courses", result.courses), countsLine("sessions", result.sessions)],
        };
      },
    }),
};

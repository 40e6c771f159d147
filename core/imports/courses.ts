// The courses spreadsheet from the programme's coordinators: one row per session of a course. A file
// with any bad row is rejected whole; a good file is applied in one transaction, and applying it again
// changes nothing. A session is identified by its course and its start; sessions missing from a file
// are left alone (a file may cover only some courses).
import { type AuditEntry, audit } from "../audit.ts";
import { TRANSLATION_LANGUAGES, type Translations } from "../courses/translations.ts";
import type { Db, Prisma } from "../db/client.ts";
import { formatRomeDateTime, parseRomeDateTime, calendarDate as validCalendarDate } from "../time.ts";
import { type Field, fieldCollector, type ImportCounts, quoted, requiredText } from "./fields.ts";
import { type CsvInput, type CsvProblem, type CsvRow, readSpreadsheet } from "./spreadsheet.ts";
import {
  batches,
  emptyCounts,
  fileDetail,
  type ImportExtras,
  importTransaction,
  type Tx,
} from "./transaction.ts";

const TRANSLATED_FIELDS = ["title", "description", "location"] as const;

export const COURSE_COLUMNS = [
  "course_code",
  "title",
  "description",
  "municipality",
  "session_start",
  "session_end",
  "location",
  "capacity",
] as const;
/**
 * Optional: title, description and place in another language (`title_en`, `description_ar`,
 * `location_uk`…), shown to members who use it; Italian is the fallback. The file describes the
 * course whole: a translation not in the file is not kept.
 */
type TranslationColumn = `${(typeof TRANSLATED_FIELDS)[number]}_${string}`;
export const COURSE_TRANSLATION_COLUMNS: readonly TranslationColumn[] = TRANSLATION_LANGUAGES.flatMap(
  (language) => TRANSLATED_FIELDS.map((field): TranslationColumn => `${field}_${language}`),
);
type Column = (typeof COURSE_COLUMNS)[number] | TranslationColumn;

export type CourseRow = {
  line: number;
  courseCode: string;
  title: string;
  /** May be empty. */
  description: string;
  municipality: string;
  startsAt: Date;
  endsAt: Date;
  location: string;
  capacity: number;
  /** The course's title and description in other languages (only those given). */
  courseTranslations: Translations;
  /** The session's place in other languages (only those given). */
  sessionTranslations: Translations;
};

export type ParseCoursesResult = { ok: true; rows: CourseRow[] } | { ok: false; problems: CsvProblem[] };

const COURSE_CODE = /^[A-Za-z0-9._/-]{1,32}$/;
const MAX_CAPACITY = 10_000;
const MAX_DESCRIPTION = 1000;
const IT_DATE_TIME = /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ T](\d{1,2}):(\d{2})$/;
/** The ISO forms read as Rome wall time (no offset), as parseRomeDateTime reads them. */
const WALL_ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::00)?$/;
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?$/;

const ok = <T>(value: T): Field<T> => ({ ok: true, value });
const bad = (message: string): Field<never> => ({ ok: false, message });

function courseCode(value: string): Field<string> {
  if (value === "") return bad("course_code is required");
  if (!COURSE_CODE.test(value)) {
    return bad(`course_code ${quoted(value)} is not a course code (letters, digits, - _ . and /, up to 32)`);
  }
  return ok(value);
}

function optionalText(column: string, value: string, maxLength: number): Field<string> {
  if (value.length > maxLength) return bad(`${column} is longer than ${maxLength} characters`);
  return ok(value);
}

/** Date and time of day in Rome, as dd/mm/yyyy hh:mm or ISO; says why when it is not one. */
function dateTime(column: string, value: string): Field<Date> {
  if (value === "") return bad(`${column} is required`);
  const parsed = parseRomeDateTime(value);
  if (parsed) return ok(parsed);
  if (!IT_DATE_TIME.test(value) && !ISO_DATE_TIME.test(value)) {
    return bad(
      `${column} ${quoted(value)} is not a date and time (write dd/mm/yyyy hh:mm or yyyy-mm-ddThh:mm)`,
    );
  }
  // A real wall time that parseRomeDateTime still refused is one Rome's clocks skip (spring, 02:00–03:00).
  const it = IT_DATE_TIME.exec(value);
  const wall = WALL_ISO.exec(value);
  const parts = it
    ? [it[3], it[2], it[1], it[4], it[5]]
    : wall
      ? [wall[1], wall[2], wall[3], wall[4], wall[5]]
      : null;
  if (parts) {
    const [year = 0, month = 0, day = 0, hour = 99, minute = 99] = parts.map(Number);
    if (validCalendarDate(year, month, day) && hour <= 23 && minute <= 59) {
      return bad(`${column} ${quoted(value)} does not exist in Italy (the clocks go forward that night)`);
    }
  }
  return bad(`${column} ${quoted(value)} is not a valid date and time`);
}

function capacity(value: string): Field<number> {
  if (value === "") return bad("capacity is required");
  if (!/^\d+$/.test(value) || Number(value) === 0) {
    return bad(`capacity ${quoted(value)} is not a whole number of places above 0`);
  }
  const places = Number(value);
  if (places > MAX_CAPACITY) return bad(`capacity ${quoted(value)} is too large (at most ${MAX_CAPACITY})`);
  return ok(places);
}

/** The translation columns of a row, checked like their Italian column, as stored (blanks left out). */
function translationsOf(
  values: Record<Column, string>,
  fields: readonly ("title" | "description" | "location")[],
  take: <T>(field: Field<T>) => T | undefined,
): Translations {
  const result: Translations = {};
  for (const language of TRANSLATION_LANGUAGES) {
    for (const field of fields) {
      const column: TranslationColumn = `${field}_${language}`;
      const value = values[column] ?? "";
      if (value === "") continue;
      const max = field === "description" ? MAX_DESCRIPTION : 200;
      const text = take(optionalText(column, value, max));
      if (text === undefined) continue;
      result[language] = { ...result[language], [field]: text };
    }
  }
  return result;
}

function validateRow(row: CsvRow<Column>): { row: CourseRow } | { problems: string[] } {
  const v = row.values;
  const { take, problems } = fieldCollector();
  const result = {
    line: row.line,
    courseCode: take(courseCode(v.course_code)),
    title: take(requiredText("title", v.title)),
    description: take(optionalText("description", v.description, MAX_DESCRIPTION)),
    municipality: take(requiredText("municipality", v.municipality, 100)),
    startsAt: take(dateTime("session_start", v.session_start)),
    endsAt: take(dateTime("session_end", v.session_end)),
    location: take(requiredText("location", v.location)),
    capacity: take(capacity(v.capacity)),
    courseTranslations: translationsOf(v, ["title", "description"], take),
    sessionTranslations: translationsOf(v, ["location"], take),
  };
  if (result.startsAt && result.endsAt && result.endsAt.getTime() <= result.startsAt.getTime()) {
    problems.push(
      `session_end ${quoted(v.session_end)} is not after session_start ${quoted(v.session_start)}`,
    );
  }
  // Every field is set when nothing was reported; the cast only restates that.
  return problems.length ? { problems } : { row: result as CourseRow };
}

const COURSE_FIELDS = ["title", "description", "municipality"] as const;
/** Every column that describes the course (not the session): the same on each row of a course. */
const COURSE_DESCRIBING = [
  ...COURSE_FIELDS,
  ...COURSE_TRANSLATION_COLUMNS.filter((column) => !column.startsWith("location_")),
];

/**
 * A course is described once per session row: every row of a course must describe it the same way,
 * and a course cannot have two sessions starting at the same time (which values would be meant?).
 */
function crossRowProblems(csvRows: CsvRow<Column>[]): CsvProblem[] {
  const problems: CsvProblem[] = [];
  const firstOfCourse = new Map<string, CsvRow<Column>>();
  const linesBySession = new Map<string, { lines: number[]; code: string; start: Date }>();
  for (const row of csvRows) {
    const code = row.values.course_code;
    if (code === "") continue;
    const first = firstOfCourse.get(code);
    if (!first) firstOfCourse.set(code, row);
    else {
      for (const field of COURSE_DESCRIBING) {
        if ((row.values[field] ?? "") !== (first.values[field] ?? "")) {
          problems.push({
            line: row.line,
            message: `course_code ${quoted(code)} has a different ${field} on line ${first.line}: every row of a course must describe it the same way`,
          });
        }
      }
    }
    const start = parseRomeDateTime(row.values.session_start);
    if (!start) continue;
    const key = `${code}\u0000${start.getTime()}`;
    const entry = linesBySession.get(key) ?? { lines: [], code, start };
    entry.lines.push(row.line);
    linesBySession.set(key, entry);
  }
  for (const { lines, code, start } of linesBySession.values()) {
    if (lines.length < 2) continue;
    for (const line of lines) {
      const others = lines.filter((other) => other !== line).join(", ");
      problems.push({
        line,
        message: `the session of ${quoted(code)} starting ${formatRomeDateTime(start)} is also on line ${others}`,
      });
    }
  }
  return problems;
}

/** Checks the whole file; returns the rows only when every one of them is good. */
export async function parseCoursesFile(input: CsvInput): Promise<ParseCoursesResult> {
  const csv = await readSpreadsheet(input, {
    required: COURSE_COLUMNS,
    optional: COURSE_TRANSLATION_COLUMNS,
  });
  const problems: CsvProblem[] = csv.ok ? [] : [...csv.problems];
  const rows: CourseRow[] = [];
  for (const csvRow of csv.rows) {
    const checked = validateRow(csvRow);
    if ("row" in checked) rows.push(checked.row);
    else for (const message of checked.problems) problems.push({ line: csvRow.line, message });
  }
  problems.push(...crossRowProblems(csv.rows));
  if (problems.length) return { ok: false, problems: problems.sort((a, b) => a.line - b.line) };
  return { ok: true, rows };
}

export type { ImportCounts };
export type ImportCoursesCounts = { courses: ImportCounts; sessions: ImportCounts };
/** Rows that fit the file but not what the database holds (a capacity below the people enrolled). */
export type ImportCoursesResult =
  | ({ ok: true } & ImportCoursesCounts)
  | { ok: false; problems: CsvProblem[] };

type Actor = Pick<AuditEntry, "actorType" | "actorId">;

const sessionKey = (courseId: number, startsAt: Date) => `${courseId}:${startsAt.getTime()}`;

async function upsertCourses(tx: Tx, rows: CourseRow[], tally: ImportCounts): Promise<Map<string, number>> {
  const firstRows = new Map<string, CourseRow>();
  for (const row of rows) if (!firstRows.has(row.courseCode)) firstRows.set(row.courseCode, row);
  const wanted = [...firstRows.values()];
  const ids = new Map<string, number>();
  const toCreate: CourseRow[] = [];
  for (const slice of batches(wanted)) {
    const existing = await tx.course.findMany({ where: { code: { in: slice.map((r) => r.courseCode) } } });
    const byCode = new Map(existing.map((c) => [c.code, c]));
    for (const row of slice) {
      const current = byCode.get(row.courseCode);
      if (!current) {
        toCreate.push(row);
        continue;
      }
      ids.set(row.courseCode, current.id);
      const data = {
        title: row.title,
        description: row.description,
        municipality: row.municipality,
        translations: row.courseTranslations,
      };
      if (
        COURSE_FIELDS.every((field) => data[field] === current[field]) &&
        sameTranslations(current.translations, data.translations)
      ) {
        tally.unchanged++;
        continue;
      }
      await tx.course.update({ where: { id: current.id }, data });
      tally.updated++;
    }
  }
  for (const slice of batches(toCreate)) {
    const created = await tx.course.createManyAndReturn({
      data: slice.map((row) => ({
        code: row.courseCode,
        title: row.title,
        description: row.description,
        municipality: row.municipality,
        translations: row.courseTranslations,
      })),
      select: { id: true, code: true },
    });
    for (const course of created) ids.set(course.code, course.id);
    tally.created += created.length;
  }
  return ids;
}

async function upsertSessions(
  tx: Tx,
  rows: CourseRow[],
  courseIds: Map<string, number>,
  tally: ImportCounts,
): Promise<CsvProblem[]> {
  const problems: CsvProblem[] = [];
  const toCreate: Prisma.CourseSessionCreateManyInput[] = [];
  for (const slice of batches(rows)) {
    const ids = [...new Set(slice.map((r) => courseIds.get(r.courseCode) as number))];
    const existing = await tx.courseSession.findMany({
      where: { courseId: { in: ids }, startsAt: { in: slice.map((r) => r.startsAt) } },
    });
    const byKey = new Map(existing.map((s) => [sessionKey(s.courseId, s.startsAt), s]));
    for (const row of slice) {
      const courseId = courseIds.get(row.courseCode) as number;
      const current = byKey.get(sessionKey(courseId, row.startsAt));
      const data = {
        endsAt: row.endsAt,
        location: row.location,
        capacity: row.capacity,
        translations: row.sessionTranslations,
      };
      if (!current) {
        toCreate.push({ courseId, startsAt: row.startsAt, ...data });
        continue;
      }
      if (
        current.endsAt.getTime() === data.endsAt.getTime() &&
        current.location === data.location &&
        current.capacity === data.capacity &&
        sameTranslations(current.translations, data.translations)
      ) {
        tally.unchanged++;
        continue;
      }
      if (data.capacity < current.capacity) {
        // Locked as enrolling locks it, so nobody takes a place between the count and the change.
        await tx.$queryRaw`SELECT "id" FROM "CourseSession" WHERE "id" = ${current.id} FOR UPDATE`;
        const taken = await tx.enrolment.count({
          where: { sessionId: current.id, status: { in: ["enrolled", "offered"] } },
        });
        if (taken > data.capacity) {
          problems.push({
            line: row.line,
            message: `capacity ${data.capacity} is below the ${taken} people already enrolled in this session: write at least ${taken}`,
          });
          continue;
        }
      }
      await tx.courseSession.update({ where: { id: current.id }, data });
      tally.updated++;
    }
  }
  for (const slice of batches(toCreate)) {
    const created = await tx.courseSession.createMany({ data: slice });
    tally.created += created.count;
  }
  return problems;
}

/** Stored translations against the file's, whatever the order of their keys. */
function sameTranslations(stored: unknown, wanted: Translations): boolean {
  const canonical = (value: unknown): string => {
    const entries = Object.entries((value ?? {}) as Translations)
      .map(([language, fields]) => [language, Object.entries(fields).sort()] as const)
      .filter(([, fields]) => fields.length > 0)
      .sort(([a], [b]) => a.localeCompare(b));
    return JSON.stringify(entries);
  };
  return canonical(stored) === canonical(wanted);
}

/** Thrown out of the transaction to undo it, carrying what the caller gets back. */
/**
 * Applies checked rows all-or-nothing, and records one audit entry with the counts. A row the
 * database cannot take (a capacity below the people already enrolled) rejects the whole file, with
 * its line. With `dryRun` everything is done and then rolled back, so the counts say what a real
 * import would change.
 */
export async function importCourses(
  db: Db,
  rows: CourseRow[],
  options: { actor: Actor; dryRun?: boolean } & ImportExtras,
): Promise<ImportCoursesResult> {
  // Two imports at once would race on the same course codes; the second waits for the first.
  return importTransaction<ImportCoursesResult>(
    db,
    { locks: ["bussola:import:courses"], dryRun: options.dryRun, claim: options.claim },
    async (tx, undo) => {
      const result: ImportCoursesCounts = { courses: emptyCounts(), sessions: emptyCounts() };
      const ids = await upsertCourses(tx, rows, result.courses);
      const problems = await upsertSessions(tx, rows, ids, result.sessions);
      if (problems.length) undo({ ok: false, problems });
      await audit(tx, {
        actorType: options.actor.actorType,
        actorId: options.actor.actorId,
        action: "import.courses",
        details: { rows: rows.length, ...result, ...fileDetail(options) },
      });
      return { ok: true as const, ...result };
    },
  );
}

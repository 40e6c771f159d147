import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { enrol } from "../core/courses.ts";
import { type CourseRow, importCourses, parseCoursesFile } from "../core/imports/courses.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { runCli } from "./support/processes.ts";

// A copy of ../shared/examples/courses.csv: a clone of the repository must test on its own.
const FIXTURES = join(import.meta.dirname, "fixtures");
const EXAMPLE = join(FIXTURES, "courses-example.csv");
const HEADER = "course_code;title;description;municipality;session_start;session_end;location;capacity";
const actor = { actorType: "cli" as const, actorId: "test" };
const BEFORE_EVERYTHING = new Date("2026-01-01T00:00:00Z");

let t: TestDatabase;
let dir: string;
beforeAll(async () => {
  t = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), "bussola-courses-"));
});
afterAll(async () => {
  await t.drop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await t.db.course.deleteMany();
  await t.db.auditLog.deleteMany();
});

async function rowsOf(input: Buffer | string): Promise<CourseRow[]> {
  const parsed = await parseCoursesFile(typeof input === "string" ? Buffer.from(input) : input);
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => `${p.line}: ${p.message}`).join("\n"));
  return parsed.rows;
}

async function problemsOf(input: Buffer | string): Promise<string[]> {
  const parsed = await parseCoursesFile(typeof input === "string" ? Buffer.from(input) : input);
  return parsed.ok ? [] : parsed.problems.map((p) => `${p.line}: ${p.message}`);
}

async function snapshot() {
  return {
    courses: await t.db.course.findMany({ orderBy: { id: "asc" } }),
    sessions: await t.db.courseSession.findMany({ orderBy: { id: "asc" } }),
  };
}

async function member(n: number): Promise<number> {
  const created = await t.db.member.create({ data: { telegramUserId: BigInt(9_000_000 + n), chatId: 1 } });
  return created.id;
}

describe("parseCoursesFile", () => {
  it("reads the example: one row per session, both date forms, Rome time", async () => {
    const rows = await rowsOf(readFileSync(EXAMPLE));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual({
      line: 2,
      courseCode: "ORI-01",
      title: "Orientamento al lavoro",
      description: "Come cercare lavoro, CV e colloquio",
      municipality: "Brescia",
      // 09:30 in Rome in December (UTC+1).
      startsAt: new Date("2026-12-09T08:30:00Z"),
      endsAt: new Date("2026-12-09T11:30:00Z"),
      location: "Sportello ALER, Viale Europa 68",
      capacity: 15,
      courseTranslations: {},
      sessionTranslations: {},
    });
    expect(rows[2]).toMatchObject({
      courseCode: "BIL-02",
      municipality: "Cremona",
      startsAt: new Date("2026-12-10T16:00:00Z"),
      endsAt: new Date("2026-12-10T18:00:00Z"),
      capacity: 12,
    });
  });

  it("reads a comma-separated file with BOM, quotes, an offset, an empty description and a DST night", async () => {
    const rows = await rowsOf(readFileSync(join(FIXTURES, "courses-comma.csv")));
    expect(rows.map((r) => [r.line, r.courseCode, r.description, r.location])).toEqual([
      [2, "PIP-07", "Pratica in mensa; pranzo incluso, grembiule fornito", 'Mensa "Il Sole", Via Verdi 3'],
      [3, "PIP-07", "Pratica in mensa; pranzo incluso, grembiule fornito", 'Mensa "Il Sole", Via Verdi 3'],
      [4, "CAF-03", "", "Sportello CAF"],
    ]);
    expect(rows[0]?.endsAt).toEqual(new Date("2026-12-18T13:00:00Z"));
    expect(rows[1]?.startsAt).toEqual(new Date("2027-01-11T07:00:00Z"));
    expect(rows[1]?.endsAt).toEqual(new Date("2027-01-15T13:00:00Z"));
    // 01:30 before the spring change (UTC+1) to 03:30 after it (UTC+2): one hour, not two.
    expect(rows[2]?.startsAt).toEqual(new Date("2026-03-29T00:30:00Z"));
    expect(rows[2]?.endsAt).toEqual(new Date("2026-03-29T01:30:00Z"));
  });

  it("rejects the whole file, listing every problem by line", async () => {
    expect(await problemsOf(readFileSync(join(FIXTURES, "courses-bad.csv")))).toEqual([
      '2: the session of "ORI-01" starting 09/12/2026 09:30 is also on line 12',
      '3: course_code "ORI-01" has a different description on line 2: every row of a course must describe it the same way',
      '4: course_code "BIL 02" is not a course code (letters, digits, - _ . and /, up to 32)',
      "5: title is required",
      '6: session_start "10-12-2026 17:00" is not a date and time (write dd/mm/yyyy hh:mm or yyyy-mm-ddThh:mm)',
      '7: session_start "31/11/2026 17:00" is not a valid date and time',
      '8: session_start "29/03/2026 02:30" does not exist in Italy (the clocks go forward that night)',
      '9: session_end "10/12/2026 17:00" is not after session_start "10/12/2026 19:00"',
      '10: capacity "0" is not a whole number of places above 0',
      '11: capacity "dieci" is not a whole number of places above 0',
      '12: the session of "ORI-01" starting 09/12/2026 09:30 is also on line 2',
      "13: location is required",
      "14: 7 fields instead of 8 (a separator too many or missing?)",
    ]);
  });

  it("checks the other fields", async () => {
    const row = (fields: Partial<Record<string, string>>) =>
      [
        fields.code ?? "C-1",
        fields.title ?? "Corso",
        fields.description ?? "",
        fields.municipality ?? "Brescia",
        fields.start ?? "10/12/2026 17:00",
        fields.end ?? "10/12/2026 19:00",
        "Sala",
        fields.capacity ?? "5",
      ].join(";");
    expect(await problemsOf(`${HEADER}\n${row({})}`)).toEqual([]);
    expect(
      await problemsOf(
        [
          HEADER,
          row({}),
          row({ code: "X".repeat(33) }),
          row({ code: "C-2", capacity: "10001" }),
          row({ code: "C-3", capacity: "-1" }),
          row({ code: "C-4", capacity: "2,5" }),
          row({ code: "C-5", end: "" }),
          row({ code: "C-6", start: "10/12/2026 24:00" }),
          row({ code: "C-7", description: "d".repeat(1001) }),
          row({ code: "C-8", municipality: "" }),
          row({ code: "C-9", end: "10/12/2026 17:00" }),
          // The same course as line 2 with another title and municipality: both named.
          row({
            title: "Altro",
            municipality: "Mantova",
            start: "11/12/2026 17:00",
            end: "11/12/2026 19:00",
          }),
        ].join("\n"),
      ),
    ).toEqual([
      `3: course_code "${"X".repeat(33)}" is not a course code (letters, digits, - _ . and /, up to 32)`,
      '4: capacity "10001" is too large (at most 10000)',
      '5: capacity "-1" is not a whole number of places above 0',
      '6: capacity "2,5" is not a whole number of places above 0',
      "7: session_end is required",
      '8: session_start "10/12/2026 24:00" is not a valid date and time',
      "9: description is longer than 1000 characters",
      "10: municipality is required",
      '11: session_end "10/12/2026 17:00" is not after session_start "10/12/2026 17:00"',
      '12: course_code "C-1" has a different title on line 2: every row of a course must describe it the same way',
      '12: course_code "C-1" has a different municipality on line 2: every row of a course must describe it the same way',
    ]);
  });

  it("takes the same start written both ways as the same session", async () => {
    const problems = await problemsOf(
      [
        HEADER,
        "C-1;Corso;;Brescia;10/12/2026 17:00;10/12/2026 19:00;Sala;5",
        "C-1;Corso;;Brescia;2026-12-10T17:00;10/12/2026 18:00;Sala;5",
        "C-2;Corso;;Brescia;10/12/2026 17:00;10/12/2026 19:00;Sala;5",
      ].join("\n"),
    );
    expect(problems).toEqual([
      '2: the session of "C-1" starting 10/12/2026 17:00 is also on line 3',
      '3: the session of "C-1" starting 10/12/2026 17:00 is also on line 2',
    ]);
  });
});

describe("importCourses", () => {
  it("imports the example, and importing it again changes nothing", async () => {
    const rows = await rowsOf(readFileSync(EXAMPLE));
    const first = await importCourses(t.db, rows, { actor });
    expect(first).toEqual({
      ok: true,
      courses: { created: 2, updated: 0, unchanged: 0 },
      sessions: { created: 3, updated: 0, unchanged: 0 },
    });
    const before = await snapshot();
    expect(before.courses.map((c) => [c.code, c.title, c.municipality])).toEqual([
      ["ORI-01", "Orientamento al lavoro", "Brescia"],
      ["BIL-02", "Bilancio familiare", "Cremona"],
    ]);
    expect(before.sessions.map((s) => [s.startsAt.toISOString(), s.capacity, s.location])).toEqual([
      ["2026-12-09T08:30:00.000Z", 15, "Sportello ALER, Viale Europa 68"],
      ["2026-12-16T08:30:00.000Z", 15, "Sportello ALER, Viale Europa 68"],
      ["2026-12-10T16:00:00.000Z", 12, "Centro civico Cambonino"],
    ]);

    const second = await importCourses(t.db, rows, { actor });
    expect(second).toEqual({
      ok: true,
      courses: { created: 0, updated: 0, unchanged: 2 },
      sessions: { created: 0, updated: 0, unchanged: 3 },
    });
    // Identical down to updatedAt: unchanged rows are not written at all.
    expect(await snapshot()).toEqual(before);

    const entries = await t.db.auditLog.findMany({ orderBy: { id: "asc" } });
    expect(entries.map((e) => [e.action, e.actorType, e.actorId])).toEqual([
      ["import.courses", "cli", "test"],
      ["import.courses", "cli", "test"],
    ]);
    expect(entries[1]?.details).toEqual({
      rows: 3,
      courses: second.ok ? second.courses : null,
      sessions: second.ok ? second.sessions : null,
    });
    expect(JSON.stringify(entries)).not.toMatch(/Orientamento|Viale Europa|ORI-01/);
  });

  it("updates what changed, adds new sessions and leaves sessions missing from the file alone", async () => {
    await importCourses(t.db, await rowsOf(readFileSync(EXAMPLE)), { actor });
    const ori = await t.db.course.findUniqueOrThrow({ where: { code: "ORI-01" } });
    const changed = [
      HEADER,
      // New description; the first session moves room and grows; a third session is added.
      "ORI-01;Orientamento al lavoro;CV e colloquio;Brescia;09/12/2026 09:30;09/12/2026 12:30;Sala 2, Viale Europa 68;20",
      "ORI-01;Orientamento al lavoro;CV e colloquio;Brescia;16/12/2026 09:30;16/12/2026 12:30;Sportello ALER, Viale Europa 68;15",
      "ORI-01;Orientamento al lavoro;CV e colloquio;Brescia;13/01/2027 09:30;13/01/2027 12:30;Sportello ALER, Viale Europa 68;15",
    ].join("\n");
    const result = await importCourses(t.db, await rowsOf(changed), { actor });
    expect(result).toEqual({
      ok: true,
      courses: { created: 0, updated: 1, unchanged: 0 },
      sessions: { created: 1, updated: 1, unchanged: 1 },
    });
    const after = await t.db.course.findUniqueOrThrow({
      where: { code: "ORI-01" },
      include: { sessions: { orderBy: { startsAt: "asc" } } },
    });
    expect(after.id).toBe(ori.id);
    expect(after.description).toBe("CV e colloquio");
    expect(after.sessions.map((s) => [s.location, s.capacity])).toEqual([
      ["Sala 2, Viale Europa 68", 20],
      ["Sportello ALER, Viale Europa 68", 15],
      ["Sportello ALER, Viale Europa 68", 15],
    ]);
    // BIL-02 was not in this file: still there.
    expect(await t.db.courseSession.count()).toBe(4);
  });

  it("refuses a capacity below the people already enrolled, on that line, and changes nothing", async () => {
    await importCourses(t.db, await rowsOf(readFileSync(EXAMPLE)), { actor });
    const session = await t.db.courseSession.findFirstOrThrow({ where: { course: { code: "BIL-02" } } });
    for (let i = 0; i < 3; i++) {
      const result = await enrol(t.db, {
        sessionId: session.id,
        memberId: await member(i),
        now: BEFORE_EVERYTHING,
      });
      expect(result.status).toBe("enrolled");
    }
    // A cancelled enrolment does not hold a place.
    const gone = await member(3);
    await enrol(t.db, { sessionId: session.id, memberId: gone, now: BEFORE_EVERYTHING });
    await t.db.enrolment.updateMany({ where: { memberId: gone }, data: { status: "cancelled" } });
    const before = await snapshot();
    const auditBefore = await t.db.auditLog.count();

    const lowered = (capacity: number) =>
      [
        HEADER,
        "ORI-01;Orientamento al lavoro;Nuova descrizione;Brescia;09/12/2026 09:30;09/12/2026 12:30;Sportello ALER, Viale Europa 68;15",
        `BIL-02;Bilancio familiare;Tenere i conti di casa e risparmiare sulle bollette;Cremona;2026-12-10T17:00;2026-12-10T19:00;Centro civico Cambonino;${capacity}`,
      ].join("\n");
    expect(await importCourses(t.db, await rowsOf(lowered(2)), { actor })).toEqual({
      ok: false,
      problems: [
        {
          line: 3,
          message: "capacity 2 is below the 3 people already enrolled in this session: write at least 3",
        },
      ],
    });
    // All or nothing: the good first row was undone too.
    expect(await snapshot()).toEqual(before);
    expect(await t.db.auditLog.count()).toBe(auditBefore);

    // Down to exactly the people enrolled is fine.
    const result = await importCourses(t.db, await rowsOf(lowered(3)), { actor });
    expect(result.ok && result.sessions).toEqual({ created: 0, updated: 1, unchanged: 1 });
    expect((await t.db.courseSession.findUniqueOrThrow({ where: { id: session.id } })).capacity).toBe(3);
  });

  it("changes nothing in a dry run, but says what would change", async () => {
    const result = await importCourses(t.db, await rowsOf(readFileSync(EXAMPLE)), { actor, dryRun: true });
    expect(result).toEqual({
      ok: true,
      courses: { created: 2, updated: 0, unchanged: 0 },
      sessions: { created: 3, updated: 0, unchanged: 0 },
    });
    expect(await t.db.course.count()).toBe(0);
    expect(await t.db.auditLog.count()).toBe(0);
  });

  it("is all or nothing when the database refuses part of it", async () => {
    const [first, second] = await rowsOf(readFileSync(EXAMPLE));
    if (!first || !second) throw new Error("example rows missing");
    // Bypasses the file check on purpose: the same new session twice breaks the unique key mid-way.
    await expect(importCourses(t.db, [first, second, { ...second, line: 9 }], { actor })).rejects.toThrow();
    expect(await t.db.course.count()).toBe(0);
    expect(await t.db.courseSession.count()).toBe(0);
    expect(await t.db.auditLog.count()).toBe(0);
  });

  it("imports many sessions in one transaction, and again without changes", async () => {
    const lines = [HEADER];
    for (let i = 0; i < 1500; i++) {
      const day = String((i % 28) + 1).padStart(2, "0");
      const hour = String(8 + (Math.floor(i / 28) % 10)).padStart(2, "0");
      const month = String(1 + Math.floor(i / 280)).padStart(2, "0");
      lines.push(
        `C-${i % 40};Corso ${i % 40};;Brescia;${day}/${month}/2027 ${hour}:00;${day}/${month}/2027 ${hour}:45;Sala;10`,
      );
    }
    const rows = await rowsOf(lines.join("\n"));
    const first = await importCourses(t.db, rows, { actor });
    expect(first.ok && first.sessions.created).toBe(1500);
    expect(first.ok && first.courses.created).toBe(40);
    const second = await importCourses(t.db, rows, { actor });
    expect(second.ok && second.sessions.unchanged).toBe(1500);
  });
});

describe("npm run cli -- import:courses", () => {
  const env = () => ({ DATABASE_URL: t.url });

  it("imports the example and says what changed; a second run changes nothing", async () => {
    const first = await runCli(["import:courses", EXAMPLE], env());
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trim().split("\n")).toEqual([
      `Imported ${EXAMPLE}: 3 rows.`,
      "courses: 2 created, 0 updated, 0 unchanged",
      "sessions: 3 created, 0 updated, 0 unchanged",
    ]);
    const second = await runCli(["import:courses", EXAMPLE], env());
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("sessions: 0 created, 0 updated, 3 unchanged");
    expect(await t.db.courseSession.count()).toBe(3);
  });

  it("exits 1 with every problem as FILE:LINE, and 2 on wrong usage", async () => {
    const bad = join(FIXTURES, "courses-bad.csv");
    const run = await runCli(["import:courses", bad], env());
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(13);
    expect(lines[0]).toBe(`${bad}:2: the session of "ORI-01" starting 09/12/2026 09:30 is also on line 12`);
    expect(lines.at(-1)).toBe(`${bad}:14: 7 fields instead of 8 (a separator too many or missing?)`);
    expect(await t.db.course.count()).toBe(0);

    const missing = await runCli(["import:courses", join(dir, "nope.csv")], env());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("cannot read it: no such file");

    const usage = await runCli(["import:courses"], env());
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("missing FILE");
  });

  it("rejects a capacity below the enrolled through the CLI too, and checks on --dry-run", async () => {
    const dry = await runCli(["import:courses", EXAMPLE, "--dry-run"], env());
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("Checked (nothing changed)");
    expect(await t.db.course.count()).toBe(0);

    await runCli(["import:courses", EXAMPLE], env());
    const session = await t.db.courseSession.findFirstOrThrow({ where: { course: { code: "BIL-02" } } });
    await enrol(t.db, { sessionId: session.id, memberId: await member(10), now: BEFORE_EVERYTHING });
    await enrol(t.db, { sessionId: session.id, memberId: await member(11), now: BEFORE_EVERYTHING });
    const file = join(dir, "smaller.csv");
    await writeFile(file, readFileSync(EXAMPLE, "utf8").replace(/;12\n?$/, ";1\n"));
    const run = await runCli(["import:courses", file], env());
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      `${file}:4: capacity 1 is below the 2 people already enrolled in this session: write at least 2`,
    );
    expect((await t.db.courseSession.findUniqueOrThrow({ where: { id: session.id } })).capacity).toBe(12);

    const help = await runCli(["help", "import:courses"], env());
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("course_code;title;description;municipality;session_start;session_end");
  });
});

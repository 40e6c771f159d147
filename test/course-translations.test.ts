// Course titles, descriptions and places in the member's language (issue 9 item 4): the courses
// spreadsheet's optional title_xx / description_xx / location_xx columns, then /courses, the session,
// "my meetings", the calendar file and the session reminder in that language, Italian otherwise.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import { importCourses, parseCoursesFile } from "../core/imports/courses.ts";
import { runReminderScan } from "../core/reminders/scan.ts";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";

const START = new Date("2026-12-01T09:00:00Z");
const actor = { actorType: "cli" as const, actorId: "test" };
const HEADER =
  "course_code;title;description;municipality;session_start;session_end;location;capacity;title_en;description_en;location_en;title_ar";
const FILE = [
  HEADER,
  "BIL-01;Bilancio familiare;Come tenere i conti di casa;Brescia;09/12/2026 17:00;09/12/2026 19:00;Sala civica;10;Family budget;How to keep the household accounts;Community hall;الميزانية العائلية",
  "BIL-01;Bilancio familiare;Come tenere i conti di casa;Brescia;16/12/2026 17:00;16/12/2026 19:00;Biblioteca;10;Family budget;How to keep the household accounts;;الميزانية العائلية",
].join("\n");

let h: BotHarness;
beforeAll(async () => {
  h = await startBotHarness({ clock: fixedClock(START) });
});
afterAll(() => h?.close());

async function parse(text: string) {
  return parseCoursesFile(Buffer.from(text));
}

describe("the courses spreadsheet with translations", () => {
  it("stores what is given, Italian stays the fallback, and a second import changes nothing", async () => {
    const parsed = await parse(FILE);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.rows[0]?.courseTranslations).toEqual({
      en: { title: "Family budget", description: "How to keep the household accounts" },
      ar: { title: "الميزانية العائلية" },
    });
    expect(parsed.rows[1]?.sessionTranslations).toEqual({}); // location_en empty: Italian
    const first = await importCourses(h.db, parsed.rows, { actor });
    expect(first).toMatchObject({ ok: true, courses: { created: 1 }, sessions: { created: 2 } });
    const again = await importCourses(h.db, parsed.rows, { actor });
    expect(again).toMatchObject({ ok: true, courses: { unchanged: 1 }, sessions: { unchanged: 2 } });

    // The file describes the course whole: a translation left out is not kept.
    const withoutArabic = FILE.replaceAll(";الميزانية العائلية", ";");
    const changed = await parse(withoutArabic);
    if (!changed.ok) throw new Error("refused");
    const third = await importCourses(h.db, changed.rows, { actor, dryRun: true });
    expect(third).toMatchObject({ ok: true, courses: { updated: 1 }, sessions: { unchanged: 2 } });
  });

  it("checks translations like the Italian texts, by line, and refuses unknown columns", async () => {
    const long = "x".repeat(1001);
    const bad = await parse(
      `${HEADER}\nBIL-9;Titolo;Descrizione;Brescia;09/12/2026 17:00;09/12/2026 19:00;Sala;10;Title;${long};;`,
    );
    expect(bad.ok ? [] : bad.problems).toEqual([
      { line: 2, message: "description_en is longer than 1000 characters" },
    ]);
    const mixed = await parse(
      `${HEADER}\nBIL-9;Titolo;D;Brescia;09/12/2026 17:00;09/12/2026 19:00;Sala;10;Title;;;\nBIL-9;Titolo;D;Brescia;16/12/2026 17:00;16/12/2026 19:00;Sala;10;Other title;;;`,
    );
    expect(mixed.ok ? [] : mixed.problems.map((p) => p.line)).toEqual([3]);
    expect(mixed.ok ? "" : mixed.problems[0]?.message).toContain("different title_en on line 2");
    const german = await parse(
      "course_code;title;description;municipality;session_start;session_end;location;capacity;title_de\nBIL-9;T;D;Brescia;09/12/2026 17:00;09/12/2026 19:00;Sala;10;Kurs",
    );
    expect(german.ok).toBe(false);
    expect(german.ok ? "" : german.problems[0]?.message).toContain("title_de");
  });
});

describe("/courses in the member's language", () => {
  it("shows English to an English speaker, Arabic where given and Italian otherwise", async () => {
    await h.household("CT-000001", { municipality: "Brescia" });
    const english = await h.linkedUser("CT-000001", { firstName: "Emma", language: "en" });
    const arabic = await h.linkedUser("CT-000001", { firstName: "Amal", language: "ar" });
    const italian = await h.linkedUser("CT-000001", { firstName: "Ida", language: "it" });

    const en = await english.ask("/courses");
    expect(en.text).toContain("Family budget");
    expect(en.text).not.toContain("Bilancio familiare");
    const ar = await arabic.ask("/courses");
    expect(ar.text).toContain("الميزانية العائلية");
    const it = await italian.ask("/courses");
    expect(it.text).toContain("Bilancio familiare");

    // The session itself: title, description and place translated where given.
    const first = en.reply_markup?.inline_keyboard?.flat()[0]?.callback_data ?? "";
    await english.press(en.message_id, first);
    await expect
      .poll(async () => (await english.transcript()).find((m) => m.message_id === en.message_id)?.text, {
        timeout: 5000,
      })
      .toContain("How to keep the household accounts");
    const shown = (await english.transcript()).find((m) => m.message_id === en.message_id)?.text ?? "";
    expect(shown).toContain("Community hall");
  });

  it("writes the session reminder in the member's language", async () => {
    const member = await h.db.member.findFirstOrThrow({ where: { firstName: "Emma" } });
    const session = await h.db.courseSession.findFirstOrThrow({ where: { location: "Sala civica" } });
    await h.db.enrolment.create({ data: { sessionId: session.id, memberId: member.id } });
    // The evening before the session (19:30 in Rome), when the course-eve reminder is due.
    await runReminderScan({
      db: h.db,
      clock: fixedClock(new Date("2026-12-08T18:30:00Z")),
      deliveryQueue: h.deliveryQueue,
      quietHours: { startMinute: 21 * 60, endMinute: 8 * 60 },
    });
    const reminder = await h.db.outboundMessage.findFirst({
      where: { memberId: member.id, purpose: { startsWith: "reminder:course-eve:" } },
    });
    expect(reminder?.text).toContain("Family budget");
    expect(reminder?.text).toContain("Community hall");
    expect(reminder?.text).not.toContain("Bilancio familiare");
  });
});

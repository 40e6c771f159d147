// Courses as households use them: /courses, a session's details, enrol and cancel (also two people at
// once for the last place), "my schedule" and the calendar file; plus the core functions directly.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import { buildCalendar, escapeIcsText, eveningBefore, foldLine, icsDateTime } from "../core/courses/ics.ts";
import { cancelEnrolment, enrol, memberSchedule, upcomingSessions } from "../core/courses.ts";
import { importCourses, parseCoursesFile } from "../core/imports/courses.ts";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";
import type { SandboxUser, TranscriptEntry } from "./support/sandbox-user.ts";

// 1 December 2026, 10:00 in Rome: the example's sessions (9, 10 and 16 December) are all ahead.
const START = new Date("2026-12-01T09:00:00Z");
const clock = fixedClock(START);
const EXAMPLE = join(import.meta.dirname, "fixtures", "courses-example.csv");
const actor = { actorType: "cli" as const, actorId: "test" };

let h: BotHarness;
beforeAll(async () => {
  h = await startBotHarness({ clock });
  const parsed = await parseCoursesFile(readFileSync(EXAMPLE));
  if (!parsed.ok) throw new Error("example rejected");
  await importCourses(h.db, parsed.rows, { actor });
});
afterAll(() => h?.close());

// ─── helpers ────────────────────────────────────────────────────────────────

type CallbackAnswer = { text?: string; show_alert: boolean };

async function sessionId(code: string, startsAt: string): Promise<number> {
  const session = await h.db.courseSession.findFirstOrThrow({
    where: { course: { code }, startsAt: new Date(startsAt) },
  });
  return session.id;
}

/** A course with one session, straight into the database. */
async function addSession(
  code: string,
  data: { startsAt: Date; endsAt?: Date; capacity?: number; municipality?: string; title?: string },
): Promise<number> {
  const course = await h.db.course.upsert({
    where: { code },
    create: {
      code,
      title: data.title ?? `Corso ${code}`,
      description: "Descrizione",
      municipality: data.municipality ?? "Brescia",
    },
    update: {},
  });
  const session = await h.db.courseSession.create({
    data: {
      courseId: course.id,
      startsAt: data.startsAt,
      endsAt: data.endsAt ?? new Date(data.startsAt.getTime() + 2 * 3600_000),
      location: "Sala civica",
      capacity: data.capacity ?? 10,
    },
  });
  return session.id;
}

async function callbackAnswer(callbackQueryId: string): Promise<CallbackAnswer> {
  const url = `${h.sandbox.url}/control/callback-answers/${callbackQueryId}`;
  for (let i = 0; i < 200; i++) {
    const response = await fetch(url);
    if (response.ok) return (await response.json()) as CallbackAnswer;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no answer to callback ${callbackQueryId}`);
}

/** Presses a button and returns the bot's answer to the press (the toast). */
async function press(user: SandboxUser, messageId: number, data: string): Promise<CallbackAnswer> {
  const pressed = (await user.press(messageId, data)) as { update_id: number; callback_query_id: string };
  return callbackAnswer(pressed.callback_query_id);
}

async function message(user: SandboxUser, messageId: number): Promise<TranscriptEntry> {
  const found = (await user.transcript()).find((m) => m.message_id === messageId);
  if (!found) throw new Error(`no message ${messageId}`);
  return found;
}

/** Waits until the message (edited in place) contains the text, and returns it. */
async function shows(user: SandboxUser, messageId: number, text: string): Promise<TranscriptEntry> {
  await expect.poll(async () => (await message(user, messageId)).text, { timeout: 5000 }).toContain(text);
  return message(user, messageId);
}

const buttons = (m: TranscriptEntry) => m.reply_markup?.inline_keyboard?.flat() ?? [];
const labels = (m: TranscriptEntry) => buttons(m).map((b) => b.text);
const datas = (m: TranscriptEntry) => buttons(m).map((b) => b.callback_data);

async function enrolmentsOf(session: number) {
  return h.db.enrolment.findMany({ where: { sessionId: session }, orderBy: { id: "asc" } });
}

async function memberOf(user: SandboxUser) {
  return h.db.member.findUniqueOrThrow({ where: { telegramUserId: BigInt(user.id) } });
}

// ─── the bot ────────────────────────────────────────────────────────────────

describe("/courses in Italian", () => {
  let maria: SandboxUser;
  let list: TranscriptEntry;
  let ori9: number;

  beforeAll(async () => {
    maria = await h.linkedUser("BS-000001", { language: "it" });
    ori9 = await sessionId("ORI-01", "2026-12-09T08:30:00Z");
  });

  it("lists upcoming sessions, the household's municipality first, as buttons", async () => {
    list = await maria.ask("🎓 Corsi"); // the menu button
    expect(list.text).toContain("Corsi e incontri in programma");
    const text = list.text ?? "";
    // Brescia's two sessions come before Cremona's, although Cremona's (10/12) is earlier than 16/12.
    const brescia = text.indexOf("📍 A Brescia");
    const elsewhere = text.indexOf("📍 In altri comuni");
    expect(brescia).toBeGreaterThan(0);
    expect(elsewhere).toBeGreaterThan(brescia);
    expect(text.indexOf("09/12/2026 09:30 — Orientamento al lavoro")).toBeGreaterThan(brescia);
    expect(text.indexOf("16/12/2026 09:30 — Orientamento al lavoro")).toBeLessThan(elsewhere);
    expect(text.indexOf("10/12/2026 17:00 — Bilancio familiare (Cremona)")).toBeGreaterThan(elsewhere);
    expect(text).not.toContain("Pagina");
    expect(labels(list)).toEqual([
      "09/12 09:30 · Orientamento al lavoro",
      "16/12 09:30 · Orientamento al lavoro",
      "10/12 17:00 · Bilancio familiare",
      "📅 I miei incontri",
    ]);
    expect(datas(list)[0]).toBe(`courses:show:${ori9}:0`);
    for (const data of datas(list)) expect(Buffer.byteLength(data ?? "")).toBeLessThanOrEqual(64);
  });

  it("shows a session's details in place, with Rome times and places left", async () => {
    const answer = await press(maria, list.message_id, `courses:show:${ori9}:0`);
    expect(answer.text).toBeUndefined();
    const detail = await shows(maria, list.message_id, "Orientamento al lavoro");
    expect(detail.text).toContain("Come cercare lavoro, CV e colloquio");
    expect(detail.text).toContain("📅 09/12/2026, dalle 09:30 alle 12:30");
    expect(detail.text).toContain("📍 Sportello ALER, Viale Europa 68 (Brescia)");
    expect(detail.text).toContain("Posti liberi: 15 su 15");
    expect(labels(detail)).toEqual(["✅ Mi iscrivo", "⬅️ Tutti i corsi", "📅 I miei incontri"]);
  });

  it("enrols once, even when Enrol is pressed twice before the message changes", async () => {
    const [first, second] = await Promise.all([
      press(maria, list.message_id, `courses:enrol:${ori9}:0`),
      press(maria, list.message_id, `courses:enrol:${ori9}:0`),
    ]);
    expect([first.text, second.text].sort()).toEqual([
      "Fatto! Hai un posto. Ti aspettiamo.",
      "Hai già un posto per questo incontro.",
    ]);
    const detail = await shows(maria, list.message_id, "Hai un posto.");
    expect(detail.text).toContain("Posti liberi: 14 su 15");
    expect(labels(detail)).toEqual(["✖️ Annulla l'iscrizione", "⬅️ Tutti i corsi", "📅 I miei incontri"]);
    const member = await memberOf(maria);
    expect((await enrolmentsOf(ori9)).map((e) => [e.memberId, e.status])).toEqual([[member.id, "enrolled"]]);
    expect(await h.db.auditLog.count({ where: { action: "course.enrol", actorId: String(member.id) } })).toBe(
      1,
    );
  });

  it("ignores a redelivered press", async () => {
    const member = await memberOf(maria);
    const other = await sessionId("ORI-01", "2026-12-16T08:30:00Z");
    const list2 = await maria.ask("/courses");
    const pressed = (await maria.press(list2.message_id, `courses:show:${other}:0`)) as {
      update_id: number;
      callback_query_id: string;
    };
    await callbackAnswer(pressed.callback_query_id);
    await shows(maria, list2.message_id, "16/12/2026");
    const enrolPress = (await maria.press(list2.message_id, `courses:enrol:${other}:0`)) as {
      update_id: number;
      callback_query_id: string;
    };
    await callbackAnswer(enrolPress.callback_query_id);
    await shows(maria, list2.message_id, "Hai un posto.");
    // Cancelled behind the bot's back, then the same press arrives again: it must not enrol again.
    await h.db.enrolment.updateMany({
      where: { sessionId: other, memberId: member.id },
      data: { status: "cancelled" },
    });
    await maria.redeliver(enrolPress.update_id);
    expect(await maria.quietFor(1000)).toEqual([]);
    expect((await enrolmentsOf(other)).map((e) => e.status)).toEqual(["cancelled"]);
  });

  it("marks the sessions with a place in the list and in 'my schedule'", async () => {
    const again = await maria.ask("/courses");
    expect(again.text).toContain("09/12/2026 09:30 — Orientamento al lavoro ✅");
    expect(again.text).toContain("✅ = hai un posto");
    expect(labels(again)[0]).toBe("✅ 09/12 09:30 · Orientamento al lavoro");
    await press(maria, again.message_id, "courses:mine");
    const schedule = await shows(maria, again.message_id, "I tuoi prossimi incontri");
    expect(schedule.text).toContain("09/12/2026 09:30 — Orientamento al lavoro");
    expect(schedule.text).toContain("📍 Sportello ALER, Viale Europa 68 (Brescia)");
    expect(schedule.text).not.toContain("16/12/2026"); // cancelled in the test before
    expect(labels(schedule)).toEqual([
      "✅ 09/12 09:30 · Orientamento al lavoro",
      "📥 Aggiungi al calendario",
      "⬅️ Tutti i corsi",
    ]);
    // From the schedule, a session's details lead back to the schedule.
    await press(maria, again.message_id, `courses:show:${ori9}:m`);
    const detail = await shows(maria, again.message_id, "Hai un posto.");
    expect(labels(detail)).toEqual(["✖️ Annulla l'iscrizione", "⬅️ I miei incontri"]);
    await press(maria, again.message_id, "courses:mine");
    await shows(maria, again.message_id, "I tuoi prossimi incontri");
  });

  it("sends a valid calendar file of the sessions with a place", async () => {
    const schedule = await maria.ask("/courses");
    await press(maria, schedule.message_id, "courses:mine");
    await shows(maria, schedule.message_id, "I tuoi prossimi incontri");
    const answer = await press(maria, schedule.message_id, "courses:ics");
    expect(answer.text).toBeUndefined();
    const [sent] = await maria.replies(1);
    const document = (sent as TranscriptEntry & { document?: { file_id: string; file_name?: string } })
      .document;
    expect(document?.file_name).toBe("bussola-corsi.ics");
    expect((sent as TranscriptEntry & { caption?: string }).caption).toContain("calendario del telefono");
    const response = await fetch(`${h.sandbox.url}/control/files/${document?.file_id}`);
    expect(response.ok).toBe(true);
    const ics = Buffer.from(await response.arrayBuffer()).toString("utf8");
    const enrolment = (await enrolmentsOf(ori9))[0];

    expect(ics.startsWith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")).toBe(true);
    expect(ics.endsWith("END:VCALENDAR\r\n")).toBe(true);
    expect(ics.replaceAll("\r\n", "")).not.toMatch(/[\r\n]/);
    for (const line of ics.split("\r\n")) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    const unfolded = ics.replaceAll("\r\n ", "");
    expect(unfolded.match(/BEGIN:VEVENT/g)).toHaveLength(1);
    expect(unfolded).toContain(`UID:bussola-enrolment-${enrolment?.id}@bussola\r\n`);
    expect(unfolded).toContain("DTSTART:20261209T083000Z\r\n");
    expect(unfolded).toContain("DTEND:20261209T113000Z\r\n");
    expect(unfolded).toContain("SUMMARY:Orientamento al lavoro\r\n");
    expect(unfolded).toContain("DESCRIPTION:Come cercare lavoro\\, CV e colloquio\r\n");
    expect(unfolded).toContain("LOCATION:Sportello ALER\\, Viale Europa 68\\, Brescia\r\n");
    expect(unfolded).toContain("DTSTAMP:20261201T090000Z\r\n");
    // The evening before, 18:00 in Rome.
    expect(unfolded).toContain(
      "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Domani: Orientamento al lavoro\r\nTRIGGER;VALUE=DATE-TIME:20261208T170000Z\r\nEND:VALARM",
    );
  });

  it("cancels after a confirmation, and a second place comes back to the same row", async () => {
    const schedule = await maria.ask("/courses");
    await press(maria, schedule.message_id, "courses:mine");
    await shows(maria, schedule.message_id, "I tuoi prossimi incontri");
    const view = await maria.ask("/courses");
    await press(maria, view.message_id, `courses:show:${ori9}:0`);
    await shows(maria, view.message_id, "Hai un posto.");
    await press(maria, view.message_id, `courses:drop:${ori9}:0`);
    const confirm = await shows(
      maria,
      view.message_id,
      "Vuoi annullare l'iscrizione a Orientamento al lavoro?",
    );
    expect(confirm.text).toContain("09/12/2026, dalle 09:30 alle 12:30");
    expect(labels(confirm)).toEqual(["Sì, annulla l'iscrizione", "No, tengo il posto"]);
    // "No" keeps the place.
    await press(maria, view.message_id, `courses:show:${ori9}:0`);
    await shows(maria, view.message_id, "Hai un posto.");
    expect((await enrolmentsOf(ori9))[0]?.status).toBe("enrolled");

    await press(maria, view.message_id, `courses:drop:${ori9}:0`);
    await shows(maria, view.message_id, "Vuoi annullare");
    const done = await press(maria, view.message_id, `courses:dropyes:${ori9}:0`);
    expect(done.text).toBe("Iscrizione annullata.");
    const detail = await shows(maria, view.message_id, "Posti liberi: 15 su 15");
    expect(labels(detail)[0]).toBe("✅ Mi iscrivo");
    const [cancelled] = await enrolmentsOf(ori9);
    expect(cancelled?.status).toBe("cancelled");

    // The calendar file button of an old message now has nothing to send.
    const nothing = await press(maria, schedule.message_id, "courses:ics");
    expect(nothing.text).toBe("Non hai iscrizioni a incontri in programma.");
    expect(await maria.quietFor(500)).toEqual([]);
    const old = await maria.ask("/courses");
    await press(maria, old.message_id, "courses:mine");
    const empty = await shows(maria, old.message_id, "Non hai ancora un posto");
    expect(labels(empty)).toEqual(["🎓 Vedi i corsi"]);

    const again = await press(maria, view.message_id, `courses:enrol:${ori9}:0`);
    expect(again.text).toBe("Fatto! Hai un posto. Ti aspettiamo.");
    const rows = await enrolmentsOf(ori9);
    expect(rows.map((e) => [e.id, e.status])).toEqual([[cancelled?.id, "enrolled"]]);
  });

  it("answers old buttons: a confirmation already used, a started session, a removed one", async () => {
    const member = await memberOf(maria);
    const soon = await addSession("OLD-1", { startsAt: new Date("2026-12-01T12:00:00Z") });
    const view = await maria.ask("/courses");
    await press(maria, view.message_id, `courses:show:${soon}:0`);
    await shows(maria, view.message_id, "Corso OLD-1");
    await press(maria, view.message_id, `courses:enrol:${soon}:0`);
    await shows(maria, view.message_id, "Hai un posto.");
    await press(maria, view.message_id, `courses:drop:${soon}:0`);
    await shows(maria, view.message_id, "Vuoi annullare");
    // Two presses on "Yes": the second finds nothing left to cancel.
    const [a, b] = await Promise.all([
      press(maria, view.message_id, `courses:dropyes:${soon}:0`),
      press(maria, view.message_id, `courses:dropyes:${soon}:0`),
    ]);
    expect([a.text, b.text].sort()).toEqual([
      "Iscrizione annullata.",
      "Non hai un'iscrizione a questo incontro.",
    ]);
    await shows(maria, view.message_id, "Posti liberi: 10 su 10");

    // The session starts while its Enrol button is still on screen.
    const list = await maria.ask("/courses");
    clock.set(new Date("2026-12-01T12:30:00Z"));
    try {
      const late = await press(maria, view.message_id, `courses:enrol:${soon}:0`);
      expect(late.text).toBe("Questo incontro è già iniziato: non si può più cambiare l'iscrizione.");
      const detail = await shows(maria, view.message_id, "è già iniziato: non è più possibile iscriversi");
      expect(datas(detail)).not.toContain(`courses:enrol:${soon}:0`);
      expect(await h.db.enrolment.count({ where: { sessionId: soon, status: "enrolled" } })).toBe(0);
      // Its button on the list still opens it, and says so.
      await press(maria, list.message_id, `courses:show:${soon}:0`);
      await shows(maria, list.message_id, "è già iniziato");
      // And the list itself no longer has it.
      expect((await maria.ask("/courses")).text).not.toContain("Corso OLD-1");
    } finally {
      clock.set(START);
    }

    const removed = await addSession("GONE-1", { startsAt: new Date("2026-12-20T10:00:00Z") });
    const list2 = await maria.ask("/courses");
    await h.db.courseSession.delete({ where: { id: removed } });
    const gone = await press(maria, list2.message_id, `courses:show:${removed}:0`);
    expect(gone.text).toBe("Questo incontro non c'è più. Scrivi /courses per vedere quelli in programma.");
    expect((await message(maria, list2.message_id)).text).toContain("Corsi e incontri in programma");
    expect(await h.db.enrolment.count({ where: { memberId: member.id, status: "enrolled" } })).toBe(1);
  });

  it("says when a session is full, with no Enrol button", async () => {
    const full = await addSession("FULL-1", { startsAt: new Date("2026-12-21T10:00:00Z"), capacity: 1 });
    const other = await h.linkedUser("BS-000002");
    const view = await other.ask("/courses");
    await press(other, view.message_id, `courses:show:${full}:0`);
    await shows(other, view.message_id, "Corso FULL-1");
    await press(other, view.message_id, `courses:enrol:${full}:0`);
    await shows(other, view.message_id, "Hai un posto.");

    const list = await maria.ask("/courses");
    expect(list.text).toContain("Corso FULL-1 ⛔");
    expect(list.text).toContain("⛔ = posti finiti");
    await press(maria, list.message_id, `courses:show:${full}:0`);
    const detail = await shows(maria, list.message_id, "I posti sono finiti.");
    expect(detail.text).toContain("Posti liberi: 0 su 1");
    expect(detail.text).toContain("/operator");
    expect(datas(detail)).not.toContain(`courses:enrol:${full}:0`);
  });

  it("says so when nothing is planned, and still offers a way on", async () => {
    clock.set(new Date("2031-01-01T09:00:00Z"));
    try {
      const none = await maria.ask("/courses");
      expect(none.text).toContain("Per ora non ci sono corsi o incontri in programma.");
      expect(none.text).toContain("/operator");
      expect(labels(none)).toEqual(["📅 I miei incontri"]);
      await press(maria, none.message_id, "courses:mine");
      const empty = await shows(maria, none.message_id, "Non hai ancora un posto");
      expect(labels(empty)).toEqual(["🎓 Vedi i corsi"]);
    } finally {
      clock.set(START);
    }
  });

  it("asks an unlinked person for the link code, and a person unlinked since then too", async () => {
    const stranger = await h.newUser({ language: "it" });
    expect((await stranger.ask("/courses")).text).toContain("codice di collegamento");

    const leaving = await h.linkedUser("BS-000003");
    const view = await leaving.ask("/courses");
    await h.db.member.update({ where: { telegramUserId: BigInt(leaving.id) }, data: { householdId: null } });
    await press(leaving, view.message_id, "courses:mine");
    const [reply] = await leaving.replies(1);
    expect(reply?.text).toContain("codice di collegamento");
    expect((await message(leaving, view.message_id)).text).toContain("Corsi e incontri in programma");
  });
});

describe("two people, one place", () => {
  it("gives the last place to exactly one of two people pressing at the same moment", async () => {
    const last = await addSession("LAST-1", { startsAt: new Date("2026-12-22T10:00:00Z"), capacity: 1 });
    const anna = await h.linkedUser("CR-000010", { language: "it" });
    const john = await h.linkedUser("CR-000011", { language: "en" });
    const views = await Promise.all([anna.ask("/courses"), john.ask("/courses")]);
    const [annaView, johnView] = views as [TranscriptEntry, TranscriptEntry];
    await press(anna, annaView.message_id, `courses:show:${last}:0`);
    await press(john, johnView.message_id, `courses:show:${last}:0`);
    await shows(anna, annaView.message_id, "Posti liberi: 1 su 1");
    await shows(john, johnView.message_id, "Places left: 1 of 1");

    const [annaAnswer, johnAnswer] = await Promise.all([
      press(anna, annaView.message_id, `courses:enrol:${last}:0`),
      press(john, johnView.message_id, `courses:enrol:${last}:0`),
    ]);
    const enrolled = await h.db.enrolment.findMany({ where: { sessionId: last, status: "enrolled" } });
    expect(enrolled).toHaveLength(1);
    const winner = enrolled[0]?.memberId === (await memberOf(anna)).id ? "anna" : "john";
    const [won, lost] = winner === "anna" ? [annaAnswer, johnAnswer] : [johnAnswer, annaAnswer];
    expect(won.text).toMatch(/^(Fatto! Hai un posto\.|Done! You have a place\.)/);
    expect(lost.text).toMatch(
      /^(Mi dispiace, i posti sono appena finiti|Sorry, the places have just run out)/,
    );
    expect(lost.show_alert).toBe(true);
    const [loser, loserView] = winner === "anna" ? [john, johnView] : [anna, annaView];
    await expect
      .poll(async () => (await message(loser, loserView.message_id)).text)
      .toMatch(/I posti sono finiti|No places left/);
  });
});

describe("/courses in English", () => {
  it("lists, enrols, shows 'my meetings' and sends the calendar file in English", async () => {
    await h.household("MN-000100", { municipality: "Mantova" });
    const ann = await h.linkedUser("MN-000100", { language: "en" });
    const bil = await sessionId("BIL-02", "2026-12-10T16:00:00Z");
    const list = await ann.ask("/courses");
    expect(list.text).toContain("Upcoming courses and meetings");
    expect(list.text).toContain("There are no meetings in Mantova right now.");
    expect(list.text).toContain("📍 In other towns");
    expect(list.text).toContain("10/12/2026 17:00 — Bilancio familiare (Cremona)");
    expect(labels(list).at(-1)).toBe("📅 My meetings");

    await press(ann, list.message_id, `courses:show:${bil}:0`);
    const detail = await shows(ann, list.message_id, "Bilancio familiare");
    expect(detail.text).toContain("📅 10/12/2026, from 17:00 to 19:00");
    expect(detail.text).toContain("📍 Centro civico Cambonino (Cremona)");
    expect(detail.text).toContain("Places left: 12 of 12");
    expect(labels(detail)).toEqual(["✅ Sign me up", "⬅️ All courses", "📅 My meetings"]);

    const enrolled = await press(ann, list.message_id, `courses:enrol:${bil}:0`);
    expect(enrolled.text).toBe("Done! You have a place. See you there.");
    await shows(ann, list.message_id, "You have a place.");

    await press(ann, list.message_id, `courses:drop:${bil}:0`);
    const confirm = await shows(
      ann,
      list.message_id,
      "Do you want to cancel your place at Bilancio familiare?",
    );
    expect(labels(confirm)).toEqual(["Yes, cancel my place", "No, keep my place"]);
    await press(ann, list.message_id, `courses:show:${bil}:0`);
    await shows(ann, list.message_id, "You have a place.");

    await press(ann, list.message_id, "courses:mine");
    const schedule = await shows(ann, list.message_id, "Your next meetings");
    expect(schedule.text).toContain("10/12/2026 17:00 — Bilancio familiare");
    expect(labels(schedule)).toContain("📥 Add to calendar");
    await press(ann, list.message_id, "courses:ics");
    const [sent] = await ann.replies(1);
    expect((sent as TranscriptEntry & { caption?: string }).caption).toContain("phone's calendar");
    const fileId = (sent as TranscriptEntry & { document?: { file_id: string } }).document?.file_id;
    const ics = await (await fetch(`${h.sandbox.url}/control/files/${fileId}`)).text();
    expect(ics.replaceAll("\r\n ", "")).toContain("DESCRIPTION:Tomorrow: Bilancio familiare\r\n");
    expect(ics).toContain("DTSTART:20261210T160000Z\r\n");
    expect(ics).toContain("X-WR-CALNAME:Bussola – my meetings\r\n");

    await press(ann, list.message_id, "courses:list:0");
    await shows(ann, list.message_id, "Upcoming courses and meetings");
    expect((await ann.ask("/cancel")).text).toContain("nothing to cancel");
  });

  it("pages through many sessions", async () => {
    for (let i = 0; i < 12; i++) {
      await addSession(`PAGE-${i}`, {
        startsAt: new Date(Date.UTC(2027, 0, 10 + i, 9)),
        municipality: "Mantova",
        title: `Incontro <${i}> & co`,
      });
    }
    const ann = await h.linkedUser("MN-000100", { language: "en" });
    const list = await ann.ask("/courses");
    // Mantova first now; names are escaped for Telegram's HTML.
    expect(list.text).toContain("📍 In Mantova");
    expect(list.text).toContain("10/01/2027 10:00 — Incontro <0> & co");
    expect(list.text).toMatch(/Page 1 of \d/);
    expect(labels(list)).toContain("Later ➡️");
    expect(labels(list)).not.toContain("⬅️ Earlier");
    await press(ann, list.message_id, "courses:list:1");
    const second = await shows(ann, list.message_id, "Page 2 of");
    expect(second.text).toContain("15/01/2027 10:00 — Incontro <5> & co");
    expect(second.text).not.toContain("Incontro <0>");
    expect(labels(second)).toEqual(expect.arrayContaining(["⬅️ Earlier", "Later ➡️"]));
    expect(datas(second)).toContain(`courses:show:${await sessionId("PAGE-5", "2027-01-15T09:00:00Z")}:1`);
    // Mantova's twelve, then the five elsewhere: four pages; the last has no "Later".
    expect(second.text).toContain("Page 2 of 4");
    await press(ann, list.message_id, "courses:list:2");
    const third = await shows(ann, list.message_id, "Page 3 of 4");
    expect(third.text).toContain("20/01/2027 10:00 — Incontro <10> & co");
    expect(third.text).toContain("📍 In other towns");
    await press(ann, list.message_id, "courses:list:3");
    const fourth = await shows(ann, list.message_id, "Page 4 of 4");
    expect(labels(fourth)).toContain("⬅️ Earlier");
    expect(labels(fourth)).not.toContain("Later ➡️");
    await press(ann, list.message_id, "courses:list:2");
    await shows(ann, list.message_id, "Page 3 of 4");
  });

  it("never sent Telegram a request it rejects", async () => {
    expect(await h.badRequests()).toEqual([]);
  });
});

// ─── core, directly ─────────────────────────────────────────────────────────

describe("core/courses", () => {
  async function members(n: number, from: number): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < n; i++) {
      const m = await h.db.member.create({
        data: { telegramUserId: BigInt(8_000_000 + from + i), chatId: 1 },
      });
      ids.push(m.id);
    }
    return ids;
  }

  it("never gives more places than the capacity, however many ask at once", async () => {
    const session = await addSession("RUSH-1", { startsAt: new Date("2026-12-30T10:00:00Z"), capacity: 3 });
    const ids = await members(12, 0);
    const results = await Promise.all(
      ids.map((memberId) => enrol(h.db, { sessionId: session, memberId, now: START })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === "enrolled")).toHaveLength(3);
    expect(statuses.filter((s) => s === "full")).toHaveLength(9);
    expect(await h.db.enrolment.count({ where: { sessionId: session, status: "enrolled" } })).toBe(3);
  });

  it("refuses started sessions, reuses a cancelled row, and lists a member's schedule", async () => {
    const [memberId] = (await members(1, 100)) as [number];
    const session = await addSession("CORE-1", { startsAt: new Date("2026-12-02T10:00:00Z") });
    const before = new Date("2026-12-02T09:59:00Z");
    const after = new Date("2026-12-02T10:00:00Z");
    const first = await enrol(h.db, { sessionId: session, memberId, now: before });
    expect(first.status).toBe("enrolled");
    expect((await enrol(h.db, { sessionId: session, memberId, now: before })).status).toBe("already");
    expect((await cancelEnrolment(h.db, { sessionId: session, memberId, now: after })).status).toBe(
      "started",
    );
    expect((await cancelEnrolment(h.db, { sessionId: session, memberId, now: before })).status).toBe(
      "cancelled",
    );
    expect((await cancelEnrolment(h.db, { sessionId: session, memberId, now: before })).status).toBe(
      "not_enrolled",
    );
    expect((await enrol(h.db, { sessionId: session, memberId, now: after })).status).toBe("started");
    const again = await enrol(h.db, { sessionId: session, memberId, now: before });
    expect(again).toEqual(first);
    expect((await enrol(h.db, { sessionId: 999_999, memberId, now: before })).status).toBe("not_found");

    // The schedule holds sessions until they end, in time order, and not the cancelled ones.
    const later = await addSession("CORE-2", { startsAt: new Date("2026-12-01T20:00:00Z") });
    await enrol(h.db, { sessionId: later, memberId, now: START });
    const dropped = await addSession("CORE-3", { startsAt: new Date("2026-12-03T10:00:00Z") });
    await enrol(h.db, { sessionId: dropped, memberId, now: START });
    await cancelEnrolment(h.db, { sessionId: dropped, memberId, now: START });
    expect((await memberSchedule(h.db, memberId, START)).map((s) => s.id)).toEqual([later, session]);
    // CORE-2 runs 20:00–22:00 UTC: at 21:00 it is still on, at 22:00 it is over.
    expect((await memberSchedule(h.db, memberId, new Date("2026-12-01T21:00:00Z"))).map((s) => s.id)).toEqual(
      [later, session],
    );
    expect((await memberSchedule(h.db, memberId, new Date("2026-12-01T22:00:00Z"))).map((s) => s.id)).toEqual(
      [session],
    );
  });

  it("puts the household's municipality first whatever its spelling, and leaves out started sessions", async () => {
    const now = new Date("2026-12-09T08:30:00Z"); // the first ORI-01 session starts now
    const sessions = await upcomingSessions(h.db, { now, municipality: " CREMONA " });
    const first = sessions[0];
    expect(first?.municipality).toBe("Cremona");
    const homeCount = sessions.filter((s) => s.municipality === "Cremona").length;
    expect(sessions.slice(0, homeCount).every((s) => s.municipality === "Cremona")).toBe(true);
    for (let i = 1; i < homeCount; i++) {
      expect(sessions[i]?.startsAt.getTime()).toBeGreaterThanOrEqual(
        sessions[i - 1]?.startsAt.getTime() ?? 0,
      );
    }
    expect(sessions.every((s) => s.startsAt.getTime() > now.getTime())).toBe(true);
    expect(sessions.some((s) => s.startsAt.toISOString() === "2026-12-16T08:30:00.000Z")).toBe(true);
  });
});

describe("core/courses/ics", () => {
  it("escapes text values and writes UTC times", async () => {
    expect(escapeIcsText("a,b;c\\d\ne\r\nf")).toBe("a\\,b\\;c\\\\d\\ne\\nf");
    expect(icsDateTime(new Date("2026-12-09T08:30:00.000Z"))).toBe("20261209T083000Z");
  });

  it("folds at 75 octets without splitting a character", async () => {
    const line = `SUMMARY:${"è".repeat(50)}${"🙂".repeat(10)}`;
    const folded = foldLine(line);
    const parts = folded.split("\r\n");
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(Buffer.byteLength(part)).toBeLessThanOrEqual(75);
    expect(parts.slice(1).every((p) => p.startsWith(" "))).toBe(true);
    expect(folded.replaceAll("\r\n ", "")).toBe(line);
    expect(foldLine("SHORT:x")).toBe("SHORT:x");
    expect(foldLine("X".repeat(75))).toBe("X".repeat(75));
    expect(foldLine("X".repeat(76))).toBe(`${"X".repeat(75)}\r\n X`);
  });

  it("sets the reminder at 18:00 in Rome the evening before, across months and clock changes", async () => {
    expect(eveningBefore(new Date("2027-01-01T09:00:00Z"))).toEqual(new Date("2026-12-31T17:00:00Z"));
    // The evening before the spring change is still winter time; the one before the autumn change is summer time.
    expect(eveningBefore(new Date("2027-03-28T08:00:00Z"))).toEqual(new Date("2027-03-27T17:00:00Z"));
    expect(eveningBefore(new Date("2027-03-29T08:00:00Z"))).toEqual(new Date("2027-03-28T16:00:00Z"));
    expect(eveningBefore(new Date("2026-10-25T08:00:00Z"))).toEqual(new Date("2026-10-24T16:00:00Z"));
    // 00:30 on 10 December in Rome is still 9 December in UTC: the evening before is the 9th.
    expect(eveningBefore(new Date("2026-12-09T23:30:00Z"))).toEqual(new Date("2026-12-09T17:00:00Z"));
  });

  it("builds a calendar; a reminder already past becomes one an hour before", async () => {
    const ics = buildCalendar({
      name: "Test",
      now: new Date("2026-12-08T18:00:00Z"),
      events: [
        {
          uid: "u1@bussola",
          start: new Date("2026-12-09T08:30:00Z"),
          end: new Date("2026-12-09T11:30:00Z"),
          summary: "Corso; primo",
          description: "",
          location: "Sala",
          alarm: "Domani",
        },
      ],
    });
    expect(ics).toContain("TRIGGER:-PT1H\r\n");
    expect(ics).toContain("SUMMARY:Corso\\; primo\r\n");
    expect(ics).not.toMatch(/^DESCRIPTION:\r\n/m);
    expect(ics.split("\r\n").filter((l) => l === "BEGIN:VEVENT")).toHaveLength(1);
  });
});

// Courses in the panel: coordinators and admins create and edit courses and sessions (operators get
// 403, another office's course 404), with clear answers to bad input; moving or cancelling a session
// tells each enrolled member once, in their language, through the delivery queue and the real worker
// to the sandbox, and a cancellation the waiting list too; raising the capacity offers the places to
// those waiting, in the bot; a session's place in other languages; the attendance register, rates
// (per course, and a person's across every course: the family's page, the session's list), hours per
// month and its CSV; every page passes axe.
import type { FastifyInstance } from "fastify";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { fixedClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { csvCell } from "../core/courses/attendance.ts";
import { joinWaitingList } from "../core/courses/waiting.ts";
import { enrol, upcomingSessions } from "../core/courses.ts";
import { createLogger } from "../core/logger.ts";
import { saveOffice } from "../core/offices/offices.ts";
import { upsertStaff } from "../core/staff.ts";
import { StaffClient } from "./support/admin-client.ts";
import { expectNoAxeViolations } from "./support/axe.ts";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";
import { chromiumAvailable, launchBrowser } from "./support/browser.ts";
import { testOffice } from "./support/offices.ts";
import type { SandboxUser, TranscriptEntry } from "./support/sandbox-user.ts";

const PASSWORD = "correct horse battery staple";
const OPERATOR = "operatore.corsi@aler.example";
const COORDINATOR = "coordinatrice.corsi@aler.example";
const OTHER = "coordinatrice.bergamo@aler.example";
const ADMIN = "admin.corsi@aler.example";
// 1 December 2026, 10:00 in Rome.
const clock = fixedClock(new Date("2026-12-01T09:00:00Z"));

let h: BotHarness;
let app: FastifyInstance;
let base: string;
let browser: Browser;
let ana: SandboxUser;
let bruno: SandboxUser;
let anaId: number;
let brunoId: number;
let courseId: number;
let sessionId: number;
let dario: SandboxUser;
let darioId: number;
let raisedId: number;

class Client extends StaffClient {
  constructor() {
    super(() => app, PASSWORD);
  }
}

async function callbackAnswer(id: string): Promise<{ text?: string; show_alert: boolean }> {
  for (let i = 0; i < 200; i++) {
    const response = await fetch(`${h.sandbox.url}/control/callback-answers/${id}`);
    if (response.ok) return (await response.json()) as { text?: string; show_alert: boolean };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no answer to callback ${id}`);
}

async function press(user: SandboxUser, messageId: number, data: string) {
  const pressed = (await user.press(messageId, data)) as unknown as { callback_query_id: string };
  return callbackAnswer(pressed.callback_query_id);
}

async function messageOf(user: SandboxUser, messageId: number): Promise<TranscriptEntry> {
  const found = (await user.transcript()).find((m) => m.message_id === messageId);
  if (!found) throw new Error(`no message ${messageId}`);
  return found;
}

const memberOf = async (user: SandboxUser) =>
  (await h.db.member.findUniqueOrThrow({ where: { telegramUserId: BigInt(user.id) } })).id;

const courseForm = (over: Record<string, string> = {}) => ({
  kind: "paid_placement",
  municipality: "Brescia",
  code: "",
  title_it: "Tirocinio in cucina <script>alert(1)</script>",
  description_it: "Sei mesi in una mensa",
  title_ro: "Stagiu în bucătărie",
  description_ro: "",
  ...over,
});

const sessionForm = (over: Record<string, string> = {}) => ({
  date: "2026-12-10",
  start: "09:30",
  end: "12:30",
  location: "Sala civica",
  capacity: "2",
  hours: "",
  ...over,
});

beforeAll(async () => {
  h = await startBotHarness({ clock });
  const office = await testOffice(h.db);
  await saveOffice(h.db, { code: "BG", name: "Bergamo", municipalities: ["Bergamo"] });
  const bergamo = (await h.db.office.findUniqueOrThrow({ where: { code: "BG" } })).id;
  await upsertStaff(h.db, { email: OPERATOR, role: "operator", password: PASSWORD, officeId: office });
  await upsertStaff(h.db, { email: COORDINATOR, role: "coordinator", password: PASSWORD, officeId: office });
  await upsertStaff(h.db, { email: OTHER, role: "coordinator", password: PASSWORD, officeId: bergamo });
  await upsertStaff(h.db, { email: ADMIN, role: "admin", password: PASSWORD });
  ana = await h.linkedUser("BS-700001", { language: "ro" });
  bruno = await h.linkedUser("BS-700002", { language: "it" });
  anaId = await memberOf(ana);
  brunoId = await memberOf(bruno);
  app = createAdminServer({
    config: loadConfig({ DATABASE_URL: h.database.url }),
    logger: createLogger({ level: "silent" }),
    db: h.db,
    clock,
    deliveryQueue: h.deliveryQueue,
  });
  base = await app.listen({ port: 0, host: "127.0.0.1" });
  if (chromiumAvailable()) browser = await launchBrowser();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await h?.close();
});

describe("courses in the panel", () => {
  it("creates a course: bad input answered clearly and nothing saved, then saved with a code of its own", async () => {
    const coordinator = await new Client().login(COORDINATOR);
    const form = await coordinator.get("/courses/new");
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain("<option>Brescia</option>");
    expect(form.body).not.toContain("Bergamo");

    const bad = await coordinator.send(
      "/courses",
      courseForm({ title_it: "", municipality: "Bergamo", kind: "party" }),
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("Scrivi il titolo in italiano.");
    expect(bad.body).toContain("Scegli il comune tra quelli del tuo ufficio.");
    expect(bad.body).toContain("Scegli il tipo di attività.");
    expect(await h.db.course.count()).toBe(0);

    const created = await coordinator.send("/courses", courseForm());
    expect(created.statusCode).toBe(303);
    courseId = Number(/\/courses\/(\d+)/.exec(created.headers.location as string)?.[1]);
    const course = await h.db.course.findUniqueOrThrow({ where: { id: courseId } });
    expect(course).toMatchObject({ kind: "paid_placement", municipality: "Brescia" });
    expect(course.code).toMatch(/^C-[0-9A-F]{8}$/);
    expect(course.translations).toEqual({ ro: { title: "Stagiu în bucătărie" } });
    const page = await coordinator.get(created.headers.location as string);
    expect(page.body).toContain("Corso creato.");
    expect(page.body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page.body).not.toContain("<script>alert(1)");

    const taken = await coordinator.send("/courses", courseForm({ code: course.code }));
    expect(taken.statusCode).toBe(400);
    expect(taken.body).toContain("già un corso con questo codice");
  });

  it("creates sessions, refusing the past, an end before the start, bad capacities and hours", async () => {
    const coordinator = await new Client().login(COORDINATOR);
    const url = `/courses/${courseId}/sessions`;
    const cases: [Record<string, string>, string][] = [
      [{ date: "2026-11-30" }, "inizierebbe nel passato"],
      [{ end: "09:00" }, "La fine deve venire dopo"],
      [{ capacity: "0" }, "Scrivi quanti posti ci sono, da 1 a 1000."],
      [{ capacity: "dieci" }, "Scrivi quanti posti ci sono"],
      [{ date: "31/02/2027" }, "Scrivi una data valida."],
      [{ start: "25:00" }, "ora di inizio, per esempio 09:30"],
      [{ hours: "tre" }, "Scrivi le ore come numero"],
      [{ location: "" }, "Scrivi il luogo."],
      [{ date: "2027-03-28", start: "02:30", end: "04:00" }, "ora legale"],
    ];
    for (const [over, message] of cases) {
      const answer = await coordinator.send(url, sessionForm(over));
      expect(answer.statusCode, JSON.stringify(over)).toBe(400);
      expect(answer.body).toContain(message);
    }
    expect(await h.db.courseSession.count()).toBe(0);
    const created = await coordinator.send(url, sessionForm({ hours: "2,5" }));
    expect(created.statusCode).toBe(303);
    sessionId = Number(/sessions\/(\d+)/.exec(created.headers.location as string)?.[1]);
    const session = await h.db.courseSession.findUniqueOrThrow({ where: { id: sessionId } });
    // 09:30 in Rome in December is 08:30 UTC.
    expect(session.startsAt.toISOString()).toBe("2026-12-10T08:30:00.000Z");
    expect(session.minutes).toBe(150);
    const again = await coordinator.send(url, sessionForm());
    expect(again.body).toContain("già un incontro che inizia alla stessa ora");
    // The bot offers it, with its translated title.
    const offered = await upcomingSessions(h.db, { now: clock.now(), language: "ro" });
    expect(offered.map((s) => s.title)).toEqual(["Stagiu în bucătărie"]);
  });

  it("lets only coordinators and admins in, and another office's coordinator sees nothing of it", async () => {
    const s = `/courses/${courseId}/sessions/${sessionId}`;
    const gets = [
      "/courses",
      "/courses/new",
      `/courses/${courseId}`,
      `/courses/${courseId}/sessions/new`,
      s,
      `${s}/cancel`,
      `/courses/${courseId}/attendance`,
      `/courses/${courseId}/register.csv`,
    ];
    const posts = [
      "/courses",
      `/courses/${courseId}`,
      `/courses/${courseId}/sessions`,
      s,
      `${s}/cancel`,
      `${s}/register`,
    ];
    for (const url of [...gets]) {
      const answer = await new Client().get(url);
      expect(answer.statusCode, url).toBe(303);
      expect(answer.headers.location).toBe(`/login?next=${encodeURIComponent(url)}`);
    }
    for (const url of posts) expect((await new Client().post(url, {})).statusCode, url).toBe(303);

    const operator = await new Client().login(OPERATOR);
    for (const url of gets) expect((await operator.get(url)).statusCode, url).toBe(403);
    for (const url of posts) expect((await operator.send(url, {})).statusCode, url).toBe(403);
    expect((await operator.get("/cases")).body).not.toContain('href="/courses"');

    const other = await new Client().login(OTHER);
    expect((await other.get("/courses")).body).not.toContain("Tirocinio in cucina");
    for (const url of gets.slice(2)) expect((await other.get(url)).statusCode, url).toBe(404);
    for (const url of posts.slice(1))
      expect((await other.send(url, sessionForm())).statusCode, url).toBe(404);

    for (const email of [COORDINATOR, ADMIN]) {
      const client = await new Client().login(email);
      expect((await client.get("/cases")).body).toContain('href="/courses"');
      for (const url of gets.filter((u) => !u.endsWith("register.csv"))) {
        expect((await client.get(url)).statusCode, `${email} ${url}`).toBe(200);
      }
      expect((await client.get(`/courses/${courseId}`)).body).toContain("Tirocinio in cucina");
      // Unknown and malformed ids are simply not there; a forged form is refused.
      expect((await client.get("/courses/999999")).statusCode).toBe(404);
      expect((await client.get("/courses/abc")).statusCode).toBe(404);
      expect((await client.get(`/courses/${courseId}/sessions/999999`)).statusCode).toBe(404);
      expect((await client.post(`/courses/${courseId}`, courseForm())).statusCode).toBe(403);
    }
    // Nothing the refused requests sent was saved.
    expect(await h.db.courseSession.count()).toBe(1);
  });

  it("shows who is enrolled, keeps the capacity at or above them, and tells each of them once of a move, in their language", {
    timeout: 60_000,
  }, async () => {
    for (const memberId of [anaId, brunoId]) {
      expect((await enrol(h.db, { sessionId, memberId, now: clock.now() })).status).toBe("enrolled");
    }
    const coordinator = await new Client().login(COORDINATOR);
    const s = `/courses/${courseId}/sessions/${sessionId}`;
    const page = await coordinator.get(s);
    expect(page.body).toContain("Persone iscritte: 2 su 2 posti");
    expect(page.body).toContain("Famiglia BS-700001");
    expect(page.body).toContain("rumeno");
    // Another office's coordinator cannot see the course; an admin sees the families.
    const admin = await new Client().login(ADMIN);
    expect((await admin.get(s)).body).toContain("Famiglia BS-700002");

    const lower = await coordinator.send(s, sessionForm({ capacity: "1" }));
    expect(lower.statusCode).toBe(400);
    expect(lower.body).toContain("I posti non possono essere meno delle persone già iscritte.");
    const past = await coordinator.send(s, sessionForm({ date: "2026-11-20" }));
    expect(past.body).toContain("nel passato");

    // Same values again: saved, nobody told.
    const same = await coordinator.send(s, sessionForm({ hours: "2,5" }));
    expect(same.headers.location).toBe(`${s}?notice=sessionUpdated`);
    expect(await ana.quietFor(300)).toEqual([]);

    const moved = await coordinator.send(
      s,
      sessionForm({ date: "2026-12-11", location: "Biblioteca", hours: "2,5" }),
    );
    expect(moved.headers.location).toBe(`${s}?notice=moved&n=2`);
    expect((await coordinator.get(moved.headers.location as string)).body).toContain(
      "2 persone ricevono il messaggio",
    );
    const [toAna] = await ana.replies(1, 15_000);
    expect(toAna?.text).toContain("Întâlnire mutată");
    expect(toAna?.text).toContain("Stagiu în bucătărie");
    expect(toAna?.text).toContain("11/12/2026");
    expect(toAna?.text).toContain("Biblioteca (Brescia)");
    const [toBruno] = await bruno.replies(1, 15_000);
    expect(toBruno?.text).toContain("Incontro spostato");
    // The title went through escaped: Telegram got text, not a tag.
    expect(toBruno?.text).toContain("<script>alert(1)</script>");
    // A double click on the same change tells nobody again.
    const twice = await coordinator.send(
      s,
      sessionForm({ date: "2026-12-11", location: "Biblioteca", hours: "2,5" }),
    );
    expect(twice.headers.location).toBe(`${s}?notice=sessionUpdated`);
    expect(await ana.quietFor(500)).toEqual([]);
    const audits = await h.db.auditLog.findMany({ where: { action: "course.session.moved" } });
    expect(audits.map((a) => a.entityId)).toEqual([String(sessionId)]);
  });

  it("cancels a session after a confirmation, telling each member exactly once, however often it is pressed", {
    timeout: 60_000,
  }, async () => {
    const coordinator = await new Client().login(COORDINATOR);
    const other = await new Client().login(COORDINATOR);
    const s = `/courses/${courseId}/sessions/${sessionId}`;
    const confirm = await coordinator.get(`${s}/cancel`);
    expect(confirm.body).toContain("Le persone iscritte (2) ricevono un messaggio");
    // Two coordinators press at the same moment, one of them twice.
    const answers = await Promise.all([
      coordinator.send(`${s}/cancel`, {}),
      other.send(`${s}/cancel`, {}),
      coordinator.send(`${s}/cancel`, {}),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([303, 303, 303]);
    const told = answers.map((a) => Number(/n=(\d+)/.exec(a.headers.location as string)?.[1]));
    expect(told.reduce((a, b) => a + b, 0)).toBe(2);
    const [toAna] = await ana.replies(1, 15_000);
    expect(toAna?.text).toContain("Întâlnire anulată");
    const [toBruno] = await bruno.replies(1, 15_000);
    expect(toBruno?.text).toContain("Incontro annullato");
    expect(await ana.quietFor(800)).toEqual([]);
    expect(await bruno.quietFor(100)).toEqual([]);
    const messages = await h.db.outboundMessage.findMany({
      where: { purpose: { startsWith: "course-cancelled:" } },
    });
    expect(messages.map((m) => m.purpose).sort()).toEqual(
      [`course-cancelled:${sessionId}:${anaId}`, `course-cancelled:${sessionId}:${brunoId}`].sort(),
    );
    expect(messages.every((m) => m.status === "sent")).toBe(true);
    expect(await h.db.auditLog.count({ where: { action: "course.session.cancelled" } })).toBe(1);
    // No longer offered in the bot, nor changeable in the panel.
    expect(await upcomingSessions(h.db, { now: clock.now() })).toEqual([]);
    expect((await enrol(h.db, { sessionId, memberId: anaId, now: clock.now() })).status).toBe("not_found");
    const page = await coordinator.get(s);
    expect(page.body).toContain("Incontro annullato il");
    expect((await coordinator.send(s, sessionForm({ date: "2026-12-12" }))).body).toContain(
      "è annullato: non si può più modificare",
    );
  });

  it("keeps the register: bad hours refused, rates per person and per course, hours per month, a safe CSV", {
    timeout: 60_000,
  }, async () => {
    const coordinator = await new Client().login(COORDINATOR);
    // A second session, held: December 2 10:00–14:00 Rome, counting 4 hours.
    const created = await coordinator.send(
      `/courses/${courseId}/sessions`,
      sessionForm({ date: "2026-12-02", start: "10:00", end: "14:00", capacity: "5" }),
    );
    const held = Number(/sessions\/(\d+)/.exec(created.headers.location as string)?.[1]);
    for (const memberId of [anaId, brunoId])
      await enrol(h.db, { sessionId: held, memberId, now: clock.now() });
    const r = `/courses/${courseId}/sessions/${held}/register`;
    expect((await coordinator.get(r)).statusCode).toBe(404); // not started yet
    clock.set(new Date("2026-12-02T15:00:00Z"));
    await coordinator.login(COORDINATOR); // the session of 30 hours ago has expired
    const page = await coordinator.get(r);
    expect(page.statusCode).toBe(200);
    const members = [...page.body.matchAll(/name="member_(\d)" value="(\d+)"/g)].map((m) => Number(m[2]));
    expect(members.sort()).toEqual([anaId, brunoId].sort());
    const idx = (id: number) => String(members.indexOf(id));
    const bad = await coordinator.send(r, {
      count: "2",
      [`member_${idx(anaId)}`]: String(anaId),
      [`status_${idx(anaId)}`]: "present",
      [`hours_${idx(anaId)}`]: "molte",
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("Scrivi le ore di presenza come numero");
    expect(await h.db.attendance.count()).toBe(0);
    const forged = await coordinator.send(r, {
      count: "1",
      member_0: "999999",
      status_0: "present",
      hours_0: "",
    });
    expect(forged.statusCode).toBe(400);

    const saved = await coordinator.send(r, {
      count: "2",
      [`member_${idx(anaId)}`]: String(anaId),
      [`status_${idx(anaId)}`]: "present",
      [`hours_${idx(anaId)}`]: "",
      [`member_${idx(brunoId)}`]: String(brunoId),
      [`status_${idx(brunoId)}`]: "absent",
      [`hours_${idx(brunoId)}`]: "3",
    });
    expect(saved.statusCode).toBe(303);
    const marks = await h.db.attendance.findMany({ orderBy: { memberId: "asc" } });
    expect(marks.map((m) => [m.memberId, m.status, m.minutes])).toEqual(
      [
        [anaId, "present", 240],
        [brunoId, "absent", 0],
      ].sort((a, b) => Number(a[0]) - Number(b[0])),
    );
    const summary = await coordinator.get(`/courses/${courseId}/attendance`);
    expect(summary.body).toContain("Presenza del corso: 50%");
    expect(summary.body).toContain("Ore 12/2026");
    expect(summary.body).toMatch(/100%<\/td>\s*<td[^>]*>4<\/td>/);

    const csv = await coordinator.get(`/courses/${courseId}/register.csv`);
    expect(csv.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = csv.body
      .replace(/^\uFEFF/, "")
      .trimEnd()
      .split("\r\n");
    expect(lines[0]).toBe(
      "codice_corso;corso;inizio;fine;luogo;persona_n;codice_contratto;famiglia;presenza;ore",
    );
    expect(lines).toHaveLength(3);
    expect(lines.some((l) => l.includes(";BS-700001;Famiglia BS-700001;Presente;4"))).toBe(true);
    expect(await h.db.auditLog.count({ where: { action: "course.register.exported" } })).toBe(1);
    for (const [cell, out] of [
      ['=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"'],
      ["+39 333", "'+39 333"],
      ["-1", "'-1"],
      ["@SUM(A1)", "'@SUM(A1)"],
      ["a;b", '"a;b"'],
      ["plain", "plain"],
    ]) {
      expect(csvCell(cell as string)).toBe(out);
    }
  });

  it("shows a person's attendance across every course: on the family's page, beside the session's list and in the course's figures, only to those who see the family", {
    timeout: 60_000,
  }, async () => {
    // Ana was present at the held session of the first course; a second course, held yesterday,
    // where she was absent and Bruno excused; and a session cancelled since, which counts for nobody.
    const other = await h.db.course.create({
      data: { code: "LAB-2", title: "Laboratorio di italiano", description: "", municipality: "Brescia" },
    });
    const yesterday = await h.db.courseSession.create({
      data: {
        courseId: other.id,
        startsAt: new Date("2026-12-01T08:00:00Z"),
        endsAt: new Date("2026-12-01T10:00:00Z"),
        location: "Aula 1",
        capacity: 5,
      },
    });
    const dropped = await h.db.courseSession.create({
      data: {
        courseId: other.id,
        startsAt: new Date("2026-11-30T08:00:00Z"),
        endsAt: new Date("2026-11-30T10:00:00Z"),
        location: "Aula 1",
        capacity: 5,
        cancelledAt: new Date("2026-11-29T08:00:00Z"),
      },
    });
    await h.db.attendance.createMany({
      data: [
        { sessionId: yesterday.id, memberId: anaId, status: "absent" },
        { sessionId: yesterday.id, memberId: brunoId, status: "excused" },
        { sessionId: dropped.id, memberId: anaId, status: "absent" },
      ],
    });
    // Dario's family is of the Bergamo office; he is in the register of the first course too.
    await h.household("BG-700004", { municipality: "Bergamo" });
    dario = await h.linkedUser("BG-700004", { language: "uk" });
    darioId = await memberOf(dario);
    const held = await h.db.courseSession.findFirstOrThrow({
      where: { courseId, cancelledAt: null },
      orderBy: { startsAt: "asc" },
    });
    await enrol(h.db, { sessionId: held.id, memberId: darioId, now: new Date("2026-12-01T09:00:00Z") });
    await h.db.attendance.create({
      data: { sessionId: held.id, memberId: darioId, status: "present", minutes: 240 },
    });
    await h.db.attendance.create({ data: { sessionId: yesterday.id, memberId: darioId, status: "absent" } });

    const anaHousehold = await h.db.household.findUniqueOrThrow({ where: { contractCode: "BS-700001" } });
    const familyPage = `/households/${anaHousehold.id}`;
    for (const email of [OPERATOR, COORDINATOR, ADMIN]) {
      const client = await new Client().login(email);
      const page = await client.get(familyPage);
      expect(page.statusCode, email).toBe(200);
      const section = page.body.slice(
        page.body.indexOf('id="courses"'),
        page.body.indexOf("</table>", page.body.indexOf('id="courses"')),
      );
      expect(section).toContain("Corsi e presenze");
      // All courses: present 1, absent 1 (the cancelled session left out) → 50%; then each course.
      expect(section).toMatch(
        /Tutti i corsi<\/td><td[^>]*>1<\/td><td[^>]*>1<\/td>\s*<td[^>]*>0<\/td><td[^>]*><strong>50%<\/strong>/,
      );
      expect(section).toMatch(
        /Laboratorio di italiano<\/td><td[^>]*>0<\/td><td[^>]*>1<\/td>\s*<td[^>]*>0<\/td><td[^>]*>0%/,
      );
      expect(section).toMatch(
        /Tirocinio in cucina &lt;script&gt;alert\(1\)&lt;\/script&gt;<\/td><td[^>]*>1<\/td><td[^>]*>0<\/td>\s*<td[^>]*>0<\/td><td[^>]*>100%/,
      );
    }
    // Bruno: absent in the first course, excused in the second, which alone has no rate to give.
    const brunoHousehold = await h.db.household.findUniqueOrThrow({ where: { contractCode: "BS-700002" } });
    const coordinator = await new Client().login(COORDINATOR);
    const brunoPage = (await coordinator.get(`/households/${brunoHousehold.id}`)).body;
    expect(brunoPage).toMatch(
      /Tutti i corsi<\/td><td[^>]*>0<\/td><td[^>]*>1<\/td>\s*<td[^>]*>1<\/td><td[^>]*><strong>0%<\/strong>/,
    );
    expect(brunoPage).toMatch(
      /Laboratorio di italiano<\/td><td[^>]*>0<\/td><td[^>]*>0<\/td>\s*<td[^>]*>1<\/td><td[^>]*>—<\/td>/,
    );
    // Another office's coordinator does not open the family at all.
    const bergamo = await new Client().login(OTHER);
    expect((await bergamo.get(familyPage)).statusCode).toBe(404);
    // Dario's family (Bergamo) shows its own attendance to Bergamo.
    const darioHousehold = await h.db.household.findUniqueOrThrow({ where: { contractCode: "BG-700004" } });
    expect((await bergamo.get(`/households/${darioHousehold.id}`)).body).toContain("<strong>50%</strong>");

    // The session's list: the rate beside the families the coordinator sees, none beside Dario's.
    const sessionUrl = `/courses/${courseId}/sessions/${held.id}`;
    const list = await coordinator.get(sessionUrl);
    expect(list.body).toContain("presenza in tutti i corsi: 50%");
    expect(list.body).toContain(`persona n. ${darioId} · famiglia di un altro ufficio`);
    const darioLine = list.body.slice(list.body.indexOf(`persona n. ${darioId}`)).split("</li>")[0];
    expect(darioLine).not.toContain("presenza in tutti i corsi");
    // An admin sees every family, and every rate.
    const admin = await new Client().login(ADMIN);
    const adminList = (await admin.get(sessionUrl)).body;
    expect(adminList.slice(adminList.indexOf("Famiglia BG-700004")).split("</li>")[0]).toContain(
      "presenza in tutti i corsi: 50%",
    );
    // The course's figures: a column for every course together, empty for another office's family.
    const figures = await coordinator.get(`/courses/${courseId}/attendance`);
    expect(figures.body).toContain("Presenza in tutti i corsi");
    const anaRow = figures.body.slice(figures.body.indexOf("Famiglia BS-700001")).split("</tr>")[0];
    expect(anaRow).toMatch(/>50%<\/td>\s*$/);
    const darioRow = figures.body.slice(figures.body.indexOf(`persona n. ${darioId}`)).split("</tr>")[0];
    expect(darioRow).toMatch(/>100%<\/td>[\s\S]*>—<\/td>\s*$/);
  });

  it("keeps a session's place in other languages, which the bot shows in the member's language", {
    timeout: 60_000,
  }, async () => {
    const coordinator = await new Client().login(COORDINATOR);
    const url = `/courses/${courseId}/sessions`;
    const tooLong = await coordinator.send(
      url,
      sessionForm({ date: "2026-12-16", location_ro: "x".repeat(201) }),
    );
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.body).toContain("Il luogo può avere al massimo 200 caratteri.");
    const created = await coordinator.send(
      url,
      sessionForm({
        date: "2026-12-16",
        location_ro: "Sala civică",
        location_en: "  ",
        location_uk: "Громадська зала",
      }),
    );
    expect(created.statusCode).toBe(303);
    const id = Number(/sessions\/(\d+)/.exec(created.headers.location as string)?.[1]);
    const stored = await h.db.courseSession.findUniqueOrThrow({ where: { id } });
    expect(stored.translations).toEqual({
      ro: { location: "Sala civică" },
      uk: { location: "Громадська зала" },
    });
    const form = await coordinator.get(`${url}/${id}`);
    expect(form.body).toContain('id="location_ro" name="location_ro" lang="ro" dir="auto"');
    expect(form.body).toContain('value="Sala civică"');

    // Ana (Romanian) opens it in the bot; Bruno (Italian) reads the Italian place.
    const list = await ana.ask("/courses");
    await press(ana, list.message_id, `courses:show:${id}:0`);
    await expect
      .poll(async () => (await messageOf(ana, list.message_id)).text)
      .toContain("Sala civică (Brescia)");
    const italian = await bruno.ask("/courses");
    await press(bruno, italian.message_id, `courses:show:${id}:0`);
    await expect
      .poll(async () => (await messageOf(bruno, italian.message_id)).text)
      .toContain("Sala civica (Brescia)");

    // A new Italian place: the translation sent back unchanged described the old one and goes; one
    // typed anew stays. Nobody is enrolled, so nobody is told.
    await coordinator.send(
      `${url}/${id}`,
      sessionForm({
        date: "2026-12-16",
        location: "Biblioteca",
        location_ro: "Sala civică",
        location_uk: "Бібліотека",
      }),
    );
    expect((await h.db.courseSession.findUniqueOrThrow({ where: { id } })).translations).toEqual({
      uk: { location: "Бібліотека" },
    });
    // The same place again: translations are simply what the form says.
    await coordinator.send(
      `${url}/${id}`,
      sessionForm({ date: "2026-12-16", location: "Biblioteca", location_ro: "Biblioteca", location_uk: "" }),
    );
    expect((await h.db.courseSession.findUniqueOrThrow({ where: { id } })).translations).toEqual({
      ro: { location: "Biblioteca" },
    });
    await h.db.courseSession.delete({ where: { id } });
  });

  it("offers the places of a raised capacity to the first ones waiting, in the bot, with 24 hours to take them", {
    timeout: 60_000,
  }, async () => {
    const coordinator = await new Client().login(COORDINATOR);
    const url = `/courses/${courseId}/sessions`;
    const form = sessionForm({ date: "2026-12-15", capacity: "1", location_ro: "Sala civică" });
    const created = await coordinator.send(url, form);
    raisedId = Number(/sessions\/(\d+)/.exec(created.headers.location as string)?.[1]);
    const now = clock.now();
    expect((await enrol(h.db, { sessionId: raisedId, memberId: brunoId, now })).status).toBe("enrolled");
    expect(await joinWaitingList(h.db, { sessionId: raisedId, memberId: anaId, now })).toEqual({
      status: "waiting",
      position: 1,
    });
    expect(await joinWaitingList(h.db, { sessionId: raisedId, memberId: darioId, now })).toEqual({
      status: "waiting",
      position: 2,
    });
    const page = await coordinator.get(`${url}/${raisedId}`);
    expect(page.body).toContain("Lista d&#39;attesa: 2");

    // One more place: the first one waiting is offered it, the second keeps waiting.
    const raised = await coordinator.send(`${url}/${raisedId}`, { ...form, capacity: "2" });
    expect(raised.headers.location).toBe(`${url}/${raisedId}?notice=sessionUpdated`);
    const [offer] = await ana.replies(1, 15_000);
    expect(offer?.text).toContain("S-a eliberat un loc pentru tine");
    expect(offer?.text).toContain("Stagiu în bucătărie");
    expect(offer?.text).toContain("Sala civică (Brescia)");
    // 24 hours from now (2 December, 16:00 in Rome).
    expect(offer?.text).toContain("03/12/2026 16:00");
    expect(offer?.reply_markup?.inline_keyboard?.flat().map((b) => b.callback_data)).toEqual([
      `courses:accept:${raisedId}:0`,
    ]);
    expect(await dario.quietFor(500)).toEqual([]);
    const rows = await h.db.enrolment.findMany({ where: { sessionId: raisedId }, orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.memberId, r.status, r.offerExpiresAt?.toISOString() ?? null])).toEqual([
      [brunoId, "enrolled", null],
      [anaId, "offered", "2026-12-03T15:00:00.000Z"],
      [darioId, "waiting", null],
    ]);
    expect((await coordinator.get(`${url}/${raisedId}`)).body).toContain(
      "posto offerto dalla lista d&#39;attesa, in attesa di risposta",
    );
    // Saving the same capacity again offers nothing new, and tells nobody again.
    await coordinator.send(`${url}/${raisedId}`, { ...form, capacity: "2" });
    expect(await ana.quietFor(500)).toEqual([]);
    // Ana takes it with the button.
    const taken = await press(ana, offer?.message_id as number, `courses:accept:${raisedId}:0`);
    expect(taken.show_alert).toBe(false);
    await expect
      .poll(
        async () =>
          (await h.db.enrolment.findFirstOrThrow({ where: { sessionId: raisedId, memberId: anaId } })).status,
      )
      .toBe("enrolled");
  });

  it("tells the waiting list too when a session is cancelled, once, in their language", {
    timeout: 60_000,
  }, async () => {
    const coordinator = await new Client().login(COORDINATOR);
    const s = `/courses/${courseId}/sessions/${raisedId}`;
    const confirm = await coordinator.get(`${s}/cancel`);
    expect(confirm.body).toContain("Le persone iscritte (2) ricevono un messaggio");
    expect(confirm.body).toContain("Anche chi è in lista d&#39;attesa (1) riceve un messaggio");
    const answers = await Promise.all([
      coordinator.send(`${s}/cancel`, {}),
      coordinator.send(`${s}/cancel`, {}),
    ]);
    const told = answers.map((a) => Number(/n=(\d+)/.exec(a.headers.location as string)?.[1]));
    expect(told.reduce((a, b) => a + b, 0)).toBe(3);
    const [toDario] = await dario.replies(1, 15_000);
    expect(toDario?.text).toContain("Зустріч скасовано");
    expect(toDario?.text).toContain("Ваше місце в списку очікування на цю зустріч більше не діє");
    const [toAna] = await ana.replies(1, 15_000);
    expect(toAna?.text).toContain("Întâlnire anulată");
    expect(toAna?.text).toContain("Sala civică (Brescia)");
    expect(toAna?.text).not.toContain("așteptare");
    const [toBruno] = await bruno.replies(1, 15_000);
    expect(toBruno?.text).toContain("Incontro annullato");
    expect(await dario.quietFor(800)).toEqual([]);
    expect(await ana.quietFor(100)).toEqual([]);
    const purposes = await h.db.outboundMessage.findMany({
      where: { purpose: { startsWith: `course-cancelled:${raisedId}:` } },
      select: { purpose: true },
    });
    expect(purposes.map((m) => m.purpose).sort()).toEqual(
      [anaId, brunoId, darioId].map((id) => `course-cancelled:${raisedId}:${id}`).sort(),
    );
    // The waiting list keeps its record; the session is offered to nobody.
    expect(
      (await h.db.enrolment.findFirstOrThrow({ where: { sessionId: raisedId, memberId: darioId } })).status,
    ).toBe("waiting");
    expect(await joinWaitingList(h.db, { sessionId: raisedId, memberId: darioId, now: clock.now() })).toEqual(
      {
        status: "not_found",
      },
    );
  });

  it("passes axe on every new page, as a coordinator in Chromium", { timeout: 90_000 }, async () => {
    if (!browser) throw new Error("Chromium not available");
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${base}/login`);
      await page.getByLabel("E-mail").fill(COORDINATOR);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Accedi" }).click();
      await page.waitForURL(/\/households/);
      const held = await h.db.courseSession.findFirstOrThrow({
        where: { courseId, cancelledAt: null },
        orderBy: { startsAt: "asc" },
      });
      const s = `/courses/${courseId}/sessions/${held.id}`;
      const family = await h.db.household.findUniqueOrThrow({ where: { contractCode: "BS-700001" } });
      for (const url of [
        "/courses",
        "/courses/new",
        `/courses/${courseId}`,
        `/courses/${courseId}/sessions/new`,
        s,
        `/courses/${courseId}/sessions/${sessionId}`,
        `${s}/register`,
        `/courses/${courseId}/attendance`,
        `/courses/${courseId}/sessions/${raisedId}`,
        `/households/${family.id}`,
      ]) {
        await page.goto(`${base}${url}`);
        await expectNoAxeViolations(page, url);
      }
      // A form with problems, as a person sends it.
      await page.goto(`${base}/courses/new`);
      await page.evaluate(() => {
        for (const field of Array.from(document.querySelectorAll("[required]")))
          field.removeAttribute("required");
      });
      await page.getByRole("button", { name: "Salva" }).click();
      await page.waitForSelector("[role=alert]");
      await expectNoAxeViolations(page, "course form, problems");
      // A phone: no sideways scrolling on the course page.
      await page.setViewportSize({ width: 360, height: 740 });
      await page.goto(`${base}/courses/${courseId}`);
      await expectNoAxeViolations(page, "course page on a phone");
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    } finally {
      await context.close();
    }
  });

  it("in Chromium: a session in the past refused, a new one saved, its places kept at or above the people enrolled", {
    timeout: 90_000,
  }, async () => {
    if (!browser) throw new Error("Chromium not available");
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${base}/login`);
      await page.getByLabel("E-mail").fill(COORDINATOR);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Accedi" }).click();
      await page.waitForURL(/\/households/);
      const sessions = () => h.db.courseSession.count({ where: { courseId } });
      const before = await sessions();

      await page.goto(`${base}/courses/${courseId}/sessions/new`);
      const fill = async (date: string) => {
        await page.getByLabel("Data").fill(date);
        await page.getByLabel("Inizio (ora di Roma)").fill("09:30");
        await page.getByLabel("Fine (ora di Roma)").fill("11:00");
        await page.getByLabel("Luogo", { exact: true }).fill("Sala civica");
        await page.getByLabel("Posti").fill("5");
      };
      // The clock says 1 December 2026: 20 November is gone.
      await fill("2026-11-20");
      await page.getByRole("button", { name: "Salva" }).click();
      await expect.poll(() => page.getByRole("alert").textContent()).toContain("nel passato");
      expect(await sessions()).toBe(before);
      await expectNoAxeViolations(page, "session form, a date in the past");

      await fill("2027-01-15");
      await page.getByRole("button", { name: "Salva" }).click();
      await page.waitForURL(/\/sessions\/\d+\?notice=/);
      expect(await sessions()).toBe(before + 1);
      const created = Number(/sessions\/(\d+)/.exec(page.url())?.[1]);
      for (const memberId of [anaId, brunoId]) {
        expect((await enrol(h.db, { sessionId: created, memberId, now: clock.now() })).status).toBe(
          "enrolled",
        );
      }

      await page.goto(`${base}/courses/${courseId}/sessions/${created}`);
      await page.getByLabel("Posti").fill("1");
      await page.getByRole("button", { name: "Salva" }).click();
      await expect
        .poll(() => page.getByRole("alert").textContent())
        .toContain("I posti non possono essere meno delle persone già iscritte.");
      expect((await h.db.courseSession.findUniqueOrThrow({ where: { id: created } })).capacity).toBe(5);
      await expectNoAxeViolations(page, "session form, places below the people enrolled");
    } finally {
      await context.close();
    }
  });
});

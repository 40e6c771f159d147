// Courses in the panel: coordinators and admins create and edit courses and sessions (operators get
// 403, another office's course 404), with clear answers to bad input; moving or cancelling a session
// tells each enrolled member once, in their language, through the delivery queue and the real worker
// to the sandbox; the attendance register, rates, hours per month and its CSV; every page passes axe.
import type { FastifyInstance } from "fastify";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { fixedClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { csvCell } from "../core/courses/attendance.ts";
import { enrol, upcomingSessions } from "../core/courses.ts";
import { createLogger } from "../core/logger.ts";
import { saveOffice } from "../core/offices/offices.ts";
import { upsertStaff } from "../core/staff.ts";
import { AdminClient, csrfOf } from "./support/admin-client.ts";
import { expectNoAxeViolations } from "./support/axe.ts";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";
import { chromiumAvailable, launchBrowser } from "./support/browser.ts";
import { testOffice } from "./support/offices.ts";
import type { SandboxUser } from "./support/sandbox-user.ts";

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

class Client extends AdminClient {
  csrf = "";
  constructor() {
    super(() => app);
  }
  async login(email: string): Promise<this> {
    expect((await this.signIn(email, PASSWORD)).statusCode).toBe(303);
    this.csrf = csrfOf((await this.get("/cases")).body);
    return this;
  }
  send(url: string, form: Record<string, string>) {
    return this.post(url, { _csrf: this.csrf, ...form });
  }
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
        where: { cancelledAt: null },
        orderBy: { startsAt: "asc" },
      });
      const s = `/courses/${courseId}/sessions/${held.id}`;
      for (const url of [
        "/courses",
        "/courses/new",
        `/courses/${courseId}`,
        `/courses/${courseId}/sessions/new`,
        s,
        `/courses/${courseId}/sessions/${sessionId}`,
        `${s}/register`,
        `/courses/${courseId}/attendance`,
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
});

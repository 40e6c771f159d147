// Broadcasts in the panel: coordinators (their office) and admins (every office) compose, preview,
// test on their own Telegram, confirm with the count repeated, follow the progress and cancel;
// operators get 403 and another office's broadcast 404. Bad input is refused clearly and saves
// nothing. End to end in Chromium, through the real worker and bot to the sandbox: each recipient gets
// the message once, in their language, with a button that opens the course in the bot, and the
// progress bar reaches 100%. Every page passes axe as coordinator and as admin.
import type { FastifyInstance } from "fastify";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { parseAudience } from "../core/broadcasts/audience.ts";
import { createBroadcast } from "../core/broadcasts/broadcasts.ts";
import { checkTelegramHtml } from "../core/broadcasts/html.ts";
import { systemClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { createLogger } from "../core/logger.ts";
import { saveOffice } from "../core/offices/offices.ts";
import { type BroadcastQueue, createBroadcastQueue } from "../core/queues/broadcasts.ts";
import { upsertStaff } from "../core/staff.ts";
import { formatRomeDateTime } from "../core/time.ts";
import { StaffClient } from "./support/admin-client.ts";
import { expectNoAxeViolations } from "./support/axe.ts";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";
import { launchBrowser } from "./support/browser.ts";
import { testOffice } from "./support/offices.ts";
import { signInPage } from "./support/panel-browser.ts";
import { SandboxUser } from "./support/sandbox-user.ts";

const PASSWORD = "correct horse battery staple";
const OPERATOR = "operatore.messaggi@aler.example";
const COORDINATOR = "coordinamento.messaggi@aler.example";
const OTHER = "coordinamento.bergamo@aler.example";
const ADMIN = "admin.messaggi@aler.example";
const DAY = 24 * 60 * 60_000;

let h: BotHarness;
let app: FastifyInstance;
let quietApp: FastifyInstance;
let broadcastQueue: BroadcastQueue;
let base: string;
let browser: Browser;
let officeA: number;
const users: Record<string, SandboxUser> = {};
const memberIds: Record<string, number> = {};
let staffUser: SandboxUser;
let courseId: number;
let bergamoCourseId: number;
let futureSessionId: number;
let officeBroadcastId: number;

class Client extends StaffClient {
  constructor(server: () => FastifyInstance = () => app) {
    super(server, PASSWORD);
  }
}

/** "2026-12-10T09:30" for a Rome wall time, as a datetime-local field holds it. */
function localInput(instant: Date): string {
  const [date = "", time = ""] = formatRomeDateTime(instant).split(" ");
  const [dd, mm, yyyy] = date.split("/");
  return `${yyyy}-${mm}-${dd}T${time}`;
}

const form = (over: Record<string, string> = {}) => ({
  kind: "all",
  municipality: "",
  course: "",
  amount: "",
  text_it: "<b>Ciao</b> a tutti &amp; buona giornata",
  text_en: "<b>Hello</b> everyone",
  when: "now",
  at: "",
  button: "",
  ...over,
});

async function linked(key: string, contract: string, language: string) {
  users[key] = await h.linkedUser(contract, { language });
  const member = await h.db.member.findUniqueOrThrow({ where: { telegramUserId: BigInt(users[key].id) } });
  await h.db.member.update({ where: { id: member.id }, data: { language } });
  memberIds[key] = member.id;
}

beforeAll(async () => {
  h = await startBotHarness();
  officeA = await testOffice(h.db);
  await saveOffice(h.db, { code: "BG", name: "Bergamo", municipalities: ["Bergamo"] });
  const bergamo = (await h.db.office.findUniqueOrThrow({ where: { code: "BG" } })).id;
  await upsertStaff(h.db, { email: OPERATOR, role: "operator", password: PASSWORD, officeId: officeA });
  await upsertStaff(h.db, { email: COORDINATOR, role: "coordinator", password: PASSWORD, officeId: officeA });
  await upsertStaff(h.db, { email: OTHER, role: "coordinator", password: PASSWORD, officeId: bergamo });
  await upsertStaff(h.db, { email: ADMIN, role: "admin", password: PASSWORD });
  // The coordinator's own Telegram, for the test message: a person who has opened the bot.
  staffUser = await SandboxUser.create(h.sandbox.url, { first_name: "Coordinamento", language_code: "it" });
  await staffUser.ask("/start");
  await h.db.staff.update({ where: { email: COORDINATOR }, data: { telegramUserId: BigInt(staffUser.id) } });

  await linked("it", "BS-810001", "it");
  await linked("en", "BS-810002", "en");
  await linked("ar", "BS-810003", "ar");
  await h.household("BG-810004", { municipality: "Bergamo" });
  await linked("bg", "BG-810004", "it");

  const now = Date.now();
  const course = await h.db.course.create({
    data: {
      code: "PIP-MSG",
      title: "Tirocinio in cucina",
      description: "Sei mesi in una mensa",
      municipality: "Brescia",
      sessions: {
        create: [
          {
            startsAt: new Date(now - 7 * DAY),
            endsAt: new Date(now - 7 * DAY + 3_600_000),
            location: "Sala A",
            capacity: 5,
          },
          {
            startsAt: new Date(now + 3 * DAY),
            endsAt: new Date(now + 3 * DAY + 3_600_000),
            location: "Sala B",
            capacity: 5,
          },
        ],
      },
    },
    include: { sessions: { orderBy: { startsAt: "asc" } } },
  });
  courseId = course.id;
  const [past, future] = course.sessions as unknown as [{ id: number }, { id: number }];
  futureSessionId = future.id;
  await h.db.enrolment.createMany({
    data: [
      { sessionId: past.id, memberId: memberIds.it as number, status: "enrolled" },
      { sessionId: past.id, memberId: memberIds.ar as number, status: "enrolled" },
      { sessionId: future.id, memberId: memberIds.en as number, status: "waiting", queuedAt: new Date() },
    ],
  });
  await h.db.attendance.createMany({
    data: [
      { sessionId: past.id, memberId: memberIds.it as number, status: "present", minutes: 60 },
      { sessionId: past.id, memberId: memberIds.ar as number, status: "absent" },
    ],
  });
  bergamoCourseId = (
    await h.db.course.create({
      data: { code: "BG-MSG", title: "Corso di Bergamo", description: "-", municipality: "Bergamo" },
    })
  ).id;

  // One broadcast of office A, due tomorrow: what the matrix tries from elsewhere.
  const parsed = parseAudience("all");
  if (!parsed.ok) throw new Error(parsed.problem);
  const created = await createBroadcast(h.db, {
    audience: parsed.audience,
    texts: { it: "Domani" },
    at: new Date(now + DAY),
    now: new Date(now),
    quietHours: null,
    actor: { actorType: "system" },
    officeId: officeA,
    parseMode: "HTML",
  });
  if (!created.ok || created.broadcastId === null) throw new Error("not created");
  officeBroadcastId = created.broadcastId;

  broadcastQueue = createBroadcastQueue(h.redis, h.queuePrefix);
  const make = (quiet: string) =>
    createAdminServer({
      config: loadConfig({ DATABASE_URL: h.database.url, QUIET_HOURS: quiet }),
      logger: createLogger({ level: "silent" }),
      db: h.db,
      clock: systemClock,
      deliveryQueue: h.deliveryQueue,
      broadcastQueue,
    });
  app = make("");
  quietApp = make("21:00-08:00");
  base = await app.listen({ port: 0, host: "127.0.0.1" });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await quietApp?.close();
  await broadcastQueue?.close();
  await h?.close();
});

describe("Telegram HTML check", () => {
  it("accepts Telegram's tags and entities, and says what is wrong otherwise", () => {
    const ok = checkTelegramHtml('<b>Ciao</b> <a href="https://aler.example/x?a=1&amp;b=2">qui</a> 3 &lt; 4');
    expect(ok).toMatchObject({ ok: true, text: "Ciao qui 3 < 4" });
    expect(checkTelegramHtml("<b>Ciao")).toEqual({ ok: false, problem: { code: "unclosed-tag", tag: "b" } });
    expect(checkTelegramHtml("<b><i>x</b></i>")).toEqual({
      ok: false,
      problem: { code: "unclosed-tag", tag: "i" },
    });
    expect(checkTelegramHtml("x</i>")).toEqual({ ok: false, problem: { code: "unopened-tag", tag: "i" } });
    expect(checkTelegramHtml("<script>x</script>")).toMatchObject({ problem: { code: "unsupported-tag" } });
    expect(checkTelegramHtml("3 < 4")).toMatchObject({ problem: { code: "broken-tag" } });
    expect(checkTelegramHtml("<b")).toMatchObject({ problem: { code: "broken-tag" } });
    expect(checkTelegramHtml("<span>x</span>")).toMatchObject({
      problem: { code: "unsupported-tag", tag: "span" },
    });
    expect(checkTelegramHtml("3 > 4").ok).toBe(true);
    expect(checkTelegramHtml("Tom & Jerry")).toMatchObject({ problem: { code: "bare-ampersand" } });
    expect(checkTelegramHtml('<a href="javascript:alert(1)">x</a>')).toMatchObject({
      problem: { code: "bad-link" },
    });
    expect(checkTelegramHtml("<b> </b>")).toMatchObject({ problem: { code: "empty" } });
    // Telegram counts the text shown, not the markup.
    expect(checkTelegramHtml(`<b>${"a".repeat(4096)}</b>`).ok).toBe(true);
    expect(checkTelegramHtml("a".repeat(4097))).toEqual({
      ok: false,
      problem: { code: "too-long", length: 4097, max: 4096 },
    });
  });
});

describe("route × role × office", () => {
  const routes = (id: number): [string, string, Record<string, string>?][] => [
    ["GET", "/broadcasts"],
    ["GET", "/broadcasts/new"],
    ["POST", "/broadcasts/new", form()],
    ["GET", "/broadcasts/count?kind=all"],
    ["POST", "/broadcasts/preview", form()],
    ["POST", "/broadcasts/test", form()],
    ["POST", "/broadcasts", form()],
    ["GET", `/broadcasts/${id}`],
    ["GET", `/broadcasts/${id}/progress`],
    ["POST", `/broadcasts/${id}/cancel`, {}],
  ];

  it("signed out: every route leads to the log-in; operators: 403 and nothing sent or saved", async () => {
    const before = await h.db.broadcast.count();
    const anonymous = new Client();
    for (const [method, path, body] of routes(officeBroadcastId)) {
      const r = method === "GET" ? await anonymous.get(path) : await anonymous.post(path, body ?? {});
      expect([303, 403], `anonymous ${method} ${path}`).toContain(r.statusCode);
      if (method === "GET") expect(r.headers.location, path).toMatch(/^\/login/);
    }
    const operator = await new Client().login(OPERATOR);
    for (const [method, path, body] of [
      ...routes(officeBroadcastId),
      ["GET", `/broadcasts/${officeBroadcastId}/events`] as const,
    ]) {
      const r = method === "GET" ? await operator.get(path) : await operator.send(path, body ?? {});
      expect(r.statusCode, `operator ${method} ${path}`).toBe(403);
    }
    expect((await operator.get("/households")).body).not.toContain('href="/broadcasts"');
    expect(await h.db.broadcast.count()).toBe(before);
    expect((await h.db.broadcast.findUniqueOrThrow({ where: { id: officeBroadcastId } })).status).toBe(
      "scheduled",
    );
  });

  it("another office's coordinator: 404 on office A's broadcast, not in their history, their own office only", async () => {
    const other = await new Client().login(OTHER);
    for (const [method, path, body] of routes(officeBroadcastId).slice(7)) {
      const r = method === "GET" ? await other.get(path) : await other.send(path, body ?? {});
      expect(r.statusCode, `other ${method} ${path}`).toBe(404);
    }
    expect((await other.get(`/broadcasts/${officeBroadcastId}/events`)).statusCode).toBe(404);
    const history = await other.get("/broadcasts");
    expect(history.statusCode).toBe(200);
    expect(history.body).not.toContain(`/broadcasts/${officeBroadcastId}"`);
    const compose = await other.get("/broadcasts/new");
    expect(compose.body).toContain("Corso di Bergamo");
    expect(compose.body).not.toContain("Tirocinio in cucina");
    expect(compose.body).not.toContain("<option>Brescia</option>");
    // Office A's course, guessed by id: refused like a course that is not there.
    const guessed = await other.send(
      "/broadcasts/preview",
      form({ kind: "course", course: String(courseId) }),
    );
    expect(guessed.statusCode).toBe(400);
    expect(guessed.body).toContain("Scegli il corso tra quelli del tuo ufficio.");
    // "Every household" for Bergamo's coordinator is Bergamo's one member.
    expect(JSON.parse((await other.get("/broadcasts/count?kind=all")).body)).toMatchObject({ total: 1 });
    expect((await h.db.broadcast.findUniqueOrThrow({ where: { id: officeBroadcastId } })).status).toBe(
      "scheduled",
    );
  });

  it("office A's coordinator and the admin open every route (the matrix can fail)", async () => {
    for (const email of [COORDINATOR, ADMIN]) {
      const client = await new Client().login(email);
      for (const [, path] of routes(officeBroadcastId).filter(([m]) => m === "GET")) {
        expect((await client.get(path)).statusCode, `${email} ${path}`).toBe(200);
      }
      expect((await client.get("/households")).body).toContain('href="/broadcasts"');
    }
    const coordinator = await new Client().login(COORDINATOR);
    expect((await coordinator.get("/broadcasts")).body).toContain(`/broadcasts/${officeBroadcastId}"`);
    const bergamos = await coordinator.send(
      "/broadcasts/preview",
      form({ kind: "waiting", course: String(bergamoCourseId) }),
    );
    expect(bergamos.statusCode).toBe(400);
    expect(bergamos.body).toContain("Scegli il corso tra quelli del tuo ufficio.");
    // The admin counts every office's households; the coordinator only theirs.
    const admin = await new Client().login(ADMIN);
    expect(JSON.parse((await admin.get("/broadcasts/count?kind=all")).body)).toMatchObject({ total: 4 });
    expect(JSON.parse((await coordinator.get("/broadcasts/count?kind=all")).body)).toMatchObject({
      total: 3,
      byLanguage: { it: 1, en: 1, ar: 1 },
    });
    expect((await admin.get("/broadcasts/count?kind=course&course=abc")).body).toContain(
      "Completa la scelta",
    );
  });
});

describe("the three course audiences", () => {
  it("enrolled, waiting list, and present at less than half of the past sessions", async () => {
    const coordinator = await new Client().login(COORDINATOR);
    const count = async (kind: string) =>
      JSON.parse((await coordinator.get(`/broadcasts/count?kind=${kind}&course=${courseId}`)).body);
    expect(await count("course")).toMatchObject({ total: 2, byLanguage: { it: 1, ar: 1 } });
    expect(await count("waiting")).toMatchObject({ total: 1, byLanguage: { en: 1 } });
    expect(await count("low-attendance")).toMatchObject({ total: 1, byLanguage: { ar: 1 } });
  });
});

describe("bad input, answered clearly, nothing saved", () => {
  it("refuses an empty audience, an unclosed tag, a time in the past, a text too long, no Italian", async () => {
    const coordinator = await new Client().login(COORDINATOR);
    const before = await h.db.broadcast.count();
    const past = localInput(new Date(Date.now() - 3_600_000));
    const cases: [Record<string, string>, string][] = [
      [{ kind: "municipality", municipality: "Chiari" }, "Nessuna persona riceverebbe questo messaggio"],
      [{ text_en: "<b>Hello" }, "Testo in inglese: il tag &lt;b&gt; è aperto ma non chiuso."],
      [{ when: "later", at: past }, "L&#39;orario scelto è già passato"],
      [{ when: "later", at: "domani" }, "Scegli giorno e ora dell&#39;invio."],
      [{ text_it: "a".repeat(4097) }, "è lungo 4097 caratteri, al massimo 4096"],
      [{ text_it: "" }, "Scrivi il testo in italiano"],
      [{ kind: "" }, "Scegli a chi mandarlo."],
      [{ kind: "arrears-over", amount: "tanti" }, "Scrivi l&#39;importo in euro"],
      [{ button: "999999" }, "Scegli l&#39;incontro del pulsante"],
    ];
    for (const [over, message] of cases) {
      for (const path of ["/broadcasts/preview", "/broadcasts", "/broadcasts/test"]) {
        const r = await coordinator.send(path, form(over));
        expect(r.statusCode, `${path} ${JSON.stringify(over).slice(0, 80)}`).toBe(400);
        expect(r.body, `${path} ${message}`).toContain(message);
      }
    }
    expect(await h.db.broadcast.count()).toBe(before);
    expect(await h.db.outboundMessage.count({ where: { purpose: { startsWith: "broadcast-test:" } } })).toBe(
      0,
    );
  });

  it("warns when the time falls in quiet hours, and says when it will go out", async () => {
    const coordinator = await new Client(() => quietApp).login(COORDINATOR);
    const tomorrow = formatRomeDateTime(new Date(Date.now() + DAY)).split(" ")[0] as string;
    const [dd, mm, yyyy] = tomorrow.split("/");
    const r = await coordinator.send(
      "/broadcasts/preview",
      form({ when: "later", at: `${yyyy}-${mm}-${dd}T22:30` }),
    );
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain("cade nelle ore di silenzio (21:00–08:00)");
    expect(r.body).toMatch(/Partirà il \d\d\/\d\d\/\d{4} 08:00/);
  });

  it("refuses a test to Telegram when the staff member has none linked", async () => {
    const admin = await new Client().login(ADMIN);
    const r = await admin.send("/broadcasts/test", { ...form(), test_language: "en" });
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain("Il tuo account non è collegato a Telegram, quindi la prova non è partita.");
    expect(await h.db.outboundMessage.count({ where: { purpose: { startsWith: "broadcast-test:" } } })).toBe(
      0,
    );
  });
});

async function signIn(page: Page, email: string): Promise<void> {
  await signInPage(page, base, email, PASSWORD);
}

describe("in Chromium, end to end through the worker and the sandbox", () => {
  it("a broadcast composed in the panel reaches its audience once each, in their language, and the bar reaches 100%", {
    timeout: 120_000,
  }, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await signIn(page, COORDINATOR);
      await page.goto(`${base}/broadcasts`);
      await expectNoAxeViolations(page, "history");
      await page.getByRole("link", { name: "Nuovo messaggio" }).click();
      await page.waitForURL(/\/broadcasts\/new$/);
      await expectNoAxeViolations(page, "compose");
      await page.getByLabel("Gruppo").selectOption("all");
      // The live count, by language, as the audience is chosen.
      await expect
        .poll(() => page.locator("#live-count").textContent())
        .toContain("Lo riceveranno 3 persone");
      await page
        .getByLabel("italiano (obbligatorio)")
        .fill("<b>Nuovo corso</b> in partenza: iscriviti dal pulsante");
      await page.getByLabel(/^inglese/).fill("<b>New course</b> starting: enrol with the button");
      await page.getByLabel("Pulsante per iscriversi a un incontro").selectOption(String(futureSessionId));
      await page.getByRole("button", { name: "Anteprima e conferma" }).click();
      await page.waitForURL(/\/broadcasts\/preview$/);
      // The confirm step repeats the count and shows each text as Telegram will.
      expect(await page.locator("#confirm-count").textContent()).toContain("Lo riceveranno 3 persone");
      expect(await page.locator("main").textContent()).toContain("Vedi il corso e iscriviti");
      expect(await page.locator(".bubble strong, .bubble b").first().textContent()).toBe("Nuovo corso");
      await expectNoAxeViolations(page, "confirm");

      // A test on the coordinator's own Telegram first: it arrives there, with the button; no household gets it.
      await page.getByLabel("Lingua della prova").selectOption("en");
      await page.getByRole("button", { name: "Invia una prova al mio Telegram" }).click();
      await expect.poll(() => page.locator("main").textContent()).toContain("Prova inviata al tuo Telegram.");
      await expectNoAxeViolations(page, "confirm after test");
      const [test] = await staffUser.replies(1, 15_000);
      expect(test?.text).toBe("New course starting: enrol with the button");
      expect(test?.reply_markup?.inline_keyboard?.[0]?.[0]?.text).toBe("📚 See the course and enrol");

      await page.getByRole("button", { name: "Conferma e invia a 3 persone" }).click();
      await page.waitForURL(/\/broadcasts\/\d+\?notice=created$/);
      const id = Number(/\/broadcasts\/(\d+)/.exec(page.url())?.[1]);
      // The bar follows the sending over SSE until every message is settled.
      await expect
        .poll(() => page.locator("#progress-bar").getAttribute("value"), { timeout: 30_000 })
        .toBe("100");
      await expect
        .poll(() => page.locator('[data-counter="sent"]').textContent(), { timeout: 10_000 })
        .toBe("3");
      await expectNoAxeViolations(page, "progress");

      const expected: Record<string, [string, string]> = {
        it: ["Nuovo corso in partenza: iscriviti dal pulsante", "📚 Vedi il corso e iscriviti"],
        en: ["New course starting: enrol with the button", "📚 See the course and enrol"],
        // No Arabic text: the Italian one, with the button in Arabic.
        ar: ["Nuovo corso in partenza: iscriviti dal pulsante", "📚 اطّلع على الدورة وسجّل"],
      };
      for (const [key, [text, label]] of Object.entries(expected)) {
        const user = users[key] as SandboxUser;
        const [message] = await user.replies(1, 15_000);
        expect(message?.text, key).toBe(text);
        const button = message?.reply_markup?.inline_keyboard?.[0]?.[0];
        expect(button?.text, key).toBe(label);
        expect((await user.quietFor(300)).length, `${key} got it once`).toBe(0);
        expect(
          await h.db.outboundMessage.count({ where: { broadcastId: id, memberId: memberIds[key] } }),
        ).toBe(1);
      }
      // Another office's household gets nothing.
      expect((await (users.bg as SandboxUser).quietFor(300)).length).toBe(0);
      // The button opens the course's session in the bot, where enrolling is one more press.
      const [first] = (await (users.it as SandboxUser).transcript())
        .filter((m) => m.from === "bot")
        .slice(-1);
      const data = first?.reply_markup?.inline_keyboard?.[0]?.[0]?.callback_data as string;
      await (users.it as SandboxUser).press(first?.message_id as number, data);
      await expect
        .poll(
          async () =>
            (await (users.it as SandboxUser).transcript()).find((m) => m.message_id === first?.message_id)
              ?.text,
        )
        .toContain("Tirocinio in cucina");
      expect(await h.db.broadcast.findUniqueOrThrow({ where: { id } })).toMatchObject({
        officeId: officeA,
        plannedRecipients: 3,
      });
      // The button went with each message from the Broadcast row; the delivery jobs carry ids only.
      const jobs = await h.deliveryQueue.getJobs(["completed", "waiting", "delayed", "active"]);
      for (const job of jobs) expect(Object.keys(job.data).sort()).toEqual(["outboundMessageId"]);

      await page.goto(`${base}/broadcasts`);
      const row = page.locator("tr", { has: page.locator(`a[href="/broadcasts/${id}"]`) });
      expect(await row.locator('td[data-label="Inviati"]').textContent()).toBe("3");
      expect(await row.locator('td[data-label="Stato"]').textContent()).toBe("Concluso");
      expect(await h.badRequests()).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("without a script: bad input in the form, then schedule for tomorrow and cancel", {
    timeout: 60_000,
  }, async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    try {
      await signIn(page, ADMIN);
      await page.goto(`${base}/broadcasts/new`);
      await page.getByLabel("Gruppo").selectOption("municipality");
      await page.getByLabel("Comune").selectOption("Chiari");
      await page.getByLabel("italiano (obbligatorio)").fill("Ciao <i>a tutti");
      await page.getByLabel("Più tardi, a un'ora scelta").check();
      await page.getByLabel("Giorno e ora (ora italiana)").fill(localInput(new Date(Date.now() - DAY)));
      await page.getByRole("button", { name: "Anteprima e conferma" }).click();
      const alert = page.getByRole("alert");
      expect(await alert.textContent()).toContain("il tag <i> è aperto ma non chiuso");
      expect(await alert.textContent()).toContain("già passato");
      // What was typed is kept.
      expect(await page.getByLabel("italiano (obbligatorio)").inputValue()).toBe("Ciao <i>a tutti");

      await page.getByLabel("italiano (obbligatorio)").fill("Ciao <i>a tutti</i>");
      await page.getByLabel("Giorno e ora (ora italiana)").fill(localInput(new Date(Date.now() + DAY)));
      await page.getByRole("button", { name: "Anteprima e conferma" }).click();
      expect(await page.getByRole("alert").textContent()).toContain("Nessuna persona riceverebbe");

      await page.getByLabel("Gruppo").selectOption("all");
      await page.getByRole("button", { name: "Anteprima e conferma" }).click();
      // The admin reaches every office: four people.
      expect(await page.locator("#confirm-count").textContent()).toContain("Lo riceveranno 4 persone");
      await page.getByRole("button", { name: "Conferma e invia a 4 persone" }).click();
      await page.waitForURL(/notice=created/);
      expect(await page.locator('[data-counter="waiting"]').textContent()).toBe("4");
      await page.getByRole("button", { name: "Annulla l'invio" }).click();
      await page.waitForURL(/notice=cancelled/);
      expect(await page.locator('[data-counter="status"]').textContent()).toBe("Annullato");
      expect(await page.getByRole("button", { name: "Annulla l'invio" }).count()).toBe(0);
      for (const key of ["it", "en", "ar", "bg"])
        expect((await (users[key] as SandboxUser).quietFor(200)).length).toBe(0);
    } finally {
      await context.close();
    }
  });

  it("every new page passes axe as each role that may open it, in English too", {
    timeout: 60_000,
  }, async () => {
    for (const email of [COORDINATOR, ADMIN]) {
      const context = await browser.newContext();
      const page = await context.newPage();
      try {
        await signIn(page, email);
        for (const path of [
          "/broadcasts",
          "/broadcasts/new",
          `/broadcasts/${officeBroadcastId}`,
          "/broadcasts?lang=en",
        ]) {
          const response = await page.goto(`${base}${path}`);
          expect(response?.status(), `${email} ${path}`).toBe(200);
          await expectNoAxeViolations(page, `${email} ${path}`);
        }
        await page.goto(`${base}/broadcasts/new?lang=en`);
        await expectNoAxeViolations(page, `${email} compose in English`);
        // The form with its problems listed (back in Italian: the language chosen is remembered).
        await page.goto(`${base}/broadcasts/new?lang=it`);
        await page.getByLabel("Gruppo").selectOption("all");
        await page.getByLabel("italiano (obbligatorio)").fill("Ciao <i>a tutti");
        await page.getByRole("button", { name: "Anteprima e conferma" }).click();
        expect(await page.getByRole("alert").textContent()).toContain("il tag <i> è aperto ma non chiuso");
        await expectNoAxeViolations(page, `${email} compose with problems`);
        // On a phone nothing scrolls sideways (the history's table reflows into cards).
        await page.setViewportSize({ width: 375, height: 740 });
        for (const path of ["/broadcasts", "/broadcasts/new", `/broadcasts/${officeBroadcastId}`]) {
          await page.goto(`${base}${path}`);
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
          );
          expect(overflow, `${email} ${path} on a phone`).toBeLessThanOrEqual(1);
          await expectNoAxeViolations(page, `${email} ${path} on a phone`);
        }
      } finally {
        await context.close();
      }
    }
  });
});

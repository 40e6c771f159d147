// The wording tests' pages over HTTP: the route × role × office matrix (operators 403, coordinators of
// any office and admins alike, strangers to the log-in), bad inputs (unknown kind, no Italian, a lost
// placeholder, broken HTML, forged ids and labels) refused with the reason and nothing saved, and a test
// created, shown with its figures, and stopped keeping a wording (the text in force, audited).
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { systemClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { createLogger } from "../core/logger.ts";
import { saveOffice } from "../core/offices/offices.ts";
import { upsertStaff } from "../core/staff.ts";
import { StaffClient } from "./support/admin-client.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { testOffice } from "./support/offices.ts";

const PASSWORD = "correct horse battery staple";
const OPERATOR = "operatore.varianti@aler.example";
const COORDINATOR = "coordinatrice.varianti@aler.example";
const OTHER = "coordinatrice.bergamo.varianti@aler.example";
const ADMIN = "admin.varianti@aler.example";
const B_IT =
  "📅 <b>Rata in scadenza oggi</b>\nOggi, {{date}}, scade la rata {{number}} di {{total}}: <b>{{amount}}</b>.\nQuasi tutte le famiglie pagano entro la scadenza.";

let t: TestDatabase;
let app: FastifyInstance;

class Client extends StaffClient {
  constructor() {
    super(() => app, PASSWORD);
  }
}

beforeAll(async () => {
  t = await createTestDatabase();
  const office = await testOffice(t.db);
  const bergamo = (await saveOffice(t.db, { code: "BG", name: "Bergamo", municipalities: ["Bergamo"] }))
    .officeId;
  await upsertStaff(t.db, { email: OPERATOR, role: "operator", password: PASSWORD, officeId: office });
  await upsertStaff(t.db, { email: COORDINATOR, role: "coordinator", password: PASSWORD, officeId: office });
  await upsertStaff(t.db, { email: OTHER, role: "coordinator", password: PASSWORD, officeId: bergamo });
  await upsertStaff(t.db, { email: ADMIN, role: "admin", password: PASSWORD });
  app = createAdminServer({
    config: loadConfig({ DATABASE_URL: t.url }),
    logger: createLogger({ level: "silent" }),
    db: t.db,
    clock: systemClock,
  });
  await app.ready();
}, 60_000);

afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe("route × role × office", () => {
  it("lets coordinators of any office and admins in, operators and strangers not", async () => {
    const experiment = await t.db.reminderExperiment.create({
      data: {
        kind: "inst-before",
        labels: ["A", "B"],
        texts: { B: { it: "x" } },
        status: "stopped",
        kept: "A",
      },
    });
    const gets = ["/variants", "/variants/new", `/variants/${experiment.id}`];
    const posts: [string, Record<string, string>][] = [
      ["/variants", { kind: "inst-due", "text.0.it": B_IT }],
      [`/variants/${experiment.id}/stop`, { keep: "A" }],
    ];
    for (const url of gets) {
      const answer = await new Client().get(url);
      expect(answer.statusCode, url).toBe(303);
      expect(answer.headers.location).toBe(`/login?next=${encodeURIComponent(url)}`);
    }
    for (const [url, form] of posts) expect((await new Client().post(url, form)).statusCode, url).toBe(303);
    const operator = await new Client().login(OPERATOR);
    for (const url of gets) expect((await operator.get(url)).statusCode, url).toBe(403);
    for (const [url, form] of posts) expect((await operator.send(url, form)).statusCode, url).toBe(403);
    expect((await operator.get("/account")).body).not.toContain('href="/variants"');
    expect(await t.db.reminderExperiment.count()).toBe(1);

    for (const email of [COORDINATOR, OTHER, ADMIN]) {
      const client = await new Client().login(email);
      expect((await client.get("/account")).body).toContain('href="/variants"');
      for (const url of gets) expect((await client.get(url)).statusCode, `${email} ${url}`).toBe(200);
      for (const url of ["/variants/999999", "/variants/abc", "/variants/-1", "/variants/1.5"])
        expect((await client.get(url)).statusCode, url).toBe(404);
      // A forged form (no CSRF token) changes nothing.
      expect((await client.post("/variants", posts[0]?.[1] ?? {})).statusCode).toBe(403);
      expect((await client.send("/variants/999999/stop", { keep: "A" })).statusCode).toBe(404);
      expect((await client.send("/variants/abc/stop", { keep: "A" })).statusCode).toBe(404);
      // Already stopped: said so, not stopped twice.
      const again = await client.send(`/variants/${experiment.id}/stop`, { keep: "A" });
      expect(again.statusCode).toBe(409);
    }
    expect(await t.db.reminderExperiment.count()).toBe(1);
  });
});

describe("creating, following and stopping a test", () => {
  it("refuses bad texts with the reason, then runs one and keeps its wording", async () => {
    const client = await new Client().login(COORDINATOR);
    const bad: [Record<string, string>, RegExp][] = [
      [{ kind: "inst-overdue", "text.0.it": B_IT }, /Scegli un promemoria/],
      [{ "text.0.it": B_IT }, /Scegli un promemoria/],
      [{ kind: "inst-due" }, /almeno una versione/],
      [
        { kind: "inst-due", "text.0.en": "Due {{date}} {{number}} {{total}} {{amount}}" },
        /Versione B: manca il testo in italiano/,
      ],
      [{ kind: "inst-due", "text.0.it": "Paga entro il {{date}}." }, /Mancano questi segnaposto/],
      [
        { kind: "inst-due", "text.0.it": B_IT, "text.1.it": `${B_IT} <i>aperto` },
        /Versione C, italiano: Telegram non accetta/,
      ],
      [{ kind: "inst-due", "text.0.it": `${B_IT} {{name}}` }, /non esistono per questo testo/],
    ];
    for (const [form, message] of bad) {
      const answer = await client.send("/variants", form);
      expect(answer.statusCode, JSON.stringify(form)).toBe(400);
      expect(answer.body).toMatch(message);
      expect(answer.body).toContain('role="alert"');
    }
    // What was typed stays in the form.
    expect(
      (await client.send("/variants", { kind: "inst-due", "text.0.it": "Paga <b>ora</b>" })).body,
    ).toContain("Paga &lt;b&gt;ora&lt;/b&gt;");
    expect(await t.db.reminderExperiment.count({ where: { kind: "inst-due" } })).toBe(0);

    const created = await client.send("/variants", {
      kind: "inst-due",
      "text.0.it": B_IT,
      "text.0.en":
        "📅 Today, {{date}}, installment {{number}} of {{total}} is due: <b>{{amount}}</b>. Most households pay on time.",
      "text.0.de": "ignored {{date}}",
    });
    expect(created.statusCode).toBe(303);
    const id = Number(/\/variants\/(\d+)/.exec(created.headers.location ?? "")?.[1]);
    const row = await t.db.reminderExperiment.findUniqueOrThrow({ where: { id } });
    expect(row.labels).toEqual(["A", "B"]);
    expect(Object.keys((row.texts as Record<string, object>).B ?? {}).sort()).toEqual(["en", "it"]);
    // A second test of the same reminder waits for this one.
    expect((await client.send("/variants", { kind: "inst-due", "text.0.it": B_IT })).body).toMatch(
      /già una prova in corso/,
    );

    const page = await client.get(`/variants/${id}?notice=created`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Prova avviata");
    expect(page.body).toContain("Non ci sono ancora abbastanza dati");
    expect(page.body).toContain("Quasi tutte le famiglie");
    expect((await client.get(`/variants/${id}?lang=en`)).body).toContain("Not enough data yet");

    expect((await client.send(`/variants/${id}/stop`, { keep: "E" })).statusCode).toBe(400);
    expect((await client.send(`/variants/${id}/stop`, { keep: "B" })).statusCode).toBe(303);
    const texts = await t.db.contentText.findMany({
      where: { namespace: "reminders", key: "text.inst-due" },
    });
    expect(texts.map((x) => x.language).sort()).toEqual(["en", "it"]);
    expect(texts.find((x) => x.language === "it")?.text).toBe(B_IT);
    const audited = await t.db.auditLog.findMany({
      where: { entityType: { in: ["reminderExperiment", "content"] } },
    });
    expect(audited.map((a) => a.action).sort()).toEqual([
      "content.changed",
      "content.changed",
      "variants.created",
      "variants.stopped",
    ]);
    const stopped = await client.get(`/variants/${id}?lang=it`);
    expect(stopped.body).toContain("testo tenuto: B");
    expect(stopped.body).not.toContain('action="/variants/');
    // Clean up the text in force for other tests in this process.
    await t.db.contentText.deleteMany();
  });
});

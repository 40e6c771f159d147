// The content area: staff's texts over locales/ (both i18n paths, Italian fallback kept), checked with
// Telegram's own HTML parser and the defaults' placeholders; every change kept and audited, undone by
// restoring a version; running processes pick changes up within CONTENT_CHECK_MS; and the routes'
// role × office matrix (operators 403, coordinators of any office and admins the same texts).
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { itemLabel } from "../admin/views/content.ts";
import { SEED_TIPS } from "../core/budget/tips.ts";
import { chooseTip } from "../core/budget.ts";
import { systemClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { checkContentText } from "../core/content/check.ts";
import { allLocaleItems, findLocaleItem, tipItem } from "../core/content/families.ts";
import {
  contentHistory,
  findItem,
  missingTranslations,
  referenceText,
  restoreContentVersion,
  saveContentText,
} from "../core/content/store.ts";
import { CONTENT_CHECK_MS, freshContent } from "../core/content/sync.ts";
import { defaultText, SUPPORTED_LANGUAGES, translator } from "../core/i18n.ts";
import { createLogger } from "../core/logger.ts";
import { saveOffice } from "../core/offices/offices.ts";
import { upsertStaff } from "../core/staff.ts";
import { StaffClient } from "./support/admin-client.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { testOffice } from "./support/offices.ts";

const PASSWORD = "correct horse battery staple";
const OPERATOR = "operatore.testi@aler.example";
const COORDINATOR = "coordinatrice.testi@aler.example";
const OTHER = "coordinatrice.bergamo.testi@aler.example";
const ADMIN = "admin.testi@aler.example";
const FAQ = "operator:faq.solidarity.answer";
const ENC = encodeURIComponent(FAQ);

let t: TestDatabase;
let app: FastifyInstance;
let staffId: number;

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
  staffId = (
    await upsertStaff(t.db, { email: COORDINATOR, role: "coordinator", password: PASSWORD, officeId: office })
  ).id;
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

describe("what a text must be", () => {
  it("accepts every shipped text, in every language it has", () => {
    for (const item of allLocaleItems()) {
      for (const language of SUPPORTED_LANGUAGES) {
        const text = defaultText(language, item.namespace, item.key);
        if (text === undefined) continue;
        expect(checkContentText(item, text, referenceText(item)), `${item.id} ${language}`).toEqual([]);
      }
    }
    for (const tip of SEED_TIPS)
      for (const text of Object.values(tip.texts))
        expect(checkContentText(tipItem(tip.key), text, undefined), tip.key).toEqual([]);
  });

  it("refuses unclosed or unknown tags, bare < and &, lost or invented placeholders, empty and overlong texts", () => {
    const item = findLocaleItem("reminders:text.inst-due");
    if (!item) throw new Error("no item");
    const reference = referenceText(item);
    const good = reference ?? "";
    expect(checkContentText(item, good, reference)).toEqual([]);
    expect(checkContentText(item, `${good} <b>unclosed`, reference)).toEqual([
      { code: "html", problem: { code: "unclosed-tag", tag: "b" } },
    ]);
    expect(checkContentText(item, `${good} <blink>x</blink>`, reference)[0]).toEqual({
      code: "html",
      problem: { code: "unsupported-tag", tag: "blink" },
    });
    expect(checkContentText(item, `${good} 1 < 2`, reference)[0]).toEqual({
      code: "html",
      problem: { code: "broken-tag" },
    });
    expect(checkContentText(item, `${good} Tom & Jerry`, reference)[0]).toEqual({
      code: "html",
      problem: { code: "bare-ampersand" },
    });
    expect(checkContentText(item, good.replaceAll("{{amount}}", "tanto"), reference)).toEqual([
      { code: "placeholderMissing", names: ["amount"] },
    ]);
    expect(checkContentText(item, `${good} {{iban}}`, reference)).toEqual([
      { code: "placeholderUnknown", names: ["iban"] },
    ]);
    expect(checkContentText(item, "", reference)).toEqual([{ code: "empty" }]);
    // The limit counts what Telegram shows: tags do not count, samples in place of placeholders do.
    const long = `${good}\n${"<b>x</b>".repeat(4096)}`;
    expect(checkContentText(item, long, reference)[0]).toMatchObject({ code: "tooLong", max: 4096 });
    const tip = tipItem("rent_pay_first");
    expect(checkContentText(tip, "x".repeat(601), undefined)[0]).toMatchObject({ code: "tooLong", max: 600 });
    expect(checkContentText(tip, "<b>no</b> & <i>plain", undefined)).toEqual([]);
  });

  it("names every editable text for staff, in Italian and English", () => {
    for (const lang of ["it", "en"]) {
      const c = translator(lang, "contentAdmin");
      for (const item of allLocaleItems()) expect(itemLabel(c, item), item.id).not.toMatch(/^item\./);
    }
  });

  it("never lets a key off the allow-list be edited", async () => {
    expect(await findItem(t.db, "bot:start.unlinked")).toBeNull();
    expect(await findItem(t.db, "operator:faq.payment.button")).toBeNull();
    expect(await findItem(t.db, "budgetTips:no_such_tip")).toBeNull();
    expect(await findItem(t.db, FAQ)).not.toBeNull();
  });
});

describe("staff's texts in force", () => {
  it("reach both i18n paths, fall back to Italian, and are kept, audited and undone", async () => {
    const item = findLocaleItem("reminders:text.inst-due");
    if (!item) throw new Error("no item");
    const values = { date: "1/12", number: "2", total: "10", amount: "50,00 €" };
    const en = translator("en", "reminders");
    const ar = translator("ar", "bot");
    const before = en("text.inst-due", values);
    // Both of i18next's ways in: the fast path (plain values) and i18next itself (an option it reads).
    const slow = () => en("text.inst-due", { ...values, lng: "en" });
    expect(slow()).toBe(before);

    const first = await saveContentText(
      t.db,
      staffId,
      item,
      "en",
      "Due <b>{{amount}}</b> on {{date}} ({{number}}/{{total}})",
    );
    expect(first.ok).toBe(true);
    expect(en("text.inst-due", values)).toBe("Due <b>50,00 €</b> on 1/12 (2/10)");
    expect(slow()).toBe("Due <b>50,00 €</b> on 1/12 (2/10)");
    // Other texts of the namespace and language are untouched.
    expect(en("text.doc-1", { document: "ISEE", date: "2/12" })).toContain("ISEE");

    // A language with no text of its own reads the Italian one, staff's if staff wrote it.
    const docOther = findLocaleItem("documents:items.other");
    if (!docOther) throw new Error("no item");
    expect(await saveContentText(t.db, staffId, docOther, "it", "Chiedi allo sportello.")).toMatchObject({
      ok: true,
    });
    await t.db.$executeRawUnsafe(`SELECT 1`);
    expect(translator("it", "documents")("items.other")).toBe("Chiedi allo sportello.");
    expect(ar("documents:items.other")).not.toBe("Chiedi allo sportello."); // ar has its own default

    const second = await saveContentText(
      t.db,
      staffId,
      item,
      "en",
      "Second {{amount}} {{date}} {{number}} {{total}}",
    );
    expect(second.ok).toBe(true);
    const refused = await saveContentText(
      t.db,
      staffId,
      item,
      "en",
      "<b>{{amount}} {{date}} {{number}} {{total}}",
    );
    expect(refused).toMatchObject({ ok: false, problems: [{ code: "html" }] });
    expect(en("text.inst-due", values)).toBe("Second 50,00 € 1/12 2 10");

    const history = await contentHistory(t.db, item, "en");
    expect(history.map((v) => v.text)).toEqual([
      "Second {{amount}} {{date}} {{number}} {{total}}",
      "Due <b>{{amount}}</b> on {{date}} ({{number}}/{{total}})",
    ]);
    // Undo: the version before comes back, as a change of its own.
    const restored = await restoreContentVersion(
      t.db,
      staffId,
      item,
      "en",
      (history[1] as { id: number }).id,
    );
    expect(restored?.ok).toBe(true);
    expect(en("text.inst-due", values)).toBe("Due <b>50,00 €</b> on 1/12 (2/10)");
    // Another item's version is not this one's.
    expect(
      await restoreContentVersion(t.db, staffId, docOther, "en", (history[1] as { id: number }).id),
    ).toBeNull();
    // Back to the default.
    expect((await saveContentText(t.db, staffId, item, "en", null)).ok).toBe(true);
    expect(en("text.inst-due", values)).toBe(before);
    expect(slow()).toBe(before);

    const audits = await t.db.auditLog.findMany({
      where: { entityType: "content", entityId: item.id },
      orderBy: { id: "asc" },
    });
    expect(audits.map((a) => a.action)).toEqual([
      "content.changed",
      "content.changed",
      "content.restored",
      "content.reset",
    ]);
    expect(audits.every((a) => a.actorId === String(staffId))).toBe(true);
    // No text in the audit: ids only.
    expect(JSON.stringify(audits.map((a) => a.details))).not.toContain("Due");
    await saveContentText(t.db, staffId, docOther, "it", null);
  });

  it("reaches another process's texts within the check interval, without a restart", async () => {
    const item = findLocaleItem("escalation:nudge.text");
    if (!item) throw new Error("no item");
    const it = translator("it", "escalation");
    await freshContent(t.db);
    const before = it("nudge.text", { date: "1/12" });
    // Written as another process would: straight into the tables, not through this process's store.
    await t.db.contentText.create({
      data: {
        namespace: item.namespace,
        key: item.key,
        language: "it",
        text: "Ciao, il {{date}} ti abbiamo scritto.",
      },
    });
    await t.db.contentVersion.create({
      data: {
        namespace: item.namespace,
        key: item.key,
        language: "it",
        text: "Ciao, il {{date}} ti abbiamo scritto.",
      },
    });
    await freshContent(t.db);
    await new Promise((r) => setTimeout(r, CONTENT_CHECK_MS + 50));
    await freshContent(t.db);
    expect(it("nudge.text", { date: "1/12" })).toBe("Ciao, il 1/12 ti abbiamo scritto.");
    await t.db.contentText.deleteMany({ where: { namespace: item.namespace, key: item.key } });
    await t.db.contentVersion.create({
      data: { namespace: item.namespace, key: item.key, language: "it", text: null },
    });
    await new Promise((r) => setTimeout(r, CONTENT_CHECK_MS + 50));
    await freshContent(t.db);
    expect(it("nudge.text", { date: "1/12" })).toBe(before);
  });

  it("edits budget tips in their table: the bot's next tip reads the new text", async () => {
    const tip = tipItem("rent_pay_first");
    expect((await saveContentText(t.db, staffId, tip, "ro", "Plătește chiria prima.")).ok).toBe(true);
    const tips = async () =>
      Promise.all([0, 1, 2, 3].map(async (day) => (await chooseTip(t.db, ["rent"], "ro", day))?.text));
    expect(await tips()).toContain("Plătește chiria prima.");
    const [version] = await contentHistory(t.db, tip, "ro");
    expect(version?.text).toBe("Plătește chiria prima.");
    expect((await saveContentText(t.db, staffId, tip, "ro", null)).ok).toBe(true);
    expect(await tips()).toContain(SEED_TIPS[0]?.texts.ro);
    expect(await tips()).not.toContain("Plătește chiria prima.");
  });

  it("lists the languages that read Italian instead", async () => {
    const missing = await missingTranslations(t.db);
    // The shipped locales are complete for these families; a tip without a language is not.
    expect(missing).toEqual([]);
    await t.db.$executeRaw`UPDATE "BudgetTip" SET "texts" = "texts" - 'sq' WHERE "key" = 'rent_talk_early'`;
    expect((await missingTranslations(t.db)).map((m) => `${m.item.id} ${m.language}`)).toEqual([
      "budgetTips:rent_talk_early sq",
    ]);
  });
});

describe("the content pages", () => {
  const gets = [
    "/content",
    "/content/faq",
    "/content/tips",
    "/content/documents",
    "/content/payment",
    "/content/reminders",
    "/content/missing",
    `/content/edit?item=${ENC}&language=it`,
    `/content/edit?item=${ENC}&language=uk`,
  ];
  const posts = ["/content/edit", "/content/reset", "/content/restore"];
  const form = { item: FAQ, language: "en", text: "Up to {{amount}}.", action: "save" };

  it("lets coordinators of any office and admins in, operators and strangers not", async () => {
    for (const url of gets) {
      const answer = await new Client().get(url);
      expect(answer.statusCode, url).toBe(303);
      expect(answer.headers.location).toBe(`/login?next=${encodeURIComponent(url)}`);
    }
    for (const url of posts) expect((await new Client().post(url, form)).statusCode, url).toBe(303);
    const operator = await new Client().login(OPERATOR);
    for (const url of gets) expect((await operator.get(url)).statusCode, url).toBe(403);
    for (const url of posts) expect((await operator.send(url, form)).statusCode, url).toBe(403);
    expect((await operator.get("/account")).body).not.toContain('href="/content"');
    for (const email of [COORDINATOR, OTHER, ADMIN]) {
      const client = await new Client().login(email);
      expect((await client.get("/account")).body).toContain('href="/content"');
      for (const url of gets) expect((await client.get(url)).statusCode, `${email} ${url}`).toBe(200);
      // Not ours: unknown families, keys off the list, unknown languages, a forged form.
      for (const url of [
        "/content/nope",
        "/content/edit?item=bot:start.unlinked&language=it",
        `/content/edit?item=${ENC}&language=de`,
        `/content/edit?item=${ENC}`,
        "/content/edit",
      ])
        expect((await client.get(url)).statusCode, url).toBe(404);
      expect((await client.post("/content/edit", form)).statusCode).toBe(403);
      expect((await client.send("/content/edit", { ...form, item: "bot:help.text" })).statusCode).toBe(404);
      expect(
        (await client.send("/content/restore", { item: FAQ, language: "en", version: "abc" })).statusCode,
      ).toBe(404);
      expect(
        (await client.send("/content/restore", { item: FAQ, language: "en", version: "999999" })).statusCode,
      ).toBe(404);
    }
    expect(await t.db.contentText.count({ where: { namespace: "operator" } })).toBe(0);
    // Coordinators of two offices edit the same texts: what one saves, the other sees.
    const brescia = await new Client().login(COORDINATOR);
    const saved = await brescia.send("/content/edit", form);
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`/content/edit?item=${ENC}&language=en&notice=saved`);
    const bergamo = await new Client().login(OTHER);
    const page = (await bergamo.get(`/content/edit?item=${ENC}&language=en`)).body;
    expect(page).toContain("Up to {{amount}}.");
    expect(page).toContain("Up to 12.345,67 €.");
    expect(translator("en", "operator")("faq.solidarity.answer", { amount: "1.200,00 €" })).toBe(
      "Up to 1.200,00 €.",
    );
  });

  it("previews without saving, refuses bad texts with the reason and keeps what was typed, restores and resets", async () => {
    const client = await new Client().login(ADMIN);
    const preview = await client.send("/content/edit", {
      ...form,
      text: "<i>Prova</i> {{amount}}",
      action: "preview",
    });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain("<i>Prova</i> 12.345,67 €");
    expect(preview.body).toContain("&lt;i&gt;Prova&lt;/i&gt; {{amount}}");
    expect(translator("en", "operator")("faq.solidarity.answer", { amount: "1" })).toBe("Up to 1.");

    for (const [text, shows] of [
      ["<b>Fino a {{amount}}", "il tag &lt;b&gt; è aperto ma non chiuso: aggiungi &lt;/b&gt;"],
      ["Fino a tanto", "Mancano questi segnaposto: {{amount}}"],
      ["Fino a {{amount}} {{iban}}", "Questi segnaposto non esistono per questo testo: {{iban}}"],
      ["   ", "Scrivi il testo."],
    ] as const) {
      const refused = await client.send("/content/edit?lang=it", { ...form, text });
      expect(refused.statusCode, text).toBe(400);
      expect(refused.body.replaceAll("&#39;", "'"), text).toContain(shows.replaceAll("&#39;", "'"));
      if (text.trim() !== "")
        expect(refused.body).toContain(text.replaceAll("<", "&lt;").replaceAll(">", "&gt;"));
    }
    expect(translator("en", "operator")("faq.solidarity.answer", { amount: "1" })).toBe("Up to 1.");

    const item = findLocaleItem(FAQ);
    if (!item) throw new Error("no item");
    const [latest] = await contentHistory(t.db, item, "en");
    expect((await client.send("/content/edit", { ...form, text: "Now {{amount}}!" })).statusCode).toBe(303);
    const restored = await client.send("/content/restore", {
      item: FAQ,
      language: "en",
      version: String(latest?.id),
    });
    expect(restored.statusCode).toBe(303);
    expect(translator("en", "operator")("faq.solidarity.answer", { amount: "1" })).toBe("Up to 1.");
    const page = (await client.get(`/content/edit?item=${ENC}&language=en&notice=restored`)).body;
    expect(page).toContain("Versione ripristinata");
    expect(page).toContain("Now {{amount}}!");
    expect((await client.send("/content/reset", { item: FAQ, language: "en" })).statusCode).toBe(303);
    expect(translator("en", "operator")("faq.solidarity.answer", { amount: "1" })).toBe(
      defaultText("en", "operator", "faq.solidarity.answer")?.replace("{{amount}}", "1"),
    );
    expect(await t.db.contentText.count({ where: { namespace: "operator" } })).toBe(0);
  });

  it("keeps every saved reply's versions and brings an earlier one back (audited); operators cannot", async () => {
    const coordinator = await new Client().login(COORDINATOR);
    const created = await coordinator.send("/saved-replies", {
      language: "it",
      title: "Saluto",
      body: "Ciao, prima versione.",
    });
    expect(created.statusCode).toBe(303);
    const reply = await t.db.savedReply.findFirstOrThrow({ where: { title: "Saluto" } });
    expect(
      (
        await coordinator.send(`/saved-replies/${reply.id}`, {
          language: "en",
          title: "Hello",
          body: "Hi, second.",
        })
      ).statusCode,
    ).toBe(303);
    const page = (await coordinator.get(`/saved-replies/${reply.id}`)).body;
    expect(page).toContain("Cronologia");
    expect(page).toContain("Ciao, prima versione.");
    const versions = await t.db.contentVersion.findMany({
      where: { namespace: "savedReplies", key: String(reply.id) },
      orderBy: { id: "asc" },
    });
    expect(versions.map((v) => [v.language, v.title, v.text])).toEqual([
      ["it", "Saluto", "Ciao, prima versione."],
      ["en", "Hello", "Hi, second."],
    ]);
    const first = String(versions[0]?.id);

    const operator = await new Client().login(OPERATOR);
    expect((await operator.send(`/saved-replies/${reply.id}/restore`, { version: first })).statusCode).toBe(
      403,
    );
    // Not this reply's version, not a version, not a reply.
    const other = await t.db.savedReply.create({
      data: { language: "it", title: "Altra", body: "Altro testo" },
    });
    expect(
      (await coordinator.send(`/saved-replies/${other.id}/restore`, { version: first })).statusCode,
    ).toBe(404);
    expect((await coordinator.send(`/saved-replies/${reply.id}/restore`, { version: "x" })).statusCode).toBe(
      404,
    );
    expect((await coordinator.send("/saved-replies/999999/restore", { version: first })).statusCode).toBe(
      404,
    );
    expect(
      (await coordinator.post(`/saved-replies/${reply.id}/restore`, { version: first })).statusCode,
    ).toBe(403);
    expect((await t.db.savedReply.findUniqueOrThrow({ where: { id: reply.id } })).body).toBe("Hi, second.");

    const restored = await coordinator.send(`/saved-replies/${reply.id}/restore`, { version: first });
    expect(restored.statusCode).toBe(303);
    expect(restored.headers.location).toBe(`/saved-replies/${reply.id}?notice=restored`);
    expect(await t.db.savedReply.findUniqueOrThrow({ where: { id: reply.id } })).toMatchObject({
      language: "it",
      title: "Saluto",
      body: "Ciao, prima versione.",
    });
    expect((await coordinator.get(restored.headers.location as string)).body).toContain(
      "Versione ripristinata.",
    );
    // A reply from before the history was kept: its text is kept at its first change.
    expect(
      (
        await coordinator.send(`/saved-replies/${other.id}`, {
          language: "it",
          title: "Altra",
          body: "Nuovo",
        })
      ).statusCode,
    ).toBe(303);
    expect(
      (
        await t.db.contentVersion.findMany({
          where: { namespace: "savedReplies", key: String(other.id) },
          orderBy: { id: "asc" },
        })
      ).map((v) => v.text),
    ).toEqual(["Altro testo", "Nuovo"]);
    const audits = await t.db.auditLog.findMany({
      where: { entityType: "savedReply", entityId: String(reply.id) },
      orderBy: { id: "asc" },
    });
    expect(audits.map((a) => a.action)).toEqual([
      "savedReply.created",
      "savedReply.updated",
      "savedReply.restored",
    ]);
  });
});

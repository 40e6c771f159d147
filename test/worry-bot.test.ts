// End to end through the sandbox (bot, delivery worker, real PostgreSQL and Redis): each level of
// worry gets its own answer and its own kind of case, in Italian, English and a few more languages.
// - money trouble: the plan, how it can be changed, a talk with the case worker; an ordinary case;
//   never 112 nor a helpline;
// - the home at risk: steps and the office's contacts, an urgent case, no emergency numbers;
// - danger: 112 first, then Telefono Amico (self-harm) or 1522 (violence), an urgent case, a
//   DANGER post in the operators' group and an alert for coordinators.
// A negated worry ("non voglio farmi del male") raises nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";
import type { SandboxUser, TranscriptEntry } from "./support/sandbox-user.ts";

// Monday 30 November 2026, 10:20 in Rome.
const START = new Date("2026-11-30T09:20:00Z");
const GROUP = -1_001_500_000_101;
const EMERGENCY = ["112", "02 2327 2327", "1522", "Telefono Amico"];

let h: BotHarness;
let seen = 0;

async function call<T>(url: string, body?: unknown): Promise<T> {
  const response = await fetch(url, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as T;
  if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** The next post in the operators' group. */
async function nextPost(): Promise<TranscriptEntry> {
  const [post] = await call<TranscriptEntry[]>(
    `${h.sandbox.url}/control/chats/${GROUP}/wait?after=${seen}&count=1&timeout=10000`,
  );
  if (!post) throw new Error("no group post");
  seen = Math.max(seen, post.message_id);
  return post;
}

async function quietGroup(ms = 300): Promise<TranscriptEntry[]> {
  return call(`${h.sandbox.url}/control/chats/${GROUP}/wait?after=${seen}&count=1&timeout=${ms}`);
}

beforeAll(async () => {
  h = await startBotHarness({ clock: fixedClock(START), operatorsChatId: BigInt(GROUP) });
  await call(`${h.sandbox.url}/control/groups`, {
    id: GROUP,
    title: "Operatori Bussola",
    type: "supergroup",
  });
  await call(`${h.sandbox.url}/control/limits`, { group_per_minute: 0 });
});
afterAll(() => h?.close());

async function householdOf(user: SandboxUser): Promise<number> {
  const member = await h.db.member.findUniqueOrThrow({ where: { telegramUserId: BigInt(user.id) } });
  if (member.householdId === null) throw new Error("not linked");
  return member.householdId;
}

async function onlyCase(user: SandboxUser) {
  return h.db.case.findFirstOrThrow({
    where: { householdId: await householdOf(user) },
    include: { messages: { orderBy: { id: "asc" } } },
  });
}

function expectNoEmergency(text: string | undefined): void {
  for (const number of EMERGENCY) expect(text).not.toContain(number);
}

describe("money trouble", () => {
  it("it: a calm, practical answer and an ordinary case, no emergency numbers", async () => {
    const user = await h.linkedUser("WRY-IT-M01", { language: "it" });
    const text = "Non riesco a pagare l'affitto questo mese";
    const answer = await user.ask(text);
    expect(answer.text).toContain("/plan");
    expect(answer.text).toContain("Il piano si può cambiare");
    expect(answer.text).toContain("chi ti segue nel programma");
    expect(answer.text).not.toContain("urgente");
    expectNoEmergency(answer.text);

    const opened = await onlyCase(user);
    expect(opened).toMatchObject({ urgent: false, source: "household", topic: "debt", status: "open" });
    expect(opened.messages.map((m) => [m.author, m.text])).toEqual([["household", text]]);
    const post = await nextPost();
    expect(post.text).toContain(`Caso #${opened.id}`);
    expect(post.text).toContain("nuovo");
    expect(post.text).not.toContain("URGENTE");
    expect(post.text).not.toContain("PERICOLO");
    expect(await h.db.alert.count({ where: { caseId: opened.id } })).toBe(0);
  });

  it("en: losing a job is money trouble too", async () => {
    const user = await h.linkedUser("WRY-EN-M01", { language: "en" });
    const answer = await user.ask("I lost my job last week and the rent is due");
    expect(answer.text).toContain("A plan can be changed");
    expect(answer.text).toContain("/plan");
    expectNoEmergency(answer.text);
    expect(await onlyCase(user)).toMatchObject({ urgent: false, topic: "debt" });
    await nextPost();
  });

  it("ar and ro: the same calm answer in the member's language", async () => {
    const arabic = await h.linkedUser("WRY-AR-M01", { language: "ar" });
    const ar = await arabic.ask("لا أستطيع دفع الإيجار هذا الشهر");
    expect(ar.text).toContain("يمكن تغيير الخطة");
    expectNoEmergency(ar.text);
    expect(await onlyCase(arabic)).toMatchObject({ urgent: false });
    await nextPost();

    const romanian = await h.linkedUser("WRY-RO-M01", { language: "ro" });
    const ro = await romanian.ask("nu mai am bani de chirie luna asta");
    expect(ro.text).toContain("Planul se poate schimba");
    expectNoEmergency(ro.text);
    expect(await onlyCase(romanian)).toMatchObject({ urgent: false });
    await nextPost();
  });
});

describe("housing at risk", () => {
  it("it: an eviction letter gets steps, the office's contacts and an urgent case, no emergency numbers", async () => {
    const user = await h.linkedUser("WRY-IT-H01", { language: "it" });
    const answer = await user.ask("Ci è arrivata la lettera di sfratto, cosa facciamo?");
    expect(answer.text).toContain("Conserva la lettera");
    expect(answer.text).toContain("sportello ALER");
    expect(answer.text).toContain("dal lunedì al venerdì");
    expect(answer.text).toContain("urgente");
    expectNoEmergency(answer.text);

    const opened = await onlyCase(user);
    expect(opened).toMatchObject({ urgent: true, source: "distress", status: "open" });
    expect(opened.messages.map((m) => m.author)).toEqual(["system", "household"]);
    expect(opened.messages[0]?.text).toContain("Casa a rischio");
    const post = await nextPost();
    expect(post.text).toContain("URGENTE");
    expect(post.text).toContain("casa a rischio");
    expect(post.text).not.toContain("PERICOLO");
    expect(await h.db.alert.count({ where: { caseId: opened.id } })).toBe(0);
  });

  it("en: utilities cut off; uk: a court summons", async () => {
    const english = await h.linkedUser("WRY-EN-H01", { language: "en" });
    const en = await english.ask("They cut off our electricity this morning");
    expect(en.text).toContain("Keep the letter or notice");
    expect(en.text).toContain("urgent");
    expectNoEmergency(en.text);
    expect(await onlyCase(english)).toMatchObject({ urgent: true });
    await nextPost();

    const ukrainian = await h.linkedUser("WRY-UK-H01", { language: "uk" });
    const uk = await ukrainian.ask("Мене викликають до суду через борг за оренду");
    expect(uk.text).toContain("Збережіть лист");
    expectNoEmergency(uk.text);
    expect(await onlyCase(ukrainian)).toMatchObject({ urgent: true });
    await nextPost();
  });
});

describe("danger", () => {
  it("it: thoughts of suicide get 112 first, then Telefono Amico; urgent case, DANGER post, an alert", async () => {
    const user = await h.linkedUser("WRY-IT-D01", { language: "it", firstName: "Amina" });
    const text = "Non ce la faccio più, a volte penso di togliermi la vita";
    const answer = await user.ask(text);
    const body = answer.text ?? "";
    expect(body).toContain("chiama subito il 112");
    expect(body).toContain("Telefono Amico Italia");
    expect(body).toContain("02 2327 2327");
    expect(body.indexOf("112")).toBeLessThan(body.indexOf("Telefono Amico"));
    expect(body).not.toContain("1522");
    expect(body).toContain("urgente");

    const opened = await onlyCase(user);
    expect(opened).toMatchObject({ urgent: true, source: "distress", status: "open" });
    expect(opened.messages[0]?.text).toContain("PERICOLO");
    expect(opened.messages[1]?.text).toBe(text);
    const post = await nextPost();
    expect(post.text).toContain("PERICOLO");
    expect(post.text).toContain(`Caso #${opened.id}`);
    expect(post.text).not.toContain("Amina");
    const alerts = await h.db.alert.findMany({ where: { caseId: opened.id } });
    expect(alerts.map((a) => a.kind)).toEqual(["danger"]);
  });

  it("it: violence at home gets 112 first, then 1522", async () => {
    const user = await h.linkedUser("WRY-IT-D02", { language: "it" });
    const answer = await user.ask("mio marito mi picchia quando beve, ho paura");
    const body = answer.text ?? "";
    expect(body.indexOf("112")).toBeGreaterThanOrEqual(0);
    expect(body.indexOf("112")).toBeLessThan(body.indexOf("1522"));
    expect(body).not.toContain("Telefono Amico");
    expect(await onlyCase(user)).toMatchObject({ urgent: true });
    expect((await nextPost()).text).toContain("PERICOLO");
  });

  it("en, fr and es: not wanting to live, a partner who hits", async () => {
    const english = await h.linkedUser("WRY-EN-D01", { language: "en" });
    const en = (await english.ask("I don't want to live anymore")).text ?? "";
    expect(en).toContain("call 112 at once");
    expect(en).toContain("02 2327 2327");
    expect(await onlyCase(english)).toMatchObject({ urgent: true });
    await nextPost();

    const french = await h.linkedUser("WRY-FR-D01", { language: "fr" });
    const fr = (await french.ask("Mon compagnon me frappe devant les enfants")).text ?? "";
    expect(fr.indexOf("112")).toBeLessThan(fr.indexOf("1522"));
    expect(fr).toContain("Personne n'a le droit");
    expect(await onlyCase(french)).toMatchObject({ urgent: true });
    await nextPost();

    const spanish = await h.linkedUser("WRY-ES-D01", { language: "es" });
    const es = (await spanish.ask("quiero quitarme la vida")).text ?? "";
    expect(es).toContain("llame enseguida al 112");
    expect(await onlyCase(spanish)).toMatchObject({ urgent: true });
    await nextPost();
  });

  it("makes an ordinary case urgent, still one case", async () => {
    const user = await h.linkedUser("WRY-IT-D03", { language: "it" });
    await user.ask("Non riesco a pagare la rata di dicembre");
    const plain = await onlyCase(user);
    expect(plain.urgent).toBe(false);
    await nextPost();

    const answer = await user.ask("voglio farla finita");
    expect(answer.text).toContain("112");
    const urgent = await h.db.case.findUniqueOrThrow({ where: { id: plain.id } });
    expect(urgent.urgent).toBe(true);
    expect(await h.db.case.count({ where: { householdId: await householdOf(user) } })).toBe(1);
    expect((await nextPost()).text).toContain("PERICOLO");
  });

  it("gives 112 and the helpline to someone not linked, without a case", async () => {
    const user = await h.newUser({ language: "en" });
    const answer = await user.ask("I want to kill myself");
    expect(answer.text).toContain("112");
    expect(answer.text).toContain("link code");
    expect(await quietGroup()).toEqual([]);
  });
});

describe("negations and ordinary talk", () => {
  it("a negated worry raises nothing: no emergency numbers, no case", async () => {
    const user = await h.linkedUser("WRY-IT-N01", { language: "it" });
    for (const text of [
      "Non voglio farmi del male, volevo solo sapere quando scade la rata",
      "Quanto devo pagare?",
    ]) {
      const answer = await user.ask(text);
      expectNoEmergency(answer.text);
    }
    const english = await h.linkedUser("WRY-EN-N01", { language: "en" });
    expectNoEmergency((await english.ask("I don't want to hurt myself, I need help with a form")).text);
    expect(await h.db.case.count({ where: { householdId: await householdOf(user) } })).toBe(0);
    expect(await h.db.case.count({ where: { householdId: await householdOf(english) } })).toBe(0);
    expect(await quietGroup()).toEqual([]);
    expect(await h.badRequests()).toEqual([]);
  });
});

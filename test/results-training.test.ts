// The results dashboard's "work and training" and "self-assessment" sections on a hand-made data set:
// four households over two offices (and a third office with none), four courses of the four kinds with
// sessions inside and outside the period (one at 00:30 on 1 July in Rome), a cancelled session, every
// enrolment status, and check-ups of every round, one erased and one left halfway. Every expected figure
// was worked out by hand from the data (the arithmetic is in the comments), not by calling core/results/.
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import type { AttendanceStatus, CheckupRound, CourseKind, EnrolmentStatus } from "../core/db/client.ts";
import type { StaffScope } from "../core/offices/scope.ts";
import { checkupFigures } from "../core/results/checkup.ts";
import type { ResultsFilter } from "../core/results/filter.ts";
import { trainingFigures } from "../core/results/training.ts";
import type { StaffClient } from "./support/admin-client.ts";
import type { TestDatabase } from "./support/db.ts";
import { resultsFixture } from "./support/results-fixture.ts";

const STAFF = {
  operatorA: "op.a@formazione.example",
  coordinatorA: "coord.a@formazione.example",
  operatorB: "op.b@formazione.example",
  operatorC: "op.c@formazione.example",
  admin: "admin@formazione.example",
} as const;
/** "Today": 15 December 2026, 11:00 in Rome. */
const NOW = new Date("2026-12-15T10:00:00Z");
const clock = fixedClock(NOW);
const PERIOD = "from=2026-07&to=2026-12";
const YEAR = "from=2026-01&to=2026-12";

const fx = resultsFixture({
  clock,
  offices: ["A", "B", "C"],
  staff: {
    emails: STAFF,
    roles: [
      ["operatorA", "operator", "A"],
      ["coordinatorA", "coordinator", "A"],
      ["operatorB", "operator", "B"],
      ["operatorC", "operator", "C"],
      ["admin", "admin", null],
    ],
  },
});
const { office, staffId, as } = fx;
let t: TestDatabase;
/** Household ids (HA1 …) and member ids (mA1 …). */
const id: Record<string, number> = {};
let telegramId = 7_100_000n;

async function household(key: string, municipality: string, officeId: number) {
  const h = await t.db.household.create({
    data: {
      contractCode: `F-${key}`,
      name: `Famiglia ${key}`,
      fiscalCode: "RSSMRA80A01B157Y",
      municipality,
      address: "Via Prova 1",
      officeId,
    },
  });
  id[key] = h.id;
}

async function member(key: string, householdKey: string, linkedAt: string) {
  telegramId += 1n;
  const m = await t.db.member.create({
    data: {
      telegramUserId: telegramId,
      chatId: telegramId,
      householdId: id[householdKey] as number,
      linkedAt: new Date(linkedAt),
    },
  });
  id[key] = m.id;
}

async function course(key: string, kind: CourseKind) {
  const c = await t.db.course.create({
    data: { code: key, kind, title: key, description: "-", municipality: "Brescia" },
  });
  id[key] = c.id;
}

/** A session of two hours (or `minutes`) starting at `startsAt` (UTC). */
async function session(
  key: string,
  courseKey: string,
  startsAt: string,
  extra: { cancelled?: boolean } = {},
) {
  const start = new Date(startsAt);
  const s = await t.db.courseSession.create({
    data: {
      courseId: id[courseKey] as number,
      startsAt: start,
      endsAt: new Date(start.getTime() + 2 * 3_600_000),
      location: "Sala",
      capacity: 10,
      ...(extra.cancelled ? { cancelledAt: new Date("2026-09-20T08:00:00Z") } : {}),
    },
  });
  id[key] = s.id;
}

async function enrol(memberKey: string, sessionKeys: string[], status: EnrolmentStatus = "enrolled") {
  for (const s of sessionKeys) {
    await t.db.enrolment.create({
      data: { sessionId: id[s] as number, memberId: id[memberKey] as number, status },
    });
  }
}

async function mark(memberKey: string, sessionKey: string, status: AttendanceStatus, minutes = 0) {
  await t.db.attendance.create({
    data: { sessionId: id[sessionKey] as number, memberId: id[memberKey] as number, status, minutes },
  });
}

async function checkup(
  householdKey: string,
  round: CheckupRound,
  startedAt: string,
  answers: Record<string, string>,
  extra: { erased?: boolean } = {},
) {
  await t.db.checkup.create({
    data: {
      householdId: id[householdKey] as number,
      round,
      offeredAt: new Date(startedAt),
      startedAt: new Date(startedAt),
      answers,
      ...(extra.erased ? { erasedAt: new Date(startedAt) } : {}),
    },
  });
}

/** The CSV's rows of one section as "figure" → value (Italian labels). */
async function csvOf(client: StaffClient, query: string, section: string): Promise<Map<string, string>> {
  const answer = await client.get(`/results.csv?${query}`);
  expect(answer.statusCode).toBe(200);
  const lines = answer.body
    .replace(/^\uFEFF/, "")
    .trim()
    .split("\r\n");
  const rows = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const [s, figure, month, value] = line.split(";");
    if (s === section) {
      expect(month).toBe("");
      rows.set(figure ?? "", value ?? "");
    }
  }
  return rows;
}
const TRAINING = "Lavoro e formazione";
const CHECKUP = "Autovalutazione (check-up)";

const scope = (key: keyof typeof STAFF, role: StaffScope["role"], officeId: number | null): StaffScope => ({
  staffId: staffId[key] as number,
  role,
  officeId,
});
const filterOf = (over: Partial<ResultsFilter> = {}): ResultsFilter => ({
  officeId: null,
  municipality: null,
  cohort: null,
  from: "2026-07",
  to: "2026-12",
  ...over,
});

beforeAll(async () => {
  t = await fx.open();
  // Households and their entry cohorts (first member's link, Rome).
  await household("HA1", "Brescia", office.A);
  await member("mA1", "HA1", "2026-03-10T09:00:00Z"); // cohort 2026-03
  await member("mA1b", "HA1", "2026-04-01T09:00:00Z");
  await household("HA2", "Salò", office.A);
  await member("mA2", "HA2", "2026-06-15T09:00:00Z"); // cohort 2026-06
  await household("HA3", "Brescia", office.A);
  await member("mA3", "HA3", "2026-03-20T09:00:00Z"); // cohort 2026-03
  await household("HB1", "Cremona", office.B);
  await member("mB1", "HB1", "2026-03-05T09:00:00Z"); // cohort 2026-03

  // C1, a course: four weekly sessions in September, all over, and a fifth cancelled.
  await course("C1", "course");
  for (const [k, day] of [
    ["S1", "01"],
    ["S2", "08"],
    ["S3", "15"],
    ["S4", "22"],
  ] as const)
    await session(k, "C1", `2026-09-${day}T08:00:00Z`);
  await session("S5", "C1", "2026-09-29T08:00:00Z", { cancelled: true });
  await enrol("mA1", ["S1", "S2", "S3", "S4", "S5"]);
  await enrol("mA1b", ["S1", "S2", "S3", "S4"]);
  await enrol("mA3", ["S1", "S2", "S3", "S4"]);
  await enrol("mB1", ["S1", "S2", "S3", "S4"]);
  await enrol("mA2", ["S5"]); // only the cancelled session: not enrolled
  // mA1: P P P A (3 of 4: completed at exactly 75%); absent at the cancelled S5, which does not count.
  for (const [s, st] of [
    ["S1", "present"],
    ["S2", "present"],
    ["S3", "present"],
    ["S4", "absent"],
    ["S5", "absent"],
  ] as const)
    await mark("mA1", s, st, st === "present" ? 120 : 0);
  // mA1b: P E A A (1 of 4: not completed; rate 1 ÷ 3).
  for (const [s, st] of [
    ["S1", "present"],
    ["S2", "excused"],
    ["S3", "absent"],
    ["S4", "absent"],
  ] as const)
    await mark("mA1b", s, st, st === "present" ? 120 : 0);
  // mA3: P P E P (3 of 4: completed; rate 3 ÷ 3).
  for (const [s, st] of [
    ["S1", "present"],
    ["S2", "present"],
    ["S3", "excused"],
    ["S4", "present"],
  ] as const)
    await mark("mA3", s, st, st === "present" ? 120 : 0);
  // mB1 (office B): P P P P.
  for (const s of ["S1", "S2", "S3", "S4"]) await mark("mB1", s, "present", 120);

  // C2, a paid placement: 20 June (before the period), 00:30 on 1 July in Rome (30 June in UTC: in the
  // July–December period), October, November, and 20 December (still to come: the placement is not over).
  await course("C2", "paid_placement");
  await session("P0", "C2", "2026-06-20T07:00:00Z");
  await session("P1a", "C2", "2026-06-30T22:30:00Z");
  await session("P1", "C2", "2026-10-05T07:00:00Z");
  await session("P2", "C2", "2026-11-02T07:00:00Z");
  await session("P3", "C2", "2026-12-20T07:00:00Z");
  await enrol("mA2", ["P0", "P1a", "P1", "P2", "P3"]);
  await enrol("mA1", ["P1"]);
  await mark("mA2", "P0", "present", 180);
  await mark("mA2", "P1a", "present", 60);
  await mark("mA2", "P1", "present", 235);
  await mark("mA2", "P2", "present", 240);
  await mark("mA1", "P1", "absent", 0);

  // C3, orientation: one meeting in May (outside the default period).
  await course("C3", "orientation");
  await session("O1", "C3", "2026-05-10T08:00:00Z");
  await enrol("mA3", ["O1"]);
  await mark("mA3", "O1", "present", 120);

  // C4, a workshop on 18 December: mA2 holds a place; mA3 cancelled, mA1b is waiting (neither counts).
  await course("C4", "workshop");
  await session("W1", "C4", "2026-12-18T15:00:00Z");
  await enrol("mA2", ["W1"]);
  await enrol("mA3", ["W1"], "cancelled");
  await enrol("mA1b", ["W1"], "waiting");

  // Check-ups. debt is ordered (exactly > roughly > not_really); work is not.
  await checkup("HA1", "entry", "2026-03-11T09:00:00Z", { debt: "not_really", work: "looking" });
  await checkup("HA1", "m3", "2026-06-12T09:00:00Z", { debt: "roughly", work: "looking" });
  // Left halfway: only the first question answered.
  await checkup("HA1", "m9", "2026-12-11T09:00:00Z", { debt: "exactly" });
  await checkup("HA3", "entry", "2026-03-21T09:00:00Z", { debt: "roughly", work: "stable" });
  // An unknown option is left out (as the bot's cleanAnswers does).
  await checkup("HA3", "m3", "2026-06-22T09:00:00Z", {
    debt: "not_really",
    work: "occasional",
    papers: "bogus",
  });
  await checkup("HA2", "entry", "2026-06-16T09:00:00Z", { debt: "roughly", work: "cannot_work" });
  await checkup("HA2", "m3", "2026-09-16T09:00:00Z", { debt: "roughly", work: "looking" });
  await checkup("HB1", "entry", "2026-03-06T09:00:00Z", { debt: "exactly" });
  // Erased on the member's request: its answers are gone and the round does not count.
  await checkup("HB1", "m3", "2026-06-06T09:00:00Z", {}, { erased: true });
}, 60_000);

afterAll(() => fx.close());

describe("work and training", () => {
  it("admin, July–December: enrolled, rate, completed, placement hours, by kind", async () => {
    const csv = await csvOf(await as(STAFF.admin), PERIOD, TRAINING);
    // Course: mA1 mA1b mA3 mB1; placement: mA2 (P1a P1 P2 P3), mA1 (P1); workshop: mA2. mA2's only
    // course place is in the cancelled S5; mA3's orientation is in May; mA3 cancelled, mA1b waits at W1.
    expect(csv.get("Persone iscritte")).toBe("5"); // mA1 mA1b mA3 mB1 mA2
    expect(csv.get("Famiglie con qualcuno iscritto")).toBe("4"); // HA1 HA3 HB1 HA2
    expect(csv.get("Persone iscritte · Corso di formazione")).toBe("4");
    expect(csv.get("Persone iscritte · Tirocinio retribuito")).toBe("2");
    expect(csv.get("Persone iscritte · Orientamento al lavoro")).toBe("0");
    expect(csv.get("Persone iscritte · Laboratorio sociale")).toBe("1");
    expect(csv.get("Famiglie con qualcuno iscritto · Corso di formazione")).toBe("3"); // HA1 HA3 HB1
    // Course marks: present 3 + 1 + 3 + 4 = 11, absent 1 + 2 + 0 + 0 = 3 (excused and S5 left out).
    expect(csv.get("Tasso di presenza · Corso di formazione")).toBe("78.57"); // 11 / 14
    // Placement: mA2 present P1a P1 P2, mA1 absent P1: 3 / 4.
    expect(csv.get("Tasso di presenza · Tirocinio retribuito")).toBe("75.00");
    expect(csv.get("Tasso di presenza")).toBe("77.78"); // 14 / 18
    expect(csv.get("Tasso di presenza · Orientamento al lavoro")).toBe(""); // nothing marked
    // C1 is over (S5 cancelled, S4 its last), its last session in September: mA1 3/4, mA3 3/4, mB1 4/4;
    // mA1b 1/4 no. C2 is not over (P3 on 20 December).
    expect(csv.get("Persone che hanno completato un corso")).toBe("3");
    expect(csv.get("Persone che hanno completato un corso · Corso di formazione")).toBe("3");
    expect(csv.get("Persone che hanno completato un corso · Tirocinio retribuito")).toBe("0");
    // 60 + 235 + 240 = 535 minutes = 8.9166… hours; P0 (June) left out.
    expect(csv.get("Ore nei tirocini retribuiti")).toBe("8.92");
    expect(csv.get("Ore nei tirocini retribuiti · Tirocinio retribuito")).toBe("8.92");
    expect(csv.has("Ore nei tirocini retribuiti · Corso di formazione")).toBe(false);
    // The .xlsx has the same rows as numbers: hours as hours, the rate as a percentage.
    const book = new ExcelJS.Workbook();
    const xlsx = await (await as(STAFF.admin)).get(`/results.xlsx?${PERIOD}`);
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const cells = new Map<string, [ExcelJS.CellValue, string]>();
    book.worksheets[0]?.eachRow((row) => {
      if (row.getCell(1).value === TRAINING)
        cells.set(String(row.getCell(2).value), [row.getCell(4).value, String(row.getCell(5).value)]);
    });
    expect(cells.get("Ore nei tirocini retribuiti")).toEqual([8.92, "ore"]);
    expect(cells.get("Tasso di presenza")).toEqual([0.7778, "percentuale"]);
    expect(cells.get("Persone iscritte")).toEqual([5, "persone"]);
    expect(cells.get("Tasso di presenza · Orientamento al lavoro")).toEqual([null, "percentuale"]);
    // To the minute, in the figures themselves.
    const f = await trainingFigures(t.db, clock, scope("admin", "admin", null), filterOf());
    expect(f.total.minutes).toBe(535);
    expect(f.byKind.find((k) => k.kind === "paid_placement")?.minutes).toBe(535);
    expect(f.total).toMatchObject({ enrolled: 5, households: 4, present: 14, absent: 4, completed: 3 });
  });

  it("period: May–June has the orientation meeting and June's placement day, not 1 July in Rome", async () => {
    const csv = await csvOf(await as(STAFF.admin), "from=2026-05&to=2026-06", TRAINING);
    expect(csv.get("Persone iscritte")).toBe("2"); // mA3 (O1), mA2 (P0)
    expect(csv.get("Tasso di presenza")).toBe("100.00"); // 2 / 2
    // C3 is over and its one session is in May: mA3 present 1/1. C1 ended in September.
    expect(csv.get("Persone che hanno completato un corso")).toBe("1");
    expect(csv.get("Persone che hanno completato un corso · Orientamento al lavoro")).toBe("1");
    expect(csv.get("Ore nei tirocini retribuiti")).toBe("3.00"); // P0: 180 minutes
    const july = await trainingFigures(
      t.db,
      clock,
      scope("admin", "admin", null),
      filterOf({ from: "2026-07", to: "2026-07" }),
    );
    expect(july.total.minutes).toBe(60); // P1a: 22:30 UTC on 30 June is 00:30 on 1 July in Rome
  });

  it("filters: municipality, cohort; scope: office A, office B, an office with no households", async () => {
    const admin = await as(STAFF.admin);
    const salo = await csvOf(admin, `${PERIOD}&municipality=${encodeURIComponent("Salò")}`, TRAINING);
    expect(salo.get("Persone iscritte")).toBe("1"); // mA2
    expect(salo.get("Tasso di presenza")).toBe("100.00"); // P1a P1 P2: 3 / 3
    expect(salo.get("Ore nei tirocini retribuiti")).toBe("8.92");
    expect(salo.get("Persone che hanno completato un corso")).toBe("0");
    const march = await csvOf(admin, `${PERIOD}&cohort=2026-03`, TRAINING); // HA1 HA3 HB1
    expect(march.get("Persone iscritte")).toBe("4");
    expect(march.get("Famiglie con qualcuno iscritto")).toBe("3");
    expect(march.get("Tasso di presenza")).toBe("73.33"); // course 11 + placement 0 over 14 + 1
    expect(march.get("Ore nei tirocini retribuiti")).toBe("0.00");
    expect(march.get("Persone che hanno completato un corso")).toBe("3");

    const a = await csvOf(await as(STAFF.operatorA), PERIOD, TRAINING); // HA1 HA2 HA3
    expect(a.get("Persone iscritte")).toBe("4"); // mA1 mA1b mA3 mA2
    expect(a.get("Famiglie con qualcuno iscritto")).toBe("3");
    expect(a.get("Tasso di presenza")).toBe("71.43"); // (7 + 3) / (10 + 4)
    expect(a.get("Persone che hanno completato un corso")).toBe("2"); // mA1 mA3
    const b = await csvOf(await as(STAFF.operatorB), PERIOD, TRAINING); // HB1
    expect(b.get("Persone iscritte")).toBe("1");
    expect(b.get("Tasso di presenza")).toBe("100.00");
    expect(b.get("Ore nei tirocini retribuiti")).toBe("0.00");
    // Office C has no household: nothing, and nothing divided by zero.
    const c = await csvOf(await as(STAFF.operatorC), PERIOD, TRAINING);
    expect(c.get("Persone iscritte")).toBe("0");
    expect(c.get("Famiglie con qualcuno iscritto")).toBe("0");
    expect(c.get("Tasso di presenza")).toBe("");
    expect(c.get("Persone che hanno completato un corso")).toBe("0");
    expect(c.get("Ore nei tirocini retribuiti")).toBe("0.00");
    const page = await (await as(STAFF.operatorC)).get(`/results?${PERIOD}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(
      /<tr data-figure="training\.rate"><th scope="row">Tasso di presenza<\/th><td class="num" data-label="Valore">—<\/td>/,
    );
  });
});

/** A check-up table's cells on the page: option → round → text. */
function tableOf(body: string, question: string, cohort: string): Map<string, Map<string, string>> {
  const start = body.indexOf(`<table data-question="${question}" data-cohort="${cohort}">`);
  expect(start, `${question} ${cohort}`).toBeGreaterThanOrEqual(0);
  const table = body.slice(start, body.indexOf("</table>", start));
  const cells = new Map<string, Map<string, string>>();
  for (const row of table.matchAll(/<tr data-option="([^"]+)">(.*?)<\/tr>/gs)) {
    const byRound = new Map<string, string>();
    for (const cell of (row[2] ?? "").matchAll(/data-round="([^"]+)">([^<]*)<\/td>/g))
      byRound.set(cell[1] ?? "", cell[2] ?? "");
    cells.set(row[1] ?? "", byRound);
  }
  return cells;
}

describe("self-assessment", () => {
  const adminScope = () => scope("admin", "admin", null);

  it("admin, the whole year: answers per round, share per option, entry vs latest, by cohort", async () => {
    const f = await checkupFigures(t.db, clock, adminScope(), filterOf({ from: "2026-01", to: "2026-12" }));
    const debt = f.all.questions.find((q) => q.key === "debt");
    const counts = (round: string) =>
      debt?.rounds.find((r) => r.round === round)?.options.map((o) => [o.option, o.count]);
    // Entry: HA1 not_really, HA3 roughly, HA2 roughly, HB1 exactly (HB1's m3 was erased).
    expect(counts("entry")).toEqual([
      ["exactly", 1],
      ["roughly", 2],
      ["not_really", 1],
    ]);
    expect(debt?.rounds.map((r) => r.answered)).toEqual([4, 3, 1, 0]); // m3 HA1 HA3 HA2; m9 HA1
    // Latest vs entry: HA1 m9 exactly vs not_really (better), HA3 m3 not_really vs roughly (worse),
    // HA2 m3 roughly vs roughly (same); HB1 has no later round.
    expect(debt?.comparison).toEqual({ compared: 3, better: 1, same: 1, worse: 1 });
    expect(f.all.questions.find((q) => q.key === "work")?.comparison).toBeNull();
    // HA3's "bogus" papers answer is left out.
    expect(f.all.questions.find((q) => q.key === "papers")?.rounds.every((r) => r.answered === 0)).toBe(true);
    expect(f.cohorts.map((c) => c.cohort)).toEqual(["2026-03", "2026-06"]);
    const march = f.cohorts[0]?.questions.find((q) => q.key === "debt");
    expect(march?.rounds.map((r) => r.answered)).toEqual([3, 2, 1, 0]);
    expect(march?.comparison).toEqual({ compared: 2, better: 1, same: 0, worse: 1 });
    expect(f.cohorts[1]?.questions.find((q) => q.key === "debt")?.comparison).toEqual({
      compared: 1,
      better: 0,
      same: 1,
      worse: 0,
    });

    const admin = await as(STAFF.admin);
    const csv = await csvOf(admin, YEAR, CHECKUP);
    const all = "tutti i mesi d’ingresso";
    expect(csv.get(`Conosce il debito · All'ingresso · Famiglie che hanno risposto · ${all}`)).toBe("4");
    expect(csv.get(`Conosce il debito · All'ingresso · Sì, con precisione · ${all}`)).toBe("25.00");
    expect(csv.get(`Conosce il debito · All'ingresso · Più o meno · ${all}`)).toBe("50.00");
    expect(csv.get(`Conosce il debito · Dopo 3 mesi · Più o meno · ${all}`)).toBe("66.67"); // 2 / 3
    expect(csv.get(`Conosce il debito · Dopo 3 mesi · Non proprio · ${all}`)).toBe("33.33");
    expect(csv.get(`Conosce il debito · Dopo 15 mesi · Famiglie che hanno risposto · ${all}`)).toBe("0");
    expect(csv.get(`Conosce il debito · Dopo 15 mesi · Più o meno · ${all}`)).toBe("");
    expect(csv.get(`Conosce il debito · Risposta migliore · ${all}`)).toBe("1");
    expect(csv.get(`Conosce il debito · Famiglie confrontate · ingresso 2026-03`)).toBe("2");
    expect(csv.get(`Conosce il debito · All'ingresso · Non proprio · ingresso 2026-03`)).toBe("33.33");
    // work: entry looking, stable, cannot_work; m3 looking (HA1, HA2), occasional (HA3).
    expect(csv.get(`Lavoro in famiglia · Dopo 3 mesi · Cerchiamo lavoro · ${all}`)).toBe("66.67");
    expect(csv.has(`Lavoro in famiglia · Famiglie confrontate · ${all}`)).toBe(false);

    const page = await admin.get(`/results?${YEAR}`);
    const table = tableOf(page.body, "debt", "all");
    expect(table.get("exactly")?.get("entry")).toBe("1 (25%)");
    expect(table.get("roughly")?.get("m3")).toBe("2 (66,7%)");
    expect(table.get("exactly")?.get("m15")).toBe("—");
    expect(table.get("answered")?.get("entry")).toBe("4");
    expect(tableOf(page.body, "debt", "2026-06").get("roughly")?.get("m3")).toBe("1 (100%)");
    expect(page.body).toContain(
      '<details data-cohort="2026-03"><summary>Mese di ingresso: 2026-03</summary>',
    );
  });

  it("period: July–December counts the rounds started then, compared with entry whenever it was", async () => {
    const f = await checkupFigures(t.db, clock, adminScope(), filterOf());
    const debt = f.all.questions.find((q) => q.key === "debt");
    // Entry rounds all started before July; m3 HA2 (September); HA1 and HA3's m3 were in June; m9 HA1.
    expect(debt?.rounds.map((r) => r.answered)).toEqual([0, 1, 1, 0]);
    // HA1: m9 exactly vs not_really, better; HA2: same; HA3's only later round is out of the period.
    expect(debt?.comparison).toEqual({ compared: 2, better: 1, same: 1, worse: 0 });
  });

  it("filters and scope: cohort, municipality, office B, an office with nothing", async () => {
    const june = await checkupFigures(
      t.db,
      clock,
      adminScope(),
      filterOf({ from: "2026-01", to: "2026-12", cohort: "2026-06" }),
    );
    expect(june.cohorts).toEqual([]); // the chosen cohort only, no breakdown
    expect(june.all.cohort).toBe("2026-06");
    expect(june.all.questions.find((q) => q.key === "debt")?.rounds.map((r) => r.answered)).toEqual([
      1, 1, 0, 0,
    ]);
    const page = await (await as(STAFF.admin)).get(`/results?${YEAR}&cohort=2026-06`);
    expect(tableOf(page.body, "debt", "2026-06").get("roughly")?.get("entry")).toBe("1 (100%)");
    expect(page.body).not.toContain('data-cohort="all"');

    const salo = await csvOf(
      await as(STAFF.operatorA),
      `${YEAR}&municipality=${encodeURIComponent("Salò")}`,
      CHECKUP,
    );
    expect(
      salo.get("Conosce il debito · All'ingresso · Famiglie che hanno risposto · tutti i mesi d’ingresso"),
    ).toBe("1");
    expect(
      salo.get("Lavoro in famiglia · All'ingresso · Ora non possiamo lavorare · tutti i mesi d’ingresso"),
    ).toBe("100.00");

    const b = await checkupFigures(
      t.db,
      clock,
      scope("operatorB", "operator", office.B),
      filterOf({ from: "2026-01" }),
    );
    const bDebt = b.all.questions.find((q) => q.key === "debt");
    expect(bDebt?.rounds.map((r) => r.answered)).toEqual([1, 0, 0, 0]); // HB1's entry; its m3 erased
    expect(bDebt?.comparison).toEqual({ compared: 0, better: 0, same: 0, worse: 0 });

    const c = await csvOf(await as(STAFF.operatorC), YEAR, CHECKUP);
    expect(
      c.get("Conosce il debito · All'ingresso · Famiglie che hanno risposto · tutti i mesi d’ingresso"),
    ).toBe("0");
    expect(c.get("Conosce il debito · All'ingresso · Sì, con precisione · tutti i mesi d’ingresso")).toBe("");
    expect(c.get("Conosce il debito · Famiglie confrontate · tutti i mesi d’ingresso")).toBe("0");
    const empty = await (await as(STAFF.operatorC)).get(`/results?${YEAR}`);
    expect(empty.statusCode).toBe(200);
    expect(tableOf(empty.body, "debt", "all").get("exactly")?.get("entry")).toBe("—");
    expect(empty.body).not.toContain("NaN");
  });
});

describe("the page", () => {
  it("a coordinator sees both sections with definitions, charts and accessible tables; English too", async () => {
    const coordinator = await as(STAFF.coordinatorA);
    const page = await coordinator.get(`/results?${PERIOD}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h2 id="training-title">Lavoro e formazione</h2>');
    expect(page.body).toContain('<h2 id="checkup-title">Autovalutazione (check-up)</h2>');
    // Office A: mA1 mA1b mA3 mA2; 535 minutes = 8,92 hours.
    expect(page.body).toMatch(
      /<tr data-figure="training\.enrolled"><th scope="row">Persone iscritte<\/th><td class="num" data-label="Valore">4<\/td>/,
    );
    expect(page.body).toMatch(
      /data-figure="training\.placementHours">.*?<td class="num" data-label="Valore">8,92<\/td>/s,
    );
    expect(page.body).toContain("almeno il 75% degli incontri");
    expect(page.body).toContain('aria-labelledby="training-caption"');
    expect(page.body).toContain('aria-labelledby="checkup-caption"');
    // The caption says the chart in words.
    expect(page.body).toMatch(
      /<figcaption id="training-caption">Persone iscritte per tipo di attività: Corso di formazione 3, Tirocinio retribuito 2, Orientamento al lavoro 0, Laboratorio sociale 1\./,
    );
    expect(page.body).toMatch(/<figcaption id="checkup-caption">[^<]*Conosce il debito 1 su 2/);
    expect(page.body).toContain('<tr data-kind="paid_placement"><th scope="row">Tirocinio retribuito</th>');
    expect(page.body).not.toContain("Famiglia HB1");
    const en = await coordinator.get(`/results?${PERIOD}&lang=en`);
    expect(en.body).toContain("Hours in paid placements");
    expect(en.body).toContain("Entry and latest check-up compared");
    expect(en.body).toMatch(
      /data-figure="training\.placementHours">.*?<td class="num" data-label="Value">8\.92<\/td>/s,
    );
  });
});

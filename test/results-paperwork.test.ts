// The results dashboard's "paperwork" and "spending" sections on a hand-made data set: eight
// households over two offices, papers of five types (one the panel added without a name) with due
// dates around today and changes around midnight in Rome, and budget entries over four months. Every
// expected figure below was worked out by hand from the data (the arithmetic is written out), not
// by calling core/results/. Then the export rows, the CSV and the page as a coordinator.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import { ensureDocumentRequirements } from "../core/documents.ts";
import { translator } from "../core/i18n.ts";
import type { StaffScope } from "../core/offices/scope.ts";
import type { CsvRow } from "../core/results/csv.ts";
import type { ResultsFilter } from "../core/results/filter.ts";
import { type PaperworkFigures, paperworkSection } from "../core/results/paperwork.ts";
import { MIN_HOUSEHOLDS_FOR_AMOUNTS, type Spending, spendingSection } from "../core/results/spending.ts";
import type { TestDatabase } from "./support/db.ts";
import { resultsFixture } from "./support/results-fixture.ts";

const STAFF = {
  coordinatorA: "coord.a@carte.example",
  operatorB: "op.b@carte.example",
  admin: "admin@carte.example",
} as const;
/** "Today": 15 December 2026, 11:00 in Rome. */
const NOW = new Date("2026-12-15T10:00:00Z");
const clock = fixedClock(NOW);
const PERIOD = "from=2026-09&to=2026-12";

const fx = resultsFixture({
  clock,
  offices: ["A", "B"],
  staff: {
    emails: STAFF,
    roles: [
      ["coordinatorA", "coordinator", "A"],
      ["operatorB", "operator", "B"],
      ["admin", "admin", null],
    ],
  },
});
const { office, as } = fx;
let t: TestDatabase;
const hid: Record<string, number> = {};
const mid: Record<string, number> = {};
let telegramId = 7_000_000n;

const d = (iso: string) => new Date(`${iso}T00:00:00Z`);

const scopeA: () => StaffScope = () => ({ staffId: 1, role: "coordinator", officeId: office.A });
const scopeB: () => StaffScope = () => ({ staffId: 2, role: "operator", officeId: office.B });
const adminScope: StaffScope = { staffId: 3, role: "admin", officeId: null };

function filter(over: Partial<ResultsFilter> = {}): ResultsFilter {
  return { officeId: null, municipality: null, cohort: null, from: "2026-09", to: "2026-12", ...over };
}

async function household(key: string, municipality: string, officeId: number, linkedAt?: string) {
  const h = await t.db.household.create({
    data: {
      contractCode: `C-${key}`,
      name: `Famiglia ${key}`,
      fiscalCode: "RSSMRA80A01B157Y",
      municipality,
      address: "Via Prova 1",
      officeId,
    },
  });
  hid[key] = h.id;
  if (linkedAt) {
    telegramId += 1n;
    const member = await t.db.member.create({
      data: {
        telegramUserId: telegramId,
        chatId: telegramId,
        householdId: h.id,
        linkedAt: new Date(linkedAt),
      },
    });
    mid[key] = member.id;
  }
}

/** A paper with its last change at `updatedAt` (the row's own clock is not the test's). */
async function paper(
  key: string,
  requirement: string,
  status: string,
  due: string | null,
  updatedAt: string,
) {
  const req = await t.db.documentRequirement.findUniqueOrThrow({ where: { key: requirement } });
  await t.db.$executeRawUnsafe(
    `INSERT INTO "HouseholdDocument" ("householdId", "requirementId", "status", "dueDate", "updatedAt")
     VALUES ($1, $2, $3::"DocumentStatus", $4::date, $5::timestamptz)`,
    hid[key],
    req.id,
    status,
    due,
    updatedAt,
  );
}

async function entry(key: string, kind: "expense" | "income", category: string, cents: number, on: string) {
  await t.db.budgetEntry.create({
    data: {
      householdId: hid[key] as number,
      memberId: mid[key] as number,
      kind,
      category,
      amountCents: cents,
      occurredOn: d(on),
    },
  });
}

beforeAll(async () => {
  t = await fx.open();
  await ensureDocumentRequirements(t.db);
  // A requirement the panel added, with no name in locales/: shown by its key. Last in the list.
  await t.db.documentRequirement.create({ data: { key: "bank_statement", sortOrder: 9 } });

  // Office A: Brescia H1–H5, Salò H6 H7. Cohorts (first link, Rome): March H1 H2 H3, May H4 H5 H6.
  await household("H1", "Brescia", office.A, "2026-03-10T09:00:00Z");
  await household("H2", "Brescia", office.A, "2026-03-20T09:00:00Z");
  await household("H3", "Brescia", office.A, "2026-03-31T21:30:00Z"); // 23:30 on 31 March in Rome
  await household("H4", "Brescia", office.A, "2026-05-02T09:00:00Z");
  await household("H5", "Brescia", office.A, "2026-05-20T09:00:00Z");
  await household("H6", "Salò", office.A, "2026-05-25T09:00:00Z");
  await household("H7", "Salò", office.A); // no member linked
  // Office B.
  await household("H8", "Cremona", office.B, "2026-03-05T09:00:00Z");

  // Papers (today is 2026-12-15 in Rome).
  await paper("H1", "isee", "verified", "2026-11-30", "2026-11-20T10:00:00Z"); // on time
  // 23:30 UTC on 30 Nov is 00:30 on 1 Dec in Rome: late, though the UTC day is the due day.
  await paper("H1", "income_declaration", "received", "2026-11-30", "2026-11-30T23:30:00Z");
  await paper("H1", "payment_receipts", "requested", "2026-12-10", "2026-11-01T10:00:00Z"); // overdue
  await paper("H2", "isee", "received", null, "2026-12-01T10:00:00Z"); // no due date: on time
  await paper("H2", "income_declaration", "verified", "2026-12-31", "2026-12-14T10:00:00Z"); // on time
  await paper("H3", "isee", "missing", "2026-12-15", "2026-11-01T10:00:00Z"); // due today: not overdue
  await paper("H3", "payment_receipts", "requested", null, "2026-11-01T10:00:00Z"); // no due date: not overdue
  await paper("H4", "isee", "requested", "2026-12-14", "2026-11-01T10:00:00Z"); // overdue
  // 22:30 UTC on 30 Nov is 23:30 on 30 Nov in Rome: on time.
  await paper("H4", "bank_statement", "verified", "2026-11-30", "2026-11-30T22:30:00Z");
  await paper("H6", "isee", "verified", "2026-10-31", "2026-11-05T10:00:00Z"); // complete, late
  await paper("H7", "income_declaration", "missing", "2026-12-01", "2026-11-01T10:00:00Z"); // overdue
  await paper("H8", "isee", "requested", "2026-11-01", "2026-10-01T10:00:00Z"); // overdue
  await paper("H8", "payment_receipts", "received", null, "2026-10-01T10:00:00Z"); // on time

  // Budget. September: nothing. August: before the period.
  await entry("H1", "expense", "food", 99_999, "2026-08-31");
  // October: H1–H5 spend (5 households: amounts shown), H6 only income.
  await entry("H1", "expense", "food", 10_000, "2026-10-01");
  await entry("H1", "expense", "rent", 40_000, "2026-10-03");
  await entry("H2", "expense", "utilities", 5_050, "2026-10-10");
  await entry("H2", "expense", "leisure", 2_000, "2026-10-11");
  await entry("H3", "expense", "personal_clothing", 3_000, "2026-10-12");
  await entry("H4", "expense", "transport", 1_500, "2026-10-13");
  await entry("H4", "expense", "other", 2_500, "2026-10-14");
  await entry("H5", "expense", "food", 7_000, "2026-10-31");
  await entry("H6", "income", "other", 5_000, "2026-10-01"); // "other" income is no expense
  // November: H1–H3 spend, H4 only income: 3 households spending, amounts withheld.
  await entry("H1", "expense", "food", 5_000, "2026-11-01");
  await entry("H2", "expense", "rent", 30_000, "2026-11-15");
  await entry("H3", "expense", "loans", 1_000, "2026-11-30");
  await entry("H4", "income", "pension", 80_000, "2026-11-02");
  // December: H1–H6 spend.
  await entry("H1", "expense", "health", 2_000, "2026-12-01");
  await entry("H2", "expense", "food", 3_000, "2026-12-02");
  await entry("H3", "expense", "food", 4_000, "2026-12-03");
  await entry("H4", "expense", "school_children", 6_000, "2026-12-04");
  await entry("H5", "expense", "leisure", 1_000, "2026-12-05");
  // A category outside the lists (older data): not fixed, so flexible, as /summary counts it.
  await entry("H6", "expense", "gifts", 500, "2026-12-06");
  // Office B.
  await entry("H8", "expense", "food", 1_000, "2026-10-05");
  await entry("H8", "expense", "rent", 50_000, "2026-12-05");
}, 60_000);

afterAll(() => fx.close());

/** Per type: [asked, complete, onTime, overdue]. */
function byType(f: PaperworkFigures): Record<string, number[]> {
  return Object.fromEntries(f.types.map((x) => [x.key, [x.asked, x.complete, x.onTime, x.overdue]]));
}

function paperwork(scope: StaffScope, over: Partial<ResultsFilter> = {}) {
  return paperworkSection.compute(t.db, clock, scope, filter(over));
}
function spending(scope: StaffScope, over: Partial<ResultsFilter> = {}) {
  return spendingSection.compute(t.db, clock, scope, filter(over));
}
/** Month → [keeping, expenseCents, flexibleCents]. */
function months(s: Spending): Record<string, (number | null)[]> {
  return Object.fromEntries(s.months.map((m) => [m.month, [m.keeping, m.expenseCents, m.flexibleCents]]));
}

describe("paperwork, worked out by hand", () => {
  it("office A: by type, in total and per household", async () => {
    const f = await paperwork(scopeA());
    expect(byType(f)).toEqual({
      // Asked H1 H2 H3 H4 H6; complete H1 H2 H6; on time H1 (before due) H2 (no due); overdue H4 (H3 due today).
      isee: [5, 3, 2, 1],
      // Asked H1 H2 H7; complete H1 H2; on time H2 (H1 changed on 1 Dec in Rome); overdue H7.
      income_declaration: [3, 2, 1, 1],
      // Asked H1 H3; none complete; overdue H1 (H3 has no due date).
      payment_receipts: [2, 0, 0, 1],
      contract: [0, 0, 0, 0],
      // H4, changed at 23:30 on the due day in Rome.
      bank_statement: [1, 1, 1, 0],
    });
    expect(f.types.map((x) => x.key)).toEqual([
      "isee",
      "income_declaration",
      "payment_receipts",
      "contract",
      "bank_statement",
    ]);
    // 5+3+2+0+1 = 11; 3+2+0+0+1 = 6; 2+1+0+0+1 = 4; 1+1+1+0+0 = 3.
    expect(f.total).toEqual({ asked: 11, complete: 6, onTime: 4, overdue: 3 });
    expect(f.withPapers).toBe(6); // H1 H2 H3 H4 H6 H7 (H5 has none)
    expect(f.allComplete).toBe(2); // H2, H6 (late still complete)
    expect(f.anyOverdue).toBe(3); // H1, H4, H7
  });

  it("admin sees both offices; an operator of office B sees only H8", async () => {
    const all = await paperwork(adminScope);
    // Office A + H8: isee requested and overdue, receipts received without due date.
    expect(byType(all).isee).toEqual([6, 3, 2, 2]);
    expect(byType(all).payment_receipts).toEqual([3, 1, 1, 1]);
    expect(all.total).toEqual({ asked: 13, complete: 7, onTime: 5, overdue: 4 });
    expect([all.withPapers, all.allComplete, all.anyOverdue]).toEqual([7, 2, 4]);
    const b = await paperwork(scopeB());
    expect(byType(b)).toEqual({
      isee: [1, 0, 0, 1],
      income_declaration: [0, 0, 0, 0],
      payment_receipts: [1, 1, 1, 0],
      contract: [0, 0, 0, 0],
      bank_statement: [0, 0, 0, 0],
    });
    expect([b.withPapers, b.allComplete, b.anyOverdue]).toEqual([1, 0, 1]);
    // Asking for office A's households does not widen an operator of B's view.
    expect((await paperwork(scopeB(), { officeId: office.A })).total.asked).toBe(0);
  });

  it("filters: municipality and entry cohort", async () => {
    const salo = await paperwork(scopeA(), { municipality: "Salò" }); // H6, H7
    expect(byType(salo)).toMatchObject({ isee: [1, 1, 0, 0], income_declaration: [1, 0, 0, 1] });
    expect(salo.total).toEqual({ asked: 2, complete: 1, onTime: 0, overdue: 1 });
    expect([salo.withPapers, salo.allComplete, salo.anyOverdue]).toEqual([2, 1, 1]);
    const may = await paperwork(scopeA(), { cohort: "2026-05" }); // H4 H5 H6
    expect(byType(may)).toMatchObject({ isee: [2, 1, 0, 1], bank_statement: [1, 1, 1, 0] });
    expect(may.total).toEqual({ asked: 3, complete: 2, onTime: 1, overdue: 1 });
    expect([may.withPapers, may.allComplete, may.anyOverdue]).toEqual([2, 1, 1]);
    // H3 linked at 23:30 on 31 March in Rome: the March cohort (H1 H2 H3).
    const march = await paperwork(scopeA(), { cohort: "2026-03" });
    expect(march.total).toEqual({ asked: 7, complete: 4, onTime: 3, overdue: 1 });
  });

  it("no documents: zeros, no division", async () => {
    const none = await paperwork(scopeA(), { cohort: "2026-01" });
    expect(none.total).toEqual({ asked: 0, complete: 0, onTime: 0, overdue: 0 });
    expect([none.withPapers, none.allComplete, none.anyOverdue]).toEqual([0, 0, 0]);
    expect(none.types).toHaveLength(5);
  });
});

describe("spending, worked out by hand", () => {
  it("office A, month by month and over the period", async () => {
    expect(MIN_HOUSEHOLDS_FOR_AMOUNTS).toBe(5);
    const s = await spending(scopeA());
    expect(s.linked).toBe(6); // H1–H6; H7 has no member
    expect(months(s)).toEqual({
      "2026-09": [0, null, null], // no entries
      // H1–H6 (H6 income only); expenses 10000+40000+5050+2000+3000+1500+2500+7000 = 71050;
      // flexible food, leisure, clothing, other, food: 10000+2000+3000+2500+7000 = 24500.
      "2026-10": [6, 71_050, 24_500],
      // H1–H4 keep it, but only H1–H3 spend: withheld.
      "2026-11": [4, null, null],
      // 2000+3000+4000+6000+1000+500 = 16500; flexible 3000+4000+1000+500 = 8500.
      "2026-12": [6, 16_500, 8_500],
    });
    expect(s.months[2]?.spending).toBe(3);
    // Period: H1–H6 spend; 71050 + (5000+30000+1000) + 16500 = 123550; 24500 + 5000 + 8500 = 38000.
    expect(s.period).toEqual({ keeping: 6, spending: 6, expenseCents: 123_550, flexibleCents: 38_000 });
  });

  it("admin adds office B's H8; an operator of office B sees none of office A's", async () => {
    const all = await spending(adminScope);
    expect(all.linked).toBe(7);
    expect(months(all)).toEqual({
      "2026-09": [0, null, null],
      "2026-10": [7, 72_050, 25_500],
      "2026-11": [4, null, null],
      "2026-12": [7, 66_500, 8_500],
    });
    expect(all.period).toEqual({ keeping: 7, spending: 7, expenseCents: 174_550, flexibleCents: 39_000 });
    const b = await spending(scopeB());
    expect(b.linked).toBe(1);
    expect(months(b)).toEqual({
      "2026-09": [0, null, null],
      "2026-10": [1, null, null],
      "2026-11": [0, null, null],
      "2026-12": [1, null, null],
    });
    expect(b.period).toEqual({ keeping: 1, spending: 1, expenseCents: null, flexibleCents: null });
  });

  it("filters: municipality, cohort, period", async () => {
    const brescia = await spending(scopeA(), { municipality: "Brescia" }); // H1–H5
    expect(brescia.linked).toBe(5);
    expect(months(brescia)).toEqual({
      "2026-09": [0, null, null],
      "2026-10": [5, 71_050, 24_500],
      "2026-11": [4, null, null],
      "2026-12": [5, 16_000, 8_000], // without H6's 500
    });
    const salo = await spending(scopeA(), { municipality: "Salò" }); // H6, H7
    expect(months(salo)).toEqual({
      "2026-09": [0, null, null],
      "2026-10": [1, null, null],
      "2026-11": [0, null, null],
      "2026-12": [1, null, null],
    });
    const may = await spending(scopeA(), { cohort: "2026-05" }); // H4 H5 H6
    expect(may.months.map((m) => m.keeping)).toEqual([0, 3, 1, 3]);
    expect(may.period.keeping).toBe(3);
    expect(may.period.expenseCents).toBeNull(); // 3 households spending
    const october = await spending(scopeA(), { from: "2026-10", to: "2026-10" });
    expect(october.months.map((m) => m.month)).toEqual(["2026-10"]);
    expect(october.period).toEqual({ keeping: 6, spending: 5, expenseCents: 71_050, flexibleCents: 24_500 });
    // From August: H1's 99999 on 31 August counts, in August.
    const august = await spending(scopeA(), { from: "2026-08", to: "2026-08" });
    expect(months(august)).toEqual({ "2026-08": [1, null, null] });
  });

  it("no households: zeros and nothing to divide", async () => {
    const none = await spending(scopeA(), { cohort: "2026-01" });
    expect(none.linked).toBe(0);
    expect(none.period).toEqual({ keeping: 0, spending: 0, expenseCents: null, flexibleCents: null });
    expect(none.months.every((m) => m.keeping === 0 && m.expenseCents === null)).toBe(true);
  });
});

describe("export rows", () => {
  const label = (key: string) => translator("it", "resultsAdmin")(key);
  const asMap = (rows: CsvRow[]) =>
    new Map(rows.map((r) => [`${r.figure}|${r.month}`, `${r.value} ${r.unit}`]));

  it("paperwork: per type (households), total (documents), households", async () => {
    const rows = paperworkSection.rows(await paperwork(scopeA()), label);
    expect(rows.every((r) => r.section === "Documenti" && r.month === "")).toBe(true);
    const m = asMap(rows);
    expect(m.get("ISEE · Richiesti|")).toBe("5 households");
    expect(m.get("ISEE · Completi|")).toBe("3 households");
    expect(m.get("ISEE · Completi in tempo|")).toBe("2 households");
    expect(m.get("ISEE · Scaduti|")).toBe("1 households");
    expect(m.get("Anagrafe utenza · Completi in tempo|")).toBe("1 households");
    expect(m.get("Contratto di affitto · Richiesti|")).toBe("0 households");
    expect(m.get("bank_statement · Completi|")).toBe("1 households");
    expect(m.get("Tutti i documenti · Richiesti|")).toBe("11 documents");
    expect(m.get("Tutti i documenti · Scaduti|")).toBe("3 documents");
    expect(m.get("Famiglie con tutti i documenti completi|")).toBe("2 households");
    expect(m.get("Famiglie con almeno un documento scaduto|")).toBe("3 households");
    expect(rows).toHaveLength(5 * 4 + 4 + 3);
  });

  it("spending: period and months, cents and percentages, empty where withheld", async () => {
    const m = asMap(spendingSection.rows(await spending(scopeA()), label));
    expect(m.get("Famiglie che possono tenere il bilancio|")).toBe("6 households");
    expect(m.get("Famiglie che tengono il bilancio nel periodo|")).toBe("6 households");
    expect(m.get("Spese nel periodo|")).toBe("123550 cents");
    expect(m.get("Spese variabili nel periodo|")).toBe("38000 cents");
    // 38000 / 123550 = 0.307568…
    expect(m.get("Quota delle spese variabili nel periodo|")).toBe("30.76 percent");
    expect(m.get("Famiglie che tengono il bilancio|2026-09")).toBe("0 households");
    expect(m.get("Spese|2026-09")).toBe(" cents");
    expect(m.get("Quota variabile|2026-09")).toBe(" percent");
    expect(m.get("Spese|2026-10")).toBe("71050 cents");
    expect(m.get("Spese variabili|2026-10")).toBe("24500 cents");
    expect(m.get("Quota variabile|2026-10")).toBe("34.48 percent"); // 24500 / 71050 = 0.344827…
    expect(m.get("Famiglie che tengono il bilancio|2026-11")).toBe("4 households");
    expect(m.get("Spese|2026-11")).toBe(" cents");
    expect(m.get("Quota variabile|2026-12")).toBe("51.52 percent"); // 8500 / 16500 = 0.515151…
  });

  it("the CSV carries both sections, within the person's scope", async () => {
    const csv = (await (await as(STAFF.operatorB)).get(`/results.csv?${PERIOD}`)).body;
    expect(csv).toContain("Documenti;ISEE · Richiesti;;1;famiglie");
    expect(csv).toContain("Bilancio familiare;Famiglie che tengono il bilancio;2026-10;1;famiglie");
    expect(csv).toContain("Bilancio familiare;Spese;2026-12;;centesimi di euro");
    const admin = (await (await as(STAFF.admin)).get(`/results.csv?${PERIOD}`)).body;
    expect(admin).toContain("Documenti;Tutti i documenti · Richiesti;;13;documenti");
    expect(admin).toContain("Bilancio familiare;Spese;2026-12;66500;centesimi di euro");
  });
});

describe("the page", () => {
  it("a coordinator sees both sections: tables with scope and captions, charts, definitions", async () => {
    const page = await (await as(STAFF.coordinatorA)).get(`/results?${PERIOD}`);
    expect(page.statusCode).toBe(200);
    const body = page.body;
    expect(body).toContain("<h2>Documenti</h2>");
    expect(body).toContain(
      '<tr data-paper="isee"><th scope="row">ISEE</th><td class="num" data-label="Richiesti">5</td><td class="num" data-label="Completi">3 (60%)</td><td class="num" data-label="Completi in tempo">2 (40%)</td><td class="num" data-label="Scaduti">1 (20%)</td></tr>',
    );
    expect(body).toContain(
      '<tr data-paper="contract"><th scope="row">Contratto di affitto</th><td class="num" data-label="Richiesti">0</td><td class="num" data-label="Completi">0 (—)</td>',
    );
    expect(body).toContain('<tr data-paper="bank_statement"><th scope="row">bank_statement</th>');
    expect(body).toContain(
      '<tr data-paper="total"><th scope="row">Tutti i documenti</th><td class="num" data-label="Richiesti">11</td>',
    );
    expect(body).toContain(
      '<tr data-figure="paperwork.allComplete"><th scope="row">Famiglie con tutti i documenti completi</th><td class="num" data-label="Valore">2 (33,3%)</td>',
    );
    expect(body).toContain(
      "un documento consegnato in tempo ma verificato dopo la scadenza conta come in ritardo",
    );
    expect(body).toContain('aria-labelledby="paperwork-caption"');
    expect(body).toContain("ISEE: richiesti 5, completi 3 (in tempo 2), scaduti 1.");
    expect(body).toContain("<caption>Per tipo di documento</caption>");

    expect(body).toContain("<h2>Bilancio familiare</h2>");
    expect(body).toContain(
      '<tr data-spending-month="2026-10"><th scope="row">2026-10</th><td class="num" data-label="Famiglie che tengono il bilancio">6</td><td class="num" data-label="Spese">710,50\u00a0€</td><td class="num" data-label="Spese variabili">245,00\u00a0€</td><td class="num" data-label="Quota variabile">34,5%</td></tr>',
    );
    expect(body).toContain(
      '<tr data-spending-month="2026-09"><th scope="row">2026-09</th><td class="num" data-label="Famiglie che tengono il bilancio">0</td><td class="num" data-label="Spese">—</td><td class="num" data-label="Spese variabili">—</td><td class="num" data-label="Quota variabile">—</td></tr>',
    );
    expect(body).toContain('<td class="num" data-label="Quota variabile">—</td></tr>');
    expect(body).toContain(
      '<tr data-figure="spending.flexibleSharePeriod"><th scope="row">Quota delle spese variabili nel periodo</th><td class="num" data-label="Valore">30,8%</td>',
    );
    expect(body).toContain("Cibo e casa, Igiene e vestiti, Tempo libero, Altro");
    expect(body).toContain("meno di 5 famiglie hanno annotato spese");
    expect(body).toContain("2026-09 —; 2026-10 34,5%; 2026-11 —; 2026-12 51,5%");
    expect(body).toContain('aria-labelledby="spending-caption"');
    // Every table has a caption and its headers a scope.
    const tables = body.match(/<table>[\s\S]*?<\/table>/g) ?? [];
    expect(tables.length).toBeGreaterThanOrEqual(6);
    for (const table of tables) {
      expect(table).toMatch(/<caption/);
      expect(table.match(/<th(?=[\s>])(?! scope="(col|row)")/g)).toBeNull();
    }
  });

  it("empty selection: the empty notice, dashes, no NaN; English", async () => {
    const empty = await (await as(STAFF.coordinatorA)).get(`/results?${PERIOD}&cohort=2026-01`);
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain("Nessun documento registrato per queste famiglie.");
    expect(empty.body).toContain("Nessun mese del periodo ha spese da mostrare");
    expect(empty.body).not.toContain('aria-labelledby="spending-caption"');
    expect(empty.body).not.toContain("NaN");
    expect(empty.body).not.toContain("Infinity");
    const en = await (await as(STAFF.admin)).get(`/results?${PERIOD}&lang=en`);
    expect(en.body).toContain("<h2>Paperwork</h2>");
    expect(en.body).toContain("<h2>Family budget</h2>");
    expect(en.body).toContain("Yearly income declaration (anagrafe utenza)");
    expect(en.body).toContain("Food and household, Personal care, clothes, Leisure, Other");
  });
});

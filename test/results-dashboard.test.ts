// The results dashboard (issue 12 item 3, first slice): awareness and arrears figures on a
// hand-made data set of 11 households over two offices and several months. Every expected figure
// below was worked out by hand from the data (the arithmetic is written out), not by calling
// core/results/. Then the route × role × office matrix and the CSV export.
import ExcelJS from "exceljs";
import * as mupdf from "mupdf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import { currentArrears } from "../core/debt.ts";
import { reallocate } from "../core/payments.ts";
import type { StaffClient } from "./support/admin-client.ts";
import type { TestDatabase } from "./support/db.ts";
import { resultsFixture } from "./support/results-fixture.ts";

const STAFF = {
  operatorA: "op.a@risultati.example",
  coordinatorB: "coord.b@risultati.example",
  admin: "admin@risultati.example",
  noOffice: "nessuno@risultati.example",
} as const;
/** "Today": 15 December 2026, 11:00 in Rome. Active since 15 November 10:00 UTC. */
const NOW = new Date("2026-12-15T10:00:00Z");
const PERIOD = "from=2026-07&to=2026-12";

const fx = resultsFixture({
  clock: fixedClock(NOW),
  offices: ["A", "B"],
  staff: {
    emails: STAFF,
    roles: [
      ["operatorA", "operator", "A"],
      ["coordinatorB", "coordinator", "B"],
      ["admin", "admin", null],
      ["noOffice", "operator", null],
    ],
  },
});
const { office, as } = fx;
let t: TestDatabase;
const hid: Record<string, number> = {};
let telegramId = 9_000_000n;

const d = (iso: string) => new Date(`${iso}T00:00:00Z`);

type Spec = {
  municipality: string;
  officeId: () => number | null;
  code?: boolean;
  linkedAt?: string;
  unlinkedMember?: boolean;
  balances?: [string, number, number][];
  payments?: [string, number][];
  plan?: { status: "active" | "broken"; installments: [string, number][] };
};

async function household(key: string, spec: Spec) {
  const h = await t.db.household.create({
    data: {
      contractCode: `R-${key}`,
      name: `Famiglia ${key}`,
      fiscalCode: "RSSMRA80A01B157Y",
      municipality: spec.municipality,
      address: "Via Prova 1",
      officeId: spec.officeId(),
    },
  });
  hid[key] = h.id;
  if (spec.code) {
    await t.db.linkCode.create({
      data: {
        householdId: h.id,
        codeHash: `hash-${key}`,
        expiresAt: d("2027-01-01"),
        ...(key === "H10" ? { revokedAt: d("2026-11-01") } : {}),
      },
    });
  }
  if (spec.linkedAt || spec.unlinkedMember) {
    telegramId += 1n;
    const member = await t.db.member.create({
      data: {
        telegramUserId: telegramId,
        chatId: telegramId,
        householdId: h.id,
        linkedAt: spec.linkedAt ? new Date(spec.linkedAt) : null,
      },
    });
    hid[`${key}.member`] = member.id;
  }
  for (const [date, rent, charges] of spec.balances ?? []) {
    await t.db.arrearsBalance.create({
      data: { householdId: h.id, balanceDate: d(date), rentCents: rent, chargesCents: charges },
    });
  }
  for (const [i, [date, cents]] of (spec.payments ?? []).entries()) {
    await t.db.payment.create({
      data: { householdId: h.id, paymentDate: d(date), amountCents: cents, reference: `${key}-${i}` },
    });
  }
  if (spec.plan) {
    await t.db.repaymentPlan.create({
      data: {
        householdId: h.id,
        planCode: `P-${key}`,
        status: spec.plan.status,
        installments: {
          create: spec.plan.installments.map(([date, cents], i) => ({
            number: i + 1,
            dueDate: d(date),
            amountCents: cents,
          })),
        },
      },
    });
  }
}

/** The CSV's rows as "figure|month" → value (the Italian labels: "Morosità oggi|"). */
async function csvOf(client: StaffClient, query: string): Promise<Map<string, string>> {
  const answer = await client.get(`/results.csv?${query}`);
  expect(answer.statusCode).toBe(200);
  expect(answer.headers["content-type"]).toMatch(/^text\/csv/);
  const lines = answer.body
    .replace(/^\uFEFF/, "")
    .trim()
    .split("\r\n");
  expect(lines[0]).toBe("Sezione;Cifra;Mese;Valore;Unità");
  return new Map(
    lines.slice(1).map((line) => {
      const [, figure, month, value] = line.split(";");
      return [`${figure}|${month}`, value ?? ""];
    }),
  );
}

beforeAll(async () => {
  t = await fx.open();
  const A = () => office.A;
  const B = () => office.B;
  // Office A (BS)
  await household("H1", {
    municipality: "Brescia",
    officeId: A,
    code: true,
    linkedAt: "2026-03-10T09:00:00Z",
    balances: [
      ["2026-03-01", 100000, 20000],
      ["2026-09-30", 80000, 10000],
    ],
    payments: [
      ["2026-10-15", 30000],
      ["2026-11-20", 25050],
    ],
    plan: {
      status: "active",
      installments: [
        ["2026-10-31", 30000],
        ["2026-11-30", 30000],
        ["2026-12-31", 30000],
      ],
    },
  });
  await household("H2", {
    municipality: "Salò",
    officeId: A,
    code: true,
    linkedAt: "2026-03-20T09:00:00Z",
    balances: [["2026-04-01", 50000, 0]],
    payments: [["2026-05-10", 50000]],
  });
  await household("H3", {
    municipality: "Brescia",
    officeId: A,
    linkedAt: "2026-05-02T09:00:00Z",
    balances: [
      ["2026-05-01", 200000, 0],
      ["2026-11-30", 210000, 0],
    ],
    plan: {
      status: "broken",
      installments: [
        ["2026-06-30", 50000],
        ["2026-07-31", 50000],
      ],
    },
  });
  await household("H4", {
    municipality: "Brescia",
    officeId: A,
    code: true,
    balances: [["2026-08-31", 30000, 5000]],
    // Falls due today: neither late nor counted as due yet.
    plan: { status: "active", installments: [["2026-12-15", 35000]] },
  });
  await household("H5", { municipality: "Brescia", officeId: A });
  await household("H6", {
    municipality: "Brescia",
    officeId: A,
    // 01:30 on 1 June in Rome: the June cohort, not May's.
    linkedAt: "2026-05-31T23:30:00Z",
    balances: [["2026-06-01", 40000, 0]],
    payments: [
      ["2026-07-05", 10000],
      ["2026-08-05", 10000],
      ["2026-09-05", 10000],
      ["2026-10-12", 10000],
    ],
    plan: {
      status: "active",
      installments: [
        ["2026-07-10", 10000],
        ["2026-08-10", 10000],
        ["2026-09-10", 10000],
        ["2026-10-10", 10000],
        ["2026-12-20", 10000],
      ],
    },
  });
  await household("H10", {
    municipality: "Brescia",
    officeId: A,
    code: true,
    unlinkedMember: true,
    balances: [["2026-12-01", 0, 0]],
    payments: [["2026-11-01", 5000]],
  });
  await household("H12", {
    municipality: "Salò",
    officeId: A,
    linkedAt: "2026-09-02T09:00:00Z",
    balances: [["2026-09-01", 10000, 0]],
    payments: [["2026-09-15", 15000]],
  });
  // Office B (CR)
  await household("H7", {
    municipality: "Cremona",
    officeId: B,
    linkedAt: "2026-03-15T09:00:00Z",
    balances: [["2026-03-01", 100000, 0]],
    payments: [["2026-04-01", 33333]],
  });
  await household("H8", {
    municipality: "Cremona",
    officeId: B,
    code: true,
    balances: [["2026-02-01", 15055, 0]],
  });
  // No office covers it: admins only.
  await household("H9", {
    municipality: "Altrove",
    officeId: () => null,
    linkedAt: "2026-03-01T09:00:00Z",
    balances: [["2026-03-01", 10000, 0]],
  });
  // Installments paid as the importers leave them (core/payments.ts).
  await reallocate(t.db, Object.values(hid));

  // Activity: what makes a linked household "active in the last 30 days" (since 2026-11-15T10:00Z).
  const member = (key: string) => hid[`${key}.member`] as number;
  await t.db.budgetEntry.create({
    data: {
      householdId: hid.H1 as number,
      memberId: member("H1"),
      kind: "expense",
      category: "food",
      amountCents: 1000,
      occurredOn: d("2026-12-10"),
      createdAt: new Date("2026-12-10T08:00:00Z"),
    },
  });
  // H2: only old activity and an operator's recent reply: not active.
  await t.db.budgetEntry.create({
    data: {
      householdId: hid.H2 as number,
      memberId: member("H2"),
      kind: "expense",
      category: "food",
      amountCents: 1000,
      occurredOn: d("2026-10-01"),
      createdAt: new Date("2026-10-01T08:00:00Z"),
    },
  });
  const caseH2 = await t.db.case.create({ data: { householdId: hid.H2 as number, topic: "operator" } });
  await t.db.caseMessage.create({
    data: { caseId: caseH2.id, author: "operator", text: "x", createdAt: new Date("2026-12-12T08:00:00Z") },
  });
  const caseH3 = await t.db.case.create({ data: { householdId: hid.H3 as number, topic: "operator" } });
  await t.db.caseMessage.create({
    data: { caseId: caseH3.id, author: "household", text: "x", createdAt: new Date("2026-12-01T08:00:00Z") },
  });
  await t.db.checkup.create({
    data: {
      householdId: hid.H6 as number,
      round: "m3",
      memberId: member("H6"),
      offeredAt: new Date("2026-12-13T08:00:00Z"),
      completedAt: new Date("2026-12-14T08:00:00Z"),
    },
  });
  const caseH7 = await t.db.case.create({
    data: { householdId: hid.H7 as number, topic: "operator", status: "closed" },
  });
  await t.db.caseSatisfaction.create({
    data: {
      caseId: caseH7.id,
      householdId: hid.H7 as number,
      askedAt: new Date("2026-12-04T08:00:00Z"),
      score: 5,
      answeredAt: new Date("2026-12-05T08:00:00Z"),
    },
  });
  // Exactly 30 days before now: still active.
  await t.db.budgetEntry.create({
    data: {
      householdId: hid.H12 as number,
      memberId: member("H12"),
      kind: "income",
      category: "salary",
      amountCents: 1000,
      occurredOn: d("2026-11-15"),
      createdAt: new Date("2026-11-15T10:00:00Z"),
    },
  });
}, 60_000);

afterAll(() => fx.close());

describe("figures, worked out by hand", () => {
  it("admin, every office: awareness, arrears now equal to /balance's, month by month", async () => {
    const csv = await csvOf(await as(STAFF.admin), PERIOD);
    // Invited: H1 H2 H4 H8 H10 (a code, even revoked) + H3 H6 H7 H9 H12 (linked, no code) = 10; H5 not.
    expect(csv.get("Famiglie invitate|")).toBe("10");
    // Linked: H1 H2 H3 H6 H7 H9 H12 (H10's member never linked).
    expect(csv.get("Famiglie collegate|")).toBe("7");
    // Active: H1 budget, H3 message, H6 check-up, H7 satisfaction, H12 budget at exactly 30 days.
    expect(csv.get("Attive negli ultimi 30 giorni|")).toBe("5");
    expect(csv.get("Famiglie con cifre della morosità|")).toBe("10");
    // Entry: 120000 + 50000 + 200000 + 35000 + 40000 + 100000 + 15055 + 10000 + 0 + 10000
    expect(csv.get("Morosità all’ingresso|")).toBe(
      String(120000 + 50000 + 200000 + 35000 + 40000 + 100000 + 15055 + 10000 + 0 + 10000),
    );
    expect(csv.get("Morosità all’ingresso|")).toBe("580055");
    // Now: H1 90000−30000−25050 = 34950; H3 210000; H4 35000; H7 100000−33333 = 66667; H8 15055; H9 10000;
    // H2, H6, H10, H12 nothing (H12 overpaid: 10000−15000 stays 0).
    expect(csv.get("Morosità oggi|")).toBe("371672");
    // The same as the sum of what /balance tells each household.
    let balanceSum = 0;
    for (const key of ["H1", "H2", "H3", "H4", "H5", "H6", "H7", "H8", "H9", "H10", "H12"]) {
      balanceSum += (await currentArrears(t.db, hid[key] as number))?.nowCents ?? 0;
    }
    expect(balanceSum).toBe(371672);
    // Recovered: H1 120000−34950 = 85050; H2 50000; H6 40000; H7 33333; H12 10000; H3 rose: 0.
    expect(csv.get("Recuperato|")).toBe("218383");
    // 218383 / 580055 = 0.376487…
    expect(csv.get("Recuperato in percentuale|")).toBe("37.65");
    // Settled: H2, H6, H12 (H10's arrears at entry were 0).
    expect(csv.get("Famiglie in regola|")).toBe("3");
    // H6: everything due is paid, the last falls due on 20/12; H4: its one installment falls due today.
    expect(csv.get("Piani in regola|")).toBe("2");
    expect(csv.get("Piani in ritardo|")).toBe("1"); // H1: 25050 of 30000 paid on the one due 30/11
    expect(csv.get("Piani decaduti|")).toBe("1"); // H3
    // Due before today: H1 Oct, Nov; H3 Jun, Jul; H6 Jul, Aug, Sep, Oct = 8. On time: H1 Oct (30000 by
    // 31/10), H6 Jul, Aug, Sep (10000 each by the 10th); H6 Oct was paid on 12/10: late.
    expect(csv.get("Rate scadute|")).toBe("8");
    expect(csv.get("Rate pagate puntualmente|")).toBe("4");
    const month = (figure: string) =>
      ["07", "08", "09", "10", "11", "12"].map((m) => csv.get(`${figure}|2026-${m}`));
    // Jul: H1 120000 + H3 200000 + H6 30000 + H7 66667 + H8 15055 + H9 10000; Aug: + H4 35000, H6 20000;
    // Sep: H1 90000, H6 10000; Oct: H1 60000, H6 0; Nov: H1 34950, H3 210000; Dec (to today) as Nov.
    expect(month("Dovuto a fine mese")).toEqual(["441722", "466722", "426722", "386722", "371672", "371672"]);
    // Jul H6; Aug H6; Sep H6 + H12 15000; Oct H1 30000 + H6; Nov H1 25050 + H10 5000.
    expect(month("Pagato nel mese")).toEqual(["10000", "10000", "25000", "40000", "30050", "0"]);
    expect(month("Rate scadute nel mese")).toEqual(["2", "1", "1", "2", "1", "0"]);
    expect(month("Di cui puntuali")).toEqual(["1", "1", "1", "1", "0", "0"]);
  });

  it("operator of office A: their office only, and another office's filter is refused", async () => {
    const operator = await as(STAFF.operatorA);
    for (const query of [PERIOD, `${PERIOD}&office=${office.B}`]) {
      const csv = await csvOf(operator, query);
      expect(csv.get("Famiglie invitate|")).toBe("7"); // H1 H2 H3 H4 H6 H10 H12
      expect(csv.get("Famiglie collegate|")).toBe("5"); // H1 H2 H3 H6 H12
      expect(csv.get("Attive negli ultimi 30 giorni|")).toBe("4"); // H1 H3 H6 H12
      expect(csv.get("Morosità all’ingresso|")).toBe(
        String(120000 + 50000 + 200000 + 35000 + 40000 + 0 + 10000),
      );
      expect(csv.get("Morosità oggi|")).toBe(String(34950 + 210000 + 35000));
      expect(csv.get("Recuperato|")).toBe(String(85050 + 50000 + 40000 + 10000));
    }
    const page = await operator.get(`/results?${PERIOD}&office=${office.B}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Puoi vedere solo le famiglie del tuo ufficio");
    expect(page.body).not.toContain('id="office"');
    // Figures on the page, formatted by the one money formatter, with their definitions.
    // 34950 + 210000 + 35000 = 279950 cents.
    expect(page.body).toContain(
      '<tr data-figure="arrears.now"><th scope="row">Morosità oggi</th><td class="num" data-label="Valore">2.799,50\u00a0€</td>',
    );
    expect(page.body).toContain("come lo mostra /balance");
    expect(page.body).toContain("<svg");
  });

  it("filters: municipality, entry cohort (in Rome's time) and office for admins", async () => {
    const admin = await as(STAFF.admin);
    const salo = await csvOf(
      await as(STAFF.operatorA),
      `${PERIOD}&municipality=${encodeURIComponent("Salò")}`,
    );
    expect(salo.get("Morosità all’ingresso|")).toBe(String(50000 + 10000)); // H2, H12
    expect(salo.get("Recuperato|")).toBe("60000");
    expect(salo.get("Famiglie in regola|")).toBe("2");
    const march = await csvOf(admin, `${PERIOD}&cohort=2026-03`); // H1 H2 H7 H9
    expect(march.get("Famiglie collegate|")).toBe("4");
    expect(march.get("Attive negli ultimi 30 giorni|")).toBe("2"); // H1, H7
    expect(march.get("Morosità all’ingresso|")).toBe(String(120000 + 50000 + 100000 + 10000));
    expect(march.get("Morosità oggi|")).toBe(String(34950 + 0 + 66667 + 10000));
    expect(march.get("Recuperato|")).toBe(String(85050 + 50000 + 33333));
    const may = await csvOf(admin, `${PERIOD}&cohort=2026-05`);
    expect(may.get("Famiglie collegate|")).toBe("1"); // H3 only: H6 entered on 1 June in Rome
    const june = await csvOf(admin, `${PERIOD}&cohort=2026-06`);
    expect(june.get("Morosità all’ingresso|")).toBe("40000"); // H6
    const cremona = await csvOf(admin, `${PERIOD}&office=${office.B}`); // H7, H8
    expect(cremona.get("Morosità all’ingresso|")).toBe(String(100000 + 15055));
    expect(cremona.get("Morosità oggi|")).toBe(String(66667 + 15055));
    expect(cremona.get("Famiglie invitate|")).toBe("2");
    // Coordinator of office B sees the same as the admin filtering on B, and nothing more.
    const coordinator = await csvOf(await as(STAFF.coordinatorB), PERIOD);
    expect(coordinator.get("Morosità all’ingresso|")).toBe(String(100000 + 15055));
    // Staff with no office see no household.
    const nobody = await csvOf(await as(STAFF.noOffice), PERIOD);
    expect(nobody.get("Famiglie invitate|")).toBe("0");
    expect(nobody.get("Morosità all’ingresso|")).toBe("0");
    expect(nobody.get("Recuperato in percentuale|")).toBe("");
  });

  it("bad filters are said and left out, never an error page", async () => {
    const admin = await as(STAFF.admin);
    const cases: [string, string][] = [
      ["cohort=2026-13", "Il mese di ingresso va scritto come 2026-03"],
      ["cohort=<script>", "Il mese di ingresso va scritto come 2026-03"],
      ["from=2026-12&to=2026-01", "Il periodo non è valido"],
      ["from=ieri&to=2026-01", "Il periodo non è valido"],
      ["from=2020-01&to=2026-12", "Il periodo copre al massimo 36 mesi"],
      ["office=abc", "il filtro per ufficio è stato ignorato"],
      ["office=99999999999", "il filtro per ufficio è stato ignorato"],
    ];
    for (const [query, text] of cases) {
      const answer = await admin.get(`/results?${query}`);
      expect(answer.statusCode, query).toBe(200);
      expect(answer.body, query).toContain(text);
      expect(answer.body).not.toContain("<script>");
    }
    // The default period: the 12 months up to this one.
    const csv = await csvOf(admin, "");
    expect(csv.has("Dovuto a fine mese|2026-01")).toBe(true);
    expect(csv.has("Dovuto a fine mese|2025-12")).toBe(false);
    // Months still to come are left out: the period stops at this month.
    const ahead = await csvOf(admin, "from=2026-11&to=2027-03");
    expect(ahead.has("Dovuto a fine mese|2026-12")).toBe(true);
    expect(ahead.has("Dovuto a fine mese|2027-01")).toBe(false);
    expect((await admin.get("/results?from=2027-01&to=2027-03")).body).toContain("Il periodo non è valido");
    // An unknown municipality selects nobody; it is not an error.
    expect((await csvOf(admin, "municipality=Nessuno")).get("Famiglie invitate|")).toBe("0");
  });
});

describe("the .xlsx export", () => {
  it("has the CSV's figures as numbers: euro to the cent, shares as percentages", async () => {
    const answer = await (await as(STAFF.admin)).get(`/results.xlsx?${PERIOD}`);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers["content-type"]).toBe(
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    );
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(answer.rawPayload as unknown as ArrayBuffer);
    const sheet = book.worksheets[0] as ExcelJS.Worksheet;
    expect(sheet.name).toBe("Risultati");
    const cells = new Map<string, { value: ExcelJS.CellValue; unit: string; format: string | undefined }>();
    sheet.eachRow((row, n) => {
      if (n === 1) return;
      cells.set(`${row.getCell(2).value}|${row.getCell(3).value ?? ""}`, {
        value: row.getCell(4).value,
        unit: String(row.getCell(5).value),
        format: row.getCell(4).numFmt,
      });
    });
    expect(cells.get("Morosità oggi|")).toEqual({ value: 3716.72, unit: "euro", format: "#,##0.00" });
    expect(cells.get("Morosità all’ingresso|")?.value).toBe(5800.55);
    expect(cells.get("Recuperato in percentuale|")).toEqual({
      value: 0.3765,
      unit: "percentuale",
      format: "0.00%",
    });
    expect(cells.get("Famiglie invitate|")?.value).toBe(10);
    expect(cells.get("Dovuto a fine mese|2026-07")?.value).toBe(4417.22);
    expect(cells.get("Pagato nel mese|2026-11")?.value).toBe(300.5);
  });
});

/** The PDF's text, page by page, with runs of white space as one space. */
function pdfText(pdf: Buffer): string[] {
  const doc = mupdf.Document.openDocument(pdf, "application/pdf");
  const pages: string[] = [];
  for (let i = 0; i < doc.countPages(); i++)
    pages.push(doc.loadPage(i).toStructuredText("preserve-whitespace").asText().replace(/\s+/g, " "));
  return pages;
}

describe("the PDF report", () => {
  it("has the CSV's figures, formatted as on the page, each section with its definitions; tagged", async () => {
    const client = await as(STAFF.admin);
    const answer = await client.get(`/results.pdf?${PERIOD}`);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers["content-type"]).toBe("application/pdf");
    expect(answer.headers["content-disposition"]).toBe(
      'attachment; filename="risultati-2026-07-2026-12.pdf"',
    );
    const pdf = answer.rawPayload;
    const text = pdfText(pdf).join(" ");
    expect(text).toContain("Risultati del programma");
    expect(text).toContain(
      "Ufficio: Tutti gli uffici · Comune: Tutti i comuni · Mese di ingresso: tutti · Periodo: da 2026-07 a 2026-12",
    );
    expect(text).toContain("Creato il 15/12/2026 11:00 (ora italiana)");
    // Worked out by hand above; written here as a person reads them.
    expect(text).toContain("Famiglie invitate 10");
    expect(text).toContain("Morosità all’ingresso 5.800,55 €");
    expect(text).toContain("Morosità oggi 3.716,72 €");
    expect(text).toContain("Recuperato 2.183,83 €");
    expect(text).toContain("Recuperato in percentuale 37,65%");
    // Month by month: Jul 4.417,22 € owed, 100,00 € paid, 2 due, 1 on time.
    expect(text).toContain("2026-07 4.417,22 € 100,00 € 2 1");
    expect(text).toContain("2026-11 3.716,72 € 300,50 € 1 0");
    // Every figure of the CSV is in the report, and so are the definitions.
    const csv = await csvOf(client, PERIOD);
    for (const key of csv.keys()) expect(text).toContain(key.split("|")[0]);
    expect(text).toContain("Definizioni");
    expect(text).toContain("Famiglie invitate: Famiglie per cui è stato emesso almeno un codice");
    // Tagged for screen readers, with the document's language and title.
    const raw = pdf.toString("latin1");
    expect(raw).toContain("/StructTreeRoot");
    expect(raw).toMatch(/\/Marked true/);
    expect(raw).toContain("/Lang (it-IT)");
  });

  it("an operator's report has their office's figures only; English for English staff", async () => {
    const operator = await as(STAFF.operatorA);
    const csv = await csvOf(operator, PERIOD);
    const text = pdfText((await operator.get(`/results.pdf?${PERIOD}`)).rawPayload).join(" ");
    expect(text).toContain(`Famiglie invitate ${csv.get("Famiglie invitate|")}`);
    const now = Number(csv.get("Morosità oggi|"));
    expect(text).toContain(
      `Morosità oggi ${(now / 100).toLocaleString("it-IT", { minimumFractionDigits: 2, useGrouping: "always" })} €`,
    );
    const en = pdfText((await (await as(STAFF.admin)).get(`/results.pdf?${PERIOD}&lang=en`)).rawPayload).join(
      " ",
    );
    expect(en).toContain("Arrears now");
    expect(en).toContain("Definitions");
  });
});

describe("route × role", () => {
  it("signed out: the log-in page; every role: the page and the CSV, audited; English too", async () => {
    for (const url of ["/results", "/results.csv", "/results.xlsx", "/results.pdf"]) {
      const answer = await fx.client().get(url);
      expect(answer.statusCode, url).toBe(303);
      expect(answer.headers.location).toBe(`/login?next=${encodeURIComponent(url)}`);
    }
    for (const email of Object.values(STAFF)) {
      const client = await as(email);
      const page = await client.get("/results");
      expect(page.statusCode, email).toBe(200);
      expect(page.body).toContain('href="/results"');
    }
    const en = await (await as(STAFF.admin)).get(`/results?${PERIOD}&lang=en`);
    expect(en.body).toContain("Arrears now");
    expect(en.body).toContain("Installments paid on time");
    const exports = await t.db.auditLog.count({ where: { action: "results.exported" } });
    expect(exports).toBeGreaterThan(0);
  });
});

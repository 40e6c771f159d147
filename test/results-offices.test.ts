// The results dashboard's "relationship with the offices" (core/results/offices.ts) on a hand-made set
// of 11 cases over three offices. Every expected figure below is worked out by hand from the data, in
// office hours (Monday to Friday 9–17 Rome, national holidays skipped), with the arithmetic written out:
// December 2026 in Rome is UTC+1, so 9–17 Rome is 08:00–16:00Z. The calendar of December 2026:
// Fri 4, (Sat 5, Sun 6), Mon 7, Tue 8 = Immacolata (holiday), Wed 9 … Thu 24 (a working day),
// Fri 25 Natale and Sat 26 Santo Stefano (holidays), Sun 27, Mon 28, Tue 29 = "today".
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { officeHoursLater, officeMillisBetween, officeTimeline } from "../core/cases.ts";
import { fixedClock } from "../core/clock.ts";
import type { CaseOutcome } from "../core/db/client.ts";
import type { StaffClient } from "./support/admin-client.ts";
import type { TestDatabase } from "./support/db.ts";
import { resultsFixture } from "./support/results-fixture.ts";

const STAFF = {
  operatorA: "op.a@uffici.example",
  coordinatorB: "coord.b@uffici.example",
  operatorC: "op.c@uffici.example",
  admin: "admin@uffici.example",
} as const;
/** "Today": Tuesday 29 December 2026, 11:00 in Rome. */
const NOW = new Date("2026-12-29T10:00:00Z");
const PERIOD = "from=2026-11&to=2026-12";

const fx = resultsFixture({
  clock: fixedClock(NOW),
  offices: ["A", "B", "C"],
  staff: {
    emails: STAFF,
    roles: [
      ["operatorA", "operator", "A"],
      ["coordinatorB", "coordinator", "B"],
      ["operatorC", "operator", "C"],
      ["admin", "admin", null],
    ],
  },
});
const { office, as } = fx;
let t: TestDatabase;
const hid: Record<string, number> = {};
let telegramId = 7_000_000n;

const z = (iso: string) => new Date(iso);

async function household(key: string, municipality: string, officeId: number, linkedAt?: string) {
  const h = await t.db.household.create({
    data: {
      contractCode: `U-${key}`,
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
    await t.db.member.create({
      data: { telegramUserId: telegramId, chatId: telegramId, householdId: h.id, linkedAt: z(linkedAt) },
    });
  }
}

type CaseSpec = {
  household: string;
  topic: string;
  openedAt: string;
  closedAt?: string;
  outcome?: CaseOutcome;
  source?: "household" | "overdue";
  /** Household messages (the first is when the clock starts). */
  household_?: string[];
  operator?: string[];
  /** The satisfaction question: its score, null if unanswered, "erased" if erased on request. */
  satisfaction?: number | null | "erased";
};

async function kase(spec: CaseSpec) {
  const c = await t.db.case.create({
    data: {
      householdId: hid[spec.household] as number,
      topic: spec.topic,
      source: spec.source ?? "household",
      openedAt: z(spec.openedAt),
      status: spec.closedAt ? "closed" : "open",
      closedAt: spec.closedAt ? z(spec.closedAt) : null,
      outcome: spec.outcome ?? null,
    },
  });
  for (const [author, times] of [
    ["household", spec.household_ ?? []],
    ["operator", spec.operator ?? []],
  ] as const) {
    for (const at of times) {
      await t.db.caseMessage.create({ data: { caseId: c.id, author, text: "…", createdAt: z(at) } });
    }
  }
  if (spec.satisfaction !== undefined) {
    const erased = spec.satisfaction === "erased";
    await t.db.caseSatisfaction.create({
      data: {
        caseId: c.id,
        householdId: c.householdId,
        askedAt: z(spec.closedAt as string),
        score: erased || spec.satisfaction === null ? null : (spec.satisfaction as number),
        answeredAt: erased || spec.satisfaction === null ? null : z(spec.closedAt as string),
        erasedAt: erased ? z(spec.closedAt as string) : null,
      },
    });
  }
}

/** The CSV's rows of this section as figure → value (Italian labels). */
async function csvOf(client: StaffClient, query: string): Promise<Map<string, string>> {
  const answer = await client.get(`/results.csv?${query}`);
  expect(answer.statusCode).toBe(200);
  const lines = answer.body
    .replace(/^\uFEFF/, "")
    .trim()
    .split("\r\n");
  return new Map(
    lines
      .slice(1)
      .map((line) => line.split(";"))
      .filter(([section]) => section === "Rapporto con gli uffici")
      .map(([, figure, , value, unit]) => [figure as string, `${value} ${unit}`]),
  );
}

/** The value cell of a figure's row on the page. */
function figureOf(body: string, key: string): string | undefined {
  const row = new RegExp(
    `<tr data-figure="offices\\.${key}"><th scope="row">[^<]*</th><td class="num"[^>]*>([^<]*)</td>`,
  );
  return row.exec(body)?.[1];
}

beforeAll(async () => {
  t = await fx.open();
  await household("HA1", "Brescia", office.A, "2026-03-10T09:00:00Z");
  await household("HA2", "Salò", office.A, "2026-06-15T09:00:00Z");
  await household("HA3", "Brescia", office.A);
  await household("HB1", "Cremona", office.B, "2026-03-05T09:00:00Z");

  // C1: Fri 4 Dec 16:00 → answered Wed 9 Dec 10:30, across the weekend and Tue 8 (Immacolata).
  await kase({
    household: "HA1",
    topic: "debt",
    openedAt: "2026-12-04T15:00:00Z",
    household_: ["2026-12-04T15:00:00Z", "2026-12-07T08:30:00Z"],
    operator: ["2026-12-09T09:30:00Z", "2026-12-10T10:00:00Z"],
    closedAt: "2026-12-10T11:00:00Z",
    outcome: "resolved",
    satisfaction: 4,
  });
  // C2: Wed 23 Dec 15:00 → answered Mon 28 Dec 10:00, across Christmas, Santo Stefano and Sunday.
  await kase({
    household: "HA2",
    topic: "documents",
    openedAt: "2026-12-23T14:00:00Z",
    household_: ["2026-12-23T14:00:00Z", "2026-12-24T08:00:00Z"],
    operator: ["2026-12-28T09:00:00Z"],
    closedAt: "2026-12-28T11:00:00Z",
    outcome: "aler_office",
    satisfaction: 2,
  });
  // C3: Mon 14 Dec 09:30 → answered 11:00; closed by the household on Tue 15 at 10:00 (no outcome).
  await kase({
    household: "HA1",
    topic: "debt",
    openedAt: "2026-12-14T08:30:00Z",
    household_: ["2026-12-14T08:30:00Z"],
    operator: ["2026-12-14T10:00:00Z"],
    closedAt: "2026-12-15T09:00:00Z",
  });
  // C4: Mon 21 Dec 10:00, never answered, still open: its deadline (Tue 22 10:00) has passed.
  await kase({
    household: "HA1",
    topic: "courses",
    openedAt: "2026-12-21T09:00:00Z",
    household_: ["2026-12-21T09:00:00Z"],
  });
  // C5: opened by a rule on Mon 28 Dec 10:00, no household message; an operator wrote at 13:00.
  await kase({
    household: "HA3",
    topic: "debt",
    source: "overdue",
    openedAt: "2026-12-28T09:00:00Z",
    operator: ["2026-12-28T12:00:00Z"],
  });
  // C6: today 10:30, not answered yet, its deadline still to come.
  await kase({
    household: "HA2",
    topic: "isee",
    openedAt: "2026-12-29T09:30:00Z",
    household_: ["2026-12-29T09:30:00Z"],
  });
  // C7: opened Fri 30 Oct 16:00 (before the period), closed Mon 2 Nov 10:00.
  await kase({
    household: "HA3",
    topic: "payment",
    openedAt: "2026-10-30T15:00:00Z",
    household_: ["2026-10-30T15:00:00Z"],
    operator: ["2026-10-30T15:30:00Z"],
    closedAt: "2026-11-02T09:00:00Z",
    outcome: "social_services",
    satisfaction: 5,
  });
  // C8: Tue 17 Nov 09:00 → answered 09:45; closed Wed 18 Nov 09:00; asked, no answer. A topic no
  // longer offered ("operator") counts as "Altro".
  await kase({
    household: "HA3",
    topic: "operator",
    openedAt: "2026-11-17T08:00:00Z",
    household_: ["2026-11-17T08:00:00Z"],
    operator: ["2026-11-17T08:45:00Z"],
    closedAt: "2026-11-18T08:00:00Z",
    outcome: "no_answer",
    satisfaction: null,
  });
  // C11: September, outside the period: counts nowhere.
  await kase({
    household: "HA1",
    topic: "debt",
    openedAt: "2026-09-10T08:00:00Z",
    household_: ["2026-09-10T08:00:00Z"],
    operator: ["2026-09-10T09:00:00Z"],
    closedAt: "2026-09-11T08:00:00Z",
    outcome: "resolved",
    satisfaction: 1,
  });
  // Office B. C9: Tue 1 Dec 09:00 → answered 10:00; closed Wed 2 Dec 09:00.
  await kase({
    household: "HB1",
    topic: "debt",
    openedAt: "2026-12-01T08:00:00Z",
    household_: ["2026-12-01T08:00:00Z"],
    operator: ["2026-12-01T09:00:00Z"],
    closedAt: "2026-12-02T08:00:00Z",
    outcome: "resolved",
    satisfaction: 3,
  });
  // C10: Thu 3 Dec 09:00, closed by staff at 12:00 without writing, before its deadline (17:00);
  // its score was erased at the member's request.
  await kase({
    household: "HB1",
    topic: "documents",
    openedAt: "2026-12-03T08:00:00Z",
    closedAt: "2026-12-03T11:00:00Z",
    outcome: "building_administrator",
    satisfaction: "erased",
  });
}, 60_000);

afterAll(() => fx.close());

describe("office hours between two instants (core/cases.ts's calendar)", () => {
  const hours = (a: string, b: string) => officeMillisBetween(z(a), z(b)) / 3_600_000;
  it("skips nights, weekends and Italian holidays", () => {
    // C1: Fri 4 16–17 (1) + Mon 7 (8) + Tue 8 Immacolata (0) + Wed 9 9–10:30 (1.5) = 10.5
    expect(hours("2026-12-04T15:00:00Z", "2026-12-09T09:30:00Z")).toBe(10.5);
    // C2: Wed 23 15–17 (2) + Thu 24 (8) + Fri 25, Sat 26, Sun 27 (0) + Mon 28 9–10 (1) = 11
    expect(hours("2026-12-23T14:00:00Z", "2026-12-28T09:00:00Z")).toBe(11);
    // Saturday to Sunday: nothing; backwards: nothing.
    expect(hours("2026-12-05T09:00:00Z", "2026-12-06T15:00:00Z")).toBe(0);
    expect(hours("2026-12-09T09:30:00Z", "2026-12-04T15:00:00Z")).toBe(0);
    // Over the October clock change (Sun 25 Oct): Fri 23 16:00 CEST (14:00Z) → Mon 26 10:00 CET (09:00Z) = 1 + 1.
    expect(hours("2026-10-23T14:00:00Z", "2026-10-26T09:00:00Z")).toBe(2);
  });
});

describe("the laid-out calendar answers as officeHoursLater (the escalation deadline)", () => {
  it("every 5 h 29 min from late 2025 to early 2027, for 1, 8 and 80 office hours", () => {
    const from = z("2025-12-20T00:00:00Z");
    const timeline = officeTimeline(from, z("2027-03-31T00:00:00Z"));
    let compared = 0;
    for (let at = from.getTime(); at < z("2027-01-15T00:00:00Z").getTime(); at += 47 * 60_000 * 7) {
      for (const hours of [1, 8, 80]) {
        expect(timeline.later(new Date(at), hours)?.toISOString()).toBe(
          officeHoursLater(new Date(at), hours).toISOString(),
        );
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(4000);
    // At a window's very end, and beyond the span.
    expect(timeline.later(z("2026-12-04T16:00:00Z"), 8)?.toISOString()).toBe("2026-12-07T16:00:00.000Z");
    expect(timeline.later(z("2027-03-30T08:00:00Z"), 80)).toBeNull();
  });
});

describe("figures, worked out by hand", () => {
  it("operator of office A, November–December", async () => {
    const csv = await csvOf(await as(STAFF.operatorA), PERIOD);
    // Opened: C1 C2 C3 C4 C5 C6 C8 (C7 opened in October). Closed: C1 C2 C3 C7 C8.
    expect(csv.get("Conversazioni aperte")).toBe("7 pratiche");
    expect(csv.get("Conversazioni chiuse")).toBe("5 pratiche");
    expect(csv.get("Conversazioni chiuse · Risolta")).toBe("1 pratiche"); // C1
    expect(csv.get("Conversazioni chiuse · Passata a un ufficio ALER")).toBe("1 pratiche"); // C2
    expect(csv.get("Conversazioni chiuse · Passata ai servizi sociali del Comune")).toBe("1 pratiche"); // C7
    expect(csv.get("Conversazioni chiuse · Il nucleo non ha più risposto")).toBe("1 pratiche"); // C8
    expect(csv.get("Conversazioni chiuse · Passata all'amministrazione dello stabile")).toBe("0 pratiche");
    expect(csv.get("Conversazioni chiuse · Chiusa senza esito")).toBe("1 pratiche"); // C3
    // By topic: debt C1 C3 C5 opened, C1 (resolved) C3 (no outcome) closed.
    expect(csv.get("Conversazioni aperte · Debito e piano di rientro")).toBe("3 pratiche");
    expect(csv.get("Conversazioni chiuse · Debito e piano di rientro")).toBe("2 pratiche");
    expect(csv.get("Conversazioni chiuse · Risolta · Debito e piano di rientro")).toBe("1 pratiche");
    expect(csv.get("Conversazioni chiuse · Chiusa senza esito · Debito e piano di rientro")).toBe(
      "1 pratiche",
    );
    expect(csv.get("Conversazioni aperte · Documenti")).toBe("1 pratiche");
    expect(csv.get("Conversazioni aperte · Corsi e lavoro")).toBe("1 pratiche");
    expect(csv.get("Conversazioni aperte · ISEE (dopo le FAQ)")).toBe("1 pratiche");
    // C8's "operator" topic is "Altro"; C7 (payment) was only closed in the period.
    expect(csv.get("Conversazioni aperte · Altro")).toBe("1 pratiche");
    expect(csv.get("Conversazioni chiuse · Il nucleo non ha più risposto · Altro")).toBe("1 pratiche");
    expect(csv.get("Conversazioni aperte · Pagamenti e bollettini (dopo le FAQ)")).toBe("0 pratiche");
    expect(csv.get("Conversazioni chiuse · Pagamenti e bollettini (dopo le FAQ)")).toBe("1 pratiche");
    // First answers: C1 10.5, C2 11, C3 1.5 (09:30 → 11:00), C5 3 (from its opening, 10:00 → 13:00),
    // C8 0.75; C4 and C6 none. Sorted 0.75 1.5 3 10.5 11: the median is 3.
    expect(csv.get("Conversazioni aperte con una risposta")).toBe("5 pratiche");
    expect(csv.get("Prima risposta (mediana)")).toBe("3.00 ore lavorative");
    // Closing: C1 Fri 4 16:00 → Thu 10 12:00 = 1 + 8 + 0 + 8 + 3 = 20; C2 Wed 23 15:00 → Mon 28 12:00 =
    // 2 + 8 + 3 = 13; C3 Mon 14 09:30 → Tue 15 10:00 = 7.5 + 1 = 8.5; C7 Fri 30 Oct 16:00 → Mon 2 Nov
    // 10:00 = 1 + 1 = 2; C8 Tue 17 09:00 → Wed 18 09:00 = 8. Sorted 2 8 8.5 13 20: 8.5.
    expect(csv.get("Tempo di chiusura (mediana)")).toBe("8.50 ore lavorative");
    // Deadlines (8 office hours from the first household message, rounded up to the hour):
    // C1 Mon 7 16:00, answered Wed 9: late. C2 Thu 24 15:00, answered Mon 28: late. C3 Tue 15 10:00:
    // on time. C4 Tue 22 10:00, unanswered and open: late. C5 Tue 29 10:00, answered Mon 28: on time.
    // C6: Wed 30, not due yet. C8 on time. 3 of 6.
    expect(csv.get("Conversazioni con risposta o con la scadenza passata")).toBe("6 pratiche");
    expect(csv.get("Risposte entro la scadenza")).toBe("3 pratiche");
    expect(csv.get("Risposte entro la scadenza in percentuale")).toBe("50.00 percentuale");
    // Satisfaction, cases closed in the period: C1 4, C2 2, C7 5, C8 asked but no answer (C3 not asked).
    expect(csv.get("Conversazioni chiuse con la domanda di soddisfazione")).toBe("4 pratiche");
    expect(csv.get("Voti di soddisfazione")).toBe("3 risposte");
    expect(csv.get("Domande con un voto")).toBe("75.00 percentuale");
    // (4 + 2 + 5) / 3 = 3.666…
    expect(csv.get("Voto medio")).toBe("3.67 voto medio (1–5)");
    expect([1, 2, 3, 4, 5].map((s) => csv.get(`Voto ${s}`))).toEqual([
      "0 risposte",
      "1 risposte",
      "0 risposte",
      "1 risposte",
      "1 risposte",
    ]);
  });

  it("admin, every office: the even count's median is the mean of the middle two", async () => {
    const csv = await csvOf(await as(STAFF.admin), PERIOD);
    // Office A's 7 + C9, C10 opened; A's 5 + C9, C10 closed.
    expect(csv.get("Conversazioni aperte")).toBe("9 pratiche");
    expect(csv.get("Conversazioni chiuse")).toBe("7 pratiche");
    expect(csv.get("Conversazioni chiuse · Risolta")).toBe("2 pratiche"); // C1 C9
    expect(csv.get("Conversazioni chiuse · Passata all'amministrazione dello stabile")).toBe("1 pratiche"); // C10
    // First answers + C9 1 (C10 none): 0.75 1 1.5 3 10.5 11 → (1.5 + 3) / 2 = 2.25.
    expect(csv.get("Prima risposta (mediana)")).toBe("2.25 ore lavorative");
    // Closing + C9 8, C10 3: 2 3 8 8 8.5 13 20 → 8.
    expect(csv.get("Tempo di chiusura (mediana)")).toBe("8.00 ore lavorative");
    // + C9 on time; C10 was closed before its deadline without an answer: not counted. 4 of 7.
    expect(csv.get("Conversazioni con risposta o con la scadenza passata")).toBe("7 pratiche");
    expect(csv.get("Risposte entro la scadenza")).toBe("4 pratiche");
    expect(csv.get("Risposte entro la scadenza in percentuale")).toBe("57.14 percentuale");
    // + C9 3; C10's erased score is left out of both counts. (4 + 2 + 5 + 3) / 4 = 3.5.
    expect(csv.get("Conversazioni chiuse con la domanda di soddisfazione")).toBe("5 pratiche");
    expect(csv.get("Voti di soddisfazione")).toBe("4 risposte");
    expect(csv.get("Domande con un voto")).toBe("80.00 percentuale");
    expect(csv.get("Voto medio")).toBe("3.50 voto medio (1–5)");
  });

  it("filters: period, municipality, entry cohort, office", async () => {
    const operator = await as(STAFF.operatorA);
    // November only: opened C8; closed C7, C8. First answer C8 0.75; closing 2 and 8 → 5.
    const november = await csvOf(operator, "from=2026-11&to=2026-11");
    expect(november.get("Conversazioni aperte")).toBe("1 pratiche");
    expect(november.get("Conversazioni chiuse")).toBe("2 pratiche");
    expect(november.get("Prima risposta (mediana)")).toBe("0.75 ore lavorative");
    expect(november.get("Tempo di chiusura (mediana)")).toBe("5.00 ore lavorative");
    expect(november.get("Risposte entro la scadenza in percentuale")).toBe("100.00 percentuale");
    expect(november.get("Voto medio")).toBe("5.00 voto medio (1–5)"); // C7; C8 unanswered
    expect(november.get("Domande con un voto")).toBe("50.00 percentuale");
    // Salò: HA2's C2 and C6.
    const salo = await csvOf(operator, `${PERIOD}&municipality=${encodeURIComponent("Salò")}`);
    expect(salo.get("Conversazioni aperte")).toBe("2 pratiche");
    expect(salo.get("Conversazioni chiuse")).toBe("1 pratiche");
    expect(salo.get("Prima risposta (mediana)")).toBe("11.00 ore lavorative");
    expect(salo.get("Tempo di chiusura (mediana)")).toBe("13.00 ore lavorative");
    expect(salo.get("Risposte entro la scadenza in percentuale")).toBe("0.00 percentuale");
    expect(salo.get("Voto medio")).toBe("2.00 voto medio (1–5)");
    // Entry cohort March 2026: HA1 (C1 C3 C4) and HB1 (C9 C10). First answers 10.5, 1.5, 1 → 1.5.
    const march = await csvOf(await as(STAFF.admin), `${PERIOD}&cohort=2026-03`);
    expect(march.get("Conversazioni aperte")).toBe("5 pratiche");
    expect(march.get("Conversazioni chiuse")).toBe("4 pratiche");
    expect(march.get("Prima risposta (mediana)")).toBe("1.50 ore lavorative");
    // Office B, chosen by the admin or seen by its coordinator: C9 and C10 only.
    for (const csv of [
      await csvOf(await as(STAFF.admin), `${PERIOD}&office=${office.B}`),
      await csvOf(await as(STAFF.coordinatorB), PERIOD),
    ]) {
      expect(csv.get("Conversazioni aperte")).toBe("2 pratiche");
      expect(csv.get("Conversazioni aperte · Documenti")).toBe("1 pratiche");
      expect(csv.get("Prima risposta (mediana)")).toBe("1.00 ore lavorative");
      // C9 8, C10 3 → 5.5.
      expect(csv.get("Tempo di chiusura (mediana)")).toBe("5.50 ore lavorative");
      expect(csv.get("Risposte entro la scadenza")).toBe("1 pratiche");
      expect(csv.get("Voto medio")).toBe("3.00 voto medio (1–5)");
    }
  });

  it("an office with no cases: zeros, and “—” or empty where there is nothing to divide", async () => {
    const operatorC = await as(STAFF.operatorC);
    // Office C's operator asking for office A's figures is refused the filter and still sees none.
    for (const query of [PERIOD, `${PERIOD}&office=${office.A}`]) {
      const csv = await csvOf(operatorC, query);
      expect(csv.get("Conversazioni aperte")).toBe("0 pratiche");
      expect(csv.get("Conversazioni chiuse")).toBe("0 pratiche");
      expect(csv.get("Prima risposta (mediana)")).toBe(" ore lavorative");
      expect(csv.get("Tempo di chiusura (mediana)")).toBe(" ore lavorative");
      expect(csv.get("Risposte entro la scadenza in percentuale")).toBe(" percentuale");
      expect(csv.get("Voto medio")).toBe(" voto medio (1–5)");
      expect(csv.get("Domande con un voto")).toBe(" percentuale");
    }
    const page = await operatorC.get(`/results?${PERIOD}`);
    expect(page.statusCode).toBe(200);
    expect(figureOf(page.body, "withinDeadline")).toBe("0");
    for (const key of ["firstResponse", "resolution", "average", "answeredShare"]) {
      expect(figureOf(page.body, key), key).toBe("—");
    }
    expect(figureOf(page.body, "opened")).toBe("0");
    expect(page.body).toContain("Nessun voto di soddisfazione nel periodo.");
    expect(page.body).not.toContain("NaN");
    expect(page.body).not.toContain("Infinity");
  });
});

describe("the page", () => {
  it("a coordinator sees the section: figures, definitions, tables with captions, the chart", async () => {
    const page = await (await as(STAFF.coordinatorB)).get(`/results?${PERIOD}`);
    expect(page.statusCode).toBe(200);
    const body = page.body;
    expect(body).toContain('<h2 id="offices-title">Rapporto con gli uffici</h2>');
    expect(figureOf(body, "opened")).toBe("2");
    expect(figureOf(body, "firstResponse")).toBe("1 h 0 min");
    expect(figureOf(body, "resolution")).toBe("5 h 30 min");
    expect(figureOf(body, "withinDeadline")).toBe("1 su 1 (100%)");
    expect(figureOf(body, "average")).toBe("3,00");
    expect(figureOf(body, "answeredShare")).toBe("1 su 1 (100%)");
    expect(body).toContain("8 ore d’ufficio dal primo messaggio della famiglia");
    expect(body).toContain("<caption>Conversazioni per argomento ed esito</caption>");
    expect(body).toContain('<th scope="row">Debito e piano di rientro</th>');
    expect(body).toContain('<th scope="col" class="num">Passata all&#39;amministrazione dello stabile</th>');
    expect(body).toContain('aria-labelledby="satisfaction-caption"');
    expect(body).toContain("Voti di soddisfazione nel periodo: 1 in tutto, media 3,00; ");
    expect(body).toContain('<tr data-score="3"><th scope="row">3</th>');
  });

  it("an operator of office A: minutes under an hour, and English", async () => {
    const operator = await as(STAFF.operatorA);
    const november = await operator.get("/results?from=2026-11&to=2026-11");
    expect(figureOf(november.body, "firstResponse")).toBe("45 min");
    const en = await operator.get(`/results?${PERIOD}&lang=en`);
    expect(en.body).toContain("Relationship with the offices");
    expect(figureOf(en.body, "withinDeadline")).toBe("3 of 6 (50%)");
    expect(figureOf(en.body, "average")).toBe("3.67");
    expect(figureOf(en.body, "firstResponse")).toBe("3 h 0 min");
    expect(en.body).toContain("Referred to an ALER office");
  });
});

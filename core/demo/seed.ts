// Demo data for `npm start` without a Telegram token: loaded once, only into the demo's own database
// (core/demo/database.ts decides that and creates the demo account).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { addDays } from "date-fns";
import type { Clock } from "../clock.ts";
import type { Db, DocumentStatus } from "../db/client.ts";
import { ensureDocumentRequirements, setHouseholdDocument } from "../documents.ts";
import { importHouseholds, parseHouseholdsFile } from "../imports/households.ts";
import { importPayments } from "../imports/payments.ts";
import { importPlans } from "../imports/plans.ts";
import type { Logger } from "../logger.ts";
import { parseRomeDateTime, romeToday } from "../time.ts";

export { DOCUMENT_REQUIREMENTS } from "../documents.ts";

/** The demo's pagoPA creditor: a made-up fiscal code (valid check digit, nobody's). */
export const DEMO_PAGOPA_CREDITOR = "12345678903";

export async function loadDemoData(db: Db, clock: Clock, logger: Logger): Promise<boolean> {
  if ((await db.household.count()) > 0) return false;

  const parsed = await parseHouseholdsFile(readFileSync(join(import.meta.dirname, "households.csv")), {
    clock,
  });
  if (!parsed.ok)
    throw new Error(`demo households.csv is invalid: ${parsed.problems.map((p) => p.message).join("; ")}`);
  await importHouseholds(db, parsed.rows, { actor: { actorType: "system", actorId: "demo" }, clock });

  // One household with a repayment plan that started two months ago, and the payments of its first
  // two installments: imported like the authority's files, so they are allocated as real ones are.
  const demoActor = { actorType: "system" as const, actorId: "demo" };
  const today = romeToday(clock.now());
  // The 15th (or another day) some months from now, as a calendar date (Date.UTC rolls the year over).
  const monthDay = (months: number, day: number) =>
    new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + months, day));
  const planRows = Array.from({ length: 10 }, (_, i) => ({
    line: i + 2,
    contractCode: "BS-004512",
    planCode: "PR-DEMO-0045",
    number: i + 1,
    dueDate: monthDay(i - 2, 15),
    amountCents: 20_000,
    // Made-up pagoPA notices (the demo's creditor fiscal code is made up too: DEMO_PAGOPA_CREDITOR).
    pagopaNotice: `3020000000004512${String(i + 1).padStart(2, "0")}`,
  }));
  const paymentRows = [0, 1].map((i) => ({
    line: i + 2,
    contractCode: "BS-004512",
    paymentDate: monthDay(i - 2, 12),
    amountCents: 20_000,
    reference: `DEMO-MAV-000${i + 1}`,
  }));
  for (const outcome of [
    await importPlans(db, { ok: true, rows: planRows }, { actor: demoActor }),
    await importPayments(db, { ok: true, rows: paymentRows }, { actor: demoActor, clock }),
  ]) {
    if (!outcome.ok)
      throw new Error(`demo plan is invalid: ${outcome.problems.map((p) => p.message).join("; ")}`);
  }

  const at = (days: number, time: string) => {
    const day = addDays(today, days);
    const iso = `${day.toISOString().slice(0, 10)}T${time}`;
    return parseRomeDateTime(iso) as Date;
  };
  const courses = [
    {
      code: "ORI-01",
      title: "Orientamento al lavoro",
      description: "Come cercare lavoro, CV e colloquio",
      municipality: "Brescia",
      location: "Sportello ALER, Viale Europa 68",
      capacity: 15,
      days: [7, 14],
      from: "09:30",
      to: "12:30",
    },
    {
      code: "BIL-02",
      title: "Bilancio familiare",
      description: "Tenere i conti di casa e risparmiare sulle bollette",
      municipality: "Cremona",
      location: "Centro civico Cambonino",
      capacity: 12,
      days: [10],
      from: "17:00",
      to: "19:00",
    },
    {
      code: "DIG-03",
      title: "Servizi digitali",
      description: "SPID, fascicolo sanitario e pagamenti online",
      municipality: "Mantova",
      location: "Biblioteca Baratta",
      capacity: 10,
      days: [12, 19],
      from: "15:00",
      to: "17:00",
    },
  ];
  for (const course of courses) {
    await db.course.create({
      data: {
        code: course.code,
        title: course.title,
        description: course.description,
        municipality: course.municipality,
        sessions: {
          create: course.days.map((d) => ({
            startsAt: at(d, course.from),
            endsAt: at(d, course.to),
            location: course.location,
            capacity: course.capacity,
          })),
        },
      },
    });
  }

  await seedDemoDocuments(db, clock);
  logger.info({ households: await db.household.count() }, "demo data loaded");
  return true;
}

/**
 * The document requirements, and a few households' checklists: some papers in order, some asked
 * for with a due date (one already past), some not yet recorded.
 */
async function seedDemoDocuments(db: Db, clock: Clock): Promise<void> {
  await ensureDocumentRequirements(db);
  const today = romeToday(clock.now());
  const inDays = (days: number) => new Date(today.getTime() + days * 24 * 60 * 60 * 1000);
  const checklists: Record<string, [key: string, status: DocumentStatus, dueDate: Date | null][]> = {
    "BS-004512": [
      ["isee", "verified", null],
      ["income_declaration", "requested", inDays(20)],
      ["payment_receipts", "received", null],
      ["contract", "verified", null],
    ],
    "BS-004600": [
      ["isee", "missing", inDays(-5)],
      ["income_declaration", "missing", inDays(30)],
      ["contract", "verified", null],
    ],
    "CR-001207": [
      ["isee", "requested", inDays(10)],
      ["payment_receipts", "missing", null],
    ],
  };
  for (const [contractCode, documents] of Object.entries(checklists)) {
    const household = await db.household.findUnique({ where: { contractCode } });
    if (!household) continue;
    for (const [key, status, dueDate] of documents) {
      await setHouseholdDocument(db, { householdId: household.id, key, status, dueDate });
    }
  }
}

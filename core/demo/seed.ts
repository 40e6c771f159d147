// Demo data for `npm start` without a Telegram token: loaded only into an empty database.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { addDays, addMonths } from "date-fns";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import { importHouseholds, parseHouseholdsFile } from "../imports/households.ts";
import type { Logger } from "../logger.ts";
import { upsertStaff } from "../staff.ts";
import { calendarDate, parseRomeDateTime, romeToday } from "../time.ts";

/** Demo mode only: the sandbox is local and the admin panel listens on 127.0.0.1 by default. */
export const DEMO_STAFF = { email: "demo@bussola.local", password: "bussola-demo" } as const;
export const DEMO_LOGIN_HINT = `${DEMO_STAFF.email} / ${DEMO_STAFF.password}`;

export const DOCUMENT_REQUIREMENTS = ["isee", "income_declaration", "payment_receipts", "contract"] as const;

export async function loadDemoData(db: Db, clock: Clock, logger: Logger): Promise<boolean> {
  if ((await db.staff.count()) === 0) await upsertStaff(db, { ...DEMO_STAFF, role: "admin" });
  if ((await db.household.count()) > 0) return false;

  const parsed = parseHouseholdsFile(readFileSync(join(import.meta.dirname, "households.csv")), { clock });
  if (!parsed.ok)
    throw new Error(`demo households.csv is invalid: ${parsed.problems.map((p) => p.message).join("; ")}`);
  await importHouseholds(db, parsed.rows, { actor: { actorType: "system", actorId: "demo" }, clock });

  // One household with a repayment plan that started two months ago: some paid, one due soon.
  const colombo = await db.household.findUniqueOrThrow({ where: { contractCode: "BS-004512" } });
  const today = romeToday(clock.now());
  const firstDue = calendarDate(today.getUTCFullYear(), today.getUTCMonth() + 1, 15) as Date;
  await db.repaymentPlan.create({
    data: {
      householdId: colombo.id,
      planCode: "PR-DEMO-0045",
      installments: {
        create: Array.from({ length: 10 }, (_, i) => ({
          number: i + 1,
          dueDate: addMonths(firstDue, i - 2),
          amountCents: 20_000,
          paidCents: i < 2 ? 20_000 : 0,
        })),
      },
    },
  });

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

  for (const [sortOrder, key] of DOCUMENT_REQUIREMENTS.entries()) {
    await db.documentRequirement.upsert({ where: { key }, create: { key, sortOrder }, update: {} });
  }
  logger.info({ households: await db.household.count() }, "demo data loaded");
  return true;
}

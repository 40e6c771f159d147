// The demo's offices, a login per role, and casework that fills every page of the panel: case
// workers, a member Telegram no longer reaches, cases in every state, a broken plan and its alert.
import { addDays } from "date-fns";
import type { Clock } from "../clock.ts";
import type { Db, StaffRole } from "../db/client.ts";
import { importPlans } from "../imports/plans.ts";
import { saveOffice } from "../offices/offices.ts";
import { upsertStaff } from "../staff.ts";
import { romeToday } from "../time.ts";

export const DEMO_OFFICES = [
  { code: "BS", name: "Brescia", municipalities: ["Brescia"] },
  { code: "CR", name: "Cremona", municipalities: ["Cremona"] },
  { code: "MN", name: "Mantova", municipalities: ["Mantova"] },
] as const;

/** Besides the admin account (DEMO_EMAIL); all share the demo's password. */
export const DEMO_STAFF: readonly { email: string; role: StaffRole; office: string; firstName: string }[] = [
  { email: "operatore.brescia@bussola.local", role: "operator", office: "BS", firstName: "Giulia" },
  { email: "operatore.cremona@bussola.local", role: "operator", office: "CR", firstName: "Samir" },
  { email: "coordinamento.brescia@bussola.local", role: "coordinator", office: "BS", firstName: "Paola" },
];

/** Idempotent: run at every demo start, so an older demo database gets its offices too. */
export async function seedDemoOffices(db: Db): Promise<void> {
  for (const office of DEMO_OFFICES) {
    if (await db.office.findUnique({ where: { code: office.code } })) continue;
    await saveOffice(db, {
      code: office.code,
      name: office.name,
      municipalities: [...office.municipalities],
    });
  }
}

/** The role logins, created once with the demo's password. */
export async function ensureDemoStaff(db: Db, password: string): Promise<void> {
  for (const person of DEMO_STAFF) {
    if (await db.staff.findUnique({ where: { email: person.email } })) continue;
    const office = await db.office.findUniqueOrThrow({ where: { code: person.office } });
    await upsertStaff(db, { ...person, password, officeId: office.id });
  }
}

/** Once, on a new demo database, after its households, offices and staff. */
export async function seedDemoCasework(db: Db, clock: Clock): Promise<void> {
  const now = clock.now();
  const staffId = async (email: string) => (await db.staff.findUniqueOrThrow({ where: { email } })).id;
  const household = async (code: string) =>
    (await db.household.findUniqueOrThrow({ where: { contractCode: code } })).id;
  const giulia = await staffId("operatore.brescia@bussola.local");
  const samir = await staffId("operatore.cremona@bussola.local");
  const colombo = await household("BS-004512");
  const rossi = await household("BS-004600");
  const haddad = await household("CR-001207");
  const marin = await household("MN-000318");
  const kovalenko = await household("BS-004513");
  await db.household.update({ where: { id: colombo }, data: { caseWorkerId: giulia } });
  await db.household.update({ where: { id: rossi }, data: { caseWorkerId: giulia } });
  await db.household.update({ where: { id: haddad }, data: { caseWorkerId: samir } });

  // Members linked long ago by made-up Telegram accounts (the demo chat's own users link with codes).
  const member = async (
    householdId: number,
    telegramUserId: number,
    firstName: string,
    language: string,
    extra = {},
  ) =>
    (
      await db.member.create({
        data: {
          telegramUserId: BigInt(telegramUserId),
          chatId: BigInt(telegramUserId),
          firstName,
          language,
          householdId,
          linkedAt: addDays(now, -60),
          consentAt: addDays(now, -60),
          ...extra,
        },
      })
    ).id;
  const mario = await member(rossi, 990_000_001, "Mario", "it", { unreachableAt: addDays(now, -3) });
  const youssef = await member(haddad, 990_000_002, "Youssef", "ar");
  const georgiana = await member(marin, 990_000_003, "Georgiana", "ro");
  const oksana = await member(kovalenko, 990_000_004, "Oksana", "uk");

  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
  const kase = async (
    data: {
      householdId: number;
      memberId: number;
      status: "open" | "waiting_household" | "closed";
      urgent?: boolean;
    },
    messages: [author: "household" | "operator", text: string, hours: number][],
    extra: Record<string, unknown> = {},
  ) => {
    const created = await db.case.create({
      data: {
        householdId: data.householdId,
        memberId: data.memberId,
        topic: "operator",
        status: data.status,
        urgent: data.urgent ?? false,
        openedAt: hoursAgo(messages[0]?.[2] ?? 1),
        ...extra,
      },
    });
    for (const [author, text, hours] of messages) {
      await db.caseMessage.create({
        data: {
          caseId: created.id,
          author,
          text,
          createdAt: hoursAgo(hours),
          ...(author === "household" ? { memberId: data.memberId } : {}),
        },
      });
    }
    return created.id;
  };
  await kase(
    { householdId: rossi, memberId: mario, status: "open", urgent: true },
    [["household", "Ci hanno mandato la lettera di sfratto, cosa dobbiamo fare?", 30]],
    { lastHouseholdMessageAt: hoursAgo(30) },
  );
  await kase(
    { householdId: haddad, memberId: youssef, status: "waiting_household" },
    [
      ["household", "Posso pagare la rata di novembre a metà mese?", 50],
      ["operator", "Sì, va bene entro il 20. Mi mandi la ricevuta quando hai pagato?", 26],
    ],
    { lastHouseholdMessageAt: hoursAgo(50), lastOperatorMessageAt: hoursAgo(26), assignedStaffId: samir },
  );
  await kase(
    { householdId: marin, memberId: georgiana, status: "closed" },
    [
      ["household", "Dove porto l'ISEE?", 200],
      ["operator", "Allo sportello ALER di Viale Europa 68, il martedì mattina.", 190],
    ],
    {
      lastHouseholdMessageAt: hoursAgo(200),
      lastOperatorMessageAt: hoursAgo(190),
      closedAt: hoursAgo(180),
      outcome: "aler_office",
    },
  );

  // Messages that did not reach them: Mario blocked the bot; a reminder to Oksana went out as a
  // worker stopped (uncertain: the deliveries page offers to send it again).
  await db.outboundMessage.create({
    data: {
      purpose: "reminder:demo:blocked",
      memberId: mario,
      chatId: 990_000_001n,
      text: "Promemoria della rata",
      status: "unreachable",
      lastError: "403 Forbidden: bot was blocked by the user",
      createdAt: addDays(now, -3),
    },
  });
  await db.outboundMessage.create({
    data: {
      purpose: "reminder:demo:uncertain",
      memberId: oksana,
      chatId: 990_000_004n,
      text: "Promemoria della rata",
      status: "uncertain",
      lastError: "the worker stopped between sending and hearing back",
      createdAt: addDays(now, -1),
    },
  });
  // Someone who mistyped a code read over the phone five times: the link lockouts page lists them.
  await db.member.create({
    data: { telegramUserId: 990_000_009n, chatId: 990_000_009n, language: "sq", consentAt: hoursAgo(2) },
  });
  await db.linkAttempt.createMany({
    data: Array.from({ length: 5 }, (_, i) => ({
      telegramUserId: 990_000_009n,
      succeeded: false,
      at: new Date(now.getTime() - (30 - i) * 60_000),
    })),
  });

  // The ranked caseload's other reasons: the Colombos' arrears grew since they entered the programme
  // (an earlier, lower figure from the authority), and two families have had no contact for months.
  const firstFigures = new Date(
    Date.UTC(romeToday(now).getUTCFullYear(), romeToday(now).getUTCMonth() - 8, 28),
  );
  await db.arrearsBalance.create({
    data: { householdId: colombo, balanceDate: firstFigures, rentCents: 190_000, chargesCents: 30_000 },
  });
  await db.household.updateMany({
    where: { contractCode: { in: ["BS-004512", "MN-000402"] } },
    data: { createdAt: addDays(now, -90) },
  });

  // Oksana's plan: two installments missed, so the escalation rule called it broken and alerted.
  const today = romeToday(now);
  const monthDay = (months: number, day: number) =>
    new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + months, day));
  const rows = Array.from({ length: 6 }, (_, i) => ({
    line: i + 2,
    contractCode: "BS-004513",
    planCode: "PR-DEMO-4513",
    number: i + 1,
    dueDate: monthDay(i - 3, 10),
    amountCents: 15_000,
    pagopaNotice: null,
  }));
  const imported = await importPlans(
    db,
    { ok: true, rows },
    { actor: { actorType: "system", actorId: "demo" } },
  );
  if (!imported.ok) throw new Error("demo broken plan is invalid");
  const plan = await db.repaymentPlan.update({
    where: { planCode: "PR-DEMO-4513" },
    data: { status: "broken", brokenAt: hoursAgo(24) },
  });
  const planCase = await kase({ householdId: kovalenko, memberId: oksana, status: "open" }, [], {
    source: "plan_broken",
    topic: "debt",
    dedupeKey: `plan-broken:${plan.id}`,
  });
  await db.alert.create({
    data: {
      kind: "plan-broken",
      dedupeKey: `plan-broken:${plan.id}`,
      householdId: kovalenko,
      planId: plan.id,
      caseId: planCase,
    },
  });
}

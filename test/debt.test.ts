// /balance and /plan as a household uses them, in Italian and English, through the sandbox; and the
// debt figures they are built from (core/debt.ts), directly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { progressBar } from "../bot/features/plan.ts";
import { fixedClock } from "../core/clock.ts";
import { currentArrears, installmentState, planOverview } from "../core/debt.ts";
import { loadDemoData } from "../core/demo/seed.ts";
import { importPayments, parsePaymentsFile } from "../core/imports/payments.ts";
import { importPlans, parsePlansFile } from "../core/imports/plans.ts";
import { createLogger } from "../core/logger.ts";
import { debtViewFigures } from "../core/results/debt-views.ts";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";
import { createTestDatabase } from "./support/db.ts";
import type { SandboxUser, TranscriptEntry } from "./support/sandbox-user.ts";

// 27 November 2026, 11:00 in Rome. The harness's households have figures of 30/09/2026:
// rent 1.500,00 €, service charges 250,00 €.
const clock = fixedClock(new Date("2026-11-27T10:00:00Z"));
const TODAY = new Date("2026-11-27T00:00:00Z");
const actor = { actorType: "system" as const, actorId: "test" };
const eur = (amount: string) => `${amount}\u00a0€`;

let h: BotHarness;
beforeAll(async () => {
  h = await startBotHarness({ clock });
});
afterAll(() => h?.close());

/** A plan of `count` monthly installments of `amount` from `firstDue` (yyyy-mm-15 style ISO date). */
async function plan(contract: string, code: string, count: number, amount: string, firstMonth: string) {
  const [year, month] = firstMonth.split("-").map(Number) as [number, number];
  const lines = Array.from({ length: count }, (_, i) => {
    const due = new Date(Date.UTC(year, month - 1 + i, 15)).toISOString().slice(0, 10);
    return `${contract};${code};${i + 1};${due};${amount}`;
  });
  const parsed = await parsePlansFile(
    Buffer.from(["contract_code;plan_code;installment_number;due_date;amount", ...lines].join("\n")),
  );
  const outcome = await importPlans(h.db, parsed, { actor });
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.problems));
}

/** Payments as [date dd/mm/yyyy, amount, reference]. */
async function pay(contract: string, payments: [string, string, string][]) {
  const lines = payments.map(([date, amount, reference]) => `${contract};${date};${amount};${reference}`);
  const parsed = await parsePaymentsFile(
    Buffer.from(["contract_code;payment_date;amount;reference", ...lines].join("\n")),
    {
      clock,
    },
  );
  const outcome = await importPayments(h.db, parsed, { actor, clock });
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.problems));
}

const buttons = (message: TranscriptEntry) =>
  (message.reply_markup?.inline_keyboard ?? []).flat().map((b) => [b.text, b.callback_data]);

async function pressAndAnswer(user: SandboxUser, message: TranscriptEntry, data: string) {
  const pressed = (await user.press(message.message_id, data)) as {
    update_id: number;
    callback_query_id: string;
  };
  const [reply] = await user.replies(1);
  const answer = await fetch(`${h.sandbox.url}/control/callback-answers/${pressed.callback_query_id}`);
  expect(answer.status, "the button press was answered").toBe(200);
  return { reply: reply as TranscriptEntry, answer: (await answer.json()) as { text?: string }, pressed };
}

describe("debt figures", () => {
  it("takes payments after the figures' date off the total, never below zero", async () => {
    const id = await h.household("TS-CORE-01");
    await pay("TS-CORE-01", [
      ["30/09/2026", "500,00", "CORE-01-A"], // on the figures' date: already in them
      ["01/10/2026", "1.000,00", "CORE-01-B"],
      ["02/11/2026", "250,00", "CORE-01-C"],
    ]);
    const arrears = await currentArrears(h.db, id);
    expect(arrears).toMatchObject({
      rentCents: 150_000,
      chargesCents: 25_000,
      totalCents: 175_000,
      paidSinceCents: 125_000,
      nowCents: 50_000,
      overpaidCents: 0,
    });
    expect(arrears?.paymentsSince.map((p) => p.amountCents)).toEqual([100_000, 25_000]);
    await pay("TS-CORE-01", [["03/11/2026", "600,00", "CORE-01-D"]]);
    expect(await currentArrears(h.db, id)).toMatchObject({ nowCents: 0, overpaidCents: 10_000 });
    expect(await currentArrears(h.db, 999_999)).toBeNull();
  });

  it("tells paid, overdue and upcoming installments apart as of today in Rome", async () => {
    const due = new Date("2026-11-27T00:00:00Z");
    expect(installmentState({ dueDate: due, amountCents: 100, paidCents: 0 }, TODAY)).toBe("upcoming");
    expect(
      installmentState({ dueDate: due, amountCents: 100, paidCents: 0 }, new Date("2026-11-28T00:00:00Z")),
    ).toBe("overdue");
    expect(
      installmentState({ dueDate: due, amountCents: 100, paidCents: 100 }, new Date("2027-01-01T00:00:00Z")),
    ).toBe("paid");

    const id = await h.household("TS-CORE-02");
    expect(await planOverview(h.db, id, TODAY)).toBeNull();
    await plan("TS-CORE-02", "PR-CORE-02", 4, "100,00", "2026-10");
    await pay("TS-CORE-02", [["10/10/2026", "150,00", "CORE-02-A"]]);
    const overview = await planOverview(h.db, id, TODAY);
    expect(overview).toMatchObject({
      planCode: "PR-CORE-02",
      status: "active",
      total: 4,
      paidCount: 1,
      overdueCents: 5_000,
      remainingCents: 25_000,
    });
    expect(overview?.overdue.map((i) => [i.number, i.remainingCents])).toEqual([[2, 5_000]]);
    expect(overview?.next).toMatchObject({ number: 3, remainingCents: 10_000, paidCents: 0 });
    expect(overview?.upcoming.map((i) => i.number)).toEqual([3, 4]);
  });

  it("draws progress so that some progress always shows, and full only when done", async () => {
    expect(progressBar(3, 10)).toBe(`${"🟩".repeat(3)}${"⬜".repeat(7)}`);
    expect(progressBar(1, 36)).toBe(`🟩${"⬜".repeat(9)}`);
    expect(progressBar(35, 36)).toBe(`${"🟩".repeat(9)}⬜`);
    expect(progressBar(0, 4)).toBe("⬜".repeat(10));
    expect(progressBar(4, 4)).toBe("🟩".repeat(10));
  });
});

describe("demo data", () => {
  it("gives the demo household a plan whose first two installments are paid by recorded payments", async () => {
    const database = await createTestDatabase();
    try {
      expect(await loadDemoData(database.db, clock, createLogger({ level: "silent" }))).toBe(true);
      const colombo = await database.db.household.findUniqueOrThrow({ where: { contractCode: "BS-004512" } });
      const overview = await planOverview(database.db, colombo.id, TODAY);
      // Due on the 15th from two months before this one: 15/09 and 15/10 paid, 15/11 just behind.
      expect(
        overview?.installments.slice(0, 4).map((i) => [i.dueDate.toISOString().slice(0, 10), i.state]),
      ).toEqual([
        ["2026-09-15", "paid"],
        ["2026-10-15", "paid"],
        ["2026-11-15", "overdue"],
        ["2026-12-15", "upcoming"],
      ]);
      expect(overview).toMatchObject({ total: 10, paidCount: 2, remainingCents: 160_000 });
      const payments = await database.db.payment.findMany({ where: { householdId: colombo.id } });
      expect(payments.map((p) => p.amountCents)).toEqual([20_000, 20_000]);
      // The payment after the figures' date (30/09/2026) lowers what the demo household sees.
      expect(await currentArrears(database.db, colombo.id)).toMatchObject({
        totalCents: 272_615,
        nowCents: 252_615,
      });
      const audit = await database.db.auditLog.findMany({
        where: { action: { in: ["import.plans", "import.payments"] } },
      });
      expect(audit.map((a) => [a.action, a.actorType, a.actorId])).toEqual([
        ["import.plans", "system", "demo"],
        ["import.payments", "system", "demo"],
      ]);
    } finally {
      await database.drop();
    }
  });
});

describe("/balance", () => {
  it("shows the figures, their date and how to pay, in Italian; no plan button without a plan", async () => {
    const user = await h.linkedUser("TS-BAL-IT", { language: "it" });
    const balance = await user.ask("/balance");
    expect(balance.text).toContain("Il tuo debito con ALER");
    expect(balance.text).toContain("Dati di ALER al 30/09/2026");
    expect(balance.text).toContain(`Canone: ${eur("1.500,00")}`);
    expect(balance.text).toContain(`Spese: ${eur("250,00")}`);
    expect(balance.text).toContain(`Totale: ${eur("1.750,00")}`);
    expect(balance.text).not.toContain("Pagamenti arrivati");
    expect(balance.text).toContain("/operator");
    expect(buttons(balance)).toEqual([["💳 Come pagare", "debt:howto"]]);

    const { reply, answer } = await pressAndAnswer(user, balance, "debt:howto");
    expect(answer.text).toBeUndefined();
    expect(reply.text).toContain("Come pagare");
    expect(reply.text).toContain("pagoPA");
    expect(reply.text).toContain("tabaccheria");
    expect(reply.text).toContain("/operator");

    // The menu button does the same as the command.
    expect((await user.ask("💶 Quanto devo")).text).toContain(`Totale: ${eur("1.750,00")}`);
  });

  it("lists payments since the figures and what is left, in English", async () => {
    const user = await h.linkedUser("TS-BAL-EN", { language: "en" });
    await pay("TS-BAL-EN", [
      ["14/10/2026", "200,00", "BAL-EN-1"],
      ["03/11/2026", "150,00", "BAL-EN-2"],
    ]);
    const balance = await user.ask("/balance");
    expect(balance.text).toContain("What you owe ALER");
    expect(balance.text).toContain("as of 30/09/2026");
    expect(balance.text).toContain(`Rent: ${eur("1.500,00")}`);
    expect(balance.text).toContain(`Service charges: ${eur("250,00")}`);
    expect(balance.text).toContain(`Total: ${eur("1.750,00")}`);
    expect(balance.text).toContain(`Payments received after 30/09/2026: ${eur("350,00")}`);
    expect(balance.text).toContain(`• 14/10/2026: ${eur("200,00")}`);
    expect(balance.text).toContain(`• 03/11/2026: ${eur("150,00")}`);
    expect(balance.text).toContain(`Still to pay: ${eur("1.400,00")}`);
    expect(balance.text).toContain("Paid recently?");
    expect(balance.text).not.toContain("more than you owed");
    expect(buttons(balance)).toEqual([["💳 How to pay", "debt:howto"]]);
  });

  it("never shows less than zero: a payment above the debt shows 0 and the amount paid over", async () => {
    const user = await h.linkedUser("TS-BAL-OVER", { language: "it" });
    await pay("TS-BAL-OVER", [
      ["01/10/2026", "100,00", "OVER-1"],
      ["02/10/2026", "100,00", "OVER-2"],
      ["03/10/2026", "100,00", "OVER-3"],
      ["04/10/2026", "100,00", "OVER-4"],
      ["05/10/2026", "100,00", "OVER-5"],
      ["06/10/2026", "100,00", "OVER-6"],
      ["07/10/2026", "1.400,00", "OVER-7"],
    ]);
    const balance = await user.ask("/balance");
    expect(balance.text).toContain(`Pagamenti arrivati dopo il 30/09/2026: ${eur("2.000,00")}`);
    // The five most recent are listed; the older ones are counted.
    expect(balance.text).not.toContain("• 01/10/2026");
    expect(balance.text).toContain(`• 07/10/2026: ${eur("1.400,00")}`);
    expect(balance.text).toContain("• e 2 pagamenti prima");
    expect(balance.text).toContain(`Restano da pagare: ${eur("0,00")}`);
    expect(balance.text).toContain("il debito risulta pagato");
    expect(balance.text).toContain(`Hai pagato ${eur("250,00")} in più`);
    expect(balance.text).not.toMatch(/-\s?\d/);
  });

  it("explains when there are no figures yet, or nothing is owed", async () => {
    const user = await h.linkedUser("TS-BAL-NONE", { language: "it" });
    await h.db.arrearsBalance.deleteMany({ where: { household: { contractCode: "TS-BAL-NONE" } } });
    const none = await user.ask("/balance");
    expect(none.text).toContain("Non abbiamo ancora i dati");
    expect(none.text).toContain("/operator");

    const en = await h.linkedUser("TS-BAL-ZERO", { language: "en" });
    await h.db.arrearsBalance.updateMany({
      where: { household: { contractCode: "TS-BAL-ZERO" } },
      data: { rentCents: 0, chargesCents: 0 },
    });
    expect((await en.ask("/balance")).text).toContain("As of 30/09/2026 you owe nothing");
  });

  it("asks for the link code first, in the person's language", async () => {
    const it_ = await h.newUser({ language: "it" });
    expect((await it_.ask("/balance")).text).toContain("codice di collegamento");
    expect((await it_.ask("/plan")).text).toContain("codice di collegamento");
    const en = await h.newUser({ language: "en" });
    expect((await en.ask("/balance")).text).toContain("link code");
    expect((await en.ask("📅 Repayment plan")).text).toContain("link code");
  });
});

describe("looks noted for the programme's figures", () => {
  it("one row per household, month and kind, however often; nothing about who or when", async () => {
    const user = await h.linkedUser("TS-LOOKS", { language: "it" });
    const household = await h.db.household.findUniqueOrThrow({ where: { contractCode: "TS-LOOKS" } });
    await plan("TS-LOOKS", "PR-LOOKS", 3, "100,00", "2026-12");
    expect(await h.db.debtView.count({ where: { householdId: household.id } })).toBe(0);
    await user.ask("/balance");
    await user.ask("💶 Quanto devo");
    await user.ask("/plan");
    await user.ask("/plan");
    const rows = await h.db.debtView.findMany({
      where: { householdId: household.id },
      orderBy: { kind: "asc" },
    });
    // 27/11/2026 in Rome: November's month, once for each kind.
    expect(rows).toEqual([
      { householdId: household.id, month: "2026-11", kind: "balance" },
      { householdId: household.id, month: "2026-11", kind: "plan" },
    ]);
    // The dashboard counts households, in the period's months, within the staff member's scope.
    const admin = { staffId: 1, role: "admin" as const, officeId: null };
    const november = { officeId: null, municipality: null, cohort: null, from: "2026-11", to: "2026-11" };
    const counted = async (kind: "balance" | "plan") =>
      (await h.db.debtView.findMany({ where: { kind, month: "2026-11" }, distinct: ["householdId"] })).length;
    expect(await debtViewFigures(h.db, admin, november)).toEqual({
      balanceViewed: await counted("balance"),
      planViewed: await counted("plan"),
    });
    expect(await debtViewFigures(h.db, admin, { ...november, from: "2026-12", to: "2026-12" })).toEqual({
      balanceViewed: 0,
      planViewed: 0,
    });
    const noOffice = { staffId: 2, role: "operator" as const, officeId: null };
    expect(await debtViewFigures(h.db, noOffice, november)).toEqual({ balanceViewed: 0, planViewed: 0 });
    // Gone with the household.
    await h.db.household.delete({ where: { id: household.id } });
    expect(await h.db.debtView.count({ where: { householdId: household.id } })).toBe(0);
  });
});

describe("/plan", () => {
  it("shows progress, an overdue installment gently, the next one and how to pay, in Italian", async () => {
    const user = await h.linkedUser("TS-PLAN-IT", { language: "it" });
    await plan("TS-PLAN-IT", "PR-IT-01", 10, "100,00", "2026-10");
    await pay("TS-PLAN-IT", [
      ["14/10/2026", "100,00", "PLAN-IT-1"],
      ["10/11/2026", "50,00", "PLAN-IT-2"],
    ]);
    const shown = await user.ask("📅 Piano di rientro");
    expect(shown.text).toContain("Il tuo piano di rientro");
    expect(shown.text).toContain("PR-IT-01");
    expect(shown.text).toContain(`🟩${"⬜".repeat(9)}`);
    expect(shown.text).toContain("Rate pagate: 1 di 10");
    expect(shown.text).toContain("Una rata è rimasta indietro");
    expect(shown.text).toContain(`rata del 15/11/2026: mancano ${eur("50,00")}`);
    expect(shown.text).toContain("pagala appena puoi");
    expect(shown.text).toContain(`Prossima rata: ${eur("100,00")} entro il 15/12/2026`);
    expect(shown.text).toContain("Dopo questa mancano ancora 7 rate.");
    expect(shown.text).toContain(`Restano da pagare sul piano: ${eur("850,00")}`);
    expect(shown.text).toContain("Come pagare");
    expect(shown.text).toContain("/operator");
    expect(buttons(shown)).toEqual([["💶 Quanto devo", "debt:balance"]]);

    // From the plan to the balance, and back with the balance's plan button.
    const { reply: balance } = await pressAndAnswer(user, shown, "debt:balance");
    expect(balance.text).toContain(`Restano da pagare: ${eur("1.600,00")}`);
    expect(buttons(balance)).toEqual([
      ["📅 Il mio piano", "debt:plan"],
      ["💳 Come pagare", "debt:howto"],
    ]);
    const { reply: again } = await pressAndAnswer(user, balance, "debt:plan");
    expect(again.text).toContain("Rate pagate: 1 di 10");
  });

  it("shows a partly paid next installment, and more overdue ones, in English", async () => {
    const user = await h.linkedUser("TS-PLAN-EN", { language: "en" });
    await plan("TS-PLAN-EN", "PR-EN-01", 3, "100,00", "2026-11");
    await pay("TS-PLAN-EN", [["10/11/2026", "150,00", "PLAN-EN-1"]]);
    const shown = await user.ask("/plan");
    expect(shown.text).toContain("Your repayment plan");
    expect(shown.text).toContain("Installments paid: 1 of 3");
    expect(shown.text).not.toContain("behind");
    expect(shown.text).toContain(
      `Next installment: ${eur("50,00")} by 15/12/2026 (you have already paid ${eur("50,00")})`,
    );
    expect(shown.text).toContain("After this one, 1 more installment.");
    expect(shown.text).toContain("How to pay");
    expect(buttons(shown)).toEqual([["💶 What I owe", "debt:balance"]]);

    const late = await h.linkedUser("TS-PLAN-EN-LATE", { language: "en" });
    await plan("TS-PLAN-EN-LATE", "PR-EN-02", 6, "80,00", "2026-07");
    const behind = await late.ask("/plan");
    expect(behind.text).toContain("Installments paid: 0 of 6");
    expect(behind.text).toContain("⏰ 5 installments are behind:");
    expect(behind.text).toContain(`• due 15/07/2026: ${eur("80,00")} still to pay`);
    expect(behind.text).toContain("• and 2 more installments");
    expect(behind.text).toContain("pay them as soon as possible");
    expect(behind.text).toContain(`Next installment: ${eur("80,00")} by 15/12/2026`);
    expect(behind.text).toContain("This is the last one!");
  });

  it("celebrates a completed plan, and points a stopped one to a person", async () => {
    const done = await h.linkedUser("TS-PLAN-DONE", { language: "it" });
    await plan("TS-PLAN-DONE", "PR-DONE", 2, "100,00", "2026-10");
    await pay("TS-PLAN-DONE", [["01/10/2026", "200,00", "DONE-1"]]);
    const shown = await done.ask("/plan");
    expect(shown.text).toContain("Rate pagate: 2 di 2");
    expect(shown.text).toContain("Hai pagato tutte le 2 rate");
    expect(shown.text).not.toContain("Prossima rata");

    const broken = await h.linkedUser("TS-PLAN-BROKEN", { language: "en" });
    await plan("TS-PLAN-BROKEN", "PR-BROKEN", 3, "100,00", "2026-09");
    await h.db.repaymentPlan.update({ where: { planCode: "PR-BROKEN" }, data: { status: "broken" } });
    const stopped = await broken.ask("/plan");
    expect(stopped.text).toContain("The plan has been stopped");
    expect(stopped.text).toContain("/operator");
    expect(stopped.text).toContain("3 installments are behind");
  });

  it("explains kindly when there is no plan, and offers a person", async () => {
    const it_ = await h.linkedUser("TS-PLAN-NONE-IT", { language: "it" });
    const none = await it_.ask("/plan");
    expect(none.text).toContain("Per ora non hai un piano di rientro");
    expect(none.text).toContain("/operator");
    expect(buttons(none)).toEqual([["💶 Quanto devo", "debt:balance"]]);
    const en = await h.linkedUser("TS-PLAN-NONE-EN", { language: "en" });
    const noneEn = await en.ask("/plan");
    expect(noneEn.text).toContain("You do not have a repayment plan yet");
    expect(noneEn.text).toContain("/operator");
  });
});

describe("duplicates and old buttons", () => {
  it("answers a redelivered update once", async () => {
    const user = await h.linkedUser("TS-DUP", { language: "it" });
    const sent = await user.send({ text: "/balance" });
    await user.replies(1);
    await user.redeliver(sent.update_id);
    expect(await user.quietFor(1500)).toEqual([]);

    const plan_ = await user.ask("/plan");
    const pressed = await user.press(plan_.message_id, "debt:balance");
    await user.replies(1);
    await user.redeliver(pressed.update_id);
    expect(await user.quietFor(1500)).toEqual([]);
  });

  it("an old button shows the figures as they are now, or explains why it cannot", async () => {
    const user = await h.linkedUser("TS-OLD", { language: "it" });
    await plan("TS-OLD", "PR-OLD", 4, "100,00", "2026-12");
    const balance = await user.ask("/balance");
    expect(buttons(balance).map((b) => b[1])).toContain("debt:plan");

    // The plan is cancelled after the message was sent: the button still answers, with today's state.
    await h.db.repaymentPlan.update({ where: { planCode: "PR-OLD" }, data: { status: "cancelled" } });
    const { reply } = await pressAndAnswer(user, balance, "debt:plan");
    expect(reply.text).toContain("Per ora non hai un piano di rientro");

    // The member is no longer linked: the button is answered, and the reply says what to do.
    await h.db.member.update({ where: { telegramUserId: BigInt(user.id) }, data: { householdId: null } });
    const unlinked = await pressAndAnswer(user, balance, "debt:howto");
    expect(unlinked.reply.text).toContain("codice di collegamento");
    const stale = await pressAndAnswer(user, reply, "debt:balance");
    expect(stale.reply.text).toContain("codice di collegamento");
  });

  it("made no request Telegram would reject", async () => {
    expect(await h.badRequests()).toEqual([]);
  });
});

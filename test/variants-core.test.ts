// Reminder wording tests against real PostgreSQL and Redis: creating one (bad inputs refused as content
// is), the scan sending each member the wording of their variant and recording it with the message,
// assignment stable per member, the outcome (paid in full within 3 days of the due date) counted in
// SQL per variant, and stopping a test keeping a wording through core/content (versioned, audited).
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import { findLocaleItem } from "../core/content/families.ts";
import { saveContentText } from "../core/content/store.ts";
import { reloadContent } from "../core/content/sync.ts";
import { translator } from "../core/i18n.ts";
import { createDeliveryQueue, type DeliveryQueue } from "../core/queues/delivery.ts";
import type { QuietHours } from "../core/quiet-hours.ts";
import { runReminderScan } from "../core/reminders/scan.ts";
import { upsertStaff } from "../core/staff.ts";
import { variantOf } from "../core/variants/assign.ts";
import { createExperiment, findExperiment, stopExperiment } from "../core/variants/experiments.ts";
import { experimentResults } from "../core/variants/results.ts";
import { compareProportions, wilsonInterval } from "../core/variants/stats.ts";
import { createTestDatabase, type TestDatabase, testQueuePrefix } from "./support/db.ts";

let t: TestDatabase;
let redis: Redis;
let queue: DeliveryQueue;
let staffId: number;
const QUIET: QuietHours = { startMinute: 21 * 60, endMinute: 8 * 60 };
const clock = fixedClock(new Date("2026-12-01T10:00:00Z"));

const B_IT =
  "📅 <b>Rata in scadenza oggi</b>\nOggi, {{date}}, scade la rata {{number}} di {{total}}: <b>{{amount}}</b>.\nQuasi tutte le famiglie del tuo quartiere pagano entro la scadenza.";
const B_EN =
  "📅 <b>Installment due today</b>\nToday, {{date}}, installment {{number}} of {{total}} is due: <b>{{amount}}</b>.\nMost households in your area pay on time.";

beforeAll(async () => {
  t = await createTestDatabase();
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  queue = createDeliveryQueue(redis, testQueuePrefix());
  staffId = (
    await upsertStaff(t.db, {
      email: "coord.varianti@aler.example",
      role: "coordinator",
      password: "x".repeat(16),
    })
  ).id;
});

afterAll(async () => {
  await queue?.obliterate({ force: true });
  await queue?.close();
  await redis?.quit();
  await t?.drop();
});

let serial = 0;

/** A household with one member and a one-installment plan of 150 € due 2026-12-10; returns ids. */
async function householdDue(
  language = "it",
): Promise<{ household: number; member: number; installment: number }> {
  serial += 1;
  const h = await t.db.household.create({
    data: {
      contractCode: `V-${serial}`,
      name: `F ${serial}`,
      fiscalCode: "X",
      municipality: "Brescia",
      address: "Via Roma 1",
    },
  });
  const m = await t.db.member.create({
    data: {
      telegramUserId: BigInt(500_000 + serial),
      chatId: BigInt(500_000 + serial),
      language,
      householdId: h.id,
      linkedAt: new Date("2026-11-01T10:00:00Z"),
      consentAt: new Date("2026-11-01T10:00:00Z"),
    },
  });
  const p = await t.db.repaymentPlan.create({
    data: {
      householdId: h.id,
      planCode: `PV-${serial}`,
      installments: { create: [{ number: 1, dueDate: new Date("2026-12-10"), amountCents: 15_000 }] },
    },
    include: { installments: true },
  });
  return { household: h.id, member: m.id, installment: p.installments[0]?.id as number };
}

describe("creating a test", () => {
  it("refuses bad inputs with the content rules and keeps one running test per kind", async () => {
    expect(await createExperiment(t.db, staffId, "inst-overdue", [{ it: B_IT }])).toEqual({
      ok: false,
      problems: [{ code: "kind" }],
    });
    expect(await createExperiment(t.db, staffId, "nonsense", [{ it: B_IT }])).toMatchObject({ ok: false });
    expect(await createExperiment(t.db, staffId, "inst-due", [{ it: "  " }, {}])).toEqual({
      ok: false,
      problems: [{ code: "noVariant" }],
    });
    expect(await createExperiment(t.db, staffId, "inst-due", [{ en: B_EN }])).toEqual({
      ok: false,
      problems: [{ code: "italianRequired", label: "B" }],
    });
    const missing = await createExperiment(t.db, staffId, "inst-due", [{ it: "Paga la rata {{number}}." }]);
    expect(missing).toMatchObject({
      ok: false,
      problems: [{ code: "text", label: "B", language: "it", problem: { code: "placeholderMissing" } }],
    });
    const html = await createExperiment(t.db, staffId, "inst-due", [
      { it: B_IT },
      { it: `${B_IT} <b>aperto` },
    ]);
    expect(html).toMatchObject({
      ok: false,
      problems: [{ code: "text", label: "C", language: "it", problem: { code: "html" } }],
    });
    const unknown = await createExperiment(t.db, staffId, "inst-due", [{ it: `${B_IT} {{name}}` }]);
    expect(unknown).toMatchObject({
      ok: false,
      problems: [{ problem: { code: "placeholderUnknown", names: ["name"] } }],
    });
    expect(await t.db.reminderExperiment.count()).toBe(0);

    const first = await createExperiment(t.db, staffId, "inst-before", [
      { it: "{{date}} {{number}} {{total}} {{amount}}" },
    ]);
    expect(first.ok).toBe(true);
    expect(
      await createExperiment(t.db, staffId, "inst-before", [
        { it: "{{date}} {{number}} {{total}} {{amount}}!" },
      ]),
    ).toEqual({
      ok: false,
      problems: [{ code: "running" }],
    });
    if (first.ok) expect(await stopExperiment(t.db, clock, staffId, first.id, "A")).toEqual({ ok: true });
    expect(
      await t.db.auditLog.count({ where: { action: { in: ["variants.created", "variants.stopped"] } } }),
    ).toBe(2);
  });
});

describe("stopping a test", () => {
  it("refuses to keep a wording that no longer fits the default, and leaves the test running", async () => {
    const row = await t.db.reminderExperiment.create({
      data: { kind: "inst-before", labels: ["A", "B"], texts: { B: { it: "Paga entro il {{date}}." } } },
    });
    expect(await stopExperiment(t.db, clock, staffId, row.id, "B")).toEqual({ ok: false, reason: "invalid" });
    expect((await findExperiment(t.db, row.id))?.status).toBe("running");
    expect(await t.db.contentText.count()).toBe(0);
    expect(await stopExperiment(t.db, clock, staffId, row.id, "A")).toEqual({ ok: true });
    expect(await t.db.contentText.count()).toBe(0);
  });
});

describe("the control text while a test runs", () => {
  it("cannot be changed, reset or restored (the variants are compared with it); after stopping it can", async () => {
    const item = findLocaleItem("reminders:text.inst-due");
    const other = findLocaleItem("reminders:text.inst-before");
    if (!item || !other) throw new Error("no content item for the due-date reminders");
    const created = await createExperiment(t.db, staffId, "inst-due", [{ it: B_IT }]);
    if (!created.ok) throw new Error("the test was not created");
    const before = await t.db.contentVersion.count();
    const blocked = { ok: false, problems: [{ code: "testRunning", experimentId: created.id }] };
    expect(await saveContentText(t.db, staffId, item, "it", B_IT.replace("Oggi", "Proprio oggi"))).toEqual(
      blocked,
    );
    expect(await saveContentText(t.db, staffId, item, "en", null)).toEqual(blocked);
    expect(await t.db.contentVersion.count()).toBe(before);
    // Another reminder's text is not under test.
    const free = await saveContentText(
      t.db,
      staffId,
      other,
      "it",
      "Promemoria: {{date}}, rata {{number}} di {{total}}, {{amount}}.",
    );
    expect(free.ok).toBe(true);
    await saveContentText(t.db, staffId, other, "it", null);
    expect(await stopExperiment(t.db, clock, staffId, created.id, "A")).toEqual({ ok: true });
    const after = await saveContentText(t.db, staffId, item, "it", B_IT);
    expect(after.ok).toBe(true);
    await saveContentText(t.db, staffId, item, "it", null);
    // The versions written here are not the next tests' to count.
    await t.db.contentVersion.deleteMany({ where: { namespace: "reminders" } });
  });
});

describe("the outcome follows the payments' allocation", () => {
  it("an older unpaid installment takes the money first; payments inside the plan's starting figures do not count", async () => {
    const row = await t.db.reminderExperiment.create({
      data: { kind: "inst-before", labels: ["A", "B"], texts: { B: { it: "x" } }, status: "stopped" },
    });
    serial += 1;
    const tag = async (installment: number, member: number, label: string) => {
      const message = await t.db.outboundMessage.create({
        data: {
          purpose: `test:${row.id}:${installment}:${member}`,
          memberId: member,
          chatId: BigInt(1),
          text: "x",
          status: "sent",
        },
      });
      await t.db.reminderSend.create({
        data: { messageId: message.id, experimentId: row.id, variant: label, installmentId: installment },
      });
    };
    // Household 1: November's installment unpaid, December's reminded; 150 € on 11/12 pays November.
    const one = await householdDue();
    const plan = await t.db.installment.findUniqueOrThrow({
      where: { id: one.installment },
      select: { planId: true },
    });
    await t.db.installment.create({
      data: { planId: plan.planId, number: 0, dueDate: new Date("2026-11-10"), amountCents: 15_000 },
    });
    await t.db.payment.create({
      data: {
        householdId: one.household,
        paymentDate: new Date("2026-12-11"),
        amountCents: 15_000,
        reference: `O-${serial}`,
      },
    });
    await tag(one.installment, one.member, "A");
    // Household 2: 150 € on 01/11 is inside a balance dated 05/11 (before the first due date): no count.
    const two = await householdDue();
    await t.db.arrearsBalance.create({
      data: {
        householdId: two.household,
        rentCents: 0,
        chargesCents: 0,
        balanceDate: new Date("2026-11-05"),
      },
    });
    await t.db.payment.create({
      data: {
        householdId: two.household,
        paymentDate: new Date("2026-11-01"),
        amountCents: 15_000,
        reference: `P-${serial}`,
      },
    });
    await tag(two.installment, two.member, "B");
    // Household 3: two reminders (two members) of one installment count once; paid on 10/12.
    const three = await householdDue();
    const other = await t.db.member.create({
      data: {
        telegramUserId: BigInt(900_000 + serial),
        chatId: BigInt(900_000 + serial),
        householdId: three.household,
      },
    });
    await t.db.payment.create({
      data: {
        householdId: three.household,
        paymentDate: new Date("2026-12-10"),
        amountCents: 15_000,
        reference: `Q-${serial}`,
      },
    });
    await tag(three.installment, three.member, "B");
    await tag(three.installment, other.id, "B");
    // Household 4: its two members were reminded with A and with B; paid on 10/12. Its payment cannot
    // be put down to either wording: left out of both, and counted as mixed.
    const four = await householdDue();
    const second = await t.db.member.create({
      data: {
        telegramUserId: BigInt(950_000 + serial),
        chatId: BigInt(950_000 + serial),
        householdId: four.household,
      },
    });
    await t.db.payment.create({
      data: {
        householdId: four.household,
        paymentDate: new Date("2026-12-10"),
        amountCents: 15_000,
        reference: `S-${serial}`,
      },
    });
    await tag(four.installment, four.member, "A");
    await tag(four.installment, second.id, "B");

    const results = await experimentResults(t.db, row.id, ["A", "B"], new Date("2026-12-20T12:00:00Z"));
    // Sent counts every reminder delivered (household 4's too); decided and paid leave household 4 out.
    expect(results.variants.map((r) => [r.label, r.sent, r.decided, r.paidOnTime])).toEqual([
      ["A", 2, 1, 0],
      ["B", 4, 2, 1],
    ]);
    expect(results.mixed).toBe(1);
    // Their installments are not the next test's to remind.
    await t.db.household.deleteMany({
      where: { id: { in: [one.household, two.household, three.household, four.household] } },
    });
  });
});

describe("assignment", () => {
  it("is stable per member and spreads members evenly", () => {
    const labels = ["A", "B", "C"];
    const counts = new Map<string, number>();
    for (let member = 1; member <= 3000; member++) {
      const label = variantOf(7, member, labels);
      expect(variantOf(7, member, labels)).toBe(label);
      counts.set(label, (counts.get(label) ?? 0) + 1);
    }
    for (const label of labels) expect(Math.abs((counts.get(label) ?? 0) - 1000)).toBeLessThan(120);
    // Another test shuffles members afresh.
    const moved = Array.from({ length: 300 }, (_, i) => i + 1).filter(
      (m) => variantOf(7, m, labels) !== variantOf(8, m, labels),
    );
    expect(moved.length).toBeGreaterThan(100);
  });
});

describe("a test from the scan to its results", () => {
  it("sends each member their variant, records it, counts payments within 3 days, keeps the winner", async () => {
    const created = await createExperiment(t.db, staffId, "inst-due", [{ it: B_IT, en: B_EN }]);
    if (!created.ok) throw new Error("not created");
    const experiment = await findExperiment(t.db, created.id);
    expect(experiment?.labels).toEqual(["A", "B"]);

    const people = [];
    for (let i = 0; i < 80; i++) people.push(await householdDue(i % 10 === 0 ? "en" : "it"));
    const french = await householdDue("fr");

    clock.set(new Date("2026-12-10T08:00:00Z")); // 09:00 Rome on the due date
    const scan = await runReminderScan({ db: t.db, clock, deliveryQueue: queue, quietHours: QUIET });
    expect(scan.byKind["inst-due"]).toBe(81);

    const messages = await t.db.outboundMessage.findMany({
      select: { id: true, memberId: true, text: true },
    });
    const sends = await t.db.reminderSend.findMany({ where: { experimentId: created.id } });
    expect(sends).toHaveLength(80); // the French member: the text in force, not in the test
    expect(sends.some((s) => s.installmentId === french.installment)).toBe(false);
    for (const person of people) {
      const message = messages.find((m) => m.memberId === person.member);
      const send = sends.find((s) => s.messageId === message?.id);
      expect(send?.variant).toBe(variantOf(created.id, person.member, ["A", "B"]));
      expect(send?.installmentId).toBe(person.installment);
      if (send?.variant === "B") expect(message?.text).toMatch(/Quasi tutte le famiglie|Most households/);
      else expect(message?.text).not.toMatch(/Quasi tutte le famiglie|Most households/);
    }
    const italianA = people.find(
      (p, i) => i % 10 !== 0 && variantOf(created.id, p.member, ["A", "B"]) === "A",
    );
    expect(messages.find((m) => m.memberId === italianA?.member)?.text).toContain(
      "Se questo mese è difficile, scrivi /operator",
    );
    expect(new Set(sends.map((s) => s.variant))).toEqual(new Set(["A", "B"]));

    // Delivered, except one (failed: neither sent nor counted).
    await t.db.outboundMessage.updateMany({
      data: { status: "sent", sentAt: new Date("2026-12-10T08:01:00Z") },
    });
    const failed = people[1] as (typeof people)[number];
    await t.db.outboundMessage.updateMany({ where: { memberId: failed.member }, data: { status: "failed" } });

    // Payments: on time (up to 13/12), late (14/12), partial, none, by position.
    const expected = { A: { sent: 0, paid: 0 }, B: { sent: 0, paid: 0 } };
    for (const [i, person] of people.entries()) {
      const label = variantOf(created.id, person.member, ["A", "B"]) as "A" | "B";
      if (person === failed) continue;
      expected[label].sent += 1;
      const kind = i % 4;
      const date = kind === 0 ? "2026-12-13" : kind === 1 ? "2026-12-14" : "2026-12-11";
      const cents = kind === 2 ? 10_000 : 15_000;
      if (kind !== 3)
        await t.db.payment.create({
          data: {
            householdId: person.household,
            paymentDate: new Date(date),
            amountCents: cents,
            reference: `R-${person.member}`,
          },
        });
      if (kind === 0 || (kind === 2 && label === "B" && i % 8 === 2)) {
        if (kind === 2) {
          await t.db.payment.create({
            data: {
              householdId: person.household,
              paymentDate: new Date("2026-12-12"),
              amountCents: 5_000,
              reference: `R2-${person.member}`,
            },
          });
        }
        expected[label].paid += 1;
      }
    }

    // Before the window closes nothing is decided.
    const early = (await experimentResults(t.db, created.id, ["A", "B"], new Date("2026-12-13T12:00:00Z")))
      .variants;
    expect(early.map((r) => r.decided)).toEqual([0, 0]);
    expect(early.map((r) => r.sent)).toEqual([expected.A.sent, expected.B.sent]);

    const results = await experimentResults(t.db, created.id, ["A", "B"], new Date("2026-12-20T12:00:00Z"));
    expect(results.mixed).toBe(0);
    const [a, b] = results.variants;
    expect(a).toMatchObject({
      label: "A",
      sent: expected.A.sent,
      decided: expected.A.sent,
      paidOnTime: expected.A.paid,
      comparison: null,
    });
    expect(b).toMatchObject({
      label: "B",
      sent: expected.B.sent,
      decided: expected.B.sent,
      paidOnTime: expected.B.paid,
    });
    expect(b?.interval).toEqual(wilsonInterval(expected.B.paid, expected.B.sent));
    expect(b?.comparison).toEqual(
      compareProportions(expected.A.paid, expected.A.sent, expected.B.paid, expected.B.sent),
    );
    expect(b?.enoughData).toBe(expected.A.sent >= 30 && expected.B.sent >= 30);

    // Stop and keep B: it becomes the text in force, as a content version (audited, undoable).
    expect(await stopExperiment(t.db, clock, staffId, created.id, "Z")).toEqual({
      ok: false,
      reason: "label",
    });
    expect(await stopExperiment(t.db, clock, staffId, 99_999, "B")).toEqual({
      ok: false,
      reason: "notFound",
    });
    expect(await stopExperiment(t.db, clock, staffId, created.id, "B")).toEqual({ ok: true });
    // Stamped by the injected clock, as every other instant.
    expect((await findExperiment(t.db, created.id))?.stoppedAt).toEqual(clock.now());
    expect(await stopExperiment(t.db, clock, staffId, created.id, "A")).toEqual({
      ok: false,
      reason: "stopped",
    });
    const overrides = await t.db.contentText.findMany({
      where: { namespace: "reminders", key: "text.inst-due" },
      orderBy: { language: "asc" },
    });
    expect(overrides.map((o) => [o.language, o.text])).toEqual([
      ["en", B_EN],
      ["it", B_IT],
    ]);
    expect(await t.db.contentVersion.count({ where: { namespace: "reminders", key: "text.inst-due" } })).toBe(
      2,
    );
    await reloadContent(t.db);
    expect(
      translator("it", "reminders")("text.inst-due", { date: "x", number: 1, total: 1, amount: "y" }),
    ).toMatch(/Quasi tutte/);
    // Leave the shipped text in force for other tests in this process.
    await t.db.contentText.deleteMany();
    await t.db.contentVersion.create({
      data: { namespace: "reminders", key: "text.inst-due", language: "it", text: null, staffId },
    });
    await reloadContent(t.db);
  });
});

// Paying is one step away: installments carry their pagoPA notice (the plans file's optional
// pagopa_notice column), and /plan, "how to pay" and the installment reminders show the notice and
// send its QR code as an image. Through the sandbox, in Italian and English; each image is
// downloaded and decoded back, and its payload checked to the character.
import jsqr from "jsqr";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import { importPlans, parsePlansFile } from "../core/imports/plans.ts";
import { isCreditorFiscalCode, pagopaQrPayload } from "../core/pagopa.ts";
import { runReminderScan } from "../core/reminders/scan.ts";
import { processDelivery } from "../worker/delivery/processor.ts";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";
import {
  type SandboxUser,
  sandboxControl,
  sandboxCounters,
  type TranscriptEntry,
} from "./support/sandbox-user.ts";

// Monday 7 December 2026, 10:00 in Rome.
const clock = fixedClock(new Date("2026-12-07T09:00:00Z"));
const CREDITOR = "12345678903";
const HEADER = "contract_code;plan_code;installment_number;due_date;amount;pagopa_notice";
const actor = { actorType: "system" as const, actorId: "test" };
const eur = (amount: string) => `${amount}\u00a0€`;
// jsqr is CommonJS with an ES-style default export: under NodeNext its function is `.default`.
const jsQR = jsqr.default;

let h: BotHarness;
beforeAll(async () => {
  h = await startBotHarness({ clock, pagopaCreditorFiscalCode: CREDITOR });
});
afterAll(() => h?.close());

async function importFile(lines: string[]): Promise<void> {
  const parsed = await parsePlansFile(Buffer.from(lines.join("\n")));
  const outcome = await importPlans(h.db, parsed, { actor });
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.problems));
}

/** Downloads a photo the bot sent (its largest size) and reads the QR code in it. */
async function qrOf(message: TranscriptEntry | undefined): Promise<string | undefined> {
  expect(message?.kind).toBe("photo");
  const size = message?.photo?.at(-1);
  const response = await fetch(`${h.sandbox.url}/control/files/${size?.file_id}`);
  expect(response.headers.get("content-type")).toBe("image/png");
  const png = PNG.sync.read(Buffer.from(await response.arrayBuffer()));
  expect([png.width, png.height]).toEqual([size?.width, size?.height]);
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

describe("pagoPA notices in the plans file", () => {
  it("accepts files without the column, reads spaced notices, and lists bad ones by line", async () => {
    const without = await parsePlansFile(
      Buffer.from(
        "contract_code;plan_code;installment_number;due_date;amount\nPP-1;PR-1;1;2026-12-10;200,00\n",
      ),
    );
    expect(without.ok && without.rows[0]?.pagopaNotice).toBeNull();

    const good = await parsePlansFile(
      Buffer.from(
        `${HEADER}\nPP-1;PR-1;1;2026-12-10;200,00;3020 0000 0000 1234 01\nPP-1;PR-1;2;2027-01-10;200,00;\n`,
      ),
    );
    expect(good.ok && good.rows.map((r) => r.pagopaNotice)).toEqual(["302000000000123401", null]);

    const bad = await parsePlansFile(
      Buffer.from(
        `${HEADER}\nPP-1;PR-1;1;2026-12-10;200,00;12345\nPP-1;PR-1;2;2027-01-10;200,00;30200000000012340X\nPP-1;PR-1;3;2027-02-10;200,00;3020000000001234011\n`,
      ),
    );
    expect(bad.ok ? [] : bad.problems).toEqual([
      { line: 2, message: 'pagopa_notice "12345" is not a pagoPA notice number (18 digits)' },
      { line: 3, message: 'pagopa_notice "30200000000012340X" is not a pagoPA notice number (18 digits)' },
      { line: 4, message: 'pagopa_notice "3020000000001234011" is not a pagoPA notice number (18 digits)' },
    ]);
  });

  it("stores notices, changes them on a new file and leaves a file imported twice unchanged", async () => {
    await h.household("PP-IMP");
    const lines = [HEADER, "PP-IMP;PR-IMP;1;2026-12-10;200,00;302000000000999901"];
    await importFile(lines);
    await importFile(lines);
    const stored = await h.db.installment.findFirstOrThrow({ where: { plan: { planCode: "PR-IMP" } } });
    expect(stored.pagopaNotice).toBe("302000000000999901");
    const parsed = await parsePlansFile(
      Buffer.from([HEADER, "PP-IMP;PR-IMP;1;2026-12-10;200,00;"].join("\n")),
    );
    const outcome = await importPlans(h.db, parsed, { actor });
    expect(outcome.ok && outcome.result.installments.updated).toBe(1);
    expect((await h.db.installment.findUniqueOrThrow({ where: { id: stored.id } })).pagopaNotice).toBeNull();
  });

  it("checks the creditor's fiscal code and builds the payload pagoPA notices print", () => {
    expect(isCreditorFiscalCode(CREDITOR)).toBe(true);
    expect(isCreditorFiscalCode("12345678901")).toBe(false);
    expect(
      pagopaQrPayload({ notice: "302000000000123401", creditorFiscalCode: CREDITOR, amountCents: 20_000 }),
    ).toBe("PAGOPA|002|302000000000123401|12345678903|20000");
  });
});

describe("paying through the bot", () => {
  let italian: SandboxUser;
  beforeAll(async () => {
    italian = await h.linkedUser("PP-IT", { language: "it" });
    // The first installment is paid (not shown); the second, due on Thursday, is the one to pay.
    await importFile([
      HEADER,
      "PP-IT;PR-IT;1;2026-11-10;200,00;302000000000123400",
      "PP-IT;PR-IT;2;2026-12-10;200,00;302000000000123401",
      "PP-IT;PR-IT;3;2027-01-10;200,00;302000000000123402",
    ]);
    await h.db.installment.updateMany({
      where: { plan: { planCode: "PR-IT" }, number: 1 },
      data: { paidCents: 20_000 },
    });
  });

  it("/plan shows the notice number and amount and sends its QR code (it)", async () => {
    await italian.send({ text: "/plan" });
    const [text, photo] = await italian.replies(2);
    expect(text?.text).toContain("Come pagare la rata 2");
    expect(text?.text).toContain("codice avviso: 302000000000123401");
    expect(text?.text).toContain("codice fiscale dell'ente: 12345678903");
    expect(text?.text).toContain(`importo: ${eur("200,00")}`);
    expect(text?.text).not.toContain("bollettino");
    expect(photo?.caption).toBe(`pagoPA · rata 2 · ${eur("200,00")}`);
    expect(await qrOf(photo)).toBe("PAGOPA|002|302000000000123401|12345678903|20000");
    expect(await h.badRequests()).toEqual([]);
  });

  it('"How to pay" does the same (en), and without a notice gives the offices as before', async () => {
    const user = await h.linkedUser("PP-EN", { language: "en" });
    await importFile([HEADER, "PP-EN;PR-EN;1;2026-12-20;125,50;302000000000555501"]);
    const balance = await user.ask("/balance");
    await user.press(balance.message_id, "debt:howto");
    const [text, photo] = await user.replies(2);
    expect(text?.text).toContain("How to pay installment 1");
    expect(text?.text).toContain("notice code: 302000000000555501");
    expect(text?.text).toContain(`amount: ${eur("125,50")}`);
    expect(await qrOf(photo)).toBe("PAGOPA|002|302000000000555501|12345678903|12550");

    // The FAQ "How do I pay? I lost the notice" in /operator: its answer, then the notice itself.
    const menu = await user.ask("/operator");
    await user.press(menu.message_id, "op:faq:payment");
    const [faq, notice, qr] = await user.replies(3);
    expect(faq?.text).toContain("How to pay the rent");
    expect(notice?.text).toContain("notice code: 302000000000555501");
    expect(await qrOf(qr)).toBe("PAGOPA|002|302000000000555501|12345678903|12550");

    const plain = await h.linkedUser("PP-NONE", { language: "en" });
    await importFile([HEADER, "PP-NONE;PR-NONE;1;2026-12-20;125,50;"]);
    const plainBalance = await plain.ask("/balance");
    await plain.press(plainBalance.message_id, "debt:howto");
    const [howto] = await plain.replies(1);
    expect(howto?.text).toContain("Use the payment notice (pagoPA or MAV) that ALER sends you");
    expect(await plain.quietFor(1500)).toEqual([]);
  });

  it("an installment reminder carries the notice and its QR code, sent once (it)", async () => {
    // Thursday's installment: "coming up" is due from this morning at 09:00.
    const scanned = await runReminderScan({
      db: h.db,
      clock,
      deliveryQueue: h.deliveryQueue,
      quietHours: null,
      pagopaCreditorFiscalCode: CREDITOR,
    });
    expect(scanned.byKind["inst-before"]).toBeGreaterThanOrEqual(1);
    const [text] = await italian.replies(1);
    // Telegram refuses the photo once (429): the retry sends the photo alone, not the text again.
    const refusedBefore = (await sandboxCounters(h.sandbox.url)).responses["429"] ?? 0;
    await sandboxControl(h.sandbox.url, "/control/faults", { burst_429: 1 });
    const [photo] = await italian.replies(1);
    expect(text?.text).toContain("Rata in arrivo");
    expect(text?.text).toContain("codice avviso 302000000000123401");
    expect(text?.text).toContain(`Importo: ${eur("200,00")}`);
    expect(text?.reply_markup?.inline_keyboard?.flat().map((b) => b.callback_data)).toEqual(["rem:mute"]);
    expect(await qrOf(photo)).toBe("PAGOPA|002|302000000000123401|12345678903|20000");

    // The record holds ids only; the job only the record's id.
    const member = await h.db.member.findUniqueOrThrow({ where: { telegramUserId: BigInt(italian.id) } });
    const installment = await h.db.installment.findFirstOrThrow({
      where: { plan: { planCode: "PR-IT" }, number: 2 },
    });
    const message = await h.db.outboundMessage.findUniqueOrThrow({
      where: { purpose: `reminder:inst-before:${installment.id}:${member.id}` },
    });
    expect([message.photo, message.status]).toEqual([`pagopa:${installment.id}`, "sent"]);
    const job = await h.deliveryQueue.getJob(`message-${message.id}`);
    expect(job?.data).toEqual({ outboundMessageId: message.id, nextPart: 1 });
    expect((await sandboxCounters(h.sandbox.url)).responses["429"]).toBeGreaterThan(refusedBefore);

    // A second scan, and the job run again: nothing more is sent.
    const again = await runReminderScan({
      db: h.db,
      clock,
      deliveryQueue: h.deliveryQueue,
      quietHours: null,
      pagopaCreditorFiscalCode: CREDITOR,
    });
    expect(again.recorded).toBe(0);
    const outcome = await processDelivery(
      { outboundMessageId: message.id },
      {
        db: h.db,
        api: {} as never, // never called: the record says it was sent
        clock,
        logger: { debug() {}, info() {}, warn() {}, error() {} } as never,
        rateLimit: async () => {},
        takeChatSlot: async () => 0,
        chatIntervalMs: 1000,
      },
    );
    expect(outcome).toBe("skipped");
    expect(await italian.quietFor(1500)).toEqual([]);
    const reminders = (await italian.transcript()).filter((m) => m.text?.includes("Rata in arrivo"));
    expect(reminders).toHaveLength(1);
    expect(await h.badRequests()).toEqual([]);
  });
});

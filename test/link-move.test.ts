// A member already linked who sends another household's code is asked before moving, through the
// sandbox, in Italian and English: nothing changes and the code stays unused until they press Move;
// an old button, or one pressed after the code was voided, answers clearly and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import { issueLinkCode, revokeLinkCodes, unusedLinkCodes } from "../core/linking.ts";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";
import type { SandboxUser, TranscriptEntry } from "./support/sandbox-user.ts";

const clock = fixedClock(new Date("2026-11-27T10:00:00Z"));
let h: BotHarness;
beforeAll(async () => {
  h = await startBotHarness({ clock });
});
afterAll(() => h?.close());

const buttons = (message: TranscriptEntry) =>
  (message.reply_markup?.inline_keyboard ?? []).flat().map((b) => [b.text, b.callback_data]);

async function householdOf(user: SandboxUser): Promise<string | undefined> {
  const member = await h.db.member.findUniqueOrThrow({
    where: { telegramUserId: BigInt(user.id) },
    include: { household: true },
  });
  return member.household?.contractCode;
}

async function codeFor(contract: string): Promise<{ code: string; householdId: number }> {
  const householdId = await h.household(contract, { name: `Famiglia ${contract}` });
  const issued = await issueLinkCode(h.db, contract, clock);
  if (!issued) throw new Error(contract);
  return { code: issued.code, householdId };
}

async function press(user: SandboxUser, message: TranscriptEntry, data: string): Promise<TranscriptEntry> {
  await user.press(message.message_id, data);
  const [reply] = await user.replies(1);
  return reply as TranscriptEntry;
}

describe("moving to another household", () => {
  it("asks first, Stay changes nothing, Move moves once, an old button changes nothing (it)", async () => {
    const user = await h.linkedUser("MV-A-IT", { language: "it" });
    const b = await codeFor("MV-B-IT");

    const question = await user.ask(b.code);
    expect(question.text).toContain("Questo codice è di un altro nucleo: Famiglia MV-B-IT");
    expect(question.text).toContain("lasci Famiglia MV-A-IT ed entri in Famiglia MV-B-IT");
    expect(question.text).toContain("restano nel bilancio di Famiglia MV-A-IT");
    expect(question.text).toContain("Finché non scegli, non cambia nulla");
    const move = buttons(question).find(([, data]) => data?.startsWith("link:move:"));
    const stay = buttons(question).find(([, data]) => data?.startsWith("link:stay:"));
    expect(move?.[0]).toBe("➡️ Cambia nucleo");
    expect(stay?.[0]).toBe("↩️ Resta dove sei");
    // Nothing changed yet: still in A, and B's code is still waiting to be used.
    expect(await householdOf(user)).toBe("MV-A-IT");
    expect(await unusedLinkCodes(h.db, b.householdId, clock.now())).toBe(1);

    const stayed = await press(user, question, stay?.[1] as string);
    expect(stayed.text).toContain("non è cambiato nulla: il tuo Telegram resta collegato a Famiglia MV-A-IT");
    expect(await householdOf(user)).toBe("MV-A-IT");
    expect(await unusedLinkCodes(h.db, b.householdId, clock.now())).toBe(1);

    // Asked twice: the first question's button is pressed after the second one moved them.
    const first = await user.ask(b.code);
    const second = await user.ask(b.code);
    const moved = await press(user, second, move?.[1] as string);
    expect(moved.text).toContain("ora è collegato a Famiglia MV-B-IT e non più a Famiglia MV-A-IT");
    expect(await householdOf(user)).toBe("MV-B-IT");
    expect(await unusedLinkCodes(h.db, b.householdId, clock.now())).toBe(0);
    const transcript = await user.transcript();
    const answered = transcript.find((m) => m.message_id === second.message_id);
    expect(answered?.reply_markup?.inline_keyboard ?? [], "the buttons are gone").toEqual([]);

    const old = await press(user, first, move?.[1] as string);
    expect(old.text).toContain("Questa richiesta non è più aperta: non è cambiato nulla");
    expect(await householdOf(user)).toBe("MV-B-IT");
    expect(await h.db.auditLog.count({ where: { action: "member.moved" } })).toBe(1);

    // The code is used now; sending it again says they are already there, and costs no attempt.
    const again = await user.ask(b.code);
    expect(again.text).toContain("Il tuo Telegram è già collegato a Famiglia MV-B-IT");
    expect(await h.badRequests()).toEqual([]);
  });

  it("says so for one's own household's code, and a voided code moves nobody (en, /start CODE)", async () => {
    const user = await h.linkedUser("MV-A-EN", { language: "en" });
    const own = await codeFor("MV-A-EN");
    const already = await user.ask(own.code);
    expect(already.text).toBe(
      "Your Telegram is already linked to Famiglia MV-A-EN: nothing else to do, nothing changes.",
    );
    // Their own household's code stays for another member of the household.
    expect(await unusedLinkCodes(h.db, own.householdId, clock.now())).toBe(1);

    const b = await codeFor("MV-B-EN");
    const question = await user.ask(`/start ${b.code.replace("-", "")}`);
    expect(question.text).toContain("This code is for another household: Famiglia MV-B-EN");
    expect(question.text).toContain("you leave Famiglia MV-A-EN and join Famiglia MV-B-EN");
    expect(question.text).toContain("stay in Famiglia MV-A-EN's budget");
    expect(buttons(question).map(([text]) => text)).toEqual(["➡️ Move", "↩️ Stay"]);

    // Staff void B's codes before the member answers.
    expect(await revokeLinkCodes(h.db, b.householdId, clock)).toBe(1);
    const move = buttons(question).find(([, data]) => data?.startsWith("link:move:"))?.[1] as string;
    const refused = await press(user, question, move);
    expect(refused.text).toContain("This code is no longer valid");
    expect(refused.text).toContain("nothing changed, your Telegram stays linked to Famiglia MV-A-EN");
    expect(await householdOf(user)).toBe("MV-A-EN");
    expect(await h.db.linkCode.count({ where: { householdId: b.householdId, usedAt: { not: null } } })).toBe(
      0,
    );

    // A fresh code and Move: the member's waiting messages about the old household are dropped.
    const fresh = await codeFor("MV-B-EN");
    const asked = await user.ask(fresh.code);
    const member = await h.db.member.findUniqueOrThrow({ where: { telegramUserId: BigInt(user.id) } });
    const waiting = await h.db.outboundMessage.create({
      data: { purpose: `test:waiting:${member.id}`, memberId: member.id, chatId: member.chatId, text: "old" },
    });
    const moveFresh = buttons(asked).find(([, data]) => data?.startsWith("link:move:"))?.[1] as string;
    const moved = await press(user, asked, moveFresh);
    expect(moved.text).toContain(
      "your Telegram is now linked to Famiglia MV-B-EN and no longer to Famiglia MV-A-EN",
    );
    expect((await h.db.outboundMessage.findUniqueOrThrow({ where: { id: waiting.id } })).status).toBe(
      "cancelled",
    );
    expect(await h.badRequests()).toEqual([]);
  });
});

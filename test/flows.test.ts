// Multi-step flows: an abandoned one ends quietly after its time-out; commands always win.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLOW_TIMEOUT_MS } from "../bot/flows.ts";
import { fixedClock } from "../core/clock.ts";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";

const clock = fixedClock(new Date("2026-11-27T10:00:00Z"));
let h: BotHarness;
beforeAll(async () => {
  h = await startBotHarness({ clock });
});
afterAll(() => h.close());

/** The flow stored for the chat; polled, since the session is written just after the reply goes out. */
function flowOf(userId: number) {
  return expect.poll(async () => {
    const row = await h.db.botSession.findUnique({ where: { key: String(userId) } });
    return (row?.value as { flow?: { name: string } } | undefined)?.flow?.name;
  });
}

describe("flows", () => {
  it("expires an abandoned step: the late answer is not taken for it, in Italian", async () => {
    const user = await h.linkedUser("FL-000001", { language: "it" });
    const question = await user.ask("/expense");
    expect(
      question.reply_markup?.inline_keyboard?.flat().some((b) => b.callback_data === "flow:cancel"),
    ).toBe(true);
    await flowOf(user.id).toBe("budget");

    clock.advance(FLOW_TIMEOUT_MS + 1000);
    const late = await user.ask("12,50");
    expect(late.text).toContain("è scaduta");
    await flowOf(user.id).toBeUndefined();
    expect(await h.db.budgetEntry.count()).toBe(0);
  });

  it("keeps a step that is still fresh, and /cancel ends it, in English", async () => {
    const user = await h.linkedUser("FL-000002", { language: "en" });
    await user.ask("/income");
    clock.advance(FLOW_TIMEOUT_MS - 60_000);
    await flowOf(user.id).toBe("budget");
    const cancelled = await user.ask("/cancel");
    expect(cancelled.text).toContain("Cancelled");
    await flowOf(user.id).toBeUndefined();
    expect((await user.ask("/cancel")).text).toContain("nothing to cancel");
  });

  it("lets a command abandon the step in progress", async () => {
    const user = await h.linkedUser("FL-000003", { language: "en" });
    await user.ask("/expense");
    const balance = await user.ask("/balance");
    expect(balance.text).toContain("1.750,00\u00a0€");
    await flowOf(user.id).toBeUndefined();
    expect(await h.badRequests()).toEqual([]);
  });
});

import { afterAll, beforeAll, expect, it } from "vitest";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";

let h: BotHarness;
beforeAll(async () => {
  h = await startBotHarness();
});
afterAll(() => h.close());

it("links a user in-process and shows the menu", async () => {
  const user = await h.linkedUser("TS-000001", { language: "en" });
  const reply = await user.ask("/balance");
  expect(reply.text).toContain("Total: 1.750,00\u00a0€");
  expect(await h.badRequests()).toEqual([]);
});

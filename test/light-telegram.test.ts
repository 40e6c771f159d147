// The bot bench's light Telegram stand-in (bench/light-telegram.ts): its hand-read HTTP must serve a
// real grammY client, getUpdates must honour offset and limit, and each chat's next /balance must
// follow the bot's answer — else the throughput it measures would be wrong.
import { Bot } from "grammy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningProcess, startProcess } from "./support/processes.ts";

type Stats = { answered: number; wrong: number; extra: number; calls: Record<string, number> };

describe("light Telegram stand-in", () => {
  let standIn: RunningProcess;
  let url: string;
  let bot: Bot;

  beforeAll(async () => {
    standIn = await startProcess(
      ["bench/light-telegram.ts"],
      {
        LIGHT_CHATS: JSON.stringify([
          [101, "it"],
          [102, "en"],
        ]),
        LIGHT_EXPECT: JSON.stringify(["Saldo"]),
      },
      "LIGHT_TELEGRAM_API_ROOT=",
    );
    url = /LIGHT_TELEGRAM_API_ROOT=(\S+)/.exec(standIn.output())?.[1] ?? "";
    bot = new Bot("1000001:test", { client: { apiRoot: url } });
  });
  afterAll(async () => {
    await standIn?.stop();
  });

  const stats = async () => (await (await fetch(`${url}/bench/stats`)).json()) as Stats;

  it("answers start-up calls and queues one /balance per chat, in order, honouring offset and limit", async () => {
    await bot.init();
    expect(bot.botInfo.is_bot).toBe(true);
    expect(await bot.api.deleteWebhook()).toBe(true);
    expect(await bot.api.setMyCommands([{ command: "balance", description: "x" }])).toBe(true);

    const [first, ...none] = await bot.api.getUpdates({ limit: 1, timeout: 0 });
    expect(none).toHaveLength(0);
    expect(first?.message?.text).toBe("/balance");
    expect(first?.message?.entities?.[0]).toMatchObject({ type: "bot_command", length: 8 });
    expect(first?.message?.chat.id).toBe(101);
    expect(first?.message?.from?.language_code).toBe("it");
    // Not confirmed yet: offered again.
    expect((await bot.api.getUpdates({ timeout: 0 })).map((u) => u.update_id)).toEqual([
      first?.update_id,
      (first?.update_id ?? 0) + 1,
    ]);
    const second = (await bot.api.getUpdates({ offset: (first?.update_id ?? 0) + 1, timeout: 0 }))[0];
    expect(second?.message?.chat.id).toBe(102);
    const after = (second?.update_id ?? 0) + 1;

    // Nothing outstanding: a long poll waits, and the answer to chat 101 wakes it with 101's next.
    const polled = bot.api.getUpdates({ offset: after, timeout: 5 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const sent = await bot.api.sendMessage(101, "Saldo: 12,00 €");
    expect(sent.chat.id).toBe(101);
    const [next] = await polled;
    expect(next?.update_id).toBe(after);
    expect(next?.message?.chat.id).toBe(101);

    await bot.api.sendMessage(102, "link first");
    await bot.api.sendMessage(102, "a second message for the same update");
    // 102's next /balance is queued, not yet fetched: that second message answers nothing.
    expect(await stats()).toMatchObject({ answered: 1, wrong: 1, extra: 1 });
  });

  it("counts only a chat's first message after its /balance was fetched, and refuses unknown chats", async () => {
    await fetch(`${url}/bench/reset`, { method: "POST" });
    const pending = await bot.api.getUpdates({ timeout: 0 });
    // 101's latest was fetched by the long poll above and is offered again unconfirmed; 102's is new.
    expect(pending.map((u) => u.message?.chat.id)).toEqual([101, 102]);
    await bot.api.sendMessage(101, "Saldo");
    await bot.api.sendMessage(102, "Saldo");
    await bot.api.sendMessage(102, "Saldo");
    await expect(bot.api.sendMessage(999, "Saldo")).rejects.toThrow(/chat not found/);
    expect(await stats()).toMatchObject({ answered: 2, wrong: 0, extra: 1 });
  });
});

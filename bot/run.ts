// The two ways Telegram's updates reach the bot: long polling with the grammY runner, or a webhook.
import { type RunnerHandle, run } from "@grammyjs/runner";
import { type Bot, webhookCallback } from "grammy";
import { ALLOWED_UPDATES } from "./bot.ts";
import { registerCommands } from "./commands.ts";
import type { BotContext } from "./context.ts";

export async function startPolling(bot: Bot<BotContext>): Promise<RunnerHandle> {
  await bot.init();
  // A webhook left from an earlier run would make getUpdates fail with 409.
  await bot.api.deleteWebhook();
  await registerCommands(bot.api);
  return run(bot, { runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES] } } });
}

/** Tells Telegram where to send updates, with the secret it must echo in a header. */
export async function setupWebhook(bot: Bot<BotContext>, url: string, secret: string): Promise<void> {
  await bot.init();
  await bot.api.setWebhook(url, { secret_token: secret, allowed_updates: [...ALLOWED_UPDATES] });
  await registerCommands(bot.api);
}

/**
 * A Fastify handler for the webhook route; it answers 401 when the secret-token header is wrong.
 * The entry point mounts it on the admin server, so the admin code never imports the bot.
 */
export function webhookHandler(bot: Bot<BotContext>, secret: string) {
  return webhookCallback(bot, "fastify", { secretToken: secret });
}

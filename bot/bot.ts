import { autoRetry } from "@grammyjs/auto-retry";
import { Bot } from "grammy";
import type { BotContext, BotDeps } from "./context.ts";
import { balanceFeature } from "./features/balance.ts";
import { cancelFeature } from "./features/cancel.ts";
import { fallbackFeature } from "./features/fallback.ts";
import { helpFeature } from "./features/help.ts";
import { languageFeature } from "./features/language.ts";
import { linkFeature } from "./features/link.ts";
import { membershipFeature } from "./features/membership.ts";
import { startFeature } from "./features/start.ts";
import { dedupeUpdates } from "./middlewares/dedupe.ts";
import { attachPerson } from "./middlewares/person.ts";

export type BotOptions = BotDeps & { token: string; apiRoot: string };

/** The update kinds the bot handles; the rest are not even fetched. */
export const ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"] as const;

export function createBot(options: BotOptions): Bot<BotContext> {
  const { token, apiRoot, ...deps } = options;
  const bot = new Bot<BotContext>(token, { client: { apiRoot } });

  // Replies must not be lost to Telegram's 429 (per-chat bursts) or a passing 5xx: wait and retry.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 30 }));
  // Every text of ours is Telegram HTML (values from people are escaped where they are inserted).
  bot.api.config.use((prev, method, payload, signal) => {
    if ((method === "sendMessage" || method === "editMessageText") && payload && !("parse_mode" in payload)) {
      return prev(method, { ...payload, parse_mode: "HTML" }, signal);
    }
    return prev(method, payload, signal);
  });

  bot.use((ctx, next) => {
    ctx.deps = deps;
    ctx.logger = deps.logger;
    return next();
  });
  bot.use(dedupeUpdates);
  bot.use(attachPerson);

  bot.use(membershipFeature);
  bot.use(startFeature);
  bot.use(linkFeature);
  bot.use(balanceFeature);
  bot.use(helpFeature);
  bot.use(languageFeature);
  bot.use(cancelFeature);
  bot.use(fallbackFeature);

  bot.catch(async (error) => {
    const ctx = error.ctx;
    // The error object may quote the update (and so personal text): log its kind and message only.
    const cause = error.error instanceof Error ? error.error : new Error(String(error.error));
    ctx.logger.error(
      { updateId: ctx.update.update_id, err: { name: cause.name, message: cause.message } },
      "update failed",
    );
    if (ctx.chat?.type === "private" && ctx.t) {
      await ctx.reply(ctx.t("errors.generic")).catch(() => undefined);
    }
  });
  return bot;
}

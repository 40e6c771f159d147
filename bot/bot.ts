import { autoRetry } from "@grammyjs/auto-retry";
import { sequentialize } from "@grammyjs/runner";
import { Bot, type Context } from "grammy";
import { freshContent } from "../core/content/sync.ts";
import { apiFetch } from "./api-fetch.ts";
import type { BotContext, BotDeps } from "./context.ts";
import { errorBoundary, logUpdateFailure, UpdateNotRecorded } from "./errors.ts";
import { balanceEarlyRead, balanceFeature } from "./features/balance.ts";
import { budgetFeature } from "./features/budget.ts";
import { cancelFeature } from "./features/cancel.ts";
import { checkupFeature } from "./features/checkup.ts";
import { consentFeature, consentGate } from "./features/consent.ts";
import { coursesFeature } from "./features/courses.ts";
import { documentsFeature } from "./features/documents.ts";
import { fallbackFeature } from "./features/fallback.ts";
import { helpFeature } from "./features/help.ts";
import { intentsFeature } from "./features/intents.ts";
import { languageFeature } from "./features/language.ts";
import { linkFeature } from "./features/link.ts";
import { membershipFeature } from "./features/membership.ts";
import { operatorFeature } from "./features/operator.ts";
import { operatorsGroupFeature } from "./features/operators-group.ts";
import { planFeature } from "./features/plan.ts";
import { privacyFeature } from "./features/privacy.ts";
import { remindersFeature } from "./features/reminders.ts";
import { satisfactionFeature } from "./features/satisfaction.ts";
import { startFeature } from "./features/start.ts";
import { summaryFeature } from "./features/summary.ts";
import { worryFeature } from "./features/worry.ts";
import { flowHousekeeping } from "./flows.ts";
import { menuButtonsAsCommands } from "./menu.ts";
import { prepareUpdate } from "./middlewares/prepare.ts";

export type BotOptions = BotDeps & { token: string; apiRoot: string };

/** The update kinds the bot handles; the rest are not even fetched. */
export const ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"] as const;

function sessionKey(ctx: Context): string | undefined {
  return ctx.chat?.id.toString();
}

export function createBot(options: BotOptions): Bot<BotContext> {
  const { token, apiRoot, ...deps } = options;
  // node:http straight, without node-fetch's layers (bot/api-fetch.ts).
  const bot = new Bot<BotContext>(token, { client: { apiRoot, fetch: apiFetch as unknown as typeof fetch } });

  // Replies must not be lost to Telegram's 429 (per-chat bursts) or a passing 5xx: wait and retry.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 30 }));
  // Every text of ours is Telegram HTML (values from people are escaped where they are inserted).
  bot.api.config.use((prev, method, payload, signal) => {
    if ((method === "sendMessage" || method === "editMessageText") && payload && !("parse_mode" in payload)) {
      return prev(method, { ...payload, parse_mode: "HTML" }, signal);
    }
    return prev(method, payload, signal);
  });

  bot.use(async (ctx, next) => {
    ctx.deps = deps;
    ctx.logger = deps.logger;
    // Texts staff changed in the panel, at most a second old (core/content/sync.ts).
    await freshContent(deps.db);
    return next();
  });
  // One chat's updates in order, so its session is never read and written by two at once: in this
  // process first (waiting in memory), then across processes (an advisory lock in PostgreSQL).
  bot.use(sequentialize(sessionKey));
  // One error path for polling and webhooks: log ids and the error's kind, answer the person.
  bot.use(errorBoundary);
  // The chat's lock across processes (bot/chat-lock.ts) with the claim of the update, session and
  // member in one round trip; once handled, the session (if it changed) and the update's "done" are
  // stored in one statement, sent with the unlock. /balance's figures are read with the claim.
  bot.use(prepareUpdate(deps.db, sessionKey, [balanceEarlyRead]));
  bot.use(membershipFeature);
  // The operators' group is a workplace, not a household's chat: nothing after this runs there.
  bot.use(operatorsGroupFeature);
  bot.use(menuButtonsAsCommands);
  bot.use(flowHousekeeping);
  bot.use(consentGate);

  // Order matters: commands and answers to a flow in progress come before free-text handlers.
  bot.use(consentFeature);
  bot.use(languageFeature);
  bot.use(startFeature);
  bot.use(cancelFeature);
  bot.use(helpFeature);
  bot.use(balanceFeature);
  bot.use(planFeature);
  bot.use(budgetFeature);
  bot.use(summaryFeature);
  bot.use(coursesFeature);
  bot.use(documentsFeature);
  bot.use(privacyFeature);
  bot.use(remindersFeature);
  bot.use(checkupFeature);
  bot.use(satisfactionFeature);
  bot.use(linkFeature);
  // Worry first among the free-text handlers: before a case takes the text, or the fallback.
  bot.use(worryFeature);
  bot.use(operatorFeature);
  // Requests in people's own words: only text that nothing above took (a flow, a quick entry, a link
  // code, a worry, an open case) is read for what it asks.
  bot.use(intentsFeature);
  bot.use(fallbackFeature);

  // Only what gets past the boundary lands here (polling mode; the webhook route handles its own).
  bot.catch((error) => {
    if (!(error.error instanceof UpdateNotRecorded)) logUpdateFailure(error.ctx, error.error);
  });
  return bot;
}

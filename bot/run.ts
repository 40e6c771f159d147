// The two ways Telegram's updates reach the bot: long polling (bot/polling.ts), or a webhook.
import { createHash, timingSafeEqual } from "node:crypto";
import type { RunnerHandle } from "@grammyjs/runner";
import type { FastifyInstance } from "fastify";
import { type Bot, BotError } from "grammy";
import type { Update } from "grammy/types";
import { ALLOWED_UPDATES } from "./bot.ts";
import { registerCommands } from "./commands.ts";
import type { BotContext } from "./context.ts";
import { logUpdateFailure, markRedeliverable, UpdateNotRecorded } from "./errors.ts";
import { type PollingOptions, pollUpdates } from "./polling.ts";

/** Telegram's updates are a few kilobytes; a body this big is not one. */
const MAX_UPDATE_BYTES = 1024 * 1024;

/** Long polling; each fetched update is kept until handled (bot/polling.ts). */
export async function startPolling(bot: Bot<BotContext>, deps: PollingOptions): Promise<RunnerHandle> {
  await bot.init();
  // A webhook left from an earlier run would make getUpdates fail with 409.
  await bot.api.deleteWebhook();
  await registerCommands(bot.api);
  return pollUpdates(bot, deps);
}

/** Tells Telegram where to send updates, with the secret it must echo in a header. */
export async function setupWebhook(bot: Bot<BotContext>, url: string, secret: string): Promise<void> {
  await bot.init();
  await bot.api.setWebhook(url, { secret_token: secret, allowed_updates: [...ALLOWED_UPDATES] });
  await registerCommands(bot.api);
}

function secretMatches(sent: string | string[] | undefined, secret: string): boolean {
  if (typeof sent !== "string") return false;
  // Hashes first: equal lengths for timingSafeEqual, and no early exit revealing the secret's length.
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(sent), digest(secret));
}

/** The body as an update, or null when it is not one (not JSON, or no integer update_id). */
function parseUpdate(body: unknown): Update | null {
  if (!Buffer.isBuffer(body)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return null;
  const id = (parsed as { update_id?: unknown }).update_id;
  return Number.isSafeInteger(id) ? (parsed as Update) : null;
}

/**
 * The webhook route, as a Fastify plugin (an encapsulated scope of its own: its body parser and error
 * handler touch nothing else on the server). The entry point registers it on the admin server, so the
 * admin code never imports the bot. It answers, like polling confirms an update:
 *
 * - 401 when the secret-token header is wrong (the body is not even read as JSON);
 * - 200 once the update went through the bot, never before: handled to its end (or found handled
 *   already), or failed and so answered with the generic message, logged by the bot's error boundary
 *   and recorded as failed. Telegram must not deliver it again: it would fail the same way (a blocked
 *   chat, a bad reply) and the person would be told twice. A process that dies mid-update answers
 *   nothing, so Telegram delivers the update again and another process handles it;
 * - 503 when it failed before it was claimed (the database did not answer): Telegram delivers it
 *   again later, and the claim sees it once;
 * - 200 for a body that is not an update, with a warning: delivering it again could not help.
 *
 * Nothing logged here carries the body: errors go through the logger's allow-list serializer.
 */
export function webhookRoute(bot: Bot<BotContext>, path: string, secret: string) {
  return async (scope: FastifyInstance): Promise<void> => {
    // The raw bytes: JSON is parsed after the secret check, and a parse error never reaches a log.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      "*",
      { parseAs: "buffer", bodyLimit: MAX_UPDATE_BYTES },
      (_request, body, done) => done(null, body),
    );
    // What Fastify itself refuses (a body too large, a broken stream): its kind and status only.
    scope.setErrorHandler((error, request, reply) => {
      const status =
        typeof error === "object" &&
        error !== null &&
        "statusCode" in error &&
        typeof error.statusCode === "number"
          ? error.statusCode
          : 500;
      request.log.warn({ err: error }, "webhook request refused");
      return reply.code(status >= 400 && status < 600 ? status : 500).send({ ok: false });
    });

    scope.post(path, async (request, reply) => {
      if (!secretMatches(request.headers["x-telegram-bot-api-secret-token"], secret)) {
        return reply.code(401).send({ ok: false, error: "wrong secret token" });
      }
      const update = parseUpdate(request.body);
      if (!update) {
        const bytes = Buffer.isBuffer(request.body) ? request.body.length : 0;
        request.log.warn({ bytes }, "webhook body is not a Telegram update; dropped");
        return reply.code(200).send();
      }
      markRedeliverable(update);
      try {
        await bot.handleUpdate(update);
        return reply.code(200).send();
      } catch (error) {
        if (error instanceof BotError) {
          // UpdateNotRecorded was logged by the boundary; anything else got past it.
          if (!(error.error instanceof UpdateNotRecorded)) logUpdateFailure(error.ctx, error.error);
        } else {
          request.log.error({ updateId: update.update_id, err: error }, "webhook update not handled");
        }
        return reply.code(503).send();
      }
    });
  };
}

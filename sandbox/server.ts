// Starts a sandbox: an HTTP server answering the Bot API (/bot<token>/<method>), file downloads
// (/file/bot<token>/<path>) and the control API (/control/...).

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleBotApi, handleFileDownload } from "./bot-api.ts";
import { CallbackStore } from "./callbacks.ts";
import type { SandboxContext } from "./context.ts";
import { handleControl } from "./control-api.ts";
import { Counters } from "./counters.ts";
import { type FaultConfig, Faults, parseFaults } from "./faults.ts";
import { FileStore } from "./files.ts";
import { allowedHosts, hostAllowed } from "./host-check.ts";
import { sendJson } from "./http.ts";
import { type Limits, parseLimits, RateLimiter } from "./limits.ts";
import { Poller } from "./polling.ts";
import { SandboxState } from "./state.ts";
import { BotMessageWaiters } from "./transcript.ts";
import { defaultFirstUpdateId, UpdateQueue } from "./updates.ts";
import { WebhookDelivery } from "./webhook.ts";

export const DEFAULT_TOKEN = "1000001:SANDBOX-bussola-demo-token";
export const DEFAULT_BOT_USERNAME = "bussola_sandbox_bot";

export interface SandboxOptions {
  /** Default "127.0.0.1". */
  host?: string;
  /** Default 8081; 0 picks a free port. */
  port?: number;
  /** The one bot token accepted; the bot's id is the part before ":". */
  token?: string;
  botUsername?: string;
  limits?: Partial<Limits>;
  faults?: Partial<FaultConfig>;
  /** Pause before a failed webhook delivery is retried (default 200 ms). */
  webhookRetryMs?: number;
  /** How long a webhook delivery waits for the bot's answer (default 10 s). */
  webhookTimeoutMs?: number;
  /**
   * Deliver up to setWebhook's max_connections updates at once, as Telegram does, one chat's still
   * one at a time and in order (default: one update at a time in all).
   */
  webhookParallel?: boolean;
  /** Id of the first update (default: derived from the clock, so ids grow across restarts). */
  firstUpdateId?: number;
  /** Messages kept per chat for transcripts, edits and replies (default 1000). */
  maxMessagesPerChat?: number;
  /** Random source for error_rate (default Math.random). */
  random?: () => number;
}

export interface Sandbox {
  /** Base URL, e.g. "http://127.0.0.1:8081": use it as TELEGRAM_API_ROOT. */
  url: string;
  token: string;
  botId: number;
  botUsername: string;
  host: string;
  port: number;
  /** Ends pending long polls and waits, stops webhook delivery and the server. */
  close(): Promise<void>;
}

/** After close, connections still busy this long are cut. */
const CLOSE_GRACE_MS = 500;

function buildContext(options: SandboxOptions, token: string): SandboxContext {
  const botId = Number.parseInt(token.split(":")[0] ?? "", 10);
  const state = new SandboxState(
    { id: botId, is_bot: true, first_name: "Bussola", username: options.botUsername ?? DEFAULT_BOT_USERNAME },
    options.maxMessagesPerChat ?? 1000,
  );
  const updates = new UpdateQueue({ firstUpdateId: options.firstUpdateId ?? defaultFirstUpdateId() });
  const webhook = new WebhookDelivery(updates, {
    retryMs: options.webhookRetryMs ?? 200,
    timeoutMs: options.webhookTimeoutMs ?? 10_000,
    parallel: options.webhookParallel ?? false,
  });
  return {
    token,
    state,
    updates,
    poller: new Poller(updates, () => webhook.active),
    webhook,
    limiter: new RateLimiter(options.limits ? parseLimits(options.limits) : {}),
    faults: new Faults(options.faults ? parseFaults(options.faults) : {}, options.random),
    counters: new Counters(),
    files: new FileStore(),
    waiters: new BotMessageWaiters(state),
    callbacks: new CallbackStore(),
    commands: new Map(),
    menuButtons: new Map(),
  };
}

async function route(ctx: SandboxContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://sandbox");
  const path = url.pathname;
  const botCall = /^\/bot([^/]+)\/([^/]*)$/.exec(path);
  if (botCall) {
    await handleBotApi(
      ctx,
      request,
      response,
      decodeURIComponent(botCall[1] ?? ""),
      botCall[2] ?? "",
      url.searchParams,
    );
    return;
  }
  const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(path);
  if (download) {
    await handleFileDownload(
      ctx,
      request,
      response,
      decodeURIComponent(download[1] ?? ""),
      download[2] ?? "",
    );
    return;
  }
  if (path.startsWith("/control/")) {
    await handleControl(ctx, request, response, path, url.searchParams);
    return;
  }
  request.resume();
  sendJson(response, 404, { ok: false, error_code: 404, description: "Not Found" });
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const token = options.token ?? DEFAULT_TOKEN;
  if (!/^\d{1,15}:[A-Za-z0-9_-]+$/.test(token))
    throw new Error(`sandbox token "${token}" is not <bot id>:<secret>`);
  const host = options.host ?? "127.0.0.1";
  const ctx = buildContext(options, token);

  // Known once listening (port 0 picks one); no request arrives before that.
  let hosts = new Set<string>();
  const server = createServer((request, response) => {
    if (!hostAllowed(request.headers.host, hosts)) {
      request.resume();
      sendJson(response, 421, {
        ok: false,
        error_code: 421,
        description: "Misdirected Request",
        error: `this sandbox answers only requests to ${[...hosts].join(", ")} (Host header)`,
      });
      return;
    }
    route(ctx, request, response).catch((error: unknown) => {
      console.error("sandbox: unexpected error", error);
      if (!response.headersSent) {
        sendJson(response, 500, { ok: false, error_code: 500, description: "Internal Server Error" });
      } else {
        response.destroy();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8081, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  hosts = allowedHosts(host, port);
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      ctx.poller.close();
      ctx.waiters.close();
      ctx.webhook.close();
      const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      server.close(() => {
        clearTimeout(cut);
        resolve();
      });
      // Answers to the polls and waits just ended are written first; then idle connections go.
      setImmediate(() => server.closeIdleConnections());
    });
    return closing;
  };

  return {
    url: `http://${urlHost}:${port}`,
    token,
    botId: ctx.state.bot.id,
    botUsername: ctx.state.bot.username ?? DEFAULT_BOT_USERNAME,
    host,
    port,
    close,
  };
}

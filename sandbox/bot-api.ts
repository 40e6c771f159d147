// The Bot API over HTTP: /bot<token>/<method> and file downloads at /file/bot<token>/<file_path>.
// Order of checks: token (401), method (404), injected latency, injected faults (5xx, then burst
// 429 for sending methods), parameters and the method's own checks (400, 403), then the flood limits (429).

import type { IncomingMessage, ServerResponse } from "node:http";
import { Described, findMethod } from "./bot-methods.ts";
import type { SandboxContext } from "./context.ts";
import {
  ApiError,
  badRequest,
  forbidden,
  notFound,
  payloadTooLarge,
  serverError,
  TEXT,
  tooManyRequests,
  unauthorized,
} from "./errors.ts";
import { BodyTooLargeError, clientGone, readBody, sendBytes, sendJson } from "./http.ts";
import { readParams } from "./params.ts";

/** Telegram accepts uploads up to 50 MB. */
const MAX_BODY_BYTES = 50 * 1024 * 1024;

function answerError(ctx: SandboxContext, response: ServerResponse, method: string, error: ApiError): void {
  ctx.counters.record(method, error.code, error.description);
  const body: Record<string, unknown> = { ok: false, error_code: error.code, description: error.description };
  if (error.parameters) body.parameters = error.parameters;
  const headers: Record<string, string> = {};
  if (error.parameters?.retry_after !== undefined)
    headers["retry-after"] = String(error.parameters.retry_after);
  sendJson(response, error.code, body, headers);
}

export async function handleBotApi(
  ctx: SandboxContext,
  request: IncomingMessage,
  response: ServerResponse,
  token: string,
  methodName: string,
  query: URLSearchParams,
): Promise<void> {
  const signal = clientGone(response);
  let body: Buffer;
  try {
    body = await readBody(request, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      answerError(ctx, response, methodName, payloadTooLarge());
      return;
    }
    throw error;
  }
  if (token !== ctx.token) {
    answerError(ctx, response, methodName, unauthorized());
    return;
  }
  const method = findMethod(methodName);
  if (!method) {
    answerError(ctx, response, methodName, notFound());
    return;
  }
  try {
    if (method.name !== "getUpdates") {
      // The call is handled after the wait, as a slow Telegram would: a client that gives up
      // meanwhile may still find its message sent.
      const latency = ctx.faults.latency();
      if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
      const status = ctx.faults.serverError();
      if (status !== null) throw serverError(status);
    }
    if (method.sending && ctx.faults.takeBurst()) throw tooManyRequests(1);
    const params = readParams(request.headers["content-type"], body, query);
    if (method.sending) {
      const failure = params.has("chat_id") ? ctx.faults.takeChatFailure(params.string("chat_id")) : null;
      if (failure === 400) throw badRequest(TEXT.chatNotFound);
      if (failure === 403) throw forbidden(TEXT.blocked);
    }
    const outcome = await method.run(ctx, params, signal);
    ctx.counters.record(method.name, 200);
    if (outcome instanceof Described) {
      sendJson(response, 200, { ok: true, result: outcome.result, description: outcome.description });
    } else {
      sendJson(response, 200, { ok: true, result: outcome });
    }
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    answerError(ctx, response, method.name, error);
  }
}

export async function handleFileDownload(
  ctx: SandboxContext,
  request: IncomingMessage,
  response: ServerResponse,
  token: string,
  path: string,
): Promise<void> {
  await readBody(request, 1024 * 1024);
  const file = token === ctx.token ? ctx.files.byPath(path) : undefined;
  if (!file) {
    sendJson(response, 404, { ok: false, error_code: 404, description: "Not Found" });
    return;
  }
  sendBytes(response, file.data, file.mime_type ?? "application/octet-stream");
}

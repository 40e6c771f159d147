// The bot's Bot API calls on node:http(s) directly, in place of node-fetch (grammY's default on Node),
// which builds a Request, Headers and a parsed URL per call and passes the answer through its Body
// class: about 8% of the bot's CPU per /balance update in the bench's profile. grammY asks little of
// fetch: a POST with its headers and a body (a JSON string, or a multipart stream for uploads), on its
// keep-alive agent, cut short by its abort signal (its time-out and the runner's stop), and the
// answer's JSON. Redirects are not followed (the Bot API does not redirect) and no compression is
// asked for. Errors need no particular shape: grammY wraps whatever fetch throws in an HttpError.
import http from "node:http";
import https from "node:https";

type AbortSignalLike = {
  readonly aborted: boolean;
  addEventListener(type: "abort", listener: () => void): void;
  removeEventListener(type: "abort", listener: () => void): void;
};

type FetchInit = {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignalLike | null;
  agent?: unknown;
};

type FetchResponse = { ok: boolean; status: number; json(): Promise<unknown>; text(): Promise<string> };

type Origin = { secure: boolean; hostname: string; port: string };

/** Each API root's scheme, host and port, parsed once: every call goes to the same one or two. */
const origins = new Map<string, Origin>();

function target(url: string): Origin & { path: string } {
  const pathAt = url.indexOf("/", url.indexOf("//") + 2);
  const originText = pathAt < 0 ? url : url.slice(0, pathAt);
  let origin = origins.get(originText);
  if (!origin) {
    const parsed = new URL(originText);
    origin = {
      secure: parsed.protocol === "https:",
      // "[::1]" in a URL, "::1" for http.request.
      hostname: parsed.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: parsed.port,
    };
    origins.set(originText, origin);
  }
  return { ...origin, path: pathAt < 0 ? "/" : url.slice(pathAt) };
}

function abortError(): Error {
  const error = new Error("The operation was aborted.");
  error.name = "AbortError";
  return error;
}

type Pipeable = {
  pipe(destination: NodeJS.WritableStream): unknown;
  on(event: "error", fn: (e: Error) => void): unknown;
};

const isPipeable = (body: unknown): body is Pipeable =>
  typeof body === "object" && body !== null && typeof (body as Partial<Pipeable>).pipe === "function";

/** grammY's `fetch` for the bot (see the top of this file). */
export function apiFetch(url: string, init: FetchInit = {}): Promise<FetchResponse> {
  const { secure, hostname, port, path } = target(url);
  const signal = init.signal ?? undefined;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError());
      return;
    }
    let settled = false;
    const settle = (error: Error | undefined, response?: FetchResponse) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      if (error) reject(error);
      else if (response) resolve(response);
    };
    const agent = init.agent instanceof http.Agent ? init.agent : undefined;
    const request = (secure ? https : http).request(
      { hostname, port, path, method: init.method ?? "GET", headers: init.headers, agent },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", (error) => settle(error));
        // After "end" this changes nothing; before it, the connection broke mid-answer.
        response.on("close", () => settle(new Error("the answer was cut short")));
        response.on("end", () => {
          // Most answers come in one chunk: no copy then.
          const text = (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString("utf8");
          const status = response.statusCode ?? 0;
          settle(undefined, {
            ok: status >= 200 && status < 300,
            status,
            json: async () => JSON.parse(text) as unknown,
            text: async () => text,
          });
        });
      },
    );
    const onAbort = () => {
      const error = abortError();
      settle(error);
      request.destroy(error);
    };
    signal?.addEventListener("abort", onAbort);
    request.on("error", (error) => settle(error));
    const body = init.body;
    if (body === undefined || body === null) request.end();
    else if (typeof body === "string" || body instanceof Uint8Array) request.end(body);
    else if (isPipeable(body)) {
      body.on("error", (error) => {
        settle(error);
        request.destroy(error);
      });
      body.pipe(request);
    } else {
      settle(new TypeError("unsupported request body"));
      request.destroy();
    }
  });
}

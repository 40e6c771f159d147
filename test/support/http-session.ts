// A browser stand-in for a listening admin server over real HTTP (node:http, so Host, Origin and
// X-Forwarded-* can be set as a proxy or an attacker would): keeps cookies, sends forms urlencoded.
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";

export type HttpAnswer = { status: number; headers: IncomingHttpHeaders; body: string; setCookies: string[] };

export class HttpSession {
  readonly cookies = new Map<string, string>();
  readonly base: string;

  constructor(base: string) {
    this.base = base;
  }

  request(
    method: "GET" | "POST",
    path: string,
    form?: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<HttpAnswer> {
    const url = new URL(path, this.base);
    const payload = form ? new URLSearchParams(form).toString() : undefined;
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        url,
        {
          method,
          headers: {
            ...(cookie ? { cookie } : {}),
            ...(payload === undefined
              ? {}
              : {
                  "content-type": "application/x-www-form-urlencoded",
                  "content-length": String(Buffer.byteLength(payload)),
                }),
            ...headers,
          },
        },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            body += chunk;
          });
          res.on("end", () => {
            const setCookies = res.headers["set-cookie"] ?? [];
            for (const line of setCookies) {
              const [pair = ""] = line.split(";");
              const at = pair.indexOf("=");
              const name = pair.slice(0, at).trim();
              const value = pair.slice(at + 1).trim();
              if (value === "" || /;\s*max-age=0/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line))
                this.cookies.delete(name);
              else this.cookies.set(name, value);
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body, setCookies });
          });
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  get(path: string, headers?: Record<string, string>): Promise<HttpAnswer> {
    return this.request("GET", path, undefined, headers);
  }

  post(path: string, form: Record<string, string>, headers?: Record<string, string>): Promise<HttpAnswer> {
    return this.request("POST", path, form, headers);
  }

  /** Fills in the log-in form; the answer is a 303 when it worked. */
  async signIn(
    email: string,
    password: string,
    headers: Record<string, string> = {},
    extra: Record<string, string> = {},
  ): Promise<HttpAnswer> {
    const page = await this.get("/login", headers);
    return this.post("/login", { email, password, _csrf: csrfIn(page.body), ...extra }, headers);
  }
}

export function csrfIn(body: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(body);
  if (!match?.[1]) throw new Error("no CSRF token in the page");
  return match[1];
}

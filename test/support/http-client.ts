// A browser stand-in for a LISTENING admin server (real sockets, real fetch): keeps cookies, sends
// forms as browsers do, and can speak for a client address through X-Forwarded-For when the server
// trusts its proxy (the tests run it with trustProxy, as behind a TLS proxy).
import { csrfOf } from "./admin-client.ts";

export type HttpAnswer = { status: number; headers: Headers; body: string };

export class HttpClient {
  readonly cookies = new Map<string, string>();
  readonly base: string;
  readonly ip: string | undefined;

  constructor(base: string, ip?: string) {
    this.base = base;
    this.ip = ip;
  }

  async request(method: "GET" | "POST", path: string, form?: Record<string, string>): Promise<HttpAnswer> {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (this.ip) headers["x-forwarded-for"] = this.ip;
    if (form) headers["content-type"] = "application/x-www-form-urlencoded";
    const response = await fetch(new URL(path, this.base), {
      method,
      headers,
      redirect: "manual",
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: response.status, headers: response.headers, body: await response.text() };
  }

  get(path: string): Promise<HttpAnswer> {
    return this.request("GET", path);
  }

  post(path: string, form: Record<string, string>): Promise<HttpAnswer> {
    return this.request("POST", path, form);
  }

  /** The log-in form's token (one GET; the same token serves many attempts). */
  async loginToken(): Promise<string> {
    return csrfOf((await this.get("/login")).body);
  }

  async signIn(email: string, password: string): Promise<HttpAnswer> {
    return this.post("/login", { email, password, _csrf: await this.loginToken() });
  }
}

// A browser stand-in for the admin panel over Fastify's inject: keeps cookies between requests and
// sends forms as browsers do (urlencoded, with the page's CSRF token when the test passes it).
import type { FastifyInstance, LightMyRequestResponse } from "fastify";

export class AdminClient {
  readonly cookies = new Map<string, string>();
  readonly #server: () => FastifyInstance;
  readonly ip: string;

  /** `server` is read at each request, so a client may be made before the server starts. */
  constructor(server: () => FastifyInstance, ip = "192.0.2.10") {
    this.#server = server;
    this.ip = ip;
  }

  async request(
    method: "GET" | "POST",
    url: string,
    form?: Record<string, string>,
    headers: Record<string, string> = {},
    server: FastifyInstance = this.#server(),
    body?: Buffer,
  ): Promise<LightMyRequestResponse> {
    const cookieHeader = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const response = await server.inject({
      method,
      url,
      remoteAddress: this.ip,
      headers: {
        host: "admin.test",
        ...(cookieHeader ? { cookie: cookieHeader } : {}),
        ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
        ...headers,
      },
      ...(form ? { payload: new URLSearchParams(form).toString() } : {}),
      ...(body ? { payload: body } : {}),
    });
    for (const c of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired = c.maxAge === 0 || (c.expires !== undefined && c.expires.getTime() < Date.now());
      if (expired || c.value === "") this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return response;
  }

  get(url: string): Promise<LightMyRequestResponse> {
    return this.request("GET", url);
  }

  post(
    url: string,
    form: Record<string, string>,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse> {
    return this.request("POST", url, form, headers);
  }

  /** Sends a form with a file as browsers do (multipart/form-data); `file` is left out when absent. */
  upload(
    url: string,
    fields: Record<string, string>,
    file?: { field?: string; name: string; content: Buffer | string },
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const boundary = `----bussola-test-${Math.random().toString(16).slice(2)}`;
    const parts: Buffer[] = [];
    for (const [name, value] of Object.entries(fields)) {
      parts.push(
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
      );
    }
    if (file) {
      parts.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${file.field ?? "file"}"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
        ),
        Buffer.from(file.content),
        Buffer.from("\r\n"),
      );
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    return this.request(
      "POST",
      url,
      undefined,
      { "content-type": `multipart/form-data; boundary=${boundary}`, ...headers },
      this.#server(),
      Buffer.concat(parts),
    );
  }

  /** Fills in the log-in form; the answer is a 303 when it worked. */
  async signIn(email: string, password: string): Promise<LightMyRequestResponse> {
    const page = await this.get("/login");
    return this.post("/login", { email, password, _csrf: csrfOf(page.body) });
  }
}

export function csrfOf(body: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(body);
  if (!match?.[1]) throw new Error("no CSRF token in the page");
  return match[1];
}

/**
 * A staff member's browser: signs in with the test's password and keeps the session's CSRF token,
 * which every signed-in page carries (the log-out form), for the forms it sends.
 */
export class StaffClient extends AdminClient {
  csrf = "";
  readonly #password: string;

  constructor(server: () => FastifyInstance, password: string, ip?: string) {
    super(server, ip);
    this.#password = password;
  }

  /** Signs in (the test fails unless the panel answers 303) and reads the session's CSRF token. */
  async login(email: string, password = this.#password): Promise<this> {
    const answer = await this.signIn(email, password);
    if (answer.statusCode !== 303) throw new Error(`signing in as ${email} answered ${answer.statusCode}`);
    this.csrf = csrfOf((await this.get("/account")).body);
    return this;
  }

  /** Posts a form with the session's CSRF token. */
  send(url: string, form: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.post(url, { _csrf: this.csrf, ...form });
  }
}

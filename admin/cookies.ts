// The panel's cookies: HttpOnly, SameSite=Lax, Secure on https. With an https PUBLIC_URL every one is
// a `__Host-` cookie (the jar adds the prefix, so routes keep plain names): Secure, Path=/ and no
// Domain, so neither plain http nor a sibling subdomain can plant or overwrite one — which the login
// form's double-submit token relies on. `__Host-` needs Path=/, so scoped paths (/login, /demo) widen
// to / there; none of these cookies is secret to other paths of the panel. They are signed with SESSION_SECRET
// when one is configured; without it they are plain, which is safe because every value is either a
// random token checked against the database or a harmless preference, and it lets several admin
// processes without a shared secret accept each other's cookies.
import type { FastifyReply, FastifyRequest } from "fastify";

export type CookieJar = {
  read(request: FastifyRequest, name: string): string | null;
  write(
    request: FastifyRequest,
    reply: FastifyReply,
    name: string,
    value: string,
    options?: CookieOptions,
  ): void;
  clear(
    request: FastifyRequest,
    reply: FastifyReply,
    name: string,
    options?: Pick<CookieOptions, "path">,
  ): void;
};

export type CookieOptions = { path?: string; maxAgeSeconds?: number };

export function createCookieJar(signed: boolean, options: { hostOnlySecure?: boolean } = {}): CookieJar {
  const hostOnly = options.hostOnlySecure === true;
  const cookieName = (name: string) => (hostOnly ? `__Host-${name}` : name);
  const pathOf = (path: string | undefined) => (hostOnly ? "/" : (path ?? "/"));
  const secure = (request: FastifyRequest) => hostOnly || request.protocol === "https";
  return {
    read(request, name) {
      const raw = request.cookies[cookieName(name)];
      if (raw === undefined || raw === "") return null;
      if (!signed) return raw;
      const unsigned = request.unsignCookie(raw);
      return unsigned.valid ? unsigned.value : null;
    },
    write(request, reply, name, value, options = {}) {
      reply.setCookie(cookieName(name), value, {
        path: pathOf(options.path),
        httpOnly: true,
        sameSite: "lax",
        secure: secure(request),
        signed,
        ...(options.maxAgeSeconds === undefined ? {} : { maxAge: options.maxAgeSeconds }),
      });
    },
    clear(request, reply, name, options = {}) {
      reply.clearCookie(cookieName(name), {
        path: pathOf(options.path),
        httpOnly: true,
        sameSite: "lax",
        secure: secure(request),
      });
    },
  };
}

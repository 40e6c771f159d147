// The panel's cookies: HttpOnly, SameSite=Lax, Secure on https. They are signed with SESSION_SECRET
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

export function createCookieJar(signed: boolean): CookieJar {
  return {
    read(request, name) {
      const raw = request.cookies[name];
      if (raw === undefined || raw === "") return null;
      if (!signed) return raw;
      const unsigned = request.unsignCookie(raw);
      return unsigned.valid ? unsigned.value : null;
    },
    write(request, reply, name, value, options = {}) {
      reply.setCookie(name, value, {
        path: options.path ?? "/",
        httpOnly: true,
        sameSite: "lax",
        secure: request.protocol === "https",
        signed,
        ...(options.maxAgeSeconds === undefined ? {} : { maxAge: options.maxAgeSeconds }),
      });
    },
    clear(request, reply, name, options = {}) {
      reply.clearCookie(name, {
        path: options.path ?? "/",
        httpOnly: true,
        sameSite: "lax",
        secure: request.protocol === "https",
      });
    },
  };
}

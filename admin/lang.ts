// The panel's language: ?lang= switches it and is remembered in a cookie; Italian otherwise.
import type { FastifyReply, FastifyRequest } from "fastify";
import { DEFAULT_LANGUAGE, type Translate, translator } from "../core/i18n.ts";

/** The languages the panel itself is translated into (the bot may speak more). */
export const ADMIN_LANGUAGES = ["it", "en"] as const;
export type AdminLanguage = (typeof ADMIN_LANGUAGES)[number];

export const LANGUAGE_COOKIE = "bussola_lang";
const ONE_YEAR_S = 365 * 24 * 60 * 60;

function asLanguage(value: unknown): AdminLanguage | null {
  return ADMIN_LANGUAGES.find((lang) => lang === value) ?? null;
}

export function languageOf(request: FastifyRequest): AdminLanguage {
  const query = request.query as Record<string, unknown> | undefined;
  return (
    asLanguage(query?.lang) ??
    asLanguage(request.cookies[LANGUAGE_COOKIE]) ??
    (DEFAULT_LANGUAGE as AdminLanguage)
  );
}

/** onRequest hook: an explicit ?lang= choice is kept for the following pages. */
export function rememberLanguage(request: FastifyRequest, reply: FastifyReply): void {
  const query = request.query as Record<string, unknown> | undefined;
  const chosen = asLanguage(query?.lang);
  if (chosen && chosen !== request.cookies[LANGUAGE_COOKIE]) {
    reply.setCookie(LANGUAGE_COOKIE, chosen, {
      path: "/",
      httpOnly: true,
      sameSite: "lax",
      secure: request.protocol === "https",
      maxAge: ONE_YEAR_S,
    });
  }
}

export function translatorFor(request: FastifyRequest): { lang: AdminLanguage; t: Translate } {
  const lang = languageOf(request);
  return { lang, t: translator(lang, "admin") };
}

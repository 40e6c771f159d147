// Headers that make the browser enforce what the pages promise, and the Origin check for POSTs.
import type { FastifyReply, FastifyRequest } from "fastify";
import { STYLESHEET_CSP_SOURCE } from "./views/styles.ts";

// Scripts only from /assets (no inline script at all); stylesheets from this site (Bootstrap Italia under
// /assets) and the one inline stylesheet by its hash, fonts from this site; forms and fetches only to
// this site, and no framing (clickjacking).
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  `style-src 'self' ${STYLESHEET_CSP_SOURCE}`,
  "font-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

/** Browsers then refuse plain http for a year, on this host and its subdomains. */
export const HSTS = "max-age=31536000; includeSubDomains";

export function setSecurityHeaders(
  _request: FastifyRequest,
  reply: FastifyReply,
  options: { hsts: boolean } = { hsts: false },
): void {
  if (options.hsts) reply.header("Strict-Transport-Security", HSTS);
  reply.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
  reply.header("X-Frame-Options", "DENY");
  reply.header("X-Content-Type-Options", "nosniff");
  reply.header("Referrer-Policy", "same-origin");
  reply.header("Cross-Origin-Opener-Policy", "same-origin");
  reply.header("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
  // Pages show personal data: keep them out of shared and back-button caches.
  if (!reply.hasHeader("Cache-Control")) reply.header("Cache-Control", "no-store");
}

/**
 * A POST whose Origin header names another site (or "null", as sandboxed frames send) is a
 * cross-site request: refused before anything else runs. Browsers that send no Origin are still
 * covered by the CSRF token and SameSite cookies. With PUBLIC_URL the Origin must be exactly that
 * origin (scheme, host and port); without it, its host must be the Host the request came to.
 */
export function isCrossOrigin(request: FastifyRequest, publicOrigin?: string): boolean {
  if (request.method !== "POST") return false;
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  try {
    const url = new URL(origin);
    return publicOrigin === undefined ? url.host !== request.host : url.origin !== publicOrigin;
  } catch {
    return true;
  }
}

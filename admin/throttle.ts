// Login throttling: after too many wrong passwords for one e-mail from one address, further attempts
// are refused for a while, even with the right password, so guessing is slow. Failures are kept in
// PostgreSQL, so every admin process behind a balancer counts the same ones; the key is a hash, so
// no e-mail address is stored.
import { createHash } from "node:crypto";
import type { Db } from "../core/db/client.ts";

export const MAX_LOGIN_FAILURES = 10;
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;

export type LoginThrottle = {
  /** Instant from which attempts are accepted again, or null when not blocked. */
  blockedUntil(ip: string, email: string, now: Date): Promise<Date | null>;
  recordFailure(ip: string, email: string, now: Date): Promise<void>;
  reset(ip: string, email: string): Promise<void>;
};

export function createLoginThrottle(
  db: Db,
  options: { maxFailures?: number; windowMs?: number } = {},
): LoginThrottle {
  const maxFailures = options.maxFailures ?? MAX_LOGIN_FAILURES;
  const windowMs = options.windowMs ?? LOGIN_WINDOW_MS;
  const keyOf = (ip: string, email: string) =>
    createHash("sha256").update(`${ip}\n${email}`).digest("base64url");

  return {
    async blockedUntil(ip, email, now) {
      const recent = await db.loginAttempt.findMany({
        where: { keyHash: keyOf(ip, email), at: { gt: new Date(now.getTime() - windowMs) } },
        orderBy: { at: "desc" },
        take: maxFailures,
        select: { at: true },
      });
      const oldestCounted = recent[maxFailures - 1];
      return oldestCounted ? new Date(oldestCounted.at.getTime() + windowMs) : null;
    },
    async recordFailure(ip, email, now) {
      await db.loginAttempt.create({ data: { keyHash: keyOf(ip, email), at: now } });
      // Old failures mean nothing: keep the table small as it goes.
      await db.loginAttempt.deleteMany({ where: { at: { lt: new Date(now.getTime() - windowMs) } } });
    },
    async reset(ip, email) {
      await db.loginAttempt.deleteMany({ where: { keyHash: keyOf(ip, email) } });
    },
  };
}

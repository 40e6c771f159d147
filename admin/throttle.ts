// Login throttling: after too many wrong passwords for one e-mail from one address, further attempts
// are refused for a while, even with the right password, so guessing is slow.
//
// Kept in this process's memory: the schema has no table for login attempts yet, so with several
// admin processes behind a balancer each one counts on its own (a guesser gets at most N times the
// limit). Keys are hashed so no e-mail address sits in memory longer than a request.
import { createHash } from "node:crypto";

export const MAX_LOGIN_FAILURES = 10;
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
/** Bounds memory when someone sprays many addresses; the oldest keys are forgotten first. */
const MAX_KEYS = 10_000;

export type LoginThrottle = {
  /** Instant from which attempts are accepted again, or null when not blocked. */
  blockedUntil(ip: string, email: string, now: Date): Date | null;
  recordFailure(ip: string, email: string, now: Date): void;
  reset(ip: string, email: string): void;
};

export function createLoginThrottle(
  options: { maxFailures?: number; windowMs?: number } = {},
): LoginThrottle {
  const maxFailures = options.maxFailures ?? MAX_LOGIN_FAILURES;
  const windowMs = options.windowMs ?? LOGIN_WINDOW_MS;
  const failures = new Map<string, number[]>();

  const keyOf = (ip: string, email: string) =>
    createHash("sha256").update(`${ip}\n${email}`).digest("base64url");
  const recent = (key: string, now: Date): number[] => {
    const since = now.getTime() - windowMs;
    const kept = (failures.get(key) ?? []).filter((at) => at > since);
    if (kept.length === 0) failures.delete(key);
    else failures.set(key, kept);
    return kept;
  };

  return {
    blockedUntil(ip, email, now) {
      const kept = recent(keyOf(ip, email), now);
      const oldestCounted = kept[kept.length - maxFailures];
      return kept.length >= maxFailures && oldestCounted !== undefined
        ? new Date(oldestCounted + windowMs)
        : null;
    },
    recordFailure(ip, email, now) {
      const key = keyOf(ip, email);
      const kept = recent(key, now);
      kept.push(now.getTime());
      // Re-inserting moves the key to the end, so the Map's first key is the least recently failed.
      failures.delete(key);
      failures.set(key, kept);
      while (failures.size > MAX_KEYS) {
        const oldest = failures.keys().next().value;
        if (oldest === undefined) break;
        failures.delete(oldest);
      }
    },
    reset(ip, email) {
      failures.delete(keyOf(ip, email));
    },
  };
}

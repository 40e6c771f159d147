// Login throttling. Every attempt is counted BEFORE its password is checked, in one statement that
// PostgreSQL serialises per key, so a burst of parallel attempts (from any number of admin
// processes) cannot all slip past the count while each waits for its 0.2 s scrypt.
//
// Three keys per attempt, each with a few free attempts and then a growing delay (the next attempt
// for that key is checked only 1, 2, 4, 8… seconds after the previous one, up to a cap):
// - the client address: guessing across many e-mails from one place;
// - the address with the e-mail: the usual guessing of one account;
// - the e-mail alone: guessing one account from many addresses. This is the key a stranger can push
//   on a colleague's account, so its delay is capped short (a minute): no hard lock keyed on the
//   e-mail, and the owner is never kept out for long.
// Keys are taken in that order and a later key is counted only if the earlier ones let the attempt
// through, so a stranger whose own address is held back cannot keep pushing a colleague's account.
// An attempt refused by a key is not counted again (it cost no password check). A successful log-in
// forgets the address-with-e-mail key and takes back its own count from the other two (so colleagues
// behind one office address do not add up to a lock). Rows idle for longer than the window are
// forgotten. Keys are hashes: no address or e-mail is stored.
import { createHash } from "node:crypto";
import type { Db } from "../core/db/client.ts";
import { sqlOf } from "../core/db/sql.ts";

export type ThrottleRule = {
  /** Attempts checked at once before delays start. */
  free: number;
  /** The longest delay, in seconds. */
  capSeconds: number;
};

export type ThrottleRules = { address: ThrottleRule; account: ThrottleRule; email: ThrottleRule };

export const DEFAULT_THROTTLE_RULES: ThrottleRules = {
  address: { free: 20, capSeconds: 300 },
  account: { free: 5, capSeconds: 300 },
  email: { free: 10, capSeconds: 60 },
};
/** A key untouched for this long starts again from zero. */
export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;

/**
 * `addressAttempts`: attempts from this address in the window, this one included. The password
 * checks of addresses with fewer go first (see CheckLimiter).
 */
export type AttemptVerdict = { allowed: true; addressAttempts: number } | { allowed: false; retryAt: Date };

export type LoginThrottle = {
  /** Counts the attempt (before the password is checked) and says whether it may be checked. */
  attempt(ip: string, email: string, now: Date): Promise<AttemptVerdict>;
  /** The password was right: forget this address's failures for the account. */
  succeeded(ip: string, email: string, now: Date): Promise<void>;
};

type Keys = { address: string; account: string; email: string };

function hash(value: string): string {
  return createHash("sha256").update(value).digest("base64url");
}

function keysOf(ip: string, email: string): Keys {
  return {
    address: hash(`address\n${ip}`),
    account: hash(`account\n${ip}\n${email}`),
    email: hash(`email\n${email}`),
  };
}

type Row = {
  address: boolean;
  account: boolean;
  email: boolean;
  retryAt: Date | null;
  addressAttempts: number | null;
};

export function createLoginThrottle(
  db: Db,
  options: { rules?: ThrottleRules; windowMs?: number } = {},
): LoginThrottle {
  const rules = options.rules ?? DEFAULT_THROTTLE_RULES;
  const windowMs = options.windowMs ?? THROTTLE_WINDOW_MS;
  const sql = sqlOf(db);
  let sinceCleanUp = 0;
  // Keys this process saw refused, with until when: a flood against a waiting key is then refused
  // without a database round trip (nothing but a success can shorten a wait, and a success is seen
  // here). Bounded: when full it starts again, which only costs round trips.
  const waiting = new Map<string, number>();
  const MAX_REMEMBERED = 10_000;

  return {
    async attempt(ip, email, now) {
      const keys = keysOf(ip, email);
      for (const key of [keys.address, keys.account, keys.email]) {
        const until = waiting.get(key);
        if (until === undefined) continue;
        if (until > now.getTime()) return { allowed: false, retryAt: new Date(until) };
        waiting.delete(key);
      }
      const forgetBefore = new Date(now.getTime() - windowMs);
      const { address: a, account: b, email: c } = rules;
      // One statement: each upsert counts its key only when the key is not waiting (the row lock
      // of ON CONFLICT serialises concurrent attempts), and only when the previous key let the
      // attempt through. The delay after n counted attempts is 0 up to `free`, then 2^(n-free) s.
      const [row] = await sql.query<Row>`
        WITH address AS (
          INSERT INTO "LoginThrottle" AS t ("keyHash", attempts, "nextAt", "lastAt")
          VALUES (${keys.address}, 1, ${now}::timestamptz, ${now}::timestamptz)
          ON CONFLICT ("keyHash") DO UPDATE SET
            attempts = CASE WHEN t."lastAt" < ${forgetBefore}::timestamptz THEN 1 ELSE t.attempts + 1 END,
            "nextAt" = ${now}::timestamptz + make_interval(secs => CASE
              WHEN t."lastAt" < ${forgetBefore}::timestamptz OR t.attempts + 1 < ${a.free}::int THEN 0
              ELSE LEAST(${a.capSeconds}::int, power(2, LEAST(t.attempts + 1 - ${a.free}::int, 30))) END),
            "lastAt" = ${now}::timestamptz
          WHERE t."nextAt" <= ${now}::timestamptz
          RETURNING attempts
        ), account AS (
          INSERT INTO "LoginThrottle" AS t ("keyHash", attempts, "nextAt", "lastAt")
          SELECT ${keys.account}, 1, ${now}::timestamptz, ${now}::timestamptz WHERE EXISTS (SELECT 1 FROM address)
          ON CONFLICT ("keyHash") DO UPDATE SET
            attempts = CASE WHEN t."lastAt" < ${forgetBefore}::timestamptz THEN 1 ELSE t.attempts + 1 END,
            "nextAt" = ${now}::timestamptz + make_interval(secs => CASE
              WHEN t."lastAt" < ${forgetBefore}::timestamptz OR t.attempts + 1 < ${b.free}::int THEN 0
              ELSE LEAST(${b.capSeconds}::int, power(2, LEAST(t.attempts + 1 - ${b.free}::int, 30))) END),
            "lastAt" = ${now}::timestamptz
          WHERE t."nextAt" <= ${now}::timestamptz
          RETURNING 1
        ), email AS (
          INSERT INTO "LoginThrottle" AS t ("keyHash", attempts, "nextAt", "lastAt")
          SELECT ${keys.email}, 1, ${now}::timestamptz, ${now}::timestamptz WHERE EXISTS (SELECT 1 FROM account)
          ON CONFLICT ("keyHash") DO UPDATE SET
            attempts = CASE WHEN t."lastAt" < ${forgetBefore}::timestamptz THEN 1 ELSE t.attempts + 1 END,
            "nextAt" = ${now}::timestamptz + make_interval(secs => CASE
              WHEN t."lastAt" < ${forgetBefore}::timestamptz OR t.attempts + 1 < ${c.free}::int THEN 0
              ELSE LEAST(${c.capSeconds}::int, power(2, LEAST(t.attempts + 1 - ${c.free}::int, 30))) END),
            "lastAt" = ${now}::timestamptz
          WHERE t."nextAt" <= ${now}::timestamptz
          RETURNING 1
        )
        SELECT EXISTS (SELECT 1 FROM address) AS address, EXISTS (SELECT 1 FROM account) AS account,
          EXISTS (SELECT 1 FROM email) AS email, (SELECT attempts FROM address) AS "addressAttempts",
          (SELECT max("nextAt") FROM "LoginThrottle"
            WHERE "keyHash" IN (${keys.address}, ${keys.account}, ${keys.email})) AS "retryAt"`;
      if (row?.address && row.account && row.email) {
        return { allowed: true, addressAttempts: row.addressAttempts ?? 1 };
      }
      // The refusing key's time, read before this statement's own counts (which did not happen for
      // it): at worst a little early, and then the next attempt is told again.
      const retryAt = row?.retryAt && row.retryAt > now ? row.retryAt : new Date(now.getTime() + 1000);
      if (waiting.size >= MAX_REMEMBERED) waiting.clear();
      // The first key that refused is the one to remember (the later ones were not reached).
      const refusing = !row?.address ? keys.address : !row.account ? keys.account : keys.email;
      waiting.set(refusing, retryAt.getTime());
      return { allowed: false, retryAt };
    },

    async succeeded(ip, email, now) {
      const keys = keysOf(ip, email);
      const { address: a, email: c } = rules;
      waiting.delete(keys.address);
      waiting.delete(keys.account);
      waiting.delete(keys.email);
      await sql.execute`DELETE FROM "LoginThrottle" WHERE "keyHash" = ${keys.account}`;
      // Take this attempt's count back, and the delay it added with it.
      await sql.execute`
        UPDATE "LoginThrottle" SET attempts = GREATEST(attempts - 1, 0),
          "nextAt" = LEAST("nextAt", "lastAt" + make_interval(secs => CASE
            WHEN attempts - 1 < (CASE WHEN "keyHash" = ${keys.address} THEN ${a.free}::int ELSE ${c.free}::int END) THEN 0
            ELSE power(2, LEAST(attempts - 1 - (CASE WHEN "keyHash" = ${keys.address} THEN ${a.free}::int ELSE ${c.free}::int END), 30)) END))
        WHERE "keyHash" IN (${keys.address}, ${keys.email})`;
      // Forgotten keys go as we go; every 50th successful log-in is often enough.
      if (++sinceCleanUp % 50 === 1) {
        await sql.execute`
          DELETE FROM "LoginThrottle" WHERE "lastAt" < ${new Date(now.getTime() - windowMs)}::timestamptz
            AND "nextAt" <= ${now}::timestamptz`;
      }
    },
  };
}

/**
 * How many password checks one process runs at once (each scrypt takes about 0.2 s of a core and
 * 128 MB), and how many may wait for a turn. Waiting checks go in order of their address's recent
 * attempts (fewest first, then first come): someone logging in from their own address goes ahead of
 * a flood's queued guesses. Beyond the waiting room the answer is 429 at once — for the newcomer, or
 * for the waiting check with the most attempts behind it if the newcomer has fewer.
 */
export type CheckLimiter = {
  /** Runs `check` when a slot is free, or returns null when it was refused a place. */
  run<T>(check: () => Promise<T>, priority?: number): Promise<{ value: T } | null>;
  readonly counters: { checks: number; refused: number };
};

type Waiting = { priority: number; order: number; admit(admitted: boolean): void };

export function createCheckLimiter(
  options: { maxInFlight?: number; maxWaiting?: number } = {},
): CheckLimiter {
  const maxInFlight = options.maxInFlight ?? 2;
  const maxWaiting = options.maxWaiting ?? 4;
  let inFlight = 0;
  let arrivals = 0;
  const waiting: Waiting[] = [];
  const counters = { checks: 0, refused: 0 };
  const worse = (a: Waiting, b: Waiting) =>
    a.priority > b.priority || (a.priority === b.priority && a.order > b.order);

  async function turn(priority: number): Promise<boolean> {
    if (inFlight < maxInFlight) {
      inFlight++;
      return true;
    }
    const entry: Waiting = { priority, order: arrivals++, admit: () => undefined };
    const admitted = new Promise<boolean>((resolve) => {
      entry.admit = resolve;
    });
    if (waiting.length >= maxWaiting) {
      const worst = waiting.reduce((w, e) => (worse(e, w) ? e : w));
      if (!worse(worst, entry)) return false;
      waiting.splice(waiting.indexOf(worst), 1);
      worst.admit(false);
    }
    waiting.push(entry);
    return admitted;
  }

  function release(): void {
    if (waiting.length === 0) {
      inFlight--;
      return;
    }
    // Hand the slot straight to the best one waiting.
    const best = waiting.reduce((b, e) => (worse(b, e) ? e : b));
    waiting.splice(waiting.indexOf(best), 1);
    best.admit(true);
  }

  return {
    counters,
    async run(check, priority = 0) {
      if (!(await turn(priority))) {
        counters.refused++;
        return null;
      }
      counters.checks++;
      try {
        return { value: await check() };
      } finally {
        release();
      }
    },
  };
}

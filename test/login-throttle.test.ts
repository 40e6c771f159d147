// Log-in throttling under concurrency, against LISTENING admin servers over real HTTP: attempts are
// counted before the password is checked (so a parallel burst cannot all be checked), limits per
// account and per client address, a cap on checks in flight, and delays that grow but stay bounded.
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminServer } from "../admin/server.ts";
import { DEFAULT_THROTTLE_RULES } from "../admin/throttle.ts";
import { fixedClock } from "../core/clock.ts";
import { loadConfig } from "../core/config.ts";
import { createLogger } from "../core/logger.ts";
import { hashPassword, upsertStaff } from "../core/staff.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { HttpClient } from "./support/http-client.ts";

const PASSWORD = "correct horse battery staple";
const clock = fixedClock(new Date("2026-11-27T10:00:00Z"));
let t: TestDatabase;
const servers: FastifyInstance[] = [];

async function listening(login?: Parameters<typeof createAdminServer>[0]["login"]): Promise<string> {
  const app = createAdminServer({
    // As behind the TLS proxy: the client address comes from X-Forwarded-For.
    config: loadConfig({ DATABASE_URL: t.url, TRUST_PROXY: "true" }),
    logger: createLogger({ level: "silent" }),
    db: t.db,
    clock,
    login,
  });
  servers.push(app);
  await app.listen({ host: "127.0.0.1", port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

let base: string;

beforeAll(async () => {
  t = await createTestDatabase();
  // Refusals answered after 50 ms instead of a second, so the hammering tests stay short.
  base = await listening({ refusalPauseMs: 50 });
});

afterAll(async () => {
  for (const app of servers) await app.close();
  await t?.drop();
});

async function staffNamed(local: string): Promise<{ id: number; email: string }> {
  const email = `${local}@example.org`;
  const { id } = await upsertStaff(t.db, { email, role: "operator", password: PASSWORD });
  return { id, email };
}

/** Password checks that failed for this account: one audit row each. */
async function checkedFailures(staffId: number): Promise<number> {
  return t.db.auditLog.count({ where: { action: "staff.login_failed", actorId: String(staffId) } });
}

describe("a parallel burst", () => {
  it("gets at most the free attempts checked, and a right password in the same burst is refused", {
    timeout: 150_000,
  }, async () => {
    const victim = await staffNamed("burst");
    const attacker = new HttpClient(base, "203.0.113.10");
    const csrf = await attacker.loginToken();
    // Two admin servers on the same database, as behind a balancer: the burst is spread over both
    // (the log-in form's token is not tied to a server), and PostgreSQL alone keeps the count.
    const second = new HttpClient(await listening({ refusalPauseMs: 50 }), "203.0.113.10");
    second.cookies.set("bussola_login", attacker.cookies.get("bussola_login") ?? "");
    let turn = 0;
    const attempt = (password: string) =>
      (turn++ % 2 === 0 ? attacker : second).post("/login", { email: victim.email, password, _csrf: csrf });

    // 60 wrong passwords at once; as soon as the first refusal comes back (the count is then past
    // the free attempts), the right password joins the burst while checks are still running.
    let firstRefusal!: () => void;
    const refused = new Promise<void>((resolve) => {
      firstRefusal = resolve;
    });
    const wrong = Array.from({ length: 60 }, async (_, i) => {
      const answer = await attempt(`guess number ${i}`);
      if (answer.status === 429) firstRefusal();
      return answer;
    });
    await refused;
    const right = await attempt(PASSWORD);
    const answers = await Promise.all(wrong);

    expect(right.status).toBe(429);
    expect(attacker.cookies.has("bussola_session")).toBe(false);
    const free = DEFAULT_THROTTLE_RULES.account.free;
    expect(answers.filter((a) => a.status === 401).length).toBeLessThanOrEqual(free);
    expect(answers.every((a) => a.status === 401 || a.status === 429)).toBe(true);
    expect(await checkedFailures(victim.id)).toBeLessThanOrEqual(free);
    // The refusal says when to come back, in seconds, and the page says it too.
    const retry = Number(right.headers.get("retry-after"));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(DEFAULT_THROTTLE_RULES.account.capSeconds);
    expect(right.body).toContain("Troppi tentativi");

    // After the delay the right password works.
    clock.advance(retry * 1000);
    const later = await attacker.post("/login", { email: victim.email, password: PASSWORD, _csrf: csrf });
    expect(later.status).toBe(303);
    expect(attacker.cookies.has("bussola_session")).toBe(true);
  });

  it("grows the delay with each further failure, up to a cap", { timeout: 150_000 }, async () => {
    const victim = await staffNamed("growing");
    const client = new HttpClient(base, "203.0.113.11");
    const csrf = await client.loginToken();
    const waits: number[] = [];
    for (let i = 0; i < 16; i++) {
      const answer = await client.post("/login", { email: victim.email, password: `no ${i}`, _csrf: csrf });
      if (answer.status === 429) {
        const retry = Number(answer.headers.get("retry-after"));
        waits.push(retry);
        clock.advance(retry * 1000);
      }
    }
    // Delays only ever follow a checked failure: 1, 2, 4, 8… seconds, then the cap.
    expect(waits.length).toBeGreaterThan(3);
    expect(waits.slice(0, 4)).toEqual([1, 2, 4, 8]);
    expect(Math.max(...waits)).toBeLessThanOrEqual(DEFAULT_THROTTLE_RULES.account.capSeconds);
  });
});

describe("per client address", () => {
  // Smaller numbers than production's (same rules otherwise), so these tests need fewer of the
  // deliberately slow password checks.
  const RULES = {
    address: { free: 6, capSeconds: 300 },
    account: { free: 3, capSeconds: 300 },
    email: { free: 4, capSeconds: 60 },
  };
  let small: string;
  beforeAll(async () => {
    small = await listening({ rules: RULES, refusalPauseMs: 50 });
  });

  it("limits one address across many e-mails, and not the others", { timeout: 150_000 }, async () => {
    const colleague = await staffNamed("colleague-of-sprayer");
    const sprayer = new HttpClient(small, "203.0.113.20");
    const csrf = await sprayer.loginToken();
    const before = await t.db.auditLog.count({ where: { action: "staff.login_failed" } });
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        sprayer.post("/login", { email: `nobody${i}@example.org`, password: "whatever it is", _csrf: csrf }),
      ),
    );
    const after = await t.db.auditLog.count({ where: { action: "staff.login_failed" } });
    expect(after - before).toBeLessThanOrEqual(RULES.address.free);
    expect(answers.filter((a) => a.status === 429).length).toBeGreaterThan(0);
    // That address is held back even for a real account with the right password…
    expect(
      (await sprayer.post("/login", { email: colleague.email, password: PASSWORD, _csrf: csrf })).status,
    ).toBe(429);
    // …while the colleague at their own address logs in.
    expect((await new HttpClient(small, "198.51.100.20").signIn(colleague.email, PASSWORD)).status).toBe(303);
  });

  it("does not lock a colleague out for long when a stranger hammers their account", {
    timeout: 150_000,
  }, async () => {
    const colleague = await staffNamed("hammered");
    const stranger = new HttpClient(small, "203.0.113.30");
    const csrf = await stranger.loginToken();
    // An hour of hammering, with the clock moving on as the stranger is told to wait.
    for (let round = 0; round < 15; round++) {
      const burst = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          stranger.post("/login", { email: colleague.email, password: `guess ${round}-${i}`, _csrf: csrf }),
        ),
      );
      const waits = burst.map((a) => Number(a.headers.get("retry-after") ?? 0));
      clock.advance(Math.max(1, ...waits) * 1000);
    }
    // The colleague, from their own address, waits at most the e-mail key's short cap.
    const office = new HttpClient(small, "198.51.100.30");
    const first = await office.signIn(colleague.email, PASSWORD);
    if (first.status === 429) {
      const retry = Number(first.headers.get("retry-after"));
      expect(retry).toBeLessThanOrEqual(RULES.email.capSeconds);
      clock.advance(retry * 1000);
      expect((await office.signIn(colleague.email, PASSWORD)).status).toBe(303);
    } else {
      expect(first.status).toBe(303);
    }
  });

  it("does not add up colleagues' successful log-ins behind one office address", {
    timeout: 150_000,
  }, async () => {
    const office = "198.51.100.40";
    const limit = RULES.address.free;
    // One hash for all of them: scrypt is slow on purpose.
    const passwordHash = await hashPassword(PASSWORD);
    const emails = Array.from({ length: limit + 3 }, (_, i) => `office-${i}@example.org`);
    await t.db.staff.createMany({ data: emails.map((email) => ({ email, role: "operator", passwordHash })) });
    for (const email of emails) {
      expect((await new HttpClient(small, office).signIn(email, PASSWORD)).status).toBe(303);
    }
  });
});

describe("password checks in flight", () => {
  it("answers 429 with Retry-After beyond the cap, after a pause, so bogus log-ins cannot queue up", {
    timeout: 150_000,
  }, async () => {
    const capped = await listening({ maxChecksInFlight: 1, maxChecksWaiting: 1 });
    // From many addresses and e-mails, so the throttle lets every one through to the check.
    const answers = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const client = new HttpClient(capped, `192.0.2.${100 + i}`);
        const csrf = await client.loginToken();
        const began = performance.now();
        const answer = await client.post("/login", {
          email: `bogus${i}@example.org`,
          password: "not a password at all",
          _csrf: csrf,
        });
        return { ...answer, ms: performance.now() - began };
      }),
    );
    const busy = answers.filter((a) => a.status === 429);
    expect(busy.length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.status === 401).length).toBeGreaterThanOrEqual(2);
    for (const answer of busy) {
      expect(answer.headers.get("retry-after")).toBe("1");
      expect(answer.body).toContain("molti accessi");
      // The default pause before a refusal: a flood with fixed connections slows to its pace.
      expect(answer.ms).toBeGreaterThanOrEqual(950);
    }
  });

  it("lets a person at a quiet address go ahead of a flood's queued checks", {
    timeout: 150_000,
  }, async () => {
    const capped = await listening({ maxChecksInFlight: 1, maxChecksWaiting: 2, refusalPauseMs: 0 });
    const colleague = await staffNamed("queued-colleague");
    const flood = new HttpClient(capped, "203.0.113.90");
    const csrf = await flood.loginToken();
    const office = new HttpClient(capped, "198.51.100.90");
    const officeCsrf = await office.loginToken();
    // Ten guesses from one address fill the slot and the waiting room (the rest are refused)…
    const guesses = Array.from({ length: 10 }, (_, i) =>
      flood.post("/login", { email: `spray${i}@example.org`, password: "guess guess", _csrf: csrf }),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    // …and the colleague, first attempt from their address, still gets a place and logs in.
    const mine = await office.post("/login", {
      email: colleague.email,
      password: PASSWORD,
      _csrf: officeCsrf,
    });
    expect(mine.status).toBe(303);
    const answers = await Promise.all(guesses);
    expect(answers.filter((a) => a.status === 429).length).toBeGreaterThan(0);
  });
});

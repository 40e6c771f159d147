import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../core/config.ts";

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe("configuration", () => {
  it("has the documented defaults; whether a process is the demo is not configuration", () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBe("postgresql://postgres@127.0.0.1:5432/bussola");
    expect(config.redisUrl).toBe("redis://127.0.0.1:6379");
    expect(config.queuePrefix).toBe("bussola");
    expect(config.admin.port).toBe(3000);
    expect(config.bot.mode).toBe("polling");
    expect(config.quietHours).toEqual({ startMinute: 21 * 60, endMinute: 8 * 60 });
    expect(config).not.toHaveProperty("demo");
    expect(config.demoDatabaseUrl).toBe("postgresql://postgres@127.0.0.1:5432/bussola_demo");
    expect(config.production).toBe(false);
    expect(config.admin.publicOrigin).toBeUndefined();
    expect(config.admin.trustProxy).toBe(false);
    expect(config.telegram.apiRoot).toBe("https://api.telegram.org");
  });

  it("treats an empty QUIET_HOURS as disabled and other empty variables as unset", () => {
    expect(loadConfig({ QUIET_HOURS: "", ADMIN_PORT: "" }).quietHours).toBeNull();
    expect(loadConfig({ ADMIN_PORT: "" }).admin.port).toBe(3000);
  });

  it.each([
    [{ ADMIN_PORT: "abc" }, "ADMIN_PORT"],
    [{ ADMIN_PORT: "70000" }, "ADMIN_PORT"],
    [{ BOT_MODE: "hook" }, "BOT_MODE"],
    [{ QUIET_HOURS: "25:00-08:00" }, "QUIET_HOURS"],
    [{ DATABASE_URL: "mysql://x/y" }, "DATABASE_URL"],
    [{ REDIS_URL: "nonsense" }, "REDIS_URL"],
    [{ TELEGRAM_BOT_TOKEN: "not-a-token", SESSION_SECRET: "x".repeat(32) }, "TELEGRAM_BOT_TOKEN"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ OPERATORS_CHAT_ID: "group" }, "OPERATORS_CHAT_ID"],
  ])("names the bad variable in one line: %o", (env, name) => {
    const found = problems(env);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^${name} `));
  });

  it("needs a webhook URL and secret in webhook mode, and a session secret in production", () => {
    expect(problems({ BOT_MODE: "webhook" }).map((p) => p.split(" ")[0])).toEqual([
      "WEBHOOK_URL",
      "WEBHOOK_SECRET",
    ]);
    expect(problems({ TELEGRAM_BOT_TOKEN: "123:abc" }).map((p) => p.split(" ")[0])).toEqual([
      "SESSION_SECRET",
    ]);
    const config = loadConfig({ TELEGRAM_BOT_TOKEN: "123:abc", SESSION_SECRET: "x".repeat(32) });
    expect(config.telegram.token).toBe("123:abc");
  });

  it("reads the delivery rate, 25 messages a second unless set, and names a bad one in one line", () => {
    expect(loadConfig({}).deliveryRatePerSecond).toBe(25);
    expect(loadConfig({ DELIVERY_RATE_PER_SECOND: "10" }).deliveryRatePerSecond).toBe(10);
    for (const bad of ["0", "-3", "2.5", "fast", "5000"]) {
      const found = problems({ DELIVERY_RATE_PER_SECOND: bad });
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/^DELIVERY_RATE_PER_SECOND must be a whole number/);
    }
  });

  it("reads retention, the case answer time and the metrics server, and names each bad value in one line", () => {
    const defaults = loadConfig({});
    expect(defaults.retentionMonths).toBe(24);
    expect(defaults.caseSlaHours).toBe(8);
    expect(defaults.metrics).toEqual({ host: "127.0.0.1", port: 9464 });
    const set = loadConfig({ RETENTION_MONTHS: "36", CASE_SLA_HOURS: "4", METRICS_PORT: "0" });
    expect([set.retentionMonths, set.caseSlaHours, set.metrics.port]).toEqual([36, 4, 0]);
    const cases: [string, string[]][] = [
      ["RETENTION_MONTHS", ["0", "121", "1.5", "two years"]],
      ["CASE_SLA_HOURS", ["0", "81", "-1", "soon"]],
      ["METRICS_PORT", ["-1", "70000", "http"]],
    ];
    for (const [name, bads] of cases) {
      for (const bad of bads) {
        const found = problems({ [name]: bad });
        expect(found).toHaveLength(1);
        expect(found[0]?.startsWith(`${name} must be`)).toBe(true);
      }
    }
  });

  it("reads the pagoPA creditor's fiscal code, checks its check digit, and names a bad one in one line", () => {
    expect(loadConfig({}).pagopaCreditorFiscalCode).toBeUndefined();
    expect(loadConfig({ PAGOPA_CREDITOR_FISCAL_CODE: " 12345678903 " }).pagopaCreditorFiscalCode).toBe(
      "12345678903",
    );
    for (const bad of ["12345678901", "1234567890", "123456789030", "IT12345678903", "ALER"]) {
      const found = problems({ PAGOPA_CREDITOR_FISCAL_CODE: bad });
      expect(found).toEqual([
        "PAGOPA_CREDITOR_FISCAL_CODE must be the authority's fiscal code as pagoPA knows it: 11 digits, the last a check digit",
      ]);
    }
  });

  it("puts the demo in a database of its own, next to DATABASE_URL's or where DEMO_DATABASE_URL says", () => {
    const next = loadConfig({ DATABASE_URL: "postgresql://bussola:pw@db.internal:6543/aler_prod" });
    expect(next.demoDatabaseUrl).toBe("postgresql://bussola:pw@db.internal:6543/aler_prod_demo");
    const own = loadConfig({ DEMO_DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/prova" });
    expect(own.demoDatabaseUrl).toBe("postgresql://postgres@127.0.0.1:5432/prova");
    expect(loadConfig({ NODE_ENV: "production" }).production).toBe(true);
    const same = problems({
      DATABASE_URL: "postgresql://postgres@127.0.0.1/bussola",
      DEMO_DATABASE_URL: "postgresql://other@127.0.0.1:5432/bussola",
    });
    expect(same).toHaveLength(1);
    expect(same[0]).toMatch(/^DEMO_DATABASE_URL must name another database/);
  });

  it("reads PUBLIC_URL as an origin and names a bad one in one line", () => {
    expect(loadConfig({ PUBLIC_URL: "https://Bussola.Example.org" }).admin.publicOrigin).toBe(
      "https://bussola.example.org",
    );
    expect(loadConfig({ PUBLIC_URL: "https://bussola.example.org/" }).admin.publicOrigin).toBe(
      "https://bussola.example.org",
    );
    expect(loadConfig({ PUBLIC_URL: "http://10.0.0.5:3000" }).admin.publicOrigin).toBe(
      "http://10.0.0.5:3000",
    );
    expect(loadConfig({ PUBLIC_URL: "https://bussola.example.org:443" }).admin.publicOrigin).toBe(
      "https://bussola.example.org",
    );
    for (const bad of [
      "bussola.example.org",
      "ftp://bussola.example.org",
      "https://bussola.example.org/panel",
      "https://bussola.example.org/?x=1",
      "https://bussola.example.org/#top",
      "https://user:pw@bussola.example.org",
      "https://",
    ]) {
      const found = problems({ PUBLIC_URL: bad });
      expect(found, bad).toHaveLength(1);
      expect(found[0]).toMatch(/^PUBLIC_URL must be the panel's public address/);
    }
  });

  it("reads TRUST_PROXY as on, off or the proxies' addresses, and names a bad one in one line", () => {
    expect(loadConfig({ TRUST_PROXY: "true" }).admin.trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: "FALSE" }).admin.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "127.0.0.1" }).admin.trustProxy).toEqual(["127.0.0.1"]);
    expect(loadConfig({ TRUST_PROXY: "10.0.0.0/8, ::1,fd00::/8" }).admin.trustProxy).toEqual([
      "10.0.0.0/8",
      "::1",
      "fd00::/8",
    ]);
    // A hop count is refused: Fastify 5 ignores one, so it would silently trust nothing.
    for (const bad of [
      "yes",
      "1",
      "2",
      "10.0.0.0/33",
      "10.0.0.1,",
      "proxy.internal",
      "::1/129",
      "10.0.0.0/8/1",
    ]) {
      const found = problems({ TRUST_PROXY: bad });
      expect(found, bad).toHaveLength(1);
      expect(found[0]).toMatch(/^TRUST_PROXY must be true, false, or a comma-separated list/);
    }
  });
});

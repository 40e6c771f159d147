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
  it("has the documented defaults and demo mode without a token", () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBe("postgresql://postgres@127.0.0.1:5432/bussola");
    expect(config.redisUrl).toBe("redis://127.0.0.1:6379");
    expect(config.queuePrefix).toBe("bussola");
    expect(config.admin.port).toBe(3000);
    expect(config.bot.mode).toBe("polling");
    expect(config.quietHours).toEqual({ startMinute: 21 * 60, endMinute: 8 * 60 });
    expect(config.demo).toBe(true);
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
    expect(config.demo).toBe(false);
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
});

// The sandbox's overall flood limit in its two modes: the forgiving token bucket (the default) and
// the sliding one-second window, which refuses what a fixed or bucket limit lets through across a
// second's boundary. Unit tests on a fake clock, then over HTTP.
import { afterAll, describe, expect, it } from "vitest";
import { busiestWindow, parseLimits, RateLimiter, SlidingWindow } from "../sandbox/limits.ts";
import { type Sandbox, startSandbox } from "../sandbox/server.ts";

/** A limiter on a clock the test moves; chat limits off, so only the overall limit speaks. */
function limiterAt(window: "bucket" | "sliding", perSecond: number) {
  let now = 1_000_000;
  const limiter = new RateLimiter(
    { global_per_second: perSecond, global_window: window, chat_per_second: 0 },
    () => now,
  );
  let chat = 0;
  return {
    at(ms: number) {
      now = 1_000_000 + ms;
    },
    send: () => limiter.tryTake(++chat, true),
  };
}

describe("sliding window (unit)", () => {
  it("refuses the 25 + 25 across a second's boundary that the bucket lets through", () => {
    for (const mode of ["bucket", "sliding"] as const) {
      const l = limiterAt(mode, 30);
      l.at(900);
      for (let i = 0; i < 25; i++) expect(l.send().allowed).toBe(true);
      l.at(1800);
      const allowed = Array.from({ length: 25 }, () => l.send().allowed).filter(Boolean).length;
      // The bucket had 5 left and refilled 27: all 25 pass, 50 within 900 ms. The window still
      // holds the first 25: only 5 more.
      expect(allowed, mode).toBe(mode === "bucket" ? 25 : 5);
    }
  });

  it("says when the oldest message leaves the window, and lets one more through then", () => {
    const l = limiterAt("sliding", 3);
    l.at(0);
    expect(l.send().allowed).toBe(true);
    l.at(400);
    expect(l.send().allowed).toBe(true);
    expect(l.send().allowed).toBe(true);
    l.at(999);
    expect(l.send()).toEqual({ allowed: false, retryAfter: 1 });
    l.at(1000);
    expect(l.send().allowed).toBe(true); // the one at 0 left
    expect(l.send().allowed).toBe(false);
    l.at(1399);
    expect(l.send().allowed).toBe(false);
    l.at(1400);
    expect(l.send().allowed).toBe(true);
    expect(l.send().allowed).toBe(true);
    expect(l.send().allowed).toBe(false);
  });

  it("never holds more than the limit in any 1000 ms, whatever the pattern of attempts", () => {
    const window = new SlidingWindow(30);
    const accepted: number[] = [];
    let t = 0;
    let seed = 7;
    for (let i = 0; i < 5000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      t += seed % 40; // 0..39 ms apart, bursts and gaps
      if (window.waitMs(t) === 0) {
        window.take(t);
        accepted.push(t);
      }
    }
    expect(busiestWindow(accepted)).toBe(30);
    expect(accepted.length).toBeGreaterThan(30 * (t / 1000) * 0.9);
  });

  it("counts the busiest window half-open", () => {
    expect(busiestWindow([])).toBe(0);
    expect(busiestWindow([0, 999, 1000, 1999])).toBe(2);
    expect(busiestWindow([5, 0, 500, 999])).toBe(4);
  });

  it("checks global_window", () => {
    expect(parseLimits({ global_window: "sliding" })).toEqual({ global_window: "sliding" });
    expect(() => parseLimits({ global_window: "fixed" })).toThrow(
      /global_window must be one of bucket, sliding/,
    );
    expect(() => parseLimits({ global_window: 1 })).toThrow(/global_window/);
  });
});

describe("sliding window over HTTP", () => {
  const sandboxes: Sandbox[] = [];
  afterAll(async () => {
    await Promise.all(sandboxes.map((sandbox) => sandbox.close()));
  });

  async function fresh(limits: Record<string, unknown> = {}): Promise<Sandbox> {
    const sandbox = await startSandbox({ port: 0, limits: { chat_per_second: 0, ...limits } });
    sandboxes.push(sandbox);
    return sandbox;
  }

  async function control(sb: Sandbox, method: "GET" | "POST", path: string, body?: unknown) {
    const response = await fetch(`${sb.url}/control${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function users(sb: Sandbox, n: number): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < n; i++) {
      const user = await control(sb, "POST", "/users", {});
      const id = user.body.id as number;
      await control(sb, "POST", `/users/${id}/send`, { text: "/start" });
      ids.push(id);
    }
    return ids;
  }

  async function send(sb: Sandbox, chatId: number) {
    const response = await fetch(`${sb.url}/bot${sb.token}/sendMessage`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chat_id: chatId, text: "avviso" }),
    });
    return {
      status: response.status,
      body: (await response.json()) as { parameters?: { retry_after?: number } },
    };
  }

  it("is set through /control/limits, keeps the bucket as the default and refuses a bad mode", async () => {
    const sb = await fresh();
    expect((await control(sb, "GET", "/limits")).body.global_window).toBe("bucket");
    const changed = await control(sb, "POST", "/limits", { global_window: "sliding", global_per_second: 5 });
    expect(changed.body).toMatchObject({ global_window: "sliding", global_per_second: 5 });
    const bad = await control(sb, "POST", "/limits", { global_window: "fixed" });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/global_window/);
    expect((await control(sb, "GET", "/limits")).body.global_window).toBe("sliding");
  });

  it("answers 429 once the last second holds the limit, and records every sending call's time", async () => {
    const sb = await fresh({ global_window: "sliding", global_per_second: 5 });
    const ids = await users(sb, 8);
    await control(sb, "POST", "/reset-counters");
    const answers = [];
    for (const id of ids) answers.push(await send(sb, id));
    const accepted = answers.filter((a) => a.status === 200).length;
    const refused = answers.filter((a) => a.status === 429);
    // Eight calls over a few ms: five fit the window (more only if the machine took a second).
    expect(accepted).toBeGreaterThanOrEqual(5);
    expect(refused.length).toBe(8 - accepted);
    for (const r of refused) expect(r.body.parameters?.retry_after).toBe(1);

    const times = (await control(sb, "GET", "/send-times")).body as { accepted: number[]; refused: number[] };
    expect(times.accepted.length).toBe(accepted);
    expect(times.refused.length).toBe(refused.length);
    expect(busiestWindow(times.accepted)).toBeLessThanOrEqual(5);

    // A second later the window is empty again.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await send(sb, ids[0] as number)).status).toBe(200);
    await control(sb, "POST", "/reset-counters");
    expect((await control(sb, "GET", "/send-times")).body).toEqual({ accepted: [], refused: [] });
  });

  it("in bucket mode lets a full second's worth through at once, then refills", async () => {
    const sb = await fresh({ global_per_second: 5 });
    const ids = await users(sb, 5);
    for (const id of ids) expect((await send(sb, id)).status).toBe(200);
    expect((await send(sb, ids[0] as number)).status).toBe(429);
  });
});

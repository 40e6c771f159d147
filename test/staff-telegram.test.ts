// staff:add --first-name and --telegram-user-id: how an operator signs, and linking them to the
// operators' Telegram group. Through the real command line.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { runCli } from "./support/processes.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t?.drop());

const cli = (args: string[]) => runCli(["staff:add", ...args], { DATABASE_URL: t.url });
const lines = (text: string) => text.split("\n").filter((l) => l !== "");

describe("staff:add for the operators' group", { timeout: 60_000 }, () => {
  it("sets the first name and Telegram user id, and keeps them when not given again", async () => {
    const run = await cli([
      "--email",
      "giulia@example.it",
      "--role",
      "operator",
      "--first-name",
      " Giulia ",
      "--telegram-user-id",
      "7000000123",
    ]);
    expect(run.code).toBe(0);
    const staff = await t.db.staff.findUniqueOrThrow({ where: { email: "giulia@example.it" } });
    expect(staff).toMatchObject({ firstName: "Giulia", telegramUserId: 7_000_000_123n });

    const again = await cli(["--email", "giulia@example.it", "--role", "coordinator"]);
    expect(again.code).toBe(0);
    expect(await t.db.staff.findUniqueOrThrow({ where: { email: "giulia@example.it" } })).toMatchObject({
      role: "coordinator",
      firstName: "Giulia",
      telegramUserId: 7_000_000_123n,
    });
  });

  it("rejects a bad id, an empty name, and an id already linked to someone else", async () => {
    const bad = await cli([
      "--email",
      "x@example.it",
      "--role",
      "operator",
      "--telegram-user-id",
      "12ab",
      "--first-name",
      " ",
    ]);
    expect(bad.code).toBe(1);
    expect(lines(bad.stderr)).toEqual([
      "the first name must have 1 to 64 characters",
      '"12ab" is not a Telegram user id (a positive whole number)',
    ]);
    const taken = await cli([
      "--email",
      "y@example.it",
      "--role",
      "operator",
      "--telegram-user-id",
      "7000000123",
    ]);
    expect(taken.code).toBe(1);
    expect(lines(taken.stderr)).toEqual(["Telegram user 7000000123 is already linked to giulia@example.it"]);
    expect(await t.db.staff.count({ where: { email: { in: ["x@example.it", "y@example.it"] } } })).toBe(0);
  });
});

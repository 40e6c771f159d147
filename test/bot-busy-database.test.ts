// A busy machine makes an update slower, never a "something went wrong". Prisma's defaults for an
// interactive transaction (2 s to get a connection, 5 s in all) failed it with P2028 as soon as the
// database was slow to answer (the bot bench at load 10 to 15 failed links that way), and the person
// got the generic answer. Here the slow path is forced: a lock the link waits for, a pool whose
// connections are all taken.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../core/clock.ts";
import { createDb, poolOf } from "../core/db/client.ts";
import { issueLinkCode, redeemLinkCode } from "../core/linking.ts";
import { type BotHarness, startBotHarness } from "./support/bot-harness.ts";

const GENERIC_IT = "Scusa, qualcosa non ha funzionato. Riprova tra poco.";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let h: BotHarness;

beforeAll(async () => {
  h = await startBotHarness();
  await h.household("BUSY-0001", { name: "Famiglia Paziente" });
});
afterAll(() => h.close());

describe("a busy database", () => {
  it("makes a link (a transaction) wait longer than 5 s, then succeed", async () => {
    const user = await h.newUser();
    const issued = await issueLinkCode(h.db, "BUSY-0001", systemClock);
    if (!issued) throw new Error("no code");
    // The lock the link takes first (core/linking.ts), held elsewhere past Prisma's default 5 s.
    const other = new pg.Client({ connectionString: h.database.url });
    await other.connect();
    try {
      await other.query("SELECT pg_advisory_lock(hashtext($1))", [`link:${user.id}`]);
      await user.send({ text: issued.code });
      await sleep(6_000);
      await other.query("SELECT pg_advisory_unlock(hashtext($1))", [`link:${user.id}`]);
    } finally {
      await other.end();
    }
    const [reply] = await user.replies(1, 30_000);
    expect(reply?.text).not.toBe(GENERIC_IT);
    expect(reply?.text).toContain("Famiglia Paziente");
  }, 60_000);

  it("makes a transaction wait more than 2 s for a connection, then run", async () => {
    const db = createDb(h.database.url, { poolSize: 1 });
    try {
      const pool = poolOf(db);
      if (!pool) throw new Error("no pool");
      const issued = await issueLinkCode(db, "BUSY-0001", systemClock);
      if (!issued) throw new Error("no code");
      const held = await pool.connect();
      const released = sleep(3_000).then(() => held.release());
      const who = { telegramUserId: 990_001, chatId: 990_001, firstName: "P", language: "it" };
      const result = await redeemLinkCode(db, who, issued.code, systemClock);
      await released;
      expect(result).toMatchObject({ status: "linked", householdName: "Famiglia Paziente" });
    } finally {
      await db.$disconnect();
    }
  }, 30_000);
});

// The chat lock's one-message round trips (bot/chat-lock.ts): statements run with EXECUTE and inlined
// literals, so what a person typed must reach PostgreSQL as data, exactly, never as SQL; the lock
// still keeps a chat's updates apart; a failed record runs its fallback and still unlocks.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatLocks, chatLocks, literal } from "../bot/chat-lock.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";

const TRICKY = [
  "it's",
  "back\\slash \\' and \\\\",
  '\'); DROP TABLE "BotSession"; --',
  "riga\nnuova\ttab",
  "emoji 🙂 e accenti àèìòù, арабська عربى",
  "$1 $$ dollar $tag$",
];

let database: TestDatabase;
let locks: ChatLocks;

beforeAll(async () => {
  database = await createTestDatabase();
  locks = chatLocks(database.db, [
    `PREPARE test_read(text) AS SELECT "value" FROM "BotSession" WHERE "key" = $1`,
    `PREPARE test_write(text, jsonb) AS
      INSERT INTO "BotSession" ("key", "value", "updatedAt") VALUES ($1, $2, now())
      ON CONFLICT ("key") DO UPDATE SET "value" = EXCLUDED."value"`,
    `PREPARE test_fail(text) AS SELECT 1 / 0 WHERE $1 IS NOT NULL`,
  ]);
});

afterAll(async () => {
  await database?.drop();
});

describe("chat lock statements", () => {
  it("passes what people typed to PostgreSQL as data, exactly", async () => {
    for (const [i, text] of TRICKY.entries()) {
      const key = `chat-${i}-${text}`;
      const value = { note: text, list: [text] };
      const first = await locks.lock(key, `EXECUTE test_read(${literal(key)})`);
      expect(first.rows).toEqual([]);
      await first.release(`EXECUTE test_write(${literal(key)}, ${literal(JSON.stringify(value))})`);
      const again = await locks.lock(key, `EXECUTE test_read(${literal(key)})`);
      expect(again.rows).toEqual([{ value }]);
      await again.release();
    }
    const [table] = await database.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM "BotSession"`;
    expect(Number(table?.n)).toBe(TRICKY.length);
  });

  it("inlines only whole numbers", () => {
    expect(literal(12345678901234567890n)).toBe("12345678901234567890");
    expect(literal(-7)).toBe("-7");
    expect(literal(null)).toBe("NULL");
    expect(() => literal(1.5)).toThrow();
    expect(() => literal(Number.NaN)).toThrow();
  });

  it("keeps a chat's holders apart: the second waits until the first has recorded and unlocked", async () => {
    const key = "chat-order";
    const first = await locks.lock(key, `EXECUTE test_read(${literal(key)})`);
    let secondHas = false;
    const second = locks.lock(key, `EXECUTE test_read(${literal(key)})`).then((held) => {
      secondHas = true;
      return held;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(secondHas).toBe(false);
    await first.release(`EXECUTE test_write(${literal(key)}, '{"step":1}')`);
    const held = await second;
    // It reads what the first committed before letting go.
    expect(held.rows).toEqual([{ value: { step: 1 } }]);
    await held.release();
  });

  it("runs reads sent along with the lock, and takes the lock without them when they fail", async () => {
    const key = "chat-also";
    const held = await locks.lock(key, `EXECUTE test_read(${literal(key)})`, [
      `EXECUTE test_read(${literal(key)})`,
      "SELECT 2 AS two",
    ]);
    expect(held.alsoRows).toEqual([[], [{ two: 2 }]]);
    await held.release(`EXECUTE test_write(${literal(key)}, '{"also":1}')`);
    const failing = await locks.lock(key, `EXECUTE test_read(${literal(key)})`, [
      `EXECUTE test_fail(${literal(key)})`,
    ]);
    expect(failing.rows).toEqual([{ value: { also: 1 } }]);
    expect(failing.alsoRows).toEqual([]);
    await failing.release();
  });

  it("runs the fallback when the record fails, throws the record's error, and still unlocks", async () => {
    const key = "chat-fail";
    const held = await locks.lock(key, `EXECUTE test_read(${literal(key)})`);
    await expect(
      held.release(
        `EXECUTE test_fail(${literal(key)})`,
        `EXECUTE test_write(${literal(key)}, '{"failed":true}')`,
      ),
    ).rejects.toThrow(/division by zero/);
    const next = await locks.lock(key, `EXECUTE test_read(${literal(key)})`);
    expect(next.rows).toEqual([{ value: { failed: true } }]);
    await next.release();
  });
});

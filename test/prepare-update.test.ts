// What prepareUpdate (bot/middlewares/prepare.ts) reads in its one message: the sender's member record
// with its household exactly as Prisma reads it (every field, instants to the millisecond, ids as
// bigints), and the reads features send along (bot/early-read.ts), with the same figures as /balance's
// own query.
import type { Update } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BotContext } from "../bot/context.ts";
import { balanceEarlyRead } from "../bot/features/balance.ts";
import { prepareUpdate } from "../bot/middlewares/prepare.ts";
import { systemClock } from "../core/clock.ts";
import { balanceOverview, balanceOverviewOf } from "../core/debt.ts";
import { createLogger } from "../core/logger.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";

let t: TestDatabase;
const TELEGRAM_ID = 7_000_000_123_456;

beforeAll(async () => {
  t = await createTestDatabase();
});

afterAll(async () => {
  await t?.drop();
});

/** Runs the middleware on a private message from TELEGRAM_ID; resolves to the context the features saw. */
async function prepared(updateId: number, text: string): Promise<BotContext> {
  const from = { id: TELEGRAM_ID, is_bot: false, first_name: "Zoe", language_code: "en" };
  const update = {
    update_id: updateId,
    message: {
      message_id: 1,
      date: 0,
      chat: { id: TELEGRAM_ID, type: "private", first_name: "Zoe" },
      from,
      text,
    },
  } as Update;
  const ctx = {
    update,
    from,
    deps: { db: t.db, logger: createLogger({ level: "silent" }), clock: systemClock },
  } as unknown as BotContext;
  const middleware = prepareUpdate(t.db, () => String(TELEGRAM_ID), [balanceEarlyRead]);
  let seen: BotContext | undefined;
  await (middleware as (ctx: BotContext, next: () => Promise<void>) => Promise<void>)(ctx, async () => {
    seen = ctx;
  });
  if (!seen) throw new Error("the features did not run");
  return seen;
}

describe("prepareUpdate", () => {
  it("reads the member and household as Prisma does, and /balance's figures with the claim", async () => {
    const household = await t.db.household.create({
      data: {
        contractCode: "PU-0001",
        name: "Famiglia Prova",
        fiscalCode: "PRVFML80A01F205X",
        municipality: "Milano",
        address: "Via Prova 1",
        phone: null,
        language: "en",
      },
    });
    await t.db.member.create({
      data: {
        telegramUserId: BigInt(TELEGRAM_ID),
        chatId: BigInt(TELEGRAM_ID),
        firstName: "Zoe",
        language: "en",
        householdId: household.id,
        linkedAt: new Date("2026-03-04T05:06:07.089Z"),
        consentAt: new Date("2026-03-04T05:06:07.001Z"),
        erasureRequestedAt: null,
        unreachableAt: new Date("2026-12-31T23:59:59.999Z"),
      },
    });
    await t.db.arrearsBalance.create({
      data: {
        householdId: household.id,
        rentCents: 100_00,
        chargesCents: 5_50,
        balanceDate: new Date("2026-09-30"),
      },
    });
    await t.db.payment.create({
      data: {
        householdId: household.id,
        paymentDate: new Date("2026-10-05"),
        amountCents: 20_00,
        reference: "PU-1",
      },
    });

    const ctx = await prepared(1, "/balance");
    const expected = await t.db.member.findUnique({
      where: { telegramUserId: BigInt(TELEGRAM_ID) },
      include: { household: true },
    });
    expect(ctx.member).toEqual(expected);
    expect(ctx.language).toBe("en");

    const early = ctx.earlyRows?.get(balanceEarlyRead);
    expect(early).toBeDefined();
    const overview = balanceOverviewOf(early ?? [], household.id);
    expect(overview).toEqual(await balanceOverview(t.db, household.id));
    expect(overview?.arrears).toMatchObject({ totalCents: 105_50, paidSinceCents: 20_00, nowCents: 85_50 });
    // Another household's figures are never taken for these.
    expect(balanceOverviewOf(early ?? [], household.id + 1)).toBeUndefined();

    // Text that is not /balance sends no read along.
    expect((await prepared(2, "hello")).earlyRows).toBeUndefined();
  });
});

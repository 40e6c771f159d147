import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import {
  CODE_VALIDITY_MS,
  confirmMove,
  displayCode,
  issueLinkCode,
  MAX_WRONG_ATTEMPTS,
  normalizeCode,
  redeemLinkCode,
  revokeLinkCodes,
  unusedLinkCodes,
} from "../core/linking.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";

let t: TestDatabase;
const clock = fixedClock(new Date("2026-11-27T10:00:00Z"));

beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.household.create({
    data: {
      contractCode: "BS-000001",
      name: "Famiglia Test",
      fiscalCode: "TSTFML80A01B157X",
      municipality: "Brescia",
      address: "Via Roma 1",
    },
  });
});
afterAll(() => t.drop());

const user = (id: number) => ({ telegramUserId: id, chatId: id, firstName: "T", language: "it" });

describe("link codes", () => {
  it("normalizes what people type", () => {
    expect(normalizeCode(" abcd-2345 ")).toBe("ABCD2345");
    expect(normalizeCode("ABCD 2345")).toBe("ABCD2345");
    expect(normalizeCode("ABCD-0345")).toBeNull(); // 0 is not in the alphabet
    expect(normalizeCode("ABC")).toBeNull();
    expect(displayCode("ABCD2345")).toBe("ABCD-2345");
  });

  it("refuses an unknown contract", async () => {
    expect(await issueLinkCode(t.db, "XX-999", clock)).toBeNull();
  });

  it("links once, and the same code cannot be used again", async () => {
    const issued = await issueLinkCode(t.db, "BS-000001", clock);
    expect(issued?.code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    const first = await redeemLinkCode(t.db, user(101), issued?.code.toLowerCase() ?? "", clock);
    expect(first).toMatchObject({ status: "linked", householdName: "Famiglia Test" });
    const member = await t.db.member.findUniqueOrThrow({ where: { telegramUserId: 101n } });
    expect(member.householdId).not.toBeNull();
    const again = await redeemLinkCode(t.db, user(102), issued?.code ?? "", clock);
    expect(again.status).toBe("invalid");
    expect(await t.db.member.findUnique({ where: { telegramUserId: 102n } })).toBeNull();
  });

  it("refuses an expired code", async () => {
    const issued = await issueLinkCode(t.db, "BS-000001", clock);
    const later = fixedClock(new Date(clock.now().getTime() + CODE_VALIDITY_MS + 1));
    expect((await redeemLinkCode(t.db, user(103), issued?.code ?? "", later)).status).toBe("invalid");
  });

  it("locks a user out for an hour after five wrong codes, even for the right one", async () => {
    const local = fixedClock(new Date("2026-11-27T12:00:00Z"));
    const results = [];
    for (let i = 0; i < MAX_WRONG_ATTEMPTS; i++)
      results.push(await redeemLinkCode(t.db, user(104), "WXYZ-2222", local));
    expect(results.map((r) => (r.status === "invalid" ? r.attemptsLeft : -1))).toEqual([4, 3, 2, 1, 0]);
    const issued = await issueLinkCode(t.db, "BS-000001", local);
    const locked = await redeemLinkCode(t.db, user(104), issued?.code ?? "", local);
    expect(locked).toEqual({ status: "locked", retryAt: new Date("2026-11-27T13:00:00Z") });
    local.advance(60 * 60 * 1000 + 1);
    expect((await redeemLinkCode(t.db, user(104), issued?.code ?? "", local)).status).toBe("linked");
  });

  it("lets only one of two simultaneous users take a code", async () => {
    const issued = await issueLinkCode(t.db, "BS-000001", clock);
    const both = await Promise.all([
      redeemLinkCode(t.db, user(105), issued?.code ?? "", clock),
      redeemLinkCode(t.db, user(106), issued?.code ?? "", clock),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual(["invalid", "linked"]);
  });

  it("voids only the household's unused codes when a new one is issued or staff revoke them", async () => {
    const other = await t.db.household.create({
      data: {
        contractCode: "BS-000002",
        name: "Famiglia Altra",
        fiscalCode: "TSTFML80A01B157X",
        municipality: "Brescia",
        address: "Via Roma 2",
      },
    });
    const used = await issueLinkCode(t.db, "BS-000001", clock);
    expect((await redeemLinkCode(t.db, user(201), used?.code ?? "", clock)).status).toBe("linked");
    const elsewhere = await issueLinkCode(t.db, "BS-000002", clock);
    const older = await issueLinkCode(t.db, "BS-000001", clock);
    const newer = await issueLinkCode(t.db, "BS-000001", clock);
    expect(newer?.voided).toBe(1);
    // The older one answers like an expired code; the used one stays used (its member linked).
    expect((await redeemLinkCode(t.db, user(202), older?.code ?? "", clock)).status).toBe("invalid");
    expect(
      (await t.db.member.findUniqueOrThrow({ where: { telegramUserId: 201n } })).householdId,
    ).not.toBeNull();
    expect(await unusedLinkCodes(t.db, other.id, clock.now())).toBe(1);
    const household = await t.db.household.findUniqueOrThrow({ where: { contractCode: "BS-000001" } });
    expect(await revokeLinkCodes(t.db, household.id, clock)).toBe(1);
    expect(await revokeLinkCodes(t.db, household.id, clock)).toBe(0);
    expect((await redeemLinkCode(t.db, user(203), newer?.code ?? "", clock)).status).toBe("invalid");
    // The other household's code was never touched.
    expect((await redeemLinkCode(t.db, user(204), elsewhere?.code ?? "", clock)).status).toBe("linked");
  });

  it("moves a linked member only on confirmation, once, even when confirmed twice at once", async () => {
    await t.db.household.create({
      data: {
        contractCode: "BS-000003",
        name: "Famiglia Terza",
        fiscalCode: "TSTFML80A01B157X",
        municipality: "Brescia",
        address: "Via Roma 3",
      },
    });
    const first = await issueLinkCode(t.db, "BS-000001", clock);
    expect((await redeemLinkCode(t.db, user(301), first?.code ?? "", clock)).status).toBe("linked");
    const other = await issueLinkCode(t.db, "BS-000003", clock);
    const asked = await redeemLinkCode(t.db, user(301), other?.code ?? "", clock);
    expect(asked).toMatchObject({
      status: "confirm_move",
      fromHouseholdName: "Famiglia Test",
      toHouseholdName: "Famiglia Terza",
    });
    if (asked.status !== "confirm_move") return;
    const both = await Promise.all([
      confirmMove(t.db, user(301), asked.linkCodeId, clock),
      confirmMove(t.db, user(301), asked.linkCodeId, clock),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual(["already_linked", "moved"]);
    const member = await t.db.member.findUniqueOrThrow({
      where: { telegramUserId: 301n },
      include: { household: true },
    });
    expect(member.household?.name).toBe("Famiglia Terza");
    // Somebody else cannot take the code it used, nor confirm with its id.
    expect((await redeemLinkCode(t.db, user(302), other?.code ?? "", clock)).status).toBe("invalid");
    expect((await confirmMove(t.db, user(302), asked.linkCodeId, clock)).status).toBe("expired");
  });
});

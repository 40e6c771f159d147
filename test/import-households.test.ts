import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../core/clock.ts";
import { type HouseholdRow, importHouseholds, parseHouseholdsFile } from "../core/imports/households.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";

// A copy of ../shared/examples/households.csv: a clone of the repository must test on its own.
const EXAMPLE = join(import.meta.dirname, "fixtures", "example-households.csv");
const FIXTURES = join(import.meta.dirname, "fixtures");
const HEADER =
  "contract_code;household_name;fiscal_code;municipality;address;phone;language;arrears_rent;arrears_charges;balance_date";
const actor = { actorType: "cli" as const, actorId: "test" };

// 1 October 2026, 00:30 in Rome: already the 1st there, still 30 September in UTC.
const clock = fixedClock(new Date("2026-09-30T22:30:00Z"));

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());
beforeEach(async () => {
  await t.db.household.deleteMany();
  await t.db.auditLog.deleteMany();
});

async function rowsOf(input: Buffer | string): Promise<HouseholdRow[]> {
  const parsed = await parseHouseholdsFile(typeof input === "string" ? Buffer.from(input) : input, { clock });
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => `${p.line}: ${p.message}`).join("\n"));
  return parsed.rows;
}

async function snapshot() {
  return {
    households: await t.db.household.findMany({ orderBy: { id: "asc" } }),
    balances: await t.db.arrearsBalance.findMany({ orderBy: { id: "asc" } }),
  };
}

describe("parseHouseholdsFile", () => {
  it("reads the authority's example: BOM, semicolons, Italian amounts", async () => {
    const rows = await rowsOf(readFileSync(EXAMPLE));
    expect(rows).toHaveLength(4);
    expect(rows[0]).toEqual({
      line: 2,
      contractCode: "BS-004512",
      name: "Famiglia Colombo",
      fiscalCode: "CLMMRA75C12B157K",
      municipality: "Brescia",
      address: "Via Cremona 41, scala B",
      phone: "3471122334",
      language: "it",
      rentCents: 231040,
      chargesCents: 41575,
      balanceDate: new Date("2026-09-30T00:00:00Z"),
    });
    expect(rows[1]).toMatchObject({ phone: null, language: "uk", rentCents: 64000, chargesCents: 0 });
  });

  it("reads a comma-separated file with 1234.56 amounts and ISO dates", async () => {
    const rows = await rowsOf(readFileSync(join(FIXTURES, "households-comma.csv")));
    expect(
      rows.map((r) => [
        r.contractCode,
        r.name,
        r.fiscalCode,
        r.phone,
        r.language,
        r.rentCents,
        r.chargesCents,
      ]),
    ).toEqual([
      ["BS-100001", "Famiglia Sala", "SLAMRC70A01B157K", "+393471112233", "en", 123456, 50],
      ["CR-100002", 'Ditta "Rossi" S.r.l.', "01234567890", null, null, 0, 1200],
    ]);
    expect(rows[0]?.address).toBe("Via Roma 10, int. 3");
    expect(rows[1]?.balanceDate).toEqual(new Date("2026-06-30T00:00:00Z"));
  });

  it("rejects the whole file, listing every problem by line", async () => {
    const parsed = await parseHouseholdsFile(readFileSync(join(FIXTURES, "households-bad.csv")), { clock });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '2: arrears_rent "12,3,4" is not an amount (write 1.234,56 or 1234.56)',
      '2: contract_code "BS-000001" is also on line 8',
      '3: balance_date "30-09-2026" is not a date (write dd/mm/yyyy or yyyy-mm-dd)',
      '4: balance_date "31/02/2026" is not a valid date',
      '5: balance_date "01/01/2099" is in the future (today is 01/10/2026)',
      "6: household_name is required",
      '7: arrears_rent "-50,00" is negative',
      '8: contract_code "BS-000001" is also on line 2',
      "9: 9 fields instead of 10 (a separator too many or missing?)",
      `10: fiscal_code "FNTPLA55H08B157" is not a codice fiscale (16 characters) or a company's 11-digit number`,
    ]);
  });

  it("takes 'today' in Rome, and checks the other fields", async () => {
    let next = 0;
    const line = (fields: Partial<Record<string, string>>) =>
      [
        fields.code ?? `BS-${++next}`,
        "Famiglia Test",
        fields.fiscal ?? "TSTFML80A01B157X",
        "Brescia",
        "Via Roma 1",
        fields.phone ?? "",
        fields.language ?? "",
        fields.rent ?? "0",
        "0",
        fields.date ?? "01/10/2026",
      ].join(";");
    expect((await parseHouseholdsFile(Buffer.from(`${HEADER}\n${line({})}\n`), { clock })).ok).toBe(true);
    const bad = await parseHouseholdsFile(
      Buffer.from(
        [
          HEADER,
          line({ date: "2026-10-02" }),
          line({ code: "BS 1" }),
          line({ code: "X".repeat(33) }),
          line({ phone: "347-1122334" }),
          line({ language: "ukr" }),
          line({ rent: "99999999999" }),
          line({ fiscal: "" }),
        ].join("\n"),
      ),
      { clock },
    );
    expect(bad.ok ? [] : bad.problems.map((p) => p.message)).toEqual([
      'balance_date "2026-10-02" is in the future (today is 01/10/2026)',
      'contract_code "BS 1" is not a contract code (letters, digits, - and /, up to 32)',
      `contract_code "${"X".repeat(33)}" is not a contract code (letters, digits, - and /, up to 32)`,
      'phone "347-1122334" is not a phone number (digits, spaces and a leading + only)',
      'language "ukr" is not a two-letter language code (it, en, uk…)',
      'arrears_rent "99999999999" is too large',
      "fiscal_code is required",
    ]);
  });
});

describe("importHouseholds", () => {
  it("imports the example, and importing it again changes nothing", async () => {
    const rows = await rowsOf(readFileSync(EXAMPLE));
    const first = await importHouseholds(t.db, rows, { actor, clock });
    expect(first).toEqual({
      households: { created: 4, updated: 0, unchanged: 0 },
      balances: { created: 4, updated: 0, unchanged: 0 },
    });
    const before = await snapshot();
    expect(before.households.map((h) => [h.contractCode, h.language, h.phone])).toEqual([
      ["BS-004512", "it", "3471122334"],
      ["BS-004513", "uk", null],
      ["CR-001207", "ar", "3209988776"],
      ["MN-000318", "ro", null],
    ]);
    expect(before.balances.every((b) => b.source === "import")).toBe(true);

    clock.advance(60_000);
    const second = await importHouseholds(t.db, rows, { actor, clock });
    expect(second).toEqual({
      households: { created: 0, updated: 0, unchanged: 4 },
      balances: { created: 0, updated: 0, unchanged: 4 },
    });
    // Identical down to updatedAt and recordedAt: unchanged rows are not written at all.
    expect(await snapshot()).toEqual(before);

    const entries = await t.db.auditLog.findMany({ orderBy: { id: "asc" } });
    expect(entries.map((e) => [e.action, e.actorType, e.actorId])).toEqual([
      ["import.households", "cli", "test"],
      ["import.households", "cli", "test"],
    ]);
    expect(entries[1]?.details).toEqual({ rows: 4, ...second });
    const logged = JSON.stringify(entries);
    for (const personal of ["Colombo", "CLMMRA75C12B157K", "Cremona 41", "3471122334", "BS-004512"]) {
      expect(logged).not.toContain(personal);
    }
  });

  it("updates what changed, adds new balance dates, and keeps phone and language when the cell is empty", async () => {
    await importHouseholds(t.db, await rowsOf(readFileSync(EXAMPLE)), { actor, clock });
    const colombo = await t.db.household.findUniqueOrThrow({ where: { contractCode: "BS-004512" } });
    const changed = [
      HEADER,
      // New address, empty phone and language: the address changes, phone and language stay.
      "BS-004512;Famiglia Colombo;CLMMRA75C12B157K;Brescia;Via Cremona 43;;;2.310,40;415,75;30/09/2026",
      // Same household data, a new balance date.
      "BS-004513;Oksana Kovalenko;KVLKSN88D55Z138P;Brescia;Via Cremona 41, scala C;;uk;600,00;0,00;2026-09-30",
      "BS-004513;Oksana Kovalenko;KVLKSN88D55Z138P;Brescia;Via Cremona 41, scala C;;uk;600,00;0,00;2026-10-01",
    ].join("\n");
    const parsed = await parseHouseholdsFile(Buffer.from(changed), { clock });
    // The same contract twice is refused even with different dates: which household data is meant?
    expect(parsed.ok).toBe(false);

    const result = await importHouseholds(t.db, await rowsOf(changed.split("\n").slice(0, 3).join("\n")), {
      actor,
      clock,
    });
    expect(result).toEqual({
      households: { created: 0, updated: 1, unchanged: 1 },
      balances: { created: 0, updated: 1, unchanged: 1 },
    });
    const after = await t.db.household.findUniqueOrThrow({ where: { contractCode: "BS-004512" } });
    expect(after).toMatchObject({ address: "Via Cremona 43", phone: "3471122334", language: "it" });
    expect(after.id).toBe(colombo.id);

    const later = await rowsOf(
      `${HEADER}\nBS-004513;Oksana Kovalenko;KVLKSN88D55Z138P;Brescia;Via Cremona 41, scala C;;uk;550,00;0,00;01/10/2026`,
    );
    expect((await importHouseholds(t.db, later, { actor, clock })).balances).toEqual({
      created: 1,
      updated: 0,
      unchanged: 0,
    });
    const kovalenko = await t.db.household.findUniqueOrThrow({
      where: { contractCode: "BS-004513" },
      include: { balances: { orderBy: { balanceDate: "asc" } } },
    });
    expect(kovalenko.balances.map((b) => b.rentCents)).toEqual([60000, 55000]);
  });

  it("lets the accounting's figure replace a manual balance of the same date", async () => {
    await importHouseholds(t.db, await rowsOf(readFileSync(EXAMPLE)), { actor, clock });
    const marin = await t.db.household.findUniqueOrThrow({ where: { contractCode: "MN-000318" } });
    await t.db.arrearsBalance.updateMany({ where: { householdId: marin.id }, data: { source: "manual" } });
    const result = await importHouseholds(t.db, await rowsOf(readFileSync(EXAMPLE)), { actor, clock });
    expect(result.balances).toEqual({ created: 0, updated: 1, unchanged: 3 });
    expect((await t.db.arrearsBalance.findFirstOrThrow({ where: { householdId: marin.id } })).source).toBe(
      "import",
    );
  });

  it("changes nothing in a dry run, but says what would change", async () => {
    const result = await importHouseholds(t.db, await rowsOf(readFileSync(EXAMPLE)), {
      actor,
      clock,
      dryRun: true,
    });
    expect(result.households.created).toBe(4);
    expect(await t.db.household.count()).toBe(0);
    expect(await t.db.auditLog.count()).toBe(0);
  });

  it("is all or nothing when the database refuses part of it", async () => {
    const [good, other] = await rowsOf(readFileSync(EXAMPLE));
    if (!good || !other) throw new Error("example rows missing");
    // Bypasses the file check on purpose: the same new contract twice breaks the unique key mid-way.
    const rows = [good, other, { ...other, line: 9 }];
    await expect(importHouseholds(t.db, rows, { actor, clock })).rejects.toThrow();
    expect(await t.db.household.count()).toBe(0);
    expect(await t.db.arrearsBalance.count()).toBe(0);
    expect(await t.db.auditLog.count()).toBe(0);
  });

  it("imports many rows within one transaction", async () => {
    const lines = [HEADER];
    for (let i = 0; i < 2500; i++) {
      lines.push(
        `BS-${String(i).padStart(6, "0")};Famiglia ${i};TSTFML80A01B157X;Brescia;Via Roma ${i};;it;${i},00;0;30/09/2026`,
      );
    }
    const rows = await rowsOf(lines.join("\n"));
    expect((await importHouseholds(t.db, rows, { actor, clock })).households.created).toBe(2500);
    expect((await importHouseholds(t.db, rows, { actor, clock })).balances.unchanged).toBe(2500);
  });
});

// The households spreadsheet from the authority's accounting: one row per tenancy with its arrears
// on a date. A file with any bad row is rejected whole; a good file is applied in one transaction,
// and applying it again changes nothing.

import { type AuditEntry, audit } from "../audit.ts";
import { type Clock, systemClock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import { municipalityKey } from "../offices/offices.ts";
import { reallocate } from "../payments.ts";
import { romeToday } from "../time.ts";
import {
  amount,
  calendarDate,
  duplicateLines,
  type Field,
  fieldCollector,
  type ImportCounts,
  quoted,
  requiredText,
} from "./fields.ts";
import { DEBT_IMPORT_LOCK } from "./plans.ts";
import { type CsvInput, type CsvProblem, type CsvRow, readSpreadsheet } from "./spreadsheet.ts";
import {
  BATCH,
  batches,
  emptyCounts,
  fileDetail,
  type ImportExtras,
  importTransaction,
  type Tx,
} from "./transaction.ts";

export const HOUSEHOLD_COLUMNS = [
  "contract_code",
  "household_name",
  "fiscal_code",
  "municipality",
  "address",
  "phone",
  "language",
  "arrears_rent",
  "arrears_charges",
  "balance_date",
] as const;
type Column = (typeof HOUSEHOLD_COLUMNS)[number];

export type HouseholdRow = {
  line: number;
  contractCode: string;
  name: string;
  fiscalCode: string;
  municipality: string;
  address: string;
  /** null when the cell is empty: an existing household keeps the phone it has. */
  phone: string | null;
  /** null when the cell is empty: an existing household keeps its language, a new one gets "it". */
  language: string | null;
  rentCents: number;
  chargesCents: number;
  balanceDate: Date;
};

export type ParseHouseholdsResult =
  | { ok: true; rows: HouseholdRow[] }
  | { ok: false; problems: CsvProblem[] };

const CONTRACT_CODE = /^[A-Za-z0-9/-]{1,32}$/;
// Codice fiscale of a person: letters and digits in fixed places; "omocodia" replaces digits with
// LMNPQRSTUV, so those letters are allowed where digits go. Companies have an 11-digit number.
const PERSON_FISCAL_CODE =
  /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;
const COMPANY_FISCAL_CODE = /^\d{11}$/;
const PHONE = /^\+?[0-9 ]+$/;
const LANGUAGE = /^[a-z]{2}$/;
const DEFAULT_LANGUAGE = "it";

function contractCode(value: string): Field<string> {
  if (value === "") return { ok: false, message: "contract_code is required" };
  if (!CONTRACT_CODE.test(value)) {
    return {
      ok: false,
      message: `contract_code ${quoted(value)} is not a contract code (letters, digits, - and /, up to 32)`,
    };
  }
  return { ok: true, value };
}

function fiscalCode(value: string): Field<string> {
  if (value === "") return { ok: false, message: "fiscal_code is required" };
  const code = value.replace(/\s+/g, "").toUpperCase();
  if (PERSON_FISCAL_CODE.test(code) || COMPANY_FISCAL_CODE.test(code)) return { ok: true, value: code };
  return {
    ok: false,
    message: `fiscal_code ${quoted(value)} is not a codice fiscale (16 characters) or a company's 11-digit number`,
  };
}

function phone(value: string): Field<string | null> {
  if (value === "") return { ok: true, value: null };
  const digits = value.replace(/ /g, "");
  const count = digits.replace("+", "").length;
  if (!PHONE.test(value) || count < 6 || count > 15) {
    return {
      ok: false,
      message: `phone ${quoted(value)} is not a phone number (digits, spaces and a leading + only)`,
    };
  }
  return { ok: true, value: digits };
}

/** Any two-letter code is kept, even one the bot does not speak yet: it tells operators who needs what. */
function language(value: string): Field<string | null> {
  if (value === "") return { ok: true, value: null };
  const code = value.toLowerCase();
  if (!LANGUAGE.test(code)) {
    return {
      ok: false,
      message: `language ${quoted(value)} is not a two-letter language code (it, en, uk…)`,
    };
  }
  return { ok: true, value: code };
}

function validateRow(row: CsvRow<Column>, today: Date): { row: HouseholdRow } | { problems: string[] } {
  const v = row.values;
  const { take, problems } = fieldCollector();
  const result = {
    line: row.line,
    contractCode: take(contractCode(v.contract_code)),
    name: take(requiredText("household_name", v.household_name)),
    fiscalCode: take(fiscalCode(v.fiscal_code)),
    municipality: take(requiredText("municipality", v.municipality)),
    address: take(requiredText("address", v.address)),
    phone: take(phone(v.phone)),
    language: take(language(v.language)),
    rentCents: take(amount("arrears_rent", v.arrears_rent)),
    chargesCents: take(amount("arrears_charges", v.arrears_charges)),
    balanceDate: take(calendarDate("balance_date", v.balance_date, today)),
  };
  // Every field is set when nothing was reported; the cast only restates that.
  return problems.length ? { problems } : { row: result as HouseholdRow };
}

/** Checks the whole file; returns the rows only when every one of them is good. */
export async function parseHouseholdsFile(
  input: CsvInput,
  options: { clock?: Clock } = {},
): Promise<ParseHouseholdsResult> {
  const today = romeToday((options.clock ?? systemClock).now());
  const problems: CsvProblem[] = [];
  const rows: HouseholdRow[] = [];
  // The same contract twice in one file: which values are meant? Both lines are reported.
  const contracts: { line: number; key: string }[] = [];
  const csv = await readSpreadsheet(input, HOUSEHOLD_COLUMNS, (csvRow) => {
    contracts.push({ line: csvRow.line, key: csvRow.values.contract_code });
    const checked = validateRow(csvRow, today);
    if ("row" in checked) rows.push(checked.row);
    else for (const message of checked.problems) problems.push({ line: csvRow.line, message });
  });
  if (!csv.ok) problems.push(...csv.problems);
  problems.push(...duplicateLines(contracts, "contract_code", (c) => c.key));
  if (problems.length) return { ok: false, problems: problems.sort((a, b) => a.line - b.line) };
  return { ok: true, rows };
}

export type { ImportCounts };
export type ImportHouseholdsResult = { households: ImportCounts; balances: ImportCounts };

type Actor = Pick<AuditEntry, "actorType" | "actorId">;

const dayKey = (householdId: number, date: Date) => `${householdId}:${date.toISOString().slice(0, 10)}`;

type StoredHousehold = {
  id: number;
  contractCode: string;
  name: string;
  fiscalCode: string;
  municipality: string;
  address: string;
  phone: string | null;
  language: string;
};

// The writes go as plain SQL with one array parameter per column (unnest): Prisma's query
// compiler builds a plan per createMany of 1,000 rows, and with 100,000 households that alone
// took the import process past 1 GB.
async function upsertHouseholds(
  tx: Tx,
  rows: HouseholdRow[],
  tally: ImportCounts,
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const slice of batches(rows)) {
    const existing = await tx.$queryRaw<StoredHousehold[]>`
      SELECT id, "contractCode", name, "fiscalCode", municipality, address, phone, language
      FROM "Household" WHERE "contractCode" = ANY(${slice.map((r) => r.contractCode)}::text[])`;
    const byCode = new Map(existing.map((h) => [h.contractCode, h]));
    const toCreate: HouseholdRow[] = [];
    const toUpdate: StoredHousehold[] = [];
    for (const row of slice) {
      const current = byCode.get(row.contractCode);
      if (!current) {
        toCreate.push(row);
        continue;
      }
      ids.set(row.contractCode, current.id);
      const wanted: StoredHousehold = {
        id: current.id,
        contractCode: current.contractCode,
        name: row.name,
        fiscalCode: row.fiscalCode,
        municipality: row.municipality,
        address: row.address,
        phone: row.phone ?? current.phone,
        language: row.language ?? current.language,
      };
      const changed = (Object.keys(wanted) as (keyof StoredHousehold)[]).some(
        (key) => wanted[key] !== current[key],
      );
      // An unchanged household is not written at all, so its updatedAt keeps meaning "last changed".
      if (changed) toUpdate.push(wanted);
      else tally.unchanged++;
    }
    if (toUpdate.length) {
      const column = <K extends keyof StoredHousehold>(key: K) => toUpdate.map((h) => h[key]);
      await tx.$executeRaw`
        UPDATE "Household" AS h SET name = v.name, "fiscalCode" = v.fiscal, municipality = v.municipality,
          address = v.address, phone = v.phone, language = v.language, "updatedAt" = now(),
          -- A household that moved to a municipality of another office moves office, and leaves its
          -- case worker (of the old office) behind; otherwise a transfer made by staff stays.
          "officeId" = CASE WHEN h.municipality IS DISTINCT FROM v.municipality THEN o."officeId" ELSE h."officeId" END,
          "caseWorkerId" = CASE WHEN h.municipality IS DISTINCT FROM v.municipality
            AND h."officeId" IS DISTINCT FROM o."officeId" THEN NULL ELSE h."caseWorkerId" END
        FROM unnest(${column("id")}::int[], ${column("name")}::text[], ${column("fiscalCode")}::text[],
          ${column("municipality")}::text[], ${column("address")}::text[], ${column("phone")}::text[],
          ${column("language")}::text[], ${toUpdate.map((h) => municipalityKey(h.municipality))}::text[])
          AS v(id, name, fiscal, municipality, address, phone, language, mkey)
        LEFT JOIN "OfficeMunicipality" o ON o.key = v.mkey
        WHERE h.id = v.id`;
      tally.updated += toUpdate.length;
    }
    if (toCreate.length) {
      const column = <K extends keyof HouseholdRow>(key: K) => toCreate.map((r) => r[key]);
      const created = await tx.$queryRaw<{ id: number; contractCode: string }[]>`
        INSERT INTO "Household" ("contractCode", name, "fiscalCode", municipality, address, phone, language,
          "officeId", "updatedAt")
        SELECT v.code, v.name, v.fiscal, v.municipality, v.address, v.phone, v.language, o."officeId", now()
        FROM unnest(${column("contractCode")}::text[], ${column("name")}::text[], ${column("fiscalCode")}::text[],
          ${column("municipality")}::text[], ${column("address")}::text[], ${column("phone")}::text[],
          ${toCreate.map((r) => r.language ?? DEFAULT_LANGUAGE)}::text[],
          ${toCreate.map((r) => municipalityKey(r.municipality))}::text[])
          AS v(code, name, fiscal, municipality, address, phone, language, mkey)
        LEFT JOIN "OfficeMunicipality" o ON o.key = v.mkey
        RETURNING id, "contractCode"`;
      for (const household of created) ids.set(household.contractCode, household.id);
      tally.created += created.length;
    }
  }
  return ids;
}

type StoredBalance = {
  id: number;
  householdId: number;
  balanceDate: Date;
  rentCents: number;
  chargesCents: number;
  source: string;
};

async function upsertBalances(
  tx: Tx,
  rows: HouseholdRow[],
  ids: Map<string, number>,
  now: Date,
  tally: ImportCounts,
): Promise<void> {
  const wanted = rows.map((row) => ({
    householdId: ids.get(row.contractCode) as number,
    balanceDate: row.balanceDate,
    rentCents: row.rentCents,
    chargesCents: row.chargesCents,
  }));
  const day = (date: Date) => date.toISOString().slice(0, 10);
  for (const slice of batches(wanted)) {
    const existing = await tx.$queryRaw<StoredBalance[]>`
      SELECT b.id, b."householdId", b."balanceDate", b."rentCents", b."chargesCents", b.source::text AS source
      FROM "ArrearsBalance" AS b
      JOIN unnest(${slice.map((b) => b.householdId)}::int[], ${slice.map((b) => day(b.balanceDate))}::date[])
        AS w(household, day) ON b."householdId" = w.household AND b."balanceDate" = w.day`;
    const byKey = new Map(existing.map((b) => [dayKey(b.householdId, b.balanceDate), b]));
    const toCreate: typeof slice = [];
    const toUpdate: { id: number; rentCents: number; chargesCents: number }[] = [];
    for (const balance of slice) {
      const current = byKey.get(dayKey(balance.householdId, balance.balanceDate));
      if (!current) {
        toCreate.push(balance);
      } else if (
        current.rentCents === balance.rentCents &&
        current.chargesCents === balance.chargesCents &&
        current.source === "import"
      ) {
        tally.unchanged++;
      } else {
        // The accounting's figure for that date wins over a manual one for the same date.
        toUpdate.push({ id: current.id, rentCents: balance.rentCents, chargesCents: balance.chargesCents });
      }
    }
    if (toUpdate.length) {
      await tx.$executeRaw`
        UPDATE "ArrearsBalance" AS b SET "rentCents" = v.rent, "chargesCents" = v.charges,
          source = 'import', "recordedAt" = ${now}
        FROM unnest(${toUpdate.map((b) => b.id)}::int[], ${toUpdate.map((b) => b.rentCents)}::int[],
          ${toUpdate.map((b) => b.chargesCents)}::int[]) AS v(id, rent, charges)
        WHERE b.id = v.id`;
      tally.updated += toUpdate.length;
    }
    if (toCreate.length) {
      tally.created += await tx.$executeRaw`
        INSERT INTO "ArrearsBalance" ("householdId", "balanceDate", "rentCents", "chargesCents", source, "recordedAt")
        SELECT household, day, rent, charges, 'import', ${now}
        FROM unnest(${toCreate.map((b) => b.householdId)}::int[], ${toCreate.map((b) => day(b.balanceDate))}::date[],
          ${toCreate.map((b) => b.rentCents)}::int[], ${toCreate.map((b) => b.chargesCents)}::int[])
          AS v(household, day, rent, charges)`;
    }
  }
}

/**
 * Applies checked rows all-or-nothing, and records one audit entry with the counts. With `dryRun`
 * everything is done and then rolled back, so the counts say what a real import would change.
 */
export async function importHouseholds(
  db: Db,
  rows: HouseholdRow[],
  options: { actor: Actor; clock?: Clock; dryRun?: boolean } & ImportExtras,
): Promise<ImportHouseholdsResult> {
  const now = (options.clock ?? systemClock).now();
  // Two imports at once would race on the same contract codes; the second waits for the first. A new
  // balance date can change which payments count towards a plan, so the installments' paid amounts
  // are recomputed under the same lock as the plans and payments imports.
  return importTransaction<ImportHouseholdsResult>(
    db,
    { locks: ["bussola:import:households", DEBT_IMPORT_LOCK], dryRun: options.dryRun, claim: options.claim },
    async (tx) => {
      const result = { households: emptyCounts(), balances: emptyCounts() };
      const ids = await upsertHouseholds(tx, rows, result.households);
      await upsertBalances(tx, rows, ids, now, result.balances);
      await reallocate(tx, ids.values());
      await audit(tx, {
        actorType: options.actor.actorType,
        actorId: options.actor.actorId,
        action: "import.households",
        details: { rows: rows.length, ...result, ...fileDetail(options) },
      });
      return result;
    },
  );
}

export type ImportHouseholdsFileOutcome =
  | { ok: true; rows: number; languages: string[]; result: ImportHouseholdsResult }
  | { ok: false; problems: CsvProblem[] };

/**
 * Checks and applies a households file as it is read, in batches, in one transaction: memory holds a
 * batch and the contract codes seen (for duplicates), not the file's rows, so 100,000 households fit
 * in a small process. Any bad row rolls everything back and every problem is returned, as with
 * parseHouseholdsFile and importHouseholds (which the demo and the tests use on small files).
 */
export async function importHouseholdsFile(
  db: Db,
  input: CsvInput,
  options: { actor: Actor; clock?: Clock; dryRun?: boolean } & ImportExtras,
): Promise<ImportHouseholdsFileOutcome> {
  const now = (options.clock ?? systemClock).now();
  const today = romeToday(now);
  return importTransaction<ImportHouseholdsFileOutcome>(
    db,
    { locks: ["bussola:import:households", DEBT_IMPORT_LOCK], dryRun: options.dryRun, claim: options.claim },
    async (tx, undo) => {
      const result = { households: emptyCounts(), balances: emptyCounts() };
      const problems: CsvProblem[] = [];
      const firstLine = new Map<string, number>();
      const repeated: { line: number; key: string }[] = [];
      const repeatedKeys = new Set<string>();
      const householdIds: number[] = [];
      const languages = new Set<string>();
      let batch: HouseholdRow[] = [];
      let rows = 0;
      const write = async () => {
        const slice = batch;
        batch = [];
        // Once the file is known to be bad, nothing more is written: it will all be rolled back.
        if (problems.length > 0 || slice.length === 0) return;
        const ids = await upsertHouseholds(tx, slice, result.households);
        await upsertBalances(tx, slice, ids, now, result.balances);
        householdIds.push(...ids.values());
      };
      const csv = await readSpreadsheet(input, HOUSEHOLD_COLUMNS, (csvRow) => {
        const key = csvRow.values.contract_code;
        const first = firstLine.get(key);
        if (first === undefined) {
          firstLine.set(key, csvRow.line);
        } else {
          // The first line of a repeated code joins the report once, with every later one.
          if (!repeatedKeys.has(key)) repeated.push({ line: first, key });
          repeatedKeys.add(key);
          repeated.push({ line: csvRow.line, key });
        }
        const checked = validateRow(csvRow, today);
        if (!("row" in checked)) {
          for (const message of checked.problems) problems.push({ line: csvRow.line, message });
          return;
        }
        rows++;
        if (checked.row.language) languages.add(checked.row.language);
        batch.push(checked.row);
        return batch.length >= BATCH ? write() : undefined;
      });
      if (!csv.ok) problems.push(...csv.problems);
      problems.push(...duplicateLines(repeated, "contract_code", (r) => r.key));
      if (problems.length) return undo({ ok: false, problems: problems.sort((a, b) => a.line - b.line) });
      await write();
      await reallocate(tx, householdIds);
      await audit(tx, {
        actorType: options.actor.actorType,
        actorId: options.actor.actorId,
        action: "import.households",
        details: { rows, ...result, ...fileDetail(options) },
      });
      return { ok: true, rows, languages: [...languages], result };
    },
  );
}

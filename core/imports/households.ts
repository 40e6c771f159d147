// The households spreadsheet from the authority's accounting: one row per tenancy with its arrears
// on a date. A file with any bad row is rejected whole; a good file is applied in one transaction,
// and applying it again changes nothing.
import { type AuditEntry, audit } from "../audit.ts";
import { type Clock, systemClock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import { reallocate } from "../payments.ts";
import { romeToday } from "../time.ts";
import { type CsvProblem, type CsvRow, readCsv } from "./csv.ts";
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
import { batches, emptyCounts, importTransaction, type Tx } from "./transaction.ts";

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

/** The same contract twice in one file: which values are meant? Both lines are reported. */
function duplicateProblems(rows: CsvRow<Column>[]): CsvProblem[] {
  return duplicateLines(rows, "contract_code", (row) => row.values.contract_code);
}

/** Checks the whole file; returns the rows only when every one of them is good. */
export function parseHouseholdsFile(
  input: Uint8Array,
  options: { clock?: Clock } = {},
): ParseHouseholdsResult {
  const csv = readCsv(input, HOUSEHOLD_COLUMNS);
  const today = romeToday((options.clock ?? systemClock).now());
  const problems: CsvProblem[] = csv.ok ? [] : [...csv.problems];
  const rows: HouseholdRow[] = [];
  for (const csvRow of csv.rows) {
    const checked = validateRow(csvRow, today);
    if ("row" in checked) rows.push(checked.row);
    else for (const message of checked.problems) problems.push({ line: csvRow.line, message });
  }
  problems.push(...duplicateProblems(csv.rows));
  if (problems.length) return { ok: false, problems: problems.sort((a, b) => a.line - b.line) };
  return { ok: true, rows };
}

export type { ImportCounts };
export type ImportHouseholdsResult = { households: ImportCounts; balances: ImportCounts };

type Actor = Pick<AuditEntry, "actorType" | "actorId">;

const dayKey = (householdId: number, date: Date) => `${householdId}:${date.toISOString().slice(0, 10)}`;

async function upsertHouseholds(
  tx: Tx,
  rows: HouseholdRow[],
  tally: ImportCounts,
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const toCreate: HouseholdRow[] = [];
  for (const slice of batches(rows)) {
    const existing = await tx.household.findMany({
      where: { contractCode: { in: slice.map((r) => r.contractCode) } },
    });
    const byCode = new Map(existing.map((h) => [h.contractCode, h]));
    for (const row of slice) {
      const current = byCode.get(row.contractCode);
      if (!current) {
        toCreate.push(row);
        continue;
      }
      ids.set(row.contractCode, current.id);
      const wanted = {
        name: row.name,
        fiscalCode: row.fiscalCode,
        municipality: row.municipality,
        address: row.address,
        phone: row.phone ?? current.phone,
        language: row.language ?? current.language,
      };
      const changed = (Object.keys(wanted) as (keyof typeof wanted)[]).some(
        (key) => wanted[key] !== current[key],
      );
      // An unchanged household is not written at all, so its updatedAt keeps meaning "last changed".
      if (!changed) {
        tally.unchanged++;
        continue;
      }
      await tx.household.update({ where: { id: current.id }, data: wanted });
      tally.updated++;
    }
  }
  for (const slice of batches(toCreate)) {
    const created = await tx.household.createManyAndReturn({
      data: slice.map((row) => ({
        contractCode: row.contractCode,
        name: row.name,
        fiscalCode: row.fiscalCode,
        municipality: row.municipality,
        address: row.address,
        phone: row.phone,
        language: row.language ?? DEFAULT_LANGUAGE,
      })),
      select: { id: true, contractCode: true },
    });
    for (const household of created) ids.set(household.contractCode, household.id);
    tally.created += created.length;
  }
  return ids;
}

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
  for (const slice of batches(wanted)) {
    const dates = [...new Set(slice.map((b) => b.balanceDate.getTime()))].map((t) => new Date(t));
    const existing = await tx.arrearsBalance.findMany({
      where: { householdId: { in: slice.map((b) => b.householdId) }, balanceDate: { in: dates } },
    });
    const byKey = new Map(existing.map((b) => [dayKey(b.householdId, b.balanceDate), b]));
    const toCreate: typeof slice = [];
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
        await tx.arrearsBalance.update({
          where: { id: current.id },
          data: {
            rentCents: balance.rentCents,
            chargesCents: balance.chargesCents,
            source: "import",
            recordedAt: now,
          },
        });
        tally.updated++;
      }
    }
    if (toCreate.length) {
      const created = await tx.arrearsBalance.createMany({
        data: toCreate.map((b) => ({ ...b, source: "import" as const, recordedAt: now })),
      });
      tally.created += created.count;
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
  options: { actor: Actor; clock?: Clock; dryRun?: boolean },
): Promise<ImportHouseholdsResult> {
  const now = (options.clock ?? systemClock).now();
  // Two imports at once would race on the same contract codes; the second waits for the first. A new
  // balance date can change which payments count towards a plan, so the installments' paid amounts
  // are recomputed under the same lock as the plans and payments imports.
  return importTransaction<ImportHouseholdsResult>(
    db,
    { locks: ["bussola:import:households", DEBT_IMPORT_LOCK], dryRun: options.dryRun },
    async (tx) => {
      const result = { households: emptyCounts(), balances: emptyCounts() };
      const ids = await upsertHouseholds(tx, rows, result.households);
      await upsertBalances(tx, rows, ids, now, result.balances);
      await reallocate(tx, ids.values());
      await audit(tx, {
        actorType: options.actor.actorType,
        actorId: options.actor.actorId,
        action: "import.households",
        details: { rows: rows.length, ...result },
      });
      return result;
    },
  );
}

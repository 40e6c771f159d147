// The payments spreadsheet from the authority's accounting: one row per payment received, each with a
// reference unique to it. A reference already recorded with the same contract, date and amount is
// "unchanged"; with any of them different it is a problem (a payment is never silently rewritten).
// A file with any bad row is rejected whole; a good one is applied in one transaction, then payments
// are allocated again to the installments of every household in it (core/payments.ts).
import { type AuditEntry, audit } from "../audit.ts";
import { type Clock, systemClock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import { formatMoney } from "../money.ts";
import { type AllocationChanges, reallocate } from "../payments.ts";
import { formatCalendarDate, romeToday } from "../time.ts";
import { calendarDate, duplicateLines, fieldCollector, quoted, requiredText } from "./fields.ts";
import { contractCodeField, DEBT_IMPORT_LOCK, positiveAmount, unknownContractProblems } from "./plans.ts";
import { type CsvInput, type CsvProblem, type CsvRow, readSpreadsheet } from "./spreadsheet.ts";
import { BATCH, fileDetail, type ImportExtras, importTransaction, type Tx } from "./transaction.ts";

export const PAYMENT_COLUMNS = ["contract_code", "payment_date", "amount", "reference"] as const;
type Column = (typeof PAYMENT_COLUMNS)[number];

export type PaymentRow = {
  line: number;
  contractCode: string;
  paymentDate: Date;
  amountCents: number;
  reference: string;
};

/** When rejected, `rows` still holds the good rows, so the database checks can report on them too. */
export type ParsePaymentsResult =
  | { ok: true; rows: PaymentRow[] }
  | { ok: false; problems: CsvProblem[]; rows: PaymentRow[] };

const MAX_REFERENCE = 64;

function validateRow(row: CsvRow<Column>, today: Date): { row: PaymentRow } | { problems: string[] } {
  const v = row.values;
  const { take, problems } = fieldCollector();
  const result = {
    line: row.line,
    contractCode: take(contractCodeField(v.contract_code)),
    paymentDate: take(calendarDate("payment_date", v.payment_date, today)),
    amountCents: take(positiveAmount("amount", v.amount)),
    reference: take(requiredText("reference", v.reference, MAX_REFERENCE)),
  };
  // Every field is set when nothing was reported; the cast only restates that.
  return problems.length ? { problems } : { row: result as PaymentRow };
}

function duplicateProblems(rows: CsvRow<Column>[]): CsvProblem[] {
  return duplicateLines(rows, "reference", (row) => row.values.reference);
}

const byLine = (a: CsvProblem, b: CsvProblem) => a.line - b.line;

/** Checks the whole file (not the database); the rows come back only when every one is good. */
export async function parsePaymentsFile(
  input: CsvInput,
  options: { clock?: Clock } = {},
): Promise<ParsePaymentsResult> {
  const csv = await readSpreadsheet(input, PAYMENT_COLUMNS);
  const today = romeToday((options.clock ?? systemClock).now());
  const problems: CsvProblem[] = csv.ok ? [] : [...csv.problems];
  const rows: PaymentRow[] = [];
  for (const csvRow of csv.rows) {
    const checked = validateRow(csvRow, today);
    if ("row" in checked) rows.push(checked.row);
    else for (const message of checked.problems) problems.push({ line: csvRow.line, message });
  }
  problems.push(...duplicateProblems(csv.rows));
  if (problems.length) return { ok: false, problems: problems.sort(byLine), rows };
  return { ok: true, rows };
}

export type ImportPaymentsResult = {
  payments: { created: number; unchanged: number };
  allocation: AllocationChanges;
};
export type ImportPaymentsOutcome =
  | { ok: true; result: ImportPaymentsResult }
  | { ok: false; problems: CsvProblem[] };

type Actor = Pick<AuditEntry, "actorType" | "actorId">;

type Existing = { householdId: number; paymentDate: Date; amountCents: number; contractCode: string };

async function existingPayments(tx: Tx, rows: PaymentRow[]): Promise<Map<string, Existing>> {
  const byReference = new Map<string, Existing>();
  for (let i = 0; i < rows.length; i += BATCH) {
    const found = await tx.payment.findMany({
      where: { reference: { in: rows.slice(i, i + BATCH).map((r) => r.reference) } },
      select: {
        reference: true,
        householdId: true,
        paymentDate: true,
        amountCents: true,
        household: { select: { contractCode: true } },
      },
    });
    for (const p of found) byReference.set(p.reference, { ...p, contractCode: p.household.contractCode });
  }
  return byReference;
}

/**
 * Checks the parsed file against the database (unknown contracts, a reference already recorded with
 * other data) and, when there is no problem at all, records the new payments all-or-nothing, allocates
 * them, and writes one audit entry of counts. A rejected parse is passed in too, so every problem of
 * the file is reported at once.
 */
export async function importPayments(
  db: Db,
  parsed: ParsePaymentsResult,
  options: { actor: Actor; clock?: Clock; dryRun?: boolean } & ImportExtras,
): Promise<ImportPaymentsOutcome> {
  const now = (options.clock ?? systemClock).now();
  return importTransaction<ImportPaymentsOutcome>(
    db,
    { locks: [DEBT_IMPORT_LOCK], dryRun: options.dryRun, claim: options.claim },
    async (tx) => {
      const rows = parsed.rows;
      const { ids, problems } = await unknownContractProblems(tx, rows);
      const existing = await existingPayments(tx, rows);
      const toCreate: PaymentRow[] = [];
      let unchanged = 0;
      for (const row of rows) {
        const current = existing.get(row.reference);
        if (!current) {
          toCreate.push(row);
        } else if (
          current.contractCode === row.contractCode &&
          current.paymentDate.getTime() === row.paymentDate.getTime() &&
          current.amountCents === row.amountCents
        ) {
          unchanged++;
        } else {
          // Operators see this on the command line; it names what is recorded so they can compare.
          problems.push({
            line: row.line,
            message: `reference ${quoted(row.reference)} is already recorded with other data (${current.contractCode}, ${formatCalendarDate(current.paymentDate)}, ${formatMoney(current.amountCents)}): a payment is never changed by an import`,
          });
        }
      }
      const all = [...(parsed.ok ? [] : parsed.problems), ...problems];
      if (all.length) return { ok: false, problems: all.sort(byLine) };

      for (let i = 0; i < toCreate.length; i += BATCH) {
        await tx.payment.createMany({
          data: toCreate.slice(i, i + BATCH).map((row) => ({
            householdId: ids.get(row.contractCode) as number,
            paymentDate: row.paymentDate,
            amountCents: row.amountCents,
            reference: row.reference,
            recordedAt: now,
          })),
        });
      }
      const result: ImportPaymentsResult = {
        payments: { created: toCreate.length, unchanged },
        allocation: await reallocate(tx, ids.values()),
      };
      await audit(tx, {
        actorType: options.actor.actorType,
        actorId: options.actor.actorId,
        action: "import.payments",
        details: { rows: rows.length, ...result, ...fileDetail(options) },
      });
      return { ok: true, result };
    },
  );
}

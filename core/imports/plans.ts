// The repayment plans spreadsheet: one row per installment, grouped into plans by plan_code. A plan in
// the file is the whole plan (installments 1…n, no gaps): installments the file no longer lists are
// removed, changed ones updated. Plans not in the file are left alone. A file with any bad row is
// rejected whole; a good file is applied in one transaction, and applying it again changes nothing.
// After the plans change, payments are allocated again (core/payments.ts) for every household in it.
import { type AuditEntry, audit } from "../audit.ts";
import type { Db, Prisma } from "../db/client.ts";
import { isNoticeNumber, NOTICE_DIGITS } from "../pagopa.ts";
import { type AllocationChanges, reallocate } from "../payments.ts";
import { formatCalendarDate } from "../time.ts";
import { amount, calendarDate, type Field, fieldCollector, type ImportCounts, quoted } from "./fields.ts";
import { type CsvInput, type CsvProblem, type CsvRow, readSpreadsheet } from "./spreadsheet.ts";
import { fileDetail, type ImportExtras, importTransaction, type Tx } from "./transaction.ts";

export const PLAN_COLUMNS = [
  "contract_code",
  "plan_code",
  "installment_number",
  "due_date",
  "amount",
] as const;
/** Columns a plans file may leave out. */
export const PLAN_OPTIONAL_COLUMNS = ["pagopa_notice"] as const;
type Column = (typeof PLAN_COLUMNS)[number] | (typeof PLAN_OPTIONAL_COLUMNS)[number];

export type PlanRow = {
  line: number;
  contractCode: string;
  planCode: string;
  number: number;
  dueDate: Date;
  amountCents: number;
  /** The installment's pagoPA notice number (18 digits), when the authority issued one. */
  pagopaNotice: string | null;
};

/** When rejected, `rows` still holds the good rows, so the database checks can report on them too. */
export type ParsePlansResult =
  | { ok: true; rows: PlanRow[] }
  | { ok: false; problems: CsvProblem[]; rows: PlanRow[] };

const CONTRACT_CODE = /^[A-Za-z0-9/-]{1,32}$/;
const PLAN_CODE = /^[A-Za-z0-9/_.-]{1,40}$/;
/** Thirty years of monthly installments: anything above is a typo. */
const MAX_INSTALLMENTS = 360;

/** The same check as the households file, so codes match between the two. */
export function contractCodeField(value: string): Field<string> {
  if (value === "") return { ok: false, message: "contract_code is required" };
  if (!CONTRACT_CODE.test(value)) {
    return {
      ok: false,
      message: `contract_code ${quoted(value)} is not a contract code (letters, digits, - and /, up to 32)`,
    };
  }
  return { ok: true, value };
}

/** An amount above zero. */
export function positiveAmount(column: string, value: string): Field<number> {
  const parsed = amount(column, value);
  if (parsed.ok && parsed.value === 0) return { ok: false, message: `${column} must be more than 0` };
  return parsed;
}

function planCode(value: string): Field<string> {
  if (value === "") return { ok: false, message: "plan_code is required" };
  if (!PLAN_CODE.test(value)) {
    return {
      ok: false,
      message: `plan_code ${quoted(value)} is not a plan code (letters, digits, - / _ and ., up to 40)`,
    };
  }
  return { ok: true, value };
}

function installmentNumber(value: string): Field<number> {
  if (value === "") return { ok: false, message: "installment_number is required" };
  const n = /^\d{1,4}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_INSTALLMENTS) {
    return {
      ok: false,
      message: `installment_number ${quoted(value)} is not a whole number from 1 to ${MAX_INSTALLMENTS}`,
    };
  }
  return { ok: true, value: n };
}

/** Optional: an 18-digit notice number, as printed (spaces between groups of digits are dropped). */
function pagopaNotice(value: string): Field<string | null> {
  if (value === "") return { ok: true, value: null };
  const digits = value.replace(/[\s.]/g, "");
  if (!isNoticeNumber(digits)) {
    return {
      ok: false,
      message: `pagopa_notice ${quoted(value)} is not a pagoPA notice number (${NOTICE_DIGITS} digits)`,
    };
  }
  return { ok: true, value: digits };
}

/** A row's fields, each one present only when its cell is good. */
type CheckedRow = { line: number; problems: string[] } & Partial<Omit<PlanRow, "line">>;

function validateRow(row: CsvRow<Column>): CheckedRow {
  const v = row.values;
  const { take, problems } = fieldCollector();
  return {
    line: row.line,
    contractCode: take(contractCodeField(v.contract_code)),
    planCode: take(planCode(v.plan_code)),
    number: take(installmentNumber(v.installment_number)),
    dueDate: take(calendarDate("due_date", v.due_date)),
    amountCents: take(positiveAmount("amount", v.amount)),
    pagopaNotice: take(pagopaNotice(v.pagopa_notice)),
    problems,
  };
}

const groupBy = <T, K>(items: T[], key: (item: T) => K): Map<K, T[]> => {
  const groups = new Map<K, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
};

/**
 * Checks across the rows of each plan: one contract, installments 1…n once each, dates in order.
 * Each check uses every row whose cells it needs are good, so one bad cell does not hide (or fake)
 * a duplicate or a gap.
 */
function planProblems(rows: CheckedRow[]): CsvProblem[] {
  const problems: CsvProblem[] = [];
  const withCode = rows.filter((r): r is CheckedRow & { planCode: string } => r.planCode !== undefined);
  for (const [code, planRows] of groupBy(withCode, (r) => r.planCode)) {
    const contracts = planRows.filter((r) => r.contractCode !== undefined);
    const first = contracts[0];
    for (const row of contracts) {
      if (first && row.contractCode !== first.contractCode) {
        problems.push({
          line: row.line,
          message: `plan_code ${quoted(code)} is for contract_code ${quoted(first.contractCode as string)} on line ${first.line}, not ${quoted(row.contractCode as string)}`,
        });
      }
    }
    const numbered = planRows.filter((r) => r.number !== undefined) as (CheckedRow & { number: number })[];
    // A plan whose installment numbers are all unreadable has its problems reported already.
    if (numbered.length === 0) continue;
    const byNumber = groupBy(numbered, (r) => r.number);
    for (const [number, same] of byNumber) {
      if (same.length < 2) continue;
      for (const row of same) {
        const others = same
          .filter((r) => r !== row)
          .map((r) => r.line)
          .join(", ");
        problems.push({
          line: row.line,
          message: `installment_number ${number} of plan_code ${quoted(code)} is also on line ${others}`,
        });
      }
    }
    const numbers = [...byNumber.keys()].sort((a, b) => a - b);
    let expected = 1;
    for (const number of numbers) {
      if (number !== expected) {
        const line = ((byNumber.get(number) as CheckedRow[])[0] as CheckedRow).line;
        const missing = expected === number - 1 ? `${expected}` : `${expected} to ${number - 1}`;
        problems.push({
          line,
          message: `plan_code ${quoted(code)} has no installment ${missing} (number them 1, 2, 3… without gaps)`,
        });
      }
      expected = number + 1;
    }
    // Later installments fall due later; anything else is a typo in a date or a number.
    let previous: (CheckedRow & { number: number; dueDate: Date }) | undefined;
    for (const number of numbers) {
      const same = byNumber.get(number) as CheckedRow[];
      const row = same[0] as CheckedRow & { number: number };
      if (same.length > 1 || row.dueDate === undefined) continue;
      const dated = row as CheckedRow & { number: number; dueDate: Date };
      if (previous && dated.dueDate.getTime() <= previous.dueDate.getTime()) {
        problems.push({
          line: row.line,
          message: `due_date ${formatCalendarDate(dated.dueDate)} of installment ${number} is not after installment ${previous.number}'s (${formatCalendarDate(previous.dueDate)}, line ${previous.line})`,
        });
      }
      previous = dated;
    }
  }
  return problems;
}

const byLine = (a: CsvProblem, b: CsvProblem) => a.line - b.line;

/** Checks the whole file (not the database); the rows come back only when every one is good. */
export async function parsePlansFile(input: CsvInput): Promise<ParsePlansResult> {
  const csv = await readSpreadsheet(input, { required: PLAN_COLUMNS, optional: PLAN_OPTIONAL_COLUMNS });
  const problems: CsvProblem[] = csv.ok ? [] : [...csv.problems];
  const checked = csv.rows.map(validateRow);
  const rows: PlanRow[] = [];
  for (const { problems: messages, ...row } of checked) {
    // Every field is set when nothing was reported; the cast only restates that.
    if (messages.length === 0) rows.push(row as PlanRow);
    for (const message of messages) problems.push({ line: row.line, message });
  }
  problems.push(...planProblems(checked));
  if (problems.length) return { ok: false, problems: problems.sort(byLine), rows };
  return { ok: true, rows };
}

export type { ImportCounts };
export type InstallmentCounts = ImportCounts & { removed: number };
export type ImportPlansResult = {
  plans: ImportCounts;
  installments: InstallmentCounts;
  allocation: AllocationChanges;
};
export type ImportPlansOutcome =
  | { ok: true; result: ImportPlansResult }
  | { ok: false; problems: CsvProblem[] };

type Actor = Pick<AuditEntry, "actorType" | "actorId">;

/** Plans and payments both move installments' paid amounts: their imports take turns. */
export const DEBT_IMPORT_LOCK = "bussola:import:debt";

export function groupPlans(rows: PlanRow[]): Map<string, PlanRow[]> {
  const plans = new Map<string, PlanRow[]>();
  for (const row of rows) plans.set(row.planCode, [...(plans.get(row.planCode) ?? []), row]);
  return plans;
}

/** Contract codes the database does not know: one problem per line that uses one. */
export async function unknownContractProblems(
  tx: Pick<Db, "household">,
  rows: { line: number; contractCode: string }[],
): Promise<{ ids: Map<string, number>; problems: CsvProblem[] }> {
  const codes = [...new Set(rows.map((r) => r.contractCode))];
  const ids = new Map<string, number>();
  for (let i = 0; i < codes.length; i += 1000) {
    const found = await tx.household.findMany({
      where: { contractCode: { in: codes.slice(i, i + 1000) } },
      select: { id: true, contractCode: true },
    });
    for (const h of found) ids.set(h.contractCode, h.id);
  }
  const problems = rows
    .filter((r) => !ids.has(r.contractCode))
    .map((r) => ({
      line: r.line,
      message: `contract_code ${quoted(r.contractCode)} is not a known household (import the households file first)`,
    }));
  return { ids, problems };
}

async function databaseProblems(
  tx: Tx,
  rows: PlanRow[],
): Promise<{ ids: Map<string, number>; existing: Map<string, ExistingPlan>; problems: CsvProblem[] }> {
  const { ids, problems } = await unknownContractProblems(tx, rows);
  const existing = new Map<string, ExistingPlan>();
  const codes = [...groupPlans(rows).keys()];
  for (let i = 0; i < codes.length; i += 1000) {
    const found = await tx.repaymentPlan.findMany({
      where: { planCode: { in: codes.slice(i, i + 1000) } },
      include: { installments: true },
    });
    for (const plan of found) existing.set(plan.planCode, plan);
  }
  for (const [code, planRows] of groupPlans(rows)) {
    const plan = existing.get(code);
    const first = planRows[0] as PlanRow;
    const householdId = ids.get(first.contractCode);
    if (plan && householdId !== undefined && plan.householdId !== householdId) {
      problems.push({
        line: first.line,
        message: `plan_code ${quoted(code)} already belongs to another contract_code`,
      });
    }
  }
  return { ids, existing, problems };
}

type ExistingPlan = Prisma.RepaymentPlanGetPayload<{ include: { installments: true } }>;

async function applyPlans(
  tx: Tx,
  rows: PlanRow[],
  ids: Map<string, number>,
  existing: Map<string, ExistingPlan>,
  result: ImportPlansResult,
): Promise<void> {
  for (const [code, planRows] of groupPlans(rows)) {
    const householdId = ids.get((planRows[0] as PlanRow).contractCode) as number;
    const wanted = [...planRows].sort((a, b) => a.number - b.number);
    const plan = existing.get(code);
    if (!plan) {
      await tx.repaymentPlan.create({
        data: {
          householdId,
          planCode: code,
          installments: {
            create: wanted.map((r) => ({
              number: r.number,
              dueDate: r.dueDate,
              amountCents: r.amountCents,
              pagopaNotice: r.pagopaNotice,
            })),
          },
        },
      });
      result.plans.created++;
      result.installments.created += wanted.length;
      continue;
    }
    const current = new Map(plan.installments.map((i) => [i.number, i]));
    let changed = false;
    for (const row of wanted) {
      const installment = current.get(row.number);
      if (!installment) {
        await tx.installment.create({
          data: {
            planId: plan.id,
            number: row.number,
            dueDate: row.dueDate,
            amountCents: row.amountCents,
            pagopaNotice: row.pagopaNotice,
          },
        });
        result.installments.created++;
        changed = true;
      } else if (
        installment.dueDate.getTime() !== row.dueDate.getTime() ||
        installment.amountCents !== row.amountCents ||
        installment.pagopaNotice !== row.pagopaNotice
      ) {
        await tx.installment.update({
          where: { id: installment.id },
          data: { dueDate: row.dueDate, amountCents: row.amountCents, pagopaNotice: row.pagopaNotice },
        });
        result.installments.updated++;
        changed = true;
      } else {
        result.installments.unchanged++;
      }
    }
    const extra = plan.installments.filter((i) => i.number > wanted.length).map((i) => i.id);
    if (extra.length) {
      await tx.installment.deleteMany({ where: { id: { in: extra } } });
      result.installments.removed += extra.length;
      changed = true;
    }
    if (changed) {
      // Touches updatedAt, so the plan says when the authority last changed it. Like createdAt and
      // Prisma's own @updatedAt, this is bookkeeping time, not the domain clock.
      await tx.repaymentPlan.update({ where: { id: plan.id }, data: { updatedAt: new Date() } });
      result.plans.updated++;
    } else {
      result.plans.unchanged++;
    }
  }
}

/**
 * Checks the parsed file against the database (unknown contracts, a plan code of another household)
 * and, when there is no problem at all, applies it all-or-nothing with one audit entry of counts.
 * A rejected parse is passed in too, so every problem of the file is reported at once.
 */
export async function importPlans(
  db: Db,
  parsed: ParsePlansResult,
  options: { actor: Actor; dryRun?: boolean } & ImportExtras,
): Promise<ImportPlansOutcome> {
  return importTransaction<ImportPlansOutcome>(
    db,
    { locks: [DEBT_IMPORT_LOCK], dryRun: options.dryRun, claim: options.claim },
    async (tx) => {
      const checked = await databaseProblems(tx, parsed.rows);
      const problems = [...(parsed.ok ? [] : parsed.problems), ...checked.problems];
      if (problems.length) return { ok: false, problems: problems.sort(byLine) };

      const result: ImportPlansResult = {
        plans: { created: 0, updated: 0, unchanged: 0 },
        installments: { created: 0, updated: 0, unchanged: 0, removed: 0 },
        allocation: { installments: 0, plans: 0 },
      };
      await applyPlans(tx, parsed.rows, checked.ids, checked.existing, result);
      result.allocation = await reallocate(tx, checked.ids.values());
      await audit(tx, {
        actorType: options.actor.actorType,
        actorId: options.actor.actorId,
        action: "import.plans",
        details: { rows: parsed.rows.length, ...result, ...fileDetail(options) },
      });
      return { ok: true, result };
    },
  );
}

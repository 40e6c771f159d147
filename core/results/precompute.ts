// The results dashboard's awareness and arrears figures, kept precomputed (migration
// 20261208000000_results_precompute). Computing them on each page from every selected household's
// history took 10 s at 100,000 households with 24 months of figures; the page now sums a few
// thousand precomputed rows (figures.ts).
//
// What is kept holds nothing that depends on the day, so no job has to run at midnight:
// - "ResultsHousehold", per household: its filter key (office, municipality, entry cohort), invited
//   and linked, the first and the current arrears (/balance's figure), the plan /plan shows and its
//   first unpaid due date ("late" is decided at read time against today);
// - "ResultsDay", per group of households the filter can select and per day: the change in what the
//   group owes, its payments, and its installments due that day and how many were paid on time.
//   Each household's amount owed is floored at zero, so a group's amount is not a function of the
//   group's totals; but the day-to-day changes of each household do add up, and summing the changes
//   up to a day gives what the group owed at its end.
//
// - with each household, its latest activity and its months with budget entries, and
//   "ResultsBudgetMonth", per group and month, its spending (migration 20261208002000_results_activity).
//
// Triggers on every table these come from append the touched households to "ResultsPending";
// `refreshResults` recomputes them and every group they were or are in, and deletes exactly the
// marks it read (one committed while it ran stays for the next refresh). It runs after each import
// and before the dashboard reads: the page is exact after any write, whoever made it. What households
// do in the bot all day (messages, budget entries, check-ups) leaves "activity" marks, which refresh
// only the activity, the budget months and the group's spending: cheap enough before every page.
import { type Db, poolOf } from "../db/client.ts";
import { inPoolTransaction, sqlOf } from "../db/sql.ts";

/** A full refresh of 100,000 households takes seconds; Prisma's default of 5 s is for short work. */
const REFRESH_TIMEOUT_MS = 10 * 60_000;

/**
 * What the page read before: the definitions are the bot's (core/debt.ts arrearsNowOf, the plan
 * /plan shows, installmentState) and figures.ts's header explains the month-by-month ones.
 */
const HOUSEHOLDS_SQL = `
INSERT INTO "ResultsHousehold" ("householdId", "officeId", "municipality", "cohort", "invited", "linked",
  "entryCents", "nowCents", "plan", "firstUnpaidDue")
SELECT h."id", h."officeId", h."municipality",
  to_char(e."entry" AT TIME ZONE 'Europe/Rome', 'YYYY-MM'),
  e."entry" IS NOT NULL OR EXISTS (SELECT 1 FROM "LinkCode" c WHERE c."householdId" = h."id"),
  e."entry" IS NOT NULL,
  f."entry", CASE WHEN l."total" IS NOT NULL THEN GREATEST(0, l."total" - COALESCE(p."paid", 0)) END,
  CASE WHEN s."status" IN ('active', 'broken') THEN s."status" END,
  CASE WHEN s."status" = 'active' THEN s."firstUnpaid" END
FROM results_full t JOIN "Household" h ON h."id" = t."id"
LEFT JOIN LATERAL (
  SELECT min(m."linkedAt") AS "entry" FROM "Member" m
   WHERE m."householdId" = h."id" AND m."linkedAt" IS NOT NULL) e ON true
LEFT JOIN LATERAL (
  SELECT b."rentCents"::bigint + b."chargesCents" AS "entry" FROM "ArrearsBalance" b
   WHERE b."householdId" = h."id" ORDER BY b."balanceDate" ASC LIMIT 1) f ON true
LEFT JOIN LATERAL (
  SELECT b."rentCents"::bigint + b."chargesCents" AS "total", b."balanceDate" FROM "ArrearsBalance" b
   WHERE b."householdId" = h."id" ORDER BY b."balanceDate" DESC LIMIT 1) l ON true
LEFT JOIN LATERAL (
  SELECT sum(p."amountCents") AS "paid" FROM "Payment" p
   WHERE p."householdId" = h."id" AND p."paymentDate" > l."balanceDate") p ON true
LEFT JOIN LATERAL (
  SELECT r."status", (SELECT min(i."dueDate") FROM "Installment" i
                       WHERE i."planId" = r."id" AND i."paidCents" < i."amountCents") AS "firstUnpaid"
  FROM "RepaymentPlan" r
  WHERE r."householdId" = h."id" AND r."status" <> 'cancelled'
    AND EXISTS (SELECT 1 FROM "Installment" i WHERE i."planId" = r."id")
  ORDER BY CASE r."status" WHEN 'active' THEN 0 WHEN 'broken' THEN 1 ELSE 2 END, r."id" DESC
  LIMIT 1) s ON true`;

/**
 * The day-by-day rows of the groups in "results_groups", from all their households' history.
 *
 * Owed: a household owes, at the end of a day, its latest figures by then less the payments dated
 * after them up to that day, at least 0. Its figures and payments go through one sort (household,
 * day, payments before figures: a payment on a figure's own day is already inside it) and three
 * window passes: `paidBy` adds up its payments to the end of each day; `latest` carries the latest
 * figures with what had been paid by their day (an array, so `max` picks the latest day's); so the
 * amount owed at each row is (figures + paid by their day) − paid by this day. Each row keeps how
 * much that changed since the row before; the changes up to a day add up to what was owed at its end.
 *
 * Installments (of plans not cancelled), as core/payments.ts allocates: a household's installments in
 * due date, plan and number order; the payments that count are dated after its allocation baseline
 * (the latest figures dated before its first installment falls due; every payment without one); an
 * installment is paid on time when the counting payments dated on or before its due date cover it and
 * every installment before it. Whether it fell due yet is decided at read time.
 */
const DAYS_SQL = `
INSERT INTO "ResultsDay" ("officeId", "municipality", "cohort", "day", "owedChange", "paidCents",
  "installmentsDue", "installmentsOnTime")
WITH events AS (
  SELECT b."householdId" AS hid, b."balanceDate" AS d, 1 AS "kind",
    b."rentCents"::bigint + b."chargesCents" AS "total", 0::bigint AS "amount"
  FROM results_members m JOIN "ArrearsBalance" b ON b."householdId" = m.hid
  UNION ALL
  SELECT p."householdId", p."paymentDate", 0, NULL, p."amountCents"
  FROM results_members m JOIN "Payment" p ON p."householdId" = m.hid
), running AS (
  SELECT hid, d, "kind", "total", "amount",
    sum("amount") OVER (PARTITION BY hid ORDER BY d, "kind") AS "paidBy"
  FROM events
), valued AS (
  SELECT hid, d, "kind", "amount", "paidBy",
    max(CASE WHEN "total" IS NOT NULL THEN ARRAY[d - DATE '2000-01-01', "total" + "paidBy"] END)
      OVER (PARTITION BY hid ORDER BY d, "kind") AS "latest"
  FROM running
), owing AS (
  SELECT hid, d, "kind", "amount",
    CASE WHEN "latest" IS NULL THEN 0 ELSE GREATEST(0, "latest"[2] - "paidBy") END AS "owed"
  FROM valued
), owed AS (
  SELECT hid, d, "owed" - lag("owed", 1, 0::bigint) OVER (PARTITION BY hid ORDER BY d, "kind") AS "change",
    "amount" AS "paid", 0 AS "due", 0 AS "onTime"
  FROM owing
), ordered AS (
  SELECT r."householdId" AS hid, i."dueDate",
    sum(i."amountCents"::bigint) OVER (PARTITION BY r."householdId"
      ORDER BY i."dueDate", r."id", i."number" ROWS UNBOUNDED PRECEDING) AS "cumulative",
    min(i."dueDate") OVER (PARTITION BY r."householdId") AS "firstDue"
  FROM results_members m JOIN "RepaymentPlan" r ON r."householdId" = m.hid AND r."status" <> 'cancelled'
  JOIN "Installment" i ON i."planId" = r."id"
), baselines AS MATERIALIZED (
  SELECT h.hid, (SELECT max(b."balanceDate") FROM "ArrearsBalance" b
                  WHERE b."householdId" = h.hid AND b."balanceDate" < h."firstDue") AS "baseline"
  FROM (SELECT DISTINCT hid, "firstDue" FROM ordered) h
), dues AS (
  SELECT hid, "dueDate" AS d, 1 AS "kind", 0::bigint AS "amount", "cumulative" FROM ordered
  UNION ALL
  SELECT p."householdId", p."paymentDate", 0, p."amountCents", NULL
  FROM baselines s JOIN "Payment" p ON p."householdId" = s.hid
  WHERE s."baseline" IS NULL OR p."paymentDate" > s."baseline"
), covered AS (
  SELECT hid, d, "kind", "cumulative",
    sum("amount") OVER (PARTITION BY hid ORDER BY d, "kind" ROWS UNBOUNDED PRECEDING) AS "paidBy"
  FROM dues
), installments AS (
  SELECT hid, d, 0::bigint AS "change", 0::bigint AS "paid", 1 AS "due",
    CASE WHEN "paidBy" >= "cumulative" THEN 1 ELSE 0 END AS "onTime"
  FROM covered WHERE "kind" = 1
)
SELECT m."officeId", m."municipality", m."cohort", x.d,
  sum(x."change"), sum(x."paid"), sum(x."due"), sum(x."onTime")
FROM (SELECT * FROM owed UNION ALL SELECT * FROM installments) x
JOIN results_members m ON m.hid = x.hid
GROUP BY 1, 2, 3, 4
HAVING sum(x."change") <> 0 OR sum(x."paid") <> 0 OR sum(x."due") <> 0`;

/**
 * The columns that change with what a household does in the bot, for every marked household (its row
 * is there: HOUSEHOLDS_SQL ran first for the ones marked in full): its latest activity as figures.ts's
 * "active" counts it (a household's message in a case, a budget entry, a check-up started or
 * completed, a satisfaction answer), and its months with budget entries and with expenses.
 */
const ACTIVITY_SQL = `
UPDATE "ResultsHousehold" r
SET "lastActiveAt" = a."at", "budgetMonths" = COALESCE(b."months", '{}'), "spentMonths" = COALESCE(b."spent", '{}')
FROM results_households t
LEFT JOIN (
  SELECT x."hid", max(x."at") AS "at" FROM (
    SELECT k."householdId" AS "hid", max(m."createdAt") AS "at"
    FROM results_households s JOIN "Case" k ON k."householdId" = s."id"
    JOIN "CaseMessage" m ON m."caseId" = k."id" AND m."author" = 'household' GROUP BY 1
    UNION ALL
    SELECT e."householdId", max(e."createdAt")
    FROM results_households s JOIN "BudgetEntry" e ON e."householdId" = s."id" GROUP BY 1
    UNION ALL
    SELECT u."householdId", max(GREATEST(u."startedAt", u."completedAt"))
    FROM results_households s JOIN "Checkup" u ON u."householdId" = s."id" GROUP BY 1
    UNION ALL
    SELECT v."householdId", max(v."answeredAt")
    FROM results_households s JOIN "CaseSatisfaction" v ON v."householdId" = s."id" GROUP BY 1
  ) x GROUP BY x."hid") a ON a."hid" = t."id"
LEFT JOIN (
  SELECT g."householdId" AS "hid",
    array_agg(extract(year FROM g."month")::int * 12 + extract(month FROM g."month")::int ORDER BY g."month")
      AS "months",
    array_agg(extract(year FROM g."month")::int * 12 + extract(month FROM g."month")::int ORDER BY g."month")
      FILTER (WHERE g."expenses" > 0) AS "spent"
  FROM results_households s JOIN "ResultsBudget" g ON g."householdId" = s."id" GROUP BY 1) b ON b."hid" = t."id"
WHERE r."householdId" = t."id"`;

/** A group's key for equality joins: an office or cohort may be null. */
const sameGroup = (a: string, b: string) =>
  `COALESCE(${a}."officeId", 0) = COALESCE(${b}."officeId", 0) AND ${a}."municipality" = ${b}."municipality"
   AND COALESCE(${a}."cohort", '') = COALESCE(${b}."cohort", '')`;

/** The spending months of the groups in "results_budget_groups", from their households' month rows. */
const BUDGET_MONTHS_SQL = `
INSERT INTO "ResultsBudgetMonth" ("officeId", "municipality", "cohort", "month", "keeping", "spending",
  "expenseCents", "flexibleCents")
SELECT r."officeId", r."municipality", r."cohort", b."month", count(*), count(*) FILTER (WHERE b."expenses" > 0),
  sum(b."expenseCents"), sum(b."flexibleCents")
FROM results_budget_groups g JOIN "ResultsHousehold" r ON ${sameGroup("r", "g")}
JOIN "ResultsBudget" b ON b."householdId" = r."householdId"
GROUP BY 1, 2, 3, 4`;

/** The groups of the households in temporary table `table` (one row per household), from "ResultsHousehold". */
const groupsOf = (
  table: string,
) => `SELECT r."officeId", r."municipality", r."cohort" FROM "ResultsHousehold" r
  JOIN ${table} t ON t."id" = r."householdId"`;

/** Per client: the refresh queued behind the running one, not started yet, and the last one queued. */
type Queue = { waiting: Promise<number> | undefined; last: Promise<unknown> };
const queues = new WeakMap<Db, Queue>();

/**
 * Recomputes the households marked since the last refresh, and every group they were or now are in,
 * and resolves once every mark committed before the call is processed. Returns how many households
 * were refreshed. A page's statements each ask; in one process the asks queue, so they hold one
 * connection, not one each waiting on the lock (a refresh of every household takes seconds), and an
 * ask joins a refresh that is queued but not started yet: that one claims the marks after the ask, so
 * it covers it too. Across processes an advisory lock makes refreshes wait for each other.
 */
export function refreshResults(db: Db): Promise<number> {
  const queue = queues.get(db) ?? { waiting: undefined, last: Promise.resolve() };
  queues.set(db, queue);
  if (queue.waiting) return queue.waiting;
  const next = queue.last
    .catch(() => undefined)
    .then(() => {
      queue.waiting = undefined;
      return refreshOnce(db);
    });
  queue.waiting = next;
  queue.last = next;
  return next;
}

async function refreshOnce(db: Db): Promise<number> {
  // The common case, a page with nothing marked, costs one look at an empty table.
  const [marked] = await sqlOf(db).text<{ any: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM "ResultsPending") AS "any"`,
    [],
  );
  if (!marked?.any) return 0;
  const pool = poolOf(db);
  if (!pool || pool.ended) {
    // A client createDb did not make: Prisma's interactive transaction does the same work.
    return db.$transaction((tx) => refreshIn((text) => tx.$executeRawUnsafe(text)), {
      timeout: REFRESH_TIMEOUT_MS,
      maxWait: REFRESH_TIMEOUT_MS,
    });
  }
  // On a pool connection (inPoolTransaction says why): an import's refresh runs in the background.
  return inPoolTransaction(pool, "BEGIN", (client) =>
    refreshIn(async (text) => (await client.query(text)).rowCount ?? 0),
  );
}

/** The refresh's statements, in one transaction; `run` returns the rows a statement wrote. */
async function refreshIn(run: (text: string) => Promise<number>): Promise<number> {
  await run(`SELECT pg_advisory_xact_lock(hashtext('bussola.results.refresh'))`);
  // Room to sort a large group's history in memory (a whole programme after its first import).
  await run(`SET LOCAL work_mem = '256MB'`);
  // The marks committed by now; the ones written later stay, and so do these until the end.
  await run(`CREATE TEMPORARY TABLE results_claimed ON COMMIT DROP AS
      SELECT "id", "householdId", "activity" FROM "ResultsPending"`);
  const households = await run(`CREATE TEMPORARY TABLE results_households ON COMMIT DROP AS
      SELECT DISTINCT "householdId" AS "id" FROM results_claimed`);
  if (households === 0) return 0;
  await run(`ANALYZE results_households`);
  // The groups whose spending months change: the ones these households were in, and (below) are in.
  await run(`CREATE TEMPORARY TABLE results_groups ON COMMIT DROP AS ${groupsOf("results_households")}`);
  // Marked in full (not only their activity): their row and their groups' arrears history.
  const full = await run(`CREATE TEMPORARY TABLE results_full ON COMMIT DROP AS
      SELECT DISTINCT "householdId" AS "id" FROM results_claimed WHERE NOT "activity"`);
  if (full > 0) await refreshFull(run);
  await run(ACTIVITY_SQL);
  await run(`INSERT INTO results_groups ${groupsOf("results_households")}`);
  await run(
    `CREATE TEMPORARY TABLE results_budget_groups ON COMMIT DROP AS SELECT DISTINCT * FROM results_groups`,
  );
  await run(`ANALYZE results_budget_groups`);
  await run(`DELETE FROM "ResultsBudgetMonth" b USING results_budget_groups g WHERE ${sameGroup("b", "g")}`);
  await run(BUDGET_MONTHS_SQL);
  await run(`DELETE FROM "ResultsPending" p USING results_claimed c WHERE p."id" = c."id"`);
  return households;
}

/** The households of "results_full": their rows, and every group they were or now are in. */
async function refreshFull(run: (text: string) => Promise<number>): Promise<void> {
  await run(`ANALYZE results_full`);
  await run(`CREATE TEMPORARY TABLE results_full_groups ON COMMIT DROP AS ${groupsOf("results_full")}`);
  await run(`DELETE FROM "ResultsHousehold" r USING results_full t WHERE r."householdId" = t."id"`);
  await run(HOUSEHOLDS_SQL);
  await run(`INSERT INTO results_full_groups ${groupsOf("results_full")}`);
  await run(
    `CREATE TEMPORARY TABLE results_dirty ON COMMIT DROP AS SELECT DISTINCT * FROM results_full_groups`,
  );
  await run(`ANALYZE results_dirty`);
  await run(`DELETE FROM "ResultsDay" d USING results_dirty g WHERE ${sameGroup("d", "g")}`);
  await run(`CREATE TEMPORARY TABLE results_members ON COMMIT DROP AS
      SELECT r."householdId" AS hid, r."officeId", r."municipality", r."cohort"
      FROM "ResultsHousehold" r JOIN results_dirty g ON ${sameGroup("r", "g")}`);
  await run(`ANALYZE results_members`);
  await run(DAYS_SQL);
}

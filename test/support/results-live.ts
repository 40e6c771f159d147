// The results dashboard's awareness, arrears and spending figures computed the way the page did
// before they were precomputed (core/results/precompute.ts): straight from the base tables, from every
// selected household's whole history (and every budget entry), on each call. Kept here, unchanged, as the reference the precomputed
// figures must equal after any mix of writes (test/results-precompute.test.ts). It was itself checked
// against hand-worked data sets (results-dashboard, results-figures-sql) before it was replaced.

import { FIXED_EXPENSES } from "../../core/budget/categories.ts";
import type { Clock } from "../../core/clock.ts";
import type { Db } from "../../core/db/client.ts";
import { sqlOf } from "../../core/db/sql.ts";
import type { StaffScope } from "../../core/offices/scope.ts";
import type { ArrearsFigures, Awareness } from "../../core/results/figures.ts";
import { ACTIVE_DAYS } from "../../core/results/figures.ts";
import { addMonths, monthsBetween, type ResultsFilter } from "../../core/results/filter.ts";
import { selectedParams } from "../../core/results/selection.ts";
import {
  MIN_HOUSEHOLDS_FOR_AMOUNTS,
  type Spending,
  type SpendingFigures,
} from "../../core/results/spending.ts";
import { romeToday } from "../../core/time.ts";

/** The selection as it was: office, municipality, and the cohort from the members' link dates. */
const LIVE_SELECTED = `WITH sel AS (
  SELECT h."id", e."entry" FROM "Household" h
  LEFT JOIN (
    SELECT m."householdId", min(m."linkedAt") AS "entry" FROM "Member" m
     WHERE m."linkedAt" IS NOT NULL GROUP BY m."householdId") e ON e."householdId" = h."id"
  WHERE ($1::int IS NULL OR h."officeId" = $1)
    AND ($2::int IS NULL OR h."officeId" = $2)
    AND ($3::text IS NULL OR h."municipality" = $3)
    AND ($4::text IS NULL OR to_char(e."entry" AT TIME ZONE 'Europe/Rome', 'YYYY-MM') = $4))`;

const HOUSEHOLDS_SQL = `${LIVE_SELECTED},
recent AS (
  SELECT k."householdId" AS hid FROM "CaseMessage" m JOIN "Case" k ON k."id" = m."caseId"
   WHERE m."author" = 'household' AND m."createdAt" >= $5::timestamptz
  UNION SELECT b."householdId" FROM "BudgetEntry" b WHERE b."createdAt" >= $5::timestamptz
  UNION SELECT u."householdId" FROM "Checkup" u
   WHERE u."startedAt" >= $5::timestamptz OR u."completedAt" >= $5::timestamptz
  UNION SELECT s."householdId" FROM "CaseSatisfaction" s WHERE s."answeredAt" >= $5::timestamptz
), owed AS MATERIALIZED (
  -- Two index look-ups a household (the first and the latest figures), not every figure it has.
  SELECT f."entry", GREATEST(0, l."total" - COALESCE(p."paid", 0)) AS "now"
  FROM sel
  JOIN LATERAL (
    SELECT b."rentCents"::bigint + b."chargesCents" AS "entry" FROM "ArrearsBalance" b
     WHERE b."householdId" = sel."id" ORDER BY b."balanceDate" ASC LIMIT 1) f ON true
  JOIN LATERAL (
    SELECT b."rentCents"::bigint + b."chargesCents" AS "total", b."balanceDate" FROM "ArrearsBalance" b
     WHERE b."householdId" = sel."id" ORDER BY b."balanceDate" DESC LIMIT 1) l ON true
  LEFT JOIN LATERAL (
    SELECT sum(p."amountCents") AS "paid" FROM "Payment" p
     WHERE p."householdId" = sel."id" AND p."paymentDate" > l."balanceDate") p ON true
), shown AS (
  SELECT DISTINCT ON (r."householdId") r."id", r."status"
  FROM sel JOIN "RepaymentPlan" r ON r."householdId" = sel."id"
  WHERE r."status" <> 'cancelled' AND EXISTS (SELECT 1 FROM "Installment" i WHERE i."planId" = r."id")
  ORDER BY r."householdId", CASE r."status" WHEN 'active' THEN 0 WHEN 'broken' THEN 1 ELSE 2 END, r."id" DESC
), standing AS MATERIALIZED (
  SELECT CASE
    WHEN s."status" = 'broken' THEN 'broken'
    WHEN s."status" <> 'active' THEN NULL
    WHEN EXISTS (SELECT 1 FROM "Installment" i WHERE i."planId" = s."id"
                  AND i."paidCents" < i."amountCents" AND i."dueDate" < $6::date) THEN 'late'
    ELSE 'onTrack' END AS "standing"
  FROM shown s
)
SELECT
  (SELECT count(*) FROM sel) AS "households",
  (SELECT count(*) FROM sel WHERE sel."entry" IS NOT NULL
      OR EXISTS (SELECT 1 FROM "LinkCode" c WHERE c."householdId" = sel."id")) AS "invited",
  (SELECT count(*) FROM sel WHERE sel."entry" IS NOT NULL) AS "linked",
  (SELECT count(*) FROM sel WHERE sel."entry" IS NOT NULL AND sel."id" IN (SELECT hid FROM recent)) AS "active",
  o.*, s.*
FROM (SELECT count(*) AS "withFigures", sum("entry") AS "entryCents", sum("now") AS "nowCents",
        sum(GREATEST(0, "entry" - "now")) AS "recoveredCents",
        count(*) FILTER (WHERE "entry" > 0 AND "now" = 0) AS "settled"
      FROM owed) o,
     (SELECT count(*) FILTER (WHERE "standing" = 'onTrack') AS "onTrack",
        count(*) FILTER (WHERE "standing" = 'late') AS "late",
        count(*) FILTER (WHERE "standing" = 'broken') AS "broken"
      FROM standing) s`;

const MONTHS_SQL = `${LIVE_SELECTED},
months AS (
  SELECT m::date AS "start", LEAST((m + interval '1 month' - interval '1 day')::date, $7::date) AS "day"
  FROM generate_series($5::date, $6::date, interval '1 month') m
), starts AS MATERIALIZED (
  -- The figures in force when the period starts: what came before them changes no month of it.
  SELECT sel."id" AS hid, COALESCE((
    SELECT max(b."balanceDate") FROM "ArrearsBalance" b
     WHERE b."householdId" = sel."id" AND b."balanceDate" < $5::date), '-infinity'::date) AS "since"
  FROM sel
), events AS (
  SELECT b."householdId" AS hid, b."balanceDate" AS d, 1 AS "kind",
    b."rentCents"::bigint + b."chargesCents" AS "total", 0 AS "amount"
  FROM starts s JOIN "ArrearsBalance" b ON b."householdId" = s.hid
  WHERE b."balanceDate" >= s."since" AND b."balanceDate" <= (SELECT max("day") FROM months)
  UNION ALL
  SELECT p."householdId", p."paymentDate", 0, NULL, p."amountCents"
  FROM starts s JOIN "Payment" p ON p."householdId" = s.hid
  WHERE p."paymentDate" >= s."since" AND p."paymentDate" <= (SELECT max("day") FROM months)
), running AS (
  SELECT hid, d, "kind", "total", sum("amount") OVER (PARTITION BY hid ORDER BY d, "kind") AS "paidBy"
  FROM events
), valued AS (
  SELECT hid, d, "kind", "paidBy",
    max(CASE WHEN "total" IS NOT NULL THEN ARRAY[d - DATE '2000-01-01', "total" + "paidBy"] END)
      OVER (PARTITION BY hid ORDER BY d, "kind") AS "latest"
  FROM running
), owing AS (
  SELECT hid, d, "kind", CASE WHEN "latest" IS NULL THEN 0 ELSE GREATEST(0, "latest"[2] - "paidBy") END AS "owed"
  FROM valued
), changes AS MATERIALIZED (
  SELECT d, sum("change") AS "change" FROM (
    SELECT d, "owed" - lag("owed", 1, 0::bigint) OVER (PARTITION BY hid ORDER BY d, "kind") AS "change"
    FROM owing
  ) c GROUP BY d
), paid AS (
  SELECT date_trunc('month', p."paymentDate")::date AS "start", sum(p."amountCents") AS "paid"
  FROM sel JOIN "Payment" p ON p."householdId" = sel."id"
  WHERE p."paymentDate" >= $5::date AND p."paymentDate" < $6::date + interval '1 month'
  GROUP BY 1
)
SELECT to_char(m."start", 'YYYY-MM') AS "month",
  CASE WHEN m."start" > $7::date THEN 0 ELSE COALESCE(o."owed", 0) END AS "owedCents",
  COALESCE(paid."paid", 0) AS "paidCents"
FROM months m LEFT JOIN paid ON paid."start" = m."start"
LEFT JOIN LATERAL (SELECT sum(c."change") AS "owed" FROM changes c WHERE c.d <= m."day") o ON true
ORDER BY m."start"`;

const INSTALLMENTS_SQL = `${LIVE_SELECTED},
ordered AS (
  SELECT r."householdId" AS hid, i."dueDate",
    sum(i."amountCents"::bigint) OVER (PARTITION BY r."householdId"
      ORDER BY i."dueDate", r."id", i."number" ROWS UNBOUNDED PRECEDING) AS "cumulative",
    min(i."dueDate") OVER (PARTITION BY r."householdId") AS "firstDue"
  FROM sel JOIN "RepaymentPlan" r ON r."householdId" = sel."id" AND r."status" <> 'cancelled'
  JOIN "Installment" i ON i."planId" = r."id"
), due AS (
  SELECT * FROM ordered WHERE "dueDate" < $5::date
), baselines AS MATERIALIZED (
  SELECT h.hid, (SELECT max(b."balanceDate") FROM "ArrearsBalance" b
                  WHERE b."householdId" = h.hid AND b."balanceDate" < h."firstDue") AS "baseline"
  FROM (SELECT DISTINCT hid, "firstDue" FROM due) h
), events AS (
  SELECT hid, "dueDate" AS d, 1 AS "kind", 0::bigint AS "amount", "cumulative" FROM due
  UNION ALL
  SELECT p."householdId", p."paymentDate", 0, p."amountCents", NULL
  FROM baselines s JOIN "Payment" p ON p."householdId" = s.hid
  WHERE p."paymentDate" < $5::date AND (s."baseline" IS NULL OR p."paymentDate" > s."baseline")
), running AS (
  SELECT "kind", d, "cumulative",
    sum("amount") OVER (PARTITION BY hid ORDER BY d, "kind" ROWS UNBOUNDED PRECEDING) AS "paidBy"
  FROM events
)
SELECT to_char(d, 'YYYY-MM') AS "month", count(*) AS "due",
  count(*) FILTER (WHERE "paidBy" >= "cumulative") AS "onTime"
FROM running WHERE "kind" = 1
GROUP BY 1`;

type Whole = bigint | number | string | null;
const whole = (value: Whole | undefined): number =>
  value === null || value === undefined ? 0 : Number(value);
type Row = Record<string, Whole>;

export type LiveFigures = {
  households: number;
  awareness: Omit<Awareness, "balanceViewed" | "planViewed">;
  arrears: ArrearsFigures;
};

export async function liveResultsFigures(
  db: Db,
  clock: Clock,
  scope: StaffScope,
  filter: ResultsFilter,
): Promise<LiveFigures> {
  const sql = sqlOf(db);
  const now = clock.now();
  const today = romeToday(now).toISOString().slice(0, 10);
  const since = new Date(now.getTime() - ACTIVE_DAYS * 86_400_000);
  const selected = selectedParams(scope, filter);
  const [h] = await sql.text<Row>(HOUSEHOLDS_SQL, [...selected, since, today]);
  const monthRows = await sql.text<Row>(MONTHS_SQL, [
    ...selected,
    `${filter.from}-01`,
    `${filter.to}-01`,
    today,
  ]);
  const installmentRows = await sql.text<Row>(INSTALLMENTS_SQL, [...selected, today]);
  if (!h) throw new Error("no row");
  const byMonth = new Map(monthRows.map((m) => [m.month, m]));
  const dueByMonth = new Map(installmentRows.map((i) => [i.month, i]));
  return {
    households: whole(h.households),
    awareness: { invited: whole(h.invited), linked: whole(h.linked), active: whole(h.active) },
    arrears: {
      withFigures: whole(h.withFigures),
      entryCents: whole(h.entryCents),
      nowCents: whole(h.nowCents),
      recoveredCents: whole(h.recoveredCents),
      settled: whole(h.settled),
      plans: { onTrack: whole(h.onTrack), late: whole(h.late), broken: whole(h.broken) },
      installmentsDue: installmentRows.reduce((s, i) => s + whole(i.due), 0),
      installmentsOnTime: installmentRows.reduce((s, i) => s + whole(i.onTime), 0),
      months: monthsBetween(filter.from, filter.to).map((month) => ({
        month,
        owedCents: whole(byMonth.get(month)?.owedCents),
        paidCents: whole(byMonth.get(month)?.paidCents),
        installmentsDue: whole(dueByMonth.get(month)?.due),
        installmentsOnTime: whole(dueByMonth.get(month)?.onTime),
      })),
    },
  };
}

/**
 * Family spending from the budget entries themselves: per month (of the entry's date) the households
 * with an entry, with an expense, and the expenses and flexible expenses (not FIXED_EXPENSES); over
 * the period the same, households counted once. $5 the period's first day, $6 the day after it.
 */
const SPENDING_SQL = `${LIVE_SELECTED},
entries AS (
  SELECT e."householdId" AS hid, to_char(e."occurredOn", 'YYYY-MM') AS "month", e."kind",
    e."amountCents", NOT (e."category" = ANY($7::text[])) AS "flexible"
  FROM sel JOIN "BudgetEntry" e ON e."householdId" = sel."id"
  WHERE e."occurredOn" >= $5::date AND e."occurredOn" < $6::date
)
SELECT "month", count(DISTINCT hid) AS "keeping", count(DISTINCT hid) FILTER (WHERE "kind" = 'expense') AS "spending",
  COALESCE(sum("amountCents") FILTER (WHERE "kind" = 'expense'), 0) AS "expenseCents",
  COALESCE(sum("amountCents") FILTER (WHERE "kind" = 'expense' AND "flexible"), 0) AS "flexibleCents"
FROM entries GROUP BY GROUPING SETS (("month"), ())`;

export async function liveSpending(db: Db, scope: StaffScope, filter: ResultsFilter): Promise<Spending> {
  const sql = sqlOf(db);
  const rows = await sql.text<Row>(SPENDING_SQL, [
    ...selectedParams(scope, filter),
    `${filter.from}-01`,
    `${addMonths(filter.to, 1)}-01`,
    [...FIXED_EXPENSES],
  ]);
  const [linked] = await sql.text<Row>(
    `${LIVE_SELECTED} SELECT count(*) FILTER (WHERE sel."entry" IS NOT NULL) AS "linked" FROM sel`,
    selectedParams(scope, filter),
  );
  const figures = (row: Row | undefined): SpendingFigures => {
    const spending = whole(row?.spending);
    const shown = spending >= MIN_HOUSEHOLDS_FOR_AMOUNTS;
    return {
      keeping: whole(row?.keeping),
      spending,
      expenseCents: shown ? whole(row?.expenseCents) : null,
      flexibleCents: shown ? whole(row?.flexibleCents) : null,
    };
  };
  const byMonth = new Map(rows.map((r) => [r.month, r]));
  return {
    linked: whole(linked?.linked),
    period: figures(byMonth.get(null)),
    months: monthsBetween(filter.from, filter.to).map((month) => ({ month, ...figures(byMonth.get(month)) })),
  };
}

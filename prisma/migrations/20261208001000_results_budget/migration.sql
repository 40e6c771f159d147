-- Family spending for the results dashboard (core/results/spending.ts), one row per household and month
-- with budget entries: how many entries, how many expenses, and the expenses' and flexible expenses'
-- totals. The page used to read every budget entry of the period for every selected household; a
-- household that keeps its budget logs a dozen entries a month, and 24 months of a programme are
-- millions of them. Budget entries are written by the bot all day, so this is kept incrementally, by
-- statement triggers that add the new rows and take away the old ones (no recomputation, no lock
-- beyond the household's own month rows). A household's rows go with it.
--
-- Flexible means an expense whose category is not one of FIXED_EXPENSES (core/budget/categories.ts),
-- the split /summary uses. The list is the triggers' argument below; test/results-spending-rollup.test.ts
-- fails when the two differ (a new list needs a migration that recreates the triggers and the rows).

-- CreateIndex: the dashboard's "active in the last 30 days" reads the recent entries' households from
-- the index alone (reading every entry took 0.25 s at 3 million).
CREATE INDEX "BudgetEntry_createdAt_householdId_idx" ON "BudgetEntry"("createdAt", "householdId");

-- CreateTable
CREATE TABLE "ResultsBudget" (
    "householdId" INTEGER NOT NULL,
    "month" DATE NOT NULL,
    "entries" INTEGER NOT NULL,
    "expenses" INTEGER NOT NULL,
    "expenseCents" BIGINT NOT NULL,
    "flexibleCents" BIGINT NOT NULL,

    CONSTRAINT "ResultsBudget_pkey" PRIMARY KEY ("householdId","month")
);

-- AddForeignKey
ALTER TABLE "ResultsBudget" ADD CONSTRAINT "ResultsBudget_householdId_fkey" FOREIGN KEY ("householdId") REFERENCES "Household"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- TG_ARGV[0]: the fixed expense categories, as a text array literal.
CREATE FUNCTION "results_budget_changed"() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  fixed text[] := TG_ARGV[0]::text[];
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM "ResultsBudget";
    RETURN NULL;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE "ResultsBudget" r
       SET "entries" = r."entries" - o."entries", "expenses" = r."expenses" - o."expenses",
           "expenseCents" = r."expenseCents" - o."expenseCents",
           "flexibleCents" = r."flexibleCents" - o."flexibleCents"
      FROM (
        SELECT x."householdId", date_trunc('month', x."occurredOn")::date AS "month", count(*)::int AS "entries",
          count(*) FILTER (WHERE x."kind" = 'expense')::int AS "expenses",
          COALESCE(sum(x."amountCents") FILTER (WHERE x."kind" = 'expense'), 0) AS "expenseCents",
          COALESCE(sum(x."amountCents") FILTER (WHERE x."kind" = 'expense' AND NOT (x."category" = ANY(fixed))), 0)
            AS "flexibleCents"
        FROM old_rows x GROUP BY 1, 2) o
     WHERE r."householdId" = o."householdId" AND r."month" = o."month";
    DELETE FROM "ResultsBudget" r
     WHERE r."entries" <= 0
       AND (r."householdId", r."month") IN (
         SELECT x."householdId", date_trunc('month', x."occurredOn")::date FROM old_rows x);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO "ResultsBudget" ("householdId", "month", "entries", "expenses", "expenseCents", "flexibleCents")
    SELECT x."householdId", date_trunc('month', x."occurredOn")::date, count(*)::int,
      count(*) FILTER (WHERE x."kind" = 'expense')::int,
      COALESCE(sum(x."amountCents") FILTER (WHERE x."kind" = 'expense'), 0),
      COALESCE(sum(x."amountCents") FILTER (WHERE x."kind" = 'expense' AND NOT (x."category" = ANY(fixed))), 0)
    FROM new_rows x GROUP BY 1, 2
    ON CONFLICT ("householdId", "month") DO UPDATE
      SET "entries" = "ResultsBudget"."entries" + EXCLUDED."entries",
          "expenses" = "ResultsBudget"."expenses" + EXCLUDED."expenses",
          "expenseCents" = "ResultsBudget"."expenseCents" + EXCLUDED."expenseCents",
          "flexibleCents" = "ResultsBudget"."flexibleCents" + EXCLUDED."flexibleCents";
  END IF;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER "results_budget_insert" AFTER INSERT ON "BudgetEntry" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "results_budget_changed"('{rent,service_charges,utilities,phone_internet,transport,health,school_children,insurance,loans}');
CREATE TRIGGER "results_budget_update" AFTER UPDATE ON "BudgetEntry" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "results_budget_changed"('{rent,service_charges,utilities,phone_internet,transport,health,school_children,insurance,loans}');
CREATE TRIGGER "results_budget_delete" AFTER DELETE ON "BudgetEntry" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "results_budget_changed"('{rent,service_charges,utilities,phone_internet,transport,health,school_children,insurance,loans}');
CREATE TRIGGER "results_budget_truncate" AFTER TRUNCATE ON "BudgetEntry"
  FOR EACH STATEMENT EXECUTE FUNCTION "results_budget_changed"('{rent,service_charges,utilities,phone_internet,transport,health,school_children,insurance,loans}');

-- Backfill: what the triggers would have written for every entry so far.
INSERT INTO "ResultsBudget" ("householdId", "month", "entries", "expenses", "expenseCents", "flexibleCents")
SELECT x."householdId", date_trunc('month', x."occurredOn")::date, count(*)::int,
  count(*) FILTER (WHERE x."kind" = 'expense')::int,
  COALESCE(sum(x."amountCents") FILTER (WHERE x."kind" = 'expense'), 0),
  COALESCE(sum(x."amountCents") FILTER (WHERE x."kind" = 'expense' AND NOT (x."category" = ANY(
    '{rent,service_charges,utilities,phone_internet,transport,health,school_children,insurance,loans}'::text[]))), 0)
FROM "BudgetEntry" x GROUP BY 1, 2;

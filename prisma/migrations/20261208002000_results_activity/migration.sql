-- The results dashboard's "active in the last 30 days" and family spending, kept precomputed too
-- (core/results/precompute.ts). Together they were most of a page's time at 100,000 households: the
-- active count gathered every household with a message, a budget entry, a check-up or a satisfaction
-- answer in the last 30 days; spending read every selected household's month rows.
--
-- "ResultsHousehold" gains each household's latest activity (the day is applied when the page reads)
-- and the months in which it logged entries and expenses (as year × 12 + month), so the period's
-- count of households keeping a budget is one pass over the selection. "ResultsBudgetMonth" holds the
-- spending figures per group the filter can select (office, municipality, entry cohort) and month:
-- households, expenses and flexible expenses add up across groups.
--
-- These change with what households do in the bot all day, so their marks are light: "activity" marks
-- refresh only these columns and the household's group's spending months, never its arrears history.

-- AlterTable
ALTER TABLE "ResultsHousehold" ADD COLUMN "lastActiveAt" TIMESTAMPTZ(3),
ADD COLUMN "budgetMonths" INTEGER[] NOT NULL DEFAULT ARRAY[]::INTEGER[],
ADD COLUMN "spentMonths" INTEGER[] NOT NULL DEFAULT ARRAY[]::INTEGER[];

-- AlterTable
ALTER TABLE "ResultsPending" ADD COLUMN "activity" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "ResultsBudgetMonth" (
    "id" BIGSERIAL NOT NULL,
    "officeId" INTEGER,
    "municipality" TEXT NOT NULL,
    "cohort" TEXT,
    "month" DATE NOT NULL,
    "keeping" INTEGER NOT NULL,
    "spending" INTEGER NOT NULL,
    "expenseCents" BIGINT NOT NULL,
    "flexibleCents" BIGINT NOT NULL,

    CONSTRAINT "ResultsBudgetMonth_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ResultsBudgetMonth_officeId_municipality_cohort_idx" ON "ResultsBudgetMonth"("officeId", "municipality", "cohort");

-- "results_touched" (migration 20261208000000_results_precompute) marks the households a statement
-- touched; a third argument 'activity' now makes those marks light. An empty second argument means no
-- query of its own for updates. The triggers made before pass one or two arguments and mark as before.
CREATE OR REPLACE FUNCTION "results_touched"() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  activity boolean := TG_NARGS > 2 AND TG_ARGV[2] = 'activity';
  pick text := 'INSERT INTO "ResultsPending" ("householdId", "activity") '
    'SELECT DISTINCT s."hid", ' || activity::text || ' FROM (%s) s WHERE s."hid" IS NOT NULL';
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    INSERT INTO "ResultsPending" ("householdId", "activity") SELECT "householdId", activity FROM "ResultsHousehold";
  ELSIF TG_OP = 'INSERT' THEN
    EXECUTE format(pick, replace(TG_ARGV[0], 'rows', 'new_rows'));
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE format(pick, replace(TG_ARGV[0], 'rows', 'old_rows'));
  ELSIF TG_NARGS > 1 AND TG_ARGV[1] <> '' THEN
    EXECUTE format(pick, TG_ARGV[1]);
  ELSE
    EXECUTE format(pick, replace(TG_ARGV[0], 'rows', 'new_rows') || ' UNION ALL '
      || replace(TG_ARGV[0], 'rows', 'old_rows'));
  END IF;
  RETURN NULL;
END
$fn$;

-- A case's messages count for its household: a case deleted (its messages go with it, and by then the
-- messages' trigger cannot find the household) or moved to another household marks both.
DO $do$
DECLARE
  source record;
BEGIN
  FOR source IN
    SELECT * FROM (VALUES
      ('BudgetEntry', 'SELECT "householdId" AS "hid" FROM rows', NULL),
      ('CaseMessage', 'SELECT k."householdId" AS "hid" FROM rows r JOIN "Case" k ON k."id" = r."caseId"
          WHERE r."author" = ''household''', NULL),
      ('Case', 'SELECT "householdId" AS "hid" FROM rows',
        'SELECT x."hid" FROM new_rows n JOIN old_rows o ON o."id" = n."id",
           LATERAL (VALUES (n."householdId"), (o."householdId")) x("hid")
          WHERE n."householdId" IS DISTINCT FROM o."householdId"'),
      ('Checkup', 'SELECT "householdId" AS "hid" FROM rows
          WHERE "startedAt" IS NOT NULL OR "completedAt" IS NOT NULL', NULL),
      ('CaseSatisfaction', 'SELECT "householdId" AS "hid" FROM rows WHERE "answeredAt" IS NOT NULL', NULL)
    ) AS v("tbl", "ids", "updated")
  LOOP
    IF source."tbl" <> 'Case' THEN
      EXECUTE format('CREATE TRIGGER "results_activity_insert" AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
        'FOR EACH STATEMENT EXECUTE FUNCTION "results_touched"(%L, '''', ''activity'')', source."tbl", source."ids");
    END IF;
    EXECUTE format('CREATE TRIGGER "results_activity_update" AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows '
      'NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "results_touched"(%L, %L, ''activity'')',
      source."tbl", source."ids", COALESCE(source."updated", ''));
    EXECUTE format('CREATE TRIGGER "results_activity_delete" AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows '
      'FOR EACH STATEMENT EXECUTE FUNCTION "results_touched"(%L, '''', ''activity'')', source."tbl", source."ids");
    EXECUTE format('CREATE TRIGGER "results_activity_truncate" AFTER TRUNCATE ON %I '
      'FOR EACH STATEMENT EXECUTE FUNCTION "results_touched"('''', '''', ''activity'')', source."tbl");
  END LOOP;
END
$do$;

-- Every household's new columns and every group's spending months are filled by the first refresh.
INSERT INTO "ResultsPending" ("householdId", "activity") SELECT "id", true FROM "Household";

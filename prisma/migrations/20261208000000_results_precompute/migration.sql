-- The results dashboard's awareness and arrears figures, kept precomputed (core/results/precompute.ts).
-- Computing them from every household's history on each page took 10 s at 100,000 households.
--
-- "ResultsHousehold": one row per household, what does not depend on the day (its filter key, entry
-- and latest arrears, the plan /plan shows and its first unpaid due date). "ResultsDay": per group of
-- households the filter can select — (office, municipality, entry cohort) — and per day, the change in
-- what the group owes, its payments, and its installments due and paid on time by due date. The page
-- sums a few thousand rows and applies today's date at read time, so nothing goes stale at midnight.
--
-- "ResultsPending": the households whose figures may have changed. Triggers on every table the
-- figures come from append to it (cheap: one row per household per statement, no lock on anything
-- shared); `refreshResults` recomputes those households and their groups, and deletes exactly the
-- marks it read. It runs after every import and before the dashboard reads, so the page is exact after
-- any write, by any code, without a nightly job.

-- CreateTable
CREATE TABLE "ResultsHousehold" (
    "householdId" INTEGER NOT NULL,
    "officeId" INTEGER,
    "municipality" TEXT NOT NULL,
    "cohort" TEXT,
    "invited" BOOLEAN NOT NULL,
    "linked" BOOLEAN NOT NULL,
    "entryCents" BIGINT,
    "nowCents" BIGINT,
    "plan" "PlanStatus",
    "firstUnpaidDue" DATE,

    CONSTRAINT "ResultsHousehold_pkey" PRIMARY KEY ("householdId")
);

-- CreateTable
CREATE TABLE "ResultsDay" (
    "id" BIGSERIAL NOT NULL,
    "officeId" INTEGER,
    "municipality" TEXT NOT NULL,
    "cohort" TEXT,
    "day" DATE NOT NULL,
    "owedChange" BIGINT NOT NULL,
    "paidCents" BIGINT NOT NULL,
    "installmentsDue" INTEGER NOT NULL,
    "installmentsOnTime" INTEGER NOT NULL,

    CONSTRAINT "ResultsDay_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ResultsPending" (
    "id" BIGSERIAL NOT NULL,
    "householdId" INTEGER NOT NULL,

    CONSTRAINT "ResultsPending_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ResultsHousehold_officeId_municipality_cohort_idx" ON "ResultsHousehold"("officeId", "municipality", "cohort");

-- CreateIndex
CREATE INDEX "ResultsDay_officeId_municipality_cohort_idx" ON "ResultsDay"("officeId", "municipality", "cohort");

-- After each statement on a table the figures come from: the households it touched, marked.
-- TG_ARGV[0] selects their ids ("hid") from "rows" (the statement's old or new rows); TG_ARGV[1], when
-- given, is used for updates instead, to skip updates of columns the figures do not read.
CREATE FUNCTION "results_touched"() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  pick text := 'INSERT INTO "ResultsPending" ("householdId") '
    'SELECT DISTINCT s."hid" FROM (%s) s WHERE s."hid" IS NOT NULL';
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    INSERT INTO "ResultsPending" ("householdId") SELECT "householdId" FROM "ResultsHousehold";
  ELSIF TG_OP = 'INSERT' THEN
    EXECUTE format(pick, replace(TG_ARGV[0], 'rows', 'new_rows'));
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE format(pick, replace(TG_ARGV[0], 'rows', 'old_rows'));
  ELSIF TG_NARGS > 1 THEN
    EXECUTE format(pick, TG_ARGV[1]);
  ELSE
    EXECUTE format(pick, replace(TG_ARGV[0], 'rows', 'new_rows') || ' UNION ALL '
      || replace(TG_ARGV[0], 'rows', 'old_rows'));
  END IF;
  RETURN NULL;
END
$fn$;

DO $do$
DECLARE
  source record;
BEGIN
  FOR source IN
    SELECT * FROM (VALUES
      ('Household', 'SELECT "id" AS "hid" FROM rows',
        'SELECT n."id" AS "hid" FROM new_rows n JOIN old_rows o ON o."id" = n."id"
          WHERE (n."officeId", n."municipality") IS DISTINCT FROM (o."officeId", o."municipality")'),
      ('Member', 'SELECT "householdId" AS "hid" FROM rows',
        'SELECT x."hid" FROM new_rows n JOIN old_rows o ON o."id" = n."id",
           LATERAL (VALUES (n."householdId"), (o."householdId")) x("hid")
          WHERE (n."householdId", n."linkedAt") IS DISTINCT FROM (o."householdId", o."linkedAt")'),
      ('LinkCode', 'SELECT "householdId" AS "hid" FROM rows',
        'SELECT n."householdId" AS "hid" FROM new_rows n JOIN old_rows o ON o."id" = n."id"
          WHERE n."householdId" IS DISTINCT FROM o."householdId"
         UNION ALL SELECT o."householdId" FROM new_rows n JOIN old_rows o ON o."id" = n."id"
          WHERE n."householdId" IS DISTINCT FROM o."householdId"'),
      ('ArrearsBalance', 'SELECT "householdId" AS "hid" FROM rows', NULL),
      ('Payment', 'SELECT "householdId" AS "hid" FROM rows', NULL),
      ('RepaymentPlan', 'SELECT "householdId" AS "hid" FROM rows', NULL),
      ('Installment', 'SELECT p."householdId" AS "hid" FROM rows r JOIN "RepaymentPlan" p ON p."id" = r."planId"', NULL)
    ) AS v("tbl", "ids", "updated")
  LOOP
    EXECUTE format('CREATE TRIGGER "results_insert" AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
      'FOR EACH STATEMENT EXECUTE FUNCTION "results_touched"(%L)', source."tbl", source."ids");
    IF source."updated" IS NULL THEN
      EXECUTE format('CREATE TRIGGER "results_update" AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows '
        'NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "results_touched"(%L)', source."tbl", source."ids");
    ELSE
      EXECUTE format('CREATE TRIGGER "results_update" AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows '
        'NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "results_touched"(%L, %L)',
        source."tbl", source."ids", source."updated");
    END IF;
    EXECUTE format('CREATE TRIGGER "results_delete" AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows '
      'FOR EACH STATEMENT EXECUTE FUNCTION "results_touched"(%L)', source."tbl", source."ids");
    EXECUTE format('CREATE TRIGGER "results_truncate" AFTER TRUNCATE ON %I '
      'FOR EACH STATEMENT EXECUTE FUNCTION "results_touched"()', source."tbl");
  END LOOP;
END
$do$;

-- Every household starts pending: the first refresh (the next import or dashboard page) fills the tables.
INSERT INTO "ResultsPending" ("householdId") SELECT "id" FROM "Household";

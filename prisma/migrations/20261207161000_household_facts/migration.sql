-- CreateTable
CREATE TABLE "HouseholdFacts" (
    "householdId" INTEGER NOT NULL,
    "unpaidDue" DATE[],
    "broken" BOOLEAN NOT NULL DEFAULT false,
    "firstArrears" BIGINT,
    "latestArrears" BIGINT,
    "urgent" BOOLEAN NOT NULL DEFAULT false,
    "waitingSince" TIMESTAMPTZ(3),
    "unreachable" BOOLEAN NOT NULL DEFAULT false,
    "lastContact" TIMESTAMPTZ(3) NOT NULL,
    "officeId" INTEGER,
    "caseWorkerId" INTEGER,

    CONSTRAINT "HouseholdFacts_pkey" PRIMARY KEY ("householdId")
);

-- CreateIndex
CREATE INDEX "Case_householdId_idx" ON "Case"("householdId");

-- CreateIndex
CREATE INDEX "Enrolment_memberId_idx" ON "Enrolment"("memberId");

-- CreateIndex
CREATE INDEX "OutboundMessage_memberId_createdAt_idx" ON "OutboundMessage"("memberId", "createdAt");

-- AddForeignKey
ALTER TABLE "HouseholdFacts" ADD CONSTRAINT "HouseholdFacts_householdId_fkey" FOREIGN KEY ("householdId") REFERENCES "Household"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- The facts of these households, recomputed from their tables (ids of missing households are
-- skipped). The rows are locked first, in id order: a concurrent refresh of the same household waits,
-- and the computation (a statement of its own, so a snapshot of its own) then sees what it committed.
CREATE FUNCTION "household_facts_refresh"(ids integer[]) RETURNS void LANGUAGE plpgsql VOLATILE AS $fn$
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN
    RETURN;
  END IF;
  PERFORM 1 FROM "HouseholdFacts" WHERE "householdId" = ANY (ids) ORDER BY "householdId" FOR UPDATE;
  INSERT INTO "HouseholdFacts" ("householdId", "unpaidDue", "broken", "firstArrears", "latestArrears",
    "urgent", "waitingSince", "unreachable", "lastContact", "officeId", "caseWorkerId")
  SELECT h."id",
    ARRAY(
      SELECT i."dueDate" FROM "RepaymentPlan" p JOIN "Installment" i ON i."planId" = p."id"
      WHERE p."householdId" = h."id" AND p."status" IN ('active', 'broken') AND i."paidCents" < i."amountCents"
      ORDER BY i."dueDate"),
    EXISTS (SELECT 1 FROM "RepaymentPlan" p WHERE p."householdId" = h."id" AND p."status" = 'broken')
      AND NOT EXISTS (SELECT 1 FROM "RepaymentPlan" p WHERE p."householdId" = h."id" AND p."status" = 'active'),
    CASE WHEN b2."d" > b1."d" THEN b1."total" END,
    CASE WHEN b2."d" > b1."d" THEN b2."total" END,
    COALESCE(c."urgent", false),
    w."since",
    EXISTS (SELECT 1 FROM "Member" m WHERE m."householdId" = h."id" AND m."linkedAt" IS NOT NULL)
      AND NOT EXISTS (
        SELECT 1 FROM "Member" m
        WHERE m."householdId" = h."id" AND m."linkedAt" IS NOT NULL AND m."unreachableAt" IS NULL),
    GREATEST(h."createdAt", c."lastMessage"),
    h."officeId", h."caseWorkerId"
  FROM "Household" h
  LEFT JOIN LATERAL (
    SELECT x."balanceDate" AS "d", x."rentCents"::bigint + x."chargesCents" AS "total" FROM "ArrearsBalance" x
    WHERE x."householdId" = h."id" ORDER BY x."balanceDate" ASC LIMIT 1
  ) b1 ON true
  LEFT JOIN LATERAL (
    SELECT x."balanceDate" AS "d", x."rentCents"::bigint + x."chargesCents" AS "total" FROM "ArrearsBalance" x
    WHERE x."householdId" = h."id" ORDER BY x."balanceDate" DESC LIMIT 1
  ) b2 ON true
  LEFT JOIN LATERAL (
    SELECT bool_or(x."urgent" AND x."status" IN ('open', 'waiting_household')) AS "urgent",
      max(GREATEST(x."lastHouseholdMessageAt", x."lastOperatorMessageAt")) AS "lastMessage"
    FROM "Case" x WHERE x."householdId" = h."id"
  ) c ON true
  LEFT JOIN LATERAL (
    SELECT min((
      SELECT min(m."createdAt") FROM "CaseMessage" m
      WHERE m."caseId" = x."id" AND m."author" = 'household'
        AND (x."lastOperatorMessageAt" IS NULL OR m."createdAt" > x."lastOperatorMessageAt")
    )) AS "since"
    FROM "Case" x
    WHERE x."householdId" = h."id" AND x."status" = 'open' AND x."lastHouseholdMessageAt" IS NOT NULL
      AND (x."lastOperatorMessageAt" IS NULL OR x."lastOperatorMessageAt" < x."lastHouseholdMessageAt")
  ) w ON true
  WHERE h."id" = ANY (ids)
  ORDER BY h."id"
  ON CONFLICT ("householdId") DO UPDATE SET
    "unpaidDue" = EXCLUDED."unpaidDue", "broken" = EXCLUDED."broken",
    "firstArrears" = EXCLUDED."firstArrears", "latestArrears" = EXCLUDED."latestArrears",
    "urgent" = EXCLUDED."urgent", "waitingSince" = EXCLUDED."waitingSince",
    "unreachable" = EXCLUDED."unreachable", "lastContact" = EXCLUDED."lastContact",
    "officeId" = EXCLUDED."officeId", "caseWorkerId" = EXCLUDED."caseWorkerId";
END
$fn$;

-- After each statement on a table the facts come from: the households it touched, refreshed.
-- TG_ARGV[0] selects their ids ("hid") from "rows" (the statement's old or new rows).
CREATE FUNCTION "household_facts_changed"() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  ids integer[];
  pick text := 'SELECT ARRAY(SELECT DISTINCT s."hid" FROM (%s) s WHERE s."hid" IS NOT NULL)';
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM "household_facts_refresh"(ARRAY(SELECT "id" FROM "Household"));
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    EXECUTE format(pick, replace(TG_ARGV[0], 'rows', 'new_rows')) INTO ids;
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE format(pick, replace(TG_ARGV[0], 'rows', 'old_rows')) INTO ids;
  ELSE
    EXECUTE format(pick, replace(TG_ARGV[0], 'rows', 'new_rows') || ' UNION ALL '
      || replace(TG_ARGV[0], 'rows', 'old_rows')) INTO ids;
  END IF;
  PERFORM "household_facts_refresh"(ids);
  RETURN NULL;
END
$fn$;

-- A new household gets its row; of the household's own columns only "createdAt" (contact since entry)
-- and the office and case worker (the caseload's filters) are in it.
CREATE FUNCTION "household_facts_of_household"() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM "household_facts_refresh"(ARRAY(SELECT "id" FROM new_rows));
  ELSE
    PERFORM "household_facts_refresh"(ARRAY(
      SELECT n."id" FROM new_rows n JOIN old_rows o ON o."id" = n."id"
      WHERE (n."createdAt", n."officeId", n."caseWorkerId")
        IS DISTINCT FROM (o."createdAt", o."officeId", o."caseWorkerId")));
  END IF;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER "household_facts_insert" AFTER INSERT ON "Household"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "household_facts_of_household"();
CREATE TRIGGER "household_facts_update" AFTER UPDATE ON "Household"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION "household_facts_of_household"();

DO $do$
DECLARE
  source record;
BEGIN
  FOR source IN
    SELECT * FROM (VALUES
      ('ArrearsBalance', 'SELECT "householdId" AS "hid" FROM rows'),
      ('RepaymentPlan', 'SELECT "householdId" AS "hid" FROM rows'),
      ('Installment', 'SELECT p."householdId" AS "hid" FROM rows r JOIN "RepaymentPlan" p ON p."id" = r."planId"'),
      ('Case', 'SELECT "householdId" AS "hid" FROM rows'),
      ('CaseMessage', 'SELECT c."householdId" AS "hid" FROM rows r JOIN "Case" c ON c."id" = r."caseId"'),
      ('Member', 'SELECT "householdId" AS "hid" FROM rows')
    ) AS v("tbl", "ids")
  LOOP
    EXECUTE format('CREATE TRIGGER "household_facts_insert" AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
      'FOR EACH STATEMENT EXECUTE FUNCTION "household_facts_changed"(%L)', source."tbl", source."ids");
    EXECUTE format('CREATE TRIGGER "household_facts_update" AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows '
      'NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "household_facts_changed"(%L)', source."tbl", source."ids");
    EXECUTE format('CREATE TRIGGER "household_facts_delete" AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows '
      'FOR EACH STATEMENT EXECUTE FUNCTION "household_facts_changed"(%L)', source."tbl", source."ids");
    EXECUTE format('CREATE TRIGGER "household_facts_truncate" AFTER TRUNCATE ON %I '
      'FOR EACH STATEMENT EXECUTE FUNCTION "household_facts_changed"()', source."tbl");
  END LOOP;
END
$do$;

-- Backfill: every household's facts.
SELECT "household_facts_refresh"(ARRAY(SELECT "id" FROM "Household"));

-- The caseload's score bounds (core/priority/caseload.ts BOUND_INDEXES, built from the weights of
-- core/priority/rules.ts; test/household-facts.test.ts checks they match): the page reads the k-th
-- highest floor from the first and the households that can reach it from the second.
CREATE INDEX "HouseholdFacts_floor_idx" ON "HouseholdFacts" ((CASE WHEN "urgent" THEN 50 ELSE 0 END + CASE WHEN "broken" THEN 40 ELSE 0 END + CASE WHEN "unreachable" THEN 25 ELSE 0 END + CASE WHEN COALESCE("firstArrears" > 0 AND "latestArrears" * 100 >= "firstArrears" * 110, false) THEN 20 ELSE 0 END));
CREATE INDEX "HouseholdFacts_ceiling_idx" ON "HouseholdFacts" ((CASE WHEN "urgent" THEN 50 ELSE 0 END + CASE WHEN "broken" THEN 40 ELSE 0 END + CASE WHEN "unreachable" THEN 25 ELSE 0 END + CASE WHEN COALESCE("firstArrears" > 0 AND "latestArrears" * 100 >= "firstArrears" * 110, false) THEN 20 ELSE 0 END + CASE WHEN "waitingSince" IS NOT NULL THEN 100 ELSE 0 END + CASE WHEN cardinality("unpaidDue") > 0 THEN 0 + 10 * LEAST(cardinality("unpaidDue"), 5) ELSE 0 END + CASE WHEN true THEN 10 ELSE 0 END));

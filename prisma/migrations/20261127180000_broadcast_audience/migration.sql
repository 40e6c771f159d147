-- The members a broadcast audience reaches: linked (joined to their household), consenting,
-- reachable and not erased. One definition for counting recipients (the CLI) and for the fan-out
-- (the worker). A single-SELECT SQL function: the planner inlines it into each query.
--   kind: all | municipality (value = name, any case) | course (value = code; enrolled members)
--         | plan (an active repayment plan) | arrears-over (cents: latest figures less payments since)
CREATE OR REPLACE FUNCTION "broadcast_audience"(kind text, value text, cents integer)
RETURNS TABLE ("memberId" integer, "chatId" bigint, "language" text)
LANGUAGE sql STABLE AS $$
  SELECT m."id", m."chatId", m."language"
  FROM "Member" m JOIN "Household" h ON h."id" = m."householdId"
  WHERE m."consentAt" IS NOT NULL AND m."unreachableAt" IS NULL AND m."erasureRequestedAt" IS NULL AND (
    kind = 'all'
    OR (kind = 'municipality' AND lower(h."municipality") = lower(value))
    OR (kind = 'course' AND EXISTS (
      SELECT 1 FROM "Enrolment" e
      JOIN "CourseSession" s ON s."id" = e."sessionId"
      JOIN "Course" c ON c."id" = s."courseId"
      WHERE e."memberId" = m."id" AND e."status" = 'enrolled' AND c."code" = value))
    OR (kind = 'plan' AND EXISTS (
      SELECT 1 FROM "RepaymentPlan" r WHERE r."householdId" = h."id" AND r."status" = 'active'))
    OR (kind = 'arrears-over' AND (
      SELECT b."rentCents" + b."chargesCents" - COALESCE((
        SELECT sum(p."amountCents") FROM "Payment" p
        WHERE p."householdId" = h."id" AND p."paymentDate" > b."balanceDate"), 0)
      FROM "ArrearsBalance" b WHERE b."householdId" = h."id"
      ORDER BY b."balanceDate" DESC LIMIT 1) > cents))
$$;

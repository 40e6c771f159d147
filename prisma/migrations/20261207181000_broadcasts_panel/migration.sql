-- AlterTable
ALTER TABLE "Broadcast" ADD COLUMN     "buttons" JSONB,
ADD COLUMN     "officeId" INTEGER,
ADD COLUMN     "parseMode" TEXT,
ADD COLUMN     "plannedRecipients" INTEGER;

-- CreateIndex
CREATE INDEX "Broadcast_officeId_id_idx" ON "Broadcast"("officeId", "id");

-- AddForeignKey
ALTER TABLE "Broadcast" ADD CONSTRAINT "Broadcast_officeId_fkey" FOREIGN KEY ("officeId") REFERENCES "Office"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- The audience function gains the office (null: every office) and three course audiences:
--   waiting (value = code): on the waiting list of a session of the course (waiting, or a place offered)
--   low-attendance (value = code): enrolled in the course, and present at less than half of its past
--     sessions with a mark (present ÷ (present + absent), excused left out, as the register counts it)
DROP FUNCTION IF EXISTS "broadcast_audience"(text, text, integer);
CREATE OR REPLACE FUNCTION "broadcast_audience"(kind text, value text, cents integer, office integer)
RETURNS TABLE ("memberId" integer, "chatId" bigint, "language" text)
LANGUAGE sql STABLE AS $$
  SELECT m."id", m."chatId", m."language"
  FROM "Member" m JOIN "Household" h ON h."id" = m."householdId"
  WHERE m."consentAt" IS NOT NULL AND m."unreachableAt" IS NULL AND m."erasureRequestedAt" IS NULL
  AND (office IS NULL OR h."officeId" = office) AND (
    kind = 'all'
    OR (kind = 'municipality' AND lower(h."municipality") = lower(value))
    OR (kind = 'course' AND EXISTS (
      SELECT 1 FROM "Enrolment" e
      JOIN "CourseSession" s ON s."id" = e."sessionId"
      JOIN "Course" c ON c."id" = s."courseId"
      WHERE e."memberId" = m."id" AND e."status" = 'enrolled' AND c."code" = value))
    OR (kind = 'waiting' AND EXISTS (
      SELECT 1 FROM "Enrolment" e
      JOIN "CourseSession" s ON s."id" = e."sessionId"
      JOIN "Course" c ON c."id" = s."courseId"
      WHERE e."memberId" = m."id" AND e."status" IN ('waiting', 'offered') AND c."code" = value
        AND s."cancelledAt" IS NULL))
    OR (kind = 'low-attendance' AND EXISTS (
      SELECT 1 FROM "Enrolment" e
      JOIN "CourseSession" s ON s."id" = e."sessionId"
      JOIN "Course" c ON c."id" = s."courseId"
      WHERE e."memberId" = m."id" AND e."status" = 'enrolled' AND c."code" = value)
      AND (
        SELECT count(*) FILTER (WHERE a."status" = 'present') * 2
          < count(*) FILTER (WHERE a."status" IN ('present', 'absent'))
        FROM "Attendance" a
        JOIN "CourseSession" s ON s."id" = a."sessionId"
        JOIN "Course" c ON c."id" = s."courseId"
        WHERE a."memberId" = m."id" AND c."code" = value AND s."cancelledAt" IS NULL
          AND s."startsAt" <= now()))
    OR (kind = 'plan' AND EXISTS (
      SELECT 1 FROM "RepaymentPlan" r WHERE r."householdId" = h."id" AND r."status" = 'active'))
    OR (kind = 'arrears-over' AND (
      SELECT b."rentCents" + b."chargesCents" - COALESCE((
        SELECT sum(p."amountCents") FROM "Payment" p
        WHERE p."householdId" = h."id" AND p."paymentDate" > b."balanceDate"), 0)
      FROM "ArrearsBalance" b WHERE b."householdId" = h."id"
      ORDER BY b."balanceDate" DESC LIMIT 1) > cents))
$$;

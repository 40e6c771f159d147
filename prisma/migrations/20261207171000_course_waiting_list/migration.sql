-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "EnrolmentStatus" ADD VALUE 'waiting';
ALTER TYPE "EnrolmentStatus" ADD VALUE 'offered';

-- AlterTable
ALTER TABLE "Enrolment" ADD COLUMN     "offerExpiresAt" TIMESTAMPTZ(3),
ADD COLUMN     "queuedAt" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "Enrolment_status_offerExpiresAt_idx" ON "Enrolment"("status", "offerExpiresAt");


-- CreateEnum
CREATE TYPE "CaseSource" AS ENUM ('household', 'overdue', 'plan_broken', 'distress');

-- AlterEnum
ALTER TYPE "DeliveryStatus" ADD VALUE 'uncertain';

-- AlterTable
ALTER TABLE "Broadcast" ADD COLUMN     "cancelledAt" TIMESTAMPTZ(3),
ADD COLUMN     "fannedOutAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "Case" ADD COLUMN     "dedupeKey" TEXT,
ADD COLUMN     "nudgedAt" TIMESTAMPTZ(3),
ADD COLUMN     "source" "CaseSource" NOT NULL DEFAULT 'household';

-- AlterTable
ALTER TABLE "OutboundMessage" ADD COLUMN     "caseId" INTEGER,
ADD COLUMN     "sendingAt" TIMESTAMPTZ(3),
ALTER COLUMN "memberId" DROP NOT NULL;

-- AlterTable
ALTER TABLE "RepaymentPlan" ADD COLUMN     "brokenAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "Staff" ADD COLUMN     "firstName" TEXT,
ADD COLUMN     "telegramUserId" BIGINT;

-- CreateTable
CREATE TABLE "Alert" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "householdId" INTEGER,
    "caseId" INTEGER,
    "planId" INTEGER,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledgedAt" TIMESTAMPTZ(3),
    "acknowledgedByStaffId" INTEGER,

    CONSTRAINT "Alert_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Alert_dedupeKey_key" ON "Alert"("dedupeKey");

-- CreateIndex
CREATE INDEX "Alert_acknowledgedAt_createdAt_idx" ON "Alert"("acknowledgedAt", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Case_dedupeKey_key" ON "Case"("dedupeKey");

-- CreateIndex
CREATE INDEX "OutboundMessage_chatId_telegramMessageId_idx" ON "OutboundMessage"("chatId", "telegramMessageId");

-- CreateIndex
CREATE UNIQUE INDEX "Staff_telegramUserId_key" ON "Staff"("telegramUserId");

-- AddForeignKey
ALTER TABLE "OutboundMessage" ADD CONSTRAINT "OutboundMessage_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_acknowledgedByStaffId_fkey" FOREIGN KEY ("acknowledgedByStaffId") REFERENCES "Staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;


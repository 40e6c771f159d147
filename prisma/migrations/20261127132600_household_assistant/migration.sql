-- AlterTable
ALTER TABLE "Case" ADD COLUMN     "lastHouseholdMessageAt" TIMESTAMPTZ(3),
ADD COLUMN     "lastOperatorMessageAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "CaseMessage" ADD COLUMN     "memberId" INTEGER,
ADD COLUMN     "sourceUpdateId" BIGINT;

-- CreateTable
CREATE TABLE "BudgetTip" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "texts" JSONB NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "BudgetTip_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "BudgetTip_key_key" ON "BudgetTip"("key");

-- CreateIndex
CREATE INDEX "BudgetTip_category_idx" ON "BudgetTip"("category");

-- CreateIndex
CREATE INDEX "CaseMessage_memberId_idx" ON "CaseMessage"("memberId");

-- CreateIndex
CREATE UNIQUE INDEX "CaseMessage_caseId_sourceUpdateId_key" ON "CaseMessage"("caseId", "sourceUpdateId");

-- AlterTable
ALTER TABLE "OutboundMessage" ADD COLUMN     "replyMarkup" JSONB;


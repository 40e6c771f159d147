-- CreateEnum
CREATE TYPE "CheckupRound" AS ENUM ('entry', 'm3', 'm9', 'm15');

-- CreateTable
CREATE TABLE "Checkup" (
    "id" SERIAL NOT NULL,
    "householdId" INTEGER NOT NULL,
    "round" "CheckupRound" NOT NULL,
    "memberId" INTEGER,
    "offeredAt" TIMESTAMPTZ(3) NOT NULL,
    "startedAt" TIMESTAMPTZ(3),
    "completedAt" TIMESTAMPTZ(3),
    "answers" JSONB NOT NULL DEFAULT '{}',
    "erasedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Checkup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CaseSatisfaction" (
    "id" SERIAL NOT NULL,
    "caseId" INTEGER NOT NULL,
    "householdId" INTEGER NOT NULL,
    "memberId" INTEGER,
    "askedAt" TIMESTAMPTZ(3) NOT NULL,
    "score" INTEGER,
    "comment" TEXT,
    "answeredAt" TIMESTAMPTZ(3),
    "erasedAt" TIMESTAMPTZ(3),

    CONSTRAINT "CaseSatisfaction_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Checkup_memberId_idx" ON "Checkup"("memberId");

-- CreateIndex
CREATE UNIQUE INDEX "Checkup_householdId_round_key" ON "Checkup"("householdId", "round");

-- CreateIndex
CREATE UNIQUE INDEX "CaseSatisfaction_caseId_key" ON "CaseSatisfaction"("caseId");

-- CreateIndex
CREATE INDEX "CaseSatisfaction_householdId_idx" ON "CaseSatisfaction"("householdId");

-- CreateIndex
CREATE INDEX "CaseSatisfaction_memberId_idx" ON "CaseSatisfaction"("memberId");

-- AddForeignKey
ALTER TABLE "Checkup" ADD CONSTRAINT "Checkup_householdId_fkey" FOREIGN KEY ("householdId") REFERENCES "Household"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Checkup" ADD CONSTRAINT "Checkup_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CaseSatisfaction" ADD CONSTRAINT "CaseSatisfaction_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CaseSatisfaction" ADD CONSTRAINT "CaseSatisfaction_householdId_fkey" FOREIGN KEY ("householdId") REFERENCES "Household"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CaseSatisfaction" ADD CONSTRAINT "CaseSatisfaction_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE SET NULL ON UPDATE CASCADE;


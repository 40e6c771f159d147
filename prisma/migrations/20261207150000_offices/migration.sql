-- AlterTable
ALTER TABLE "Household" ADD COLUMN     "caseWorkerId" INTEGER,
ADD COLUMN     "officeId" INTEGER;

-- AlterTable
ALTER TABLE "Staff" ADD COLUMN     "officeId" INTEGER;

-- CreateTable
CREATE TABLE "Office" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Office_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OfficeMunicipality" (
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "officeId" INTEGER NOT NULL,

    CONSTRAINT "OfficeMunicipality_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "CoverAccess" (
    "id" SERIAL NOT NULL,
    "staffId" INTEGER NOT NULL,
    "householdId" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "grantedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "CoverAccess_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Office_code_key" ON "Office"("code");

-- CreateIndex
CREATE INDEX "OfficeMunicipality_officeId_idx" ON "OfficeMunicipality"("officeId");

-- CreateIndex
CREATE INDEX "CoverAccess_staffId_householdId_expiresAt_idx" ON "CoverAccess"("staffId", "householdId", "expiresAt");

-- CreateIndex
CREATE INDEX "Household_officeId_contractCode_idx" ON "Household"("officeId", "contractCode");

-- CreateIndex
CREATE INDEX "Household_caseWorkerId_idx" ON "Household"("caseWorkerId");

-- AddForeignKey
ALTER TABLE "Household" ADD CONSTRAINT "Household_officeId_fkey" FOREIGN KEY ("officeId") REFERENCES "Office"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Household" ADD CONSTRAINT "Household_caseWorkerId_fkey" FOREIGN KEY ("caseWorkerId") REFERENCES "Staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Staff" ADD CONSTRAINT "Staff_officeId_fkey" FOREIGN KEY ("officeId") REFERENCES "Office"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OfficeMunicipality" ADD CONSTRAINT "OfficeMunicipality_officeId_fkey" FOREIGN KEY ("officeId") REFERENCES "Office"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CoverAccess" ADD CONSTRAINT "CoverAccess_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CoverAccess" ADD CONSTRAINT "CoverAccess_householdId_fkey" FOREIGN KEY ("householdId") REFERENCES "Household"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Alerts of households erased since: nothing to point at any more (the alert itself stays).
UPDATE "Alert" a SET "householdId" = NULL
 WHERE a."householdId" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "Household" h WHERE h.id = a."householdId");

-- AddForeignKey
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_householdId_fkey" FOREIGN KEY ("householdId") REFERENCES "Household"("id") ON DELETE CASCADE ON UPDATE CASCADE;
-- AlterTable
ALTER TABLE "Household" ADD COLUMN     "budgetSharedAt" TIMESTAMPTZ(3);


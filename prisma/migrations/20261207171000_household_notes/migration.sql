-- CreateTable
CREATE TABLE "HouseholdNote" (
    "id" SERIAL NOT NULL,
    "householdId" INTEGER NOT NULL,
    "staffId" INTEGER,
    "text" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "HouseholdNote_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "HouseholdNote_householdId_createdAt_idx" ON "HouseholdNote"("householdId", "createdAt");

-- CreateIndex
CREATE INDEX "HouseholdNote_createdAt_idx" ON "HouseholdNote"("createdAt");

-- AddForeignKey
ALTER TABLE "HouseholdNote" ADD CONSTRAINT "HouseholdNote_householdId_fkey" FOREIGN KEY ("householdId") REFERENCES "Household"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "HouseholdNote" ADD CONSTRAINT "HouseholdNote_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- CreateEnum
CREATE TYPE "DebtViewKind" AS ENUM ('balance', 'plan');

-- CreateTable
CREATE TABLE "DebtView" (
    "householdId" INTEGER NOT NULL,
    "month" TEXT NOT NULL,
    "kind" "DebtViewKind" NOT NULL,

    CONSTRAINT "DebtView_pkey" PRIMARY KEY ("householdId","month","kind")
);

-- CreateIndex
CREATE INDEX "DebtView_month_kind_idx" ON "DebtView"("month", "kind");

-- AddForeignKey
ALTER TABLE "DebtView" ADD CONSTRAINT "DebtView_householdId_fkey" FOREIGN KEY ("householdId") REFERENCES "Household"("id") ON DELETE CASCADE ON UPDATE CASCADE;


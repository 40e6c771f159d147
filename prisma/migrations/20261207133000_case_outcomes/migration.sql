-- CreateEnum
CREATE TYPE "CaseOutcome" AS ENUM ('resolved', 'aler_office', 'building_administrator', 'social_services', 'no_answer');

-- AlterTable
ALTER TABLE "Case" ADD COLUMN     "outcome" "CaseOutcome";


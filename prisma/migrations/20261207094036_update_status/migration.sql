-- CreateEnum
CREATE TYPE "UpdateStatus" AS ENUM ('handling', 'done', 'failed');

-- AlterTable
ALTER TABLE "ProcessedUpdate" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "status" "UpdateStatus" NOT NULL DEFAULT 'done';

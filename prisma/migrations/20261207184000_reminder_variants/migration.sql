-- CreateEnum
CREATE TYPE "ReminderExperimentStatus" AS ENUM ('running', 'stopped');

-- CreateTable
CREATE TABLE "ReminderExperiment" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "status" "ReminderExperimentStatus" NOT NULL DEFAULT 'running',
    "labels" TEXT[],
    "texts" JSONB NOT NULL,
    "createdById" INTEGER,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "stoppedAt" TIMESTAMPTZ(3),
    "kept" TEXT,

    CONSTRAINT "ReminderExperiment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReminderSend" (
    "messageId" INTEGER NOT NULL,
    "experimentId" INTEGER NOT NULL,
    "variant" TEXT NOT NULL,
    "installmentId" INTEGER NOT NULL,

    CONSTRAINT "ReminderSend_pkey" PRIMARY KEY ("messageId")
);

-- CreateIndex
CREATE INDEX "ReminderExperiment_kind_status_idx" ON "ReminderExperiment"("kind", "status");

-- CreateIndex
CREATE INDEX "ReminderSend_experimentId_variant_idx" ON "ReminderSend"("experimentId", "variant");

-- AddForeignKey
ALTER TABLE "ReminderSend" ADD CONSTRAINT "ReminderSend_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "ReminderExperiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReminderSend" ADD CONSTRAINT "ReminderSend_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "OutboundMessage"("id") ON DELETE CASCADE ON UPDATE CASCADE;


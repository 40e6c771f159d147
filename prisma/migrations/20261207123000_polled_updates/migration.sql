-- CreateTable
CREATE TABLE "PolledUpdate" (
    "updateId" BIGINT NOT NULL,
    "update" JSONB NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PolledUpdate_pkey" PRIMARY KEY ("updateId")
);


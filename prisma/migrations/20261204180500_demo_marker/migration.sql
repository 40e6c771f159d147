-- CreateTable
CREATE TABLE "DemoMarker" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "staffEmail" TEXT NOT NULL,
    "staffPassword" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DemoMarker_pkey" PRIMARY KEY ("id")
);


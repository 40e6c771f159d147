-- AlterTable
ALTER TABLE "Installment" ADD COLUMN     "pagopaNotice" TEXT;

-- AlterTable
ALTER TABLE "OutboundMessage" ADD COLUMN     "photo" TEXT;


-- Messages that may not have arrived are sent again by their kind: count those resends (a possible duplicate).
ALTER TABLE "OutboundMessage" ADD COLUMN "uncertainResends" INTEGER NOT NULL DEFAULT 0;

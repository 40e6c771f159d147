-- The reminder scan looks documents up by deadline.
-- CreateIndex
CREATE INDEX "HouseholdDocument_dueDate_idx" ON "HouseholdDocument"("dueDate");

-- The recheck sweep runs every minute. It used to re-read every open recheck to find the
-- reminders due. Now each open recheck says when it next needs the sweep ("remindAt"),
-- and the sweep reads only those whose moment has come, through a partial index.
-- The partial indexes are written by hand: schema.prisma declares their columns only.

-- DropIndex
DROP INDEX "VerificationCase_kind_status_dueAt_idx";

-- AlterTable
ALTER TABLE "VerificationCase" ADD COLUMN     "remindAt" TIMESTAMP(3);

-- Open rechecks waiting for the seller: the next sweep works out their next moment.
UPDATE "VerificationCase" SET "remindAt" = CURRENT_TIMESTAMP
WHERE kind IN ('periodic', 'unscheduled') AND status IN ('collecting', 'awaiting_selfie', 'failed');

-- CreateIndex (partial: the sweep's query repeats this predicate)
CREATE INDEX "VerificationCase_remindAt_id_idx" ON "VerificationCase"("remindAt", "id")
WHERE "remindAt" IS NOT NULL AND status IN ('collecting', 'awaiting_selfie', 'failed');

-- Sellers: nearly all have neither time set. Index only those that do.
DROP INDEX "Seller_unscheduledRecheckAt_id_idx";
CREATE INDEX "Seller_unscheduledRecheckAt_id_idx" ON "Seller"("unscheduledRecheckAt", "id") WHERE "unscheduledRecheckAt" IS NOT NULL;
DROP INDEX "Seller_inviteAt_id_idx";
CREATE INDEX "Seller_inviteAt_id_idx" ON "Seller"("inviteAt", "id") WHERE "inviteAt" IS NOT NULL;

-- CreateIndex (deleting a case no longer scans every reminder)
CREATE INDEX "Reminder_caseId_idx" ON "Reminder"("caseId");

-- DropIndex
DROP INDEX "Seller_status_nextRecheckAt_idx";

-- AlterTable
ALTER TABLE "Seller" ADD COLUMN     "inviteAt" TIMESTAMP(3),
ADD COLUMN     "invitedAt" TIMESTAMP(3),
ADD COLUMN     "restrictedAt" TIMESTAMP(3),
ADD COLUMN     "rolloutWave" INTEGER,
ADD COLUMN     "unscheduledRecheckAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "VerificationCase" ADD COLUMN     "dueAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "Reminder" (
    "key" TEXT NOT NULL,
    "sellerId" UUID NOT NULL,
    "caseId" UUID,
    "kind" TEXT NOT NULL,
    "offsetDays" INTEGER NOT NULL DEFAULT 0,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),
    "outcome" TEXT,

    CONSTRAINT "Reminder_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "WebhookEvent" (
    "id" UUID NOT NULL,
    "sellerId" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,

    CONSTRAINT "WebhookEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Reminder_sentAt_createdAt_idx" ON "Reminder"("sentAt", "createdAt");

-- CreateIndex
CREATE INDEX "Reminder_sellerId_idx" ON "Reminder"("sellerId");

-- CreateIndex
CREATE INDEX "WebhookEvent_deliveredAt_nextAttemptAt_idx" ON "WebhookEvent"("deliveredAt", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "WebhookEvent_sellerId_createdAt_idx" ON "WebhookEvent"("sellerId", "createdAt");

-- CreateIndex
CREATE INDEX "Seller_status_nextRecheckAt_id_idx" ON "Seller"("status", "nextRecheckAt", "id");

-- CreateIndex
CREATE INDEX "Seller_unscheduledRecheckAt_id_idx" ON "Seller"("unscheduledRecheckAt", "id");

-- CreateIndex
CREATE INDEX "Seller_inviteAt_id_idx" ON "Seller"("inviteAt", "id");

-- CreateIndex
CREATE INDEX "VerificationCase_kind_status_dueAt_idx" ON "VerificationCase"("kind", "status", "dueAt");

-- AddForeignKey
ALTER TABLE "Reminder" ADD CONSTRAINT "Reminder_sellerId_fkey" FOREIGN KEY ("sellerId") REFERENCES "Seller"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Reminder" ADD CONSTRAINT "Reminder_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "VerificationCase"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookEvent" ADD CONSTRAINT "WebhookEvent_sellerId_fkey" FOREIGN KEY ("sellerId") REFERENCES "Seller"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- CreateEnum
CREATE TYPE "StaffRole" AS ENUM ('admin', 'staff');

-- CreateEnum
CREATE TYPE "StaffAction" AS ENUM ('approve', 'reject', 'retake', 'new_document');

-- AlterEnum
ALTER TYPE "CaseStatus" ADD VALUE 'rejected';

-- AlterEnum
ALTER TYPE "ActorType" ADD VALUE 'user';

-- AlterTable
ALTER TABLE "VerificationCase" ADD COLUMN     "claimedAt" TIMESTAMP(3),
ADD COLUMN     "claimedBy" BIGINT,
ADD COLUMN     "reviewAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Submission" ADD COLUMN     "requeues" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "StaffMember" (
    "telegramUserId" BIGINT NOT NULL,
    "role" "StaffRole" NOT NULL,
    "displayName" TEXT,
    "addedBy" BIGINT,
    "addedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "removedAt" TIMESTAMP(3),

    CONSTRAINT "StaffMember_pkey" PRIMARY KEY ("telegramUserId")
);

-- CreateTable
CREATE TABLE "StaffDecision" (
    "id" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "action" "StaffAction" NOT NULL,
    "reason" TEXT,
    "actorId" BIGINT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "notifiedAt" TIMESTAMP(3),

    CONSTRAINT "StaffDecision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StaffCard" (
    "caseId" UUID NOT NULL,
    "chatId" BIGINT NOT NULL,
    "messageId" INTEGER NOT NULL,
    "hasPhoto" BOOLEAN NOT NULL,
    "imageKey" TEXT,
    "renderedAt" TIMESTAMP(3) NOT NULL,
    "revealUntil" TIMESTAMP(3),

    CONSTRAINT "StaffCard_pkey" PRIMARY KEY ("caseId")
);

-- CreateTable
CREATE TABLE "StaffAlert" (
    "key" TEXT NOT NULL,
    "caseId" UUID,
    "reason" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "postedAt" TIMESTAMP(3),
    "messageId" INTEGER,

    CONSTRAINT "StaffAlert_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "StaffDecision_caseId_at_idx" ON "StaffDecision"("caseId", "at");

-- CreateIndex
CREATE INDEX "StaffDecision_notifiedAt_at_idx" ON "StaffDecision"("notifiedAt", "at");

-- CreateIndex
CREATE INDEX "StaffAlert_caseId_idx" ON "StaffAlert"("caseId");

-- CreateIndex
CREATE INDEX "StaffAlert_postedAt_createdAt_idx" ON "StaffAlert"("postedAt", "createdAt");

-- CreateIndex
CREATE INDEX "VerificationCase_status_reviewAt_idx" ON "VerificationCase"("status", "reviewAt");

-- AddForeignKey
ALTER TABLE "StaffDecision" ADD CONSTRAINT "StaffDecision_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "VerificationCase"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StaffCard" ADD CONSTRAINT "StaffCard_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "VerificationCase"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StaffAlert" ADD CONSTRAINT "StaffAlert_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "VerificationCase"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- AlterTable
ALTER TABLE "VerificationCase" ADD COLUMN     "captureTokenHmac" BYTEA;

-- AlterTable
ALTER TABLE "Submission" ADD COLUMN     "burstPhotoIds" UUID[] DEFAULT ARRAY[]::UUID[],
ADD COLUMN     "capture" TEXT NOT NULL DEFAULT 'chat';

-- CreateIndex
CREATE UNIQUE INDEX "VerificationCase_captureTokenHmac_key" ON "VerificationCase"("captureTokenHmac");


-- AlterTable
ALTER TABLE "Seller" ADD COLUMN     "erasedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Identity" ADD COLUMN     "purgedAt" TIMESTAMP(3),
ALTER COLUMN "nameEnc" DROP NOT NULL,
ALTER COLUMN "idNumberEnc" DROP NOT NULL;

-- CreateIndex
CREATE INDEX "VerificationCase_closedAt_idx" ON "VerificationCase"("closedAt");


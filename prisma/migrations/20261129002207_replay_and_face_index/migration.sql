-- AlterTable
ALTER TABLE "Seller" ADD COLUMN     "lastVerifiedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Photo" ADD COLUMN     "phash" TEXT,
ADD COLUMN     "phashC0" INTEGER,
ADD COLUMN     "phashC1" INTEGER,
ADD COLUMN     "phashC2" INTEGER,
ADD COLUMN     "phashC3" INTEGER,
ADD COLUMN     "phashFine" TEXT;

-- CreateTable
CREATE TABLE "FaceBucket" (
    "sellerId" UUID NOT NULL,
    "band" SMALLINT NOT NULL,
    "key" INTEGER NOT NULL,

    CONSTRAINT "FaceBucket_pkey" PRIMARY KEY ("band","key","sellerId")
);

-- CreateIndex
CREATE INDEX "FaceBucket_sellerId_idx" ON "FaceBucket"("sellerId");

-- CreateIndex
CREATE INDEX "Photo_phashC0_idx" ON "Photo"("phashC0");

-- CreateIndex
CREATE INDEX "Photo_phashC1_idx" ON "Photo"("phashC1");

-- CreateIndex
CREATE INDEX "Photo_phashC2_idx" ON "Photo"("phashC2");

-- CreateIndex
CREATE INDEX "Photo_phashC3_idx" ON "Photo"("phashC3");

-- AddForeignKey
ALTER TABLE "FaceBucket" ADD CONSTRAINT "FaceBucket_sellerId_fkey" FOREIGN KEY ("sellerId") REFERENCES "Seller"("id") ON DELETE CASCADE ON UPDATE CASCADE;


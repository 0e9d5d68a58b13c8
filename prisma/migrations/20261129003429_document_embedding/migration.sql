-- AlterTable
ALTER TABLE "Photo" ADD COLUMN     "embeddingEnc" BYTEA,
ADD COLUMN     "faceCount" INTEGER;


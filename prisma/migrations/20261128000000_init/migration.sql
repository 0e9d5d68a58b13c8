-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "SellerStatus" AS ENUM ('unverified', 'verified', 'recheck_due', 'restricted');

-- CreateEnum
CREATE TYPE "CaseKind" AS ENUM ('initial', 'periodic', 'unscheduled');

-- CreateEnum
CREATE TYPE "CaseStatus" AS ENUM ('collecting', 'awaiting_selfie', 'queued', 'checking', 'passed', 'failed', 'review', 'cancelled', 'expired');

-- CreateEnum
CREATE TYPE "PhotoKind" AS ENUM ('id_document', 'selfie');

-- CreateEnum
CREATE TYPE "SubmissionStatus" AS ENUM ('queued', 'checking', 'decided');

-- CreateEnum
CREATE TYPE "Verdict" AS ENUM ('pass', 'fail', 'review');

-- CreateEnum
CREATE TYPE "ActorType" AS ENUM ('seller', 'staff', 'system');

-- CreateTable
CREATE TABLE "Seller" (
    "id" UUID NOT NULL,
    "shopId" TEXT,
    "shopName" TEXT,
    "reservedPhoneEnc" BYTEA,
    "reservedPhoneHmac" BYTEA,
    "reservedPhoneMask" TEXT,
    "telegramUserId" BIGINT,
    "telegramChatId" BIGINT,
    "locale" TEXT,
    "status" "SellerStatus" NOT NULL DEFAULT 'unverified',
    "riskFlags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "nextRecheckAt" TIMESTAMP(3),
    "enrolTokenHmac" BYTEA,
    "enrolTokenExpires" TIMESTAMP(3),
    "boundAt" TIMESTAMP(3),
    "unreachableAt" TIMESTAMP(3),
    "faceEmbeddingEnc" BYTEA,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Seller_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Identity" (
    "id" UUID NOT NULL,
    "sellerId" UUID NOT NULL,
    "region" TEXT NOT NULL,
    "keyId" TEXT NOT NULL,
    "nameEnc" BYTEA NOT NULL,
    "nameMask" TEXT NOT NULL,
    "idNumberEnc" BYTEA NOT NULL,
    "idNumberHmac" BYTEA NOT NULL,
    "idNumberMask" TEXT NOT NULL,
    "phoneEnc" BYTEA,
    "phoneHmac" BYTEA,
    "phoneMask" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Identity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VerificationCase" (
    "id" UUID NOT NULL,
    "sellerId" UUID NOT NULL,
    "kind" "CaseKind" NOT NULL DEFAULT 'initial',
    "status" "CaseStatus" NOT NULL DEFAULT 'collecting',
    "consentAt" TIMESTAMP(3),
    "faceConsentAt" TIMESTAMP(3),
    "manualReview" BOOLEAN NOT NULL DEFAULT false,
    "identityId" UUID,
    "documentPhotoId" UUID,
    "gesture" TEXT,
    "challengeIssuedAt" TIMESTAMP(3),
    "challengeDeadline" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL,
    "verdict" "Verdict",
    "reasons" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "closedAt" TIMESTAMP(3),

    CONSTRAINT "VerificationCase_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Submission" (
    "id" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "gesture" TEXT NOT NULL,
    "photoId" UUID NOT NULL,
    "status" "SubmissionStatus" NOT NULL DEFAULT 'queued',
    "verdict" "Verdict",
    "reasons" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "scores" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedAt" TIMESTAMP(3),
    "notifiedAt" TIMESTAMP(3),

    CONSTRAINT "Submission_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Photo" (
    "id" UUID NOT NULL,
    "sellerId" UUID NOT NULL,
    "caseId" UUID,
    "kind" "PhotoKind" NOT NULL,
    "storageKey" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "purgedAt" TIMESTAMP(3),

    CONSTRAINT "Photo_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorType" "ActorType" NOT NULL,
    "actorId" TEXT NOT NULL,
    "sellerId" UUID,
    "caseId" UUID,
    "action" TEXT NOT NULL,
    "data" JSONB,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Seller_shopId_key" ON "Seller"("shopId");

-- CreateIndex
CREATE UNIQUE INDEX "Seller_telegramUserId_key" ON "Seller"("telegramUserId");

-- CreateIndex
CREATE UNIQUE INDEX "Seller_enrolTokenHmac_key" ON "Seller"("enrolTokenHmac");

-- CreateIndex
CREATE INDEX "Seller_status_nextRecheckAt_idx" ON "Seller"("status", "nextRecheckAt");

-- CreateIndex
CREATE INDEX "Identity_idNumberHmac_idx" ON "Identity"("idNumberHmac");

-- CreateIndex
CREATE INDEX "Identity_phoneHmac_idx" ON "Identity"("phoneHmac");

-- CreateIndex
CREATE INDEX "Identity_sellerId_idx" ON "Identity"("sellerId");

-- CreateIndex
CREATE INDEX "VerificationCase_sellerId_status_idx" ON "VerificationCase"("sellerId", "status");

-- CreateIndex
CREATE INDEX "VerificationCase_status_updatedAt_idx" ON "VerificationCase"("status", "updatedAt");

-- CreateIndex
CREATE INDEX "Submission_status_createdAt_idx" ON "Submission"("status", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Submission_caseId_attempt_key" ON "Submission"("caseId", "attempt");

-- CreateIndex
CREATE INDEX "Photo_sha256_idx" ON "Photo"("sha256");

-- CreateIndex
CREATE INDEX "Photo_sellerId_kind_idx" ON "Photo"("sellerId", "kind");

-- CreateIndex
CREATE INDEX "AuditEvent_sellerId_at_idx" ON "AuditEvent"("sellerId", "at");

-- CreateIndex
CREATE INDEX "AuditEvent_caseId_at_idx" ON "AuditEvent"("caseId", "at");

-- AddForeignKey
ALTER TABLE "Identity" ADD CONSTRAINT "Identity_sellerId_fkey" FOREIGN KEY ("sellerId") REFERENCES "Seller"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VerificationCase" ADD CONSTRAINT "VerificationCase_sellerId_fkey" FOREIGN KEY ("sellerId") REFERENCES "Seller"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VerificationCase" ADD CONSTRAINT "VerificationCase_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Submission" ADD CONSTRAINT "Submission_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "VerificationCase"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Submission" ADD CONSTRAINT "Submission_photoId_fkey" FOREIGN KEY ("photoId") REFERENCES "Photo"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Photo" ADD CONSTRAINT "Photo_sellerId_fkey" FOREIGN KEY ("sellerId") REFERENCES "Seller"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Photo" ADD CONSTRAINT "Photo_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "VerificationCase"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditEvent" ADD CONSTRAINT "AuditEvent_sellerId_fkey" FOREIGN KEY ("sellerId") REFERENCES "Seller"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditEvent" ADD CONSTRAINT "AuditEvent_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "VerificationCase"("id") ON DELETE CASCADE ON UPDATE CASCADE;


import type { CoreDeps } from "../deps";
import type { Prisma } from "../db/client";
import { drawUnscheduledRecheck, hasRiskFlag, nextPeriodicRecheck, type Draw } from "../recheck/policy";
import { emitSellerEvent } from "../webhooks/outbox";
import { faceBucketKeys } from "./face-lsh";
import { descriptorToBytes, sellerFaceAad } from "./face-template";

type Tx = Pick<Prisma.TransactionClient, "seller" | "faceBucket" | "webhookEvent">;

/**
 * A seller passes (by the checks or by staff), in the caller's transaction: `verified`
 * (a restriction lifted), the next periodic recheck (with jitter), for a risk-flagged
 * seller a fresh unscheduled one, the face template with its LSH buckets, and the
 * marketplace's event. `null` enrols no face and drops any old template: a seller who
 * declined face data keeps none (and their next recheck is the full dialog).
 */
export async function enrolSeller(
  tx: Tx,
  deps: Pick<CoreDeps, "crypto" | "config">,
  sellerId: string,
  template: Float32Array | null,
  now: Date,
  opts: { caseId?: string; draw?: Draw } = {},
): Promise<void> {
  const seller = await tx.seller.findUniqueOrThrow({ where: { id: sellerId }, select: { riskFlags: true } });
  await tx.seller.update({
    where: { id: sellerId },
    data: {
      status: "verified",
      lastVerifiedAt: now,
      restrictedAt: null,
      nextRecheckAt: nextPeriodicRecheck(now, deps.config, opts.draw),
      unscheduledRecheckAt: hasRiskFlag(seller.riskFlags, deps.config) ? drawUnscheduledRecheck(now, deps.config, opts.draw) : null,
      faceEmbeddingEnc: template ? deps.crypto.seal(descriptorToBytes(template), sellerFaceAad(sellerId)) : null,
    },
  });
  await tx.faceBucket.deleteMany({ where: { sellerId } });
  if (template) await tx.faceBucket.createMany({ data: faceBucketKeys(template).map((k) => ({ sellerId, band: k.band, key: k.key })) });
  await emitSellerEvent(deps, tx, { sellerId, type: "seller.verified", caseId: opts.caseId, at: now });
}

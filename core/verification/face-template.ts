import type { CoreDeps } from "../deps";
import type { Prisma } from "../db/client";
import { faceBucketKeys } from "./face-lsh";

/**
 * The stored form of face descriptors: float32 bytes, sealed with the PII key and
 * bound (AES-GCM associated data) to what they belong to, so a template moved to
 * another seller or photo does not open.
 */
export const sellerFaceAad = (sellerId: string) => `face:${sellerId}`;
export const photoFaceAad = (photoId: string) => `portrait:${photoId}`;

export function descriptorToBytes(v: Float32Array): Buffer {
  return Buffer.from(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
}

export function descriptorFromBytes(b: Uint8Array): Float32Array {
  const copy = new Uint8Array(b);
  return new Float32Array(copy.buffer, 0, Math.floor(copy.byteLength / 4));
}

type Tx = Pick<Prisma.TransactionClient, "seller" | "faceBucket">;

/**
 * A seller passes (by the checks or by staff): `verified`, the next recheck date, and
 * the face template with its LSH buckets. `null` enrols no face and drops any old
 * template: a seller who declined face data keeps none.
 */
export async function enrolSeller(tx: Tx, deps: Pick<CoreDeps, "crypto" | "config">, sellerId: string, template: Float32Array | null, now: Date): Promise<void> {
  await tx.seller.update({
    where: { id: sellerId },
    data: {
      status: "verified",
      lastVerifiedAt: now,
      nextRecheckAt: new Date(now.getTime() + deps.config.RECHECK_INTERVAL_DAYS * 86_400_000),
      faceEmbeddingEnc: template ? deps.crypto.seal(descriptorToBytes(template), sellerFaceAad(sellerId)) : null,
    },
  });
  await tx.faceBucket.deleteMany({ where: { sellerId } });
  if (template) await tx.faceBucket.createMany({ data: faceBucketKeys(template).map((k) => ({ sellerId, band: k.band, key: k.key })) });
}

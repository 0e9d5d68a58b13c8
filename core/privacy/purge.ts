import type { CoreDeps } from "../deps";
import type { Prisma } from "../db/client";

/**
 * Deleting personal data, a piece at a time, so that a run interrupted half-way
 * resumes without error: a file is deleted before its row is marked purged, and a
 * rerun deletes it again (a missing file is fine) and marks the row. What stays is
 * what the audit and fraud checks need: masks, keyed digests, ids.
 */

type Deps = Pick<CoreDeps, "db" | "photos" | "now">;
const BATCH = 500;

/**
 * Photos: the encrypted file, the face descriptor and the perceptual hash. The store is
 * content-addressed, so a file another (unpurged) photo row still points to stays.
 */
export async function purgePhotos(deps: Deps, where: Prisma.PhotoWhereInput, limit = BATCH): Promise<number> {
  const rows = await deps.db.photo.findMany({ where: { AND: [where, { purgedAt: null }] }, select: { id: true, storageKey: true }, take: limit });
  for (const p of rows) {
    const shared = await deps.db.photo.count({ where: { storageKey: p.storageKey, purgedAt: null, id: { not: p.id } } });
    if (!shared) await deps.photos.delete(p.storageKey);
    await deps.db.photo.update({
      where: { id: p.id },
      data: { purgedAt: deps.now(), embeddingEnc: null, phash: null, phashFine: null, phashC0: null, phashC1: null, phashC2: null, phashC3: null },
    });
  }
  return rows.length;
}

/** Identities: the ciphertext of name, ID number and phone. Masks and digests stay. */
export async function purgeIdentities(deps: Pick<CoreDeps, "db" | "now">, where: Prisma.IdentityWhereInput, limit = BATCH): Promise<number> {
  const rows = await deps.db.identity.findMany({ where: { AND: [where, { purgedAt: null }] }, select: { id: true }, take: limit });
  if (!rows.length) return 0;
  const r = await deps.db.identity.updateMany({
    where: { id: { in: rows.map((x) => x.id) }, purgedAt: null },
    data: { nameEnc: null, idNumberEnc: null, phoneEnc: null, purgedAt: deps.now() },
  });
  return r.count;
}

/** A seller's enrolled face: the sealed template and its LSH buckets. */
export async function dropFaceTemplate(db: Pick<Prisma.TransactionClient, "seller" | "faceBucket">, sellerId: string): Promise<boolean> {
  const r = await db.seller.updateMany({ where: { id: sellerId, faceEmbeddingEnc: { not: null } }, data: { faceEmbeddingEnc: null } });
  await db.faceBucket.deleteMany({ where: { sellerId } });
  return r.count > 0;
}

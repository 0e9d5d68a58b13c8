import { UnrecoverableError } from "bullmq";
import { embedDocumentJobSchema } from "../../core/jobs";
import type { Photo } from "../../core/db/client";
import { descriptorFromBytes, descriptorToBytes, photoFaceAad } from "../../core/verification/face-template";
import { perceptualHash, storedHash } from "../checks/phash";
import { embedReference, type ReferenceReport } from "../checks/run-checks";
import { storePhotoHash } from "../../core/verification/verdicts";
import type { VerifyDeps } from "./verify-selfie";

/**
 * The ID portrait, analysed once: faces on it and the sealed descriptor of the one
 * face, plus the photo's perceptual hash. Runs when the photo arrives (its own job)
 * or, if that job has not run yet, from the first selfie check.
 */
export async function documentAnalysis(deps: VerifyDeps, photo: Photo): Promise<ReferenceReport> {
  if (photo.faceCount !== null) {
    const embedding = photo.embeddingEnc ? descriptorFromBytes(deps.crypto.open(photo.embeddingEnc, photoFaceAad(photo.id))) : null;
    return { unreadable: false, faces: photo.faceCount, embedding };
  }
  const bytes = await deps.photos.get(photo.storageKey);
  const r = await embedReference(deps.engine, bytes);
  const hash = await perceptualHash(bytes).catch(() => null);
  if (hash) await storePhotoHash(deps, photo.id, storedHash(hash));
  await deps.db.photo.update({
    where: { id: photo.id },
    data: { faceCount: r.faces, embeddingEnc: r.embedding ? deps.crypto.seal(descriptorToBytes(r.embedding), photoFaceAad(photo.id)) : null },
  });
  return r;
}

export async function embedDocument(deps: VerifyDeps, data: unknown): Promise<string> {
  const parsed = embedDocumentJobSchema.safeParse(data);
  if (!parsed.success) throw new UnrecoverableError(`bad job payload: ${parsed.error.message}`);
  const photo = await deps.db.photo.findUnique({ where: { id: parsed.data.photoId } });
  if (!photo) throw new UnrecoverableError(`photo ${parsed.data.photoId} not found`);
  if (photo.faceCount !== null) return "already analysed";
  if (photo.purgedAt) return "purged (erased or past retention)";
  const r = await documentAnalysis(deps, photo);
  return `faces=${r.faces}`;
}

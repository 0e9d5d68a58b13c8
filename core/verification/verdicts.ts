import { audit } from "../audit";
import type { CoreDeps } from "../deps";
import type { CaseStatus, Prisma, Verdict } from "../db/client";
import { faceBucketKeys } from "./face-lsh";
import { sourcesOf } from "./case-state";

/**
 * What a verification worker does to the database. The database is the source of
 * truth: a job first asks whether its submission was already decided, so a retried
 * or redelivered job never decides twice.
 */

type Deps = Pick<CoreDeps, "db" | "crypto" | "config" | "now">;

export async function loadSubmission(deps: Pick<CoreDeps, "db">, submissionId: string) {
  return deps.db.submission.findUnique({
    where: { id: submissionId },
    include: {
      photo: true,
      case: { include: { seller: true, identity: { select: { idNumberHmac: true } } } },
    },
  });
}
export type LoadedSubmission = NonNullable<Awaited<ReturnType<typeof loadSubmission>>>;

/** queued -> checking for the submission and its case (a retried job finds them already checking). */
export async function claimSubmission(deps: Pick<CoreDeps, "db">, s: LoadedSubmission): Promise<void> {
  await deps.db.$transaction([
    deps.db.submission.updateMany({ where: { id: s.id, status: "queued" }, data: { status: "checking" } }),
    deps.db.verificationCase.updateMany({ where: { id: s.caseId, status: "queued" }, data: { status: "checking" } }),
  ]);
}

export interface PhotoHash {
  h64: string;
  fine: string;
  chunks: readonly [number, number, number, number];
}

export async function storePhotoHash(deps: Pick<CoreDeps, "db">, photoId: string, h: PhotoHash): Promise<void> {
  await deps.db.photo.update({
    where: { id: photoId },
    data: { phash: h.h64, phashFine: h.fine, phashC0: h.chunks[0], phashC1: h.chunks[1], phashC2: h.chunks[2], phashC3: h.chunks[3] },
  });
}

/**
 * Earlier photos (anyone's) whose 64-bit hash shares a 16-bit chunk with this one:
 * by the pigeonhole principle every photo within 3 bits is among them, and each
 * chunk lookup is an index scan, not a scan of all photos.
 */
export async function replayCandidates(deps: Pick<CoreDeps, "db">, photoId: string, chunks: PhotoHash["chunks"]) {
  return deps.db.photo.findMany({
    where: {
      id: { not: photoId },
      phash: { not: null },
      OR: [{ phashC0: chunks[0] }, { phashC1: chunks[1] }, { phashC2: chunks[2] }, { phashC3: chunks[3] }],
    },
    select: { id: true, sellerId: true, phash: true, phashFine: true },
    take: 200,
  });
}

/**
 * The same face enrolled under another seller who gave another ID number (the
 * "same face, different ID" signal). Candidates come from the LSH buckets, ranked by
 * shared bands; only the best few embeddings are decrypted and compared.
 */
export async function findDuplicateFace(
  deps: Deps,
  sellerId: string,
  idNumberHmac: Uint8Array | null,
  embedding: Float32Array,
  similarity: (a: Float32Array, b: Float32Array) => number,
  decode: (bytes: Uint8Array) => Float32Array,
  minSimilarity: number,
): Promise<{ sellerId: string; similarity: number } | null> {
  const keys = faceBucketKeys(embedding);
  const rows = await deps.db.faceBucket.groupBy({
    by: ["sellerId"],
    where: { sellerId: { not: sellerId }, OR: keys.map((k) => ({ band: k.band, key: k.key })) },
    _count: { sellerId: true },
    orderBy: { _count: { sellerId: "desc" } },
    take: 20,
  });
  if (!rows.length) return null;
  const others = await deps.db.seller.findMany({
    where: { id: { in: rows.map((r) => r.sellerId) }, faceEmbeddingEnc: { not: null } },
    select: { id: true, faceEmbeddingEnc: true, identities: { select: { idNumberHmac: true }, orderBy: { createdAt: "desc" }, take: 1 } },
  });
  let best: { sellerId: string; similarity: number } | null = null;
  for (const o of others) {
    const theirs = decode(deps.crypto.open(o.faceEmbeddingEnc!, `face:${o.id}`));
    const sim = similarity(embedding, theirs);
    const theirId = o.identities[0]?.idNumberHmac;
    const sameIdNumber = theirId && idNumberHmac && Buffer.from(theirId).equals(Buffer.from(idNumberHmac));
    if (sim >= minSimilarity && !sameIdNumber && (!best || sim > best.similarity)) best = { sellerId: o.id, similarity: sim };
  }
  return best;
}

export interface VerdictInput {
  verdict: Verdict;
  reasons: string[];
  /** raw figures for staff and calibration; never identity values */
  scores: Prisma.InputJsonValue;
  /** unit-length embedding of the selfie's face, enrolled on a pass */
  embedding: Float32Array | null;
  embeddingBytes: Buffer | null;
}

const CASE_STATUS: Record<Verdict, CaseStatus> = { pass: "passed", fail: "failed", review: "review" };

/** Records the decision in one transaction; returns false when another run had already decided. */
export async function recordVerdict(deps: Deps, s: LoadedSubmission, v: VerdictInput): Promise<boolean> {
  const now = deps.now();
  const to = CASE_STATUS[v.verdict];
  return deps.db.$transaction(async (tx) => {
    const decided = await tx.submission.updateMany({
      where: { id: s.id, status: { not: "decided" } },
      data: { status: "decided", verdict: v.verdict, reasons: v.reasons, scores: v.scores, decidedAt: now },
    });
    if (decided.count === 0) return false;
    await tx.verificationCase.updateMany({
      where: { id: s.caseId, status: { in: sourcesOf(to) } },
      data: { status: to, verdict: v.verdict, reasons: v.reasons, ...(v.verdict === "pass" ? { closedAt: now } : {}) },
    });
    if (v.verdict === "pass" && v.embedding && v.embeddingBytes) {
      const sellerId = s.case.sellerId;
      await tx.seller.update({
        where: { id: sellerId },
        data: {
          status: "verified",
          lastVerifiedAt: now,
          nextRecheckAt: new Date(now.getTime() + deps.config.RECHECK_INTERVAL_DAYS * 86_400_000),
          faceEmbeddingEnc: deps.crypto.seal(v.embeddingBytes, `face:${sellerId}`),
        },
      });
      await tx.faceBucket.deleteMany({ where: { sellerId } });
      await tx.faceBucket.createMany({ data: faceBucketKeys(v.embedding).map((k) => ({ sellerId, band: k.band, key: k.key })) });
    }
    await audit(tx, {
      actorType: "system",
      actorId: "verify-worker",
      action: `check.${v.verdict}`,
      sellerId: s.case.sellerId,
      caseId: s.caseId,
      data: { submissionId: s.id, attempt: s.attempt, reasons: v.reasons },
    });
    return true;
  });
}

export async function markNotified(deps: Pick<CoreDeps, "db">, submissionId: string): Promise<void> {
  await deps.db.submission.update({ where: { id: submissionId }, data: { notifiedAt: new Date() } });
}

/**
 * The sweep: submissions still `queued` (their enqueue was lost, e.g. Redis was down
 * when the seller sent the selfie) or stuck `checking` long after their job should have
 * ended. Their ids go back on the queue; the job id makes that a no-op when they are there.
 */
export async function stuckSubmissions(deps: Pick<CoreDeps, "db">, olderThan: Date) {
  return deps.db.submission.findMany({
    where: { status: { in: ["queued", "checking"] }, createdAt: { lt: olderThan } },
    select: { id: true, caseId: true },
    take: 500,
  });
}

export async function undeliveredVerdicts(deps: Pick<CoreDeps, "db">, olderThan: Date) {
  return deps.db.submission.findMany({
    where: { status: "decided", notifiedAt: null, decidedAt: { lt: olderThan } },
    select: { id: true, caseId: true },
    take: 500,
  });
}

/**
 * Dialogs abandoned for as long as their replay log is kept (bot/conversation-storage.ts,
 * 7 days) can never continue: their cases become `expired`, so /status says so and
 * /start begins afresh. Audited per case.
 */
export async function expireAbandonedCases(deps: Pick<CoreDeps, "db">, olderThan: Date): Promise<number> {
  const stale = await deps.db.verificationCase.findMany({
    where: { status: { in: ["collecting", "awaiting_selfie"] }, updatedAt: { lt: olderThan } },
    select: { id: true, sellerId: true, status: true },
    take: 500,
  });
  let n = 0;
  for (const c of stale) {
    const moved = await deps.db.verificationCase.updateMany({ where: { id: c.id, status: c.status }, data: { status: "expired", closedAt: new Date() } });
    if (moved.count !== 1) continue;
    n++;
    await audit(deps.db, { actorType: "system", actorId: "verify-sweep", action: "case.expired", sellerId: c.sellerId, caseId: c.id, data: { from: c.status } });
  }
  return n;
}

import { audit } from "../audit";
import type { CoreDeps } from "../deps";
import type { CaseStatus, Prisma, Verdict } from "../db/client";
import { faceBucketKeys } from "./face-lsh";
import { sourcesOf } from "./case-state";
import { emitSellerEvent } from "../webhooks/outbox";
import { enrolSeller } from "./enrol";
import { descriptorToBytes, photoFaceAad, sellerFaceAad } from "./face-template";

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
    const theirs = decode(deps.crypto.open(o.faceEmbeddingEnc!, sellerFaceAad(o.id)));
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
  /** unit-length embedding of the selfie's face: enrolled on a pass, kept sealed on the photo for staff on a review */
  embedding: Float32Array | null;
}

const CASE_STATUS: Record<Verdict, CaseStatus> = { pass: "passed", fail: "failed", review: "review" };

/** `reviewAt`: the case entered staff review with this verdict. */
export type RecordOutcome = { recorded: false } | { recorded: true; reviewAt: Date | null };

/** Records the decision in one transaction; `recorded: false` when another run had already decided. */
export async function recordVerdict(deps: Deps, s: LoadedSubmission, v: VerdictInput): Promise<RecordOutcome> {
  const now = deps.now();
  const to = CASE_STATUS[v.verdict];
  return deps.db.$transaction(async (tx) => {
    const decided = await tx.submission.updateMany({
      where: { id: s.id, status: { not: "decided" } },
      data: { status: "decided", verdict: v.verdict, reasons: v.reasons, scores: v.scores, decidedAt: now },
    });
    if (decided.count === 0) return { recorded: false as const };
    const before = await tx.verificationCase.findUniqueOrThrow({ where: { id: s.caseId }, select: { status: true } });
    const moved = await tx.verificationCase.updateMany({
      where: { id: s.caseId, status: { in: sourcesOf(to) } },
      data: {
        status: to,
        verdict: v.verdict,
        reasons: v.reasons,
        ...(v.verdict === "pass" ? { closedAt: now } : {}),
        ...(v.verdict === "review" ? { reviewAt: now } : {}),
      },
    });
    if (v.verdict === "pass" && v.embedding) await enrolSeller(tx, deps, s.case.sellerId, v.embedding, now, { caseId: s.caseId });
    if (v.verdict === "review" && moved.count) await emitSellerEvent(deps, tx, { sellerId: s.case.sellerId, type: "seller.review", caseId: s.caseId, reasons: v.reasons, at: now });
    // Staff may approve a review: the face they approve is then enrolled from here.
    if (v.verdict === "review" && v.embedding)
      await tx.photo.update({ where: { id: s.photoId }, data: { embeddingEnc: deps.crypto.seal(descriptorToBytes(v.embedding), photoFaceAad(s.photoId)) } });
    await audit(tx, {
      actorType: "system",
      actorId: "verify-worker",
      action: `check.${v.verdict}`,
      sellerId: s.case.sellerId,
      caseId: s.caseId,
      data: { submissionId: s.id, attempt: s.attempt, reasons: v.reasons, before: { status: before.status }, after: { status: moved.count ? to : before.status } },
    });
    return { recorded: true as const, reviewAt: moved.count && v.verdict === "review" ? now : null };
  });
}

/** Another seller who gave the same ID number (the HMAC matches): a shared identity goes to staff. */
export async function sharedIdNumberOwner(deps: Pick<CoreDeps, "db">, sellerId: string, idNumberHmac: Uint8Array | null): Promise<string | null> {
  if (!idNumberHmac) return null;
  const other = await deps.db.identity.findFirst({
    where: { idNumberHmac: Buffer.from(idNumberHmac), sellerId: { not: sellerId } },
    select: { sellerId: true },
    orderBy: { createdAt: "asc" },
  });
  return other?.sellerId ?? null;
}

export async function markNotified(deps: Pick<CoreDeps, "db" | "now">, submissionId: string): Promise<void> {
  await deps.db.submission.update({ where: { id: submissionId }, data: { notifiedAt: deps.now() } });
}

/**
 * The sweep: submissions still `queued` (their enqueue was lost, e.g. Redis was down
 * when the seller sent the selfie) or stuck `checking` long after their job should have
 * ended (it failed every attempt, or its worker died).
 */
export async function stuckSubmissions(deps: Pick<CoreDeps, "db">, olderThan: Date) {
  return deps.db.submission.findMany({
    where: { status: { in: ["queued", "checking"] }, createdAt: { lt: olderThan } },
    select: { id: true, caseId: true, attempt: true, status: true, createdAt: true, requeues: true },
    orderBy: { createdAt: "asc" },
    take: 500,
  });
}
export type StuckSubmission = Awaited<ReturnType<typeof stuckSubmissions>>[number];

export async function countRequeue(deps: Pick<CoreDeps, "db">, submissionId: string): Promise<void> {
  await deps.db.submission.update({ where: { id: submissionId }, data: { requeues: { increment: 1 } } });
}

/**
 * A check that failed however often it was run: the case goes to staff instead of
 * waiting in `checking` for ever. The seller is told (result-review) by the job run
 * that delivers decided submissions.
 */
export async function escalateFailedCheck(deps: Pick<CoreDeps, "db" | "now" | "config">, s: Pick<StuckSubmission, "id" | "caseId" | "attempt">, error: string | null): Promise<{ reviewAt: Date } | null> {
  const now = deps.now();
  return deps.db.$transaction(async (tx) => {
    const decided = await tx.submission.updateMany({
      where: { id: s.id, status: { not: "decided" } },
      data: { status: "decided", verdict: "review", reasons: ["check-failed"], decidedAt: now },
    });
    if (!decided.count) return null;
    const c = await tx.verificationCase.findUniqueOrThrow({ where: { id: s.caseId }, select: { status: true, sellerId: true } });
    const moved = await tx.verificationCase.updateMany({
      where: { id: s.caseId, status: { in: ["queued", "checking"] } },
      data: { status: "review", verdict: "review", reasons: ["check-failed"], reviewAt: now },
    });
    await audit(tx, {
      actorType: "system",
      actorId: "sweep",
      action: "check.escalated",
      sellerId: c.sellerId,
      caseId: s.caseId,
      data: { submissionId: s.id, attempt: s.attempt, error: error?.slice(0, 200) ?? null, before: { status: c.status }, after: { status: moved.count ? "review" : c.status } },
    });
    if (moved.count) await emitSellerEvent(deps, tx, { sellerId: c.sellerId, type: "seller.review", caseId: s.caseId, reasons: ["check-failed"], at: now });
    return moved.count ? { reviewAt: now } : null;
  });
}

export async function undeliveredVerdicts(deps: Pick<CoreDeps, "db">, olderThan: Date) {
  return deps.db.submission.findMany({
    where: { status: "decided", notifiedAt: null, decidedAt: { lt: olderThan } },
    select: { id: true, caseId: true, attempt: true, decidedAt: true },
    orderBy: { decidedAt: "asc" },
    take: 500,
  });
}

/**
 * Dialogs abandoned for as long as their replay log is kept (bot/conversation-storage.ts,
 * 7 days) can never continue: their cases become `expired`, so /status says so and
 * /start begins afresh. Audited per case.
 */
export async function expireAbandonedCases(deps: Pick<CoreDeps, "db" | "now">, olderThan: Date): Promise<number> {
  // First verifications only: a recheck waits for its seller through reminders until the restriction.
  const stale = await deps.db.verificationCase.findMany({
    where: { kind: "initial", status: { in: ["collecting", "awaiting_selfie"] }, updatedAt: { lt: olderThan } },
    select: { id: true, sellerId: true, status: true },
    take: 500,
  });
  let n = 0;
  for (const c of stale) {
    const moved = await deps.db.verificationCase.updateMany({ where: { id: c.id, status: c.status }, data: { status: "expired", closedAt: deps.now() } });
    if (moved.count !== 1) continue;
    n++;
    await audit(deps.db, {
      actorType: "system",
      actorId: "verify-sweep",
      action: "case.expired",
      sellerId: c.sellerId,
      caseId: c.id,
      data: { before: { status: c.status }, after: { status: "expired" } },
    });
  }
  return n;
}

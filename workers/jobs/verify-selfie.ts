import { UnrecoverableError, type Job } from "bullmq";
import type { Api } from "grammy";
import type { I18n } from "@grammyjs/i18n";
import type { CoreDeps } from "../../core/deps";
import { verifyJobSchema, type VerifyJob } from "../../core/jobs";
import type { CheckMetrics } from "../../core/metrics";
import { decide } from "../../core/verification/decision";
import { THRESHOLDS, type Thresholds } from "../../core/verification/thresholds";
import {
  claimSubmission,
  findDuplicateFace,
  loadSubmission,
  markNotified,
  recordVerdict,
  replayCandidates,
  sharedIdNumberOwner,
  storePhotoHash,
  type LoadedSubmission,
} from "../../core/verification/verdicts";
import type { Engine } from "../checks/models";
import { cosineSimilarity } from "../checks/match";
import { descriptorFromBytes, sellerFaceAad } from "../../core/verification/face-template";
import { signalCaseChanged, signalReview } from "../../core/staff/signals";
import { enqueueSellerWebhooks } from "../../core/webhooks/delivery";
import { hashFromHex, isReplay } from "../checks/phash";
import { runChecks, toDecisionInput, type CheckReport } from "../checks/run-checks";
import { burstFaces, burstMotion, type BurstReport } from "../checks/burst";
import { sendVerdict } from "../notify";
import { markSellerUnreachable } from "../../core/verification/sellers";
import { documentAnalysis } from "./embed-document";

export interface VerifyDeps extends CoreDeps {
  engine: Engine;
  api: Api;
  i18n: I18n;
  metrics: CheckMetrics;
}

/**
 * One selfie submission: model checks, replay and duplicate-identity lookups, the
 * verdict policy, then the seller is told. Idempotent: the submission row says
 * whether the work is done; a job that finds a verdict only (re)delivers it.
 */
export async function verifySelfie(deps: VerifyDeps, job: Pick<Job<VerifyJob>, "data" | "id" | "attemptsMade">): Promise<string> {
  const parsed = verifyJobSchema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`bad job payload: ${parsed.error.message}`);
  const s = await loadSubmission(deps, parsed.data.submissionId);
  if (!s) throw new UnrecoverableError(`submission ${parsed.data.submissionId} not found`);
  if (s.status === "decided") return notifyOnce(deps, s);

  await claimSubmission(deps, s);
  await check(deps, s);
  // Decided now, by this run or (rarely) by a concurrent one: either way the stored verdict is told once.
  return notifyOnce(deps, (await loadSubmission(deps, s.id))!);
}

/** A Mini App burst's frames in capture order, and the one the checks run on; a chat photo is its own. */
async function selfieOf(deps: VerifyDeps, s: LoadedSubmission) {
  if (s.capture !== "webapp" || s.burstPhotoIds.length < 2) return { bytes: await deps.photos.get(s.photo.storageKey), photoId: s.photoId, frames: null, motion: null };
  const rows = await deps.db.photo.findMany({ where: { id: { in: s.burstPhotoIds } } });
  const ordered = s.burstPhotoIds.map((id) => rows.find((r) => r.id === id)).filter((r) => r !== undefined);
  const frames = await Promise.all(ordered.map((r) => deps.photos.get(r.storageKey)));
  const motion = await burstMotion(frames);
  return { bytes: frames[motion.best]!, photoId: ordered[motion.best]!.id, frames, motion };
}

async function check(deps: VerifyDeps, s: LoadedSubmission): Promise<void> {
  const c = s.case;
  const { bytes: selfie, photoId, frames, motion } = await selfieOf(deps, s);
  // The ID portrait of this case when it has one (analysed once, usually before the selfie
  // arrives): a first verification, or a recheck that went through the whole dialog; else,
  // on a recheck, the face enrolled at the last pass.
  const document = c.documentPhotoId ? await deps.db.photo.findUnique({ where: { id: c.documentPhotoId } }) : null;
  const portrait = document ? await documentAnalysis(deps, document) : null;
  const enrolled = !document && c.seller.faceEmbeddingEnc ? descriptorFromBytes(deps.crypto.open(c.seller.faceEmbeddingEnc, sellerFaceAad(c.sellerId))) : null;

  const report = await runChecks(deps.engine, { selfie, referenceEmbedding: portrait ? portrait.embedding : enrolled, gesture: s.gesture });
  deps.metrics.observeStages(report.timings);
  if (portrait) report.reference = portrait;
  const burst: BurstReport | null = frames && motion ? { ...motion, ...(await burstFaces(deps.engine, frames, motion.best, report.embedding)) } : null;

  let replayOf: string | null = null;
  if (report.phash && report.phashFine && report.phashChunks) {
    const mine = { h64: report.phash, fine: report.phashFine, chunks: report.phashChunks };
    await storePhotoHash(deps, photoId, mine);
    const me = { h64: hashFromHex(mine.h64), h256: Buffer.from(mine.fine, "hex") };
    for (const cand of await replayCandidates(deps, photoId, mine.chunks)) {
      if (!cand.phash || !cand.phashFine) continue;
      if (isReplay(me, { h64: hashFromHex(cand.phash), h256: Buffer.from(cand.phashFine, "hex") }, THRESHOLDS.replay)) {
        replayOf = cand.id;
        break;
      }
    }
  }

  const duplicate =
    report.embedding && report.faces.length === 1
      ? await findDuplicateFace(deps, c.sellerId, c.identity?.idNumberHmac ?? null, report.embedding, cosineSimilarity, descriptorFromBytes, THRESHOLDS.match.passScore)
      : null;

  const sharedIdNumberOf = await sharedIdNumberOwner(deps, c.sellerId, c.identity?.idNumberHmac ?? null);

  const th: Thresholds = { ...THRESHOLDS, attempts: { maxAttempts: c.maxAttempts } };
  const decision = decide(
    toDecisionInput(report, {
      matchExpected: Boolean(portrait || enrolled),
      replayHit: replayOf !== null,
      duplicateIdentity: duplicate !== null,
      sharedIdNumber: sharedIdNumberOf !== null,
      attempt: s.attempt,
      ...(burst ? { burst } : {}),
    }),
    th,
  );
  const outcome = await recordVerdict(deps, s, {
    verdict: decision.verdict,
    reasons: decision.reasons,
    scores: scoresOf(report, { replayOf, duplicateOf: duplicate?.sellerId ?? null, duplicateSimilarity: duplicate?.similarity ?? null, sharedIdNumberOf, burst }),
    embedding: report.embedding,
  });
  // Counted by the run that recorded it: a concurrent run that lost the race counts nothing.
  if (outcome.recorded) deps.metrics.verdict(decision.verdict, decision.reasons);
  // Staff hear of a review from this outcome, not from a poll; a case they already have a card for shows its new state.
  if (outcome.recorded && outcome.reviewAt) await signalReview(deps, s.caseId, outcome.reviewAt);
  else if (outcome.recorded) await signalCaseChanged(deps, s.caseId);
  // The marketplace hears of a pass or a review now (the sweep is the safety net).
  if (outcome.recorded) await enqueueSellerWebhooks(deps, c.sellerId);
}

/** Delivers the decided verdict unless it was delivered already (a retry after a crash between send and mark may repeat it once). */
async function notifyOnce(deps: VerifyDeps, s: LoadedSubmission): Promise<string> {
  if (s.notifiedAt) return `already notified: ${s.verdict}`;
  // `s` was loaded after the verdict was recorded: its seller already carries the new recheck date.
  const outcome = await sendVerdict(deps.api, deps.i18n, s, { verdict: s.verdict ?? "review", reasons: s.reasons as never }, s.case.seller.nextRecheckAt, () =>
    markSellerUnreachable(deps, { sellerId: s.case.sellerId }),
  );
  await markNotified(deps, s.id);
  // A card that showed "not delivered" (or "stuck") can stop saying so.
  await signalCaseChanged(deps, s.caseId);
  return `${s.verdict}: ${outcome}`;
}

/** What staff and calibration see: figures, never identity values or embeddings. */
function scoresOf(
  r: CheckReport,
  extra: { replayOf: string | null; duplicateOf: string | null; duplicateSimilarity: number | null; sharedIdNumberOf: string | null; burst: BurstReport | null },
) {
  return {
    faces: r.faces.map((f) => ({ score: f.score, heightRatio: f.heightRatio, outsideRatio: f.outsideRatio, brightness: f.brightness, sharpness: f.sharpness })),
    referenceFaces: r.reference?.faces ?? null,
    matchScore: r.matchScore,
    gestureRequested: r.gestureRequested,
    gesturesDetected: r.gesturesDetected,
    hands: r.hands.map((h) => ({ presence: h.presence, nearFace: h.nearFace, gestures: h.gestures, source: h.source })),
    timings: { ...r.timings },
    replayOf: extra.replayOf,
    duplicateOf: extra.duplicateOf,
    duplicateSimilarity: extra.duplicateSimilarity,
    sharedIdNumberOf: extra.sharedIdNumberOf,
    burst: extra.burst ? { ...extra.burst } : null,
  };
}

import { audit } from "../audit";
import type { CoreDeps } from "../deps";
import type { CaseStatus, VerificationCase } from "../db/client";
import { CaptureRefused, UserError } from "../errors";
import { enqueueEmbedDocument, enqueueVerify } from "../jobs";
import { maskIdNumber, maskName, maskPhone } from "../identity/mask";
import { defaultCountryFor, normalizePhone } from "../identity/phone";
import { isIdRegion, type IdRegion } from "../identity/regions";
import { intakePhoto } from "../photos/intake";
import { DIALOG_STATUSES, assertTransition, sourcesOf } from "./case-state";
import { pickGesture, type Gesture } from "./gestures";
import { signalCaseChanged, signalReview } from "../staff/signals";
import { emitSellerEvent } from "../webhooks/outbox";
import { enqueueSellerWebhooks } from "../webhooks/delivery";

/**
 * What the seller dialog does to the database, as plain functions. The bot's
 * conversation calls each of them inside `conversation.external()`, so each runs
 * once per dialog however often the conversation is replayed.
 */

type Deps = Pick<CoreDeps, "db" | "crypto" | "now">;

const actor = (userId: number) => ({ actorType: "seller" as const, actorId: String(userId) });

/** Compare-and-set status change: fails when another process moved the case first. */
async function moveCase(deps: Pick<CoreDeps, "db">, c: { id: string; status: CaseStatus }, to: CaseStatus, data: Record<string, unknown> = {}): Promise<void> {
  assertTransition(c.status, to);
  const res = await deps.db.verificationCase.updateMany({
    where: { id: c.id, status: { in: sourcesOf(to) } },
    data: { status: to, ...data },
  });
  if (res.count !== 1) throw new UserError("verify-case-moved");
}

export async function openDialogCase(deps: Pick<CoreDeps, "db">, sellerId: string): Promise<VerificationCase | null> {
  return deps.db.verificationCase.findFirst({
    where: { sellerId, status: { in: [...DIALOG_STATUSES] } },
    orderBy: { createdAt: "desc" },
  });
}

export async function latestCase(deps: Pick<CoreDeps, "db">, sellerId: string): Promise<VerificationCase | null> {
  return deps.db.verificationCase.findFirst({ where: { sellerId }, orderBy: { createdAt: "desc" } });
}

/** A new initial case; any case still in the dialog is cancelled first (a restart). */
export async function startCase(deps: Pick<CoreDeps, "db" | "config" | "now">, sellerId: string, userId: number): Promise<VerificationCase> {
  const open = await deps.db.verificationCase.findMany({ where: { sellerId, status: { in: ["collecting", "awaiting_selfie"] } } });
  for (const c of open) await moveCase(deps, c, "cancelled", { closedAt: deps.now() });
  // On the core clock, like every time the rules compare (stats: /start to verdict).
  const c = await deps.db.verificationCase.create({
    data: { sellerId, kind: "initial", status: "collecting", maxAttempts: deps.config.MAX_ATTEMPTS, createdAt: deps.now() },
  });
  await audit(deps.db, { ...actor(userId), action: "case.started", sellerId, caseId: c.id, data: { cancelled: open.map((o) => o.id) } });
  return c;
}

export async function cancelCase(deps: Pick<CoreDeps, "db" | "now" | "staffQueue" | "log">, caseId: string, userId: number): Promise<boolean> {
  const c = await deps.db.verificationCase.findUnique({ where: { id: caseId } });
  if (!c || !["collecting", "awaiting_selfie", "failed"].includes(c.status)) return false;
  await moveCase(deps, c, "cancelled", { closedAt: deps.now() });
  await audit(deps.db, { ...actor(userId), action: "case.cancelled", sellerId: c.sellerId, caseId, data: { before: { status: c.status }, after: { status: "cancelled" } } });
  await signalCaseChanged(deps, caseId);
  return true;
}

export async function recordConsent(deps: Deps, caseId: string, userId: number, what: "data" | "face"): Promise<void> {
  const c = await deps.db.verificationCase.update({
    where: { id: caseId },
    data: what === "data" ? { consentAt: deps.now() } : { faceConsentAt: deps.now() },
  });
  await audit(deps.db, { ...actor(userId), action: `consent.${what}`, sellerId: c.sellerId, caseId });
}

/** The seller declined automated checks: staff verify by hand instead, and hear of it within seconds. */
export async function requestManualReview(deps: Deps & Pick<CoreDeps, "staffQueue" | "log" | "config" | "webhookQueue">, caseId: string, userId: number): Promise<void> {
  const c = await deps.db.verificationCase.findUniqueOrThrow({ where: { id: caseId } });
  const reviewAt = deps.now();
  await deps.db.$transaction(async (tx) => {
    await moveCase({ db: tx as never }, c, "review", { manualReview: true, reviewAt });
    await audit(tx, {
      ...actor(userId),
      action: "case.manual_review_requested",
      sellerId: c.sellerId,
      caseId,
      data: { faceConsent: c.faceConsentAt !== null, before: { status: c.status }, after: { status: "review" } },
    });
    await emitSellerEvent(deps, tx, { sellerId: c.sellerId, type: "seller.review", caseId, reasons: ["manual-review"], at: reviewAt });
  });
  await signalReview(deps, caseId, reviewAt);
  await enqueueSellerWebhooks(deps, c.sellerId);
}

export interface IdentityInput {
  region: IdRegion;
  name: string;
  idNumber: string;
  /** E.164 */
  phone: string;
}

/**
 * Checks the shared contact against the phone the shop reserved with the
 * marketplace (compared by HMAC of the E.164 form). Returns the E.164 number.
 */
export async function checkPhone(
  deps: Pick<CoreDeps, "db" | "crypto">,
  sellerId: string,
  rawPhone: string,
  region: IdRegion,
): Promise<string> {
  const phone = normalizePhone(rawPhone, defaultCountryFor(region));
  if (!phone) throw new UserError("verify-phone-invalid");
  const seller = await deps.db.seller.findUniqueOrThrow({ where: { id: sellerId } });
  if (seller.reservedPhoneHmac && !deps.crypto.sameDigest(seller.reservedPhoneHmac, deps.crypto.hmac("phone", phone))) {
    throw new UserError("verify-phone-mismatch", { reserved: seller.reservedPhoneMask ?? "" });
  }
  return phone;
}

/** Seals the identity fields and attaches them to the case; flags an ID number already used by another seller. */
export async function saveIdentity(deps: Deps, caseId: string, userId: number, input: IdentityInput): Promise<{ duplicate: boolean }> {
  const c = await deps.db.verificationCase.findUniqueOrThrow({ where: { id: caseId } });
  const aad = `identity:${c.sellerId}`;
  const idHmac = deps.crypto.hmac(`id:${input.region}`, input.idNumber);
  const other = await deps.db.identity.findFirst({ where: { idNumberHmac: idHmac, sellerId: { not: c.sellerId } }, select: { sellerId: true } });
  const identity = await deps.db.identity.create({
    data: {
      sellerId: c.sellerId,
      region: input.region,
      keyId: deps.crypto.keyId,
      nameEnc: deps.crypto.seal(input.name, aad),
      nameMask: maskName(input.name),
      idNumberEnc: deps.crypto.seal(input.idNumber, aad),
      idNumberHmac: idHmac,
      idNumberMask: maskIdNumber(input.idNumber),
      phoneEnc: deps.crypto.seal(input.phone, aad),
      phoneHmac: deps.crypto.hmac("phone", input.phone),
      phoneMask: maskPhone(input.phone),
    },
  });
  await deps.db.verificationCase.update({ where: { id: caseId }, data: { identityId: identity.id } });
  if (other) {
    // Same ID number behind another shop: not the seller's fault to fix, so staff decide.
    await deps.db.seller.update({ where: { id: c.sellerId }, data: { riskFlags: { push: "duplicate-id-number" } } });
  }
  await audit(deps.db, {
    ...actor(userId),
    action: "identity.saved",
    sellerId: c.sellerId,
    caseId,
    data: { identityId: identity.id, region: input.region, idNumber: identity.idNumberMask, duplicateOf: other?.sellerId ?? null },
  });
  return { duplicate: Boolean(other) };
}

function intake(deps: Pick<CoreDeps, "config">, bytes: Buffer) {
  return intakePhoto(bytes, {
    maxBytes: deps.config.MAX_PHOTO_BYTES,
    minSide: deps.config.MIN_PHOTO_SIDE,
    maxPixels: deps.config.MAX_PHOTO_PIXELS,
  });
}

async function storePhoto(deps: Pick<CoreDeps, "db" | "photos" | "config">, sellerId: string, caseId: string, kind: "id_document" | "selfie", bytes: Buffer) {
  return putPhoto(deps, sellerId, caseId, kind, await intake(deps, bytes));
}

async function putPhoto(deps: Pick<CoreDeps, "db" | "photos">, sellerId: string, caseId: string, kind: "id_document" | "selfie", img: Awaited<ReturnType<typeof intakePhoto>>) {
  const stored = await deps.photos.put(img.jpeg);
  return deps.db.photo.create({
    data: { sellerId, caseId, kind, storageKey: stored.key, sha256: stored.sha256, width: img.width, height: img.height },
  });
}

/** The ID region the seller chose for this case (a retake of the document photo names it again). */
export async function caseRegion(deps: Pick<CoreDeps, "db">, caseId: string): Promise<IdRegion> {
  const c = await deps.db.verificationCase.findUniqueOrThrow({ where: { id: caseId }, include: { identity: { select: { region: true } } } });
  const region = c.identity?.region;
  if (!region || !isIdRegion(region)) throw new UserError("verify-case-moved");
  return region;
}

export async function saveDocumentPhoto(deps: Pick<CoreDeps, "db" | "photos" | "config" | "verifyQueue" | "log">, caseId: string, userId: number, bytes: Buffer): Promise<void> {
  const c = await deps.db.verificationCase.findUniqueOrThrow({ where: { id: caseId } });
  const photo = await storePhoto(deps, c.sellerId, caseId, "id_document", bytes);
  await deps.db.verificationCase.update({ where: { id: caseId }, data: { documentPhotoId: photo.id } });
  await audit(deps.db, { ...actor(userId), action: "photo.document_saved", sellerId: c.sellerId, caseId, data: { photoId: photo.id } });
  try {
    await enqueueEmbedDocument(deps.verifyQueue, { photoId: photo.id });
  } catch (err) {
    // Only a head start: the selfie check embeds the document itself when this is missing.
    deps.log.warn({ err, photoId: photo.id }, "could not enqueue the document embedding");
  }
}

export interface Challenge {
  gesture: Gesture;
  deadline: Date;
  /** the single-use token of this challenge's camera capture (the Mini App); absent when SELFIE_CAPTURE=photo */
  captureToken?: string;
}

const DAY_MS = 86_400_000;

/**
 * Selfies a seller may still send within 24 hours (core clock), across all their cases
 * (MAX_ATTEMPTS_PER_DAY): a flood of attempts, or a seller trying one borrowed photo
 * after another, waits. `nextAt`: when the oldest of the day's selfies drops out.
 */
export async function dailyAttempts(deps: Pick<CoreDeps, "db" | "config" | "now">, sellerId: string): Promise<{ left: number; nextAt: Date | null }> {
  const now = deps.now();
  const max = deps.config.MAX_ATTEMPTS_PER_DAY;
  const recent = await deps.db.submission.findMany({
    where: { case: { sellerId }, createdAt: { gt: new Date(now.getTime() - DAY_MS) } },
    orderBy: { createdAt: "asc" },
    select: { createdAt: true },
    take: max,
  });
  return { left: Math.max(0, max - recent.length), nextAt: recent.length >= max ? new Date(recent[0]!.createdAt.getTime() + DAY_MS) : null };
}

export interface DailyLimit {
  max: number;
  hours: number;
  minutes: number;
}

/** How long the seller waits, as verify-daily-limit's arguments. */
function dailyLimit(deps: Pick<CoreDeps, "config" | "now">, nextAt: Date): DailyLimit {
  const minutes = Math.max(1, Math.ceil((nextAt.getTime() - deps.now().getTime()) / 60_000));
  return { max: deps.config.MAX_ATTEMPTS_PER_DAY, hours: Math.floor(minutes / 60), minutes: minutes % 60 };
}

/** A fresh random gesture with a deadline; a retake or a late selfie never gets the same gesture twice in a row. */
export async function issueChallenge(deps: Pick<CoreDeps, "db" | "config" | "crypto" | "now" | "staffQueue" | "log">, caseId: string, userId: number): Promise<Challenge> {
  const c = await deps.db.verificationCase.findUniqueOrThrow({ where: { id: caseId } });
  // Told before the photo is taken, not after.
  const daily = await dailyAttempts(deps, c.sellerId);
  if (daily.nextAt) throw new UserError("verify-daily-limit", { ...dailyLimit(deps, daily.nextAt) });
  const gesture = pickGesture(c.gesture);
  const now = deps.now();
  const deadline = new Date(now.getTime() + deps.config.CHALLENGE_TTL_SECONDS * 1000);
  // A new challenge replaces the last one's capture token: an old camera link cannot answer this gesture.
  const capture = deps.config.SELFIE_CAPTURE === "photo" ? null : deps.crypto.newToken();
  await moveCase(deps, c, "awaiting_selfie", { gesture, challengeIssuedAt: now, challengeDeadline: deadline, captureTokenHmac: capture?.digest ?? null });
  await audit(deps.db, { ...actor(userId), action: "challenge.issued", sellerId: c.sellerId, caseId, data: { gesture, deadline: deadline.toISOString() } });
  // A retake staff asked for: the card shows that the seller is on it.
  if (c.status === "failed") await signalCaseChanged(deps, caseId);
  return { gesture, deadline, ...(capture ? { captureToken: capture.token } : {}) };
}

export type SelfieOutcome = { kind: "queued"; submissionId: string; attempt: number } | { kind: "late" } | { kind: "limited"; wait: DailyLimit };

/**
 * Stores the selfie: the submission row and the case move to `queued` in one
 * transaction. The check itself is queued by `queueCheck`, once the seller has been
 * told it is running (a verdict must never arrive before "checking your photos").
 * The database is the source of truth: the sweep queues a submission whose job is lost.
 */
export async function submitSelfie(deps: CoreDeps, caseId: string, userId: number, bytes: Buffer): Promise<SelfieOutcome> {
  const c = await deps.db.verificationCase.findUniqueOrThrow({ where: { id: caseId } });
  return submitFrames(deps, c, userId, [bytes], null);
}

/**
 * SELFIE_CAPTURE=webapp: a photo sent in the chat is not taken (it may come from the gallery). Past the
 * deadline it still earns a new challenge, as a late chat photo does, so the seller is never stuck.
 */
export async function chatSelfieRefused(deps: Pick<CoreDeps, "db" | "now">, caseId: string): Promise<{ kind: "late" } | { kind: "camera-only" }> {
  const c = await deps.db.verificationCase.findUniqueOrThrow({ where: { id: caseId } });
  if (c.status !== "awaiting_selfie") throw new UserError("verify-case-moved");
  return !c.challengeDeadline || c.challengeDeadline < deps.now() ? { kind: "late" } : { kind: "camera-only" };
}

/** Where a camera capture token leads: the case, if the token is the current challenge's and the user is its seller. */
export async function captureCase(deps: Pick<CoreDeps, "db" | "crypto" | "now">, token: string, userId: number): Promise<VerificationCase & { gesture: string }> {
  return caseOfCapture(deps, captureDigest(deps, token), userId);
}

function captureDigest(deps: Pick<CoreDeps, "crypto">, token: string): Buffer<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(token)) throw new CaptureRefused(400, "bad-token", "capture-error-link");
  return deps.crypto.hmac("token", token);
}

async function caseOfCapture(deps: Pick<CoreDeps, "db">, digest: Buffer<ArrayBuffer>, userId: number): Promise<VerificationCase & { gesture: string }> {
  const c = await deps.db.verificationCase.findUnique({
    where: { captureTokenHmac: digest },
    include: { seller: { select: { telegramUserId: true } } },
  });
  // Used, replaced by a newer challenge, or never issued: all the same to the page.
  if (!c) throw new CaptureRefused(409, "token-used", "capture-error-used");
  if (c.seller.telegramUserId !== BigInt(userId)) throw new CaptureRefused(403, "not-your-case", "capture-error-not-yours");
  if (c.status !== "awaiting_selfie" || !c.gesture) throw new CaptureRefused(409, "case-moved", "capture-error-used");
  const { seller: _seller, ...rest } = c;
  return { ...rest, gesture: c.gesture };
}

/**
 * The Mini App's burst: the frames go through the same intake as a chat photo, and the token is
 * used up in the transaction that queues them, so a second upload with it changes nothing.
 * Every frame is checked before any is stored: a refused burst leaves nothing behind.
 */
export async function submitCapture(deps: CoreDeps, token: string, userId: number, frames: Buffer[]): Promise<SelfieOutcome & { caseId: string }> {
  const digest = captureDigest(deps, token);
  const c = await caseOfCapture(deps, digest, userId);
  return { ...(await submitFrames(deps, c, userId, frames, digest)), caseId: c.id };
}

async function submitFrames(deps: CoreDeps, c: VerificationCase, userId: number, frames: Buffer[], captureDigest: Buffer<ArrayBuffer> | null): Promise<SelfieOutcome> {
  const caseId = c.id;
  if (c.status !== "awaiting_selfie" || !c.gesture) throw new UserError("verify-case-moved");
  if (!c.challengeDeadline || c.challengeDeadline < deps.now()) {
    await audit(deps.db, { ...actor(userId), action: "challenge.late", sellerId: c.sellerId, caseId, data: { gesture: c.gesture } });
    return { kind: "late" };
  }
  const daily = await dailyAttempts(deps, c.sellerId);
  if (daily.nextAt) {
    await audit(deps.db, { ...actor(userId), action: "selfie.daily_limit", sellerId: c.sellerId, caseId, data: { nextAt: daily.nextAt.toISOString() } });
    return { kind: "limited", wait: dailyLimit(deps, daily.nextAt) };
  }
  const images = [];
  for (const f of frames) images.push(await intake(deps, f));
  const photos: { id: string }[] = [];
  for (const img of images) photos.push(await putPhoto(deps, c.sellerId, caseId, "selfie", img));
  const capture = captureDigest ? "webapp" : "chat";
  const attempt = c.attempts + 1;
  const submission = await deps.db.$transaction(async (tx) => {
    const moved = await tx.verificationCase.updateMany({
      where: { id: caseId, status: "awaiting_selfie", attempts: c.attempts, ...(captureDigest ? { captureTokenHmac: captureDigest } : {}) },
      data: { status: "queued", attempts: attempt, captureTokenHmac: null },
    });
    if (moved.count !== 1) throw captureDigest ? new CaptureRefused(409, "token-used", "capture-error-used") : new UserError("verify-case-moved");
    const s = await tx.submission.create({
      data: {
        caseId, attempt, gesture: c.gesture!, photoId: photos[0]!.id, createdAt: deps.now(), capture,
        burstPhotoIds: captureDigest ? photos.map((p) => p.id) : [],
      },
    });
    await audit(tx, { ...actor(userId), action: "selfie.submitted", sellerId: c.sellerId, caseId, data: { submissionId: s.id, attempt, photoId: photos[0]!.id, capture, frames: photos.length } });
    return s;
  });
  if (attempt > 1) await signalCaseChanged(deps, caseId);
  return { kind: "queued", submissionId: submission.id, attempt };
}

/** Queues the check of a stored selfie; the job id is the submission's, so a repeat is a no-op. */
export async function queueCheck(deps: Pick<CoreDeps, "verifyQueue" | "log">, submissionId: string, caseId: string): Promise<void> {
  try {
    await enqueueVerify(deps.verifyQueue, { submissionId, caseId });
  } catch (err) {
    // Not fatal for the seller: the submission is safe in PostgreSQL and the sweep re-enqueues it.
    deps.log.error({ err, submissionId }, "enqueue failed; left for the sweep");
  }
}

export interface CaseSummary {
  status: CaseStatus;
  kind: VerificationCase["kind"];
  attempts: number;
  maxAttempts: number;
  gesture: string | null;
  deadline: Date | null;
  reasons: string[];
  idNumberMask: string | null;
  phoneMask: string | null;
  /** the reason staff gave when they rejected the case */
  rejectReason: string | null;
}

export async function caseSummary(deps: Pick<CoreDeps, "db">, sellerId: string): Promise<CaseSummary | null> {
  const c = await deps.db.verificationCase.findFirst({
    where: { sellerId },
    orderBy: { createdAt: "desc" },
    include: {
      identity: { select: { idNumberMask: true, phoneMask: true } },
      decisions: { where: { action: "reject" }, orderBy: { at: "desc" }, take: 1, select: { reason: true } },
    },
  });
  if (!c) return null;
  return {
    status: c.status,
    kind: c.kind,
    attempts: c.attempts,
    maxAttempts: c.maxAttempts,
    gesture: c.gesture,
    deadline: c.challengeDeadline,
    reasons: c.reasons,
    idNumberMask: c.identity?.idNumberMask ?? null,
    phoneMask: c.identity?.phoneMask ?? null,
    rejectReason: c.decisions[0]?.reason ?? null,
  };
}

import type { CoreDeps } from "../deps";
import type { CaseKind, CaseStatus, SellerStatus, StaffAction, SubmissionStatus, Verdict } from "../db/client";
import { staffNames } from "./roles";

/**
 * Everything a staff card shows about one case, read in one place: masked identity,
 * the latest attempt's figures, who holds the case, what was decided. Plain data, so
 * the renderer (card.ts) is a pure function and the tests can read the same figures.
 */
export interface CaseView {
  id: string;
  status: CaseStatus;
  kind: CaseKind;
  manualReview: boolean;
  faceConsent: boolean;
  attempts: number;
  maxAttempts: number;
  reasons: string[];
  createdAt: Date;
  reviewAt: Date | null;
  closedAt: Date | null;
  claimedBy: { id: string; name: string } | null;
  seller: { id: string; shopId: string | null; shopName: string | null; status: SellerStatus; telegramUserId: string | null; unreachable: boolean };
  identity: { region: string; nameMask: string; idNumberMask: string; phoneMask: string | null } | null;
  latest: {
    attempt: number;
    status: SubmissionStatus;
    verdict: Verdict | null;
    gesture: string;
    createdAt: Date;
    decidedAt: Date | null;
    notifiedAt: Date | null;
    matchScore: number | null;
    gesturesDetected: string[];
    photo: { id: string; storageKey: string; purged: boolean };
  } | null;
  /** the ID document photo of the case, or for a recheck the selfie the seller was last enrolled with */
  reference: { id: string; storageKey: string; purged: boolean; kind: "document" | "enrolled" } | null;
  /** another shop with the same face (duplicate identity), masked */
  duplicateFace: { shop: string; nameMask: string | null; similarity: number | null } | null;
  /** another shop that gave the same ID number, masked */
  sharedIdNumber: { shop: string; nameMask: string | null } | null;
  lastDecision: { action: StaffAction; reason: string | null; by: string; at: Date; notifiedAt: Date | null } | null;
  card: { chatId: string; messageId: number; hasPhoto: boolean; imageKey: string | null; revealUntil: Date | null; renderedAt: Date } | null;
}

interface Scores {
  matchScore?: number | null;
  gesturesDetected?: string[];
  duplicateOf?: string | null;
  duplicateSimilarity?: number | null;
  sharedIdNumberOf?: string | null;
}

/** "S1001" -> "S1***01": enough for staff to tell shops apart, not to read one off a screen. */
export function maskLabel(s: string): string {
  const chars = [...s];
  if (chars.length <= 2) return `${chars[0] ?? ""}***`;
  if (chars.length <= 5) return `${chars[0]}***${chars.at(-1)}`;
  return `${chars.slice(0, 2).join("")}***${chars.slice(-2).join("")}`;
}

async function otherShop(deps: Pick<CoreDeps, "db">, sellerId: string | null | undefined): Promise<{ shop: string; nameMask: string | null } | null> {
  if (!sellerId) return null;
  const s = await deps.db.seller.findUnique({
    where: { id: sellerId },
    select: { id: true, shopId: true, telegramUserId: true, identities: { select: { nameMask: true }, orderBy: { createdAt: "desc" }, take: 1 } },
  });
  if (!s) return null;
  const label = s.shopId ?? (s.telegramUserId !== null ? `tg ${s.telegramUserId}` : s.id.slice(0, 8));
  return { shop: maskLabel(label), nameMask: s.identities[0]?.nameMask ?? null };
}

export async function loadCaseView(deps: Pick<CoreDeps, "db">, caseId: string): Promise<CaseView | null> {
  const c = await deps.db.verificationCase.findUnique({
    where: { id: caseId },
    include: {
      seller: { select: { id: true, shopId: true, shopName: true, status: true, telegramUserId: true, unreachableAt: true } },
      identity: { select: { region: true, nameMask: true, idNumberMask: true, phoneMask: true } },
      submissions: { orderBy: { attempt: "desc" }, take: 1, include: { photo: { select: { id: true, storageKey: true, purgedAt: true } } } },
      decisions: { orderBy: { at: "desc" }, take: 1 },
      staffCard: true,
    },
  });
  if (!c) return null;
  const sub = c.submissions[0] ?? null;
  const scores = (sub?.scores ?? {}) as Scores;
  const decision = c.decisions[0] ?? null;
  const names = await staffNames(deps, [c.claimedBy, decision?.actorId]);

  let reference: CaseView["reference"] = null;
  if (c.documentPhotoId) {
    const p = await deps.db.photo.findUnique({ where: { id: c.documentPhotoId }, select: { id: true, storageKey: true, purgedAt: true } });
    if (p) reference = { id: p.id, storageKey: p.storageKey, purged: p.purgedAt !== null, kind: "document" };
  } else if (c.kind !== "initial") {
    const enrolled = await deps.db.submission.findFirst({
      where: { case: { sellerId: c.sellerId }, verdict: "pass" },
      orderBy: { decidedAt: "desc" },
      select: { photo: { select: { id: true, storageKey: true, purgedAt: true } } },
    });
    if (enrolled) reference = { id: enrolled.photo.id, storageKey: enrolled.photo.storageKey, purged: enrolled.photo.purgedAt !== null, kind: "enrolled" };
  }

  const duplicate = await otherShop(deps, scores.duplicateOf);
  return {
    id: c.id,
    status: c.status,
    kind: c.kind,
    manualReview: c.manualReview,
    faceConsent: c.faceConsentAt !== null,
    attempts: c.attempts,
    maxAttempts: c.maxAttempts,
    reasons: c.reasons,
    createdAt: c.createdAt,
    reviewAt: c.reviewAt,
    closedAt: c.closedAt,
    claimedBy: c.claimedBy !== null ? { id: String(c.claimedBy), name: names.get(String(c.claimedBy)) ?? String(c.claimedBy) } : null,
    seller: {
      id: c.seller.id,
      shopId: c.seller.shopId,
      shopName: c.seller.shopName,
      status: c.seller.status,
      telegramUserId: c.seller.telegramUserId !== null ? String(c.seller.telegramUserId) : null,
      unreachable: c.seller.unreachableAt !== null,
    },
    identity: c.identity,
    latest: sub && {
      attempt: sub.attempt,
      status: sub.status,
      verdict: sub.verdict,
      gesture: sub.gesture,
      createdAt: sub.createdAt,
      decidedAt: sub.decidedAt,
      notifiedAt: sub.notifiedAt,
      matchScore: typeof scores.matchScore === "number" ? scores.matchScore : null,
      gesturesDetected: Array.isArray(scores.gesturesDetected) ? scores.gesturesDetected : [],
      photo: { id: sub.photo.id, storageKey: sub.photo.storageKey, purged: sub.photo.purgedAt !== null },
    },
    reference,
    duplicateFace: duplicate && { ...duplicate, similarity: scores.duplicateSimilarity ?? null },
    sharedIdNumber: await otherShop(deps, scores.sharedIdNumberOf),
    lastDecision: decision && {
      action: decision.action,
      reason: decision.reason,
      by: names.get(String(decision.actorId)) ?? String(decision.actorId),
      at: decision.at,
      notifiedAt: decision.notifiedAt,
    },
    card: c.staffCard && {
      chatId: String(c.staffCard.chatId),
      messageId: c.staffCard.messageId,
      hasPhoto: c.staffCard.hasPhoto,
      imageKey: c.staffCard.imageKey,
      revealUntil: c.staffCard.revealUntil,
      renderedAt: c.staffCard.renderedAt,
    },
  };
}

/** The full ID number, for an admin's timed reveal only. */
export async function openIdNumber(deps: Pick<CoreDeps, "db" | "crypto">, caseId: string): Promise<string | null> {
  const c = await deps.db.verificationCase.findUnique({ where: { id: caseId }, select: { sellerId: true, identity: { select: { idNumberEnc: true } } } });
  // Purged (retention, /deleteme): only the mask is left.
  if (!c?.identity?.idNumberEnc) return null;
  return deps.crypto.openText(c.identity.idNumberEnc, `identity:${c.sellerId}`);
}

/** The audit trail of a case, oldest first (ids, codes and masks only, as written). */
export async function caseTrail(deps: Pick<CoreDeps, "db">, caseId: string, limit = 40) {
  const rows = await deps.db.auditEvent.findMany({ where: { caseId }, orderBy: { id: "desc" }, take: limit });
  return rows.reverse();
}

/** The photos a card shows, as one key: the image is replaced only when they change. */
export function imageKeyOf(v: CaseView): string | null {
  const left = v.reference && !v.reference.purged ? v.reference.id : "-";
  const right = v.latest && !v.latest.photo.purged ? v.latest.photo.id : "-";
  return left === "-" && right === "-" ? null : `${left}|${right}`;
}

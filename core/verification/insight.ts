import type { CoreDeps } from "../deps";
import { THRESHOLDS } from "./thresholds";

/**
 * One seller as the web sandbox's side panel shows it: the shop the marketplace imported,
 * the latest case, each attempt's check figures and the queues' depth. Read-only and masked
 * like a staff card: no full ID number, phone or name, no photo or embedding, no other
 * seller's id (a replay or a duplicate face is a yes/no with its figure).
 */
export interface SellerInsight {
  at: string;
  shop: {
    shop_id: string | null;
    shop_name: string | null;
    status: string;
    reserved_phone: string | null;
    bound: boolean;
    next_recheck_at: string | null;
    last_verified_at: string | null;
    restricted: boolean;
  } | null;
  case: {
    id: string;
    kind: string;
    status: string;
    attempts: number;
    max_attempts: number;
    gesture: string | null;
    challenge_deadline: string | null;
    verdict: string | null;
    reasons: string[];
    manual_review: boolean;
    claimed: boolean;
    identity: { region: string; name: string; id_number: string; phone: string | null } | null;
    has_document_photo: boolean;
  } | null;
  checks: InsightCheck[];
  thresholds: { match_pass: number; match_fail: number; face_min_score: number; hand_min_presence: number };
  queues: Record<"verify" | "staff", Record<string, number>>;
}

export interface InsightCheck {
  attempt: number;
  status: string;
  verdict: string | null;
  reasons: string[];
  gesture: string;
  /** from the selfie's arrival to the verdict */
  seconds: number | null;
  faces: { score: number; heightRatio: number; brightness: number; sharpness: number }[] | null;
  reference_faces: number | null;
  match_score: number | null;
  hands: { presence: number; nearFace: boolean; gestures: string[]; source: string }[] | null;
  gestures_detected: string[] | null;
  replay: boolean | null;
  duplicate_face: { similarity: number | null } | null;
  shared_id_number: boolean | null;
  timings_ms: Record<string, number> | null;
  /** how the selfie came: "chat" or "webapp" (a Mini App burst, with its live-camera figures) */
  capture: string;
  burst: { frames: number; motion: number; still: boolean; minSimilarity: number | null; consistent: boolean; best: number } | null;
}

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const arr = <T>(v: unknown): T[] | null => (Array.isArray(v) ? (v as T[]) : null);
const QUEUE_STATES = ["waiting", "prioritized", "active", "delayed", "failed"] as const;

export async function sellerInsight(
  deps: Pick<CoreDeps, "db" | "verifyQueue" | "staffQueue" | "now">,
  who: { userId: number; shopId?: string },
): Promise<SellerInsight> {
  const seller =
    (await deps.db.seller.findUnique({ where: { telegramUserId: BigInt(who.userId) } })) ??
    (who.shopId ? await deps.db.seller.findUnique({ where: { shopId: who.shopId } }) : null);
  const c = seller
    ? await deps.db.verificationCase.findFirst({
        where: { sellerId: seller.id },
        orderBy: { createdAt: "desc" },
        include: { identity: true, submissions: { orderBy: { attempt: "asc" } } },
      })
    : null;
  const [verify, staff] = await Promise.all([deps.verifyQueue.getJobCounts(...QUEUE_STATES), deps.staffQueue.getJobCounts(...QUEUE_STATES)]);
  return {
    at: deps.now().toISOString(),
    shop: seller
      ? {
          shop_id: seller.shopId,
          shop_name: seller.shopName,
          status: seller.status,
          reserved_phone: seller.reservedPhoneMask,
          bound: seller.telegramUserId !== null,
          next_recheck_at: iso(seller.nextRecheckAt),
          last_verified_at: iso(seller.lastVerifiedAt),
          restricted: seller.restrictedAt !== null,
        }
      : null,
    case: c
      ? {
          id: c.id.slice(0, 8),
          kind: c.kind,
          status: c.status,
          attempts: c.attempts,
          max_attempts: c.maxAttempts,
          gesture: c.gesture,
          challenge_deadline: iso(c.challengeDeadline),
          verdict: c.verdict,
          reasons: c.reasons,
          manual_review: c.manualReview,
          claimed: c.claimedBy !== null,
          identity: c.identity
            ? { region: c.identity.region, name: c.identity.nameMask, id_number: c.identity.idNumberMask, phone: c.identity.phoneMask }
            : null,
          has_document_photo: c.documentPhotoId !== null,
        }
      : null,
    checks: (c?.submissions ?? []).map((s) => {
      const sc = (s.scores ?? {}) as Record<string, unknown>;
      const has = s.scores !== null;
      return {
        attempt: s.attempt,
        status: s.status,
        verdict: s.verdict,
        reasons: s.reasons,
        gesture: s.gesture,
        seconds: s.decidedAt ? Math.round((s.decidedAt.getTime() - s.createdAt.getTime()) / 100) / 10 : null,
        faces: arr(sc.faces),
        reference_faces: num(sc.referenceFaces),
        match_score: num(sc.matchScore),
        hands: arr(sc.hands),
        gestures_detected: arr(sc.gesturesDetected),
        replay: has ? sc.replayOf !== null && sc.replayOf !== undefined : null,
        duplicate_face: has && sc.duplicateOf ? { similarity: num(sc.duplicateSimilarity) } : null,
        shared_id_number: has ? Boolean(sc.sharedIdNumberOf) : null,
        timings_ms: (sc.timings ?? null) as Record<string, number> | null,
        capture: s.capture,
        burst: (sc.burst ?? null) as InsightCheck["burst"],
      };
    }),
    thresholds: {
      match_pass: THRESHOLDS.match.passScore,
      match_fail: THRESHOLDS.match.failScore,
      face_min_score: THRESHOLDS.face.minScore,
      hand_min_presence: THRESHOLDS.hands.minPresence,
    },
    queues: { verify, staff },
  };
}

import { THRESHOLDS, type Thresholds } from "./thresholds";

/**
 * The verdict policy: pure, no I/O. Fail reasons are things the seller can fix
 * with a retake; review goes to staff (uncertain scores, duplicate identity,
 * attempts exhausted). A seller sees the reason's sentence, never a score.
 */
export const REASON_CODES = [
  "unreadable-image",
  "no-face",
  "multiple-faces",
  "face-too-small",
  "face-cut-off",
  "too-dark",
  "too-blurry",
  "reference-unusable",
  "face-mismatch",
  "gesture-not-detected",
  "wrong-gesture",
  "replayed-photo",
  "still-image",
  "burst-mismatch",
  "duplicate-identity",
  "attempts-exhausted",
  "face-match-uncertain",
  "quality-uncertain",
  "duplicate-id-number",
  "no-reference",
  "check-failed",
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];
export type Verdict = "pass" | "fail" | "review";

export interface FaceFigures {
  heightRatio: number;
  outsideRatio: number;
  brightness: number;
  sharpness: number;
}

export interface DecisionInput {
  /** The selfie could not be decoded. */
  unreadable?: boolean;
  /** Faces counted on the selfie (after the score threshold and nested-box removal). */
  faces: readonly FaceFigures[];
  /** A face match was asked for (an ID photo or an enrolled embedding exists). */
  matchExpected: boolean;
  /** Initial check: faces counted on the ID document; null on a recheck (the enrolled embedding is the reference). */
  referenceFaces: number | null;
  /** The ID document could not be decoded (counts as unusable). */
  referenceUnreadable?: boolean;
  /** Similarity of selfie and reference (ID portrait or enrolled embedding); null when it could not be computed. */
  matchScore: number | null;
  /** Requested gesture; null = no gesture challenge. */
  gestureRequested: string | null;
  /** Hands found near the face. */
  handsNearFace: number;
  /** Gestures recognised on hands near the face. */
  gesturesDetected: readonly string[];
  /** Perceptual-hash hit against an earlier photo. */
  replayHit: boolean;
  /** Same face enrolled under another seller with another ID number. */
  duplicateIdentity: boolean;
  /** The ID number was given by another seller too (same HMAC). */
  sharedIdNumber?: boolean;
  /** 1-based attempt number of this selfie. */
  attempt: number;
  /**
   * A Mini App burst: `still` when its frames are identical (a still picture, not a live camera);
   * `consistent` false when its frames show different faces. Absent for a chat photo.
   */
  burst?: { still: boolean; consistent: boolean };
}

export interface Decision {
  verdict: Verdict;
  reasons: ReasonCode[];
}

/** Review reasons about who the seller is, not about the photo: a retake cannot clear them, so they stay on a fail. */
const IDENTITY_REASONS: ReadonlySet<ReasonCode> = new Set(["duplicate-identity", "duplicate-id-number"]);

export function decide(input: DecisionInput, th: Thresholds = THRESHOLDS): Decision {
  const fail: ReasonCode[] = [];
  const review: ReasonCode[] = [];
  if (input.unreadable) fail.push("unreadable-image");
  else {
    if (input.faces.length === 0) fail.push("no-face");
    else if (input.faces.length > 1) fail.push("multiple-faces");
    const face = input.faces.length === 1 ? input.faces[0]! : null;
    if (face) {
      const f = th.face;
      if (face.heightRatio < f.minHeightRatio) fail.push("face-too-small");
      if (face.outsideRatio > f.maxOutsideRatio) fail.push("face-cut-off");
      if (face.brightness < f.minBrightness) fail.push("too-dark");
      else if (face.brightness < f.minBrightness + f.brightnessReviewBand) review.push("quality-uncertain");
      if (face.sharpness < f.minSharpness) fail.push("too-blurry");
      else if (face.sharpness < f.minSharpness + f.sharpnessReviewBand && !review.includes("quality-uncertain")) review.push("quality-uncertain");
    }
    const referenceUsable = input.referenceFaces === null || (input.referenceFaces === 1 && !input.referenceUnreadable);
    if (!referenceUsable) fail.push("reference-unusable");
    // Fail closed: with nothing to compare against, only a person can say who this is.
    else if (face && !input.matchExpected) review.push("no-reference");
    else if (face) {
      if (input.matchScore === null) review.push("face-match-uncertain");
      else if (input.matchScore < th.match.failScore) fail.push("face-mismatch");
      else if (input.matchScore < th.match.passScore) review.push("face-match-uncertain");
    }
    if (input.gestureRequested !== null) {
      if (input.handsNearFace === 0) fail.push("gesture-not-detected");
      else if (!input.gesturesDetected.includes(input.gestureRequested)) fail.push("wrong-gesture");
    }
    if (input.replayHit) fail.push("replayed-photo");
    if (input.burst?.still) fail.push("still-image");
    if (input.burst && !input.burst.consistent) fail.push("burst-mismatch");
  }
  if (input.duplicateIdentity) review.push("duplicate-identity");
  if (input.sharedIdNumber) review.push("duplicate-id-number");

  if (fail.length > 0) {
    // The seller gets a retake with the reasons, until the attempts are used up: then a human looks.
    if (input.attempt >= th.attempts.maxAttempts) return { verdict: "review", reasons: [...fail, ...review, "attempts-exhausted"] };
    return { verdict: "fail", reasons: [...fail, ...review.filter((r) => IDENTITY_REASONS.has(r))] };
  }
  if (review.length > 0) return { verdict: "review", reasons: review };
  return { verdict: "pass", reasons: [] };
}

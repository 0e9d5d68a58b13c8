import { describe, expect, it } from "vitest";
import { decide, REASON_CODES, type DecisionInput } from "../../core/verification/decision";
import { THRESHOLDS } from "../../core/verification/thresholds";

const goodFace = { heightRatio: 0.4, outsideRatio: 0, brightness: 120, sharpness: 500 };
const base: DecisionInput = {
  faces: [goodFace],
  matchExpected: true,
  referenceFaces: 1,
  matchScore: 0.75,
  gestureRequested: "victory",
  handsNearFace: 1,
  gesturesDetected: ["victory"],
  replayHit: false,
  duplicateIdentity: false,
  attempt: 1,
};
const d = (over: Partial<DecisionInput>) => decide({ ...base, ...over });

describe("decision policy", () => {
  it("passes a clean check", () => {
    expect(d({})).toEqual({ verdict: "pass", reasons: [] });
  });
  it("fails an unreadable image with that reason only", () => {
    expect(d({ unreadable: true, faces: [] })).toEqual({ verdict: "fail", reasons: ["unreadable-image"] });
  });
  it("fails on face count", () => {
    expect(d({ faces: [] }).reasons).toContain("no-face");
    expect(d({ faces: [goodFace, goodFace] }).reasons).toContain("multiple-faces");
    expect(d({ faces: [goodFace, goodFace] }).verdict).toBe("fail");
  });
  it("fails each quality problem with its own reason", () => {
    expect(d({ faces: [{ ...goodFace, heightRatio: 0.1 }] }).reasons).toEqual(["face-too-small"]);
    expect(d({ faces: [{ ...goodFace, outsideRatio: 0.2 }] }).reasons).toEqual(["face-cut-off"]);
    expect(d({ faces: [{ ...goodFace, brightness: 10 }] }).reasons).toEqual(["too-dark"]);
    expect(d({ faces: [{ ...goodFace, sharpness: 5 }] }).reasons).toEqual(["too-blurry"]);
  });
  it("sends borderline quality to review, not to a silent pass", () => {
    const f = THRESHOLDS.face;
    expect(d({ faces: [{ ...goodFace, brightness: f.minBrightness + f.brightnessReviewBand / 2 }] })).toEqual({ verdict: "review", reasons: ["quality-uncertain"] });
    expect(d({ faces: [{ ...goodFace, sharpness: f.minSharpness + 1 }] }).verdict).toBe("review");
  });
  it("uses the match band: fail below, review inside, pass above", () => {
    const m = THRESHOLDS.match;
    expect(d({ matchScore: m.failScore - 0.01 })).toEqual({ verdict: "fail", reasons: ["face-mismatch"] });
    expect(d({ matchScore: (m.failScore + m.passScore) / 2 })).toEqual({ verdict: "review", reasons: ["face-match-uncertain"] });
    expect(d({ matchScore: m.passScore })).toEqual({ verdict: "pass", reasons: [] });
    expect(d({ matchScore: null }).verdict).toBe("review");
  });
  it("never passes without a reference to compare with (fail closed)", () => {
    expect(d({ matchExpected: false, matchScore: null, referenceFaces: null })).toEqual({ verdict: "review", reasons: ["no-reference"] });
  });
  it("sends an ID number that another seller gave to review, and keeps the reason on a fail", () => {
    expect(d({ sharedIdNumber: true })).toEqual({ verdict: "review", reasons: ["duplicate-id-number"] });
    expect(d({ sharedIdNumber: true, gesturesDetected: ["rock"] })).toEqual({ verdict: "fail", reasons: ["wrong-gesture", "duplicate-id-number"] });
    expect(d({ sharedIdNumber: true, duplicateIdentity: true })).toEqual({ verdict: "review", reasons: ["duplicate-identity", "duplicate-id-number"] });
  });
  it("fails when the ID document has no usable face", () => {
    expect(d({ referenceFaces: 0, matchScore: null })).toEqual({ verdict: "fail", reasons: ["reference-unusable"] });
    expect(d({ referenceFaces: 1, referenceUnreadable: true, matchScore: null }).reasons).toContain("reference-unusable");
  });
  it("tells a missing hand apart from a wrong gesture", () => {
    expect(d({ handsNearFace: 0, gesturesDetected: [] }).reasons).toEqual(["gesture-not-detected"]);
    expect(d({ gesturesDetected: ["rock"] }).reasons).toEqual(["wrong-gesture"]);
    expect(d({ gestureRequested: null, handsNearFace: 0, gesturesDetected: [] }).verdict).toBe("pass");
  });
  it("fails a replayed photo", () => {
    expect(d({ replayHit: true })).toEqual({ verdict: "fail", reasons: ["replayed-photo"] });
  });
  it("fails a Mini App burst of identical frames, or of different faces; a live, consistent burst passes", () => {
    expect(d({ burst: { still: true, consistent: true } })).toEqual({ verdict: "fail", reasons: ["still-image"] });
    expect(d({ burst: { still: false, consistent: false } })).toEqual({ verdict: "fail", reasons: ["burst-mismatch"] });
    expect(d({ burst: { still: false, consistent: true } })).toEqual({ verdict: "pass", reasons: [] });
  });
  it("sends a duplicate identity to review, also alongside a fail", () => {
    expect(d({ duplicateIdentity: true })).toEqual({ verdict: "review", reasons: ["duplicate-identity"] });
    expect(d({ duplicateIdentity: true, replayHit: true })).toEqual({ verdict: "fail", reasons: ["replayed-photo", "duplicate-identity"] });
  });
  it("turns a fail into review once the attempts are exhausted", () => {
    const last = THRESHOLDS.attempts.maxAttempts;
    expect(d({ attempt: last - 1, gesturesDetected: [] }).verdict).toBe("fail");
    expect(d({ attempt: last, gesturesDetected: [] })).toEqual({ verdict: "review", reasons: ["wrong-gesture", "attempts-exhausted"] });
    expect(d({ attempt: last + 5 })).toEqual({ verdict: "pass", reasons: [] });
  });
  it("collects several reasons at once", () => {
    const r = d({ faces: [{ ...goodFace, brightness: 5, sharpness: 1 }], handsNearFace: 0, gesturesDetected: [] });
    expect(r.reasons).toEqual(["too-dark", "too-blurry", "gesture-not-detected"]);
  });
  it("only emits known reason codes", () => {
    const all = [d({ faces: [] }), d({ replayHit: true, attempt: 9 }), d({ duplicateIdentity: true })].flatMap((x) => x.reasons);
    for (const r of all) expect(REASON_CODES).toContain(r);
  });
});

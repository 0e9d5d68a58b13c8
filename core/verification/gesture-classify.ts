/**
 * Geometric gesture rules on the 21 MediaPipe hand keypoints. Pure: no model,
 * no state. Image y grows downwards.
 */
import type { GestureThresholds } from "./thresholds";

export type Point3 = readonly [number, number, number] | readonly number[];

export interface FingerState {
  thumb: boolean;
  index: boolean;
  middle: boolean;
  ring: boolean;
  pinky: boolean;
}

/** The rule parameters are the gesture thresholds (core/verification/thresholds.ts documents each). */
export type GestureRules = GestureThresholds;

const FINGERS = {
  index: [5, 6, 7, 8],
  middle: [9, 10, 11, 12],
  ring: [13, 14, 15, 16],
  pinky: [17, 18, 19, 20],
} as const;

function d(a: Point3, b: Point3): number {
  return Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!);
}

function cosAngle(a: Point3, b: Point3, c: Point3, e: Point3): number {
  const ux = b[0]! - a[0]!;
  const uy = b[1]! - a[1]!;
  const vx = e[0]! - c[0]!;
  const vy = e[1]! - c[1]!;
  const n = Math.hypot(ux, uy) * Math.hypot(vx, vy);
  return n > 0 ? (ux * vx + uy * vy) / n : 0;
}

export type FingerPose = "extended" | "folded" | "unsure";

export function fingerPoses(kp: readonly Point3[], r: GestureRules): Record<keyof FingerState, FingerPose> {
  const wrist = kp[0]!;
  const pose = {} as Record<keyof FingerState, FingerPose>;
  for (const [name, [mcp, pip, dip, tip]] of Object.entries(FINGERS) as [keyof typeof FINGERS, readonly [number, number, number, number]][]) {
    const ratio = d(kp[tip]!, wrist) / Math.max(1e-6, d(kp[pip]!, wrist));
    const straight = cosAngle(kp[mcp]!, kp[pip]!, kp[pip]!, kp[tip]!) >= r.straightCos && cosAngle(kp[pip]!, kp[dip]!, kp[dip]!, kp[tip]!) >= r.straightCos;
    pose[name] = ratio > r.extendRatio && straight ? "extended" : ratio <= r.foldRatio ? "folded" : "unsure";
  }
  // Thumb: how far its tip is from the middle-finger MCP, in palm lengths (wrist -> middle MCP).
  // Dev set: open palms 0.74-0.96 (to 1.4), thumbs folded over the palm ("four") 0.19-0.46.
  const thumbOut = d(kp[4]!, kp[9]!) / Math.max(1e-6, d(kp[0]!, kp[9]!));
  pose.thumb = thumbOut >= r.thumbOut ? "extended" : thumbOut <= r.thumbIn ? "folded" : "unsure";
  return pose;
}

/** Angle of wrist -> middle-finger MCP from straight up, in degrees (0 = fingers up). */
export function palmTiltDeg(kp: readonly Point3[]): number {
  const dx = kp[9]![0]! - kp[0]![0]!;
  const dy = kp[9]![1]! - kp[0]![1]!;
  return (Math.atan2(Math.abs(dx), -dy) * 180) / Math.PI;
}

/** Every catalogue gesture whose rules these keypoints satisfy (usually zero or one). */
export function classifyGestures(kp: readonly Point3[], r: GestureRules): string[] {
  if (kp.length < 21) return [];
  const f = fingerPoses(kp, r);
  const up = palmTiltDeg(kp) <= r.uprightDeg;
  const ext = (n: keyof FingerState) => f[n] === "extended";
  const fold = (n: keyof FingerState) => f[n] === "folded";
  const out: string[] = [];
  const palm = d(kp[0]!, kp[9]!);
  if (up && ext("index") && ext("middle") && ext("ring") && ext("pinky") && ext("thumb")) out.push("open_palm");
  if (up && ext("index") && ext("middle") && ext("ring") && ext("pinky") && fold("thumb")) out.push("four");
  if (up && ext("index") && ext("middle") && fold("ring") && fold("pinky")) out.push("victory");
  // Three: three fingers up side by side and the fourth folded, the thumb not out (it often holds the folded
  // finger down). Either outer finger may be the folded one: the landmark model reads a hand seen from the back
  // with index and little finger swapped.
  if (up && ext("middle") && ext("ring") && !ext("thumb") && ((ext("index") && fold("pinky")) || (fold("index") && ext("pinky")))) out.push("three");
  if (up && ext("index") && fold("middle") && fold("ring") && fold("pinky") && !ext("thumb")) out.push("pointing_up");
  if (ext("index") && fold("middle") && fold("ring") && ext("pinky")) out.push("rock");
  // Call: the thumb stands out sideways, where its distance to the palm reads short; it only must not be folded in.
  if (!fold("thumb") && fold("index") && fold("middle") && fold("ring") && ext("pinky")) out.push("call");
  // Fist and thumbs-up: four fingers curled; they differ by where the thumb tip is. Thumbs-up: above the curled
  // fingers by a fifth of a palm. Fist: fingers curled tight, the thumb tip not above them (a thumb wrapped across
  // the fingers reads "out" by its distance to the palm, so that is not asked; dev set: 0.07-0.47 palm below the
  // top, thumbs-up 0.52 above), and not hanging below the knuckles either (thumbs-down).
  const curled = fold("index") && fold("middle") && fold("ring") && fold("pinky");
  const thumbTipY = kp[4]![1]!;
  const top = Math.min(...[5, 6, 9, 10, 13, 17].map((i) => kp[i]![1]!));
  const fistCurled = (Object.values(FINGERS) as readonly (readonly number[])[]).every(([, pip, , tip]) => d(kp[tip!]!, kp[0]!) <= r.fistCurl * d(kp[pip!]!, kp[0]!));
  if (curled && ext("thumb") && thumbTipY < top - 0.2 * palm) out.push("thumbs_up");
  else if (fistCurled && thumbTipY >= top - 0.05 * palm && thumbTipY < Math.max(...[5, 9, 13, 17].map((i) => kp[i]![1]!)) + 0.2 * palm) out.push("fist");
  // OK: thumb and index tips touch, the other three fingers up.
  if (d(kp[4]!, kp[8]!) < 0.35 * palm && ext("middle") && ext("ring") && ext("pinky")) out.push("ok");
  return out;
}

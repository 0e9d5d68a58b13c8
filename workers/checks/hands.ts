import { isNear, type HandZone } from "../../core/verification/hand-zone";
import type { Tensor, Tensor2D, Tensor4D } from "@tensorflow/tfjs-core";
import type { Tf } from "./backend";
import type { Box } from "./face";
import type { Engine } from "./models";

/** One hand: 21 keypoints [x, y, z] in image pixels (MediaPipe order: wrist, thumb 1-4, index 5-8, middle 9-12, ring 13-16, pinky 17-20). */
export interface HandInfo {
  /** Hand presence from the landmark model, 0..1 (a probability; see `landmarks`). */
  presence: number;
  box: Box;
  keypoints: [number, number, number][];
  /** Which detector proposed the hand: handtrack or the palm detector. */
  source: "track" | "palm";
}

export interface HandOptions {
  /** Minimum landmark-model hand presence for a hand to count. */
  minPresence: number;
  /** Minimum detector confidence for a proposal to be refined. */
  minProposal: number;
  maxHands: number;
}

interface Proposal {
  box: Box;
  score: number;
  /** Clockwise tilt of the hand (radians) when the detector knows it (palm keypoints), else 0. */
  angle: number;
  source: "track" | "palm";
}

/** The handtrack SSD runs at <= 512 px; the palm detector at 256 px on a padded square. */
const TRACK_MAX = 512;
/** The face-centred region is resampled to at most this size (handtrack's native input is 320). */
const REGION_SIZE = 320;
const PALM_SIZE = 256;
const LANDMARK_SIZE = 224;
/** Crop around a hand's keypoints: squared and enlarged 1.6x, as MediaPipe's tracking crop. */
const KEYPOINT_CROP_SCALE = 1.6;
/** MediaPipe palm -> hand crop: 2.6x the palm box, shifted half a palm towards the fingers. */
const PALM_TO_HAND_SCALE = 2.6;
const PALM_SHIFT = 0.5;
/** Each proposal costs two landmark passes (~20 ms each on wasm). */
const MAX_PROPOSALS = 4;
/** Below ~10 degrees turning the crop changes nothing but costs a resample. */
const ROTATE_MIN = 0.17;
/** A handtrack hand this sure makes the palm detector unnecessary (dev set: real raised hands 0.92-1.0). */
const CLEAR_HAND = 0.9;
/** First-pass presence below which a proposal is dropped (dev set: real hands, even sideways, >= 0.5 on the first pass). */
const HOPELESS = 0.3;
/** The detector's box, squared and given some room: the fingertips of a raised hand often poke out of it. */
const FIRST_CROP_SCALE = 1.3;
/** tf.image.rotateWithOffset turns by +radians visually counter-clockwise (checked on sideways hands). */
const ROT_SIGN = 1;

let anchorCache: Float32Array | null = null;
/** SSD anchors of the 256 px palm detector: 32x32x2, 16x16x2, 8x8x6 = 2944 (centres, normalised). */
function palmAnchors(): Float32Array {
  if (anchorCache) return anchorCache;
  const out: number[] = [];
  for (const [n, k] of [[32, 2], [16, 2], [8, 6]] as const) {
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) for (let i = 0; i < k; i++) out.push((x + 0.5) / n, (y + 0.5) / n);
  }
  anchorCache = Float32Array.from(out);
  return anchorCache;
}

/**
 * The hybrid hand pipeline. Every call is stateless (no box carried from one
 * photo to the next), unlike Human's handdetect pipeline which reuses the
 * previous image's boxes.
 *  1. proposals from handtrack (SSD) and from the MediaPipe palm detector;
 *  2. each proposal cropped and run through handlandmark-full;
 *  3. the keypoint box (squared, x1.6) re-run through handlandmark-full (the
 *     crop the model was trained on), keeping the better of the two passes;
 *  4. duplicates (same hand from both detectors) merged by keypoint-box overlap.
 */
/** Where a challenge hand may be, in face heights from the face centre: beside or above the face, not on the lap. */
export type { HandZone };

export async function detectHands(engine: Engine, input: Tensor4D, opts: HandOptions, near?: { face: Box; zone: HandZone } | null): Promise<HandInfo[]> {
  const tf = engine.backend.tf;
  // Only a hand beside the face can carry the challenge: the detectors look at a square around the
  // face (the hand-distance limit on each side), which also enlarges small, far-away hands for them.
  let region: Box | null = null;
  let view = input;
  if (near) {
    const side = (2 * Math.max(near.zone.side, near.zone.above, near.zone.below) + 1) * near.face.h;
    region = { x: near.face.x + near.face.w / 2 - side / 2, y: near.face.y + near.face.h / 2 - side / 2, w: side, h: side };
    const [, ih = 1, iw = 1] = input.shape;
    const r = Math.round(Math.min(side, REGION_SIZE));
    const box = [[region.y / ih, region.x / iw, (region.y + side) / ih, (region.x + side) / iw]];
    view = tf.image.cropAndResize(input, box, [0], [r, r]);
  }
  const toImage = (p: Proposal): Proposal => {
    if (!region) return p;
    const k = region.w / (view.shape[2] ?? 1);
    return { ...p, box: { x: region.x + p.box.x * k, y: region.y + p.box.y * k, w: p.box.w * k, h: p.box.h * k } };
  };
  // Proposal boxes are rough (a palm box sits off the hand's centre): half a face height of slack.
  const loose = near ? { side: near.zone.side + 0.5, above: near.zone.above + 0.5, below: near.zone.below + 0.5 } : null;
  const keep = (ps: Proposal[]) => ps.map(toImage).filter((p) => !near || !loose || isNear(p.box, near.face, loose));
  try {
    // Cascade: handtrack first; the palm detector (the costlier model) only when handtrack found no clear hand.
    let hands = await refine(engine, input, keep(await trackProposals(engine, view, opts)), opts);
    if (!hands.some((h) => h.presence >= CLEAR_HAND)) hands = [...hands, ...(await refine(engine, input, keep(await palmProposals(engine, view, opts)), opts))];
    return mergeHands(hands).slice(0, opts.maxHands);
  } finally {
    if (view !== input) view.dispose();
  }
}

async function refine(engine: Engine, input: Tensor4D, proposals: Proposal[], opts: HandOptions): Promise<HandInfo[]> {
  const hands: HandInfo[] = [];
  for (const p of dedupeProposals(proposals).slice(0, MAX_PROPOSALS)) {
    // A challenge needs one hand; two clear ones are plenty (proposals come best first).
    if (hands.filter((h) => h.presence >= CLEAR_HAND).length >= 2) break;
    const first = await landmarks(engine, input, squareBox(p.box, FIRST_CROP_SCALE), p.angle);
    // Nothing hand-like in the crop: refining it would cost two more passes for nothing.
    if (!first || first.presence < HOPELESS) continue;
    let best: HandInfo = { ...first, source: p.source };
    // A clear, upright hand from a crop with room around it is already what a refinement would give.
    if (first.presence >= CLEAR_HAND && Math.abs(handAngle(first.keypoints) - p.angle) < 0.35 && Math.abs(handAngle(first.keypoints)) < 0.35) {
      if (best.presence >= opts.minPresence) hands.push(best);
      continue;
    }
    let angle = handAngle(first.keypoints);
    let box = squareBox(keypointBox(first.keypoints), KEYPOINT_CROP_SCALE);
    // Re-run on the keypoint crop turned upright; a third pass when the tilt estimate moved a lot (sideways hands).
    for (let pass = 0; pass < 2; pass++) {
      const next = await landmarks(engine, input, box, angle);
      if (!next || next.presence < best.presence - 0.05) break;
      best = { ...next, source: p.source };
      const moved = Math.abs(normAngle(handAngle(next.keypoints) - angle));
      angle = handAngle(next.keypoints);
      box = squareBox(keypointBox(next.keypoints), KEYPOINT_CROP_SCALE);
      if (moved < 0.35) break;
    }
    if (best.presence >= opts.minPresence) hands.push(best);
  }
  return hands;
}

async function trackProposals(engine: Engine, input: Tensor4D, opts: HandOptions): Promise<Proposal[]> {
  const tf = engine.backend.tf;
  const [, ih = 1, iw = 1] = input.shape;
  const height = Math.min(Math.round(ih / 8) * 8, TRACK_MAX);
  const width = Math.round((height * (iw / ih)) / 8) * 8;
  const t: Tensor[] = [];
  try {
    const resized = tf.image.resizeBilinear(input, [height, width]);
    const cast = tf.cast(resized, "int32");
    t.push(resized, cast);
    const out = (await engine.hands.track.executeAsync(cast, ["StatefulPartitionedCall/Postprocessor/Slice", "StatefulPartitionedCall/Postprocessor/ExpandDims_1"])) as Tensor[];
    t.push(...out);
    const [rawScores, rawBoxes] = out as [Tensor, Tensor];
    const scores = tf.squeeze(rawScores, [0]) as Tensor2D; // [n, 7] classes hand, fist, pinch, point, face, tip, pinchtip
    const boxes = tf.squeeze(rawBoxes, [0, 2]) as Tensor2D; // [n, 4] y1 x1 y2 x2
    t.push(scores, boxes);
    const cls = tf.unstack(scores, 1);
    t.push(...cls);
    // class 4 is "face": not a hand proposal
    const stacked = tf.stack([0, 1, 2, 3, 5, 6].map((c) => cls[c]!), 1);
    const maxScore = tf.max(stacked, 1);
    t.push(stacked, maxScore);
    const nms = await tf.image.nonMaxSuppressionAsync(boxes, maxScore as never, opts.maxHands * 2, 0.3, opts.minProposal);
    t.push(nms);
    const idx = await nms.data();
    const sc = await maxScore.data();
    const bx = await boxes.data();
    return Array.from(idx).map((i) => {
      const [y1, x1, y2, x2] = [bx[i * 4]!, bx[i * 4 + 1]!, bx[i * 4 + 2]!, bx[i * 4 + 3]!];
      return { box: { x: x1 * iw, y: y1 * ih, w: (x2 - x1) * iw, h: (y2 - y1) * ih }, score: sc[i]!, angle: 0, source: "track" as const };
    });
  } finally {
    tf.dispose(t);
  }
}

async function palmProposals(engine: Engine, input: Tensor4D, opts: HandOptions): Promise<Proposal[]> {
  const tf = engine.backend.tf;
  const [, ih = 1, iw = 1] = input.shape;
  const side = Math.max(ih, iw);
  const padY = (side - ih) / 2;
  const padX = (side - iw) / 2;
  const pred = tf.tidy(() => {
    const padded = tf.pad(input, [[0, 0], [Math.floor(padY), Math.ceil(padY)], [Math.floor(padX), Math.ceil(padX)], [0, 0]]);
    const norm = tf.sub(tf.div(tf.image.resizeBilinear(padded as Tensor4D, [PALM_SIZE, PALM_SIZE]), 127.5), 1);
    return tf.squeeze(engine.hands.palm.execute(norm) as Tensor, [0]) as Tensor2D; // [2944, 19]
  });
  const data = await pred.data();
  pred.dispose();
  const anchors = palmAnchors();
  const n = anchors.length / 2;
  const boxes: number[] = [];
  const scores: number[] = [];
  const raw: { cx: number; cy: number; w: number; h: number; kp: number[] }[] = [];
  for (let i = 0; i < n; i++) {
    const o = i * 19;
    const score = 1 / (1 + Math.exp(-data[o]!));
    if (score < opts.minProposal) continue;
    const ax = anchors[2 * i]! * PALM_SIZE;
    const ay = anchors[2 * i + 1]! * PALM_SIZE;
    const cx = ax + data[o + 1]!;
    const cy = ay + data[o + 2]!;
    const w = data[o + 3]!;
    const h = data[o + 4]!;
    const kp: number[] = [];
    for (let k = 0; k < 7; k++) kp.push(ax + data[o + 5 + 2 * k]!, ay + data[o + 6 + 2 * k]!);
    boxes.push(cy - h / 2, cx - w / 2, cy + h / 2, cx + w / 2);
    scores.push(score);
    raw.push({ cx, cy, w, h, kp });
  }
  if (scores.length === 0) return [];
  const sel = tf.tidy(() => tf.image.nonMaxSuppression(tf.tensor2d(boxes, [scores.length, 4]), tf.tensor1d(scores), opts.maxHands * 2, 0.3, opts.minProposal));
  const idx = await sel.data();
  sel.dispose();
  const scale = side / PALM_SIZE;
  return Array.from(idx).map((i) => {
    const r = raw[i]!;
    // keypoint 0 = wrist, 2 = middle-finger MCP: the hand extends from the palm towards the fingers.
    const dx = r.kp[4]! - r.kp[0]!;
    const dy = r.kp[5]! - r.kp[1]!;
    const len = Math.hypot(dx, dy) || 1;
    const size = Math.max(r.w, r.h);
    const cx = r.cx + (dx / len) * size * PALM_SHIFT;
    const cy = r.cy + (dy / len) * size * PALM_SHIFT;
    const s = size * PALM_TO_HAND_SCALE;
    return {
      box: { x: (cx - s / 2) * scale - padX, y: (cy - s / 2) * scale - padY, w: s * scale, h: s * scale },
      score: scores[i]!,
      angle: Math.atan2(dx, -dy),
      source: "palm" as const,
    };
  });
}

/**
 * One landmark pass on a square crop. `angle` (radians, clockwise tilt of the hand from upright,
 * see handAngle) turns the crop so the hand stands upright, as MediaPipe's own pipeline does:
 * the landmark model was trained on upright hands and misses sideways ones.
 */
export async function landmarks(engine: Engine, input: Tensor4D, box: Box, angle = 0): Promise<Omit<HandInfo, "source"> | null> {
  const tf: Tf = engine.backend.tf;
  const [, ih = 1, iw = 1] = input.shape;
  if (box.w < 8 || box.h < 8) return null;
  const rotate = Math.abs(angle) > ROTATE_MIN;
  const [score, kps] = tf.tidy(() => {
    let crop = tf.image.cropAndResize(input, [[box.y / ih, box.x / iw, (box.y + box.h) / ih, (box.x + box.w) / iw]], [0], [LANDMARK_SIZE, LANDMARK_SIZE]);
    if (rotate) crop = tf.image.rotateWithOffset(crop, ROT_SIGN * angle, 0, 0.5);
    const out = engine.hands.landmark.execute(tf.div(crop, 255), ["Identity_1", "Identity"]) as Tensor[];
    return [out[0]!, out[1]!];
  });
  const presence = (await score.data())[0] ?? 0;
  const kp = await kps.data();
  tf.dispose([score, kps]);
  // handlandmark-full already ends in a sigmoid: this value is the probability (Human applies a second sigmoid).
  const c = LANDMARK_SIZE / 2;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const keypoints: [number, number, number][] = [];
  for (let i = 0; i < 21; i++) {
    let u = kp[3 * i]!;
    let v = kp[3 * i + 1]!;
    if (rotate) {
      // undo the (visually counter-clockwise) turn of the crop, around its centre
      const du = u - c;
      const dv = v - c;
      u = c + du * cos - dv * sin;
      v = c + du * sin + dv * cos;
    }
    keypoints.push([box.x + (u / LANDMARK_SIZE) * box.w, box.y + (v / LANDMARK_SIZE) * box.h, (kp[3 * i + 2]! / LANDMARK_SIZE) * box.w]);
  }
  return { presence, box: keypointBox(keypoints), keypoints };
}

/** Clockwise tilt of a hand from upright (radians), from wrist (0) to middle-finger MCP (9). */
export function handAngle(kps: readonly (readonly number[])[]): number {
  const w = kps[0]!;
  const m = kps[9]!;
  return Math.atan2(m[0]! - w[0]!, -(m[1]! - w[1]!));
}

function normAngle(a: number): number {
  return Math.atan2(Math.sin(a), Math.cos(a));
}

export function keypointBox(kps: readonly (readonly number[])[]): Box {
  const xs = kps.map((k) => k[0]!);
  const ys = kps.map((k) => k[1]!);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, w: Math.max(...xs) - x, h: Math.max(...ys) - y };
}

function squareBox(b: Box, scale: number): Box {
  const s = Math.max(b.w, b.h) * scale;
  const cx = b.x + b.w / 2;
  const cy = b.y + b.h / 2;
  return { x: cx - s / 2, y: cy - s / 2, w: s, h: s };
}

function iou(a: Box, b: Box): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const i = w * h;
  return i / (a.w * a.h + b.w * b.h - i);
}

export { isNear };

/** Both detectors usually propose the same hand: keep the higher-scoring box of each overlapping pair. */
function dedupeProposals(ps: Proposal[]): Proposal[] {
  const sorted = [...ps].sort((a, b) => b.score - a.score);
  const kept: Proposal[] = [];
  for (const p of sorted) if (!kept.some((k) => iou(k.box, p.box) > 0.5)) kept.push(p);
  return kept;
}

/** The same hand found by both detectors: keep the higher presence (ties: the earlier, i.e. handtrack). */
function mergeHands(hands: HandInfo[]): HandInfo[] {
  const sorted = hands.map((h, i) => ({ h, i })).sort((a, b) => b.h.presence - a.h.presence || a.i - b.i);
  const kept: HandInfo[] = [];
  for (const { h } of sorted) if (!kept.some((k) => iou(k.box, h.box) > 0.3)) kept.push(h);
  return kept;
}

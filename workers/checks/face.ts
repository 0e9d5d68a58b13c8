import type { Tensor4D } from "@tensorflow/tfjs-core";
import type { FaceResult } from "@vladmandic/human";
import type { FaceThresholds } from "../../core/verification/thresholds";
import { grayCrop, type DecodedImage } from "./image";
import { normalizeDescriptor } from "./match";
import type { Engine } from "./models";

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** One detected face with the quality figures the decision policy reads. */
export interface FaceInfo {
  /** Human's combined detector x mesh score, 0..1. */
  score: number;
  box: Box;
  /** Face box height / image height. */
  heightRatio: number;
  /** Share of the face-mesh points that fall outside the frame (0 = whole face visible). */
  outsideRatio: number;
  /** Mean luma of the face crop, 0..255. */
  brightness: number;
  /** Variance of the Laplacian of the face crop resampled to 112x112 luma (higher = sharper). */
  sharpness: number;
  /** Unit-length descriptor, or null when the descriptor model gave nothing. */
  embedding: Float32Array | null;
  yaw: number | null;
}

/** The face crop is resampled to a fixed size so sharpness does not depend on how large the face is in the photo. */
export const QUALITY_CROP_SIZE = 112;

export async function detectFaces(engine: Engine, img: DecodedImage, input: Tensor4D, th: Pick<FaceThresholds, "minScore">): Promise<FaceInfo[]> {
  const res = await engine.human.detect(input as never);
  const all = res.face.filter((f) => f.score >= th.minScore).map((f) => toFaceInfo(img, f));
  return dropNested(all);
}

function toFaceInfo(img: DecodedImage, f: FaceResult): FaceInfo {
  const [bx, by, bw, bh] = f.box;
  const box = { x: bx, y: by, w: bw, h: bh };
  const mesh = f.mesh ?? [];
  const outside = mesh.filter(([x, y]) => x! < 0 || y! < 0 || x! >= img.width || y! >= img.height).length;
  // Detector boxes are clamped to the frame; a face cut by the edge shows as a box touching it.
  const touches = bx <= 1 || by <= 1 || bx + bw >= img.width - 1 || by + bh >= img.height - 1;
  const outsideRatio = mesh.length > 0 ? outside / mesh.length : touches ? 1 : 0;
  const gray = grayCrop(img, box, QUALITY_CROP_SIZE);
  const emb = f.embedding && f.embedding.length > 0 ? normalizeDescriptor(f.embedding) : null;
  return {
    score: round(f.score, 3),
    box: { x: Math.round(bx), y: Math.round(by), w: Math.round(bw), h: Math.round(bh) },
    heightRatio: round(bh / img.height, 3),
    outsideRatio: round(outsideRatio, 3),
    brightness: round(mean(gray), 1),
    sharpness: round(laplacianVariance(gray, QUALITY_CROP_SIZE), 1),
    embedding: emb,
    yaw: f.rotation?.angle?.yaw != null ? round((f.rotation.angle.yaw * 180) / Math.PI, 1) : null,
  };
}

/** A detector sometimes returns a second, smaller box inside a real face (a cheek, an eye region): not a second person. */
export function dropNested(faces: FaceInfo[]): FaceInfo[] {
  const sorted = [...faces].sort((a, b) => b.box.w * b.box.h - a.box.w * a.box.h);
  const kept: FaceInfo[] = [];
  for (const f of sorted) {
    const inside = kept.some((k) => intersection(k.box, f.box) >= 0.7 * f.box.w * f.box.h);
    if (!inside) kept.push(f);
  }
  return kept;
}

function intersection(a: Box, b: Box): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

function mean(a: Float32Array): number {
  let s = 0;
  for (const v of a) s += v;
  return a.length > 0 ? s / a.length : 0;
}

/** 4-neighbour Laplacian over the interior; variance of its response (the standard focus measure). */
export function laplacianVariance(g: Float32Array, size: number): number {
  let sum = 0;
  let sq = 0;
  let n = 0;
  for (let y = 1; y < size - 1; y++) {
    for (let x = 1; x < size - 1; x++) {
      const i = y * size + x;
      const l = g[i - 1]! + g[i + 1]! + g[i - size]! + g[i + size]! - 4 * g[i]!;
      sum += l;
      sq += l * l;
      n++;
    }
  }
  const m = sum / n;
  return sq / n - m * m;
}

function round(v: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}

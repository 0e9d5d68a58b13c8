import sharp from "sharp";
import { THRESHOLDS, type Thresholds } from "../../core/verification/thresholds";
import { laplacianVariance } from "./face";
import { decodeImage, UnreadableImageError } from "./image";
import { cosineSimilarity } from "./match";
import type { Engine } from "./models";
import { facesOf } from "./run-checks";

/**
 * A Mini App burst (about 3 frames over about 1 s) around the usual checks: is it a live camera
 * (the frames differ), which frame the checks run on (the sharpest), and is it one person (the
 * other frames' faces match the checked one). A chat photo has no burst.
 */
export interface BurstReport {
  frames: number;
  /** mean absolute grey-level difference of consecutive 64x64 thumbnails, the largest pair */
  motion: number;
  still: boolean;
  /** index of the frame the checks run on: the sharpest (Laplacian variance of a 128x128 grey thumbnail) */
  best: number;
  /** lowest face similarity between the checked frame and the others with one face; null when none could be compared */
  minSimilarity: number | null;
  consistent: boolean;
}

const MOTION_SIDE = 64;
const SHARP_SIDE = 128;

async function grey(buf: Buffer, side: number): Promise<Buffer | null> {
  try {
    return await sharp(buf).rotate().resize(side, side, { fit: "fill" }).grayscale().raw().toBuffer();
  } catch {
    return null;
  }
}

/** Cheap, before the checks: motion between frames and the sharpest frame (no model runs). */
export async function burstMotion(frames: Buffer[], th: Thresholds = THRESHOLDS): Promise<Pick<BurstReport, "frames" | "motion" | "still" | "best">> {
  const small = await Promise.all(frames.map((f) => grey(f, MOTION_SIDE)));
  let motion = 0;
  for (let i = 1; i < small.length; i++) {
    const a = small[i - 1];
    const b = small[i];
    if (!a || !b) continue;
    let sum = 0;
    for (let k = 0; k < a.length; k++) sum += Math.abs(a[k]! - b[k]!);
    motion = Math.max(motion, sum / a.length);
  }
  let best = 0;
  let bestSharpness = -1;
  for (const [i, f] of frames.entries()) {
    const g = await grey(f, SHARP_SIDE);
    if (!g) continue;
    const sharpness = laplacianVariance(Float32Array.from(g), SHARP_SIDE);
    if (sharpness > bestSharpness) {
      bestSharpness = sharpness;
      best = i;
    }
  }
  return { frames: frames.length, motion: Math.round(motion * 100) / 100, still: frames.length > 1 && motion < th.burst.stillMaxMotion, best };
}

/**
 * After the checks: the face on each other frame against the checked frame's (`checked`, null when
 * it had not exactly one face). One model pass per other frame; the checked frame's is reused.
 */
export async function burstFaces(engine: Engine, frames: Buffer[], best: number, checked: Float32Array | null, th: Thresholds = THRESHOLDS): Promise<Pick<BurstReport, "minSimilarity" | "consistent">> {
  const embeddings: Float32Array[] = checked ? [checked] : [];
  for (const [i, f] of frames.entries()) {
    if (i === best) continue;
    try {
      const faces = await facesOf(engine, await decodeImage(f), th);
      if (faces.length === 1 && faces[0]!.embedding) embeddings.push(faces[0]!.embedding);
    } catch (err) {
      if (!(err instanceof UnreadableImageError)) throw err;
    }
  }
  let minSimilarity: number | null = null;
  for (let i = 0; i < embeddings.length; i++) {
    for (let j = i + 1; j < embeddings.length; j++) {
      const sim = cosineSimilarity(embeddings[i]!, embeddings[j]!);
      minSimilarity = minSimilarity === null ? sim : Math.min(minSimilarity, sim);
    }
  }
  // The same person seconds apart sits far above the genuine pairs' minimum; below the fail score it is someone else.
  return { minSimilarity: minSimilarity === null ? null : Math.round(minSimilarity * 1000) / 1000, consistent: minSimilarity === null || minSimilarity >= th.match.failScore };
}

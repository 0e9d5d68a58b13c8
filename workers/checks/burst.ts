import sharp from "sharp";
import { THRESHOLDS, type Thresholds } from "../../core/verification/thresholds";
import { decodeImage, UnreadableImageError } from "./image";
import { cosineSimilarity } from "./match";
import type { Engine } from "./models";
import { facesOf } from "./run-checks";

/**
 * A Mini App burst (about 3 frames over about 1 s) before the usual checks: is it a live camera
 * (the frames differ), is it one person (their faces match each other), and which frame is best
 * for the checks (one face, the highest detection score times sharpness). A chat photo has no burst.
 */
export interface BurstReport {
  frames: number;
  /** mean absolute grey-level difference of consecutive 64x64 thumbnails, the largest pair */
  motion: number;
  still: boolean;
  /** lowest face similarity between frames with one face each; null with fewer than two such frames */
  minSimilarity: number | null;
  consistent: boolean;
  /** index of the frame the checks run on */
  best: number;
}

const THUMB = 64;

async function thumb(buf: Buffer): Promise<Buffer | null> {
  try {
    return await sharp(buf).rotate().resize(THUMB, THUMB, { fit: "fill" }).grayscale().raw().toBuffer();
  } catch {
    return null;
  }
}

export async function analyseBurst(engine: Engine, frames: Buffer[], th: Thresholds = THRESHOLDS): Promise<BurstReport> {
  const thumbs = await Promise.all(frames.map(thumb));
  let motion = 0;
  for (let i = 1; i < thumbs.length; i++) {
    const a = thumbs[i - 1];
    const b = thumbs[i];
    if (!a || !b) continue;
    let sum = 0;
    for (let k = 0; k < a.length; k++) sum += Math.abs(a[k]! - b[k]!);
    motion = Math.max(motion, sum / a.length);
  }
  const embeddings: Float32Array[] = [];
  let best = 0;
  let bestQuality = -1;
  for (let i = 0; i < frames.length; i++) {
    let faces;
    try {
      faces = await facesOf(engine, await decodeImage(frames[i]!), th);
    } catch (err) {
      if (err instanceof UnreadableImageError) continue;
      throw err;
    }
    if (faces.length !== 1) continue;
    const f = faces[0]!;
    if (f.embedding) embeddings.push(f.embedding);
    const quality = f.score * f.sharpness;
    if (quality > bestQuality) {
      bestQuality = quality;
      best = i;
    }
  }
  let minSimilarity: number | null = null;
  for (let i = 0; i < embeddings.length; i++) {
    for (let j = i + 1; j < embeddings.length; j++) {
      const sim = cosineSimilarity(embeddings[i]!, embeddings[j]!);
      minSimilarity = minSimilarity === null ? sim : Math.min(minSimilarity, sim);
    }
  }
  return {
    frames: frames.length,
    motion: Math.round(motion * 100) / 100,
    still: frames.length > 1 && motion < th.burst.stillMaxMotion,
    minSimilarity,
    // The same person seconds apart sits far above the genuine pairs' minimum; below the fail score it is someone else.
    consistent: minSimilarity === null || minSimilarity >= th.match.failScore,
    best,
  };
}

import { performance } from "node:perf_hooks";
import sharp from "sharp";
import type { Tensor4D } from "@tensorflow/tfjs-core";
import type { DecisionInput } from "../../core/verification/decision";
import { THRESHOLDS, type Thresholds } from "../../core/verification/thresholds";
import { detectFaces, type Box, type FaceInfo } from "./face";
import { classifyGestures } from "../../core/verification/gesture-classify";
import { detectHands, isNear } from "./hands";
import { decodeImage, toTensor, UnreadableImageError, type DecodedImage } from "./image";
import { cosineSimilarity } from "./match";
import type { Engine } from "./models";
import { perceptualHash, storedHash } from "./phash";

export interface CheckInput {
  selfie: Buffer;
  /** ID-document photo (initial check). */
  reference?: Buffer | null;
  /** Embedding enrolled at the last pass (rechecks); used when no reference photo is given. */
  referenceEmbedding?: Float32Array | null;
  gesture?: string | null;
}

export interface HandReport {
  presence: number;
  box: Box;
  nearFace: boolean;
  gestures: string[];
  source: "track" | "palm";
}

export interface CheckTimings {
  decode: number;
  faces: number;
  reference: number;
  hands: number;
  phash: number;
  total: number;
}

export interface CheckReport {
  /** The selfie could not be decoded: nothing else is filled. */
  unreadable: boolean;
  width: number;
  height: number;
  /** Faces counted on the selfie (score >= face.minScore, nested boxes dropped). */
  faces: FaceInfo[];
  /** Unit-length descriptor of the one face, or null unless exactly one face. */
  embedding: Float32Array | null;
  /** Reference photo figures (initial check), null when no reference photo was given. */
  reference: { unreadable: boolean; faces: number; embedding: Float32Array | null } | null;
  /** Cosine similarity selfie vs reference (photo or enrolled embedding); null when either side is missing. */
  matchScore: number | null;
  hands: HandReport[];
  handsNearFace: number;
  gestureRequested: string | null;
  gesturesDetected: string[];
  /** The requested gesture seen on a hand near the face; null when no gesture was requested. */
  gestureOk: boolean | null;
  /** 64-bit pHash as 16 hex digits, and its four 16-bit chunks for the replay index. */
  phash: string | null;
  /** 256-bit pHash (64 hex digits) that confirms an index candidate (see phash.ts isReplay). */
  phashFine: string | null;
  phashChunks: [number, number, number, number] | null;
  timings: CheckTimings;
}

const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;

/**
 * Runs every model check on one selfie (and its reference) and returns the raw
 * figures. No verdict here: the worker adds the replay and duplicate-identity
 * lookups and calls core/verification/decision. Stateless: the result for a
 * photo does not depend on what was processed before (tested).
 */
export async function runChecks(engine: Engine, input: CheckInput, th: Thresholds = THRESHOLDS): Promise<CheckReport> {
  const t0 = performance.now();
  const timings: CheckTimings = { decode: 0, faces: 0, reference: 0, hands: 0, phash: 0, total: 0 };
  const report: CheckReport = {
    unreadable: false, width: 0, height: 0, faces: [], embedding: null, reference: null, matchScore: null,
    hands: [], handsNearFace: 0, gestureRequested: input.gesture ?? null, gesturesDetected: [], gestureOk: null,
    phash: null, phashFine: null, phashChunks: null, timings,
  };
  let img: DecodedImage;
  let t = performance.now();
  try {
    img = await decodeImage(input.selfie);
    timings.decode = ms(t);
    t = performance.now();
    const h = await perceptualHash(input.selfie);
    const stored = storedHash(h);
    report.phash = stored.h64;
    report.phashFine = stored.fine;
    report.phashChunks = stored.chunks;
    timings.phash = ms(t);
  } catch (err) {
    if (!(err instanceof UnreadableImageError) && !(err instanceof Error && /unsupported image format|Input buffer|corrupt|VipsJpeg|premature/i.test(err.message))) throw err;
    report.unreadable = true;
    timings.total = ms(t0);
    return report;
  }
  report.width = img.width;
  report.height = img.height;
  const tf = engine.backend.tf;
  const tensor = tf.tidy(() => tf.expandDims(toTensor(tf, img), 0)) as Tensor4D;
  try {
    t = performance.now();
    report.faces = await detectFaces(engine, img, tensor, th.face);
    timings.faces = ms(t);
    const face = report.faces.length === 1 ? report.faces[0]! : null;
    report.embedding = face?.embedding ?? null;

    t = performance.now();
    if (input.reference) report.reference = await embedReference(engine, input.reference, th);
    timings.reference = ms(t);
    const refEmbedding = report.reference ? report.reference.embedding : (input.referenceEmbedding ?? null);
    if (report.embedding && refEmbedding) report.matchScore = Math.round(cosineSimilarity(report.embedding, refEmbedding) * 1000) / 1000;

    if (report.gestureRequested !== null) {
      t = performance.now();
      // With one face the search centres on it. With several (a photo the decision refuses anyway) the hand
      // may belong to any of them: the whole photo is searched, and a hand counts beside whichever face it is.
      const hands = await detectHands(engine, tensor, th.hands, face ? { face: face.box, zone: th.hands.zone } : null);
      for (const h of hands) {
        const nearFace = report.faces.length === 0 || report.faces.some((f) => isNear(h.box, f.box, th.hands.zone));
        report.hands.push({
          presence: Math.round(h.presence * 1000) / 1000,
          box: roundBox(h.box),
          nearFace,
          gestures: classifyGestures(h.keypoints, th.gesture),
          source: h.source,
        });
      }
      const near = report.hands.filter((h) => h.nearFace);
      report.handsNearFace = near.length;
      report.gesturesDetected = [...new Set(near.flatMap((h) => h.gestures))];
      report.gestureOk = report.gesturesDetected.includes(report.gestureRequested);
      timings.hands = ms(t);
    }
  } finally {
    tensor.dispose();
  }
  timings.total = ms(t0);
  return report;
}

export type ReferenceReport = NonNullable<CheckReport["reference"]>;

/**
 * The ID-document portrait on its own: faces counted and the descriptor. The worker can run this
 * when the ID photo arrives and store the embedding, so the selfie check only compares.
 * ID portraits are often tight crops: when no face is found, it retries once with a 25% border.
 */
export async function embedReference(engine: Engine, buf: Buffer, th: Thresholds = THRESHOLDS): Promise<ReferenceReport> {
  let img: DecodedImage;
  try {
    img = await decodeImage(buf);
  } catch (err) {
    if (err instanceof UnreadableImageError) return { unreadable: true, faces: 0, embedding: null };
    throw err;
  }
  let faces = await facesOf(engine, img, th);
  if (faces.length === 0) {
    const pad = Math.round(Math.max(img.width, img.height) * 0.25);
    const padded = await sharp(img.rgb, { raw: { width: img.width, height: img.height, channels: 3 } })
      .extend({ top: pad, bottom: pad, left: pad, right: pad, background: { r: 128, g: 128, b: 128 } })
      .png()
      .toBuffer();
    faces = await facesOf(engine, await decodeImage(padded), th);
  }
  return { unreadable: false, faces: faces.length, embedding: faces.length === 1 ? (faces[0]!.embedding ?? null) : null };
}

export async function facesOf(engine: Engine, img: DecodedImage, th: Thresholds): Promise<FaceInfo[]> {
  const tf = engine.backend.tf;
  const tensor = tf.tidy(() => tf.expandDims(toTensor(tf, img), 0)) as Tensor4D;
  try {
    return await detectFaces(engine, img, tensor, th.face);
  } finally {
    tensor.dispose();
  }
}

function roundBox(b: Box): Box {
  return { x: Math.round(b.x), y: Math.round(b.y), w: Math.round(b.w), h: Math.round(b.h) };
}

/** Glue for the worker and the CLI: a report plus the database lookups -> the policy's input. */
export function toDecisionInput(
  r: CheckReport,
  extra: { matchExpected: boolean; replayHit: boolean; duplicateIdentity: boolean; sharedIdNumber?: boolean; attempt: number; burst?: { still: boolean; consistent: boolean } },
): DecisionInput {
  return {
    matchExpected: extra.matchExpected,
    unreadable: r.unreadable,
    faces: r.faces,
    referenceFaces: r.reference ? r.reference.faces : null,
    referenceUnreadable: r.reference?.unreadable ?? false,
    matchScore: r.matchScore,
    gestureRequested: r.gestureRequested,
    handsNearFace: r.handsNearFace,
    gesturesDetected: r.gesturesDetected,
    replayHit: extra.replayHit,
    duplicateIdentity: extra.duplicateIdentity,
    sharedIdNumber: extra.sharedIdNumber ?? false,
    attempt: extra.attempt,
    ...(extra.burst ? { burst: extra.burst } : {}),
  };
}

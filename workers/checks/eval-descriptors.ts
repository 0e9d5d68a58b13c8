/**
 * npm run eval:descriptors [-- --dir ../shared/fixtures/images]
 * The face descriptors that install offline, side by side on the development pairs:
 *  - Human's faceres (what the checks use: `workers/checks/face.ts`);
 *  - face-api's 128-d descriptor (@vladmandic/face-api ships its weights; a dev dependency, only
 *    this script loads it), computed on the same face: a square crop 1.4x the box our detector
 *    found, aligned by face-api's own 68 landmarks;
 *  - their fusion: the mean of both scores as z-scores against the impostor pairs.
 * For each: the lowest pass threshold with no impostor pair above it (FAR 0), the share of genuine
 * pairs it leaves to staff review when the fail threshold sits at the lowest genuine pair (FRR 0),
 * the impostor pairs in that band, and the time per face. The fusion's z-scores are fitted on the
 * same impostor pairs, so its figure is optimistic.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { Tensor, Tensor3D, Tensor4D } from "@tensorflow/tfjs-core";
import type { BackendChoice, Tf } from "./backend";
import { detectFaces, type Box } from "./face";
import { decodeImage, toTensor } from "./image";
import { cosineSimilarity, normalizeDescriptor } from "./match";
import { createEngine } from "./models";
import { percentile as pct, photoDir, share as pc } from "./calibration";
import { THRESHOLDS } from "../../core/verification/thresholds";

const require = createRequire(import.meta.url);

/** The part of face-api this script uses. */
interface FaceApi {
  nets: {
    faceLandmark68Net: { loadFromDisk(dir: string): Promise<void>; detectLandmarks(t: Tensor3D): Promise<{ align(): unknown }> };
    faceRecognitionNet: { loadFromDisk(dir: string): Promise<void>; computeFaceDescriptor(t: Tensor): Promise<Float32Array> };
  };
  extractFaceTensors(t: Tensor3D, boxes: unknown[]): Promise<Tensor3D[]>;
}

interface Label {
  file: string;
  person: string | null;
}

const CROP = 224;

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { dir, fallback } = photoDir(argv, env);
  const labels = (JSON.parse(await readFile(path.join(dir, "labels.json"), "utf8")) as Label[]).filter((l) => l.person);
  if (fallback) console.log("# no full development set: using the test photos in test/fixtures/images; these are not the calibration figures");
  const engine = await createEngine({ backend: (env.TF_BACKEND ?? "auto") as BackendChoice });
  const tf = engine.backend.tf;
  const entry = require.resolve("@vladmandic/face-api/dist/face-api.node-wasm.js");
  const faceapi = require(entry) as FaceApi;
  const models = path.join(path.dirname(entry), "..", "model");
  await faceapi.nets.faceLandmark68Net.loadFromDisk(models);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(models);
  console.log(`# eval:descriptors  dir=${dir}  labelled photos with a person=${labels.length}  backend=${engine.backend.name}`);

  const rows: { person: string; faceres: Float32Array; faceapi: Float32Array }[] = [];
  const ms = { faceres: [] as number[], faceapi: [] as number[] };
  for (const l of labels) {
    const img = await decodeImage(await readFile(path.join(dir, l.file)));
    const t3 = toTensor(tf, img) as Tensor3D;
    const t4 = tf.expandDims(t3, 0) as Tensor4D;
    try {
      let t0 = performance.now();
      const faces = await detectFaces(engine, img, t4, THRESHOLDS.face);
      ms.faceres.push(performance.now() - t0);
      if (faces.length !== 1 || !faces[0]!.embedding) continue;
      t0 = performance.now();
      const other = await faceApiDescriptor(faceapi, tf, t4, faces[0]!.box, img.width, img.height);
      ms.faceapi.push(performance.now() - t0);
      rows.push({ person: l.person!, faceres: faces[0]!.embedding, faceapi: other });
    } finally {
      tf.dispose([t3, t4]);
    }
  }

  const genuine: [number, number][] = [];
  const impostor: [number, number][] = [];
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      const pair: [number, number] = [cosineSimilarity(rows[i]!.faceres, rows[j]!.faceres), cosineSimilarity(rows[i]!.faceapi, rows[j]!.faceapi)];
      (rows[i]!.person === rows[j]!.person ? genuine : impostor).push(pair);
    }
  }
  const z = [0, 1].map((k) => {
    const xs = impostor.map((p) => p[k]!);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    return (s: number) => (s - mean) / sd;
  });
  const fused = (p: [number, number]) => (z[0]!(p[0]) + z[1]!(p[1])) / 2;
  console.log(`\n${rows.length} photos with one face (our detector), ${genuine.length} genuine / ${impostor.length} impostor pairs`);
  console.log(`  descriptor                   pass at FAR 0 (> max impostor)   fail at FRR 0 (min genuine)   genuine to review       impostor to review   ms per face p50/p95`);
  const line = (name: string, g: number[], im: number[], time: string) => {
    const maxI = Math.max(...im);
    const minG = Math.min(...g);
    const review = g.filter((s) => s <= maxI).length;
    const impReview = im.filter((s) => s >= minG).length;
    console.log(`  ${name.padEnd(28)} ${maxI.toFixed(3).padStart(10)}                       ${minG.toFixed(3).padStart(8)}                   ${pc(review, g.length).padEnd(22)}  ${pc(impReview, im.length).padEnd(20)} ${time}`);
  };
  const times = (xs: number[]) => `${pct(xs, 50).toFixed(0)}/${pct(xs, 95).toFixed(0)}`;
  line("faceres (Human, in use)", genuine.map((p) => p[0]), impostor.map((p) => p[0]), `${times(ms.faceres)} (whole face stage)`);
  line("face-api 128-d", genuine.map((p) => p[1]), impostor.map((p) => p[1]), `+${times(ms.faceapi)}`);
  line("fusion (mean of z-scores)", genuine.map(fused), impostor.map(fused), `+${times(ms.faceapi)}`);
  console.log(`  target: <= 3% of genuine pairs to review at FAR 0`);
}

/** face-api's descriptor of the face in `box`: a square crop 1.4x the box, aligned by its 68 landmarks, unit length. */
async function faceApiDescriptor(faceapi: FaceApi, tf: Tf, input: Tensor4D, box: Box, width: number, height: number): Promise<Float32Array> {
  const side = Math.max(box.w, box.h) * 1.4;
  const cx = box.x + box.w / 2;
  const cy = box.y + box.h / 2;
  const crop = tf.tidy(() => {
    const b = [[(cy - side / 2) / height, (cx - side / 2) / width, (cy + side / 2) / height, (cx + side / 2) / width]];
    return tf.squeeze(tf.image.cropAndResize(tf.cast(input, "float32") as Tensor4D, b, [0], [CROP, CROP]), [0]) as Tensor3D;
  });
  try {
    const landmarks = await faceapi.nets.faceLandmark68Net.detectLandmarks(crop);
    const aligned = await faceapi.extractFaceTensors(crop, [landmarks.align()]);
    try {
      return normalizeDescriptor(Array.from(await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(aligned[0]!)));
    } finally {
      tf.dispose(aligned);
    }
  } finally {
    crop.dispose();
  }
}

main(process.argv.slice(2), process.env).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error((err as Error).stack ?? String(err));
    process.exit(1);
  },
);

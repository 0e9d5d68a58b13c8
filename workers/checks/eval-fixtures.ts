/**
 * npm run eval:fixtures [-- --dir ../shared/fixtures/images] [--json out.json]
 * Runs the real checks over the labelled fixtures and prints the calibration
 * figures behind core/verification/thresholds.ts. The photos: --dir, else
 * FIXTURES_DIR, else ../shared/fixtures/images (the full development set), else
 * the test photos in test/fixtures/images (a small subset: not calibration figures).
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { GESTURES, OFFERED_GESTURES } from "../../core/verification/gestures";
import { THRESHOLDS } from "../../core/verification/thresholds";
import type { BackendChoice } from "./backend";
import { cosineSimilarity } from "./match";
import { createEngine } from "./models";
import { arg, percentile as pct, photoDir, share as pc } from "./calibration";
import { hamming, isReplay, perceptualHash, type PerceptualHash } from "./phash";
import { runChecks, type CheckReport } from "./run-checks";

interface Label {
  file: string;
  person: string | null;
  gesture: string;
  faces: number;
  faces_min: number;
  faces_max: number;
  fingers_extended: number | null;
  spoof: string;
  notes: string;
}

/** Photos the labels call the same photograph at another size/crop: natural replays, not "different photos". */
const SAME_PHOTO = [["facerec_obama.jpg", "tfjs_portrait.jpg", "facerec_obama_partial_face.jpg"]];
export const EVAL_GESTURES = ["victory", "pointing_up", "open_palm", "fist", "thumbs_up", "three", "four", "rock", "call", "ok"];


/** The label's gesture; "other" refined to three / four / rock / call from the source class (file name or notes). */
export function truthGesture(l: Label): string {
  if (l.gesture !== "other") return l.gesture;
  if (l.fingers_extended === 4 && /^handsdataset_/.test(l.file)) return "four";
  if (l.fingers_extended === 3 && /^handsdataset_/.test(l.file)) return "three";
  const m = /(?:_mp_|gesture_ref_)(four|rock|call)/.exec(l.file) ?? /Dataset class: (four|rock|call)\b/i.exec(l.notes);
  return m ? m[1]!.toLowerCase() : "other";
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "-");

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { dir, fallback } = photoDir(argv, env);
  const labels = JSON.parse(await readFile(path.join(dir, "labels.json"), "utf8")) as Label[];
  if (fallback) console.log(`# no full calibration set (no --dir, no FIXTURES_DIR, no ../shared/fixtures/images): using the ${labels.length} test photos in test/fixtures/images; these are not the calibration figures`);
  const engine = await createEngine({ backend: (env.TF_BACKEND ?? "auto") as BackendChoice });
  console.log(`# eval:fixtures  dir=${dir}  photos=${labels.length}  backend=${engine.backend.name}`);
  const reports = new Map<string, CheckReport>();
  for (const l of labels) {
    const buf = await readFile(path.join(dir, l.file));
    reports.set(l.file, await runChecks(engine, { selfie: buf, gesture: "victory" }));
  }

  // Face count
  let ok = 0;
  const wrong: string[] = [];
  for (const l of labels) {
    const n = reports.get(l.file)!.faces.length;
    if (n >= l.faces_min && n <= l.faces_max) ok++;
    else wrong.push(`${l.file}: ${n} (label ${l.faces_min}-${l.faces_max})`);
  }
  console.log(`\n## Face count (score >= ${THRESHOLDS.face.minScore}, nested boxes dropped)\ncorrect ${pc(ok, labels.length)}  target >= 99%`);
  for (const w of wrong) console.log(`  wrong: ${w}`);

  // Face quality distributions (one-face photos)
  const one = labels.filter((l) => reports.get(l.file)!.faces.length === 1).map((l) => reports.get(l.file)!.faces[0]!);
  console.log(`\n## Face quality on ${one.length} one-face photos (p0/p5/p50)`);
  for (const k of ["heightRatio", "outsideRatio", "brightness", "sharpness"] as const) {
    const xs = one.map((f) => f[k]);
    console.log(`  ${k}: ${f3(pct(xs, 0))} / ${f3(pct(xs, 5))} / ${f3(pct(xs, 50))}`);
  }
  // Synthetic blur: how many one-face photos the blur gate catches after a Gaussian blur of 2% of the face height.
  let blurred = 0;
  let blurN = 0;
  for (const l of labels.filter((x) => reports.get(x.file)!.faces.length === 1).slice(0, 40)) {
    const face = reports.get(l.file)!.faces[0]!;
    const scale = Math.min(1, 1280 / Math.max(reports.get(l.file)!.width, reports.get(l.file)!.height, 1));
    const sigma = Math.max(0.3, 0.04 * face.box.h / scale);
    const b = await sharp(await readFile(path.join(dir, l.file))).blur(sigma).jpeg({ quality: 90 }).toBuffer();
    const r = await runChecks(engine, { selfie: b });
    if (r.faces.length !== 1 || r.faces[0]!.sharpness < THRESHOLDS.face.minSharpness + THRESHOLDS.face.sharpnessReviewBand) blurred++;
    blurN++;
  }
  console.log(`  synthetic blur (sigma = 4% of face height): flagged or face lost ${pc(blurred, blurN)}`);

  // Face match
  const withId = labels.filter((l) => l.person && reports.get(l.file)!.embedding);
  const genuine: number[] = [];
  const impostor: number[] = [];
  for (let i = 0; i < withId.length; i++) {
    for (let j = i + 1; j < withId.length; j++) {
      const a = withId[i]!;
      const b = withId[j]!;
      const s = cosineSimilarity(reports.get(a.file)!.embedding!, reports.get(b.file)!.embedding!);
      (a.person === b.person ? genuine : impostor).push(s);
    }
  }
  const { passScore, failScore } = THRESHOLDS.match;
  console.log(`\n## Face match (cosine of unit faceres descriptors), ${withId.length} photos, ${genuine.length} genuine / ${impostor.length} impostor pairs`);
  console.log(`  FAR (impostor silently passed, >= ${passScore}): ${pc(impostor.filter((s) => s >= passScore).length, impostor.length)}  target <= 0.1%`);
  console.log(`  FRR (genuine failed, < ${failScore}): ${pc(genuine.filter((s) => s < failScore).length, genuine.length)}  target <= 1%`);
  console.log(`  review band [${failScore}, ${passScore}): genuine ${pc(genuine.filter((s) => s >= failScore && s < passScore).length, genuine.length)}, impostor ${pc(impostor.filter((s) => s >= failScore && s < passScore).length, impostor.length)}`);
  console.log(`  genuine  p0/p1/p5/p50: ${[0, 1, 5, 50].map((p) => f3(pct(genuine, p))).join(" / ")}`);
  console.log(`  impostor p50/p99/p99.9/max: ${[50, 99, 99.9, 100].map((p) => f3(pct(impostor, p))).join(" / ")}`);
  const hist = (xs: number[]) => Array.from({ length: 10 }, (_, k) => xs.filter((s) => s >= 0.1 * k && s < 0.1 * (k + 1)).length).join(" ");
  console.log(`  histogram 0.0-1.0 by 0.1: genuine [${hist(genuine)}]  impostor [${hist(impostor)}]`);
  printRoc(genuine, impostor, failScore, passScore);

  // Gestures
  const gphotos = labels.filter((l) => l.gesture !== "none");
  const found = gphotos.filter((l) => reports.get(l.file)!.hands.length > 0).length;
  const foundNear = gphotos.filter((l) => reports.get(l.file)!.handsNearFace > 0).length;
  console.log(`\n## Gestures (hands near the face; presence >= ${THRESHOLDS.hands.minPresence})\n  hand found in gesture photos: ${pc(found, gphotos.length)} (near the face: ${pc(foundNear, gphotos.length)})  target >= 95%`);
  console.log(`  gesture       offered  TPR                  FPR                 no-hand`);
  for (const g of EVAL_GESTURES) {
    const pos = labels.filter((l) => truthGesture(l) === g);
    const neg = labels.filter((l) => truthGesture(l) !== g);
    const tp = pos.filter((l) => reports.get(l.file)!.gesturesDetected.includes(g)).length;
    const fp = neg.filter((l) => reports.get(l.file)!.gesturesDetected.includes(g));
    const noHand = pos.filter((l) => reports.get(l.file)!.handsNearFace === 0).length;
    const offered = (OFFERED_GESTURES as readonly string[]).includes(g) ? "yes" : Object.hasOwn(GESTURES, g) ? "no" : "-";
    console.log(`  ${g.padEnd(13)} ${offered.padEnd(8)} ${pc(tp, pos.length).padEnd(20)} ${pc(fp.length, neg.length).padEnd(19)} ${noHand}${fp.length ? `   FP: ${fp.map((l) => l.file).join(", ")}` : ""}`);
  }

  // Replay
  const hashes = new Map<string, PerceptualHash>();
  for (const l of labels) hashes.set(l.file, await perceptualHash(await readFile(path.join(dir, l.file))));
  const th = THRESHOLDS.replay;
  const variants: Record<string, { file: string; d64: number; hit: boolean }[]> = { "re-encode q60": [], "resize 50%": [], "png": [], "crop 90%": [] };
  for (const l of labels) {
    const buf = await readFile(path.join(dir, l.file));
    const meta = await sharp(buf).rotate().metadata();
    const w = meta.autoOrient?.width ?? meta.width ?? 0;
    const h = meta.autoOrient?.height ?? meta.height ?? 0;
    const orig = hashes.get(l.file)!;
    const cw = Math.round(w * 0.9);
    const ch = Math.round(h * 0.9);
    const copies: Record<string, Buffer> = {
      "re-encode q60": await sharp(buf).rotate().jpeg({ quality: 60 }).toBuffer(),
      "resize 50%": await sharp(buf).rotate().resize(Math.round(w / 2)).jpeg({ quality: 85 }).toBuffer(),
      "png": await sharp(buf).rotate().png().toBuffer(),
      "crop 90%": await sharp(buf).rotate().extract({ left: Math.round((w - cw) / 2), top: Math.round((h - ch) / 2), width: cw, height: ch }).jpeg({ quality: 85 }).toBuffer(),
    };
    for (const [k, b] of Object.entries(copies)) {
      const hb = await perceptualHash(b);
      variants[k]!.push({ file: l.file, d64: hamming(orig.h64, hb.h64), hit: isReplay(orig, hb, th) });
    }
  }
  console.log(`\n## Replay (64-bit pHash <= ${th.maxDistance} via the chunk index, confirmed by 256-bit pHash <= ${th.maxFineDistance})`);
  for (const [k, ds] of Object.entries(variants)) {
    const d = ds.map((x) => x.d64);
    const missed = k === "crop 90%" ? "" : ds.filter((x) => !x.hit).map((x) => `${x.file} (${x.d64})`).join(", ");
    console.log(`  ${k.padEnd(14)} caught ${pc(ds.filter((x) => x.hit).length, ds.length)}  64-bit distance max ${Math.max(...d)} p50 ${pct(d, 50)}${missed ? `  missed: ${missed}` : ""}`);
  }
  const same = (a: string, b: string) => SAME_PHOTO.some((g) => g.includes(a) && g.includes(b));
  const diff: number[] = [];
  let falseFlags = 0;
  let candidates = 0;
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const a = labels[i]!.file;
      const b = labels[j]!.file;
      if (same(a, b)) continue;
      const ha = hashes.get(a)!;
      const hb = hashes.get(b)!;
      const d = hamming(ha.h64, hb.h64);
      diff.push(d);
      if (d <= th.maxDistance) candidates++;
      if (isReplay(ha, hb, th)) falseFlags++;
    }
  }
  console.log(`  different photos: ${diff.length} pairs, 64-bit min distance ${Math.min(...diff)}, index candidates ${candidates}, false flags after confirmation ${falseFlags}  target 0`);

  // Timing
  const tot = [...reports.values()].map((r) => r.timings.total);
  console.log(`\n## Timing per photo (selfie only, all stages incl. hands; noisy on a shared 2-core machine): p50 ${pct(tot, 50)} ms, p95 ${pct(tot, 95)} ms, RSS ${Math.round(process.memoryUsage().rss / 1e6)} MB`);
  const out = arg(argv, "--json");
  if (out) {
    await writeFile(out, JSON.stringify([...reports.entries()].map(([file, r]) => ({ file, ...r, embedding: undefined, faces: r.faces.map((f) => ({ ...f, embedding: undefined })) })), null, 1));
  }
}

/**
 * The ROC as a plain table: for each candidate pass threshold, the impostor pairs it would pass
 * (FAR), the genuine pairs below the fail threshold (FRR) and the genuine and impostor pairs it
 * would leave to staff review between the two. Marks the current thresholds and the lowest pass
 * threshold that holds FAR 0.
 */
function printRoc(genuine: number[], impostor: number[], failScore: number, passScore: number): void {
  const maxImpostor = Math.max(...impostor);
  const far0 = Math.ceil((maxImpostor + 1e-9) * 100) / 100;
  const steps = new Set<number>([failScore, passScore, far0]);
  for (let t = 0.3; t <= 0.8 + 1e-9; t += 0.02) steps.add(Math.round(t * 100) / 100);
  const rows = [...steps].sort((a, b) => a - b);
  const share = (xs: number[], f: (s: number) => boolean) => (xs.length ? (100 * xs.filter(f).length) / xs.length : NaN);
  console.log(`  ROC (pass threshold t; fail below ${failScore}; review in between)`);
  console.log(`    t      FAR (imp >= t)   FRR (gen < ${failScore})   genuine to review   impostor to review   single-threshold FRR (gen < t)`);
  for (const t of rows) {
    const mark = [t === passScore ? "current pass" : "", t === failScore ? "current fail" : "", t === far0 ? "lowest t with FAR 0" : ""].filter(Boolean).join(", ");
    const lo = Math.min(failScore, t);
    console.log(
      `    ${t.toFixed(2)}   ${share(impostor, (s) => s >= t).toFixed(2).padStart(6)}%          ${share(genuine, (s) => s < lo).toFixed(2).padStart(6)}%            ${share(genuine, (s) => s >= lo && s < t).toFixed(2).padStart(6)}%              ${share(impostor, (s) => s >= lo && s < t).toFixed(2).padStart(6)}%              ${share(genuine, (s) => s < t).toFixed(2).padStart(6)}%${mark ? `   <- ${mark}` : ""}`,
    );
  }
}

main(process.argv.slice(2), process.env).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error((err as Error).stack ?? String(err));
    process.exit(1);
  },
);

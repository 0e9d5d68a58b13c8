/**
 * npm run bench:checks [-- --dir ../shared/fixtures/images] [--rounds 2]
 * One process, one check at a time (as a worker with concurrency 1): per-stage
 * p50/p95 over the fixtures, checks/s, peak RSS. A check = one selfie with a
 * gesture challenge, compared with a reference embedding (the ID portrait's,
 * embedded once when the ID photo arrives - timed separately as "ID photo" -
 * or the enrolled one on a recheck). Figures depend on machine load: `uptime`.
 * The photos: --dir, else FIXTURES_DIR, else ../shared/fixtures/images (the full
 * development set), else the test photos in test/fixtures/images (a small subset).
 */
import { readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { BackendChoice } from "./backend";
import { createEngine } from "./models";
import { arg, percentile as pct, photoDir } from "./calibration";
import { embedReference, runChecks, type CheckTimings } from "./run-checks";




async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { dir, fallback } = photoDir(argv, env);
  const rounds = Number(arg(argv, "--rounds") ?? "1");
  const files = (await readdir(dir)).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort();
  if (fallback) console.log(`# no full fixture set (no --dir, no FIXTURES_DIR, no ../shared/fixtures/images): using the ${files.length} test photos in test/fixtures/images`);
  const photos = await Promise.all(files.map((f) => readFile(path.join(dir, f))));
  const tLoad = performance.now();
  const engine = await createEngine({ backend: (env.TF_BACKEND ?? "auto") as BackendChoice });
  const loadMs = performance.now() - tLoad;
  let peakRss = process.memoryUsage().rss;
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  // Warm-up: the first inference of each model compiles kernels.
  await runChecks(engine, { selfie: photos[0]!, reference: photos[1]!, gesture: "victory" });
  const refMs: number[] = [];
  const refs: (Float32Array | null)[] = [];
  for (const p of photos) {
    const t = performance.now();
    refs.push((await embedReference(engine, p)).embedding);
    refMs.push(performance.now() - t);
  }
  const stages: Record<keyof CheckTimings, number[]> = { decode: [], faces: [], reference: [], hands: [], phash: [], total: [] };
  const oneFace: number[] = [];
  const t0 = performance.now();
  let n = 0;
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < photos.length; i++) {
      const rep = await runChecks(engine, { selfie: photos[i]!, referenceEmbedding: refs[(i + 1) % photos.length] ?? null, gesture: "victory" });
      for (const k of Object.keys(stages) as (keyof CheckTimings)[]) stages[k].push(rep.timings[k]);
      if (rep.faces.length === 1) oneFace.push(rep.timings.total);
      n++;
    }
  }
  const wall = (performance.now() - t0) / 1000;
  clearInterval(timer);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  console.log(`# bench:checks  backend=${engine.backend.name}  photos=${photos.length} x ${rounds}  load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}  (shared machine: noisy)`);
  console.log(`model load ${Math.round(loadMs)} ms`);
  console.log(`stage       p50 ms   p95 ms`);
  for (const [k, xs] of Object.entries(stages)) console.log(`${k.padEnd(10)} ${pct(xs, 50).toFixed(0).padStart(7)} ${pct(xs, 95).toFixed(0).padStart(8)}`);
  console.log(`one-face photos (${oneFace.length}): total p50 ${pct(oneFace, 50).toFixed(0)} ms, p95 ${pct(oneFace, 95).toFixed(0)} ms`);
  console.log(`ID photo (embedReference, once per case): p50 ${pct(refMs, 50).toFixed(0)} ms, p95 ${pct(refMs, 95).toFixed(0)} ms`);
  console.log(`checks/s (one process, one core): ${(n / wall).toFixed(2)}`);
  console.log(`peak RSS: ${Math.round(peakRss / 1e6)} MB`);
}

main(process.argv.slice(2), process.env).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error((err as Error).stack ?? String(err));
    process.exit(1);
  },
);

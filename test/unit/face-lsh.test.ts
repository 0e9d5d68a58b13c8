import { describe, expect, it } from "vitest";
import { LSH_BANDS, faceBucketKeys } from "../../core/verification/face-lsh";

function unit(v: Float32Array): Float32Array<ArrayBuffer> {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
}
function rng(seed: number) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
}
/** A unit vector at cosine `cos` from `a`. */
function at(a: Float32Array, cos: number, r: () => number): Float32Array {
  let n = Float32Array.from(a, () => r());
  const d = n.reduce((s, x, i) => s + x * a[i]!, 0);
  n = unit(n.map((x, i) => x - d * a[i]!));
  return unit(a.map((x, i) => cos * x + Math.sqrt(1 - cos * cos) * n[i]!));
}
const shared = (a: Float32Array, b: Float32Array) => {
  const ka = faceBucketKeys(a);
  const kb = faceBucketKeys(b);
  return ka.filter((k, i) => k.key === kb[i]!.key).length;
};

describe("face LSH buckets", () => {
  const r = rng(7);
  const base = Array.from({ length: 40 }, () => unit(Float32Array.from({ length: 1024 }, r)));

  it("is deterministic and gives one key per band", () => {
    expect(faceBucketKeys(base[0]!)).toEqual(faceBucketKeys(Float32Array.from(base[0]!)));
    expect(faceBucketKeys(base[0]!)).toHaveLength(LSH_BANDS);
  });

  it("puts the same face in shared buckets far more often than different faces", () => {
    const same = base.map((a) => shared(a, at(a, 0.7, r)));
    const other = base.map((a, i) => shared(a, at(base[(i + 1) % base.length]!, 0.2, r)));
    const found = same.filter((n) => n >= 1).length / same.length;
    const falseCandidates = other.filter((n) => n >= 1).length / other.length;
    expect(found).toBeGreaterThanOrEqual(0.9);
    expect(same.reduce((a, b) => a + b) / same.length).toBeGreaterThan(2 * (other.reduce((a, b) => a + b) / other.length));
    expect(falseCandidates).toBeLessThan(found);
  });
});

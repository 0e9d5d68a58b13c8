/**
 * Random-hyperplane LSH (SimHash) over face embeddings, for the duplicate-identity
 * lookup: two embeddings at angle θ agree on one hyperplane bit with probability
 * 1 - θ/π, so similar faces share whole bands far more often than different ones.
 * BANDS x BITS = 32 x 8: a same-person pair at cosine 0.6 (p = 0.70 per bit) shares
 * on average 1.9 bands and at least one with probability ~0.87 (0.99 at cosine 0.75);
 * an unrelated pair at cosine 0.2 (p = 0.56) shares one with probability ~0.3, so a
 * lookup reads the bucket rows of a fraction of the enrolled sellers, ranks them by
 * shared bands and decrypts only the best few. The hyperplanes come from a fixed seed:
 * every process, and every future process, must compute the same keys.
 */
export const LSH_BANDS = 32;
export const LSH_BITS = 8;
const SEED = 0x5eed_f00d;

let planes: { dim: number; v: Float32Array[] } | null = null;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hyperplanes(dim: number): Float32Array[] {
  if (planes?.dim === dim) return planes.v;
  const rand = mulberry32(SEED ^ dim);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const v = Array.from({ length: LSH_BANDS * LSH_BITS }, () => Float32Array.from({ length: dim }, gauss));
  planes = { dim, v };
  return v;
}

/** One bucket key per band. */
export function faceBucketKeys(embedding: Float32Array): { band: number; key: number }[] {
  const hp = hyperplanes(embedding.length);
  const out: { band: number; key: number }[] = [];
  for (let b = 0; b < LSH_BANDS; b++) {
    let key = 0;
    for (let i = 0; i < LSH_BITS; i++) {
      const p = hp[b * LSH_BITS + i]!;
      let dot = 0;
      for (let d = 0; d < embedding.length; d++) dot += p[d]! * embedding[d]!;
      key = (key << 1) | (dot >= 0 ? 1 : 0);
    }
    out.push({ band: b, key });
  }
  return out;
}

import sharp from "sharp";

/**
 * Perceptual hashes (pHash): the photo reduced to 64x64 luma, its 2-D DCT, one bit per
 * low-frequency coefficient (above/below the block's median, DC excluded from the median).
 *  - h64: the 8x8 lowest frequencies. Indexed (four 16-bit chunks) to find candidates fast.
 *  - h256: the 16x16 lowest frequencies. Confirms a candidate: consecutive webcam frames of the
 *    same pose came within 2 bits on h64 but stay >= 32 bits apart on h256, while re-encoded and
 *    resized copies stay <= ~10 bits (dev set).
 * Both survive re-encoding and resizing; crops and rotations move them far, so they catch re-sent
 * files, not re-photographed ones. (A 9x8 dHash was tried first: re-encodes moved it up to 13 bits
 * on low-contrast photos. Sharp's JPEG shrink-on-load is off: it made the hash of a JPEG differ
 * from the hash of the same pixels as PNG.)
 */
export interface PerceptualHash {
  h64: bigint;
  /** 256 bits, 32 bytes. */
  h256: Buffer;
}

const N = 64;
const cosTable = (n: number, k: number) => {
  const c = new Float64Array(k * n);
  for (let u = 0; u < k; u++) for (let x = 0; x < n; x++) c[u * n + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * n));
  return c;
};
const COS64 = cosTable(64, 16);
const COS32 = cosTable(32, 8);

/** The k x k lowest frequencies of the 2-D DCT of an n x n image (separable: rows, then columns). */
function lowDct(px: ArrayLike<number>, n: number, k: number, cos: Float64Array): Float64Array {
  const rows = new Float64Array(n * k);
  for (let y = 0; y < n; y++) {
    for (let u = 0; u < k; u++) {
      let s = 0;
      for (let x = 0; x < n; x++) s += px[y * n + x]! * cos[u * n + x]!;
      rows[y * k + u] = s;
    }
  }
  const coef = new Float64Array(k * k);
  for (let v = 0; v < k; v++) {
    for (let u = 0; u < k; u++) {
      let s = 0;
      for (let y = 0; y < n; y++) s += rows[y * k + u]! * cos[v * n + y]!;
      coef[v * k + u] = s;
    }
  }
  return coef;
}

/** One bit per coefficient: above the median of the block without its DC term. */
function medianBits(coef: Float64Array): number[] {
  const sorted = Array.from(coef.subarray(1)).sort((a, b) => a - b);
  const m = (sorted.length - 1) / 2;
  const median = (sorted[Math.floor(m)]! + sorted[Math.ceil(m)]!) / 2;
  return Array.from(coef, (c) => (c > median ? 1 : 0));
}

export async function perceptualHash(buf: Buffer): Promise<PerceptualHash> {
  const { data } = await sharp(buf, { failOn: "error" })
    .rotate()
    .greyscale()
    .resize(N, N, { fit: "fill", kernel: "cubic", fastShrinkOnLoad: false })
    .raw()
    .toBuffer({ resolveWithObject: true });
  // h64 from a 32x32 (2x2 box average): coarser input, steadier low bits under re-encoding.
  const half = new Float64Array(32 * 32);
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) {
      const i = 2 * y * N + 2 * x;
      half[y * 32 + x] = (data[i]! + data[i + 1]! + data[i + N]! + data[i + N + 1]!) / 4;
    }
  }
  let h64 = 0n;
  for (const b of medianBits(lowDct(half, 32, 8, COS32))) h64 = (h64 << 1n) | BigInt(b);
  const b256 = medianBits(lowDct(data, N, 16, COS64));
  const h256 = Buffer.alloc(32);
  for (let i = 0; i < 256; i++) if (b256[i]) h256[i >> 3]! |= 0x80 >> (i & 7);
  return { h64, h256 };
}

/** The 64-bit hash alone. */
export async function pHash(buf: Buffer): Promise<bigint> {
  return (await perceptualHash(buf)).h64;
}

export function hammingBytes(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error("hash length mismatch");
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    let x = a[i]! ^ b[i]!;
    while (x) {
      n += x & 1;
      x >>= 1;
    }
  }
  return n;
}

/** A new photo replays an earlier one when both hashes are within their thresholds. */
export function isReplay(a: PerceptualHash, b: PerceptualHash, th: { maxDistance: number; maxFineDistance: number }): boolean {
  return hamming(a.h64, b.h64) <= th.maxDistance && hammingBytes(a.h256, b.h256) <= th.maxFineDistance;
}

export function hamming(a: bigint, b: bigint): number {
  let x = a ^ b;
  let n = 0;
  while (x > 0n) {
    n += Number(x & 1n);
    x >>= 1n;
  }
  return n;
}

/** The stored form of a hash (Photo.phash, phashFine, phashC0-3): what the replay index holds. */
export function storedHash(h: PerceptualHash): { h64: string; fine: string; chunks: [number, number, number, number] } {
  return { h64: hashToHex(h.h64), fine: h.h256.toString("hex"), chunks: chunkKeys(h.h64) };
}

export function hashToHex(h: bigint): string {
  return h.toString(16).padStart(16, "0");
}

export function hashFromHex(s: string): bigint {
  if (!/^[0-9a-f]{16}$/.test(s)) throw new Error("a dHash is 16 hex digits");
  return BigInt(`0x${s}`);
}

/**
 * Four 16-bit chunks for the replay index. Two hashes within 3 bits differ in at
 * most 3 chunks, so they share at least one (pigeonhole): look up the four
 * (position, chunk) keys, then compute the exact distance on the few candidates.
 * Keys are signed-free ints 0..65535 tagged with their position (0-3).
 */
export function chunkKeys(h: bigint): [number, number, number, number] {
  return [0, 1, 2, 3].map((i) => Number((h >> BigInt(48 - 16 * i)) & 0xffffn)) as [number, number, number, number];
}

/** Stored as a signed BIGINT in PostgreSQL. */
export function hashToSigned(h: bigint): bigint {
  return BigInt.asIntN(64, h);
}

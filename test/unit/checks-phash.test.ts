import { readFileSync } from "node:fs";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { THRESHOLDS } from "../../core/verification/thresholds";
import { chunkKeys, hamming, hashFromHex, hashToHex, isReplay, perceptualHash, pHash } from "../../workers/checks/phash";
import { fixture } from "../support/fixtures";

const photo = (f: string) => readFileSync(fixture(f));

describe("perceptual hash", () => {
  it("stays within the replay threshold for a re-encoded and a resized copy", async () => {
    const buf = photo("human_person-vlado.jpg");
    const h = await pHash(buf);
    const reencoded = await sharp(buf).jpeg({ quality: 60 }).toBuffer();
    const resized = await sharp(buf).resize(400).jpeg({ quality: 85 }).toBuffer();
    expect(hamming(h, await pHash(reencoded))).toBeLessThanOrEqual(THRESHOLDS.replay.maxDistance);
    expect(hamming(h, await pHash(resized))).toBeLessThanOrEqual(THRESHOLDS.replay.maxDistance);
  });
  it("confirms a copy but not a near-identical frame of the same session", async () => {
    const a = await perceptualHash(photo("handsdataset_996_pic00143.jpg"));
    const copy = await perceptualHash(await sharp(photo("handsdataset_996_pic00143.jpg")).jpeg({ quality: 60 }).toBuffer());
    const frame = await perceptualHash(photo("handsdataset_996_pic00124.jpg"));
    expect(isReplay(a, copy, THRESHOLDS.replay)).toBe(true);
    expect(isReplay(a, frame, THRESHOLDS.replay)).toBe(false);
  });
  it("is far apart for different photos", async () => {
    const a = await pHash(photo("human_person-vlado.jpg"));
    const b = await pHash(photo("facerec_biden.jpg"));
    expect(hamming(a, b)).toBeGreaterThan(3 * THRESHOLDS.replay.maxDistance);
  });
  it("round-trips hex and shares a chunk key within 3 bits (pigeonhole)", async () => {
    const h = await pHash(photo("tfjs_portrait.jpg"));
    expect(hashFromHex(hashToHex(h))).toBe(h);
    const near = h ^ (1n << 3n) ^ (1n << 20n) ^ (1n << 40n);
    const shared = chunkKeys(h).filter((k, i) => chunkKeys(near)[i] === k);
    expect(shared.length).toBeGreaterThanOrEqual(1);
  });
});

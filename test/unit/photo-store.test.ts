import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PiiCrypto } from "../../core/crypto";
import { EncryptedFsPhotoStore, PhotoNotFoundError } from "../../core/photos/store";

const crypto = new PiiCrypto([{ id: "k1", key: randomBytes(32) }]);
let dir: string;
let store: EncryptedFsPhotoStore;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "shiren-photos-"));
  store = new EncryptedFsPhotoStore({ dir, crypto });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function jpeg(r: number): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: { r, g: 10, b: 200 } } }).jpeg().toBuffer();
}
const fileOf = (key: string) => path.join(dir, "photos", key.slice(0, 2), key.slice(2, 4), `${key}.bin`);

describe("EncryptedFsPhotoStore", () => {
  it("round-trips a photo under its sha256", async () => {
    const photo = await jpeg(1);
    const put = await store.put(photo);
    expect(put.key).toMatch(/^[0-9a-f]{64}$/);
    expect(put.sha256).toBe(put.key);
    expect(put.created).toBe(true);
    expect(await store.exists(put.key)).toBe(true);
    expect((await store.get(put.key)).equals(photo)).toBe(true);
  });

  it("dedupes: the same bytes are written once", async () => {
    const photo = await jpeg(2);
    const first = await store.put(photo);
    const before = await stat(fileOf(first.key));
    const second = await store.put(Buffer.from(photo));
    expect(second).toEqual({ key: first.key, sha256: first.key, created: false });
    const after = await stat(fileOf(first.key));
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect((await store.put(await jpeg(3))).key).not.toBe(first.key);
  });

  it("stores only ciphertext, leaving no temp files", async () => {
    const photo = await jpeg(4);
    const { key } = await store.put(photo);
    const onDisk = await readFile(fileOf(key));
    expect(onDisk.includes(Buffer.from([0xff, 0xd8, 0xff]))).toBe(false);
    expect(onDisk.includes(photo.subarray(100, 132))).toBe(false);
    expect(crypto.open(onDisk, `photo:${key}`).equals(photo)).toBe(true);
    expect(await readdir(path.dirname(fileOf(key)))).toEqual([`${key}.bin`]);
  });

  it("creates directories 0700 and files 0600 even under a restrictive umask", async () => {
    const old = process.umask(0o377);
    let key: string;
    try {
      ({ key } = await store.put(await jpeg(5)));
    } finally {
      process.umask(old);
    }
    expect((await stat(fileOf(key))).mode & 0o777).toBe(0o600);
    for (const d of [path.join(dir, "photos"), path.join(dir, "photos", key.slice(0, 2)), path.dirname(fileOf(key))]) {
      expect((await stat(d)).mode & 0o777).toBe(0o700);
    }
  });

  it("refuses a tampered file", async () => {
    const { key } = await store.put(await jpeg(6));
    const sealed = await readFile(fileOf(key));
    sealed[sealed.length - 5]! ^= 0x01;
    await writeFile(fileOf(key), sealed);
    await expect(store.get(key)).rejects.toThrow();
  });

  it("refuses a file swapped in from another key", async () => {
    const a = await store.put(await jpeg(7));
    const b = await store.put(await jpeg(8));
    await writeFile(fileOf(a.key), await readFile(fileOf(b.key)));
    await expect(store.get(a.key)).rejects.toThrow();
  });

  it("refuses content that does not hash to its key", async () => {
    const { key } = await store.put(await jpeg(9));
    await writeFile(fileOf(key), crypto.seal(await jpeg(10), `photo:${key}`));
    await expect(store.get(key)).rejects.toThrow(/does not match/);
  });

  it("refuses a file sealed under another master key", async () => {
    const { key } = await store.put(await jpeg(11));
    const other = new EncryptedFsPhotoStore({ dir, crypto: new PiiCrypto([{ id: "k9", key: randomBytes(32) }]) });
    await expect(other.get(key)).rejects.toThrow();
  });

  it("rejects keys that are not 64 lowercase hex digits", async () => {
    const { key } = await store.put(await jpeg(12));
    for (const bad of ["../../../etc/passwd", key.toUpperCase(), key.slice(1), `${key}0`, `${key.slice(0, 63)}/`, ""]) {
      await expect(store.get(bad), bad).rejects.toThrow(/invalid photo key/);
      await expect(store.exists(bad), bad).rejects.toThrow(/invalid photo key/);
      await expect(store.delete(bad), bad).rejects.toThrow(/invalid photo key/);
    }
  });

  it("deletes idempotently; a missing photo is PhotoNotFoundError", async () => {
    const { key } = await store.put(await jpeg(13));
    await store.delete(key);
    expect(await store.exists(key)).toBe(false);
    await store.delete(key);
    await expect(store.get(key)).rejects.toBeInstanceOf(PhotoNotFoundError);
  });
});

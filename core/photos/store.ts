import { createHash, randomBytes } from "node:crypto";
import { chmod, mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises";
import path from "node:path";
import type { PiiCrypto } from "../crypto";

/** Where intake JPEGs live. Content-addressed: the key is the hex SHA-256 of the plaintext. */
export interface PhotoStore {
  put(jpeg: Buffer): Promise<{ key: string; sha256: string; created: boolean }>;
  get(key: string): Promise<Buffer>;
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
}

export class PhotoNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`photo ${key} not found`);
    this.name = "PhotoNotFoundError";
  }
}

const KEY_RE = /^[0-9a-f]{64}$/;
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/**
 * Photos sealed with AES-256-GCM on the local disk. The key is the AAD, so a
 * file moved or copied under another name fails to open instead of showing
 * someone else's ID card.
 */
export class EncryptedFsPhotoStore implements PhotoStore {
  private readonly root: string;
  private readonly crypto: PiiCrypto;

  constructor(opts: { dir: string; crypto: PiiCrypto }) {
    this.root = path.resolve(opts.dir, "photos");
    this.crypto = opts.crypto;
  }

  async put(jpeg: Buffer): Promise<{ key: string; sha256: string; created: boolean }> {
    const key = sha256Hex(jpeg);
    const file = this.pathOf(key);
    if (await fileExists(file)) return { key, sha256: key, created: false };

    const dir = path.dirname(file);
    await this.ensureDirs(dir);
    const sealed = this.crypto.seal(jpeg, aadFor(key));
    // Same directory as the target, so rename() is atomic: a reader sees the whole file or none.
    const tmp = path.join(dir, `.${key}.${randomBytes(6).toString("hex")}.tmp`);
    const fh = await open(tmp, "wx", FILE_MODE);
    try {
      await fh.chmod(FILE_MODE); // open()'s mode is filtered by the umask
      await fh.writeFile(sealed);
      await fh.sync();
    } catch (err) {
      await fh.close();
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    await fh.close();
    try {
      await rename(tmp, file);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    await syncDir(dir);
    return { key, sha256: key, created: true };
  }

  async get(key: string): Promise<Buffer> {
    const file = this.pathOf(key);
    let sealed: Buffer;
    try {
      sealed = await readFile(file);
    } catch (err) {
      if (isNotFound(err)) throw new PhotoNotFoundError(key);
      throw err;
    }
    const jpeg = this.crypto.open(sealed, aadFor(key));
    if (sha256Hex(jpeg) !== key) throw new Error(`photo ${key}: content does not match its key`);
    return jpeg;
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.pathOf(key));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async exists(key: string): Promise<boolean> {
    return fileExists(this.pathOf(key));
  }

  private pathOf(key: string): string {
    // The key becomes a path: anything but 64 hex digits could walk out of the store.
    if (!KEY_RE.test(key)) throw new Error("invalid photo key");
    return path.join(this.root, key.slice(0, 2), key.slice(2, 4), `${key}.bin`);
  }

  private async ensureDirs(leaf: string): Promise<void> {
    const parent = path.dirname(this.root);
    await mkdir(parent, { recursive: true, mode: DIR_MODE });
    for (const dir of [this.root, path.dirname(leaf), leaf]) {
      try {
        await mkdir(dir, { mode: DIR_MODE });
        await chmod(dir, DIR_MODE); // mkdir()'s mode is filtered by the umask
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
    }
  }
}

function aadFor(key: string): string {
  return `photo:${key}`;
}

function sha256Hex(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

async function fileExists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}

// Makes the rename itself durable across a power cut, not just the file's bytes.
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

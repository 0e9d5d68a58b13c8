import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Field and file encryption for identity data (AES-256-GCM) and keyed lookups (HMAC-SHA256).
 *
 * Envelope: "v1" | keyIdLen(1) | keyId | iv(12) | tag(16) | ciphertext.
 * The key id travels with every ciphertext, so keys can be rotated: new data is
 * sealed with the first key, old data still opens with any key still configured.
 * Encryption keys and HMAC keys are derived separately (HKDF) from the configured
 * master key, so a leaked HMAC index says nothing about the ciphertexts.
 */

export interface MasterKey {
  id: string;
  key: Buffer;
}

const MAGIC = Buffer.from("v1");

export class PiiCrypto {
  private readonly encKeys = new Map<string, Buffer>();
  private readonly primary: { id: string; enc: Buffer };
  private readonly hmacKey: Buffer;

  constructor(keys: readonly MasterKey[]) {
    const first = keys[0];
    if (!first) throw new Error("PiiCrypto needs at least one key");
    for (const k of keys) this.encKeys.set(k.id, derive(k.key, "shiren/aes-256-gcm"));
    this.primary = { id: first.id, enc: this.encKeys.get(first.id)! };
    // Lookups must stay stable across rotations, so the HMAC key comes from the
    // oldest configured key (the last one): rotate it only with a re-index.
    this.hmacKey = derive(keys[keys.length - 1]!.key, "shiren/hmac-sha256");
  }

  get keyId(): string {
    return this.primary.id;
  }

  seal(plaintext: Buffer | string, aad = ""): Buffer<ArrayBuffer> {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.primary.enc, iv);
    cipher.setAAD(Buffer.from(aad));
    const data = Buffer.concat([cipher.update(typeof plaintext === "string" ? Buffer.from(plaintext) : plaintext), cipher.final()]);
    const id = Buffer.from(this.primary.id);
    return Buffer.concat([MAGIC, Buffer.from([id.length]), id, iv, cipher.getAuthTag(), data]);
  }

  open(blob: Buffer | Uint8Array, aad = ""): Buffer {
    const b = Buffer.isBuffer(blob) ? blob : Buffer.from(blob);
    if (b.length < 2 + 1 + 12 + 16 || !b.subarray(0, 2).equals(MAGIC)) throw new Error("not a sealed blob");
    const idLen = b[2]!;
    const id = b.subarray(3, 3 + idLen).toString();
    const key = this.encKeys.get(id);
    if (!key) throw new Error(`no key configured for key id "${id}"`);
    const at = 3 + idLen;
    const decipher = createDecipheriv("aes-256-gcm", key, b.subarray(at, at + 12));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(b.subarray(at + 12, at + 28));
    return Buffer.concat([decipher.update(b.subarray(at + 28)), decipher.final()]);
  }

  openText(blob: Buffer | Uint8Array, aad = ""): string {
    return this.open(blob, aad).toString("utf8");
  }

  /** Keyed digest for equality lookups (duplicate ID numbers, phones); domain-separated by `kind`. */
  hmac(kind: string, value: string): Buffer<ArrayBuffer> {
    return createHmac("sha256", this.hmacKey).update(kind).update("\0").update(value).digest();
  }

  /** Unguessable token plus its HMAC: the token goes to the user, only the digest is stored. */
  newToken(bytes = 18): { token: string; digest: Buffer<ArrayBuffer> } {
    const token = randomBytes(bytes).toString("base64url");
    return { token, digest: this.hmac("token", token) };
  }

  sameDigest(a: Buffer | Uint8Array, b: Buffer | Uint8Array): boolean {
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

function derive(master: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), info, 32));
}

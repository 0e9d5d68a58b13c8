/**
 * The stored form of face descriptors: float32 bytes, sealed with the PII key and
 * bound (AES-GCM associated data) to what they belong to, so a template moved to
 * another seller or photo does not open.
 */
export const sellerFaceAad = (sellerId: string) => `face:${sellerId}`;
export const photoFaceAad = (photoId: string) => `portrait:${photoId}`;

export function descriptorToBytes(v: Float32Array): Buffer {
  return Buffer.from(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
}

export function descriptorFromBytes(b: Uint8Array): Float32Array {
  const copy = new Uint8Array(b);
  return new Float32Array(copy.buffer, 0, Math.floor(copy.byteLength / 4));
}

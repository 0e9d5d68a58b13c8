/**
 * File type from magic bytes only. The file name and the mime type Telegram
 * passes along are whatever the sender's client claims, so they are never used.
 */

export type SniffedType =
  | "jpeg"
  | "png"
  | "webp"
  | "heic"
  | "avif"
  | "gif"
  | "pdf"
  | "zip"
  | "tiff"
  | "bmp"
  | "unknown";

// HEIF brands (ISO/IEC 23008-12). mif1/msf1 are generic: the compatible brands decide.
const AVIF_BRANDS = new Set(["avif", "avis"]);
const HEIC_BRANDS = new Set(["heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs"]);
const HEIF_GENERIC_BRANDS = new Set(["mif1", "msf1", "mif2", "miaf"]);

export function sniffType(bytes: Uint8Array): SniffedType {
  const b = bytes;
  const at = (offset: number, ...sig: number[]): boolean =>
    b.length >= offset + sig.length && sig.every((v, i) => b[offset + i] === v);
  const ascii = (offset: number, text: string): boolean =>
    at(offset, ...Array.from(text, (c) => c.charCodeAt(0)));

  if (at(0, 0xff, 0xd8, 0xff)) return "jpeg";
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "png";
  if (ascii(0, "RIFF") && ascii(8, "WEBP")) return "webp";
  if (ascii(0, "GIF87a") || ascii(0, "GIF89a")) return "gif";
  if (ascii(4, "ftyp")) return sniffIsoBmff(b);
  if (at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a)) return "tiff";
  if (at(0, 0x49, 0x49, 0x2b, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2b)) return "tiff"; // BigTIFF
  if (ascii(0, "PK") && (at(2, 0x03, 0x04) || at(2, 0x05, 0x06) || at(2, 0x07, 0x08))) return "zip";
  // Readers accept "%PDF-" anywhere in the first 1 KiB, so a sender can prepend junk.
  if (indexOfAscii(b, "%PDF-", 1024) >= 0) return "pdf";
  // "BM" alone is too common a prefix; the two reserved header words are zero in real BMPs.
  if (ascii(0, "BM") && b.length >= 26 && at(6, 0, 0, 0, 0)) return "bmp";
  return "unknown";
}

function sniffIsoBmff(b: Uint8Array): SniffedType {
  if (b.length < 16) return "unknown";
  const boxSize = ((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!;
  const end = Math.min(b.length, boxSize >= 16 ? boxSize : 16);
  const brand = (offset: number): string => String.fromCharCode(b[offset]!, b[offset + 1]!, b[offset + 2]!, b[offset + 3]!);
  const major = brand(8);
  const compatible: string[] = [];
  for (let i = 16; i + 4 <= end; i += 4) compatible.push(brand(i));

  if (AVIF_BRANDS.has(major)) return "avif";
  if (HEIC_BRANDS.has(major)) return "heic";
  if (HEIF_GENERIC_BRANDS.has(major) || compatible.some((c) => HEIF_GENERIC_BRANDS.has(c))) {
    if (compatible.some((c) => AVIF_BRANDS.has(c))) return "avif";
    return "heic";
  }
  // Other ftyp files are MP4/MOV/3GP video and the like.
  return "unknown";
}

function indexOfAscii(b: Uint8Array, text: string, within: number): number {
  const limit = Math.min(b.length, within) - text.length;
  outer: for (let i = 0; i <= limit; i++) {
    for (let j = 0; j < text.length; j++) if (b[i + j] !== text.charCodeAt(j)) continue outer;
    return i;
  }
  return -1;
}
